package simulator

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/sandbank/sandbank/simulator/bank"
)

// BenchmarkTransferDomainOnly is BenchmarkCreateTransfer without the
// pipeline: the bank call and the JSON rendering alone. The difference
// between the two is the pipeline's overhead (routing, auth, validation,
// idempotency, journal).
func BenchmarkTransferDomainOnly(b *testing.B) {
	s, err := New(Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	t, err := s.tenants.get("sk_test_benchmarkbenchmark0001")
	if err != nil {
		b.Fatal(err)
	}
	var brl []string
	for _, a := range t.bank.AllAccounts() {
		if a.Currency == "BRL" {
			brl = append(brl, a.ID)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		from, to := brl[i%2], brl[(i+1)%2]
		t.mu.Lock()
		tr, err := t.bank.CreateTransfer(bank.TransferInput{
			Rail: "internal", DebtorAccountID: from, Amount: 1, Currency: "BRL",
			Creditor: bank.Creditor{AccountID: to}, RemittanceInformation: "benchmark",
		})
		t.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(viewTransfer(tr)); err != nil {
			b.Fatal(err)
		}
	}
}
