package conformance_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/conformance"
	"github.com/sandbank/sandbank/conformance/internal/refclient"
)

// TestReportsEndToEnd runs a few cases against the reference client and
// checks the three reports and the progress printer on a real run.
func TestReportsEndToEnd(t *testing.T) {
	var progress bytes.Buffer
	p := conformance.NewProgress(&progress, false)
	// Every setting given: refclient's defaults() fills zero fields in
	// place, a data race when cases share the client.
	client := &refclient.Client{Timeout: 2 * time.Second, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second,
		MaxAttempts: 5, MaxRetryAfter: 10 * time.Second}
	rep, err := conformance.Execute(t.Context(), conformance.ClientAdapter(client), conformance.Options{
		Seed: 3, Cases: "IK-01,RT-04,WH-01", Version: "test", Adapter: "refclient",
		HangLimit: 3 * time.Second, InFlightHold: 3 * time.Second, RetryAfterLimit: 8 * time.Second,
		OperationLimit: 10 * time.Second, JitterRuns: 4, WebhookAckLimit: 5 * time.Second,
		Progress: p.Event,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 {
		t.Fatalf("%d results, want 3", len(rep.Results))
	}
	attempts := 0
	for _, r := range rep.Results {
		if r.Verdict == conformance.Error {
			t.Errorf("%s: the suite could not run the case: %s", r.ID, r.Reason)
		}
		for _, run := range r.Runs {
			attempts += len(run.Attempts)
		}
	}
	if attempts == 0 {
		t.Fatal("the run recorded no traffic")
	}

	var j, x, h bytes.Buffer
	if err := rep.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJUnit(&x); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	conformance.CheckReportsForTest(t, rep, j.Bytes(), x.Bytes(), h.Bytes())

	// One line per finished case, nothing else on a pipe.
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("progress printed %d lines, want 3:\n%s", len(lines), progress.String())
	}
	for _, id := range []string{"IK-01", "RT-04", "WH-01"} {
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, " "+id+" ")
		}
		if !found {
			t.Errorf("no progress line for %s:\n%s", id, progress.String())
		}
	}
	if strings.Contains(progress.String(), "\r") {
		t.Errorf("a pipe gets no status line: %q", progress.String())
	}
	progress.Reset()
	p.Summary(rep)
	for _, want := range []string{"3 cases in ", "conformant: ", "seed: 3\n", "replay: " + rep.Replay + "\n"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, progress.String())
		}
	}
}
