package scenarios

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
)

// Decision is what to do with one request: inject this fault, on behalf
// of that scenario's rule (or of the Sandbank-Fault header).
type Decision struct {
	Scenario  string
	Rule      string
	Injection *Injection
	// Rand is a stream of its own for the fault's draws, split from the
	// rule's seeded stream, so faults running concurrently stay
	// deterministic in what each one draws.
	Rand *rand.Rand
}

// Set is one tenant's active scenarios and their state: how many requests
// each rule matched and hit. Every tenant has its own, so parallel tenants
// (one per conformance case) never disturb each other's counts.
type Set struct {
	mu     sync.Mutex
	tenant string
	seed   uint64
	active []*instance
}

type instance struct {
	scenario *Scenario
	origin   string // server (--scenario), api (the admin API), library, header (Sandbank-Scenario)
	rules    []*ruleState
}

type ruleState struct {
	rule    *Rule
	webhook bool // rule.IsWebhook(), fixed once the rule is parsed
	matches int
	hits    int
	rng     *rand.Rand
}

// NewSet returns a tenant's set, with the server-wide scenarios active.
// serverSeed seeds scenarios that do not fix their own seed.
func NewSet(tenant string, serverSeed uint64, server []*Scenario) *Set {
	s := &Set{tenant: tenant, seed: serverSeed}
	s.Reset(server)
	return s
}

// Reset deactivates everything and starts the server-wide scenarios again.
func (s *Set) Reset(server []*Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = nil
	for _, sc := range server {
		s.activate(sc, "server")
	}
}

// Activate makes a scenario active for the tenant, replacing one of the
// same name (its counts start again).
func (s *Set) Activate(sc *Scenario, origin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.activate(sc, origin)
}

// ActivateOnce activates a scenario unless one of that name is active
// (Sandbank-Scenario on every request must not restart its counts).
func (s *Set) ActivateOnce(sc *Scenario, origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.active {
		if in.scenario.Name == sc.Name {
			return false
		}
	}
	s.activate(sc, origin)
	return true
}

func (s *Set) activate(sc *Scenario, origin string) {
	in := &instance{scenario: sc, origin: origin}
	seed := s.seed
	if sc.Seed != nil {
		seed = *sc.Seed
	}
	for i, r := range sc.Rules {
		in.rules = append(in.rules, &ruleState{rule: r, webhook: r.IsWebhook(), rng: rand.New(rand.NewPCG(streamSeed(seed, s.tenant, sc.Name, i)))})
	}
	for i, old := range s.active {
		if old.scenario.Name == sc.Name {
			s.active[i] = in
			return
		}
	}
	s.active = append(s.active, in)
}

// streamSeed derives a rule's random stream from the seed, the tenant and
// the rule, so each tenant and rule draws its own reproducible numbers.
func streamSeed(seed uint64, tenant, scenario string, rule int) (uint64, uint64) {
	h := sha256.Sum256([]byte(strconv.FormatUint(seed, 10) + "\x00" + tenant + "\x00" + scenario + "\x00" + strconv.Itoa(rule)))
	return binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])
}

// Deactivate removes a scenario; it reports whether it was active.
func (s *Set) Deactivate(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, in := range s.active {
		if in.scenario.Name == name {
			s.active = append(s.active[:i], s.active[i+1:]...)
			return true
		}
	}
	return false
}

// Decide picks the fault for a request. Rules are tried in order
// (server-wide scenarios first, then the tenant's, in activation order);
// each rule counts the requests it matches, and the first rule whose
// selection fires injects its fault — later rules do not see the request.
// Decisions depend only on the order of requests, so the same seed and the
// same sequence of requests give the same faults.
func (s *Set) Decide(r *Request) *Decision {
	return s.decide(false, r.Tenant, func(m *Match) bool { return m.Matches(r) })
}

// DecideWebhook picks the fault for one delivery of an event to one of the
// tenant's endpoints, with the same rule order and counting as Decide.
func (s *Set) DecideWebhook(eventType string) *Decision {
	return s.decide(true, s.tenant, func(m *Match) bool { return m.MatchesEvent(eventType) })
}

// decide tries the request rules (or the webhook rules) in order: a rule
// for the tenant whose match holds counts the match, and the first whose
// selection fires decides.
func (s *Set) decide(webhook bool, tenant string, matches func(*Match) bool) *Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.active {
		for _, rs := range in.rules {
			rule := rs.rule
			if rs.webhook != webhook || (len(rule.Tenants) > 0 && !slices.Contains(rule.Tenants, tenant)) || !matches(&rule.Match) {
				continue
			}
			if inj, fired := rs.selectMatch(); fired {
				return &Decision{Scenario: in.scenario.Name, Rule: rule.Name, Injection: inj,
					Rand: rand.New(rand.NewPCG(rs.rng.Uint64(), rs.rng.Uint64()))}
			}
		}
	}
	return nil
}

// selectMatch counts a match and applies the rule's selection to it.
func (rs *ruleState) selectMatch() (*Injection, bool) {
	rule := rs.rule
	rs.matches++
	n := rs.matches
	if rule.Limit > 0 && rs.hits >= rule.Limit {
		return nil, false
	}
	inj := rule.Fault
	switch {
	case rule.Steps != nil:
		i := n - 1
		if rule.Repeat {
			i %= len(rule.Steps)
		}
		if i >= len(rule.Steps) || rule.Steps[i] == nil {
			return nil, false // past the last step, or a pass step
		}
		inj = rule.Steps[i]
	case rule.Nth > 0:
		if n != rule.Nth {
			return nil, false
		}
	case rule.Every > 0:
		if n%rule.Every != 0 {
			return nil, false
		}
	case rule.Probability > 0:
		// Drawn on every match, hit or not, so the stream stays in step.
		if rs.rng.Float64() >= rule.Probability {
			return nil, false
		}
	}
	rs.hits++
	return inj, true
}

// RuleStatus is a rule with its counts, for the admin API.
type RuleStatus struct {
	Rule    *Rule
	Matches int
	Hits    int
}

// ScenarioStatus is an active scenario with its rules' counts.
type ScenarioStatus struct {
	Scenario *Scenario
	Origin   string
	Rules    []RuleStatus
}

// Active lists the active scenarios with their counts.
func (s *Set) Active() []ScenarioStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ScenarioStatus, 0, len(s.active))
	for _, in := range s.active {
		st := ScenarioStatus{Scenario: in.scenario, Origin: in.origin}
		for _, rs := range in.rules {
			st.Rules = append(st.Rules, RuleStatus{Rule: rs.rule, Matches: rs.matches, Hits: rs.hits})
		}
		out = append(out, st)
	}
	return out
}

// Lookup returns an active scenario's status.
func (s *Set) Lookup(name string) (ScenarioStatus, bool) {
	for _, st := range s.Active() {
		if st.Scenario.Name == name {
			return st, true
		}
	}
	return ScenarioStatus{}, false
}
