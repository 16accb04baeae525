package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/sandbank/sandbank/openapi"
)

// Status replaces the response with any status, headers and body. The
// default body is an RFC 9457 problem fitting the status. retry_after adds
// a Retry-After header, in seconds or (retry_after_format: date) as an
// HTTP-date.
type Status struct {
	Code             int               `yaml:"code"`
	Headers          map[string]string `yaml:"headers"`
	Body             any               `yaml:"body"`
	RetryAfter       Duration          `yaml:"retry_after"`
	RetryAfterFormat string            `yaml:"retry_after_format"`
}

// statusProblems are the default problem codes and titles per status.
var statusProblems = map[int][2]string{
	http.StatusInternalServerError: {"internal_error", "Internal error"},
	http.StatusBadGateway:          {"bad_gateway", "Bad gateway"},
	http.StatusServiceUnavailable:  {"service_unavailable", "The service is temporarily unavailable"},
	http.StatusGatewayTimeout:      {"gateway_timeout", "Gateway timeout"},
	http.StatusTooManyRequests:     {"rate_limited", "Too many requests"},
	http.StatusRequestTimeout:      {"request_timeout", "Request timeout"},
	http.StatusConflict:            {"conflict", "Conflict"},
}

func init() {
	Register(&FaultType{
		Name: "status", Primary: "code", DefaultPhase: Before,
		Summary: "answer with a status, headers and an RFC 9457 body (default per status)",
		New:     func() Fault { return &Status{} },
	})
	for _, code := range []int{500, 502, 503, 504} {
		Register(&FaultType{
			Name: strconv.Itoa(code), Base: "status", Preset: map[string]any{"code": code}, DefaultPhase: Before,
			Summary: fmt.Sprintf("status %d with a problem body (a preset of status)", code),
			New:     func() Fault { return &Status{} },
		})
	}
}

// Validate checks the status and the Retry-After format.
func (s *Status) Validate() error {
	if s.Code < 100 || s.Code > 599 {
		return errors.New("code: want an HTTP status from 100 to 599")
	}
	return checkRetryAfterFormat(s.RetryAfterFormat)
}

func checkRetryAfterFormat(f string) error {
	if f != "" && f != "seconds" && f != "date" {
		return errors.New("retry_after_format: want seconds or date")
	}
	return nil
}

// Inject replaces the response.
func (s *Status) Inject(x *Exchange) {
	resp := &Response{Status: s.Code, Header: http.Header{}}
	switch b := s.Body.(type) {
	case nil:
		if s.Code >= 400 {
			resp.Header.Set("Content-Type", openapi.ProblemContentType)
			resp.Body = problemBody(x, s.Code, "")
		}
	case string:
		resp.Header.Set("Content-Type", "text/plain; charset=utf-8")
		resp.Body = []byte(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			raw = []byte(`{}`)
		}
		resp.Header.Set("Content-Type", "application/json")
		resp.Body = append(raw, '\n')
	}
	for k, v := range s.Headers {
		resp.Header.Set(k, v)
	}
	if s.RetryAfter > 0 {
		resp.Header.Set("Retry-After", retryAfter(x, s.RetryAfter.D(), s.RetryAfterFormat))
	}
	x.Record("status", s.Code)
	x.Response = resp
}

// problemBody is the default body of an injected error.
func problemBody(x *Exchange, status int, detail string) []byte {
	code, title := "injected_error", http.StatusText(status)
	if p, ok := statusProblems[status]; ok {
		code, title = p[0], p[1]
	}
	if detail == "" {
		detail = "sandbank injected this response (a fault from a scenario or a Sandbank-Fault header)"
	}
	p := &openapi.Problem{Title: title, Status: status, Code: code, Detail: detail, Instance: x.R.URL.Path,
		RequestID: x.Header.Get("Request-Id")}
	body, _ := p.MarshalJSON()
	return append(body, '\n')
}

// retryAfter renders a delay as delay-seconds (rounded up) or an HTTP-date
// (RFC 9110 §10.2.3).
// The value sent is recorded, so that a reader of the journal can tell
// when the client was allowed to retry.
func retryAfter(x *Exchange, d time.Duration, format string) string {
	v := strconv.Itoa(int(math.Ceil(d.Seconds())))
	if format == "date" {
		v = x.now().Add(d).UTC().Format(http.TimeFormat)
	}
	x.Record("retry_after_sent", v)
	return v
}
