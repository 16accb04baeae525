package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/scenarios"
)

// The scenario admin API: what faults the calling tenant's requests get.

type scenarioRuleView struct {
	Name  string `json:"name"`
	Match struct {
		Method    *string           `json:"method"`
		Path      *string           `json:"path"`
		Operation *string           `json:"operation"`
		Headers   map[string]string `json:"headers"`
		Query     map[string]string `json:"query"`
		Body      map[string]any    `json:"body"`
	} `json:"match"`
	Fault     *string  `json:"fault"`
	Steps     []string `json:"steps"`
	Repeat    bool     `json:"repeat"`
	Selection struct {
		Nth         *int     `json:"nth"`
		Every       *int     `json:"every"`
		Probability *float64 `json:"probability"`
	} `json:"selection"`
	Limit   *int `json:"limit"`
	Tenants int  `json:"tenants"`
	Matches int  `json:"matches"`
	Hits    int  `json:"hits"`
}

type scenarioView struct {
	Object      string             `json:"object"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Origin      string             `json:"origin"`
	Seed        *string            `json:"seed"`
	Rules       []scenarioRuleView `json:"rules"`
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func viewScenario(st scenarios.ScenarioStatus) scenarioView {
	sc := st.Scenario
	v := scenarioView{Object: "scenario", Name: sc.Name, Description: sc.Description, Origin: st.Origin, Rules: []scenarioRuleView{}}
	if sc.Seed != nil {
		s := strconv.FormatUint(*sc.Seed, 10)
		v.Seed = &s
	}
	for _, rs := range st.Rules {
		r := rs.Rule
		rv := scenarioRuleView{Name: r.Name, Repeat: r.Repeat, Tenants: len(r.Tenants), Matches: rs.Matches, Hits: rs.Hits, Limit: nonZero(r.Limit)}
		rv.Match.Method, rv.Match.Path, rv.Match.Operation = nonZero(r.Match.Method), nonZero(r.Match.Path), nonZero(r.Match.Operation)
		rv.Match.Headers, rv.Match.Query, rv.Match.Body = orEmpty(r.Match.Headers), orEmpty(r.Match.Query), orEmpty(r.Match.Body)
		if r.Fault != nil {
			f := r.Fault.String()
			rv.Fault = &f
		}
		for _, step := range r.Steps {
			if step == nil {
				rv.Steps = append(rv.Steps, "pass")
			} else {
				rv.Steps = append(rv.Steps, step.String())
			}
		}
		rv.Selection.Nth, rv.Selection.Every, rv.Selection.Probability = nonZero(r.Nth), nonZero(r.Every), nonZero(r.Probability)
		v.Rules = append(v.Rules, rv)
	}
	return v
}

func (s *Server) listScenarios(c *call) *response {
	out := listView[scenarioView]{Data: []scenarioView{}}
	for _, st := range c.tenant.faults.Active() {
		out.Data = append(out.Data, viewScenario(st))
	}
	return c.json(http.StatusOK, out)
}

func (s *Server) getScenario(c *call) *response {
	st, ok := c.tenant.faults.Lookup(c.params["name"])
	if !ok {
		return c.problem("resource_missing", fmt.Sprintf("no such active scenario: %s (GET /_sandbank/scenarios lists the active ones)", c.params["name"]))
	}
	return c.json(http.StatusOK, viewScenario(st))
}

func (s *Server) putScenario(c *call) *response {
	name := c.params["name"]
	var sc *scenarios.Scenario
	origin := "api"
	if len(bytes.TrimSpace(c.body)) == 0 { // blank: a library scenario by name
		lib, ok := scenarios.LibraryScenario(name)
		if !ok {
			return c.problem("resource_missing", fmt.Sprintf("no such library scenario: %s (send a scenario as the body, or pick one from GET /_sandbank/scenario_library)", name))
		}
		sc, origin = lib, "library"
	} else {
		parsed, err := scenarios.Parse("", c.body)
		if err != nil {
			return c.scenarioErrors(err)
		}
		if parsed.Name != name {
			return c.problem("invalid_scenario", fmt.Sprintf("the body names the scenario %q, the path %q", parsed.Name, name),
				openapi.Violation{Pointer: "/name", In: "body", Detail: fmt.Sprintf("must be %q, as in the path", name)})
		}
		parsed.Source = "api"
		sc = parsed
	}
	c.tenant.faults.Activate(sc, origin)
	st, _ := c.tenant.faults.Lookup(name)
	return c.json(http.StatusOK, viewScenario(st))
}

// scenarioErrors renders a scenario's problems: one violation each, with
// its pointer and its line and column.
func (c *call) scenarioErrors(err error) *response {
	var errs scenarios.Errors
	if !errors.As(err, &errs) {
		return c.problem("invalid_scenario", err.Error())
	}
	vs := make([]openapi.Violation, 0, len(errs))
	for _, e := range errs {
		vs = append(vs, openapi.Violation{Pointer: e.Path, In: "body", Detail: fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)})
	}
	detail := fmt.Sprintf("%d problems in the scenario", len(errs))
	if len(errs) == 1 {
		detail = "1 problem in the scenario"
	}
	return c.problem("invalid_scenario", detail, vs...)
}

func (s *Server) deleteScenario(c *call) *response {
	if !c.tenant.faults.Deactivate(c.params["name"]) {
		return c.problem("resource_missing", fmt.Sprintf("no such active scenario: %s", c.params["name"]))
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}
}

func (s *Server) listLibraryScenarios(c *call) *response {
	out := listView[scenarioView]{Data: []scenarioView{}}
	for _, sc := range scenarios.Library() {
		out.Data = append(out.Data, viewScenario(scenarios.ScenarioStatus{Scenario: sc, Origin: "library", Rules: rulesOf(sc)}))
	}
	return c.json(http.StatusOK, out)
}

func rulesOf(sc *scenarios.Scenario) []scenarios.RuleStatus {
	out := make([]scenarios.RuleStatus, 0, len(sc.Rules))
	for _, r := range sc.Rules {
		out = append(out, scenarios.RuleStatus{Rule: r})
	}
	return out
}
