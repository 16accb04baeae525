// Package journal records, per tenant, every request sandbank received and
// what became of it: arrival (wall and monotonic), method, path, masked
// headers, body hash, idempotency key, connection, status, replay, the
// fault injected, duration. It is a bounded ring: the oldest entries go
// first. The conformance suite and the admin API read it; nothing in it is
// ever used to decide a response.
package journal

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Outcomes of a request, as the client experienced it.
const (
	InFlight         = "in_flight"
	Completed        = "completed"
	ClientClosed     = "client_closed"
	ConnectionReset  = "connection_reset"
	ConnectionClosed = "connection_closed"
	Hung             = "hung"
)

// Kinds of entries: a request the tenant's client sent, or a webhook
// delivery attempt sandbank made to the tenant's endpoint.
const (
	KindRequest = "request"
	KindWebhook = "webhook"
)

// Entry is one request (or one webhook delivery attempt).
type Entry struct {
	ID             int64
	Kind           string // KindRequest (default) or KindWebhook
	RequestID      string
	ConnectionID   string
	ArrivedAt      time.Time     // wall clock
	Monotonic      time.Duration // since the server started
	VirtualTime    time.Time
	Method         string
	Path           string
	Query          string
	Route          string
	OperationID    string
	Headers        http.Header // secrets masked
	BodySHA256     string
	BodyBytes      int
	IdempotencyKey string
	Status         int
	Outcome        string
	Replayed       bool
	ProblemCode    string
	ResourceID     string
	Duration       time.Duration
	Fault          *Fault
	Webhook        *WebhookAttempt // for KindWebhook
}

// WebhookAttempt describes one delivery attempt of an event to an endpoint.
type WebhookAttempt struct {
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
	Attempt    int    `json:"attempt"`
	Error      string `json:"error,omitempty"`
}

// Fault describes what sandbank injected into a request.
type Fault struct {
	Scenario string         `json:"scenario,omitempty"`
	Rule     string         `json:"rule,omitempty"`
	Type     string         `json:"type"`
	Phase    string         `json:"phase"`
	Params   map[string]any `json:"params"`
}

// Journal is one tenant's bounded request log.
type Journal struct {
	mu      sync.Mutex
	ring    []*Entry
	head    int // index of the oldest entry
	nextID  int64
	maxSize int
}

// New returns a journal keeping at most capacity entries.
func New(capacity int) *Journal {
	if capacity < 1 {
		capacity = 1
	}
	return &Journal{ring: make([]*Entry, 0, min(capacity, 1024)), maxSize: capacity, nextID: 1}
}

// Begin appends an entry (in arrival order) and assigns its ID. The entry
// is then owned by the journal: change it only through Update.
func (j *Journal) Begin(e *Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.append(e)
}

func (j *Journal) append(e *Entry) {
	e.ID = j.nextID
	j.nextID++
	if e.Kind == "" {
		e.Kind = KindRequest
	}
	if e.Outcome == "" {
		e.Outcome = InFlight
	}
	if len(j.ring) < j.maxSize { // still growing: the ring is a plain slice
		j.ring = append(j.ring, e)
		return
	}
	j.ring[j.head] = e
	j.head = (j.head + 1) % len(j.ring)
}

// Update changes an entry under the journal's lock.
func (j *Journal) Update(e *Entry, change func(*Entry)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	change(e)
}

// Reset forgets every entry; keep (if not nil) stays, as entry 1.
func (j *Journal) Reset(keep *Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring = j.ring[:0]
	j.head, j.nextID = 0, 1
	if keep != nil {
		j.append(keep)
	}
}

// Len is the number of entries held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.ring)
}

// Filter narrows a query. Path matches the request path or its template.
type Filter struct {
	Method, Path, IdempotencyKey, Kind string
	Since                              time.Time
}

func (f Filter) match(e *Entry) bool {
	return (f.Kind == "" || e.Kind == f.Kind) && (f.Method == "" || strings.EqualFold(e.Method, f.Method)) &&
		(f.Path == "" || e.Path == f.Path || e.Route == f.Path) &&
		(f.IdempotencyKey == "" || e.IdempotencyKey == f.IdempotencyKey) &&
		(f.Since.IsZero() || !e.ArrivedAt.Before(f.Since))
}

// Query returns copies of matching entries with ID > after, oldest first,
// at most limit of them, and whether more match.
func (j *Journal) Query(f Filter, after int64, limit int) ([]Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for i := range len(j.ring) {
		e := j.ring[(j.head+i)%len(j.ring)]
		if e.ID <= after || !f.match(e) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, *e)
	}
	return out, false
}

// All returns copies of every entry, oldest first.
func (j *Journal) All() []Entry {
	out, _ := j.Query(Filter{}, 0, j.maxSize+1)
	return out
}

// secretHeaders are masked in the journal; any header whose name contains
// one of these words is masked too.
var secretWords = []string{"authorization", "cookie", "secret", "token", "api-key", "apikey", "signature", "password"}

// MaskHeaders copies headers with secrets masked: a credential keeps its
// scheme, its prefix (sk_test_, at_) and its last four characters.
func MaskHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for name, values := range h {
		lower := strings.ToLower(name)
		secret := false
		for _, w := range secretWords {
			if strings.Contains(lower, w) {
				secret = true
				break
			}
		}
		vs := make([]string, len(values))
		for i, v := range values {
			if secret {
				v = MaskCredential(v)
			}
			vs[i] = v
		}
		out[name] = vs
	}
	return out
}

// MaskCredential hides all but the scheme, a known prefix and the last four
// characters of a credential.
func MaskCredential(v string) string {
	scheme := ""
	if i := strings.IndexByte(v, ' '); i > 0 {
		scheme, v = v[:i+1], v[i+1:]
	}
	prefix := ""
	for _, p := range []string{"sk_test_", "at_", "whsec_", "ci_test_"} {
		if strings.HasPrefix(v, p) {
			prefix, v = p, v[len(p):]
			break
		}
	}
	if len(v) < 12 { // too short to show any of it safely
		return scheme + prefix + strings.Repeat("*", len(v))
	}
	return scheme + prefix + strings.Repeat("*", min(len(v)-4, 12)) + v[len(v)-4:]
}
