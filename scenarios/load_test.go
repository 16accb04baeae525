package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mustParse parses a scenario that must be valid.
func mustParse(t testing.TB, src string) *Scenario {
	t.Helper()
	sc, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v\nsource:\n%s", err, src)
	}
	return sc
}

// parseErrors parses a scenario that must be invalid and returns its errors.
func parseErrors(t testing.TB, src string) Errors {
	t.Helper()
	sc, err := Parse("bad.yaml", []byte(src))
	if err == nil {
		t.Fatalf("Parse accepted an invalid scenario (%+v):\n%s", sc, src)
	}
	if sc != nil {
		t.Fatalf("Parse returned a scenario along with errors: %v", err)
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse error is %T, not Errors: %v", err, err)
	}
	return es
}

func TestParseEveryField(t *testing.T) {
	sc := mustParse(t, `# every field a scenario can hold
name: full_scenario-1
description: >
  Every field,
  folded.
seed: 42
rules:
  - name: first
    match:
      method: post
      path: /v1/transfers
      operation: createTransfer
      headers: {Idempotency-Key: "*", X-Env: ci}
      query: {expand: "*", limit: 10}
      body:
        /amount: 1000
        /creditor/pix_key: ana@example.com
        /tags/0: urgent
        "": {amount: 1}
    fault: "status=503;retry-after=2"
    nth: 2
    limit: 1
    tenants: [sk_test_aaaaaaaaaaaaaaaa, sk_test_bbbbbbbbbbbbbbbb]
  - name: mapping-fault
    match: {path: "/v1/transfers/{id}", method: GET}
    fault:
      type: latency
      phase: after-commit
      min: 10ms
      max: 1.5
    every: 3
  - fault: 503
    probability: 0.25
  - name: stepped
    match: {path: "/v1/**"}
    steps: ["reset;phase=after_commit", pass, 502, {type: hang, duration: 2s, headers: true}]
    repeat: true
`)
	if sc.Name != "full_scenario-1" || sc.Description != "Every field, folded.\n" || sc.Source != "test.yaml" {
		t.Fatalf("name/description/source: %q %q %q", sc.Name, sc.Description, sc.Source)
	}
	if sc.Seed == nil || *sc.Seed != 42 {
		t.Fatalf("seed: %v", sc.Seed)
	}
	if len(sc.Rules) != 4 {
		t.Fatalf("%d rules, want 4", len(sc.Rules))
	}

	r := sc.Rules[0]
	wantMatch := Match{
		Method: "POST", Path: "/v1/transfers", Operation: "createTransfer",
		Headers: map[string]string{"Idempotency-Key": "*", "X-Env": "ci"},
		Query:   map[string]string{"expand": "*", "limit": "10"},
	}
	gotMatch := r.Match
	gotMatch.Body = nil
	if !reflect.DeepEqual(gotMatch, wantMatch) {
		t.Fatalf("match:\n got %#v\nwant %#v", gotMatch, wantMatch)
	}
	if len(r.Match.Body) != 4 || !sameJSON(r.Match.Body["/amount"], 1000) ||
		r.Match.Body["/creditor/pix_key"] != "ana@example.com" || r.Match.Body["/tags/0"] != "urgent" ||
		!sameJSON(r.Match.Body[""], map[string]any{"amount": 1}) {
		t.Fatalf("body: %#v", r.Match.Body)
	}
	if r.Name != "first" || r.Nth != 2 || r.Limit != 1 || r.Every != 0 || r.Probability != 0 || r.Steps != nil || r.Repeat {
		t.Fatalf("rule 0: %+v", r)
	}
	if !reflect.DeepEqual(r.Tenants, []string{"sk_test_aaaaaaaaaaaaaaaa", "sk_test_bbbbbbbbbbbbbbbb"}) {
		t.Fatalf("tenants: %v", r.Tenants)
	}
	if r.Fault.Type != "status" || r.Fault.Phase != Before {
		t.Fatalf("fault: %+v", r.Fault)
	}
	if st := r.Fault.Fault.(*Status); st.Code != 503 || st.RetryAfter.D() != 2*time.Second {
		t.Fatalf("status fault: %+v", st)
	}

	r = sc.Rules[1]
	if r.Name != "mapping-fault" || r.Every != 3 || r.Match.Path != "/v1/transfers/{id}" || r.Match.Method != "GET" {
		t.Fatalf("rule 1: %+v", r)
	}
	if r.Fault.Type != "latency" || r.Fault.Phase != AfterCommit {
		t.Fatalf("rule 1 fault: %+v", r.Fault)
	}
	if l := r.Fault.Fault.(*Latency); l.Min.D() != 10*time.Millisecond || l.Max.D() != 1500*time.Millisecond {
		t.Fatalf("latency: %+v", l)
	}
	if !reflect.DeepEqual(r.Fault.Params, map[string]any{"min": "10ms", "max": 1.5}) {
		t.Fatalf("params are shown as configured, without type and phase: %#v", r.Fault.Params)
	}

	r = sc.Rules[2]
	if r.Name != "rule-3" {
		t.Fatalf("an unnamed rule is named after its position: %q", r.Name)
	}
	if r.Probability != 0.25 || r.Fault.Type != "503" || r.Fault.Fault.(*Status).Code != 503 || r.Fault.Phase != Before {
		t.Fatalf("bare integer preset: %+v %+v", r, r.Fault)
	}

	r = sc.Rules[3]
	if !r.Repeat || r.Fault != nil || len(r.Steps) != 4 {
		t.Fatalf("rule 3: %+v", r)
	}
	if s := r.Steps[0]; s.Type != "reset" || s.Phase != AfterCommit {
		t.Fatalf("step 0: %+v", s)
	}
	if r.Steps[1] != nil {
		t.Fatalf("pass is a nil step, got %+v", r.Steps[1])
	}
	if s := r.Steps[2]; s.Type != "502" || s.Fault.(*Status).Code != 502 {
		t.Fatalf("step 2: %+v", s)
	}
	if h := r.Steps[3].Fault.(*Hang); r.Steps[3].Type != "hang" || h.Duration.D() != 2*time.Second || !h.Headers {
		t.Fatalf("step 3: %+v", r.Steps[3])
	}
}

func TestParseMinimal(t *testing.T) {
	sc := mustParse(t, "name: tiny\nrules:\n  - fault: reset\n")
	if sc.Seed != nil || sc.Description != "" || len(sc.Rules) != 1 {
		t.Fatalf("%+v", sc)
	}
	r := sc.Rules[0]
	if r.Name != "rule-1" || !reflect.DeepEqual(r.Match, Match{}) || r.Fault.Type != "reset" || r.Fault.Phase != Before {
		t.Fatalf("%+v %+v", r, r.Fault)
	}
	// An empty match matches everything.
	if !r.Match.Matches(&Request{Method: "DELETE", Path: "/anything"}) {
		t.Fatal("an empty match must match every request")
	}
}

func TestParseFaultForms(t *testing.T) {
	// The same fault written as a compact string, a mapping and a flow mapping.
	sc := mustParse(t, `name: forms
rules:
  - name: compact
    fault: "rate_limit=3s;retry-after-format=date;limit=10"
  - name: block
    fault:
      type: rate_limit
      retry_after: 3s
      retry_after_format: date
      limit: 10
  - name: flow
    fault: {type: rate_limit, retry_after: 3, retry_after_format: date, limit: 10}
`)
	want := &RateLimit{RetryAfter: Duration(3 * time.Second), RetryAfterFormat: "date", Limit: 10}
	for _, r := range sc.Rules {
		if !reflect.DeepEqual(r.Fault.Fault, want) || r.Fault.Type != "rate_limit" || r.Fault.Phase != Before {
			t.Errorf("%s: %+v %#v", r.Name, r.Fault, r.Fault.Fault)
		}
	}
	// Every preset, bare or quoted, and status with a body of either kind.
	sc = mustParse(t, `name: presets
rules:
  - fault: 500
  - fault: 502
  - fault: "503"
  - fault: 504
  - fault: {type: 503, phase: after_commit}
  - fault:
      type: status
      code: 418
      headers: {X-Teapot: "yes"}
      body: {error: teapot, n: 1}
  - fault: {type: status, code: 200, body: "plain text"}
`)
	for i, code := range []int{500, 502, 503, 504, 503} {
		in := sc.Rules[i].Fault
		if in.Fault.(*Status).Code != code {
			t.Errorf("rule %d: %+v", i, in.Fault)
		}
	}
	if sc.Rules[4].Fault.Phase != AfterCommit || sc.Rules[4].Fault.Type != "503" {
		t.Errorf("a preset in a mapping: %+v", sc.Rules[4].Fault)
	}
	st := sc.Rules[5].Fault.Fault.(*Status)
	if st.Code != 418 || st.Headers["X-Teapot"] != "yes" || !sameJSON(st.Body, map[string]any{"error": "teapot", "n": 1}) {
		t.Errorf("status with a JSON body: %#v", st)
	}
	if st := sc.Rules[6].Fault.Fault.(*Status); st.Body != "plain text" {
		t.Errorf("status with a string body: %#v", st)
	}
}

func TestParseJSON(t *testing.T) {
	sc := mustParse(t, `{
  "name": "from-json",
  "seed": 7,
  "rules": [
    {"name": "a", "match": {"method": "post", "path": "/v1/*", "body": {"/amount": 10}},
     "steps": ["503", "pass"], "repeat": true},
    {"fault": {"type": "latency", "duration": "20ms"}, "every": 2}
  ]
}`)
	if sc.Name != "from-json" || *sc.Seed != 7 || len(sc.Rules) != 2 {
		t.Fatalf("%+v", sc)
	}
	if r := sc.Rules[0]; r.Match.Method != "POST" || !r.Repeat || len(r.Steps) != 2 || r.Steps[1] != nil || !sameJSON(r.Match.Body["/amount"], 10) {
		t.Fatalf("%+v", r)
	}
	if l := sc.Rules[1].Fault.Fault.(*Latency); l.Duration.D() != 20*time.Millisecond || sc.Rules[1].Every != 2 {
		t.Fatalf("%+v", sc.Rules[1])
	}

	es := parseErrors(t, `{"name": "x", "rules": [{"fault": "503", "bogus": 1}]}`)
	want := `bad.yaml:1:42: unknown field "bogus" (a rule has name, match, fault, steps, repeat, nth, every, probability, limit, tenants)`
	if es.Error() != want {
		t.Fatalf("JSON error:\n got %s\nwant %s", es.Error(), want)
	}
}

func TestParseErrors(t *testing.T) {
	known := faultTypeNames()
	cases := []struct {
		name string
		src  string
		want []string // "line:col: message", in order
	}{
		{"unknown top-level field", `name: x
rules:
  - fault: 503
bogus: 1
`, []string{`4:1: unknown field "bogus" (a scenario has name, description, seed and rules)`}},

		{"unknown rule field", `name: x
rules:
  - fault: 503
    colour: red
`, []string{`4:5: unknown field "colour" (a rule has name, match, fault, steps, repeat, nth, every, probability, limit, tenants)`}},

		{"unknown match field", `name: x
rules:
  - fault: 503
    match: {method: GET, pth: /v1/x}
`, []string{`4:26: unknown field "pth" (match has method, path, operation, headers, query, body, event)`}},

		{"unknown fault parameter with a suggestion", `name: x
rules:
  - fault: {type: latency, duraton: 2s}
`, []string{`3:28: unknown parameter "duraton" (did you mean duration?) (parameters: duration, min, max, median, sigma)`}},

		{"unknown fault parameter without a suggestion", `name: x
rules:
  - fault:
      type: reset
      colour: red
`, []string{`5:7: unknown parameter "colour"`}},

		{"unknown fault type", `name: x
rules:
  - fault: {type: latenzy}
  - fault: {type: frobnicate}
  - fault: "latenzy=2s"
  - fault: frobnicate
`, []string{
			`3:19: unknown fault type "latenzy" (known: ` + known + `) (did you mean latency?)`,
			`4:19: unknown fault type "frobnicate" (known: ` + known + `)`,
			`5:12: unknown fault type "latenzy" (known: ` + known + `) (did you mean latency?)`,
			`6:12: unknown fault type "frobnicate" (known: ` + known + `)`,
		}},

		{"fault without a type", `name: x
rules:
  - fault:
      phase: before
      code: 503
`, []string{`4:7: a fault needs a type (one of ` + known + `)`}},

		{"wrong value types", `name: x
seed: -1
rules:
  - fault: {type: status, code: "abc"}
  - fault: {type: hang, headers: maybe}
  - fault: {type: latency, sigma: lots, median: 1s}
  - fault: 503
    nth: many
  - fault: 503
    probability: high
  - steps: [503]
    repeat: sometimes
  - name: [a]
    fault: 503
`, []string{
			`2:7: expected a non-negative integer, got "-1"`,
			`4:33: code: expected a whole number, got a string`,
			`5:34: headers: expected true or false, got a string`,
			`6:35: sigma: expected a number, got a string`,
			`8:10: expected a whole number, got "many"`,
			`10:18: expected a number, got "high"`,
			`12:13: expected true or false, got "sometimes"`,
			`13:11: expected a string, got a sequence`,
		}},

		{"bad durations", `name: x
rules:
  - fault: {type: latency, duration: fast}
  - fault:
      type: status
      code: 503
      retry_after: -2s
`, []string{
			`3:38: duration: "fast" is not a duration: write 200ms, 2s or 1m`,
			`7:20: retry_after: a duration cannot be negative: "-2s"`,
		}},

		{"every bad parameter of a fault, each where it is", `name: x
rules:
  - fault:
      type: status
      code: abc
      bogus: 1
      retry_after: soon
`, []string{
			`5:13: code: expected a whole number, got a string`,
			`6:7: unknown parameter "bogus" (parameters: code, headers, body, retry_after, retry_after_format)`,
			`7:20: retry_after: "soon" is not a duration: write 200ms, 2s or 1m`,
		}},

		{"invalid values caught by Validate", `name: x
rules:
  - fault: {type: status, code: 99}
  - fault:
      type: latency
      duration: 1s
      min: 1ms
      max: 2ms
  - fault: "duplicate=1"
`, []string{
			`3:12: status: code: want an HTTP status from 100 to 599`,
			`5:7: latency: give exactly one of duration, min and max, or median and sigma`,
			`9:12: duplicate: count: want 2 to 10`,
		}},

		{"phase not allowed for the fault", `name: x
rules:
  - fault: {type: slow_body, phase: before}
  - fault: "duplicate;phase=before"
  - fault: {type: reset, phase: sometime}
`, []string{
			`3:37: a slow_body fault cannot act before the operation (it can: after_commit)`,
			`4:12: a duplicate fault cannot act before the operation (it can: after_commit)`,
			`5:33: phase "sometime": want before, in_flight or after_commit`,
		}},

		{"fault and steps", `name: x
rules:
  - fault: 503
    steps: [503]
`, []string{`4:12: a rule has either fault or steps, not both`}},

		{"neither fault nor steps", `name: x
rules:
  - name: nothing
    match: {method: GET}
`, []string{`3:5: a rule needs a fault (or steps)`}},

		{"fault is pass", `name: x
rules:
  - fault: pass
`, []string{`3:12: a rule's fault cannot be pass (use steps: [..., pass])`}},

		{"empty steps", `name: x
rules:
  - steps: []
`, []string{`3:12: steps needs at least one step`}},

		{"a bad step", `name: x
rules:
  - steps: [pass, "reset=1", 503]
`, []string{`3:19: reset takes no value: write reset, not reset=1`}},

		{"two selections", `name: x
rules:
  - fault: 503
    nth: 2
    every: 3
  - fault: 503
    every: 2
    probability: 0.5
    nth: 1
`, []string{
			`5:12: choose one selection: nth or every`,
			`7:12: choose one selection: nth or every or probability`,
		}},

		{"steps with a selection", `name: x
rules:
  - steps: [503]
    nth: 1
  - steps: [503]
    probability: 0.5
`, []string{
			`4:10: steps already say which matches are hit; nth cannot be combined with them`,
			`6:18: steps already say which matches are hit; probability cannot be combined with them`,
		}},

		{"repeat without steps", `name: x
rules:
  - fault: 503
    repeat: true
`, []string{`4:13: repeat applies to steps`}},

		{"selection out of range", `name: x
rules:
  - fault: 503
    nth: 0
  - fault: 503
    every: 0
  - fault: 503
    probability: 0
  - fault: 503
    probability: 1.5
  - fault: 503
    limit: 0
  - fault: 503
    every: -1
`, []string{
			`4:10: nth counts matches from 1`,
			`6:12: every must be 1 or more`,
			`8:18: probability must be more than 0 and at most 1`,
			`10:18: probability must be more than 0 and at most 1`,
			`12:12: limit must be 1 or more (leave it out for no limit)`,
			`14:12: every must be 1 or more`,
		}},

		{"missing name", `description: no name
rules:
  - fault: 503
`, []string{`1:1: a scenario needs a name`}},

		{"missing rules", `name: x
`, []string{`1:1: a scenario needs rules`}},

		{"bad name", `name: Bad Name
rules:
  - fault: 503
`, []string{`1:7: name "Bad Name": use lower-case letters, digits, - and _ (at most 63)`}},

		{"name too long", "name: " + strings.Repeat("a", 64) + "\nrules:\n  - fault: 503\n",
			[]string{`1:7: name "` + strings.Repeat("a", 64) + `": use lower-case letters, digits, - and _ (at most 63)`}},

		{"duplicate rule names", `name: x
rules:
  - name: a
    fault: 503
  - name: a
    fault: 503
  - fault: 503
  - name: rule-3
    fault: 503
`, []string{
			`5:11: two rules are named "a"`,
			`8:11: two rules are named "rule-3"`,
		}},

		{"duplicate keys", `name: x
name: y
rules:
  - fault: 503
`, []string{`2:1: mapping key "name" already defined at [1:1]`}},

		{"duplicate keys in a rule", `name: x
rules:
  - fault: 503
    fault: 502
`, []string{`4:5: mapping key "fault" already defined at [3:5]`}},

		{"operationId typo", `name: x
rules:
  - match: {operation: createTransfr}
    fault: 503
  - match: {operation: somethingElseEntirely}
    fault: 503
`, []string{
			`3:24: no operation "createTransfr" (did you mean createTransfer?)`,
			`5:24: no operation "somethingElseEntirely"`,
		}},

		{"path template not in the contract", `name: x
rules:
  - match: {path: "/v1/transfer/{id}"}
    fault: 503
`, []string{`3:19: no path template "/v1/transfer/{id}" in the API (did you mean /v1/transfers/{id}?)`}},

		{"method the template does not serve", `name: x
rules:
  - match: {path: "/v1/transfers/{id}", method: DELETE}
    fault: 503
`, []string{`3:49: /v1/transfers/{id} serves GET, not DELETE`}},

		{"operation whose method differs", `name: x
rules:
  - match: {operation: createTransfer, method: get}
    fault: 503
`, []string{`3:48: createTransfer is POST /v1/transfers, not GET`}},

		{"bad method and path", `name: x
rules:
  - match: {method: FETCH, path: v1/transfers}
    fault: 503
`, []string{
			`3:21: "FETCH" is not an HTTP method`,
			`3:34: a path starts with /`,
		}},

		{"body pointer without a leading slash", `name: x
rules:
  - match:
      body:
        amount: 10
        /currency: BRL
    fault: 503
`, []string{`5:9: "amount" is not a JSON Pointer: write /amount or /creditor/pix_key`}},

		{"headers must be a mapping of strings", `name: x
rules:
  - match:
      headers: [X-A]
      query: {page: {n: 1}}
    fault: 503
`, []string{
			`4:16: headers must be a mapping`,
			`5:21: expected a string ("*" for any value), got a mapping`,
		}},

		{"a non-mapping rule", `name: x
rules:
  - just a string
  - 42
`, []string{
			`3:5: a rule must be a mapping`,
			`4:5: a rule must be a mapping`,
		}},

		{"rules must be a list", `name: x
rules:
  fault: 503
`, []string{`3:3: rules must be a list`}},

		{"tenants must be a list", `name: x
rules:
  - fault: 503
    tenants: sk_test_aaaaaaaaaaaaaaaa
`, []string{`4:14: tenants must be a list`}},

		{"a scenario must be a mapping", `- name: x
`, []string{`1:1: a scenario must be a mapping`}},

		{"YAML syntax error", `name: x
rules: [
`, []string{`2:8: sequence end token ']' not found`}},

		{"empty file", ``, []string{`1:1: a scenario file holds exactly one YAML document`}},

		{"only a comment", "# nothing here\n", []string{`1:1: a scenario file holds exactly one YAML document`}},

		{"two documents", `name: a
rules: [{fault: 503}]
---
name: b
rules: [{fault: 503}]
`, []string{`1:1: a scenario file holds exactly one YAML document`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := parseErrors(t, c.src)
			var got []string
			for _, e := range es {
				if e.File != "bad.yaml" {
					t.Errorf("error without its file: %+v", e)
				}
				got = append(got, e.Error())
			}
			var want []string
			for _, w := range c.want {
				want = append(want, "bad.yaml:"+w)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("errors:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if es.Error() != strings.Join(want, "\n") {
				t.Fatalf("Errors.Error():\n%s", es.Error())
			}
		})
	}
}

// TestParseReportsEveryErrorSorted: one file with many problems gives all
// of them at once, sorted by position (the name check, found last, comes
// first), each with its JSON Pointer into the scenario.
func TestParseReportsEveryErrorSorted(t *testing.T) {
	es := parseErrors(t, `description: many problems
rules:
  - name: one
    fault: {type: latency, duraton: 2s}
    nth: 0
  - name: one
    steps: [503]
    every: 2
  - match: {operation: createTransfr, pth: /x}
    fault: "status=99"
  - fault: 503
    probability: 2
extra: true
`)
	type want struct {
		line, col int
		path, msg string
	}
	wants := []want{
		{1, 1, "/name", "a scenario needs a name"},
		{4, 28, "/rules/0/fault/duraton", `unknown parameter "duraton" (did you mean duration?) (parameters: duration, min, max, median, sigma)`},
		{5, 10, "/rules/0/nth", "nth counts matches from 1"},
		{6, 11, "/rules/1/name", `two rules are named "one"`},
		{8, 12, "/rules/1/every", "steps already say which matches are hit; every cannot be combined with them"},
		{9, 24, "/rules/2/match/operation", `no operation "createTransfr" (did you mean createTransfer?)`},
		{9, 39, "/rules/2/match/pth", `unknown field "pth" (match has method, path, operation, headers, query, body, event)`},
		{10, 12, "/rules/2/fault", "status: code: want an HTTP status from 100 to 599"},
		{12, 18, "/rules/3/probability", "probability must be more than 0 and at most 1"},
		{13, 1, "/extra", `unknown field "extra" (a scenario has name, description, seed and rules)`},
	}
	if len(es) != len(wants) {
		t.Fatalf("%d errors, want %d:\n%v", len(es), len(wants), es)
	}
	for i, w := range wants {
		e := es[i]
		if e.Line != w.line || e.Column != w.col || e.Msg != w.msg {
			t.Errorf("error %d: got %d:%d %q, want %d:%d %q", i, e.Line, e.Column, e.Msg, w.line, w.col, w.msg)
		}
		if e.Path != w.path {
			t.Errorf("error %d (%s): path %q, want %q", i, e.Msg, e.Path, w.path)
		}
	}
	for i := 1; i < len(es); i++ {
		a, b := es[i-1], es[i]
		if a.Line > b.Line || (a.Line == b.Line && a.Column > b.Column) {
			t.Fatalf("errors not sorted by position: %v before %v", a, b)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "a.yaml", Line: 3, Column: 7, Msg: "boom"}
	if e.Error() != "a.yaml:3:7: boom" {
		t.Fatal(e.Error())
	}
	e.File = ""
	if e.Error() != "3:7: boom" {
		t.Fatal(e.Error())
	}
	es := Errors{{File: "f", Line: 1, Column: 2, Msg: "x"}, {File: "f", Line: 3, Column: 4, Msg: "y"}}
	if es.Error() != "f:1:2: x\nf:3:4: y" {
		t.Fatal(es.Error())
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("name: good\nrules:\n  - fault: 503\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadFile(good)
	if err != nil || sc.Name != "good" || sc.Source != good {
		t.Fatalf("LoadFile: %v %+v", err, sc)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: bad\nrules:\n  - fault: 99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":3:12: ") {
		t.Fatalf("errors name their file: %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"duration", "min", "max", "median", "sigma"}
	for got, want := range map[string]string{
		"duraton":  " (did you mean duration?)",
		"DURATION": " (did you mean duration?)",
		"medain":   " (did you mean median?)",
		"colour":   "",
		"x":        "",
		"":         "",
	} {
		if s := suggest(got, known); s != want {
			t.Errorf("suggest(%q) = %q, want %q", got, s, want)
		}
	}
	if d := editDistance("kitten", "sitting"); d != 3 {
		t.Fatalf("editDistance = %d", d)
	}
}
