package conformance_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/conformance"
	"github.com/sandbank/sandbank/conformance/internal/refclient"
)

// The suite is only worth what its verdicts are worth: run it against the
// reference client and against each of its flaws, and check every case's
// verdict.

// fast keeps the timing cases short, with room for a machine loaded by
// the race detector: the reference client (refClient) times out after
// 4 s, backs off from 500 ms, gives up on a Retry-After beyond 10 s.
// RT-08 keeps the reference's 20 clients: its verdict is a statistic, and
// with fewer a jittered client's spread falls under the threshold too often.
func fast(cases string) conformance.Options {
	return conformance.Options{Seed: 1, Cases: cases, HangLimit: 8 * time.Second, InFlightHold: 6 * time.Second,
		RetryAfterLimit: 12 * time.Second, OperationLimit: 25 * time.Second, JitterRuns: 20, WebhookAckLimit: 10 * time.Second}
}

// allBut selects every case but one.
func allBut(id string) string {
	var ids []string
	for _, c := range conformance.Catalog() {
		if c.ID != id {
			ids = append(ids, c.ID)
		}
	}
	return strings.Join(ids, ",")
}

func refClient(flaw refclient.Flaw) conformance.Adapter {
	return conformance.ClientAdapter(&refclient.Client{Flaw: flaw, Timeout: 4 * time.Second})
}

const (
	pass   = conformance.Pass
	fail   = conformance.Fail
	unsafe = conformance.Unsafe
	na     = conformance.NotApplicable
)

// deserved is every verdict that is not pass, per flaw.
var deserved = map[refclient.Flaw]map[string]conformance.Verdict{
	refclient.None: {},
	refclient.NoKey: {
		"IK-01": fail, "IK-02": unsafe, "IK-03": na, "IK-04": unsafe, "IK-05": unsafe,
		"RT-01": unsafe, "RT-02": unsafe, "RT-03": unsafe, "RT-04": unsafe, "RT-06": unsafe, "RT-07": unsafe, "RT-08": unsafe,
		"RA-01": unsafe, "RA-02": unsafe, "TO-01": unsafe, "AU-01": unsafe,
	},
	refclient.NewKeyPerRetry:      {"IK-02": fail, "IK-05": fail, "RT-01": fail, "RT-02": fail, "AU-01": fail},
	refclient.NoBackoff:           {"RT-07": fail, "RT-08": fail},
	refclient.IgnoresRetryAfter:   {"RA-01": fail, "RA-02": fail},
	refclient.RetriesClientErrors: {"RT-05": fail, "AU-01": fail},
	refclient.RetriesForever:      {"RT-06": fail},
	refclient.NoTimeout:           {"RT-02": fail, "TO-01": fail, "IK-05": na},
	refclient.ChangesBody:         {"IK-02": fail, "IK-04": fail, "IK-05": fail},
	refclient.AcceptsForged:       {"WH-02": fail, "WH-03": fail},
	refclient.ProcessesDuplicates: {"WH-05": fail, "WH-07": fail},
	refclient.StopsAfterFirstPage: {"PG-01": fail, "RL-01": na},
}

func TestVerdictsAreDeserved(t *testing.T) {
	if len(deserved) != len(refclient.Flaws)+1 {
		t.Fatalf("every flaw needs its verdicts: %d flaws, %d tables", len(refclient.Flaws), len(deserved)-1)
	}
	// The suites run at once (they mostly wait), not -parallel at a time.
	reports := map[refclient.Flaw]*conformance.Report{}
	errs := map[refclient.Flaw]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 6) // a bound, so that timing is the clients', not the machine's
	for flaw := range deserved {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			report, err := conformance.Execute(context.Background(), refClient(flaw), fast(allBut("RT-08")))
			mu.Lock()
			reports[flaw], errs[flaw] = report, err
			mu.Unlock()
		}()
	}
	wg.Wait()
	// RT-08 measures how retries spread between clients: it runs on its
	// own, one flaw after the other, so that the spread is the clients'
	// and not the noise of a busy test machine.
	for flaw := range deserved {
		if errs[flaw] != nil {
			continue
		}
		alone, err := conformance.Execute(context.Background(), refClient(flaw), fast("RT-08"))
		if err != nil {
			errs[flaw] = err
			continue
		}
		reports[flaw].Results = append(reports[flaw].Results, alone.Results...)
		reports[flaw].Summary = conformance.Summarize(reports[flaw].Results)
	}
	for flaw, want := range deserved {
		name := string(flaw)
		if name == "" {
			name = "well_behaved"
		}
		t.Run(name, func(t *testing.T) {
			report, err := reports[flaw], errs[flaw]
			if err != nil {
				t.Fatal(err)
			}
			if len(report.Results) != len(conformance.Catalog()) {
				t.Fatalf("%d results for %d cases", len(report.Results), len(conformance.Catalog()))
			}
			for _, res := range report.Results {
				expected := pass
				if v, ok := want[res.ID]; ok {
					expected = v
				}
				if res.Verdict != expected {
					t.Errorf("%s: %s (%s), want %s", res.ID, res.Verdict, res.Reason, expected)
					for _, run := range res.Runs {
						t.Logf("  run %s: %s; adapter %+v", run.Name, run.Plan, run.Adapter)
						for _, a := range run.Attempts {
							t.Logf("    %+v", a)
						}
					}
				}
				if res.Reason == "" {
					t.Errorf("%s: a verdict without a reason", res.ID)
				}
				if res.Verdict != na && len(res.Runs) == 0 {
					t.Errorf("%s: a verdict without evidence", res.ID)
				}
			}
			// Exit status: 0 only when every MUST case passed (or did not apply).
			wantExit := 0
			for id, v := range want {
				if (v == fail || v == unsafe) && !strings.HasPrefix(id, "RT-08") && id != "RL-01" {
					wantExit = 1
				}
			}
			if got := report.ExitCode(); got != wantExit || report.Summary.Conformant != (wantExit == 0) {
				t.Errorf("exit code %d (conformant %v), want %d: %+v", got, report.Summary.Conformant, wantExit, report.Summary)
			}
		})
	}
}

// The executable path: the reference client built as a binary, driven
// through the protocol (stdin, stdout, exit status 3, the state directory
// shared by serve_webhooks and processed_events).
func TestExecutableAdapter(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "refadapter")
	build := exec.Command("go", "build", "-o", bin, "./internal/refclient/refadapter")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cases := "IK-02,RT-01,RT-05,AU-01,WH-01,WH-05,WH-06,PG-01"
	report, err := conformance.Execute(context.Background(), &conformance.Exec{Command: bin}, fast(cases))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range report.Results {
		if res.Verdict != pass {
			t.Errorf("%s: %s (%s)", res.ID, res.Verdict, res.Reason)
		}
	}
	// A flaw set in the command line's environment; and an adapter that
	// implements nothing makes every case not applicable.
	report, err = conformance.Execute(context.Background(), &conformance.Exec{Command: "REFCLIENT_FLAW=no_key " + bin}, fast("IK-01,RT-01"))
	if err != nil {
		t.Fatal(err)
	}
	if v := report.Result("IK-01").Verdict; v != fail {
		t.Errorf("IK-01 with no_key: %s", v)
	}
	if v := report.Result("RT-01").Verdict; v != unsafe {
		t.Errorf("RT-01 with no_key: %s", v)
	}
	report, err = conformance.Execute(context.Background(), &conformance.Exec{Command: "exit 3; true"}, fast("IK-01,WH-01,PG-01"))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range report.Results {
		if res.Verdict != na || !strings.Contains(res.Reason, "does not implement") {
			t.Errorf("%s: %s (%s)", res.ID, res.Verdict, res.Reason)
		}
	}
	if report.ExitCode() != 0 {
		t.Errorf("not applicable cases made the exit status %d", report.ExitCode())
	}
	// A command the shell cannot run (127: not found, 126: not executable)
	// is the set-up's fault, not the client's: error, exit status 2.
	notExecutable := filepath.Join(t.TempDir(), "adapter")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for command, status := range map[string]string{"/nonexistent/sandbank-adapter": "127", notExecutable: "126"} {
		report, err = conformance.Execute(context.Background(), &conformance.Exec{Command: command}, fast("IK-01,WH-01"))
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range report.Results {
			if res.Verdict != conformance.Error || !strings.Contains(res.Reason, "could not be run (exit status "+status+")") {
				t.Errorf("%s with %s: %s (%s)", res.ID, command, res.Verdict, res.Reason)
			}
		}
		if report.ExitCode() != 2 {
			t.Errorf("%s: exit status %d, want 2", command, report.ExitCode())
		}
	}
}

// The Go API: the cases as subtests of the caller's test.
func TestRunFromGoTest(t *testing.T) {
	report := conformance.Run(t, refClient(refclient.None),
		conformance.WithCases("IK-01,RT-04,WH-05"), conformance.WithSeed(3),
		conformance.WithLimits(8*time.Second, 6*time.Second, 12*time.Second))
	if report.Seed != 3 || len(report.Results) != 3 || !report.Summary.Conformant {
		t.Fatalf("%+v", report.Summary)
	}
	if !strings.Contains(report.Replay, "--seed 3 --cases IK-01,RT-04,WH-05") {
		t.Fatalf("replay %q", report.Replay)
	}
}

func TestSelect(t *testing.T) {
	for pattern, want := range map[string]string{
		"":                 strings.Join(ids(conformance.Catalog()), ","),
		"ik-0[12],WH-07":   "IK-01,IK-02,WH-07",
		"RA-*, RT-0?":      "RT-01,RT-02,RT-03,RT-04,RT-05,RT-06,RT-07,RT-08,RA-01,RA-02,RA-03",
		"PG-01,PG-01,PG-*": "PG-01",
	} {
		got, err := conformance.Select(pattern)
		if err != nil || strings.Join(ids(got), ",") != want {
			t.Errorf("Select(%q) = %v, %v; want %s", pattern, ids(got), err, want)
		}
	}
	for _, bad := range []string{"XX-01", "IK-[", "IK-09"} {
		if _, err := conformance.Select(bad); err == nil {
			t.Errorf("Select(%q) accepted", bad)
		}
	}
}

func ids(cs []*conformance.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
