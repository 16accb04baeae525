package bank

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/ledger"
)

var start = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // a Monday

func seqOf(n uint64) uint64 { return n }

func TestPaginate(t *testing.T) {
	items := []uint64{1, 2, 3, 4, 5}
	even := func(n uint64) bool { return n%2 == 0 }
	cases := []struct {
		name     string
		items    []uint64
		before   uint64
		limit    int
		keep     func(uint64) bool
		want     []uint64
		wantMore bool
		wantNext uint64
	}{
		{"empty", nil, 0, 10, nil, nil, false, 0},
		{"empty with a cursor", nil, 7, 10, nil, nil, false, 0},
		{"fewer than the limit", items, 0, 10, nil, []uint64{5, 4, 3, 2, 1}, false, 0},
		{"exactly the limit", items, 0, 5, nil, []uint64{5, 4, 3, 2, 1}, false, 0},
		{"first page", items, 0, 2, nil, []uint64{5, 4}, true, 4},
		{"middle page", items, 4, 2, nil, []uint64{3, 2}, true, 2},
		{"last page", items, 2, 2, nil, []uint64{1}, false, 0},
		{"cursor at the oldest", items, 1, 2, nil, nil, false, 0},
		{"cursor above the newest", items, 100, 2, nil, []uint64{5, 4}, true, 4},
		{"cursor between sequence numbers", []uint64{10, 20, 30}, 25, 5, nil, []uint64{20, 10}, false, 0},
		{"filter", items, 0, 5, even, []uint64{4, 2}, false, 0},
		{"filter fills the page exactly", items, 0, 2, even, []uint64{4, 2}, false, 0},
		{"filter with more to come", items, 0, 1, even, []uint64{4}, true, 4},
		{"filter after the cursor", items, 4, 1, even, []uint64{2}, false, 0},
		{"filter keeps nothing", items, 0, 3, func(uint64) bool { return false }, nil, false, 0},
		{"limit 1", items, 0, 1, nil, []uint64{5}, true, 5},
		{"limit 0 counts as 1", items, 0, 0, nil, []uint64{5}, true, 5},
		{"negative limit counts as 1", items, 0, -3, nil, []uint64{5}, true, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := paginate(tc.items, seqOf, tc.before, tc.limit, tc.keep)
			if !slices.Equal(p.Items, tc.want) || p.HasMore != tc.wantMore || p.Next != tc.wantNext {
				t.Errorf("paginate(before=%d, limit=%d) = %v more=%v next=%d; want %v more=%v next=%d",
					tc.before, tc.limit, p.Items, p.HasMore, p.Next, tc.want, tc.wantMore, tc.wantNext)
			}
		})
	}
}

// TestPaginateWalk walks every (limit, filter) combination and checks that
// the walk returns each kept item once, newest first, even when items are
// appended between pages.
func TestPaginateWalk(t *testing.T) {
	for _, limit := range []int{1, 2, 3, 7, 50} {
		for _, mod := range []uint64{1, 2, 3} {
			var items []uint64
			for i := uint64(1); i <= 20; i++ {
				items = append(items, i*10) // gaps between sequence numbers
			}
			keep := func(n uint64) bool { return (n/10)%mod == 0 }
			var want []uint64
			for i := len(items) - 1; i >= 0; i-- {
				if keep(items[i]) {
					want = append(want, items[i])
				}
			}
			var got []uint64
			before := uint64(0)
			next := uint64(1000)
			for pages := 0; ; pages++ {
				p := paginate(items, seqOf, before, limit, keep)
				if len(p.Items) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(p.Items))
				}
				got = append(got, p.Items...)
				if !p.HasMore {
					break
				}
				if pages > 100 {
					t.Fatal("the walk does not end")
				}
				before = p.Next
				items = append(items, next) // a new item arrives between pages
				next += 10
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d, every %d: walked %v, want %v", limit, mod, got, want)
			}
		}
	}
}

func TestNextBusinessDay(t *testing.T) {
	cases := []struct{ from, want string }{
		{"2026-03-02T12:00:00Z", "2026-03-03T09:00:00Z"}, // Monday → Tuesday
		{"2026-03-02T08:59:59Z", "2026-03-03T09:00:00Z"}, // before nine is still the next day
		{"2026-03-02T00:00:00Z", "2026-03-03T09:00:00Z"},
		{"2026-03-03T23:59:59Z", "2026-03-04T09:00:00Z"}, // Tuesday
		{"2026-03-05T09:00:00Z", "2026-03-06T09:00:00Z"}, // Thursday → Friday
		{"2026-03-06T09:00:00Z", "2026-03-09T09:00:00Z"}, // Friday → Monday
		{"2026-03-06T23:59:59Z", "2026-03-09T09:00:00Z"},
		{"2026-03-07T10:00:00Z", "2026-03-09T09:00:00Z"}, // Saturday → Monday
		{"2026-03-08T10:00:00Z", "2026-03-09T09:00:00Z"}, // Sunday → Monday
		{"2026-01-30T12:00:00Z", "2026-02-02T09:00:00Z"}, // Friday → Monday, across a month
		{"2028-02-28T12:00:00Z", "2028-02-29T09:00:00Z"}, // leap day
	}
	for _, tc := range cases {
		from, _ := time.Parse(time.RFC3339, tc.from)
		want, _ := time.Parse(time.RFC3339, tc.want)
		got := nextBusinessDay(from)
		if !got.Equal(want) {
			t.Errorf("nextBusinessDay(%s %s) = %s %s, want %s", from.Weekday(), tc.from, got.Weekday(), got.Format(time.RFC3339), tc.want)
		}
		if got.Weekday() == time.Saturday || got.Weekday() == time.Sunday || !got.After(from) {
			t.Errorf("nextBusinessDay(%s) = %s", tc.from, got)
		}
	}
}

func TestNormalizePixKey(t *testing.T) {
	cases := []struct {
		in, key, kind string
		ok            bool
	}{
		{"maria.silva@example.com", "maria.silva@example.com", "email", true},
		{"Maria.Silva@Example.COM", "maria.silva@example.com", "email", true},
		{"  maria@example.com  ", "maria@example.com", "email", true},
		{"x@timeout.sandbox.test", "x@timeout.sandbox.test", "email", true},
		{"Maria <maria@example.com>", "", "", false},
		{"maria@", "", "", false},
		{"@example.com", "", "", false},
		{"maria@@example.com", "", "", false},
		{strings.Repeat("a", 71) + "@ex.com", "", "", false}, // 77 characters is the DICT maximum
		{strings.Repeat("a", 70) + "@ex.com", strings.Repeat("a", 70) + "@ex.com", "email", true},
		{"+5511987654321", "+5511987654321", "phone", true},
		{"+551133334444", "+551133334444", "phone", true},
		{"+14155550123", "", "", false},
		{"+55119876543210", "", "", false},
		{"+55 11 98765-4321", "", "", false},
		{"+55119876x4321", "", "", false},
		{"3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", "evp", true},
		{"3F9C2A71-5B8E-4D1F-A6C3-9E2B7D4F0A18", "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", "evp", true},
		{"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "", "", false},
		{"3f9c2a715-b8e-4d1f-a6c3-9e2b7d4f0a18", "", "", false},
		{"3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a1", "", "", false},
		{"111.444.777-35", "11144477735", "cpf", true},
		{"11144477735", "11144477735", "cpf", true},
		{"111.444.777-36", "", "", false},
		{"111.111.111-11", "", "", false},
		{"12.345.678/0001-95", "12345678000195", "cnpj", true},
		{"12345678000195", "12345678000195", "cnpj", true},
		{"12.345.678/0001-96", "", "", false},
		{"", "", "", false},
		{"maria silva", "", "", false},
	}
	for _, tc := range cases {
		key, kind, ok := normalizePixKey(tc.in)
		if key != tc.key || kind != tc.kind || ok != tc.ok {
			t.Errorf("normalizePixKey(%q) = %q, %q, %v; want %q, %q, %v", tc.in, key, kind, ok, tc.key, tc.kind, tc.ok)
		}
	}
}

func TestMagicOutcome(t *testing.T) {
	cases := []struct {
		rail string
		c    Creditor
		want string
	}{
		{RailPix, Creditor{PixKey: "x@reject-ac04.sandbox.test"}, ReasonClosedAccount},
		{RailPix, Creditor{PixKey: "Anyone@Reject-AC04.Sandbox.Test"}, ReasonClosedAccount},
		{RailPix, Creditor{PixKey: "x@timeout.sandbox.test"}, "timeout"},
		{RailPix, Creditor{PixKey: "x@TIMEOUT.sandbox.test"}, "timeout"},
		{RailPix, Creditor{PixKey: "x@timeout.sandbox.test.example.com"}, ""},
		{RailPix, Creditor{PixKey: "reject-ac04.sandbox.test@example.com"}, ""},
		{RailPix, Creditor{PixKey: "maria@example.com"}, ""},
		{RailPix, Creditor{PixKey: "+5511987650001"}, ""}, // account suffixes are not Pix magic
		{RailPix, Creditor{PixKey: "maria@example.com", AccountNumber: "0001"}, ""},
		{RailTED, Creditor{AccountNumber: "12340001"}, ReasonWrongAccount},
		{RailTED, Creditor{AccountNumber: "12340004"}, ReasonClosedAccount},
		{RailTED, Creditor{AccountNumber: "12340006"}, ReasonBlocked},
		{RailTED, Creditor{AccountNumber: "0001"}, ReasonWrongAccount},
		{RailTED, Creditor{AccountNumber: "10001"}, ReasonWrongAccount},
		{RailTED, Creditor{AccountNumber: "12340002"}, ""},
		{RailTED, Creditor{AccountNumber: "00010"}, ""},
		{RailTED, Creditor{AccountNumber: "001"}, ""},
		{RailFPS, Creditor{AccountNumber: "87650001"}, ReasonWrongAccount},
		{RailFPS, Creditor{AccountNumber: "87650004"}, ReasonClosedAccount},
		{RailFPS, Creditor{AccountNumber: "87650006"}, ReasonBlocked},
		{RailFPS, Creditor{AccountNumber: "87650007"}, ""},
		{RailSEPA, Creditor{IBAN: "DE67370400440532010001"}, ReasonWrongAccount},
		{RailSEPA, Creditor{IBAN: "DE89370400440532010004"}, ReasonClosedAccount},
		{RailSEPA, Creditor{IBAN: "DE89370400440532010006"}, ReasonBlocked},
		{RailSEPA, Creditor{IBAN: "DE89370400440532013000"}, ""},
		{RailSEPA, Creditor{IBAN: "DE89370400440532013000", AccountNumber: "0001"}, ""}, // SEPA reads the IBAN
		{RailInternal, Creditor{AccountID: "acc_0000000000000001"}, ""},
	}
	for _, tc := range cases {
		if got := magicOutcome(tc.rail, tc.c); got != tc.want {
			t.Errorf("magicOutcome(%s, %+v) = %q, want %q", tc.rail, tc.c, got, tc.want)
		}
	}
}

func TestKYCOutcome(t *testing.T) {
	cases := []struct {
		id     TaxID
		status string
		reason string
	}{
		{TaxID{Type: "br_cpf", Value: "111.444.777-35"}, "verified", ""},
		{TaxID{Type: "br_cpf", Value: "529.982.247-25"}, "requires_input", "document_unreadable"},
		{TaxID{Type: "br_cpf", Value: "52998224725"}, "requires_input", "document_unreadable"},
		{TaxID{Type: "br_cpf", Value: "987.654.321-00"}, "rejected", "identity_mismatch"},
		{TaxID{Type: "br_cpf", Value: "98765432100"}, "rejected", "identity_mismatch"},
		{TaxID{Type: "br_cnpj", Value: "12.345.678/0001-95"}, "verified", ""},
		{TaxID{Type: "us_ssn", Value: "529.982.247-25"}, "verified", ""}, // the magic is for CPFs only
		{TaxID{Type: "de_tax_id", Value: "65929970489"}, "verified", ""},
	}
	for _, tc := range cases {
		got := kycOutcome(tc.id)
		if got.Status != tc.status || got.FailureReason != tc.reason {
			t.Errorf("kycOutcome(%+v) = %+v, want %s (%s)", tc.id, got, tc.status, tc.reason)
		}
	}
}

func TestTaxIDHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"111.444.777-35":     "11144477735",
		"12.345.678/0001-95": "12345678000195",
		"ab 12 34 56 c":      "AB123456C",
		"123-45-6789":        "123456789",
		"":                   "",
	} {
		if got := NormalizeTaxID(in); got != want {
			t.Errorf("NormalizeTaxID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"09446231": true, "SC123456": true, "NI000001": true,
		"0944623": false, "094462311": false, "sc123456": false, "SC12345A": false, "": false,
	} {
		if got := validCompanyNumber(in); got != want {
			t.Errorf("validCompanyNumber(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCheckMetadata(t *testing.T) {
	for _, m := range []map[string]string{
		nil, {}, {"k": ""}, {strings.Repeat("k", MaxMetadataKey): "v"}, {strings.Repeat("ç", MaxMetadataKey): "v"},
	} {
		if err := checkMetadata(m); err != nil {
			t.Errorf("checkMetadata(%v) = %v", m, err)
		}
	}
	for _, tc := range []struct {
		m       map[string]string
		pointer string
	}{
		{map[string]string{"": "v"}, "/metadata/"},
		{map[string]string{strings.Repeat("k", MaxMetadataKey+1): ""}, "/metadata/" + strings.Repeat("k", MaxMetadataKey+1)},
		{map[string]string{"ok": "v", "a/b~" + strings.Repeat("x", MaxMetadataKey): "v"}, "/metadata/a~1b~0" + strings.Repeat("x", MaxMetadataKey)},
	} {
		err := checkMetadata(tc.m)
		var be *Error
		if !errors.As(err, &be) || be.Kind != Invalid || be.Code != "invalid_metadata" || be.Field != tc.pointer {
			t.Errorf("checkMetadata(%v) = %v, want invalid_metadata at %s", tc.m, err, tc.pointer)
		}
	}
}

// newTestBank is an empty bank on a frozen clock.
func newTestBank(t *testing.T) *Bank {
	t.Helper()
	b, err := New(clock.New(start, clock.Frozen, nil), gofakeit.New(7), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustAccount(t *testing.T, b *Bank, currency string) *Account {
	t.Helper()
	c, err := b.CreateCustomer(CustomerInput{Type: "individual", Name: "Ana", Email: "ana@example.com", TaxID: TaxID{Type: "br_cpf", Value: "111.444.777-35"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.OpenAccount(AccountInput{CustomerID: c.ID, Currency: currency})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoadOrdersSeedByCreation(t *testing.T) {
	day := func(d int) time.Time { return start.AddDate(0, 0, -d) }
	seed := &SeedData{}
	for i, age := range []int{10, 300, 40, 5, 200} { // not in creation order
		c := &Customer{ID: fmt.Sprintf("cus_%016d", i), Type: "individual", CreatedAt: day(age)}
		a := &Account{ID: fmt.Sprintf("acc_%016d", i), CustomerID: c.ID, Currency: "EUR", Status: "active", CreatedAt: day(age)}
		seed.Customers = append(seed.Customers, c)
		seed.Accounts = append(seed.Accounts, a)
	}
	b, err := New(clock.New(start, clock.Frozen, nil), gofakeit.New(1), seed)
	if err != nil {
		t.Fatal(err)
	}
	custs := b.Customers(CustomerFilter{}, 0, 100).Items
	for i := 1; i < len(custs); i++ {
		if custs[i].CreatedAt.After(custs[i-1].CreatedAt) {
			t.Errorf("customers not newest first: %s (%s) after %s (%s)", custs[i].ID, custs[i].CreatedAt, custs[i-1].ID, custs[i-1].CreatedAt)
		}
	}
	accts := b.Accounts(AccountFilter{}, 0, 100).Items
	for i := 1; i < len(accts); i++ {
		if accts[i].CreatedAt.After(accts[i-1].CreatedAt) {
			t.Errorf("accounts not newest first: %s after %s", accts[i].ID, accts[i-1].ID)
		}
	}
	// A customer created now is the newest.
	c, err := b.CreateCustomer(CustomerInput{Type: "individual", Name: "New", Email: "new@example.com", TaxID: TaxID{Type: "de_tax_id", Value: "65929970489"}})
	if err != nil {
		t.Fatal(err)
	}
	if first := b.Customers(CustomerFilter{}, 0, 1).Items[0]; first.ID != c.ID {
		t.Errorf("newest customer %s, want %s", first.ID, c.ID)
	}
}

// TestTransfersKeepTheLedgerBalanced runs a deterministic mix of inbound
// money, transfers on every rail, cancels and clock advances, and checks
// after each step that the ledger's invariants hold and that each
// account's balances equal the sums of its statement lines.
func TestTransfersKeepTheLedgerBalanced(t *testing.T) {
	b := newTestBank(t)
	brl1, brl2 := mustAccount(t, b, "BRL"), mustAccount(t, b, "BRL")
	eur, gbp := mustAccount(t, b, "EUR"), mustAccount(t, b, "GBP")
	all := []*Account{brl1, brl2, eur, gbp}
	for _, a := range all {
		if _, err := b.ReceiveInbound(InboundInput{AccountID: a.ID, Amount: 50000, Currency: a.Currency}); err != nil {
			t.Fatal(err)
		}
	}
	creditors := map[string][]Creditor{
		RailInternal: {{AccountID: brl2.ID}},
		RailPix:      {{PixKey: "maria@example.com"}, {PixKey: brl2.PixKeys[0].Key}, {PixKey: "x@reject-ac04.sandbox.test"}, {PixKey: "x@timeout.sandbox.test"}},
		RailTED:      {{BankCode: "341", Branch: "1", AccountNumber: "12345678", Name: "M", TaxID: "11144477735"}, {BankCode: "341", Branch: "1", AccountNumber: "12340004", Name: "M", TaxID: "11144477735"}},
		RailSEPA:     {{IBAN: "DE89370400440532013000", Name: "J"}, {IBAN: "DE67370400440532010001", Name: "J"}},
		RailFPS:      {{SortCode: "040004", AccountNumber: "12345678", Name: "O"}, {SortCode: "040004", AccountNumber: "12340006", Name: "O"}},
	}
	debtorFor := map[string]*Account{RailInternal: brl1, RailPix: brl1, RailTED: brl1, RailSEPA: eur, RailFPS: gbp}
	rails := []string{RailInternal, RailPix, RailTED, RailSEPA, RailFPS}
	fake := gofakeit.New(42)
	var transfers []*Transfer
	check := func(step int) {
		t.Helper()
		if err := b.Verify(); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		for _, a := range all {
			bal, err := b.Balances(a.ID)
			if err != nil {
				t.Fatal(err)
			}
			var booked, pending, pendingDebit int64
			for _, tx := range a.transactions {
				switch tx.Status() {
				case "booked":
					booked += tx.Amount()
				case "pending":
					pending += tx.Amount()
					if tx.Amount() < 0 {
						pendingDebit += tx.Amount()
					}
				}
			}
			if bal.Booked != booked || bal.Pending != pending || bal.Available != booked+pendingDebit {
				t.Fatalf("step %d: account %s balances %+v, lines sum to booked %d pending %d", step, a.ID, bal, booked, pending)
			}
			if bal.Available < 0 {
				t.Fatalf("step %d: account %s overdrawn: %+v", step, a.ID, bal)
			}
		}
	}
	for step := range 300 {
		switch op := fake.IntN(10); {
		case op < 6:
			rail := rails[fake.IntN(len(rails))]
			cands := creditors[rail]
			debtor := debtorFor[rail]
			tr, err := b.CreateTransfer(TransferInput{Rail: rail, DebtorAccountID: debtor.ID, Amount: int64(1 + fake.IntN(9000)), Currency: debtor.Currency, Creditor: cands[fake.IntN(len(cands))]})
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			transfers = append(transfers, tr)
		case op < 7 && len(transfers) > 0:
			tr := transfers[fake.IntN(len(transfers))]
			_, err := b.CancelTransfer(tr.ID)
			var be *Error
			if err != nil && (!errors.As(err, &be) || be.Kind != State) {
				t.Fatalf("step %d: cancel: %v", step, err)
			}
		case op < 8:
			a := all[fake.IntN(len(all))]
			if _, err := b.ReceiveInbound(InboundInput{AccountID: a.ID, Amount: int64(1 + fake.IntN(5000)), Currency: a.Currency}); err != nil {
				t.Fatal(err)
			}
		default:
			if _, err := b.Clock.AdvanceTo(b.Now().Add(time.Duration(1+fake.IntN(3600)) * time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		check(step)
	}
	// Let everything settle: nothing may stay in flight.
	if _, err := b.Clock.AdvanceTo(b.Now().AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	check(300)
	terminal := map[string]bool{StatusSettled: true, StatusRejected: true, StatusCanceled: true}
	outcomes := map[string]int{}
	for _, tr := range transfers {
		if !terminal[tr.Status] {
			t.Errorf("transfer %s still %s a week later", tr.ID, tr.Status)
		}
		outcomes[tr.Status+" "+reasonOf(tr)]++
		if m, ok := b.Ledger.Movement(tr.ID); ok && m.Status() == ledger.Pending {
			t.Errorf("transfer %s left a pending movement", tr.ID)
		}
	}
	if n := b.Clock.Pending(); n != 0 {
		t.Errorf("%d jobs left", n)
	}
	// The mix exercised every outcome.
	for _, o := range []string{"ACSC ", "RJCT AM04", "RJCT AC01", "RJCT AC04", "RJCT AC06", "RJCT MS03", "CANC DS02"} {
		if outcomes[o] == 0 {
			t.Errorf("no transfer ended %s (outcomes %v)", o, outcomes)
		}
	}
}

// reasonOf is a transfer's status reason code ("" when it has none).
func reasonOf(t *Transfer) string {
	if t.StatusReason == nil {
		return ""
	}
	return t.StatusReason.Code
}
