package webhooks

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Endpoint statuses.
const (
	StatusEnabled  = "enabled"
	StatusDisabled = "disabled"
)

// Bounds.
const (
	// MaxURLLength bounds an endpoint's URL.
	MaxURLLength = 2048
	// MaxEndpoints bounds a tenant's endpoints.
	MaxEndpoints = 100
	// MaxEnabledEvents bounds an endpoint's filters.
	MaxEnabledEvents = 100
	// MaxAttemptsPerEndpoint bounds the delivery log kept per endpoint:
	// the oldest attempts go first.
	MaxAttemptsPerEndpoint = 1000
	// maxPreviousSecrets bounds how many rotated-out secrets stay valid.
	maxPreviousSecrets = 5
)

// Endpoint is a URL a tenant registered to receive its events.
type Endpoint struct {
	Seq             uint64
	ID              string
	URL             string
	Description     string
	EnabledEvents   []string // "*", exact types, or "prefix.*"
	Status          string   // StatusEnabled or StatusDisabled
	DisabledReason  string
	SignatureScheme string // SchemeStandard or SchemeStripe
	// Secret signs deliveries; Previous secrets still sign them (a second
	// signature) until they expire, after a rotation.
	Secret   string
	Previous []PreviousSecret
	// CreatedAt and UpdatedAt are the tenant's virtual time.
	CreatedAt time.Time
	UpdatedAt time.Time
	Metadata  map[string]string
}

// PreviousSecret is a rotated-out secret, valid until Expires (wall clock).
type PreviousSecret struct {
	Secret  string
	Expires time.Time
}

// Subscribed reports whether the endpoint wants events of this type.
func (e *Endpoint) Subscribed(eventType string) bool {
	return MatchesEvent(e.EnabledEvents, eventType)
}

// Secrets are the secrets that sign a delivery at wall time now: the
// current one first, then previous ones not yet expired.
func (e *Endpoint) Secrets(now time.Time) []string {
	out := []string{e.Secret}
	for _, p := range e.Previous {
		if now.Before(p.Expires) {
			out = append(out, p.Secret)
		}
	}
	return out
}

// PreviousValidUntil is when the last still-valid previous secret expires
// (zero when none is valid at now).
func (e *Endpoint) PreviousValidUntil(now time.Time) time.Time {
	var last time.Time
	for _, p := range e.Previous {
		if now.Before(p.Expires) && p.Expires.After(last) {
			last = p.Expires
		}
	}
	return last
}

func (e *Endpoint) clone() Endpoint {
	c := *e
	c.EnabledEvents = slices.Clone(e.EnabledEvents)
	c.Previous = slices.Clone(e.Previous)
	c.Metadata = maps.Clone(e.Metadata)
	return c
}

// Error is a refused store operation: a field that is not valid (Field is
// its JSON Pointer), a missing endpoint (NotFound) or a limit.
type Error struct {
	Code     string
	Field    string
	Message  string
	NotFound bool
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Code + ": " + e.Field + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

func notFound(id string) *Error {
	return &Error{Code: "resource_missing", NotFound: true, Message: "no such webhook endpoint: " + id}
}

// CheckURL validates an endpoint URL: absolute http or https with a host,
// at most MaxURLLength characters, without credentials or a fragment.
// Deliveries go wherever the tenant points them (a sandbox delivers to
// localhost happily), so the scheme is the only restriction on where.
func CheckURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("is required")
	}
	if len(raw) > MaxURLLength {
		return fmt.Errorf("has %d characters; at most %d are accepted", len(raw), MaxURLLength)
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return fmt.Errorf("contains white space")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("is not a URL: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return fmt.Errorf("is not absolute: start it with https:// or http://")
	default:
		return fmt.Errorf("has the scheme %q; webhooks are delivered over http or https only", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("has no host: write it as https://host[:port]/path")
	}
	if u.User != nil {
		return fmt.Errorf("carries credentials (user:password@); authenticate deliveries with the signature instead")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("has a fragment (#…), which is never sent")
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil || p == "0" {
			return fmt.Errorf("has an invalid port %q", p)
		}
	}
	return nil
}

// EndpointInput creates an endpoint.
type EndpointInput struct {
	URL             string
	Description     string
	EnabledEvents   []string
	SignatureScheme string // "" is SchemeStandard
	Metadata        map[string]string
}

// EndpointUpdate changes an endpoint; nil fields keep their value.
type EndpointUpdate struct {
	URL             *string
	Description     *string
	EnabledEvents   []string
	SignatureScheme *string
	Status          *string
	Metadata        map[string]string
}

func checkEvents(events []string) *Error {
	if len(events) == 0 {
		return &Error{Code: "validation_failed", Field: "/enabled_events", Message: "list at least one event type, a prefix (\"transfer.*\") or \"*\""}
	}
	if len(events) > MaxEnabledEvents {
		return &Error{Code: "validation_failed", Field: "/enabled_events", Message: fmt.Sprintf("at most %d entries", MaxEnabledEvents)}
	}
	for i, f := range events {
		if err := CheckEventFilter(f); err != nil {
			return &Error{Code: "invalid_event_type", Field: fmt.Sprintf("/enabled_events/%d", i), Message: err.Error()}
		}
	}
	return nil
}

func checkScheme(s string) *Error {
	if s != SchemeStandard && s != SchemeStripe {
		return &Error{Code: "validation_failed", Field: "/signature_scheme", Message: fmt.Sprintf("%q: want %s or %s", s, SchemeStandard, SchemeStripe)}
	}
	return nil
}

func checkURLField(raw string) *Error {
	if err := CheckURL(raw); err != nil {
		return &Error{Code: "invalid_url", Field: "/url", Message: "the URL " + err.Error()}
	}
	return nil
}

// Store is one tenant's webhook endpoints and their delivery log. It has
// its own lock: the dispatcher reads and records without the tenant's.
type Store struct {
	mu         sync.Mutex
	gen        uint64 // bumped by Reset: work queued before it is dropped
	seq        uint64
	endpoints  map[string]*Endpoint
	order      []*Endpoint // by Seq
	attempts   map[string][]*Attempt
	deliveries uint64
	planner    Planner
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{endpoints: map[string]*Endpoint{}, attempts: map[string][]*Attempt{}}
}

// SetPlanner installs the tenant's webhook fault planner (the scenario
// engine): Enqueue asks it for the plan of every delivery that does not
// carry one. It survives Reset.
func (s *Store) SetPlanner(p Planner) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.planner = p
}

// Reset forgets every endpoint and attempt; deliveries queued or waiting
// to retry are dropped.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.endpoints, s.order, s.attempts = map[string]*Endpoint{}, nil, map[string][]*Attempt{}
	s.deliveries = 0
}

// Create registers an endpoint with a new secret drawn from r. now is the
// tenant's virtual time.
func (s *Store) Create(in EndpointInput, now time.Time, r Rand) (Endpoint, error) {
	if in.SignatureScheme == "" {
		in.SignatureScheme = SchemeStandard
	}
	if err := checkURLField(in.URL); err != nil {
		return Endpoint{}, err
	}
	if err := checkEvents(in.EnabledEvents); err != nil {
		return Endpoint{}, err
	}
	if err := checkScheme(in.SignatureScheme); err != nil {
		return Endpoint{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.endpoints) >= MaxEndpoints {
		return Endpoint{}, &Error{Code: "too_many_endpoints", Message: fmt.Sprintf("a tenant has at most %d webhook endpoints; delete one first", MaxEndpoints)}
	}
	id := newID(r, "we")
	for s.endpoints[id] != nil { // a clash is all but impossible; never overwrite
		id = newID(r, "we")
	}
	s.seq++
	e := &Endpoint{
		Seq: s.seq, ID: id, URL: in.URL, Description: in.Description,
		EnabledEvents: slices.Clone(in.EnabledEvents), Status: StatusEnabled, SignatureScheme: in.SignatureScheme,
		Secret: NewSecret(r), CreatedAt: now, UpdatedAt: now, Metadata: maps.Clone(in.Metadata),
	}
	s.endpoints[e.ID] = e
	s.order = append(s.order, e)
	return e.clone(), nil
}

// Get returns a copy of an endpoint.
func (s *Store) Get(id string) (Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok {
		return Endpoint{}, notFound(id)
	}
	return e.clone(), nil
}

// List returns endpoints newest first below the sequence number before
// (0: from the newest), at most limit, and the before of the next page
// (0: none).
func (s *Store) List(before uint64, limit int) ([]Endpoint, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Endpoint
	for i := len(s.order) - 1; i >= 0; i-- {
		e := s.order[i]
		if before > 0 && e.Seq >= before {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].Seq
		}
		out = append(out, e.clone())
	}
	return out, 0
}

// Len is the number of endpoints.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.endpoints)
}

// Subscribers returns the enabled endpoints that want an event type,
// oldest first.
func (s *Store) Subscribers(eventType string) []Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Endpoint
	for _, e := range s.order {
		if e.Status == StatusEnabled && e.Subscribed(eventType) {
			out = append(out, e.clone())
		}
	}
	return out
}

// Update changes an endpoint. Re-enabling a disabled endpoint clears its
// reason. now is the tenant's virtual time.
func (s *Store) Update(id string, up EndpointUpdate, now time.Time) (Endpoint, error) {
	if up.URL != nil {
		if err := checkURLField(*up.URL); err != nil {
			return Endpoint{}, err
		}
	}
	if up.EnabledEvents != nil {
		if err := checkEvents(up.EnabledEvents); err != nil {
			return Endpoint{}, err
		}
	}
	if up.SignatureScheme != nil {
		if err := checkScheme(*up.SignatureScheme); err != nil {
			return Endpoint{}, err
		}
	}
	if up.Status != nil && *up.Status != StatusEnabled && *up.Status != StatusDisabled {
		return Endpoint{}, &Error{Code: "validation_failed", Field: "/status", Message: fmt.Sprintf("%q: want enabled or disabled", *up.Status)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok {
		return Endpoint{}, notFound(id)
	}
	if up.URL != nil {
		e.URL = *up.URL
	}
	if up.Description != nil {
		e.Description = *up.Description
	}
	if up.EnabledEvents != nil {
		e.EnabledEvents = slices.Clone(up.EnabledEvents)
	}
	if up.SignatureScheme != nil {
		e.SignatureScheme = *up.SignatureScheme
	}
	if up.Metadata != nil {
		e.Metadata = maps.Clone(up.Metadata)
	}
	if up.Status != nil && *up.Status != e.Status {
		e.Status = *up.Status
		if e.Status == StatusEnabled {
			e.DisabledReason = ""
		} else {
			e.DisabledReason = "disabled through the API"
		}
	}
	e.UpdatedAt = now
	return e.clone(), nil
}

// Delete removes an endpoint and its delivery log; its pending deliveries
// are dropped.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok {
		return notFound(id)
	}
	delete(s.endpoints, id)
	delete(s.attempts, id)
	s.order = slices.DeleteFunc(s.order, func(x *Endpoint) bool { return x == e })
	return nil
}

// Rotate gives an endpoint a new secret drawn from r. The current one
// keeps signing (as a second signature) until wall+keepPrevious; 0 retires
// it at once. now is the tenant's virtual time.
func (s *Store) Rotate(id string, keepPrevious time.Duration, wall, now time.Time, r Rand) (Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok {
		return Endpoint{}, notFound(id)
	}
	var kept []PreviousSecret
	for _, p := range e.Previous {
		if wall.Before(p.Expires) {
			kept = append(kept, p)
		}
	}
	if keepPrevious > 0 {
		kept = append(kept, PreviousSecret{Secret: e.Secret, Expires: wall.Add(keepPrevious)})
	}
	if len(kept) > maxPreviousSecrets {
		kept = kept[len(kept)-maxPreviousSecrets:]
	}
	e.Previous = kept
	e.Secret = NewSecret(r)
	e.UpdatedAt = now
	return e.clone(), nil
}

// Attempts returns an endpoint's delivery attempts newest first, below the
// sequence number before (0: from the newest), at most limit, and the
// before of the next page (0: none).
func (s *Store) Attempts(endpointID string, before uint64, limit int) ([]Attempt, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.endpoints[endpointID]; !ok {
		return nil, 0, notFound(endpointID)
	}
	list := s.attempts[endpointID]
	var out []Attempt
	for i := len(list) - 1; i >= 0; i-- {
		a := list[i]
		if before > 0 && a.Seq >= before {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].Seq, nil
		}
		out = append(out, a.clone())
	}
	return out, 0, nil
}

// live returns the endpoint a queued delivery goes to, if it still should:
// the store was not reset since, and the endpoint exists and is enabled.
func (s *Store) live(id string, gen uint64) (Endpoint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[id]
	if !ok || gen != s.gen || e.Status != StatusEnabled {
		return Endpoint{}, false
	}
	return e.clone(), true
}

// generation is the store's current generation and a new delivery id.
func (s *Store) newDelivery(endpointID, eventID string) (gen uint64, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries++
	return s.gen, deliveryID(endpointID, eventID, s.deliveries)
}

// record appends an attempt to its endpoint's log (unless the store was
// reset or the endpoint deleted since); on 410 Gone it also disables the
// endpoint. It reports whether the attempt was recorded.
func (s *Store) record(a *Attempt, gen uint64, disableReason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[a.EndpointID]
	if !ok || gen != s.gen {
		return false
	}
	s.seq++
	a.Seq = s.seq
	list := append(s.attempts[a.EndpointID], a)
	if len(list) > MaxAttemptsPerEndpoint {
		list = slices.Clone(list[len(list)-MaxAttemptsPerEndpoint:])
	}
	s.attempts[a.EndpointID] = list
	if disableReason != "" && e.Status == StatusEnabled {
		e.Status, e.DisabledReason = StatusDisabled, disableReason
	}
	return true
}

func (s *Store) plannerFor() Planner {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.planner
}
