package simulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// Each fault observed from a real HTTP client: what the client sees, what
// the bank did, and what the journal says.

// lastEntry returns the journal entry of the last request with an
// operation id, once the request has finished.
func lastEntry(t *testing.T, c *simtest.Client, operation string) map[string]any {
	t.Helper()
	var found map[string]any
	c.WaitJournal(func(es []map[string]any) bool {
		found = nil
		for _, e := range es {
			if e["operation_id"] == operation {
				found = e
			}
		}
		return found != nil && found["outcome"] != "in_flight"
	})
	return found
}

func faultOf(t *testing.T, e map[string]any) map[string]any {
	t.Helper()
	f, ok := e["fault"].(map[string]any)
	if !ok {
		t.Fatalf("journal entry has no fault: %v", e)
	}
	return f
}

func TestFaultResetBeforeAndAfterCommit(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 5})
	c := srv.Client(simtest.NewKey("reset"))
	from := brlAccount(t, c)

	// Before: the client sees a reset, nothing is applied.
	_, err := c.Try(c.Request("POST", "/v1/transfers", pixTransfer(from, 100), "Sandbank-Fault", "reset", "Idempotency-Key", "r-1"))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset, got %v", err)
	}
	e := lastEntry(t, c, "createTransfer")
	if e["outcome"] != "connection_reset" || e["status"] != float64(0) || e["resource_id"] != nil {
		t.Fatalf("journal: %v", e)
	}
	if f := faultOf(t, e); f["type"] != "reset" || f["phase"] != "before" || f["rule"] != "Sandbank-Fault" {
		t.Fatalf("fault: %v", f)
	}
	if n := countTransfers(t, c); n != 0 {
		t.Fatalf("%d transfers after a reset before the handler", n)
	}
	// The key was not used: the retry runs the operation.
	first := c.Post("/v1/transfers", pixTransfer(from, 100), "Idempotency-Key", "r-1").Expect(t, http.StatusCreated)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("nothing was stored before the reset; the retry must not be a replay")
	}

	// After commit: the client sees a reset, but the transfer exists and
	// the retry with the same key replays it.
	_, err = c.Try(c.Request("POST", "/v1/transfers", pixTransfer(from, 200), "Sandbank-Fault", "reset;phase=after_commit", "Idempotency-Key", "r-2"))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a connection reset, got %v", err)
	}
	e = lastEntry(t, c, "createTransfer")
	if e["outcome"] != "connection_reset" || e["resource_id"] == nil {
		t.Fatalf("journal after commit: %v", e)
	}
	if f := faultOf(t, e); f["phase"] != "after_commit" {
		t.Fatalf("fault: %v", f)
	}
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers, want 2 (the committed one exists)", n)
	}
	retry := c.Post("/v1/transfers", pixTransfer(from, 200), "Idempotency-Key", "r-2").Expect(t, http.StatusCreated)
	if retry.Header.Get("Idempotent-Replayed") != "true" || retry.JSON()["id"] != e["resource_id"] {
		t.Fatalf("retry: %v %s", retry.Header, retry.Body)
	}
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers after the idempotent retry, want 2", n)
	}
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatal(err)
	}
}

func TestFaultCloseIsAnEmptyReply(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("close"))
	_, err := c.Try(c.Request("GET", "/v1/accounts", nil, "Sandbank-Fault", "close"))
	if err == nil || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF")) {
		t.Fatalf("want an empty reply (EOF), got %v", err)
	}
	if e := lastEntry(t, c, "listAccounts"); e["outcome"] != "connection_closed" {
		t.Fatalf("journal: %v", e)
	}
}

func TestFaultHang(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{MaxHang: 2 * time.Second})
	c := srv.Client(simtest.NewKey("hang"))
	impatient := &http.Client{Timeout: 150 * time.Millisecond}

	t.Run("until the client gives up", func(t *testing.T) {
		_, err := impatient.Do(c.Request("GET", "/v1/accounts", nil, "Sandbank-Fault", "hang"))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("want a client timeout, got %v", err)
		}
		e := lastEntry(t, c, "listAccounts")
		if e["outcome"] != "client_closed" {
			t.Fatalf("journal: %v", e)
		}
		if held := faultOf(t, e)["params"].(map[string]any)["held_ms"]; held == nil {
			t.Fatalf("no held_ms in %v", e)
		}
	})
	t.Run("for a duration, then close", func(t *testing.T) {
		_, err := c.Try(c.Request("GET", "/v1/customers", nil, "Sandbank-Fault", "hang=50ms"))
		if err == nil || !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("want EOF after the hang, got %v", err)
		}
		if e := lastEntry(t, c, "listCustomers"); e["outcome"] != "hung" {
			t.Fatalf("journal: %v", e)
		}
	})
	t.Run("headers then a stalled body", func(t *testing.T) {
		resp, err := impatient.Do(c.Request("GET", "/v1/transfers", nil, "Sandbank-Fault", "hang;headers"))
		if err != nil {
			t.Fatalf("the headers should arrive: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Request-Id") == "" || resp.ContentLength <= 0 {
			t.Fatalf("head: %d %v", resp.StatusCode, resp.Header)
		}
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Fatal("the body should never arrive")
		}
	})
	t.Run("capped by the server", func(t *testing.T) {
		capped := simtest.Start(t, simulator.Config{MaxHang: 100 * time.Millisecond})
		cc := capped.Client(simtest.NewKey("cap"))
		_, err := cc.Try(cc.Request("GET", "/v1/accounts", nil, "Sandbank-Fault", "hang=1h"))
		if err == nil {
			t.Fatal("a capped hang still sends no response")
		}
		if e := lastEntry(t, cc, "listAccounts"); e["outcome"] != "hung" {
			t.Fatalf("journal: %v", e)
		}
	})
}

func TestFaultLatency(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 8})
	c := srv.Client(simtest.NewKey("latency"))
	c.Get("/v1/accounts", "Sandbank-Fault", "latency=30ms").Expect(t, http.StatusOK)
	e := lastEntry(t, c, "listAccounts")
	params := faultOf(t, e)["params"].(map[string]any)
	if params["delay_ms"] != float64(30) || e["duration_us"].(float64) < 30000 {
		t.Fatalf("journal: %v", e)
	}
	// After commit: the response waits, the operation is already applied.
	from := brlAccount(t, c)
	c.Post("/v1/transfers", pixTransfer(from, 10), "Sandbank-Fault", "latency=20ms;phase=after_commit").Expect(t, http.StatusCreated)
	if f := faultOf(t, lastEntry(t, c, "createTransfer")); f["phase"] != "after_commit" {
		t.Fatalf("fault %v", f)
	}
	// Uniform and log-normal draws stay in range.
	for i := range 5 {
		c.Get("/v1/customers", "Sandbank-Fault", "latency;min=5ms;max=15ms")
		d := faultOf(t, lastEntry(t, c, "listCustomers"))["params"].(map[string]any)["delay_ms"].(float64)
		if d < 5 || d >= 15 {
			t.Fatalf("draw %d: %v ms outside 5..15", i, d)
		}
	}
}

func TestFaultStatusAndPresets(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("status"))
	for code, problem := range map[string]string{"500": "internal_error", "502": "bad_gateway", "503": "service_unavailable", "504": "gateway_timeout"} {
		r := c.Get("/v1/accounts", "Sandbank-Fault", code)
		p := r.Problem(t, int(mustAtoi(t, code)), problem)
		if !strings.Contains(p.Detail, "injected") {
			t.Errorf("%s: detail %q", code, p.Detail)
		}
	}
	r := c.Get("/v1/accounts", "Sandbank-Fault", "status=503;retry-after=3")
	r.Problem(t, http.StatusServiceUnavailable, "service_unavailable")
	if r.Header.Get("Retry-After") != "3" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Any status, with headers and a body, through a scenario.
	c.Do(http.MethodPut, "/_sandbank/scenarios/teapot", `name: teapot
rules:
  - match: { operation: listCustomers }
    fault: { type: status, code: 418, headers: { X-Brewed: "yes" }, body: { message: short and stout } }
`, "Content-Type", "application/yaml").Expect(t, http.StatusOK)
	// An injected response may break the contract on purpose: read it raw.
	resp, err := http.DefaultClient.Do(c.Request("GET", "/v1/customers", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 418 || resp.Header.Get("X-Brewed") != "yes" || !strings.Contains(string(body), "short and stout") {
		t.Fatalf("teapot: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFaultRateLimit(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("429"))
	r := c.Get("/v1/accounts", "Sandbank-Fault", "rate_limit=2s")
	r.Problem(t, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") != "2" || r.Header.Get("RateLimit") != `"default";r=0;t=2` || r.Header.Get("RateLimit-Policy") != `"default";q=100;w=60` {
		t.Fatalf("headers %v", r.Header)
	}
	r = c.Get("/v1/accounts", "Sandbank-Fault", "rate_limit=5s;retry-after-format=date")
	when, err := http.ParseTime(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q is not an HTTP-date: %v", r.Header.Get("Retry-After"), err)
	}
	if d := time.Until(when); d < 2*time.Second || d > 6*time.Second {
		t.Fatalf("Retry-After date %v is %v away, want about 5 s", when, d)
	}
}

func TestTokenBucketRateLimit(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("bucket"))
	c.Patch("/_sandbank/settings", map[string]any{"rate_limit": map[string]any{"requests_per_second": 0.5, "burst": 2}}).Expect(t, http.StatusOK)
	ok1 := c.Get("/v1/accounts").Expect(t, http.StatusOK)
	if ok1.Header.Get("RateLimit") != `"default";r=1;t=2` || ok1.Header.Get("RateLimit-Policy") != `"default";q=2;w=4` {
		t.Fatalf("RateLimit fields on a 200: %v", ok1.Header)
	}
	c.Get("/v1/accounts").Expect(t, http.StatusOK)
	r := c.Get("/v1/accounts")
	r.Problem(t, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Header.Get("RateLimit"), `"default";r=0;`) {
		t.Fatalf("429 headers %v", r.Header)
	}
	// The admin API is exempt, so the limit can always be lifted.
	c.Patch("/_sandbank/settings", map[string]any{"rate_limit": map[string]any{"requests_per_second": 0}}).Expect(t, http.StatusOK)
	c.Get("/v1/accounts").Expect(t, http.StatusOK)
	// Another tenant was never limited.
	srv.Client(simtest.NewKey("bucket")).Get("/v1/accounts").Expect(t, http.StatusOK)
}

func TestFaultMalformed(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("malformed"))
	resp, err := http.DefaultClient.Do(c.Request("GET", "/v1/accounts", nil, "Sandbank-Fault", "malformed=invalid_json"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.Valid(body) || len(body) == 0 {
		t.Fatalf("invalid_json: %d %s", resp.StatusCode, body)
	}
	for _, mode := range []string{"truncated", "wrong_length"} {
		resp, err := http.DefaultClient.Do(c.Request("GET", "/v1/accounts", nil, "Sandbank-Fault", "malformed="+mode))
		if err != nil {
			t.Fatalf("%s: the head arrives: %v", mode, err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("%s: reading the body: %v, want unexpected EOF", mode, err)
		}
	}
}

func TestFaultSlowBody(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("slow"))
	const rate = 4000 // bytes per second
	start := time.Now()
	resp, err := http.DefaultClient.Do(c.Request("GET", "/v1/accounts?limit=3", nil, "Sandbank-Fault", fmt.Sprintf("slow_body=%d", rate)))
	if err != nil {
		t.Fatal(err)
	}
	headAt := time.Since(start)
	var pieces int
	var body []byte
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			pieces++
			body = append(body, buf[:n]...)
		}
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	total := time.Since(start)
	if int64(len(body)) != resp.ContentLength || !json.Valid(body) {
		t.Fatalf("the whole body arrives: %d of %d bytes", len(body), resp.ContentLength)
	}
	// The body came in pieces, no faster than the rate allows.
	minimum := time.Duration(float64(len(body)-rate/20) / rate * float64(time.Second))
	if pieces < 3 || total-headAt < minimum {
		t.Fatalf("%d bytes in %d pieces over %v (headers after %v); at %d B/s it takes at least %v", len(body), pieces, total-headAt, headAt, rate, minimum)
	}
}

func TestFaultDuplicate(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("dup"))
	from := brlAccount(t, c)
	r := c.Post("/v1/transfers", pixTransfer(from, 777), "Sandbank-Fault", "duplicate", "Idempotency-Key", "once").Expect(t, http.StatusCreated)
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers; the provider bug applies it twice", n)
	}
	e := lastEntry(t, c, "createTransfer")
	res := faultOf(t, e)["params"].(map[string]any)["resources"].([]any)
	if len(res) != 2 || res[0] != r.JSON()["id"] || res[1] == res[0] || e["resource_id"] != res[0] {
		t.Fatalf("journal: %v", e)
	}
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidFaultHeader(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("badfault"))
	for _, h := range []string{"boom", "status=abc", "slow_body;phase=before", "pass"} {
		fields := c.Get("/v1/accounts", "Sandbank-Fault", h).ExpectProblem(t, http.StatusBadRequest, "invalid_fault")
		if len(fields) != 1 || fields[0] != "header:Sandbank-Fault" {
			t.Fatalf("%q: %v", h, fields)
		}
	}
	c.Get("/v1/accounts", "Sandbank-Scenario", "no-such-thing").ExpectProblem(t, http.StatusBadRequest, "unknown_scenario")
}

const firstTransferLost = `name: first-transfer-lost
description: The first transfer is applied, then its response is lost.
rules:
  - name: lose-it
    match: { method: POST, operation: createTransfer, body: { /rail: pix } }
    nth: 1
    fault: "reset;phase=after_commit"
`

func TestScenarioAdminAPI(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("admin-scn"))
	from := brlAccount(t, c)
	put := c.Do(http.MethodPut, "/_sandbank/scenarios/first-transfer-lost", firstTransferLost, "Content-Type", "application/yaml").Expect(t, http.StatusOK)
	if put.JSON()["origin"] != "api" {
		t.Fatalf("put: %s", put.Body)
	}
	// A TED does not match (body /rail), the first Pix is hit, the second passes.
	ted := map[string]any{"rail": "ted", "debtor_account_id": from, "amount": 100, "currency": "BRL", "creditor": map[string]any{
		"bank_code": "341", "branch": "1", "account_number": "123456", "name": "Ana", "tax_id": "123.456.789-09"}}
	c.Post("/v1/transfers", ted).Expect(t, http.StatusCreated)
	if _, err := c.Try(c.Request("POST", "/v1/transfers", pixTransfer(from, 100))); err == nil {
		t.Fatal("the first Pix should be reset")
	}
	c.Post("/v1/transfers", pixTransfer(from, 100)).Expect(t, http.StatusCreated)
	var got struct {
		Rules []struct{ Matches, Hits int } `json:"rules"`
	}
	c.Get("/_sandbank/scenarios/first-transfer-lost").Expect(t, http.StatusOK).Decode(t, &got)
	if got.Rules[0].Matches != 2 || got.Rules[0].Hits != 1 {
		t.Fatalf("counts %+v", got.Rules)
	}
	var list struct {
		Data []struct{ Name string } `json:"data"`
	}
	c.Get("/_sandbank/scenarios").Expect(t, http.StatusOK).Decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].Name != "first-transfer-lost" {
		t.Fatalf("list %+v", list)
	}
	// JSON bodies work too; the name must match the path.
	c.Do(http.MethodPut, "/_sandbank/scenarios/other", map[string]any{"name": "first-transfer-lost", "rules": []any{map[string]any{"fault": "503"}}}).
		ExpectProblem(t, http.StatusBadRequest, "invalid_scenario")
	// Lint errors carry line and column.
	p := c.Do(http.MethodPut, "/_sandbank/scenarios/broken", "name: broken\nrules:\n  - fault: {type: status, code: abc}\n    nth: 0\n",
		"Content-Type", "application/yaml").Problem(t, http.StatusBadRequest, "invalid_scenario")
	if len(p.Errors) != 2 || p.Errors[0].Pointer != "/rules/0/fault/code" || !strings.HasPrefix(p.Errors[0].Detail, "line 3, column") || p.Errors[1].Pointer != "/rules/0/nth" {
		t.Fatalf("errors %+v", p.Errors)
	}
	// An empty body activates the library scenario of that name.
	c.Do(http.MethodPut, "/_sandbank/scenarios/503-storm", nil).Expect(t, http.StatusOK)
	c.Do(http.MethodPut, "/_sandbank/scenarios/not-in-library", nil).ExpectProblem(t, http.StatusNotFound, "resource_missing")
	c.Do(http.MethodDelete, "/_sandbank/scenarios/503-storm", nil).Expect(t, http.StatusNoContent)
	c.Do(http.MethodDelete, "/_sandbank/scenarios/503-storm", nil).ExpectProblem(t, http.StatusNotFound, "resource_missing")
	// The library is listed.
	var lib struct {
		Data []struct{ Name, Origin string } `json:"data"`
	}
	c.Get("/_sandbank/scenario_library").Expect(t, http.StatusOK).Decode(t, &lib)
	if len(lib.Data) < 8 || lib.Data[0].Origin != "library" {
		t.Fatalf("library %+v", lib)
	}
	// Reset deactivates the tenant's scenarios.
	c.Post("/_sandbank/reset", nil).Expect(t, http.StatusOK)
	c.Get("/_sandbank/scenarios").Expect(t, http.StatusOK).Decode(t, &list)
	if len(list.Data) != 0 {
		t.Fatalf("after reset: %+v", list)
	}
}

func TestScenarioHeaderActivatesALibraryScenario(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("hdr-scn"))
	// The header activates 503-storm for the tenant; its counts survive
	// the header being sent again.
	for i := range 5 {
		c.Get("/v1/accounts", "Sandbank-Scenario", "503-storm").Problem(t, http.StatusServiceUnavailable, "service_unavailable")
		_ = i
	}
	c.Get("/v1/accounts", "Sandbank-Scenario", "503-storm").Expect(t, http.StatusOK)
	var st struct {
		Origin string `json:"origin"`
		Rules  []struct{ Hits int }
	}
	c.Get("/_sandbank/scenarios/503-storm").Expect(t, http.StatusOK).Decode(t, &st)
	if st.Origin != "header" || st.Rules[0].Hits != 5 {
		t.Fatalf("%+v", st)
	}
}

func TestServerWideScenariosAreCountedPerTenant(t *testing.T) {
	sc, err := scenarios.Parse("test.yaml", []byte(`name: second-get-fails
rules:
  - match: { method: GET, path: /v1/accounts }
    nth: 2
    fault: 503
  - match: { path: "/v1/customers" }
    tenants: [sk_test_onlythistenant0000000001]
    fault: 502
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := simtest.Start(t, simulator.Config{Scenarios: []*scenarios.Scenario{sc}})
	for _, key := range []string{simtest.NewKey("a"), simtest.NewKey("b")} {
		c := srv.Client(key)
		c.Get("/v1/accounts").Expect(t, http.StatusOK)
		c.Get("/v1/accounts").Problem(t, http.StatusServiceUnavailable, "service_unavailable")
		c.Get("/v1/accounts").Expect(t, http.StatusOK)
		c.Get("/v1/customers").Expect(t, http.StatusOK) // not in the rule's tenants
		var st struct {
			Origin string `json:"origin"`
		}
		c.Get("/_sandbank/scenarios/second-get-fails").Expect(t, http.StatusOK).Decode(t, &st)
		if st.Origin != "server" {
			t.Fatalf("origin %q", st.Origin)
		}
	}
	srv.Client("sk_test_onlythistenant0000000001").Get("/v1/customers").Problem(t, http.StatusBadGateway, "bad_gateway")
}

func TestFaultDecisionsAreDeterministic(t *testing.T) {
	run := func() []string {
		srv := simtest.Start(t, simulator.Config{Seed: 77, MaxHang: time.Second})
		c := srv.Client("sk_test_determinismdeterminism01")
		c.Do(http.MethodPut, "/_sandbank/scenarios/flaky-10pct", nil).Expect(t, http.StatusOK)
		c.Do(http.MethodPut, "/_sandbank/scenarios/jitter", `name: jitter
rules:
  - match: { operation: listCustomers }
    fault: { type: latency, min: 1ms, max: 3ms }
`, "Content-Type", "application/yaml").Expect(t, http.StatusOK)
		var outcomes []string
		for i := range 120 {
			path := "/v1/accounts"
			if i%3 == 0 {
				path = "/v1/customers"
			}
			r, err := c.Try(c.Request("GET", path, nil))
			switch {
			case err != nil:
				outcomes = append(outcomes, "reset")
			default:
				outcomes = append(outcomes, fmt.Sprint(r.Status))
			}
		}
		for _, e := range c.Journal() {
			if f, ok := e["fault"].(map[string]any); ok {
				outcomes = append(outcomes, fmt.Sprint(e["id"], f["rule"], f["params"]))
			}
		}
		return outcomes
	}
	a, b := run(), run()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("two runs with the same seed and requests differ:\n%v\n%v", a, b)
	}
	faults := 0
	for _, o := range a[:120] {
		if o != "200" {
			faults++
		}
	}
	if faults == 0 || faults > 40 {
		t.Fatalf("%d faults in 120 requests of flaky-10pct", faults)
	}
}

func TestFaultInFlightHoldsTheIdempotencyKey(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 5})
	c := srv.Client(simtest.NewKey("inflight"))
	from := brlAccount(t, c)

	// The first request is held after its key is claimed; the client gives
	// up; a retry with the same key meets 409 with Retry-After.
	impatient := &http.Client{Timeout: 50 * time.Millisecond}
	_, err := impatient.Do(c.Request("POST", "/v1/transfers", pixTransfer(from, 700), "Sandbank-Fault", "latency=400ms;phase=in_flight", "Idempotency-Key", "held-1"))
	if err == nil {
		t.Fatal("the held request answered before the client's timeout")
	}
	busy := c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", "held-1")
	busy.Problem(t, http.StatusConflict, "idempotency_key_in_use")
	if busy.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", busy.Header.Get("Retry-After"))
	}
	// The held operation runs to its end although its client left: once
	// it has, the retry replays it.
	held := c.WaitJournal(func(es []map[string]any) bool {
		for _, e := range es {
			if e["idempotency_key"] == "held-1" && e["status"] == float64(http.StatusCreated) {
				return true
			}
		}
		return false
	})
	var first map[string]any
	for _, e := range held {
		if e["idempotency_key"] == "held-1" && first == nil {
			first = e
		}
	}
	if f := faultOf(t, first); f["phase"] != "in_flight" || f["type"] != "latency" {
		t.Fatalf("journal fault %v", f)
	}
	replay := c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", "held-1").Expect(t, http.StatusCreated)
	if replay.Header.Get("Idempotent-Replayed") != "true" || replay.JSON()["id"] != first["resource_id"] {
		t.Fatalf("replay %v of %v", replay.JSON()["id"], first["resource_id"])
	}
	// Only latency can hold a request in flight.
	c.Get("/v1/accounts", "Sandbank-Fault", "reset;phase=in_flight").ExpectProblem(t, http.StatusBadRequest, "invalid_fault")
}
