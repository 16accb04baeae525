package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLibraryFilesParse(t *testing.T) {
	files, err := filepath.Glob("library/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no library files: %v", err)
	}
	for _, f := range files {
		sc, err := LoadFile(f)
		if err != nil {
			t.Errorf("%s:\n%v", f, err)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if sc.Name != name {
			t.Errorf("%s: named %q, not after its file", f, sc.Name)
		}
		if strings.TrimSpace(sc.Description) == "" {
			t.Errorf("%s: no description", f)
		}
		if len(sc.Rules) == 0 {
			t.Errorf("%s: no rules", f)
		}
		// The embedded copy is the file.
		lib, ok := LibraryScenario(name)
		if !ok || lib.Source != "library" || lib.Name != name || lib.Description != sc.Description || len(lib.Rules) != len(sc.Rules) {
			t.Errorf("%s: library copy %+v", f, lib)
		}
		src, err := LibrarySource(name)
		disk, _ := os.ReadFile(f)
		if err != nil || string(src) != string(disk) {
			t.Errorf("%s: LibrarySource: %v", f, err)
		}
	}
	if got := len(Library()); got != len(files) {
		t.Fatalf("Library() has %d scenarios, the folder %d files", got, len(files))
	}
}

func TestLibrarySorted(t *testing.T) {
	var names []string
	for _, sc := range Library() {
		names = append(names, sc.Name)
	}
	if !slices.IsSorted(names) {
		t.Fatalf("Library() is not sorted: %v", names)
	}
	for _, want := range []string{"503-storm", "commit-then-503", "commit-then-reset", "flaky-10pct", "rate-limited",
		"retry-after-date", "slow-network", "timeout-then-success"} {
		if !slices.Contains(names, want) {
			t.Errorf("library lacks %s: %v", want, names)
		}
	}
}

func TestLibraryUnknown(t *testing.T) {
	if _, ok := LibraryScenario("nope"); ok {
		t.Fatal("LibraryScenario(nope)")
	}
	_, err := LibrarySource("nope")
	if err == nil || err.Error() != `no library scenario "nope" (sandbank scenario list)` {
		t.Fatalf("LibrarySource(nope): %v", err)
	}
	// A name is not a path.
	if _, err := LibrarySource("../load.go"); err == nil {
		t.Fatal("LibrarySource read outside the library")
	}
}

// decide feeds requests to a fresh set with one library scenario and
// renders each decision as its compact form ("-" for none).
func decideLibrary(t *testing.T, name string, reqs []*Request) []string {
	t.Helper()
	sc, ok := LibraryScenario(name)
	if !ok {
		t.Fatalf("no library scenario %s", name)
	}
	s := NewSet("sk_test_library_aaaaaaaa", 1, []*Scenario{sc})
	var out []string
	for _, r := range reqs {
		d := s.Decide(r)
		if d == nil {
			out = append(out, "-")
			continue
		}
		out = append(out, d.Injection.String())
	}
	return out
}

func repeatReq(n int, method, path string) []*Request {
	var out []*Request
	for range n {
		out = append(out, &Request{Method: method, Path: path, Tenant: "sk_test_library_aaaaaaaa"})
	}
	return out
}

// TestLibraryBehaviour checks each library scenario does what its
// description says.
func TestLibraryBehaviour(t *testing.T) {
	get := func(p string) *Request { return &Request{Method: "GET", Path: p} }
	post := func(p string) *Request { return &Request{Method: "POST", Path: p} }
	cases := []struct {
		name string
		reqs []*Request
		want string
	}{
		{"503-storm", append([]*Request{get("/healthz")}, repeatReq(7, "GET", "/v1/accounts")...),
			"[- 503 503 503 503 503 - -]"},
		{"commit-then-503", []*Request{get("/v1/accounts"), post("/v1/transfers/tr_1/cancel"), post("/v1/transfers"), post("/v1/transfers"), post("/v1/customers")},
			"[- - 503;phase=after_commit - -]"},
		{"commit-then-reset", []*Request{get("/v1/transfers"), post("/v1/transfers"), post("/v1/transfers")},
			"[- reset;phase=after_commit -]"},
		{"rate-limited", repeatReq(5, "GET", "/v1/accounts"),
			"[rate_limit;retry_after=2s - rate_limit;retry_after=2s - rate_limit;retry_after=2s]"},
		{"retry-after-date", repeatReq(3, "GET", "/v1/accounts"),
			"[503;retry_after=3s;retry_after_format=date - -]"},
		{"timeout-then-success", []*Request{get("/v1/accounts"), post("/v1/customers"), post("/v1/customers")},
			"[- hang -]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(decideLibrary(t, c.name, c.reqs)); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestLibraryProbabilities(t *testing.T) {
	// flaky-10pct: about one request in ten, half 503 before, half reset
	// after commit; nothing outside /v1.
	got := decideLibrary(t, "flaky-10pct", repeatReq(10000, "GET", "/v1/accounts"))
	count := map[string]int{}
	for _, d := range got {
		count[d]++
	}
	if n := count["503"]; n < 400 || n > 600 {
		t.Errorf("flaky-10pct: %d × 503 in 10000", n)
	}
	if n := count["reset;phase=after_commit"]; n < 400 || n > 600 {
		t.Errorf("flaky-10pct: %d resets in 10000", n)
	}
	if len(count) != 3 {
		t.Errorf("flaky-10pct: %v", count)
	}
	if d := decideLibrary(t, "flaky-10pct", repeatReq(200, "GET", "/healthz")); slices.ContainsFunc(d, func(s string) bool { return s != "-" }) {
		t.Error("flaky-10pct touched /healthz")
	}
	// Seeded: two runs give the same faults.
	if fmt.Sprint(got) != fmt.Sprint(decideLibrary(t, "flaky-10pct", repeatReq(10000, "GET", "/v1/accounts"))) {
		t.Error("flaky-10pct is not reproducible")
	}

	// slow-network: one response in five trickles; the others are delayed.
	count = map[string]int{}
	for _, d := range decideLibrary(t, "slow-network", repeatReq(5000, "GET", "/v1/accounts")) {
		count[d]++
	}
	if n := count["slow_body;bytes_per_second=2048"]; n < 850 || n > 1150 {
		t.Errorf("slow-network: %d slow bodies in 5000 (%v)", n, count)
	}
	if n := count["latency;median=250ms;sigma=0.6"]; n != 5000-count["slow_body;bytes_per_second=2048"] {
		t.Errorf("slow-network: every other request is delayed: %v", count)
	}
}
