package scenarios

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/openapi"
)

// RateLimit answers 429 Too Many Requests with Retry-After (seconds or an
// HTTP-date) and the IETF RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers): a quota of limit per window,
// none remaining, reset in retry_after.
type RateLimit struct {
	RetryAfter       Duration `yaml:"retry_after"`
	RetryAfterFormat string   `yaml:"retry_after_format"`
	Limit            int      `yaml:"limit"`
	Window           Duration `yaml:"window"`
}

func init() {
	Register(&FaultType{
		Name: "rate_limit", Primary: "retry_after", DefaultPhase: Before,
		Summary: "answer 429 with Retry-After (seconds or HTTP-date) and RateLimit / RateLimit-Policy",
		New:     func() Fault { return &RateLimit{} },
	})
}

// Validate checks the parameters.
func (r *RateLimit) Validate() error {
	if r.Limit < 0 {
		return fmt.Errorf("limit: want a positive quota")
	}
	return checkRetryAfterFormat(r.RetryAfterFormat)
}

// Inject replaces the response with a 429.
func (r *RateLimit) Inject(x *Exchange) {
	wait := r.RetryAfter.D()
	if wait <= 0 {
		wait = time.Second
	}
	limit, window := r.Limit, r.Window.D()
	if limit == 0 {
		limit = 100
	}
	if window <= 0 {
		window = time.Minute
	}
	resp := &Response{Status: http.StatusTooManyRequests, Header: http.Header{}}
	resp.Header.Set("Content-Type", openapi.ProblemContentType)
	resp.Header.Set("Retry-After", retryAfter(x, wait, r.RetryAfterFormat))
	SetRateLimitFields(resp.Header, limit, window, 0, wait)
	resp.Body = problemBody(x, http.StatusTooManyRequests, fmt.Sprintf("rate limit exceeded: retry after %s", wait))
	x.Record("retry_after", resp.Header.Get("Retry-After"))
	x.Response = resp
}

// SetRateLimitFields writes RateLimit-Policy ("default";q=limit;w=window)
// and RateLimit ("default";r=remaining;t=reset) in whole seconds.
func SetRateLimitFields(h http.Header, limit int, window time.Duration, remaining int, reset time.Duration) {
	h.Set("RateLimit-Policy", fmt.Sprintf(`"default";q=%d;w=%d`, limit, int(math.Ceil(window.Seconds()))))
	h.Set("RateLimit", fmt.Sprintf(`"default";r=%d;t=%d`, remaining, int(math.Ceil(reset.Seconds()))))
}
