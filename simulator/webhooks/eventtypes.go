package webhooks

import (
	"fmt"
	"strings"

	"github.com/sandbank/sandbank/simulator/events"
)

// The event types an endpoint can subscribe to are the ones registered
// with events.RegisterTypes: each area declares what it emits in one init
// function next to its views, and enabled_events is checked against that.

// CheckEventFilter validates one entry of enabled_events: "*" (every
// event), a registered type ("transfer.settled"), or a prefix ending in
// ".*" ("transfer.*") that some registered type has.
func CheckEventFilter(f string) error {
	if f == "*" {
		return nil
	}
	known := events.KnownTypes()
	if prefix, ok := strings.CutSuffix(f, ".*"); ok {
		if prefix == "" || strings.Contains(prefix, "*") {
			return fmt.Errorf("%q is not a filter: use \"*\" for every event, or a prefix such as \"transfer.*\"", f)
		}
		for _, t := range known {
			if strings.HasPrefix(t, prefix+".") {
				return nil
			}
		}
		return fmt.Errorf("no event type starts with %q (known types: %s)", prefix+".", strings.Join(known, ", "))
	}
	if strings.Contains(f, "*") {
		return fmt.Errorf("%q: a wildcard may only be \"*\" or end a prefix (\"transfer.*\")", f)
	}
	if !events.IsKnown(f) {
		return fmt.Errorf("unknown event type %q (known types: %s)", f, strings.Join(known, ", "))
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
