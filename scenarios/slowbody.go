package scenarios

import (
	"errors"
	"time"
)

// SlowBody dribbles the response at bytes_per_second: the headers (with
// the true Content-Length) at once, then the body a little at a time. A
// body slower than the server's hang cap is cut off there.
type SlowBody struct {
	BytesPerSecond int `yaml:"bytes_per_second"`
}

func init() {
	Register(&FaultType{
		Name: "slow_body", Primary: "bytes_per_second", DefaultPhase: AfterCommit,
		Summary: "send the response body at N bytes per second",
		New:     func() Fault { return &SlowBody{} },
	})
}

// Phases: the body exists only once the operation has run.
func (*SlowBody) Phases() []Phase { return []Phase{AfterCommit} }

// Validate checks the rate.
func (s *SlowBody) Validate() error {
	if s.BytesPerSecond < 0 || s.BytesPerSecond > 10<<20 {
		return errors.New("bytes_per_second: want 1 to 10485760")
	}
	return nil
}

// tick is how often a slow body sends a piece.
const tick = 50 * time.Millisecond

// Inject sends the response slowly.
func (s *SlowBody) Inject(x *Exchange) {
	rate := s.BytesPerSecond
	if rate == 0 {
		rate = 100
	}
	resp := x.response()
	conn := x.hijack(OutcomeClientClosed)
	defer conn.Close()
	x.Record("bytes_per_second", rate)
	if _, err := conn.Write(x.rawHead(resp, len(resp.Body))); err != nil {
		x.Take(OutcomeClientClosed)
		return
	}
	start := time.Now()
	sent := 0
	for sent < len(resp.Body) {
		if x.MaxHang > 0 && time.Since(start) > x.MaxHang {
			x.Record("sent_bytes", sent)
			x.Take(OutcomeHung)
			return
		}
		// Send what the rate allows by now, then sleep a tick.
		due := min(len(resp.Body), int(time.Since(start).Seconds()*float64(rate))+1)
		if due > sent {
			if _, err := conn.Write(resp.Body[sent:due]); err != nil {
				x.Record("sent_bytes", sent)
				x.Take(OutcomeClientClosed)
				return
			}
			sent = due
		}
		if sent < len(resp.Body) {
			time.Sleep(min(tick, time.Duration(float64(time.Second)/float64(rate))))
		}
	}
	x.Record("sent_bytes", sent)
	x.Take(OutcomeCompleted)
}
