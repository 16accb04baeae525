package fakedata_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/fakedata"
	"github.com/sandbank/sandbank/simulator/ledger"
)

var start = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func provision(t testing.TB, seed uint64) *bank.Bank {
	t.Helper()
	fake := gofakeit.New(seed)
	data, err := fakedata.Generate(fake, start)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bank.New(clock.New(start, clock.Frozen, nil), fake, data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGeneratedBankIsConsistent(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		b := provision(t, seed)
		if err := b.Verify(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		counts := b.Counts()
		if counts.Customers != 8 || counts.Accounts != 9 {
			t.Fatalf("seed %d: counts %+v", seed, counts)
		}
		if counts.Transactions < 500 {
			t.Errorf("seed %d: only %d transactions in 90 days", seed, counts.Transactions)
		}
		currencies := map[string]bool{}
		for _, a := range b.AllAccounts() {
			currencies[a.Currency] = true
			checkIdentifiers(t, a)
			bal, _ := b.Ledger.Balance(ledger.AccountID(a.ID))
			if bal.Booked < 0 {
				t.Errorf("seed %d: account %s balance %d < 0", seed, a.ID, bal.Booked)
			}
			// People keep money for their bills: a fresh tenant can pay someone.
			if bal.Booked < 10000 {
				t.Errorf("seed %d: account %s (%s %s) ends its history with only %d minor units", seed, a.ID, a.Currency, a.Kind, bal.Booked)
			}
			page, err := b.Transactions(a.ID, bank.TransactionFilter{}, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			types := map[string]bool{}
			oldest := start
			for _, tx := range page.Items {
				types[tx.Type] = true
				if tx.Posting.RunningBalance < 0 {
					t.Errorf("seed %d: %s running balance %d", seed, tx.ID, tx.Posting.RunningBalance)
				}
				if tx.CreatedAt().Before(oldest) {
					oldest = tx.CreatedAt()
				}
			}
			if days := start.Sub(oldest).Hours() / 24; days < 85 || days > 91 {
				t.Errorf("seed %d: account %s history spans %.0f days", seed, a.ID, days)
			}
			if !types["opening_balance"] || (!types["card"] && a.Kind != "business") {
				t.Errorf("seed %d: account %s (%s) has types %v", seed, a.ID, a.Currency, types)
			}
		}
		for _, cur := range bank.AccountCurrencies {
			if !currencies[cur] {
				t.Errorf("seed %d: no %s account", seed, cur)
			}
		}
		for _, c := range b.Customers(bank.CustomerFilter{}, 0, 100).Items {
			if c.TaxID.Type == "br_cpf" && !checkdigit.ValidCPF(c.TaxID.Value) {
				t.Errorf("invalid CPF %s", c.TaxID.Value)
			}
			if c.TaxID.Type == "br_cnpj" && !checkdigit.ValidCNPJ(c.TaxID.Value) {
				t.Errorf("invalid CNPJ %s", c.TaxID.Value)
			}
			if c.TaxID.Type == "gb_nino" && !checkdigit.ValidNINO(c.TaxID.Value) {
				t.Errorf("invalid NINO %s", c.TaxID.Value)
			}
			if c.TaxID.Type == "de_tax_id" && !checkdigit.ValidDETaxID(c.TaxID.Value) {
				t.Errorf("invalid Steuer-ID %s", c.TaxID.Value)
			}
			if c.TaxID.Type == "us_ssn" && !checkdigit.ValidSSN(c.TaxID.Value) {
				t.Errorf("invalid SSN %s", c.TaxID.Value)
			}
		}
	}
}

func checkIdentifiers(t *testing.T, a *bank.Account) {
	t.Helper()
	ids := a.Identifiers
	if ids.IBAN != "" {
		if err := checkdigit.ValidIBAN(ids.IBAN); err != nil {
			t.Errorf("account %s: IBAN %s: %v", a.ID, ids.IBAN, err)
		}
	}
	switch a.Currency {
	case "BRL":
		if ids.BR == nil || !checkdigit.ValidBRAccount(ids.BR.Number, ids.BR.Digit) || ids.IBAN[:2] != "BR" {
			t.Errorf("account %s: bad Brazilian identifiers %+v %s", a.ID, ids.BR, ids.IBAN)
		}
	case "EUR":
		if ids.IBAN[:2] != "DE" || ids.BIC == "" {
			t.Errorf("account %s: bad EUR identifiers %+v", a.ID, ids)
		}
	case "GBP":
		if !checkdigit.ValidSortCode(ids.SortCode) || !checkdigit.ValidUKAccountNumber(ids.AccountNumber) {
			t.Errorf("account %s: bad UK identifiers %+v", a.ID, ids)
		}
	case "USD":
		if !checkdigit.ValidABARouting(ids.RoutingNumber) || len(ids.AccountNumber) < 8 {
			t.Errorf("account %s: bad US identifiers %+v", a.ID, ids)
		}
	}
}

func TestSameSeedSameBank(t *testing.T) {
	a, b := provision(t, 42), provision(t, 42)
	if !reflect.DeepEqual(snapshot(a), snapshot(b)) {
		t.Fatal("the same seed gave two different banks")
	}
	if reflect.DeepEqual(snapshot(a), snapshot(provision(t, 43))) {
		t.Fatal("different seeds gave the same bank")
	}
}

func snapshot(b *bank.Bank) []string {
	var out []string
	for _, a := range b.AllAccounts() {
		ids := a.Identifiers
		out = append(out, fmt.Sprintf("%s %s %s %s %s", a.ID, a.Currency, ids.IBAN, ids.AccountNumber, ids.RoutingNumber))
		if ids.BR != nil {
			out = append(out, fmt.Sprintf("%+v", *ids.BR))
		}
		page, _ := b.Transactions(a.ID, bank.TransactionFilter{}, 0, 100000)
		for _, tx := range page.Items {
			out = append(out, fmt.Sprintf("%s %d %s %s", tx.ID, tx.Amount(), tx.Description, tx.CreatedAt()))
		}
	}
	return out
}

func BenchmarkProvision(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		provision(b, uint64(i+1))
	}
}
