// Package events is a tenant's event log: every state change of every
// resource — a transfer settling, a payment succeeding, a boleto going
// overdue — is one event carrying the resource as the API showed it at
// that moment. The domain packages emit events through an Emitter without
// knowing how resources are rendered; the simulator renders them and
// appends them here, and the webhook dispatcher delivers them.
package events

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"
)

// Emitter is how a domain reports a state change: the event type (for
// example "transfer.settled") and the resource in its new state.
type Emitter func(eventType string, resource any)

// Nop is an Emitter that drops events (for domains built without one).
func Nop(string, any) {}

// Event is one state change.
type Event struct {
	Seq        uint64
	ID         string
	Type       string
	Created    time.Time // virtual
	ResourceID string
	Data       json.RawMessage // the resource, rendered as the API shows it
}

// Log holds a tenant's events, oldest first. It has its own lock, so the
// event API never waits for a running handler.
type Log struct {
	mu   sync.Mutex
	list []*Event
	byID map[string]*Event
	seq  uint64
}

// NewLog returns an empty log.
func NewLog() *Log { return &Log{byID: map[string]*Event{}} }

// Append records an event and numbers it.
func (l *Log) Append(e *Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	l.list = append(l.list, e)
	l.byID[e.ID] = e
}

// Get finds an event by id.
func (l *Log) Get(id string) (*Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byID[id]
	return e, ok
}

// Filter narrows a listing. Type matches exactly, or by prefix when it
// ends in ".*" ("payment.*").
type Filter struct {
	Type       string
	ResourceID string
	Since      time.Time // created at or after (virtual)
}

func (f Filter) match(e *Event) bool {
	if f.Type != "" {
		if prefix, ok := strings.CutSuffix(f.Type, "*"); ok {
			if !strings.HasPrefix(e.Type, prefix) {
				return false
			}
		} else if e.Type != f.Type {
			return false
		}
	}
	return (f.ResourceID == "" || e.ResourceID == f.ResourceID) && (f.Since.IsZero() || !e.Created.Before(f.Since))
}

// List returns matching events newest first, below the sequence number
// before (0: from the newest), at most limit, and whether more match.
func (l *Log) List(f Filter, before uint64, limit int) ([]*Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Event
	for i := len(l.list) - 1; i >= 0; i-- {
		e := l.list[i]
		if (before > 0 && e.Seq >= before) || !f.match(e) {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, e)
	}
	return out, false
}

// All returns every event of a resource (or every event, for ""), oldest first.
func (l *Log) All(resourceID string) []*Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*Event
	for _, e := range l.list {
		if resourceID == "" || e.ResourceID == resourceID {
			out = append(out, e)
		}
	}
	return out
}

// Len is the number of events.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

// Reset forgets every event.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list, l.byID, l.seq = nil, map[string]*Event{}, 0
}

// known lists every event type sandbank emits, registered by each area in
// an init function, so that webhook endpoints can be checked against it.
var (
	knownMu sync.Mutex
	known   = map[string]bool{}
)

// RegisterTypes declares event types an area emits.
func RegisterTypes(types ...string) {
	knownMu.Lock()
	defer knownMu.Unlock()
	for _, t := range types {
		known[t] = true
	}
}

// KnownTypes lists the registered event types, sorted.
func KnownTypes() []string {
	knownMu.Lock()
	defer knownMu.Unlock()
	out := make([]string, 0, len(known))
	for t := range known {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// IsKnown reports whether an event type is registered.
func IsKnown(t string) bool {
	knownMu.Lock()
	defer knownMu.Unlock()
	return known[t]
}
