package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// entry is a journal entry as GET /_sandbank/journal gives it.
type entry struct {
	ID             int64               `json:"id"`
	Kind           string              `json:"kind"`
	ArrivedAt      time.Time           `json:"arrived_at"`
	MonotonicNS    int64               `json:"monotonic_ns"`
	Method         string              `json:"method"`
	Path           string              `json:"path"`
	Query          string              `json:"query"`
	OperationID    string              `json:"operation_id"`
	Headers        map[string][]string `json:"headers"`
	BodySHA256     string              `json:"body_sha256"`
	IdempotencyKey string              `json:"idempotency_key"`
	Status         int                 `json:"status"`
	Outcome        string              `json:"outcome"`
	Replayed       bool                `json:"replayed"`
	ProblemCode    string              `json:"problem_code"`
	ResourceID     string              `json:"resource_id"`
	DurationUS     int64               `json:"duration_us"`
	Fault          *struct {
		Scenario string         `json:"scenario"`
		Rule     string         `json:"rule"`
		Type     string         `json:"type"`
		Phase    string         `json:"phase"`
		Params   map[string]any `json:"params"`
	} `json:"fault"`
	Webhook *struct {
		EventID   string `json:"event_id"`
		EventType string `json:"event_type"`
		Attempt   int    `json:"attempt"`
		Error     string `json:"error"`
	} `json:"webhook"`
}

func (e *entry) header(name string) string {
	return http.Header(e.Headers).Get(name)
}

// fromSuite tells the suite's own requests (and the admin API) apart from
// the client's.
func (e *entry) fromSuite() bool {
	return e.Kind == "request" && (strings.HasPrefix(e.header("User-Agent"), userAgent) || strings.HasPrefix(e.Path, "/_sandbank/"))
}

// attempts turns journal entries into the timeline of the client's traffic
// (and webhook deliveries), offsets counted from the first.
func attempts(entries []entry) []Attempt {
	var out []Attempt
	var origin time.Duration
	for _, e := range entries {
		if e.fromSuite() {
			continue
		}
		arrived := time.Duration(e.MonotonicNS)
		if len(out) == 0 {
			origin = arrived
		}
		a := Attempt{
			Kind: e.Kind, OffsetMS: (arrived - origin).Milliseconds(), DurationMS: e.DurationUS / 1000,
			Method: e.Method, Path: e.Path, Query: e.Query, OperationID: e.OperationID, Key: e.IdempotencyKey,
			BodySHA256: e.BodySHA256, ContentType: e.header("Content-Type"), Auth: e.header("Authorization"),
			Status: e.Status, Outcome: e.Outcome, Replayed: e.Replayed, Problem: e.ProblemCode, ResourceID: e.ResourceID,
			arrived: arrived, ended: arrived + time.Duration(e.DurationUS)*time.Microsecond,
			arrivedWall: e.ArrivedAt, endedWall: e.ArrivedAt.Add(time.Duration(e.DurationUS) * time.Microsecond),
		}
		if f := e.Fault; f != nil {
			a.Fault = f.Type
			if f.Phase != "" && f.Phase != "before" {
				a.Fault += " (" + f.Phase + ")"
			}
			if v, ok := f.Params["retry_after_sent"].(string); ok {
				a.retryAfter = v
			}
		}
		if w := e.Webhook; w != nil {
			a.EventID, a.EventType, a.Delivery = w.EventID, w.EventType, w.Attempt
		}
		out = append(out, a)
	}
	return out
}

// ofOperation keeps the client's requests to one operation.
func ofOperation(as []Attempt, operationID string) []Attempt {
	var out []Attempt
	for _, a := range as {
		if a.Kind == "request" && a.OperationID == operationID {
			out = append(out, a)
		}
	}
	return out
}

// deliveries keeps the webhook delivery attempts.
func deliveries(as []Attempt) []Attempt {
	var out []Attempt
	for _, a := range as {
		if a.Kind == "webhook" {
			out = append(out, a)
		}
	}
	return out
}

// gap is the time between the end of one attempt (its response, or the
// connection's end) and the arrival of the next.
func gap(prev, next Attempt) time.Duration { return next.arrived - prev.ended }

// gaps lists the gaps between successive attempts.
func gaps(as []Attempt) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(as); i++ {
		out = append(out, gap(as[i-1], as[i]))
	}
	return out
}

// answered reports whether an attempt got a complete response.
func (a Attempt) answered() bool { return a.Outcome == "completed" && a.Status > 0 }

// succeeded reports a 2xx answer.
func (a Attempt) succeeded() bool { return a.answered() && a.Status/100 == 2 }

// keys lists the distinct idempotency keys of attempts, in order ("" for none).
func keys(as []Attempt) []string {
	var out []string
	for _, a := range as {
		if !slices.Contains(out, a.Key) {
			out = append(out, a.Key)
		}
	}
	return out
}

func ms(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// parseRetryAfter reads a Retry-After value: the wait it asks for, given
// when the response was sent (wall clock).
func parseRetryAfter(v string, sent time.Time) (time.Duration, bool) {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(sent), true
	}
	return 0, false
}
