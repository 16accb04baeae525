package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDuplicateWhileInFlight holds the first request inside its handler
// and sends a duplicate: the duplicate gets 409; once the first finishes, a
// retry gets its stored response.
func TestDuplicateWhileInFlight(t *testing.T) {
	sim, err := New(Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	orig := sim.handlers["createTransfer"]
	sim.handlers["createTransfer"] = func(c *call) *response {
		close(entered)
		<-release
		return orig(c)
	}
	ts := httptest.NewServer(sim)
	defer ts.Close()
	key := "sk_test_inflight00000000000000"
	send := func(body []byte) (int, http.Header, []byte) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/transfers", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "held")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}

	tn, err := sim.tenants.get(key)
	if err != nil {
		t.Fatal(err)
	}
	var from string
	for _, a := range tn.bank.AllAccounts() {
		if a.Currency == "BRL" && a.Kind != "business" {
			from = a.ID
		}
	}
	body, _ := json.Marshal(map[string]any{
		"rail": "pix", "debtor_account_id": from, "amount": 100, "currency": "BRL",
		"creditor": map[string]any{"pix_key": "ana@example.com"},
	})

	type result struct {
		status int
		body   []byte
	}
	first := make(chan result, 1)
	go func() {
		s, _, b := send(body)
		first <- result{s, b}
	}()
	<-entered // the first request holds the key and is inside the handler
	status, header, dup := send(body)
	close(release)
	if status != http.StatusConflict || header.Get("Retry-After") == "" || !bytes.Contains(dup, []byte(`"code":"idempotency_key_in_use"`)) {
		t.Fatalf("duplicate in flight: %d %v %s", status, header, dup)
	}
	r := <-first
	if r.status != http.StatusCreated {
		t.Fatalf("first request: %d %s", r.status, r.body)
	}
	status, header, again := send(body)
	if status != http.StatusCreated || header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again, r.body) {
		t.Fatalf("retry after completion: %d %v %s", status, header, again)
	}
}

// TestPanicReleasesTheKey checks that a handler failure does not leave a
// key stuck in flight: the next request with it runs.
func TestPanicReleasesTheKey(t *testing.T) {
	sim, err := New(Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	orig := sim.handlers["advanceClock"]
	sim.handlers["advanceClock"] = func(c *call) *response {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return orig(c)
	}
	ts := httptest.NewServer(sim)
	defer ts.Close()
	post := func() (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/sandbox/clock/advance", bytes.NewReader([]byte(`{"by":"1s"}`)))
		req.Header.Set("Authorization", "Bearer sk_test_panicpanicpanic00000")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if status, b := post(); status != http.StatusInternalServerError || !bytes.Contains(b, []byte(`"internal_error"`)) {
		t.Fatalf("panic: %d %s", status, b)
	}
	if status, b := post(); status != http.StatusOK {
		t.Fatalf("after the panic the key must be free: %d %s", status, b)
	}
}

// TestValidateResponsesLogsViolations breaks a handler on purpose: with
// ValidateResponses on, the server still answers, and logs what is wrong.
func TestValidateResponsesLogsViolations(t *testing.T) {
	var logs bytes.Buffer
	sim, err := New(Config{ValidateResponses: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sim.handlers["getHealth"] = func(c *call) *response {
		return c.json(http.StatusOK, map[string]any{"status": "sleepy"}) // bad enum, no version
	}
	ts := httptest.NewServer(sim)
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var found bool
	for _, line := range bytes.Split(logs.Bytes(), []byte("\n")) {
		if bytes.Contains(line, []byte("response violates the contract")) {
			found = bytes.Contains(line, []byte(`"operation":"getHealth"`)) && bytes.Contains(line, []byte("/status")) && bytes.Contains(line, []byte("version"))
		}
	}
	if !found {
		t.Fatalf("no violation logged naming /status and version:\n%s", logs.String())
	}
}
