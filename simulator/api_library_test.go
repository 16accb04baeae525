package simulator_test

import (
	"errors"
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

// Every library scenario does what its description says, through real HTTP.

func activate(t *testing.T, c *simtest.Client, name string) {
	t.Helper()
	c.Do(http.MethodPut, "/_sandbank/scenarios/"+name, nil).Expect(t, http.StatusOK)
}

func TestLibraryCoversTheIssue(t *testing.T) {
	for _, name := range []string{"timeout-then-success", "commit-then-reset", "commit-then-503", "503-storm", "rate-limited",
		"retry-after-date", "slow-network", "flaky-10pct",
		// tested in api_webhook_faults_test.go
		"webhook-duplicates", "webhook-out-of-order", "webhook-endpoint-down", "fraud-check-timeout"} {
		if _, ok := scenarios.LibraryScenario(name); !ok {
			t.Errorf("the library lacks %s", name)
		}
	}
}

func TestLibraryTimeoutThenSuccess(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{MaxHang: 5 * time.Second})
	c := srv.Client(simtest.NewKey("tts"))
	from := brlAccount(t, c)
	activate(t, c, "timeout-then-success")
	impatient := &http.Client{Timeout: 200 * time.Millisecond}
	_, err := impatient.Do(c.Request("POST", "/v1/transfers", pixTransfer(from, 500), "Idempotency-Key", "tts-1"))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("the first POST should time out, got %v", err)
	}
	// The hang came before the operation: nothing was applied, and the
	// retry with the same key runs it for the first time.
	if n := countTransfers(t, c); n != 0 {
		t.Fatalf("%d transfers after the hang", n)
	}
	r := c.Post("/v1/transfers", pixTransfer(from, 500), "Idempotency-Key", "tts-1").Expect(t, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" || countTransfers(t, c) != 1 {
		t.Fatal("the retry should create the transfer, once")
	}
}

func TestLibraryCommitThenReset(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("ctr"))
	from := brlAccount(t, c)
	activate(t, c, "commit-then-reset")
	// Go's transport would silently resend an Idempotency-Key request on a
	// fresh connection; use one that does not, to see the reset itself.
	noRetry := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := noRetry.Do(c.Request("POST", "/v1/transfers", pixTransfer(from, 900), "Idempotency-Key", "ctr-1"))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a reset, got %v", err)
	}
	if n := countTransfers(t, c); n != 1 {
		t.Fatalf("%d transfers: the operation was committed before the reset", n)
	}
	r := c.Post("/v1/transfers", pixTransfer(from, 900), "Idempotency-Key", "ctr-1").Expect(t, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("the retry with the same key gets the stored response")
	}
	// Without a key, a retry is a second payment.
	c.Post("/v1/transfers", pixTransfer(from, 900)).Expect(t, http.StatusCreated)
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers, want 2", n)
	}
}

func TestLibraryCommitThen503(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("ct503"))
	from := brlAccount(t, c)
	activate(t, c, "commit-then-503")
	c.Post("/v1/transfers", pixTransfer(from, 300), "Idempotency-Key", "ct503").Problem(t, http.StatusServiceUnavailable, "service_unavailable")
	if n := countTransfers(t, c); n != 1 {
		t.Fatalf("%d transfers: the 503 came after the commit", n)
	}
	r := c.Post("/v1/transfers", pixTransfer(from, 300), "Idempotency-Key", "ct503").Expect(t, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "true" || countTransfers(t, c) != 1 {
		t.Fatal("the retry with the same key is a replay of the committed transfer")
	}
}

func Test503Storm(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("storm"))
	activate(t, c, "503-storm")
	paths := []string{"/v1/accounts", "/v1/customers", "/v1/transfers", "/v1/sandbox/clock", "/v1/accounts?limit=1"}
	for _, p := range paths {
		c.Get(p).Problem(t, http.StatusServiceUnavailable, "service_unavailable")
	}
	for _, p := range paths {
		c.Get(p).Expect(t, http.StatusOK)
	}
}

func TestLibraryRateLimited(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("rl"))
	activate(t, c, "rate-limited")
	for i := range 3 {
		r := c.Get("/v1/accounts")
		r.Problem(t, http.StatusTooManyRequests, "rate_limited")
		if r.Header.Get("Retry-After") != "2" || r.Header.Get("RateLimit") == "" || r.Header.Get("RateLimit-Policy") == "" {
			t.Fatalf("round %d: 429 headers %v", i, r.Header)
		}
		c.Get("/v1/accounts").Expect(t, http.StatusOK)
	}
}

func TestLibraryRetryAfterDate(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("rad"))
	activate(t, c, "retry-after-date")
	r := c.Get("/v1/transfers")
	r.Problem(t, http.StatusServiceUnavailable, "service_unavailable")
	when, err := http.ParseTime(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q is not an HTTP-date: %v", r.Header.Get("Retry-After"), err)
	}
	sent, _ := http.ParseTime(r.Header.Get("Date"))
	if d := when.Sub(sent); d < 2*time.Second || d > 4*time.Second {
		t.Fatalf("Retry-After is %v after Date, want about 3 s", d)
	}
	c.Get("/v1/transfers").Expect(t, http.StatusOK)
}

func TestLibrarySlowNetwork(t *testing.T) {
	// A short cap keeps the test quick; the journal shows what each request got.
	srv := simtest.Start(t, simulator.Config{MaxHang: 400 * time.Millisecond})
	// A fixed key: the draws depend on the key, so a numbered one would
	// make the outcome depend on which tests ran before.
	c := srv.Client("sk_test_slownetworkfixed0001")
	activate(t, c, "slow-network")
	for range 12 {
		r, err := c.Try(c.Request("GET", "/v1/customers?limit=1", nil))
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("a slow network still answers: %v %v", err, r)
		}
	}
	// A trickled body's entry completes after the client has read it all.
	kinds := map[string]int{}
	c.WaitJournal(func(es []map[string]any) bool {
		kinds = map[string]int{}
		for _, e := range es {
			if f, ok := e["fault"].(map[string]any); ok && e["outcome"] != "in_flight" {
				kinds[f["type"].(string)]++
			}
		}
		return kinds["latency"]+kinds["slow_body"] == 12
	})
	if kinds["latency"] == 0 || kinds["slow_body"] == 0 || kinds["latency"]+kinds["slow_body"] != 12 {
		t.Fatalf("every request is slowed, some bodies trickle: %v", kinds)
	}
}

func TestLibraryFlaky10Percent(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	// A fixed key: the draws depend on the key, and other tests must not
	// move them.
	c := srv.Client("sk_test_flaky10percentfixed01")
	activate(t, c, "flaky-10pct")
	failed := 0
	for range 300 {
		r, err := c.Try(c.Request("GET", "/v1/sandbox/clock", nil))
		if err != nil || r.Status != http.StatusOK {
			failed++
		}
	}
	var unavailable, resets int
	for _, e := range c.Journal() {
		if f, ok := e["fault"].(map[string]any); ok {
			switch f["rule"] {
			case "unavailable":
				unavailable++
			case "reset-after-commit":
				resets++
			}
		}
	}
	// About one in ten injected: a generous band, as the draw is random
	// (but seeded). Every 503 reaches the client; a reset of a GET may be
	// replayed by Go's transport, unseen.
	if n := unavailable + resets; n < 15 || n > 55 || unavailable == 0 || resets == 0 || failed < unavailable {
		t.Fatalf("%d of 300 faulted (%d 503, %d resets), %d seen failing; want about 30 of both kinds", n, unavailable, resets, failed)
	}
	if !strings.Contains(c.Get("/_sandbank/scenarios/flaky-10pct").String(), `"hits"`) {
		t.Fatal("the scenario reports its hits")
	}
}
