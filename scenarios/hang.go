package scenarios

import (
	"errors"
	"net"
	"time"
)

// Hang accepts the request and sends nothing until duration passes or the
// client gives up (a server-wide cap bounds it either way), then closes
// the connection (or resets it). With headers: true it first sends the
// status line and headers, then stalls the body.
type Hang struct {
	Duration Duration `yaml:"duration"` // 0: until the client gives up (capped)
	Headers  bool     `yaml:"headers"`
	Then     string   `yaml:"then"` // close (default) or reset
}

func init() {
	Register(&FaultType{
		Name: "hang", Primary: "duration", DefaultPhase: Before,
		Summary: "send nothing (or only the headers) until a duration passes or the client gives up, then close",
		New:     func() Fault { return &Hang{} },
	})
}

// Validate checks then.
func (h *Hang) Validate() error {
	if h.Then != "" && h.Then != "close" && h.Then != "reset" {
		return errors.New("then: want close or reset")
	}
	return nil
}

// Inject takes the connection over and stalls it.
func (h *Hang) Inject(x *Exchange) {
	conn := x.hijack(OutcomeHung)
	if h.Headers {
		resp := x.response()
		if _, err := conn.Write(x.rawHead(resp, len(resp.Body))); err != nil {
			x.Take(OutcomeClientClosed)
			conn.Close()
			return
		}
		x.Record("headers_sent", true)
	}
	wait := x.capped(h.Duration.D())
	if wait <= 0 {
		wait = x.MaxHang
	}
	start := time.Now()
	gone := clientGone(conn)
	var timeout <-chan time.Time // nil (no cap and no duration): until the client gives up
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-gone:
		x.Take(OutcomeClientClosed)
	case <-timeout:
		x.Take(OutcomeHung)
	}
	x.Record("held_ms", time.Since(start).Milliseconds())
	if h.Then == "reset" {
		resetConn(conn)
		return
	}
	conn.Close()
}

// clientGone reports when the client closes its end of a hijacked
// connection (a read returns EOF or an error).
func clientGone(conn net.Conn) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := conn.Read(buf); err != nil {
				close(done)
				return
			}
		}
	}()
	return done
}

// resetConn closes with a TCP RST (SO_LINGER 0) instead of a clean FIN.
func resetConn(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	conn.Close()
}
