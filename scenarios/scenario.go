package scenarios

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Scenario is a named set of rules.
type Scenario struct {
	Name        string
	Description string
	// Seed fixes the scenario's random draws (probabilities, latencies);
	// without one, the server's seed is used. Either way each tenant gets
	// its own stream, derived from the seed and its key.
	Seed   *uint64
	Rules  []*Rule
	Source string // the file it came from, "library" or "api"
}

// Rule says which requests it matches, which of them it hits, and with what.
type Rule struct {
	Name  string
	Match Match
	// Fault is injected into the matches the selection picks; or Steps
	// are injected into successive matches (nil = pass), once each unless
	// Repeat cycles them.
	Fault  *Injection
	Steps  []*Injection
	Repeat bool
	// Selection (at most one; none means every match).
	Nth         int
	Every       int
	Probability float64
	// Limit caps the number of hits (0: no cap).
	Limit int
	// Tenants restricts the rule to these API keys (empty: every tenant).
	Tenants []string
}

// Match is what a request must look like for a rule to apply; an empty
// field matches anything.
type Match struct {
	Method    string
	Path      string // a path (path.Match patterns allowed) or a template such as /v1/transfers/{id}
	Operation string // operationId
	Headers   map[string]string
	Query     map[string]string
	Body      map[string]any // JSON Pointer → value the body must hold there
	// Event is, for webhook rules, the event type (exact, "*", or a
	// "prefix.*" glob) whose deliveries the rule acts on.
	Event string
}

// IsWebhook reports whether a rule acts on webhook deliveries (its faults
// are webhook faults) rather than on requests.
func (r *Rule) IsWebhook() bool {
	if r.Fault != nil {
		return IsWebhookFault(r.Fault)
	}
	for _, s := range r.Steps {
		if s != nil {
			return IsWebhookFault(s)
		}
	}
	return r.Match.Event != ""
}

// MatchesEvent reports whether a webhook rule matches an event type.
func (m *Match) MatchesEvent(eventType string) bool {
	switch {
	case m.Event == "" || m.Event == "*":
		return true
	case strings.HasSuffix(m.Event, ".*"):
		return strings.HasPrefix(eventType, strings.TrimSuffix(m.Event, "*"))
	}
	return m.Event == eventType
}

// Request is what a rule is matched against.
type Request struct {
	Method    string
	Path      string
	Route     string // the matched path template
	Operation string
	Header    http.Header
	Query     url.Values
	Body      []byte
	Tenant    string // the API key

	decoded any
	parsed  bool
}

func (r *Request) body() any {
	if !r.parsed {
		r.parsed = true
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		dec.UseNumber()
		if err := dec.Decode(&r.decoded); err != nil {
			r.decoded = nil
		}
	}
	return r.decoded
}

// Matches reports whether the request satisfies every condition.
func (m *Match) Matches(r *Request) bool {
	if m.Method != "" && !strings.EqualFold(m.Method, r.Method) {
		return false
	}
	if m.Operation != "" && m.Operation != r.Operation {
		return false
	}
	if m.Path != "" && !matchPath(m.Path, r) {
		return false
	}
	for name, want := range m.Headers {
		if !matchValue(want, r.Header.Values(name)) {
			return false
		}
	}
	for name, want := range m.Query {
		if !matchValue(want, r.Query[name]) {
			return false
		}
	}
	for ptr, want := range m.Body {
		got, ok := resolvePointer(r.body(), ptr)
		if !ok || !sameJSON(got, want) {
			return false
		}
	}
	return true
}

// matchPath matches a template (/v1/transfers/{id}) against the route, or
// a glob against the path: * stands for one segment (or part of one), **
// for any number of segments (/v1/** is everything under /v1).
func matchPath(pattern string, r *Request) bool {
	if strings.Contains(pattern, "{") {
		return pattern == r.Route
	}
	return globMatch(strings.Split(strings.Trim(pattern, "/"), "/"), strings.Split(strings.Trim(r.Path, "/"), "/"))
}

func globMatch(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(segs); i++ {
				if globMatch(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// matchValue: "*" means present with any value; otherwise the first value
// must be equal.
func matchValue(want string, got []string) bool {
	if len(got) == 0 {
		return false
	}
	return want == "*" || got[0] == want
}

// resolvePointer follows an RFC 6901 JSON Pointer.
func resolvePointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// sameJSON compares two values as JSON (so 10 from YAML equals 10 from a body).
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(normalize(a))
	jb, err2 := json.Marshal(normalize(b))
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// normalize turns numbers into a canonical form and YAML's maps into JSON's.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float64:
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = normalize(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = normalize(val)
		}
		return out
	}
	return v
}
