package simulator_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// TestReadmeTour runs the README's five-minute tour — its shell blocks, with
// bash and the real curl — against a server started like `make run`
// (seed 42), and checks what each command answers. The tour cannot rot.
func TestReadmeTour(t *testing.T) {
	needTools(t, "the README tour", "bash", "curl")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tour := between(t, string(readme), "<!-- tour:start -->", "<!-- tour:end -->")
	blocks := shellBlocks(tour)
	if len(blocks) < 8 {
		t.Fatalf("found %d shell blocks in the tour", len(blocks))
	}
	srv := simtest.Start(t, simulator.Config{Seed: 42})
	// Each curl prints its status on a line of its own after the body.
	stdout, _ := runShell(t, "the tour", srv.URL, "set -euo pipefail\ncurl() { command curl -w '\\n@@status %{http_code}\\n' \"$@\"; }\n", blocks)

	// Split the output into one answer per curl.
	status := regexp.MustCompile(`\n@@status (\d{3})\n`)
	parts, statuses := status.Split(stdout, -1), status.FindAllStringSubmatch(stdout, -1)
	type step struct {
		status string
		says   string // something the answer must contain
	}
	want := []step{
		{"200", `"id":"acc_Ke6wCGr6gdz6YLiv"`},       // accounts, the id the README shows
		{"200", `"object":"balances"`},               // balances
		{"200", `"type":"card"`},                     // February's card purchases
		{"201", `"status":"ACSP"`},                   // the Pix transfer
		{"201", "Idempotent-Replayed: true"},         // its retry, replayed
		{"422", `"code":"idempotency_key_mismatch"`}, // the key reused for another payment
		{"200", `"job":"transfer.settle"`},           // the clock advance settles it
		{"200", `"status":"ACSC"`},                   // the settled transfer
		{"201", `"status":"ACSP"`},                   // the Pix to a closed account
		{"200", `"job":"transfer.reject"`},           // rejected at settlement
		{"200", `"code":"AC04"`},                     // listed as RJCT AC04
		{"400", `"pointer":"/amount"`},               // the validation error
		{"503", "Retry-After: 2"},                    // a one-off fault
		{"200", `"name":"commit-then-reset"`},        // a library scenario activated
		{"000", ""},                                  // applied, then the connection reset
		{"201", "Idempotent-Replayed: true"},         // the retry: made once
		{"200", `"token_type":"Bearer"`},             // an OAuth token
		{"200", `"operation_id":"createTransfer"`},   // the journal
		{"200", `"object":"tenant"`},                 // the reset
	}
	if len(statuses) != len(want) {
		t.Fatalf("the tour made %d requests, want %d:\n%s", len(statuses), len(want), stdout)
	}
	for i, w := range want {
		if statuses[i][1] != w.status || !strings.Contains(parts[i], w.says) {
			t.Errorf("tour request %d answered %s, want %s containing %s:\n%s", i+1, statuses[i][1], w.status, w.says, parts[i])
		}
	}
	// The reset is seen as curl's "receive failure" (exit 56).
	if !strings.Contains(stdout, "curl exit 56: connection reset") {
		t.Error("the reset was not seen by curl as a receive failure (exit 56)")
	}
	// The README's example outputs name ids this seed and key really have.
	for _, id := range regexp.MustCompile(`(?:acc|cus)_[0-9A-Za-z]{16}`).FindAllString(string(readme), -1) {
		if !strings.Contains(stdout, id) && !strings.Contains(tour, id) {
			t.Errorf("the README mentions %s, which the tour's tenant does not have", id)
		}
	}
}

func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("markers %q … %q not found", start, end)
	}
	return s[i+len(start) : j]
}
