package sandbank_test

// The README's testcontainers example, verbatim from "import" to the end
// of the test (TestReadmeShowsTheExample checks): it compiles and it runs.

import (
	"context"
	"net/http"
	"testing"

	"github.com/testcontainers/testcontainers-go"

	sandbank "github.com/sandbank/sandbank/testcontainers"
)

func TestAccountsWhenTheBankIsDown(t *testing.T) {
	testcontainers.SkipIfProviderIsNotHealthy(t) // no Docker, no test
	ctx := context.Background()
	ctr, err := sandbank.Run(ctx, "sandbank:dev", // built by `make docker`
		sandbank.WithSeed(42),
		sandbank.WithScenario("testdata/accounts-unavailable.yaml"),
	)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	baseURL, err := ctr.BaseURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := ctr.NewTenant() // a private bank, for this test alone

	// Your client goes here, pointed at baseURL with key.
	req, _ := http.NewRequestWithContext(ctx, "GET", baseURL+"/v1/accounts", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("got %s, want the scenario's 503 with Retry-After: 2", resp.Status)
	}

	// What did the client send, and what did sandbank do to it?
	journal, err := ctr.Journal(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range journal {
		if e.Path == "/v1/accounts" && (e.Fault == nil || e.Fault.Scenario != "accounts-unavailable") {
			t.Errorf("%s %s was not faulted by the scenario", e.Method, e.Path)
		}
	}
}
