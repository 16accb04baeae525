package scenarios

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Malformed breaks the response body: truncated (the declared
// Content-Length is not sent in full, then the connection closes),
// invalid_json (a 200 whose body is not JSON), or wrong_length (the
// Content-Length promises extra_bytes more than are sent).
type Malformed struct {
	Mode       string `yaml:"mode"`
	ExtraBytes int    `yaml:"extra_bytes"`
}

func init() {
	Register(&FaultType{
		Name: "malformed", Primary: "mode", DefaultPhase: AfterCommit,
		Summary: "break the body: truncated, invalid_json (with a 200) or wrong_length (a lying Content-Length)",
		New:     func() Fault { return &Malformed{} },
	})
}

// Validate checks the mode.
func (m *Malformed) Validate() error {
	switch m.Mode {
	case "", "truncated", "invalid_json", "wrong_length":
	default:
		return errors.New("mode: want truncated, invalid_json or wrong_length")
	}
	if m.ExtraBytes < 0 {
		return errors.New("extra_bytes: want a positive number")
	}
	return nil
}

// Inject breaks the body.
func (m *Malformed) Inject(x *Exchange) {
	resp := x.response()
	mode := m.Mode
	if mode == "" {
		mode = "truncated"
	}
	x.Record("mode", mode)
	if mode == "invalid_json" {
		h := resp.Header.Clone()
		h.Set("Content-Type", "application/json")
		x.Response = &Response{Status: http.StatusOK, Header: h, Body: brokenJSON(resp.Body)}
		return
	}
	conn := x.hijack(OutcomeConnectionClosed)
	defer conn.Close()
	body := resp.Body
	declared := len(body)
	switch mode {
	case "truncated":
		body = body[:len(body)/2]
	case "wrong_length":
		extra := m.ExtraBytes
		if extra == 0 {
			extra = 64
		}
		declared += extra
	}
	x.Record("declared_length", declared)
	x.Record("sent_length", len(body))
	x.Take(OutcomeConnectionClosed)
	if _, err := conn.Write(append(x.rawHead(resp, declared), body...)); err != nil {
		x.Take(OutcomeClientClosed)
	}
}

// brokenJSON cuts a JSON body so that it no longer parses.
func brokenJSON(body []byte) []byte {
	if len(body) == 0 { // a body-less response (204): nothing to cut
		return []byte(`{"`)
	}
	cut := body[:max(1, len(body)*2/3)]
	if json.Valid(cut) {
		cut = append(append([]byte{}, cut...), `{"`...)
	}
	return cut
}
