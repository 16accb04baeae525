package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sandbank/sandbank/scenarios"
)

// sandbankRun runs the binary and returns its stdout, stderr and exit code.
func sandbankRun(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running sandbank %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// writeScenario writes a scenario file into dir and returns its path.
func writeScenario(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodScenario = `name: good-one
rules:
  - match: {method: POST, path: "/v1/*"}
    steps: ["reset;phase=after_commit", pass]
  - fault: 503
    every: 5
`

// badScenario has three problems, reported together, in order.
const badScenario = `name: Bad
rules:
  - fault: {type: latency, duraton: 2s}
  - fault: 503
    nth: 0
`

var badScenarioErrors = []string{
	`:1:7: name "Bad": use lower-case letters, digits, - and _ (at most 63)`,
	`:3:28: unknown parameter "duraton" (did you mean duration?) (parameters: duration, min, max, median, sigma)`,
	`:5:10: nth counts matches from 1`,
}

func TestScenarioLintGood(t *testing.T) {
	dir := t.TempDir()
	a := writeScenario(t, dir, "a.yaml", goodScenario)
	b := writeScenario(t, dir, "b.json", `{"name": "json-one", "rules": [{"fault": "reset"}, {"fault": {"type": "latency", "duration": "1s"}}]}`)
	out, errOut, code := sandbankRun(t, nil, "scenario", "lint", a, b)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := a + ": ok (good-one, 2 rules)\n" + b + ": ok (json-one, 2 rules)\n"
	if out != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

func TestScenarioLintBad(t *testing.T) {
	dir := t.TempDir()
	good := writeScenario(t, dir, "good.yaml", goodScenario)
	bad := writeScenario(t, dir, "bad.yaml", badScenario)
	out, errOut, code := sandbankRun(t, nil, "scenario", "lint", bad, good)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var want []string
	for _, e := range badScenarioErrors {
		want = append(want, bad+e)
	}
	if strings.TrimRight(errOut, "\n") != strings.Join(want, "\n") {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(want, "\n"))
	}
	// The good file is still checked and reported.
	if out != good+": ok (good-one, 2 rules)\n" {
		t.Fatalf("stdout %q", out)
	}
}

func TestScenarioLintDirectory(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, dir, "1-good.yaml", goodScenario)
	writeScenario(t, dir, "2-other.yml", "name: other\nrules:\n  - fault: close\n  - fault: reset\n")
	writeScenario(t, dir, "3-bad.yaml", badScenario)
	writeScenario(t, dir, "notes.txt", "not a scenario")
	out, errOut, code := sandbankRun(t, nil, "scenario", "lint", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one bad file)", code)
	}
	// The *.yaml, *.yml and *.json files, sorted; notes.txt is ignored.
	wantOut := filepath.Join(dir, "1-good.yaml") + ": ok (good-one, 2 rules)\n" +
		filepath.Join(dir, "2-other.yml") + ": ok (other, 2 rules)\n"
	if out != wantOut {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, wantOut)
	}
	if lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], filepath.Join(dir, "3-bad.yaml")+":1:7: ") {
		t.Fatalf("stderr:\n%s", errOut)
	}

	// A directory of good files passes.
	okDir := t.TempDir()
	writeScenario(t, okDir, "a.yaml", goodScenario)
	if _, errOut, code := sandbankRun(t, nil, "scenario", "lint", okDir); code != 0 || errOut != "" {
		t.Fatalf("good directory: exit %d %q", code, errOut)
	}
	// An empty directory is a problem.
	empty := t.TempDir()
	_, errOut, code = sandbankRun(t, nil, "scenario", "lint", empty)
	if code != 1 || errOut != empty+": "+empty+" holds no *.yaml, *.yml or *.json files\n" {
		t.Fatalf("empty directory: exit %d %q", code, errOut)
	}
}

func TestScenarioLintMissingAndUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	_, errOut, code := sandbankRun(t, nil, "scenario", "lint", missing)
	if code != 1 || !strings.HasPrefix(errOut, missing+": ") || !strings.Contains(errOut, "no such file or directory") {
		t.Fatalf("missing file: exit %d %q", code, errOut)
	}
	if _, errOut, code := sandbankRun(t, nil, "scenario", "lint"); code != 2 || !strings.Contains(errOut, "name at least one file or directory") {
		t.Fatalf("lint without files: exit %d %q", code, errOut)
	}
	if _, errOut, code := sandbankRun(t, nil, "scenario"); code != 2 || !strings.Contains(errOut, "usage: sandbank scenario lint") {
		t.Fatalf("scenario without a subcommand: exit %d %q", code, errOut)
	}
	if _, errOut, code := sandbankRun(t, nil, "scenario", "frobnicate"); code != 2 || !strings.Contains(errOut, "usage:") {
		t.Fatalf("unknown subcommand: exit %d %q", code, errOut)
	}
}

// outputLines runs the binary, which must exit 0 and print n lines, one
// for each of n things.
func outputLines(t *testing.T, n int, things string, args ...string) []string {
	t.Helper()
	out, _, code := sandbankRun(t, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines for %d %s:\n%s", len(lines), n, things, out)
	}
	return lines
}

func TestScenarioList(t *testing.T) {
	lib := scenarios.Library()
	lines := outputLines(t, len(lib), "library scenarios", "scenario", "list")
	for i, sc := range lib {
		if !utf8.ValidString(lines[i]) {
			t.Errorf("line %d is not valid UTF-8 (a description cut inside a character): %q", i, lines[i])
		}
		fields := strings.Fields(lines[i])
		if len(fields) < 2 || fields[0] != sc.Name {
			t.Errorf("line %d %q, want %s first", i, lines[i], sc.Name)
			continue
		}
		// The description, on one line (cut at 110 characters).
		desc := strings.Join(strings.Fields(sc.Description), " ")
		if got := strings.Join(fields[1:], " "); !strings.HasPrefix(desc, strings.TrimSuffix(got, "...")) || utf8.RuneCountInString(got) > 110 {
			t.Errorf("%s: description %q", sc.Name, got)
		}
	}
}

func TestScenarioShow(t *testing.T) {
	out, _, code := sandbankRun(t, nil, "scenario", "show", "commit-then-reset")
	want, err := scenarios.LibrarySource("commit-then-reset")
	if err != nil || code != 0 || out != string(want) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.HasPrefix(out, "name: commit-then-reset\n") {
		t.Fatalf("not the YAML: %q", out)
	}
	// What show prints lints clean.
	f := writeScenario(t, t.TempDir(), "shown.yaml", out)
	if _, errOut, code := sandbankRun(t, nil, "scenario", "lint", f); code != 0 {
		t.Fatalf("shown YAML does not lint: %s", errOut)
	}
	_, errOut, code := sandbankRun(t, nil, "scenario", "show", "nope")
	if code != 1 || errOut != "sandbank scenario show: no library scenario \"nope\" (sandbank scenario list)\n" {
		t.Fatalf("unknown: exit %d %q", code, errOut)
	}
	if _, _, code := sandbankRun(t, nil, "scenario", "show"); code != 2 {
		t.Fatalf("show without a name: exit %d", code)
	}
}

func TestScenarioFaults(t *testing.T) {
	types := scenarios.FaultTypes()
	lines := outputLines(t, len(types), "fault types", "scenario", "faults")
	for i, ft := range types {
		fields := strings.Fields(lines[i])
		if len(fields) < 3 || fields[0] != ft.Name || fields[1] != "("+string(ft.DefaultPhase)+")" || !strings.HasSuffix(lines[i], ft.Summary) {
			t.Errorf("line %q for %s", lines[i], ft.Name)
		}
	}
	for _, name := range []string{"latency", "hang", "reset", "close", "status", "503", "rate_limit", "malformed", "slow_body", "duplicate"} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, name+" ") }) {
			t.Errorf("faults lacks %s", name)
		}
	}
}

func TestServeBadScenario(t *testing.T) {
	dir := t.TempDir()
	bad := writeScenario(t, dir, "bad.yaml", badScenario)
	_, errOut, code := sandbankRun(t, nil, "serve", "--addr", freeAddr(t), "--scenario", bad)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", code, errOut)
	}
	want := "sandbank serve: bad --scenario:\n"
	for _, e := range badScenarioErrors {
		want += bad + e + "\n"
	}
	if errOut != want {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, want)
	}

	// Neither a file nor a library name; and the same name twice.
	dup := writeScenario(t, dir, "dup.yaml", "name: commit-then-reset\nrules:\n  - fault: 503\n")
	_, errOut, code = sandbankRun(t, []string{"SANDBANK_SCENARIO=no-such-thing"}, "serve", "--addr", freeAddr(t),
		"--scenario", "commit-then-reset", "--scenario", dup)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	// The command line wins over SANDBANK_SCENARIO: no-such-thing is not read.
	if strings.Contains(errOut, "no-such-thing") || !strings.Contains(errOut, dup+`: scenario "commit-then-reset" is also in library`) {
		t.Fatalf("stderr %q", errOut)
	}
	_, errOut, code = sandbankRun(t, []string{"SANDBANK_SCENARIO=no-such-thing"}, "serve", "--addr", freeAddr(t))
	if code != 2 || !strings.Contains(errOut, "--scenario no-such-thing: neither a file, a directory, nor a library scenario (sandbank scenario list)") {
		t.Fatalf("unknown name: exit %d %q", code, errOut)
	}
}

func TestServeLibraryScenario(t *testing.T) {
	p := startServe(t, nil, "--scenario", "commit-then-reset")
	if got, _ := p.listening["scenarios"].([]any); len(got) != 1 || got[0] != "commit-then-reset" {
		t.Fatalf("listening log %v", p.listening)
	}
	// The first POST under /v1 is applied, then its connection reset; the
	// retry with the same key gets the stored response.
	post := func() (*http.Response, error) {
		body := `{"type": "individual", "name": "Bruno Lima", "email": "bruno@example.com.br", "tax_id": {"type": "br_cpf", "value": "12345678909"}}`
		req, _ := http.NewRequest(http.MethodPost, "http://"+p.addr+"/v1/customers", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk_test_scenariocmdtest0001")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "cmd-scenario-1")
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		return c.Do(req)
	}
	if resp, err := post(); err == nil {
		resp.Body.Close()
		t.Fatalf("first POST answered %d, want a reset", resp.StatusCode)
	} else if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("first POST: %v, want connection reset", err)
	}
	resp, err := post()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %v %s", resp.StatusCode, resp.Header, b)
	}
}

func TestServeScenarioFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, dir, "mine.yaml", goodScenario)
	p := startServe(t, []string{"SANDBANK_SCENARIO=503-storm, " + dir})
	got, _ := p.listening["scenarios"].([]any)
	if len(got) != 2 || got[0] != "503-storm" || got[1] != "good-one" {
		t.Fatalf("scenarios %v", p.listening["scenarios"])
	}
}
