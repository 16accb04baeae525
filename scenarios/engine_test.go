package scenarios

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestMatch(t *testing.T) {
	post := func(path, route, body string) *Request {
		return &Request{Method: "POST", Path: path, Route: route, Operation: "createTransfer",
			Header: http.Header{"Idempotency-Key": {"k-1"}, "X-Env": {"ci", "other"}},
			Query:  url.Values{"expand": {"creditor"}, "empty": {""}},
			Body:   []byte(body)}
	}
	transfer := `{"amount": 10, "currency": "BRL", "creditor": {"pix_key": "ana@example.com", "name": null},
		"tags": ["urgent", {"n": 2}], "flag": true, "a/b": "slash", "m~n": "tilde", "": "empty key", "big": 10.0}`
	r := post("/v1/transfers", "/v1/transfers", transfer)

	cases := []struct {
		name string
		m    Match
		r    *Request
		want bool
	}{
		{"empty match", Match{}, r, true},
		{"method", Match{Method: "POST"}, r, true},
		{"method case-insensitive", Match{Method: "post"}, r, true},
		{"method differs", Match{Method: "GET"}, r, false},
		{"path exact", Match{Path: "/v1/transfers"}, r, true},
		{"path exact differs", Match{Path: "/v1/transfer"}, r, false},
		{"path exact trailing slash", Match{Path: "/v1/transfers/"}, r, true},
		{"path longer", Match{Path: "/v1/transfers"}, post("/v1/transfers/tr_1", "/v1/transfers/{id}", ""), false},
		{"glob one segment", Match{Path: "/v1/*"}, r, true},
		{"glob does not cross /", Match{Path: "/v1/*"}, post("/v1/transfers/tr_1", "", ""), false},
		{"glob part of a segment", Match{Path: "/v1/trans*"}, r, true},
		{"glob part of a segment differs", Match{Path: "/v1/acc*"}, r, false},
		{"glob ?", Match{Path: "/v?/transfers"}, r, true},
		{"glob class", Match{Path: "/v[12]/transfers"}, r, true},
		{"bad glob", Match{Path: "/v1/[x"}, r, false},
		{"glob middle", Match{Path: "/v1/*/cancel"}, post("/v1/transfers/tr_1/cancel", "", ""), false},
		{"glob middle matches", Match{Path: "/v1/transfers/*/cancel"}, post("/v1/transfers/tr_1/cancel", "", ""), true},
		{"** everything under", Match{Path: "/v1/**"}, post("/v1/transfers/tr_1/cancel", "", ""), true},
		{"** zero segments", Match{Path: "/v1/**"}, post("/v1", "", ""), true},
		{"** not another root", Match{Path: "/v1/**"}, post("/_sandbank/journal", "", ""), false},
		{"** in the middle", Match{Path: "/v1/**/cancel"}, post("/v1/transfers/tr_1/cancel", "", ""), true},
		{"** in the middle, zero", Match{Path: "/v1/**/transfers"}, r, true},
		{"** in the middle differs", Match{Path: "/v1/**/cancel"}, post("/v1/transfers/tr_1", "", ""), false},
		{"** alone", Match{Path: "/**"}, post("/healthz", "", ""), true},
		{"template vs route", Match{Path: "/v1/transfers/{id}"}, post("/v1/transfers/tr_1", "/v1/transfers/{id}", ""), true},
		{"template vs other route", Match{Path: "/v1/transfers/{id}"}, post("/v1/transfers/tr_1/cancel", "/v1/transfers/{id}/cancel", ""), false},
		{"template is not a glob", Match{Path: "/v1/transfers/{id}"}, post("/v1/transfers/{id}", "", ""), false},
		{"operation", Match{Operation: "createTransfer"}, r, true},
		{"operation differs", Match{Operation: "getTransfer"}, r, false},
		{"header any", Match{Headers: map[string]string{"Idempotency-Key": "*"}}, r, true},
		{"header name case-insensitive", Match{Headers: map[string]string{"idempotency-key": "k-1"}}, r, true},
		{"header exact differs", Match{Headers: map[string]string{"Idempotency-Key": "k-2"}}, r, false},
		{"header missing", Match{Headers: map[string]string{"Authorization": "*"}}, r, false},
		{"header first value", Match{Headers: map[string]string{"X-Env": "ci"}}, r, true},
		{"header second value", Match{Headers: map[string]string{"X-Env": "other"}}, r, false},
		{"header value case-sensitive", Match{Headers: map[string]string{"X-Env": "CI"}}, r, false},
		{"query any", Match{Query: map[string]string{"expand": "*"}}, r, true},
		{"query exact", Match{Query: map[string]string{"expand": "creditor"}}, r, true},
		{"query differs", Match{Query: map[string]string{"expand": "debtor"}}, r, false},
		{"query missing", Match{Query: map[string]string{"limit": "*"}}, r, false},
		{"query present but empty", Match{Query: map[string]string{"empty": "*"}}, r, true},
		{"query names are case-sensitive", Match{Query: map[string]string{"Expand": "*"}}, r, false},
		{"every condition", Match{Method: "post", Path: "/v1/*", Operation: "createTransfer",
			Headers: map[string]string{"Idempotency-Key": "*"}, Query: map[string]string{"expand": "creditor"},
			Body: map[string]any{"/amount": 10}}, r, true},
		{"every condition but one", Match{Method: "post", Path: "/v1/*", Operation: "createTransfer",
			Headers: map[string]string{"Idempotency-Key": "*"}, Query: map[string]string{"expand": "creditor"},
			Body: map[string]any{"/amount": 11}}, r, false},

		{"body number", Match{Body: map[string]any{"/amount": 10}}, r, true},
		{"body uint64 from YAML", Match{Body: map[string]any{"/amount": uint64(10)}}, r, true},
		{"body int64", Match{Body: map[string]any{"/amount": int64(10)}}, r, true},
		{"body 10.0 equals 10", Match{Body: map[string]any{"/amount": 10.0}}, r, true},
		{"body 10 equals 10.0 in the body", Match{Body: map[string]any{"/big": 10}}, r, true},
		{"body string 10 is not 10", Match{Body: map[string]any{"/amount": "10"}}, r, false},
		{"body other number", Match{Body: map[string]any{"/amount": 11}}, r, false},
		{"body string", Match{Body: map[string]any{"/currency": "BRL"}}, r, true},
		{"body string differs", Match{Body: map[string]any{"/currency": "brl"}}, r, false},
		{"body nested", Match{Body: map[string]any{"/creditor/pix_key": "ana@example.com"}}, r, true},
		{"body null", Match{Body: map[string]any{"/creditor/name": nil}}, r, true},
		{"body bool", Match{Body: map[string]any{"/flag": true}}, r, true},
		{"body array index", Match{Body: map[string]any{"/tags/0": "urgent"}}, r, true},
		{"body array nested", Match{Body: map[string]any{"/tags/1/n": 2}}, r, true},
		{"body array out of range", Match{Body: map[string]any{"/tags/2": "x"}}, r, false},
		{"body array bad index", Match{Body: map[string]any{"/tags/first": "urgent"}}, r, false},
		{"body array negative index", Match{Body: map[string]any{"/tags/-1": "urgent"}}, r, false},
		{"body whole object", Match{Body: map[string]any{"/creditor": map[string]any{"pix_key": "ana@example.com", "name": nil}}}, r, true},
		{"body whole array", Match{Body: map[string]any{"/tags": []any{"urgent", map[string]any{"n": uint64(2)}}}}, r, true},
		{"body escaped ~1", Match{Body: map[string]any{"/a~1b": "slash"}}, r, true},
		{"body escaped ~0", Match{Body: map[string]any{"/m~0n": "tilde"}}, r, true},
		{"body unescaped / is a path", Match{Body: map[string]any{"/a/b": "slash"}}, r, false},
		{"body empty key", Match{Body: map[string]any{"/": "empty key"}}, r, true},
		{"body missing pointer", Match{Body: map[string]any{"/debtor": "x"}}, r, false},
		{"body pointer through a scalar", Match{Body: map[string]any{"/amount/x": 1}}, r, false},
		{"body pointer without /", Match{Body: map[string]any{"amount": 10}}, r, false},
		{"unparseable body", Match{Body: map[string]any{"/amount": 10}}, post("/v1/transfers", "", `{"amount": 10`), false},
		{"no body", Match{Body: map[string]any{"/amount": 10}}, post("/v1/transfers", "", ""), false},
		{"array body", Match{Body: map[string]any{"/0": 1}}, post("/v1/transfers", "", `[1, 2]`), true},
	}
	for _, c := range cases {
		if got := c.m.Matches(c.r); got != c.want {
			t.Errorf("%s: Matches = %v, want %v (match %+v, request %s %s)", c.name, got, c.want, c.m, c.r.Method, c.r.Path)
		}
	}
}

func TestMatchFromYAML(t *testing.T) {
	// Values as the loader reads them from YAML match values as the
	// simulator reads them from JSON.
	sc := mustParse(t, `name: m
rules:
  - match:
      method: post
      path: /v1/transfers
      body:
        /amount: 10
        /rate: 0.5
        /creditor/pix_key: ana@example.com
        /tags: [a, 1]
        /meta: {k: v}
    fault: 503
`)
	m := sc.Rules[0].Match
	req := &Request{Method: "POST", Path: "/v1/transfers",
		Body: []byte(`{"amount":10.0,"rate":0.50,"creditor":{"pix_key":"ana@example.com"},"tags":["a",1],"meta":{"k":"v"}}`)}
	if !m.Matches(req) {
		t.Fatal("YAML values must match the same JSON values")
	}
	req = &Request{Method: "POST", Path: "/v1/transfers",
		Body: []byte(`{"amount":"10","rate":0.5,"creditor":{"pix_key":"ana@example.com"},"tags":["a",1],"meta":{"k":"v"}}`)}
	if m.Matches(req) {
		t.Fatal(`"10" must not match 10`)
	}
}

func TestRequestBodyParsedOnce(t *testing.T) {
	r := &Request{Body: []byte(`{"a": 1}`)}
	m := Match{Body: map[string]any{"/a": 1}}
	if !m.Matches(r) {
		t.Fatal("no match")
	}
	r.Body = []byte(`{"a": 2}`) // the decoded body is kept
	if !m.Matches(r) {
		t.Fatal("the body is decoded once per request")
	}
}

// req is a request of the test tenant.
func req(method, path string) *Request {
	return &Request{Method: method, Path: path, Tenant: "sk_test_tenant_aaaaaaaa"}
}

// hits runs n requests and returns the 1-based indexes that got a fault.
func hits(s *Set, n int, mk func(i int) *Request) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if d := s.Decide(mk(i)); d != nil {
			out = append(out, i)
		}
	}
	return out
}

func anyReq(int) *Request { return req("GET", "/v1/accounts") }

func newSet(t testing.TB, src string) *Set {
	t.Helper()
	s := NewSet("sk_test_tenant_aaaaaaaa", 1, nil)
	s.Activate(mustParse(t, src), "api")
	return s
}

func TestDecideNth(t *testing.T) {
	s := newSet(t, "name: n\nrules:\n  - {match: {method: POST}, nth: 3, fault: 503}\n")
	// GETs do not count: the third POST is hit, once.
	got := hits(s, 20, func(i int) *Request {
		if i%2 == 0 {
			return req("POST", "/v1/transfers")
		}
		return req("GET", "/v1/transfers")
	})
	if fmt.Sprint(got) != "[6]" {
		t.Fatalf("hits %v, want the third POST [6]", got)
	}
	st, _ := s.Lookup("n")
	if st.Rules[0].Matches != 10 || st.Rules[0].Hits != 1 {
		t.Fatalf("counts %+v", st.Rules[0])
	}
}

func TestDecideEvery(t *testing.T) {
	s := newSet(t, "name: e\nrules:\n  - {every: 3, fault: 503}\n")
	if got := hits(s, 10, anyReq); fmt.Sprint(got) != "[3 6 9]" {
		t.Fatalf("hits %v", got)
	}
}

func TestDecideAlways(t *testing.T) {
	s := newSet(t, "name: a\nrules:\n  - {fault: reset}\n")
	if got := hits(s, 4, anyReq); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("hits %v", got)
	}
}

func TestDecideLimit(t *testing.T) {
	s := newSet(t, "name: l\nrules:\n  - {limit: 2, fault: 503}\n  - {every: 2, limit: 2, fault: 502}\n")
	var got []string
	for i := 1; i <= 8; i++ {
		d := s.Decide(anyReq(i))
		if d == nil {
			got = append(got, "-")
			continue
		}
		got = append(got, d.Injection.Type)
	}
	// Rule 1 hits twice; rule 2 sees requests from the third on and hits its
	// 2nd and 4th matches (requests 4 and 6).
	if fmt.Sprint(got) != "[503 503 - 502 - 502 - -]" {
		t.Fatalf("decisions %v", got)
	}
	st, _ := s.Lookup("l")
	if st.Rules[0].Matches != 8 || st.Rules[0].Hits != 2 || st.Rules[1].Matches != 6 || st.Rules[1].Hits != 2 {
		t.Fatalf("counts %+v", st.Rules)
	}
}

func TestDecideSteps(t *testing.T) {
	s := newSet(t, `name: s
rules:
  - match: {method: POST}
    steps: [503, pass, "reset;phase=after_commit"]
`)
	var got []string
	for i := 0; i < 6; i++ {
		s.Decide(req("GET", "/v1/x")) // not matched: no step consumed
		d := s.Decide(req("POST", "/v1/x"))
		if d == nil {
			got = append(got, "pass")
			continue
		}
		got = append(got, d.Injection.String())
	}
	if fmt.Sprint(got) != "[503 pass reset;phase=after_commit pass pass pass]" {
		t.Fatalf("steps %v", got)
	}
	st, _ := s.Lookup("s")
	if st.Rules[0].Matches != 6 || st.Rules[0].Hits != 2 {
		t.Fatalf("counts %+v", st.Rules[0])
	}
}

func TestDecideStepsRepeat(t *testing.T) {
	s := newSet(t, "name: r\nrules:\n  - {steps: [rate_limit, pass, pass], repeat: true}\n")
	if got := hits(s, 10, anyReq); fmt.Sprint(got) != "[1 4 7 10]" {
		t.Fatalf("hits %v", got)
	}
	s = newSet(t, "name: r\nrules:\n  - {steps: [pass, 503], repeat: true, limit: 2}\n")
	if got := hits(s, 10, anyReq); fmt.Sprint(got) != "[2 4]" {
		t.Fatalf("repeat with a limit: hits %v", got)
	}
}

func TestDecideProbability(t *testing.T) {
	const src = "name: p\nrules:\n  - {probability: 0.3, fault: 503}\n"
	run := func(tenant string, serverSeed uint64, src string) []int {
		s := NewSet(tenant, serverSeed, nil)
		s.Activate(mustParse(t, src), "api")
		return hits(s, 1000, func(int) *Request { return &Request{Method: "GET", Path: "/v1/x", Tenant: tenant} })
	}
	a := run("sk_test_a", 1, src)
	if n := len(a); n < 240 || n > 360 {
		t.Fatalf("%d hits in 1000 at p=0.3", n)
	}
	if fmt.Sprint(run("sk_test_a", 1, src)) != fmt.Sprint(a) {
		t.Fatal("the same seed and tenant must hit the same requests")
	}
	if fmt.Sprint(run("sk_test_b", 1, src)) == fmt.Sprint(a) {
		t.Fatal("another tenant must draw its own stream")
	}
	if fmt.Sprint(run("sk_test_a", 2, src)) == fmt.Sprint(a) {
		t.Fatal("another server seed must draw another stream")
	}
	// A scenario's own seed wins over the server's.
	seeded := "name: p\nseed: 9\nrules:\n  - {probability: 0.3, fault: 503}\n"
	if fmt.Sprint(run("sk_test_a", 1, seeded)) != fmt.Sprint(run("sk_test_a", 2, seeded)) {
		t.Fatal("a scenario seed must make the server seed irrelevant")
	}
	if fmt.Sprint(run("sk_test_a", 1, seeded)) == fmt.Sprint(a) {
		t.Fatal("seed 9 drew the same as seed 1")
	}
	// probability 1 hits everything.
	if got := run("sk_test_a", 1, "name: p\nrules:\n  - {probability: 1, fault: 503}\n"); len(got) != 1000 {
		t.Fatalf("p=1: %d hits", len(got))
	}
}

func TestDecideTenants(t *testing.T) {
	s := NewSet("sk_test_a", 1, nil)
	s.Activate(mustParse(t, "name: t\nrules:\n  - {tenants: [sk_test_a, sk_test_c], fault: 503}\n"), "api")
	for tenant, want := range map[string]bool{"sk_test_a": true, "sk_test_b": false, "sk_test_c": true, "": false} {
		d := s.Decide(&Request{Method: "GET", Path: "/", Tenant: tenant})
		if (d != nil) != want {
			t.Errorf("tenant %q: decision %v, want fault %v", tenant, d, want)
		}
	}
	st, _ := s.Lookup("t")
	if st.Rules[0].Matches != 2 {
		t.Fatalf("requests of other tenants are not counted: %+v", st.Rules[0])
	}
}

func TestDecideRuleOrder(t *testing.T) {
	s := newSet(t, `name: order
rules:
  - {name: second-post, match: {method: POST}, nth: 2, fault: 502}
  - {name: every-request, every: 2, fault: 503}
  - {name: catch-all, fault: reset}
`)
	type dec struct{ rule, typ string }
	var got []dec
	for _, m := range []string{"POST", "POST", "POST", "GET", "GET", "GET"} {
		d := s.Decide(req(m, "/v1/x"))
		got = append(got, dec{d.Rule, d.Injection.Type})
	}
	want := []dec{
		{"catch-all", "reset"},   // second-post: match 1; every-request: match 1
		{"second-post", "502"},   // second-post fires; the later rules do not count it
		{"every-request", "503"}, // second-post: match 3; every-request: match 2
		{"catch-all", "reset"},   // every-request: match 3
		{"every-request", "503"}, // every-request: match 4
		{"catch-all", "reset"},   // every-request: match 5
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("decisions\n got %v\nwant %v", got, want)
	}
	st, _ := s.Lookup("order")
	counts := fmt.Sprint(st.Rules[0].Matches, st.Rules[0].Hits, st.Rules[1].Matches, st.Rules[1].Hits, st.Rules[2].Matches, st.Rules[2].Hits)
	if counts != "3 1 5 2 3 3" {
		t.Fatalf("counts (matches hits per rule): %s", counts)
	}
}

func TestDecideServerScenariosFirst(t *testing.T) {
	server := mustParse(t, "name: server\nrules:\n  - {every: 2, fault: 503}\n")
	tenant := mustParse(t, "name: tenant\nrules:\n  - {fault: reset}\n")
	s := NewSet("sk_test_a", 1, []*Scenario{server})
	s.Activate(tenant, "api")
	var got []string
	for i := 0; i < 4; i++ {
		got = append(got, s.Decide(req("GET", "/")).Scenario)
	}
	if fmt.Sprint(got) != "[tenant server tenant server]" {
		t.Fatalf("%v", got)
	}
	active := s.Active()
	if len(active) != 2 || active[0].Origin != "server" || active[1].Origin != "api" {
		t.Fatalf("active %+v", active)
	}
}

func TestDecisionFields(t *testing.T) {
	sc := mustParse(t, "name: d\nrules:\n  - {name: r1, fault: \"latency;min=1ms;max=9ms\"}\n")
	s := NewSet("sk_test_a", 1, nil)
	s.Activate(sc, "api")
	d := s.Decide(req("GET", "/"))
	if d.Scenario != "d" || d.Rule != "r1" || d.Injection != sc.Rules[0].Fault || d.Rand == nil {
		t.Fatalf("%+v", d)
	}
	// Each decision has its own stream, reproducible from the seed.
	s2 := NewSet("sk_test_a", 1, nil)
	s2.Activate(sc, "api")
	d2 := s2.Decide(req("GET", "/"))
	if d.Rand.Uint64() != d2.Rand.Uint64() {
		t.Fatal("decision streams differ for the same seed")
	}
	if e := s.Decide(req("GET", "/")); e.Rand.Uint64() == d.Rand.Uint64() {
		t.Fatal("successive decisions share a stream")
	}
}

func TestActivateReplacesAndRestarts(t *testing.T) {
	nth2 := mustParse(t, "name: x\nrules:\n  - {nth: 2, fault: 503}\n")
	other := mustParse(t, "name: y\nrules:\n  - {nth: 100, fault: 503}\n")
	s := NewSet("sk_test_a", 1, nil)
	s.Activate(nth2, "api")
	s.Activate(other, "library")
	if s.Decide(req("GET", "/")) != nil {
		t.Fatal("first request hit")
	}
	// Activating again replaces it, in place, and its counts start again.
	replacement := mustParse(t, "name: x\nrules:\n  - {nth: 2, fault: 502}\n")
	s.Activate(replacement, "header")
	active := s.Active()
	if len(active) != 2 || active[0].Scenario != replacement || active[0].Origin != "header" || active[0].Rules[0].Matches != 0 {
		t.Fatalf("after re-activation: %+v", active)
	}
	if active[1].Scenario.Name != "y" || active[1].Rules[0].Matches != 1 {
		t.Fatalf("the other scenario keeps its counts: %+v", active[1])
	}
	if s.Decide(req("GET", "/")) != nil {
		t.Fatal("counts did not restart: the first request after re-activation was hit")
	}
	if d := s.Decide(req("GET", "/")); d == nil || d.Injection.Type != "502" {
		t.Fatalf("second request after re-activation: %+v", d)
	}
}

func TestActivateOnce(t *testing.T) {
	sc := mustParse(t, "name: once\nrules:\n  - {nth: 2, fault: 503}\n")
	s := NewSet("sk_test_a", 1, nil)
	if !s.ActivateOnce(sc, "header") {
		t.Fatal("first ActivateOnce must activate")
	}
	if s.Decide(req("GET", "/")) != nil {
		t.Fatal("first request hit")
	}
	if s.ActivateOnce(sc, "header") {
		t.Fatal("ActivateOnce of an active scenario must not activate again")
	}
	if d := s.Decide(req("GET", "/")); d == nil {
		t.Fatal("ActivateOnce restarted the counts")
	}
	if len(s.Active()) != 1 {
		t.Fatalf("%+v", s.Active())
	}
}

func TestDeactivateAndReset(t *testing.T) {
	server := mustParse(t, "name: server\nrules:\n  - {nth: 2, fault: 503}\n")
	tenant := mustParse(t, "name: tenant\nrules:\n  - {fault: reset}\n")
	s := NewSet("sk_test_a", 1, []*Scenario{server})
	s.Activate(tenant, "api")
	if d := s.Decide(req("GET", "/")); d.Scenario != "tenant" {
		t.Fatalf("%+v", d)
	}
	if !s.Deactivate("tenant") || s.Deactivate("tenant") || s.Deactivate("never") {
		t.Fatal("Deactivate reports whether the scenario was active")
	}
	if _, ok := s.Lookup("tenant"); ok {
		t.Fatal("deactivated scenario still listed")
	}
	if d := s.Decide(req("GET", "/")); d == nil || d.Scenario != "server" {
		t.Fatalf("server scenario's second match: %+v", d)
	}
	// Reset drops the tenant's scenarios and restarts the server's.
	s.Activate(tenant, "api")
	s.Reset([]*Scenario{server})
	active := s.Active()
	if len(active) != 1 || active[0].Scenario != server || active[0].Origin != "server" || active[0].Rules[0].Matches != 0 {
		t.Fatalf("after Reset: %+v", active)
	}
	if s.Decide(req("GET", "/")) != nil || s.Decide(req("GET", "/")) == nil {
		t.Fatal("server scenario's counts did not restart")
	}
	s.Reset(nil)
	if len(s.Active()) != 0 || s.Decide(req("GET", "/")) != nil {
		t.Fatal("Reset(nil) leaves nothing active")
	}
}

func TestActiveCounts(t *testing.T) {
	s := newSet(t, `name: c
rules:
  - {name: posts, match: {method: POST}, every: 2, fault: 503}
  - {name: gets, match: {method: GET}, limit: 1, fault: reset}
`)
	for _, m := range []string{"POST", "POST", "POST", "GET", "GET", "DELETE"} {
		s.Decide(req(m, "/"))
	}
	st, ok := s.Lookup("c")
	if !ok || st.Origin != "api" || len(st.Rules) != 2 {
		t.Fatalf("%+v", st)
	}
	if r := st.Rules[0]; r.Rule.Name != "posts" || r.Matches != 3 || r.Hits != 1 {
		t.Fatalf("posts %+v", r)
	}
	if r := st.Rules[1]; r.Rule.Name != "gets" || r.Matches != 2 || r.Hits != 1 {
		t.Fatalf("gets %+v", r)
	}
	if _, ok := s.Lookup("none"); ok {
		t.Fatal("Lookup of an inactive scenario")
	}
}

// mixed is a scenario using every selection, for determinism tests.
const mixed = `name: mixed
rules:
  - name: third-post
    match: {method: POST, path: "/v1/transfers"}
    nth: 3
    fault: "reset;phase=after_commit"
  - name: flaky-gets
    match: {method: GET}
    probability: 0.2
    fault: "latency;min=1ms;max=50ms"
  - name: cycle
    match: {path: "/v1/**"}
    steps: [pass, 503, pass, "rate_limit=1s"]
    repeat: true
  - name: rare
    probability: 0.05
    fault: close
  - name: every-7th
    every: 7
    limit: 20
    fault: 504
`

func mixedRequest(i int) *Request {
	methods := []string{"GET", "POST", "GET", "DELETE", "GET"}
	paths := []string{"/v1/transfers", "/v1/accounts", "/healthz", "/v1/transfers/tr_1", "/v1/customers"}
	return &Request{Method: methods[i%len(methods)], Path: paths[(i/3)%len(paths)], Tenant: "sk_test_tenant_aaaaaaaa"}
}

func TestDecideDeterministic(t *testing.T) {
	run := func() []string {
		s := NewSet("sk_test_tenant_aaaaaaaa", 12345, []*Scenario{mustParse(t, "name: srv\nrules:\n  - {probability: 0.01, fault: 500}\n")})
		s.Activate(mustParse(t, mixed), "api")
		var out []string
		for i := 0; i < 1000; i++ {
			d := s.Decide(mixedRequest(i))
			if d == nil {
				out = append(out, "-")
				continue
			}
			out = append(out, fmt.Sprintf("%s/%s/%s/%d", d.Scenario, d.Rule, d.Injection.Type, d.Rand.Uint64()))
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("request %d: %s vs %s", i, a[i], b[i])
		}
	}
	// Every rule had its say (the test would prove little otherwise).
	fired := map[string]bool{}
	for _, d := range a {
		for _, r := range []string{"srv/", "/third-post/", "/flaky-gets/", "/cycle/", "/rare/", "/every-7th/"} {
			if strings.Contains(d, r) {
				fired[r] = true
			}
		}
	}
	if len(fired) != 6 {
		t.Fatalf("only %v fired", fired)
	}
}

func TestDecideConcurrent(t *testing.T) {
	s := newSet(t, `name: conc
rules:
  - {name: every-3rd, every: 3, fault: 503}
  - {name: posts, match: {method: POST}, limit: 100, fault: reset}
  - {name: rest, fault: close}
`)
	const workers, each = 8, 250
	var wg sync.WaitGroup
	var mu sync.Mutex
	byRule := map[string]int{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int{}
			for i := range each {
				method := "GET"
				if (w+i)%2 == 0 {
					method = "POST"
				}
				r := &Request{Method: method, Path: "/v1/x", Tenant: "sk_test_tenant_aaaaaaaa",
					Body: []byte(`{"n":1}`)}
				if d := s.Decide(r); d != nil {
					local[d.Rule]++
				}
			}
			mu.Lock()
			for k, v := range local {
				byRule[k] += v
			}
			mu.Unlock()
		}()
	}
	// Activations and reads race with decisions too.
	for range 20 {
		s.Active()
		s.ActivateOnce(mustParse(t, "name: conc\nrules:\n  - {fault: 503}\n"), "header")
	}
	wg.Wait()
	const total = workers * each
	// every-3rd fires on its 3rd, 6th, ... match; posts takes 100 of the rest; rest takes the others.
	if byRule["every-3rd"] != total/3 || byRule["posts"] != 100 || byRule["rest"] != total-total/3-100 {
		t.Fatalf("hits %v (total %d)", byRule, total)
	}
	st, _ := s.Lookup("conc")
	if st.Rules[0].Matches != total || st.Rules[0].Hits != total/3 || st.Rules[1].Hits != 100 || st.Rules[2].Hits != byRule["rest"] {
		t.Fatalf("counts %+v", st.Rules)
	}
}

func TestSameJSON(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{10, 10.0, true},
		{uint64(10), int64(10), true},
		{"10", 10, false},
		{nil, nil, true},
		{true, true, true},
		{map[string]any{"a": 1}, map[string]any{"a": 1.0}, true},
		{[]any{1, "x"}, []any{1.0, "x"}, true},
		{[]any{1, 2}, []any{2, 1}, false},
	} {
		if got := sameJSON(c.a, c.b); got != c.want {
			t.Errorf("sameJSON(%#v, %#v) = %v", c.a, c.b, got)
		}
	}
}

func TestDecideWebhook(t *testing.T) {
	s := newSet(t, `name: w
rules:
  - {name: payments, match: {event: "payment.*"}, every: 2, fault: webhook_duplicate}
  - {name: other-tenant, tenants: [sk_test_other], fault: webhook_fail}
  - {name: requests, fault: 503}
`)
	var got []string
	for _, ev := range []string{"payment.created", "payment.succeeded", "transfer.created", "payment.failed"} {
		d := s.DecideWebhook(ev)
		if d == nil {
			got = append(got, "-")
			continue
		}
		got = append(got, d.Rule+"/"+d.Injection.Type)
	}
	// Only the webhook rule for this tenant and these events acts on deliveries.
	if fmt.Sprint(got) != "[- payments/webhook_duplicate - -]" {
		t.Fatalf("webhook decisions %v", got)
	}
	// Requests see only the request rule.
	if d := s.Decide(req("POST", "/v1/payments")); d == nil || d.Rule != "requests" {
		t.Fatalf("request decision %+v", d)
	}
	st, _ := s.Lookup("w")
	if st.Rules[0].Matches != 3 || st.Rules[0].Hits != 1 || st.Rules[1].Matches != 0 || st.Rules[2].Matches != 1 {
		t.Fatalf("counts %+v", st.Rules)
	}
}
