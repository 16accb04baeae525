package webhooks

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// KnownEventTypes is the one list of the event types sandbank emits, by
// area. An endpoint's enabled_events is validated against it, so an area
// that emits a new type adds it here (or calls RegisterEventTypes from an
// init function next to the code that emits it).
var KnownEventTypes = []string{
	// bank
	"customer.created", "customer.verification_updated",
	"account.created",
	"transfer.created", "transfer.accepted", "transfer.processing", "transfer.settled", "transfer.rejected", "transfer.canceled",
	"transaction.created", "transaction.booked", "transaction.voided",
}

var typesMu sync.RWMutex

// RegisterEventTypes adds event types to KnownEventTypes (once each).
func RegisterEventTypes(types ...string) {
	typesMu.Lock()
	defer typesMu.Unlock()
	for _, t := range types {
		if !slices.Contains(KnownEventTypes, t) {
			KnownEventTypes = append(KnownEventTypes, t)
		}
	}
}

// EventTypes returns the known event types, sorted.
func EventTypes() []string {
	typesMu.RLock()
	defer typesMu.RUnlock()
	out := slices.Clone(KnownEventTypes)
	slices.Sort(out)
	return out
}

// IsKnownEventType reports whether sandbank emits events of this type.
func IsKnownEventType(t string) bool {
	typesMu.RLock()
	defer typesMu.RUnlock()
	return slices.Contains(KnownEventTypes, t)
}

// CheckEventFilter validates one entry of enabled_events: "*" (every
// event), a known type ("transfer.settled"), or a prefix ending in ".*"
// ("transfer.*") that some known type has.
func CheckEventFilter(f string) error {
	if f == "*" {
		return nil
	}
	if prefix, ok := strings.CutSuffix(f, ".*"); ok {
		if prefix == "" {
			return fmt.Errorf("%q is not a filter: use \"*\" for every event", f)
		}
		for _, t := range EventTypes() {
			if strings.HasPrefix(t, prefix+".") {
				return nil
			}
		}
		return fmt.Errorf("no known event type starts with %q (known: %s)", prefix+".", strings.Join(EventTypes(), ", "))
	}
	if strings.Contains(f, "*") {
		return fmt.Errorf("%q: a wildcard may only be \"*\" or end a prefix (\"transfer.*\")", f)
	}
	if !IsKnownEventType(f) {
		return fmt.Errorf("unknown event type %q (known: %s)", f, strings.Join(EventTypes(), ", "))
	}
	return nil
}

// MatchesEvent reports whether an event type passes a list of filters.
func MatchesEvent(filters []string, eventType string) bool {
	for _, f := range filters {
		if f == "*" || f == eventType {
			return true
		}
		if prefix, ok := strings.CutSuffix(f, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(eventType, prefix) {
			return true
		}
	}
	return false
}
