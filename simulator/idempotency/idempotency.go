// Package idempotency implements the Idempotency-Key layer of one tenant:
// the first request with a key runs and its response is stored; a retry
// with the same key and payload gets the stored response; the same key with
// another payload, or while the first request still runs, is refused. Keys
// expire after a time-to-live on the tenant's virtual clock. It follows
// draft-ietf-httpapi-idempotency-key-header, with Stripe's behaviour as a
// profile the caller chooses when it renders the refusals.
package idempotency

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxKeyLength is the longest key accepted (Stripe's limit).
const MaxKeyLength = 255

// DefaultTTL is how long a key is remembered, in virtual time.
const DefaultTTL = 24 * time.Hour

// ParseKey accepts the header as a bare token (what most SDKs send) or as
// an RFC 8941 sf-string (what the IETF draft specifies) and returns the key.
func ParseKey(header string) (string, error) {
	v := strings.TrimSpace(header)
	if strings.HasPrefix(v, `"`) {
		if len(v) < 2 || !strings.HasSuffix(v, `"`) {
			return "", errors.New("a quoted Idempotency-Key must end with a double quote")
		}
		inner := v[1 : len(v)-1]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			c := inner[i]
			switch {
			case c == '\\':
				if i+1 == len(inner) || (inner[i+1] != '"' && inner[i+1] != '\\') {
					return "", errors.New(`in a quoted Idempotency-Key only \" and \\ may be escaped`)
				}
				i++
				b.WriteByte(inner[i])
			case c == '"':
				return "", errors.New("an unescaped double quote inside a quoted Idempotency-Key")
			case c < 0x20 || c > 0x7e:
				return "", errors.New("an Idempotency-Key may hold only printable ASCII")
			default:
				b.WriteByte(c)
			}
		}
		v = b.String()
	} else {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c <= 0x20 || c > 0x7e || c == '"' || c == ',' || c == ';' {
				return "", fmt.Errorf("character %q is not allowed in a bare Idempotency-Key; quote the key (RFC 8941) or use a UUID", c)
			}
		}
	}
	if v == "" {
		return "", errors.New("the Idempotency-Key is empty")
	}
	if len(v) > MaxKeyLength {
		return "", fmt.Errorf("the Idempotency-Key has %d characters; at most %d are allowed", len(v), MaxKeyLength)
	}
	return v, nil
}

// Fingerprint identifies a request's payload: the operation and its body.
type Fingerprint [32]byte

// FingerprintOf hashes a method, a path and a canonical form of the body
// (so that key order and whitespace in JSON do not matter).
func FingerprintOf(method, path string, canonicalBody []byte) Fingerprint {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(canonicalBody)
	var fp Fingerprint
	copy(fp[:], h.Sum(nil))
	return fp
}

// Response is a stored response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Outcome of Begin.
type Outcome int

const (
	// Proceed: the key is new; run the request, then Complete or Abort.
	Proceed Outcome = iota
	// Replay: the key was used with the same payload; Record.Response holds the answer.
	Replay
	// Mismatch: the key was used with a different payload.
	Mismatch
	// InFlight: the first request with this key is still running.
	InFlight
)

// Record is what the store remembers of a key.
type Record struct {
	Key         string
	Fingerprint Fingerprint
	Method      string
	Path        string
	CreatedAt   time.Time // virtual
	Response    *Response // nil while in flight
	ResourceID  string
}

// Store holds one tenant's keys.
type Store struct {
	mu      sync.Mutex
	records map[string]*Record
	order   []*Record // by CreatedAt, for expiry and eviction
	ttl     time.Duration
	max     int
}

// NewStore returns a store that forgets keys after ttl and holds at most
// max of them (evicting the oldest completed ones first).
func NewStore(ttl time.Duration, max int) *Store {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Store{records: map[string]*Record{}, ttl: ttl, max: max}
}

// TTL is how long keys are kept.
func (s *Store) TTL() time.Duration { return s.ttl }

// Begin looks a key up at virtual time now. On Proceed the key is reserved
// (in flight) and the caller must Complete or Abort it.
func (s *Store) Begin(key string, fp Fingerprint, method, path string, now time.Time) (*Record, Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if r, ok := s.records[key]; ok {
		switch {
		case r.Fingerprint != fp:
			return r, Mismatch
		case r.Response == nil:
			return r, InFlight
		default:
			return r, Replay
		}
	}
	r := &Record{Key: key, Fingerprint: fp, Method: method, Path: path, CreatedAt: now}
	s.records[key] = r
	s.order = append(s.order, r)
	s.evict()
	return r, Proceed
}

// Complete stores the response of a request that was allowed to proceed.
func (s *Store) Complete(r *Record, resp Response, resourceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Response = &resp
	r.ResourceID = resourceID
}

// Abort forgets a key whose request produced nothing worth replaying (the
// server failed before the operation ran), so that a retry can run.
func (s *Store) Abort(r *Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records[r.Key] == r {
		delete(s.records, r.Key)
	}
}

// Reset forgets every key. A request still in flight completes into
// nothing: its key is free for the next request.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = map[string]*Record{}
	s.order = nil
}

// Len is the number of keys held.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// expire drops completed keys older than the TTL; order is by creation
// time, which the virtual clock keeps monotonic. A key still in flight
// never expires under its own request, but it does not hold back the
// expiry of the keys created after it either.
func (s *Store) expire(now time.Time) {
	kept := s.order[:0]
	for i, r := range s.order {
		if s.records[r.Key] == r && r.Response != nil && now.Sub(r.CreatedAt) < s.ttl {
			kept = append(kept, s.order[i:]...) // this one and all later ones are fresh
			break
		}
		switch {
		case s.records[r.Key] != r: // aborted or replaced: drop from the order
		case r.Response == nil: // in flight: keep
			kept = append(kept, r)
		default: // completed and expired
			delete(s.records, r.Key)
		}
	}
	clear(s.order[len(kept):]) // let dropped records be collected
	s.order = kept
}

// evict keeps the store within its bound by dropping the oldest completed keys.
func (s *Store) evict() {
	if s.max <= 0 || len(s.records) <= s.max {
		return
	}
	kept := s.order[:0]
	for _, r := range s.order {
		if s.records[r.Key] != r {
			continue
		}
		if len(s.records) > s.max && r.Response != nil {
			delete(s.records, r.Key)
			continue
		}
		kept = append(kept, r)
	}
	s.order = kept
}
