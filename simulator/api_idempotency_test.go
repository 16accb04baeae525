package simulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// brlAccount returns the id of one of the tenant's seeded BRL accounts with
// the largest available balance.
func brlAccount(t *testing.T, c *simtest.Client) string {
	t.Helper()
	return richestAccount(t, c, "BRL").ID
}

func pixTransfer(from string, amount int64) map[string]any {
	return map[string]any{
		"rail": "pix", "debtor_account_id": from, "amount": amount, "currency": "BRL",
		"creditor": map[string]any{"pix_key": "maria.silva@example.com", "name": "Maria Silva"},
	}
}

func countTransfers(t *testing.T, c *simtest.Client) int {
	t.Helper()
	return len(walk[json.RawMessage](t, c, "/v1/transfers", "", 100, nil))
}

func TestIdempotentReplay(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("replay"))
	from := brlAccount(t, c)
	body := pixTransfer(from, 2500)

	first := c.Post("/v1/transfers", body, "Idempotency-Key", "order-1001").Expect(t, http.StatusCreated)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a first request must not be marked as replayed")
	}
	// Key order and whitespace do not change the payload.
	reordered := fmt.Sprintf(`{ "currency":"BRL", "amount":2500, "creditor":{"name":"Maria Silva","pix_key":"maria.silva@example.com"}, "debtor_account_id":%q, "rail":"pix" }`, from)
	second := c.Post("/v1/transfers", reordered, "Idempotency-Key", "order-1001").Expect(t, http.StatusCreated)
	if second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay lacks Idempotent-Replayed: true; headers %v", second.Header)
	}
	if string(second.Body) != string(first.Body) {
		t.Fatalf("replayed body differs:\n%s\n%s", first.Body, second.Body)
	}
	if second.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatal("replay must carry the stored Location")
	}
	if second.Header.Get("Request-Id") == first.Header.Get("Request-Id") {
		t.Fatal("each request gets its own Request-Id, replay or not")
	}
	if second.Header.Get("Original-Request") != first.Header.Get("Request-Id") || first.Header.Get("Original-Request") != "" {
		t.Fatalf("Original-Request %q on the replay, want %q", second.Header.Get("Original-Request"), first.Header.Get("Request-Id"))
	}
	if n := countTransfers(t, c); n != 1 {
		t.Fatalf("%d transfers after a replay, want 1", n)
	}

	// The journal shows both attempts, the key and which one was replayed.
	var posts []map[string]any
	for _, e := range c.Journal() {
		if e["operation_id"] == "createTransfer" {
			posts = append(posts, e)
		}
	}
	if len(posts) != 2 || posts[0]["replayed"] != false || posts[1]["replayed"] != true {
		t.Fatalf("journal entries %v", posts)
	}
	for _, e := range posts {
		if e["idempotency_key"] != "order-1001" || e["resource_id"] != first.JSON()["id"] {
			t.Fatalf("journal entry %v", e)
		}
	}
}

func TestIdempotencyKeyMismatch(t *testing.T) {
	for _, tc := range []struct {
		profile string
		status  int
		code    string
	}{
		{simulator.ProfileIETF, http.StatusUnprocessableEntity, "idempotency_key_mismatch"},
		{simulator.ProfileStripe, http.StatusBadRequest, "idempotency_error"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			srv := simtest.Start(t, simulator.Config{Seed: 7, IdempotencyProfile: tc.profile})
			c := srv.Client(simtest.NewKey("mismatch"))
			from := brlAccount(t, c)
			c.Post("/v1/transfers", pixTransfer(from, 1000), "Idempotency-Key", "k-1").Expect(t, http.StatusCreated)
			c.Post("/v1/transfers", pixTransfer(from, 1001), "Idempotency-Key", "k-1").ExpectProblem(t, tc.status, tc.code)
			// The same key on another endpoint is another payload too.
			c.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": from, "amount": 1000, "currency": "BRL"}, "Idempotency-Key", "k-1").
				ExpectProblem(t, tc.status, tc.code)
			if n := countTransfers(t, c); n != 1 {
				t.Fatalf("%d transfers, want 1", n)
			}
		})
	}
}

func TestIdempotencyProfileIsATenantSetting(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("profile"))
	other := srv.Client(simtest.NewKey("profile"))
	c.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]any{"profile": "stripe"}}).Expect(t, http.StatusOK)
	for _, cl := range []*simtest.Client{c, other} {
		from := brlAccount(t, cl)
		cl.Post("/v1/transfers", pixTransfer(from, 1000), "Idempotency-Key", "same").Expect(t, http.StatusCreated)
	}
	c.Post("/v1/transfers", pixTransfer(brlAccount(t, c), 5), "Idempotency-Key", "same").ExpectProblem(t, http.StatusBadRequest, "idempotency_error")
	other.Post("/v1/transfers", pixTransfer(brlAccount(t, other), 5), "Idempotency-Key", "same").ExpectProblem(t, http.StatusUnprocessableEntity, "idempotency_key_mismatch")
}

func TestIdempotencyKeyRequired(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7, IdempotencyKey: simulator.KeyRequired})
	c := srv.Client(simtest.NewKey("required"))
	from := brlAccount(t, c)
	fields := c.Post("/v1/transfers", pixTransfer(from, 1000)).ExpectProblem(t, http.StatusBadRequest, "idempotency_key_required")
	if len(fields) != 1 || fields[0] != "header:Idempotency-Key" {
		t.Fatalf("violations name %v, want the Idempotency-Key header", fields)
	}
	// Only money-moving operations require it.
	c.Post("/v1/customers", map[string]any{
		"type": "individual", "name": "Ana Souza", "email": "ana@example.com",
		"tax_id": map[string]any{"type": "br_cpf", "value": "123.456.789-09"},
	}).Expect(t, http.StatusCreated)
	c.Post("/v1/transfers", pixTransfer(from, 1000), "Idempotency-Key", "a-key").Expect(t, http.StatusCreated)

	// A tenant can relax it for itself.
	c.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]any{"key": "optional"}}).Expect(t, http.StatusOK)
	c.Post("/v1/transfers", pixTransfer(from, 1000)).Expect(t, http.StatusCreated)
}

func TestIdempotencyKeyForms(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("forms"))
	from := brlAccount(t, c)
	// The IETF draft's sf-string and a bare token name the same key.
	first := c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", `"8e03978e-40d5-43e8-bc93-6894a57f9324"`).Expect(t, http.StatusCreated)
	again := c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324").Expect(t, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatal("a quoted and a bare key must be the same key")
	}
	for name, key := range map[string]string{
		"too long":          strings.Repeat("k", 256),
		"unterminated":      `"abc`,
		"bare with a space": "a b",
		"bad escape":        `"a\b"`,
		"tab inside quotes": "\"a\tb\"",
		"non-ASCII":         `"café"`,
	} {
		t.Run(name, func(t *testing.T) {
			fields := c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", key).ExpectProblem(t, http.StatusBadRequest, "invalid_idempotency_key")
			if len(fields) != 1 || fields[0] != "header:Idempotency-Key" {
				t.Fatalf("violations %v", fields)
			}
		})
	}
	c.Post("/v1/transfers", pixTransfer(from, 700), "Idempotency-Key", strings.Repeat("k", 255)).Expect(t, http.StatusCreated)
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers, want 2", n)
	}
}

func TestIdempotencyKeysExpireAfter24hOfVirtualTime(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("expiry"))
	from := brlAccount(t, c)
	c.Post("/v1/transfers", pixTransfer(from, 300), "Idempotency-Key", "daily").Expect(t, http.StatusCreated)
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "23h59m59s"}).Expect(t, http.StatusOK)
	if r := c.Post("/v1/transfers", pixTransfer(from, 300), "Idempotency-Key", "daily").Expect(t, http.StatusCreated); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("the key must still replay just before 24 h")
	}
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "1s"}).Expect(t, http.StatusOK)
	r := c.Post("/v1/transfers", pixTransfer(from, 300), "Idempotency-Key", "daily").Expect(t, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("after 24 h the key is forgotten and the request runs again")
	}
	if n := countTransfers(t, c); n != 2 {
		t.Fatalf("%d transfers, want 2", n)
	}
}

func TestIdempotencyStoresErrorsButNotValidationFailures(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("errors"))
	from := brlAccount(t, c)

	// A contract violation is refused before the idempotency layer: the
	// corrected request may reuse the key.
	bad := pixTransfer(from, 100)
	bad["amount"] = -1
	c.Post("/v1/transfers", bad, "Idempotency-Key", "fix-me").ExpectProblem(t, http.StatusBadRequest, "validation_failed")
	c.Post("/v1/transfers", pixTransfer(from, 100), "Idempotency-Key", "fix-me").Expect(t, http.StatusCreated)

	// A domain error is the operation's result: it is stored and replayed.
	eur := map[string]any{"rail": "sepa", "debtor_account_id": from, "amount": 100, "currency": "BRL", "creditor": map[string]any{"iban": "DE89370400440532013000", "name": "Jonas"}}
	first := c.Post("/v1/transfers", eur, "Idempotency-Key", "domain-error")
	first.ExpectProblem(t, http.StatusBadRequest, "rail_currency_mismatch")
	again := c.Post("/v1/transfers", eur, "Idempotency-Key", "domain-error")
	again.ExpectProblem(t, http.StatusBadRequest, "rail_currency_mismatch")
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("a stored error must be replayed")
	}

	// A business rejection is a created transfer: replayed as such.
	huge := pixTransfer(from, 999_999_999_999)
	rj := c.Post("/v1/transfers", huge, "Idempotency-Key", "too-much").Expect(t, http.StatusCreated)
	if rj.JSON()["status"] != "RJCT" {
		t.Fatalf("status %v, want RJCT", rj.JSON()["status"])
	}
	if c.Post("/v1/transfers", huge, "Idempotency-Key", "too-much").Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("a rejected transfer must be replayed")
	}
}

// TestConcurrentDuplicatesCreateExactlyOneTransfer is the exactly-once
// property: 64 simultaneous POSTs with one key create one transfer; every
// other answer is the replay or a 409 to retry later.
func TestConcurrentDuplicatesCreateExactlyOneTransfer(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	for round := range 5 {
		c := srv.Client(simtest.NewKey(fmt.Sprintf("burst%d", round)))
		from := brlAccount(t, c)
		body := pixTransfer(from, 1234)
		const n = 64
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]*simtest.Response, n)
		for i := range n {
			wg.Go(func() {
				<-start
				results[i] = c.Post("/v1/transfers", body, "Idempotency-Key", "one-key")
			})
		}
		close(start)
		wg.Wait()

		created, replayed, conflicts := 0, 0, 0
		ids := map[any]bool{}
		for _, r := range results {
			switch {
			case r.Status == http.StatusCreated && r.Header.Get("Idempotent-Replayed") == "true":
				replayed++
				ids[r.JSON()["id"]] = true
			case r.Status == http.StatusCreated:
				created++
				ids[r.JSON()["id"]] = true
			case r.Status == http.StatusConflict:
				r.ExpectProblem(t, http.StatusConflict, "idempotency_key_in_use")
				if r.Header.Get("Retry-After") == "" {
					t.Fatal("a 409 for a key in flight should say when to retry")
				}
				conflicts++
			default:
				t.Fatalf("unexpected answer %d: %s", r.Status, r.Body)
			}
		}
		if created != 1 || len(ids) != 1 {
			t.Fatalf("round %d: %d created, %d distinct ids (replayed %d, 409 %d); want exactly one", round, created, len(ids), replayed, conflicts)
		}
		if got := countTransfers(t, c); got != 1 {
			t.Fatalf("round %d: %d transfers exist, want 1", round, got)
		}
		if err := srv.Sim.VerifyTenant(c.Key); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResetWhileRequestsRun resets a tenant while keyed requests run on
// it: no 5xx, no race, and a consistent ledger afterwards.
func TestResetWhileRequestsRun(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 7})
	c := srv.Client(simtest.NewKey("reset-race"))
	from := brlAccount(t, c)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 40 {
				r := c.Post("/v1/transfers", pixTransfer(from, 100), "Idempotency-Key", fmt.Sprintf("w%d-%d", w, i%5))
				if r.Status >= 500 {
					t.Errorf("%d: %s", r.Status, r.Body)
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			c.Post("/_sandbank/reset", nil).Expect(t, http.StatusOK)
		}
	})
	wg.Wait()
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatal(err)
	}
}
