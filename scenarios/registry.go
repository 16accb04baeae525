package scenarios

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FaultType describes a registered fault: its name, what it does, its
// default phase, and a constructor returning a zero fault whose fields the
// scenario's parameters fill (with yaml tags, as Toxiproxy fills a toxic).
type FaultType struct {
	Name         string
	Summary      string
	DefaultPhase Phase
	// Primary is the parameter the compact form's "type=value" sets
	// (status=503 sets code; latency=200ms sets duration).
	Primary string
	// Preset fills parameters for alias types ("503" is status with code 503).
	Preset map[string]any
	// Base is the type a preset is an alias of.
	Base string
	New  func() Fault
}

var registry = map[string]*FaultType{}

// Register adds a fault type; a new fault is one small file that calls it.
func Register(t *FaultType) {
	if _, dup := registry[t.Name]; dup {
		panic("scenarios: fault type registered twice: " + t.Name)
	}
	if t.DefaultPhase == "" {
		t.DefaultPhase = Before
	}
	registry[t.Name] = t
}

// Lookup finds a fault type by name.
func Lookup(name string) (*FaultType, bool) {
	t, ok := registry[name]
	return t, ok
}

// FaultTypes lists the registered fault types, sorted by name.
func FaultTypes() []*FaultType {
	out := make([]*FaultType, 0, len(registry))
	for _, t := range registry {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// registeredNames lists the registered fault types' names, sorted.
func registeredNames() []string {
	var names []string
	for _, t := range FaultTypes() {
		names = append(names, t.Name)
	}
	return names
}

// faultTypeNames is registeredNames for messages.
func faultTypeNames() string { return strings.Join(registeredNames(), ", ") }

// Injection is a configured fault: its type, its phase and its own
// parameters, as written in a scenario or a Sandbank-Fault header.
type Injection struct {
	Type   string
	Phase  Phase
	Fault  Fault
	Params map[string]any // as configured (shown by the admin API and the journal)
}

// String renders the injection in the compact form.
func (in *Injection) String() string {
	var b strings.Builder
	b.WriteString(in.Type)
	keys := make([]string, 0, len(in.Params))
	for k := range in.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := in.Params[k]
		switch v.(type) {
		case map[string]any, []any: // headers, bodies: shown as JSON
			if raw, err := json.Marshal(v); err == nil {
				v = string(raw)
			}
		}
		fmt.Fprintf(&b, ";%s=%v", k, v)
	}
	if t, ok := Lookup(in.Type); !ok || in.Phase != t.DefaultPhase {
		fmt.Fprintf(&b, ";phase=%s", in.Phase)
	}
	return b.String()
}

// Copies is how many times the operation is applied (1 unless duplicate).
func (in *Injection) Copies() int {
	if d, ok := in.Fault.(Duplicator); ok {
		return d.Copies()
	}
	return 1
}

func allowedPhases(f Fault) []Phase {
	if pl, ok := f.(PhaseLimiter); ok {
		return pl.Phases()
	}
	return []Phase{Before, AfterCommit}
}

func checkPhase(typ string, f Fault, p Phase) error {
	if p != Before && p != AfterCommit && p != InFlight {
		return fmt.Errorf("phase %q: want before, in_flight or after_commit", p)
	}
	if allowed := allowedPhases(f); !slices.Contains(allowed, p) {
		return fmt.Errorf("a %s fault cannot act %s (it can: %s)", typ, phaseWords(p), phaseList(allowed))
	}
	return nil
}

func phaseWords(p Phase) string {
	switch p {
	case Before:
		return "before the operation"
	case InFlight:
		return "in flight (key claimed, operation not run)"
	}
	return "after commit"
}

func phaseList(ps []Phase) string {
	var s []string
	for _, p := range ps {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

// Duration is a parameter written as a Go duration ("200ms", "2s", "1m")
// or as a number of seconds.
type Duration time.Duration

// UnmarshalYAML accepts "200ms", "1.5s" or a number of seconds.
func (d *Duration) UnmarshalYAML(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"'`)
	if v, err := time.ParseDuration(s); err == nil {
		if v < 0 {
			return fmt.Errorf("a duration cannot be negative: %q", s)
		}
		*d = Duration(v)
		return nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs >= 0 && secs < 1e6 {
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	return fmt.Errorf("%q is not a duration: write 200ms, 2s or 1m", s)
}

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
