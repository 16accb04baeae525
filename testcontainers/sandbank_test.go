package sandbank_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	sandbank "github.com/sandbank/sandbank/testcontainers"
)

// run starts the image through the module and terminates it when the test
// ends.
func run(t *testing.T, ctx context.Context, opts ...testcontainers.ContainerCustomizer) *sandbank.Container {
	t.Helper()
	requireDocker(t)
	ctr, err := sandbank.Run(ctx, image, opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	return ctr
}

func tenant(t *testing.T, ctx context.Context, ctr *sandbank.Container) *api {
	t.Helper()
	baseURL, err := ctr.BaseURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") && !strings.HasPrefix(baseURL, "http://localhost:") {
		t.Fatalf("BaseURL %q: want http on the loopback interface", baseURL)
	}
	return &api{t: t, ctx: ctx, baseURL: baseURL, key: ctr.NewTenant()}
}

type account struct {
	ID       string `json:"id"`
	Currency string `json:"currency"`
}

type transfer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Amount int64  `json:"amount"`
}

// firstBRLAccount is the tenant's newest seeded BRL account.
func firstBRLAccount(t *testing.T, a *api) string {
	t.Helper()
	var page struct{ Data []account }
	a.do("GET", "/v1/accounts?currency=BRL&limit=1", "").expect(t, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].Currency != "BRL" {
		t.Fatalf("no seeded BRL account: %+v", page)
	}
	return page.Data[0].ID
}

func pixTransfer(account string, amount int) string {
	return fmt.Sprintf(`{"rail":"pix","debtor_account_id":%q,"amount":%d,"currency":"BRL",
		"creditor":{"pix_key":"maria.silva@example.com","name":"Maria Silva"}}`, account, amount)
}

// A transfer made through the container can be read back, and the journal
// has both requests as the server saw them.
func TestTransferReadBackAndJournal(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx, sandbank.WithSeed(42))
	a := tenant(t, ctx, ctr)
	acc := firstBRLAccount(t, a)

	var created transfer
	a.do("POST", "/v1/transfers", pixTransfer(acc, 15000), "Idempotency-Key", "tc-transfer-1").
		expect(t, http.StatusCreated, &created)
	if created.Status != "ACSP" || created.Amount != 15000 || !strings.HasPrefix(created.ID, "trf_") {
		t.Fatalf("created %+v, want an ACSP trf_ of 15000", created)
	}
	var read transfer
	a.do("GET", "/v1/transfers/"+created.ID, "").expect(t, http.StatusOK, &read)
	if read != created {
		t.Fatalf("read back %+v, created %+v", read, created)
	}

	journal, err := ctr.Journal(ctx, a.key)
	if err != nil {
		t.Fatal(err)
	}
	var post, get *sandbank.JournalEntry
	for i, e := range journal {
		switch {
		case e.Method == "POST" && e.Path == "/v1/transfers":
			post = &journal[i]
		case e.Method == "GET" && e.Path == "/v1/transfers/"+created.ID:
			get = &journal[i]
		}
	}
	if post == nil || get == nil {
		t.Fatalf("the journal lacks the POST or the GET of the transfer: %+v", journal)
	}
	if post.Status != 201 || post.IdempotencyKey != "tc-transfer-1" || post.ResourceID != created.ID ||
		post.OperationID != "createTransfer" || post.Outcome != "completed" || post.BodySHA256 == "" || post.Kind != "request" {
		t.Errorf("journal POST entry %+v", *post)
	}
	if get.Status != 200 || get.Route != "/v1/transfers/{id}" || get.ID <= post.ID {
		t.Errorf("journal GET entry %+v", *get)
	}
	if got := post.Headers["Authorization"]; len(got) != 1 || strings.Contains(got[0], a.key) {
		t.Errorf("the journal shows the key unmasked: %q", got)
	}
}

// WithSeed reaches the server: the README's key gets the README's account.
func TestWithSeed(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx, sandbank.WithSeed(42))
	a := tenant(t, ctx, ctr)
	a.key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
	if got := firstBRLAccount(t, a); got != "acc_Ke6wCGr6gdz6YLiv" {
		t.Fatalf("seed 42 gave %s, want the README's acc_Ke6wCGr6gdz6YLiv", got)
	}
	// Each NewTenant is a different, well-formed bank.
	b := tenant(t, ctx, ctr)
	if b.key == a.key || firstBRLAccount(t, b) == "acc_Ke6wCGr6gdz6YLiv" {
		t.Fatal("a new tenant must be a new bank")
	}
}

// WithScenario copies a file, or a directory of them, into the container
// and activates each for every tenant.
func TestWithScenario(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx,
		sandbank.WithScenario("testdata/accounts-unavailable.yaml"),
		sandbank.WithScenario("testdata/more-scenarios"),
	)
	a := tenant(t, ctx, ctr)
	r := a.do("GET", "/v1/accounts", "").expect(t, http.StatusServiceUnavailable, nil)
	if r.Header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q, want 2", r.Header.Get("Retry-After"))
	}
	a.do("GET", "/v1/customers", "").expect(t, http.StatusBadGateway, nil)
	a.do("GET", "/v1/transfers", "").expect(t, http.StatusOK, nil)

	journal, err := ctr.Journal(ctx, a.key)
	if err != nil {
		t.Fatal(err)
	}
	faulted := map[string]string{} // path → the scenario that faulted it
	for _, e := range journal {
		if e.Fault != nil {
			faulted[e.Path] = e.Fault.Scenario
		}
	}
	for path, scenario := range map[string]string{"/v1/accounts": "accounts-unavailable", "/v1/customers": "customers-bad-gateway"} {
		if faulted[path] != scenario {
			t.Errorf("the journal says %s was faulted by %q, want %q", path, faulted[path], scenario)
		}
	}
	if f, ok := faulted["/v1/transfers"]; ok {
		t.Errorf("an unmatched request was faulted: %s", f)
	}
}

func TestWithScenarioRejectsAMissingFile(t *testing.T) {
	requireDocker(t)
	ctr, err := sandbank.Run(testContext(t), image, sandbank.WithScenario("testdata/no-such-file.yaml"))
	testcontainers.CleanupContainer(t, ctr)
	if err == nil || !strings.Contains(err.Error(), "no-such-file.yaml") {
		t.Fatalf("err = %v, want one naming the missing file", err)
	}
}

// WithLibraryScenario activates a built-in scenario by name.
func TestWithLibraryScenario(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx, sandbank.WithLibraryScenario("503-storm"))
	a := tenant(t, ctx, ctr)
	var active struct {
		Data []struct{ Name string } `json:"data"`
	}
	a.do("GET", "/_sandbank/scenarios", "").expect(t, http.StatusOK, &active)
	if len(active.Data) != 1 || active.Data[0].Name != "503-storm" {
		t.Fatalf("active scenarios %+v, want 503-storm", active)
	}
}

// WithIdempotencyProfile("stripe") answers a reused key with another
// payload as Stripe does.
func TestWithIdempotencyProfile(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx, sandbank.WithIdempotencyProfile("stripe"))
	a := tenant(t, ctx, ctr)
	acc := firstBRLAccount(t, a)
	a.do("POST", "/v1/transfers", pixTransfer(acc, 100), "Idempotency-Key", "tc-profile").expect(t, http.StatusCreated, nil)
	var problem struct{ Code string }
	a.do("POST", "/v1/transfers", pixTransfer(acc, 200), "Idempotency-Key", "tc-profile").
		expect(t, http.StatusBadRequest, &problem)
	if problem.Code != "idempotency_error" {
		t.Fatalf("code %q, want idempotency_error", problem.Code)
	}
}

// A bad option value stops the server, and Run says so rather than
// waiting for a /healthz that never comes.
func TestRunFailsWhenTheServerRejectsItsConfiguration(t *testing.T) {
	ctx := testContext(t)
	requireDocker(t)
	ctr, err := sandbank.Run(ctx, image, sandbank.WithIdempotencyProfile("paypal"))
	testcontainers.CleanupContainer(t, ctr)
	if err == nil {
		t.Fatal("Run succeeded with --idempotency-profile paypal")
	}
	t.Logf("Run: %v", err)
	// The container's log says what is wrong, and only that.
	logs, err := ctr.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(logs)
	logs.Close()
	if !strings.Contains(string(out), "want ietf or stripe") || strings.Contains(string(out), "panic:") {
		t.Errorf("the log of a server given a bad profile:\n%s", out)
	}
	if _, err := sandbank.Run(ctx, image, sandbank.WithWebhookRetrySpeed(0)); err == nil || !strings.Contains(err.Error(), "above 0") {
		t.Fatalf("WithWebhookRetrySpeed(0): err = %v", err)
	}
}

// WithWebhookRetrySpeed compresses the retry schedule: at 1000, the
// attempts after 5 s and 5 min come within a second, where at the default
// speed the third would take over five minutes.
func TestWithWebhookRetrySpeed(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx, sandbank.WithWebhookRetrySpeed(1000))
	a := tenant(t, ctx, ctr)
	// sandbank itself, inside the container, is the receiver: it answers
	// the unknown path with a 4xx, so every attempt fails and is retried.
	a.do("POST", "/v1/webhook_endpoints", `{"url":"http://127.0.0.1:8080/webhook-sink","enabled_events":["transfer.*"]}`).
		expect(t, http.StatusCreated, nil)
	a.do("POST", "/v1/transfers", pixTransfer(firstBRLAccount(t, a), 100)).expect(t, http.StatusCreated, nil)

	deadline := time.Now().Add(30 * time.Second)
	for {
		journal, err := ctr.Journal(ctx, a.key)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range journal {
			if e.Kind == "webhook" && e.Webhook != nil && e.Webhook.Attempt >= 3 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no third webhook attempt within 30 s at retry speed 1000; journal: %+v", journal)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// docker stop sends SIGTERM: sandbank finishes the request in flight,
// answers it, and exits 0 (a SIGKILL after the stop timeout would be 137).
func TestDockerStopIsGraceful(t *testing.T) {
	ctx := testContext(t)
	ctr := run(t, ctx)
	a := tenant(t, ctx, ctr)

	// A request the server holds for 2 s.
	inFlight := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", a.baseURL+"/v1/accounts?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+a.key)
		req.Header.Set("Sandbank-Fault", "latency=2s")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		inFlight <- err
	}()
	// Stop only once the server holds the request.
	for held := false; !held; {
		journal, err := ctr.Journal(ctx, a.key)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range journal {
			held = held || (e.Path == "/v1/accounts" && e.Outcome == "in_flight")
		}
		if ctx.Err() != nil {
			t.Fatal("the slow request never showed in the journal")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopTimeout := 20 * time.Second
	if err := ctr.Stop(ctx, &stopTimeout); err != nil {
		t.Fatal(err)
	}
	if err := <-inFlight; err != nil {
		t.Errorf("the request in flight at docker stop: %v, want a 200", err)
	}
	state, err := ctr.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if state.Running || state.ExitCode != 0 || state.OOMKilled {
		t.Fatalf("after docker stop: running %v, exit code %d, OOM-killed %v; want exit code 0", state.Running, state.ExitCode, state.OOMKilled)
	}
	logs, err := ctr.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	out, _ := io.ReadAll(logs)
	if !strings.Contains(string(out), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" log line:\n%s", out)
	}
}
