package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/sandbank/sandbank/simulator"
)

// The request pipeline's budget on a 2-core machine: validation,
// idempotency and the journal together add ≤ 100 µs to a request; a tenant
// is provisioned in ≤ 20 ms. These benchmarks drive the server in-process
// (ServeHTTP with a recorder), so they measure sandbank, not the network.

type benchTenant struct {
	sim      *simulator.Server
	key      string
	from, to string
}

func newBenchTenant(b *testing.B) *benchTenant {
	b.Helper()
	sim, err := simulator.New(simulator.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	bt := &benchTenant{sim: sim, key: "sk_test_benchmarkbenchmark0001"}
	var list struct {
		Data []struct{ ID, Currency string } `json:"data"`
	}
	rec := bt.do(b, http.MethodGet, "/v1/accounts?currency=BRL&limit=100", nil, "")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Data) < 2 {
		b.Fatalf("accounts: %s", rec.Body)
	}
	bt.from, bt.to = list.Data[0].ID, list.Data[1].ID
	return bt
}

func (bt *benchTenant) do(b *testing.B, method, path string, body []byte, idemKey string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bt.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	rec := httptest.NewRecorder()
	bt.sim.ServeHTTP(rec, req)
	if rec.Code >= 400 {
		b.Fatalf("%s %s → %d %s", method, path, rec.Code, rec.Body)
	}
	return rec
}

// BenchmarkCreateTransfer is a validated, idempotent, journaled
// POST /v1/transfers: the whole pipeline plus the domain work.
func BenchmarkCreateTransfer(b *testing.B) {
	bt := newBenchTenant(b)
	bodies := [2][]byte{}
	for i, pair := range [2][2]string{{bt.from, bt.to}, {bt.to, bt.from}} {
		bodies[i], _ = json.Marshal(map[string]any{
			"rail": "internal", "debtor_account_id": pair[0], "amount": 1, "currency": "BRL",
			"creditor": map[string]any{"account_id": pair[1]}, "remittance_information": "benchmark",
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		bt.do(b, http.MethodPost, "/v1/transfers", bodies[i%2], "bench-"+strconv.Itoa(i))
	}
}

// BenchmarkCreatePayment is POST /v1/payments with a card, confirmed and
// captured automatically: tokenization, the risk check, authorization,
// capture, the balance transaction, events. Budget: within 2× of
// BenchmarkCreateTransfer.
func BenchmarkCreatePayment(b *testing.B) {
	bt := newBenchTenant(b)
	body, _ := json.Marshal(map[string]any{
		"amount": 1500, "currency": "BRL", "confirm": true, "description": "benchmark",
		"payment_method_data": map[string]any{"type": "card", "card": map[string]any{
			"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}},
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		bt.do(b, http.MethodPost, "/v1/payments", body, "pay-"+strconv.Itoa(i))
	}
}

// BenchmarkCreateTransferReplay is the idempotent path alone: a retry
// answered from the store.
func BenchmarkCreateTransferReplay(b *testing.B) {
	bt := newBenchTenant(b)
	body, _ := json.Marshal(map[string]any{
		"rail": "internal", "debtor_account_id": bt.from, "amount": 1, "currency": "BRL",
		"creditor": map[string]any{"account_id": bt.to},
	})
	bt.do(b, http.MethodPost, "/v1/transfers", body, "same")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		bt.do(b, http.MethodPost, "/v1/transfers", body, "same")
	}
}

// BenchmarkListTransactions is GET of one page (20 lines) of a statement.
func BenchmarkListTransactions(b *testing.B) {
	bt := newBenchTenant(b)
	path := "/v1/accounts/" + bt.from + "/transactions?limit=20"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		bt.do(b, http.MethodGet, path, nil, "")
	}
}

// BenchmarkGetHealth is the floor: the pipeline with no tenant, no body.
func BenchmarkGetHealth(b *testing.B) {
	sim, err := simulator.New(simulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	}
}

// BenchmarkProvisionTenant is a new key's first request: generating its
// customers, accounts and 90 days of history.
func BenchmarkProvisionTenant(b *testing.B) {
	sim, err := simulator.New(simulator.Config{Seed: 1, MaxTenants: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodGet, "/_sandbank/tenant", nil)
		req.Header.Set("Authorization", fmt.Sprintf("Bearer sk_test_provision%016d", i))
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Body.String())
		}
	}
}
