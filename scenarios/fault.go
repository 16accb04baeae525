// Package scenarios is sandbank's fault engine and scenario language. A
// fault is one way an exchange can fail — latency, a hang, a reset, a 503,
// a 429, a malformed body, a duplicated operation — each a small type
// registered by name, as Toxiproxy's toxics are. A scenario (YAML) is a
// list of rules: which requests a rule matches (method, path template,
// operationId, headers, query, JSON pointers into the body), which of the
// matching requests it hits (the nth, every nth, a seeded probability, a
// sequence of steps), and the fault it injects, before the operation is
// applied or after it is committed. The package knows nothing of tenants,
// handlers or the bank: the simulator asks it what to do with a request
// and applies the answer at the two points of its pipeline.
package scenarios

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Phase says when a fault acts. Before: the operation is not applied.
// InFlight: the request's Idempotency-Key is claimed and the operation has
// not run yet, so a retry with the same key meets 409 (only latency acts
// here; the operation then runs, whether the client waited or not).
// AfterCommit: the operation is applied and stored (its idempotency
// record included), and then the response is delayed, lost or replaced —
// the ambiguous failure idempotency keys exist for.
type Phase string

const (
	Before      Phase = "before"
	InFlight    Phase = "in_flight"
	AfterCommit Phase = "after_commit"
)

// Fault is one way an exchange fails. Inject applies it: it may wait,
// replace x.Response, or take the connection over (x.Take) to write
// something broken or nothing at all.
type Fault interface {
	Inject(x *Exchange)
}

// PhaseLimiter is implemented by faults that only make sense in some phases.
type PhaseLimiter interface {
	Phases() []Phase
}

// Validator is implemented by faults whose parameters need checking beyond
// their types; the error names the parameter.
type Validator interface {
	Validate() error
}

// Duplicator is implemented by the duplicate fault: the simulator applies
// the operation Copies() times, as a provider without idempotency would.
type Duplicator interface {
	Copies() int
}

// Response is a response as the simulator would send it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Outcomes a fault can give an exchange (the journal's vocabulary).
const (
	OutcomeCompleted        = "completed"
	OutcomeClientClosed     = "client_closed"
	OutcomeConnectionReset  = "connection_reset"
	OutcomeConnectionClosed = "connection_closed"
	OutcomeHung             = "hung"
)

// Exchange is one request/response at the moment a fault acts on it.
type Exchange struct {
	W     http.ResponseWriter
	R     *http.Request
	Phase Phase
	// Response is what the server will send: nil before the handler ran,
	// the committed response after it. Faults may replace it.
	Response *Response
	// Header holds headers every response carries (Request-Id), which
	// faults that write raw responses must include.
	Header http.Header
	// MaxHang caps every wait a fault makes, so that no hang holds server
	// resources forever.
	MaxHang time.Duration
	// Rand is the rule's seeded random stream.
	Rand *rand.Rand
	// Now is the wall clock (Retry-After dates).
	Now func() time.Time
	// Params records what was injected, for the journal.
	Params map[string]any

	taken   bool
	outcome string
}

// Taken reports whether a fault wrote (or destroyed) the response itself.
func (x *Exchange) Taken() bool { return x.taken }

// Outcome is how the exchange ended for the client, when a fault took it.
func (x *Exchange) Outcome() string { return x.outcome }

// Take marks the response as handled by the fault, with its outcome.
func (x *Exchange) Take(outcome string) {
	x.taken = true
	x.outcome = outcome
}

// Record notes a parameter of what was injected.
func (x *Exchange) Record(key string, value any) {
	if x.Params == nil {
		x.Params = map[string]any{}
	}
	x.Params[key] = value
}

// Wait sleeps for d, capped by MaxHang, or until the client gives up. It
// reports whether the whole wait elapsed (false: the client went away).
func (x *Exchange) Wait(d time.Duration) bool {
	d = x.capped(d)
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.R.Context().Done():
		return false
	}
}

// Pause waits d (within the server's cap) whatever the client does.
func (x *Exchange) Pause(d time.Duration) {
	if d = x.capped(d); d > 0 {
		time.Sleep(d)
	}
}

// capped is d within the server's cap on waits.
func (x *Exchange) capped(d time.Duration) time.Duration {
	if x.MaxHang > 0 && d > x.MaxHang {
		return x.MaxHang
	}
	return d
}

// hijack takes the raw connection. Faults that break the protocol itself
// (a reset, a lying Content-Length) cannot go through http.ResponseWriter.
// When the connection cannot be taken, the exchange ends there without a
// response, with the fault's outcome (the handler is aborted).
func (x *Exchange) hijack(outcome string) net.Conn {
	if hj, ok := x.W.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			return conn
		}
	}
	x.Take(outcome)
	panic(http.ErrAbortHandler)
}

// response returns the response to break: the committed one, or a plausible
// success when the fault acts before the handler.
func (x *Exchange) response() *Response {
	if x.Response != nil {
		return x.Response
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	body := []byte(`{"id":"unknown","object":"unknown","status":"processing"}` + "\n")
	return &Response{Status: http.StatusOK, Header: h, Body: body}
}

// rawHead renders a status line and headers for a hijacked connection.
// contentLength < 0 leaves Content-Length out.
func (x *Exchange) rawHead(resp *Response, contentLength int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", resp.Status, http.StatusText(resp.Status))
	h := http.Header{}
	for k, v := range resp.Header {
		h[k] = v
	}
	for k, v := range x.Header {
		h[k] = v
	}
	h.Del("Content-Length")
	h.Set("Date", x.now().UTC().Format(http.TimeFormat))
	h.Set("Connection", "close")
	if contentLength >= 0 {
		h.Set("Content-Length", strconv.Itoa(contentLength))
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

func (x *Exchange) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}
