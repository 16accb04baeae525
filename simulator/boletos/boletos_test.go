package boletos

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/boletocode"
	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/fakedata"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// recorder is an Emitter that keeps every event with the boleto's status
// at the moment it was emitted.
type recorder struct{ events []string }

func (r *recorder) emit(typ string, resource any) {
	if b, ok := resource.(*Boleto); ok {
		r.events = append(r.events, fmt.Sprintf("%s %s %s", typ, b.ID, b.Status))
	}
}

func (r *recorder) of(id string) []string {
	var out []string
	for _, e := range r.events {
		if f := strings.Fields(e); f[1] == id {
			out = append(out, f[0]+" "+f[2])
		}
	}
	return out
}

type fixture struct {
	book *Book
	bank *bank.Bank
	clk  *clock.Clock
	rec  *recorder
	brl  *bank.Account // a seeded BRL account (the beneficiary)
	eur  *bank.Account
}

// newFixture builds a seeded bank and an empty book on a frozen clock
// starting at start.
func newFixture(t testing.TB, start time.Time) *fixture {
	t.Helper()
	fake := gofakeit.New(42)
	data, err := fakedata.Generate(fake, start)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.New(start, clock.Frozen, nil)
	b, err := bank.New(clk, fake, data)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{book: New(clk, b, fake), bank: b, clk: clk, rec: &recorder{}}
	f.book.Emit = f.rec.emit
	for _, a := range b.AllAccounts() {
		switch {
		case a.Currency == "BRL" && f.brl == nil:
			f.brl = a
		case a.Currency == "EUR" && f.eur == nil:
			f.eur = a
		}
	}
	if f.brl == nil || f.eur == nil {
		t.Fatal("the seed has no BRL or EUR account")
	}
	t.Cleanup(func() {
		if err := b.Verify(); err != nil {
			t.Errorf("ledger: %v", err)
		}
	})
	return f
}

func (f *fixture) input(amount int64, due string) Input {
	return Input{AccountID: f.brl.ID, Amount: amount, Currency: "BRL", DueDate: due,
		Payer: PayerInput{Name: "Maria Silva", TaxID: "123.456.789-09"}}
}

func (f *fixture) register(t *testing.T, in Input) *Boleto {
	t.Helper()
	b, err := f.book.Register(in)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return b
}

func (f *fixture) advanceTo(t *testing.T, to time.Time) {
	t.Helper()
	if _, err := f.clk.AdvanceTo(to); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) balance(t *testing.T) bank.Balances {
	t.Helper()
	bal, err := f.bank.Balances(f.brl.ID)
	if err != nil {
		t.Fatal(err)
	}
	return bal
}

func brt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, SaoPaulo)
}

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fieldOf(t *testing.T, err error) (code, field string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a domain error", err)
	}
	return de.Code, de.Field
}

// The worked example of the domain reference, reproduced with boletocode.
func TestWorkedExample(t *testing.T) {
	const line = "00190.00009 01149.718601 68524.522114 6 75860000102656"
	const barcode = "00196758600001026560000001149718606852452211"
	for digits, want := range map[string]int{"001900000": 9, "0114971860": 1, "6852452211": 4} {
		if got, _ := boletocode.Mod10(digits); got != want {
			t.Errorf("mod 10 of %s = %d, want %d", digits, got, want)
		}
	}
	if got, _ := boletocode.Mod11(barcode[:4] + barcode[5:]); got != 6 {
		t.Errorf("mod 11 = %d, want 6", got)
	}
	bc, err := boletocode.BarcodeFromDigitableLine(line)
	if err != nil || bc != barcode {
		t.Fatalf("barcode %s, %v; want %s", bc, err, barcode)
	}
	b, err := boletocode.ParseDigitableLine(line, time.Date(2018, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if b.BankCode != "001" || b.Amount != 102656 || b.Due.Format(time.DateOnly) != "2018-07-15" {
		t.Fatalf("parsed %+v", b)
	}
	if factor, _ := boletocode.DueFactor(b.Due); factor != 7586 {
		t.Errorf("factor %d, want 7586", factor)
	}
	// And back: the same fields give the same codes.
	again, err := boletocode.DigitableLine(b)
	if err != nil || again != line {
		t.Fatalf("rebuilt %q, %v", again, err)
	}
}

// The fator de vencimento reached 9999 on 2025-02-21 and restarted at
// 1000 the next day: boletos registered around it carry the right factor
// and parse back to their due dates.
func TestFactorAcrossTheReset(t *testing.T) {
	f := newFixture(t, time.Date(2025, 2, 10, 12, 0, 0, 0, time.UTC))
	for due, factor := range map[string]string{
		"2025-02-10": "9988", "2025-02-20": "9998", "2025-02-21": "9999", "2025-02-22": "1000",
		"2025-02-23": "1001", "2025-03-01": "1007", "2026-03-20": "1391",
	} {
		b := f.register(t, f.input(12345, due))
		if got := b.Barcode[5:9]; got != factor {
			t.Errorf("due %s: factor %s, want %s", due, got, factor)
		}
		if got := strings.Fields(b.DigitableLine)[4][:4]; got != factor {
			t.Errorf("due %s: linha digitável factor %s, want %s", due, got, factor)
		}
		checkCodes(t, b, f.clk.Now())
	}
}

// checkCodes parses a boleto's barcode and linha digitável back.
func checkCodes(t *testing.T, b *Boleto, now time.Time) {
	t.Helper()
	fromBarcode, err := boletocode.ParseBarcode(b.Barcode, now)
	if err != nil {
		t.Fatalf("%s: barcode %s: %v", b.ID, b.Barcode, err)
	}
	fromLine, err := boletocode.ParseDigitableLine(b.DigitableLine, now)
	if err != nil {
		t.Fatalf("%s: line %s: %v", b.ID, b.DigitableLine, err)
	}
	if fromBarcode != fromLine {
		t.Errorf("barcode and line disagree: %+v vs %+v", fromBarcode, fromLine)
	}
	if fromBarcode.BankCode != BankCode || fromBarcode.Currency != "9" || fromBarcode.Amount != b.Amount || !fromBarcode.Due.Equal(b.DueDate) {
		t.Errorf("%s parses to %+v; want bank 999, amount %d, due %s", b.ID, fromBarcode, b.Amount, b.DueDate.Format(time.DateOnly))
	}
	_, carteira, nn, _, err := boletocode.ParseFreeField(fromBarcode.FreeField)
	if err != nil || carteira != Carteira || nn != b.NossoNumero {
		t.Errorf("free field %s: carteira %s, nosso número %s, %v", fromBarcode.FreeField, carteira, nn, err)
	}
	if dv, _ := boletocode.NossoNumeroDV(Carteira, nn); b.NossoNumeroPrinted() != Carteira+"/"+nn+"-"+dv {
		t.Errorf("nosso número %s, check digit %s", b.NossoNumeroPrinted(), dv)
	}
}

func TestRegister(t *testing.T) {
	f := newFixture(t, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	fine, interest := "2.00", "1"
	in := f.input(15000, "2026-03-20")
	in.Fine, in.Interest = &fine, &interest
	in.Discount = &DiscountInput{Amount: 500, Until: "2026-03-15"}
	in.Pix = true
	in.Payer.TaxID = "12345678000195"
	in.Payer.Address = &Address{Line1: "Rua das Flores, 100", City: "Curitiba", State: "pr", PostalCode: "80010-000"}
	b := f.register(t, in)
	if b.Status != Registered || !strings.HasPrefix(b.ID, "bol_") || b.Payer.TaxID != "12.345.678/0001-95" || b.Payer.TaxIDType != "br_cnpj" || b.Payer.Address.State != "PR" {
		t.Fatalf("registered %+v", b)
	}
	if b.Fine.BasisPoints != 200 || b.Interest.MonthlyBasisPoints != 100 || b.DaysToWriteOff != DefaultDaysToWriteOff {
		t.Fatalf("charges %+v %+v %d", b.Fine, b.Interest, b.DaysToWriteOff)
	}
	checkCodes(t, b, f.clk.Now())
	if due, _ := b.AmountDue(f.clk.Now()); due != 14500 {
		t.Errorf("amount due %d, want 14500 (discount)", due)
	}
	// The BR Code pays the same amount to the account's random key.
	p, err := brcode.Decode(b.PixCopiaECola)
	if err != nil {
		t.Fatal(err)
	}
	var evp string
	for _, k := range f.brl.PixKeys {
		if k.Type == "evp" {
			evp = k.Key
		}
	}
	if p.Amount != "150.00" || p.Key != evp || p.TxID != strings.ReplaceAll(b.ID, "_", "") || p.PointOfInitiation != brcode.StaticInitiation {
		t.Errorf("BR Code %+v", p)
	}
	if got := f.rec.of(b.ID); strings.Join(got, ",") != "boleto.registered registered" {
		t.Errorf("events %v", got)
	}
	// Nossos números, ids and barcodes are unique and deterministic.
	seen := map[string]bool{b.NossoNumero: true}
	for range 50 {
		o := f.register(t, f.input(100, "2026-03-02"))
		if seen[o.NossoNumero] {
			t.Fatalf("nosso número %s twice", o.NossoNumero)
		}
		seen[o.NossoNumero] = true
		checkCodes(t, o, f.clk.Now())
	}
	again := newFixture(t, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)).register(t, in)
	if again.ID != b.ID || again.Barcode != b.Barcode || again.PixCopiaECola != b.PixCopiaECola {
		t.Errorf("the same seed gave %s %s, then %s %s", b.ID, b.Barcode, again.ID, again.Barcode)
	}
}

func TestRegisterRejects(t *testing.T) {
	f := newFixture(t, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	pct := func(s string) *string { return &s }
	days := func(n int) *int { return &n }
	cases := []struct {
		name        string
		change      func(*Input)
		code, field string
	}{
		{"unknown account", func(in *Input) { in.AccountID = "acc_nope" }, "resource_missing", "/account_id"},
		{"EUR account", func(in *Input) { in.AccountID = f.eur.ID }, "invalid_account", "/account_id"},
		{"currency", func(in *Input) { in.Currency = "EUR" }, "invalid_currency", "/currency"},
		{"amount too large", func(in *Input) { in.Amount = boletocode.MaxAmount + 1 }, "invalid_amount", "/amount"},
		{"amount zero", func(in *Input) { in.Amount = 0 }, "invalid_amount", "/amount"},
		{"due date format", func(in *Input) { in.DueDate = "20/03/2026" }, "invalid_due_date", "/due_date"},
		{"due date past", func(in *Input) { in.DueDate = "2026-03-01" }, "invalid_due_date", "/due_date"},
		{"due date too far", func(in *Input) { in.DueDate = "2036-03-01" }, "invalid_due_date", "/due_date"},
		{"payer name", func(in *Input) { in.Payer.Name = "  " }, "invalid_payer", "/payer/name"},
		{"payer CPF check digit", func(in *Input) { in.Payer.TaxID = "123.456.789-08" }, "invalid_tax_id", "/payer/tax_id"},
		{"payer CNPJ check digit", func(in *Input) { in.Payer.TaxID = "12.345.678/0001-96" }, "invalid_tax_id", "/payer/tax_id"},
		{"payer repeated digits", func(in *Input) { in.Payer.TaxID = "111.111.111-11" }, "invalid_tax_id", "/payer/tax_id"},
		{"fine format", func(in *Input) { in.Fine = pct("2.001") }, "invalid_percentage", "/fine/percentage"},
		{"fine zero", func(in *Input) { in.Fine = pct("0.00") }, "invalid_percentage", "/fine/percentage"},
		{"fine over 100", func(in *Input) { in.Fine = pct("100.01") }, "invalid_percentage", "/fine/percentage"},
		{"interest format", func(in *Input) { in.Interest = pct("1,5") }, "invalid_percentage", "/interest/monthly_percentage"},
		{"discount amount", func(in *Input) { in.Discount = &DiscountInput{Amount: 15000, Until: "2026-03-10"} }, "invalid_discount", "/discount/amount"},
		{"discount date format", func(in *Input) { in.Discount = &DiscountInput{Amount: 100, Until: "soon"} }, "invalid_discount", "/discount/until"},
		{"discount after due", func(in *Input) { in.Discount = &DiscountInput{Amount: 100, Until: "2026-03-21"} }, "invalid_discount", "/discount/until"},
		{"discount past", func(in *Input) { in.Discount = &DiscountInput{Amount: 100, Until: "2026-03-01"} }, "invalid_discount", "/discount/until"},
		{"days to write off", func(in *Input) { in.DaysToWriteOff = days(0) }, "invalid_days_to_write_off", "/days_to_write_off"},
		{"metadata key", func(in *Input) { in.Metadata = map[string]string{strings.Repeat("k", 41): "v"} }, "invalid_metadata", "/metadata/" + strings.Repeat("k", 41)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := f.input(15000, "2026-03-20")
			c.change(&in)
			_, err := f.book.Register(in)
			if err == nil {
				t.Fatal("registered")
			}
			if code, field := fieldOf(t, err); code != c.code || field != c.field {
				t.Fatalf("got %s at %s (%v), want %s at %s", code, field, err, c.code, c.field)
			}
		})
	}
	if n := len(f.book.All()); n != 0 || len(f.rec.events) != 0 {
		t.Fatalf("%d boletos and %d events after refusals", n, len(f.rec.events))
	}
}

func TestSettlementDate(t *testing.T) {
	// 2026-03-02 is a Monday; 2026-03-06 a Friday.
	for _, c := range []struct {
		paid time.Time
		want string
	}{
		{brt(2026, 3, 2, 9, 0), "2026-03-02"},
		{brt(2026, 3, 2, 13, 29).Add(59 * time.Second), "2026-03-02"},
		{brt(2026, 3, 2, 13, 30), "2026-03-03"},
		{brt(2026, 3, 2, 23, 59), "2026-03-03"},
		{brt(2026, 3, 6, 10, 0), "2026-03-06"},
		{brt(2026, 3, 6, 14, 0), "2026-03-09"},
		{brt(2026, 3, 7, 10, 0), "2026-03-09"},
		{brt(2026, 3, 8, 23, 0), "2026-03-09"},
		// 01:00 UTC on Tuesday is still Monday evening in São Paulo.
		{time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC), "2026-03-03"},
	} {
		if got := SettlementDate(c.paid).Format(time.DateOnly); got != c.want {
			t.Errorf("paid %s: settles %s, want %s", c.paid.Format(time.RFC3339), got, c.want)
		}
	}
}

func TestCharges(t *testing.T) {
	b := &Boleto{Amount: 10000, DueDate: date("2026-03-20"),
		Fine: &Fine{BasisPoints: 200}, Interest: &Interest{MonthlyBasisPoints: 100},
		Discount: &Discount{Amount: 500, Until: date("2026-03-15")}}
	for _, c := range []struct {
		day  string
		want Charges
	}{
		{"2026-03-02", Charges{Amount: 10000, Discount: 500}},
		{"2026-03-15", Charges{Amount: 10000, Discount: 500}},
		{"2026-03-16", Charges{Amount: 10000}},
		{"2026-03-20", Charges{Amount: 10000}},
		{"2026-03-21", Charges{Amount: 10000, Fine: 200, Interest: 3, DaysLate: 1}},    // 100 × 1/30 = 3.33
		{"2026-03-22", Charges{Amount: 10000, Fine: 200, Interest: 7, DaysLate: 2}},    // 6.67
		{"2026-03-30", Charges{Amount: 10000, Fine: 200, Interest: 33, DaysLate: 10}},  // 33.3
		{"2026-04-19", Charges{Amount: 10000, Fine: 200, Interest: 100, DaysLate: 30}}, // a month
		{"2026-05-19", Charges{Amount: 10000, Fine: 200, Interest: 200, DaysLate: 60}},
	} {
		if got := b.ChargesOn(date(c.day)); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.day, got, c.want)
		}
	}
	// Half a centavo rounds up.
	half := &Boleto{Amount: 1500, DueDate: date("2026-03-20"), Fine: &Fine{BasisPoints: 1}, Interest: &Interest{MonthlyBasisPoints: 100}}
	if got := half.ChargesOn(date("2026-03-21")); got.Interest != 1 || got.Fine != 0 {
		t.Errorf("1500 × 1 %%/30 = 0.5 → %d; 1500 × 0.01 %% = 0.15 → %d", got.Interest, got.Fine)
	}
	plain := &Boleto{Amount: 10000, DueDate: date("2026-03-20")}
	if got := plain.ChargesOn(date("2026-06-01")).Total(); got != 10000 {
		t.Errorf("no fine or interest: %d", got)
	}
}

func TestParsePercent(t *testing.T) {
	for s, want := range map[string]int64{"2": 200, "2.5": 250, "2.50": 250, "2.05": 205, "0.01": 1, "100": 10000, "100.00": 10000, "999.99": 99999} {
		if got, err := ParsePercent(s); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", ".5", "2.", "2.001", "1000", "-1", "+1", "1e2", "1,5", " 1", "2.0 ", "0x1"} {
		if got, err := ParsePercent(s); err == nil {
			t.Errorf("%q parsed as %d", s, got)
		}
	}
	if got := FormatPercent(205); got != "2.05" {
		t.Errorf("FormatPercent(205) = %s", got)
	}
}

func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"2", "2.5", "2.00", "100", "0.01", "2.", ".5", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bp, err := ParsePercent(s)
		if err != nil {
			return
		}
		if bp < 0 || bp > 99999 {
			t.Fatalf("%q parsed as %d", s, bp)
		}
		back, err := ParsePercent(FormatPercent(bp))
		if err != nil || back != bp {
			t.Fatalf("%q → %d → %q → %d, %v", s, bp, FormatPercent(bp), back, err)
		}
	})
}

// Paid before the cutoff on a business day: a pending credit at once,
// booked at 17:00 the same day; exactly one event per state change.
func TestPayAndSettleSameDay(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	before := f.balance(t)
	b := f.register(t, f.input(15000, "2026-03-20"))
	if _, err := f.book.Pay(b.ID, PayInput{}); err != nil {
		t.Fatal(err)
	}
	if b.Status != Paid || b.PaidAmount != 15000 || b.PaidVia != ViaBarcode || b.SettlesOn.Format(time.DateOnly) != "2026-03-02" {
		t.Fatalf("paid %+v", b)
	}
	line, err := f.bank.Transaction(b.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if line.Status() != "pending" || line.Type != "boleto" || line.Amount() != 15000 || line.Counterparty.Name != "Maria Silva" || line.Counterparty.TaxID != "123.456.789-09" || line.Source.ID != b.ID {
		t.Fatalf("line %+v %+v", line, line.Details)
	}
	mid := f.balance(t)
	if mid.Booked != before.Booked || mid.Pending != before.Pending+15000 || mid.Available != before.Available {
		t.Fatalf("balances before settlement %+v, were %+v", mid, before)
	}
	if err := f.bank.Verify(); err != nil {
		t.Fatal(err)
	}
	f.advanceTo(t, brt(2026, 3, 2, 16, 59))
	if b.Status != Paid {
		t.Fatalf("settled early: %s", b.Status)
	}
	f.advanceTo(t, brt(2026, 3, 2, 17, 0))
	if b.Status != Settled || !b.SettledAt.Equal(brt(2026, 3, 2, 17, 0)) || line.Status() != "booked" {
		t.Fatalf("at 17:00: %s %s, line %s", b.Status, b.SettledAt, line.Status())
	}
	after := f.balance(t)
	if after.Booked != before.Booked+15000 || after.Pending != before.Pending || after.Available != before.Available+15000 {
		t.Fatalf("balances after settlement %+v, were %+v", after, before)
	}
	if got := f.rec.of(b.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.paid paid,boleto.settled settled" {
		t.Fatalf("events %v", got)
	}
	// The overdue job is gone: nothing more happens to it.
	f.advanceTo(t, brt(2026, 6, 1, 0, 0))
	if b.Status != Settled || len(f.rec.of(b.ID)) != 3 {
		t.Fatalf("after the due date: %s, %v", b.Status, f.rec.of(b.ID))
	}
	if _, err := f.book.Pay(b.ID, PayInput{}); err == nil {
		t.Fatal("paid twice")
	} else if code, _ := fieldOf(t, err); code != "boleto_not_payable" {
		t.Fatalf("second payment: %v", err)
	}
}

func TestPayAfterCutoffFridaySettlesMonday(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 6, 14, 0)) // Friday, after 13:30
	b := f.register(t, f.input(2000, "2026-03-20"))
	if _, err := f.book.Pay(b.ID, PayInput{}); err != nil {
		t.Fatal(err)
	}
	if b.SettlesOn.Format(time.DateOnly) != "2026-03-09" {
		t.Fatalf("settles on %s", b.SettlesOn.Format(time.DateOnly))
	}
	f.advanceTo(t, brt(2026, 3, 9, 16, 0))
	if b.Status != Paid {
		t.Fatalf("settled before Monday 17:00: %s", b.Status)
	}
	f.advanceTo(t, brt(2026, 3, 9, 17, 0))
	if b.Status != Settled {
		t.Fatalf("Monday 17:00: %s", b.Status)
	}
}

// A backdated payment whose settlement time has passed settles at once;
// its amount is what was due on its date.
func TestPayBackdated(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	fine := "2.00"
	in := f.input(10000, "2026-03-03")
	in.Fine = &fine
	b := f.register(t, in)
	f.advanceTo(t, brt(2026, 3, 5, 9, 0)) // overdue since the 4th, 00:00
	if b.Status != Overdue {
		t.Fatalf("status %s", b.Status)
	}
	if due, _ := b.AmountDue(f.clk.Now()); due != 10200 {
		t.Fatalf("amount due now %d", due)
	}
	paidAt := brt(2026, 3, 3, 11, 0) // on the due date, before the cutoff
	wrong := int64(10200)
	_, err := f.book.Pay(b.ID, PayInput{PaidAt: paidAt, Amount: &wrong})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "amount_mismatch" || de.Field != "/amount" || de.Extra["amount_due"] != int64(10000) {
		t.Fatalf("wrong amount: %v %+v", err, de)
	}
	right := int64(10000)
	if _, err := f.book.Pay(b.ID, PayInput{PaidAt: paidAt, Amount: &right}); err != nil {
		t.Fatal(err)
	}
	if b.Status != Settled || !b.PaidAt.Equal(paidAt) || !b.SettledAt.Equal(f.clk.Now()) || b.SettlesOn.Format(time.DateOnly) != "2026-03-03" {
		t.Fatalf("backdated: %+v", b)
	}
	if got := f.rec.of(b.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.overdue overdue,boleto.paid paid,boleto.settled settled" {
		t.Fatalf("events %v", got)
	}
	// The write-off was canceled with the payment.
	f.advanceTo(t, brt(2026, 6, 1, 0, 0))
	if b.Status != Settled {
		t.Fatalf("status %s", b.Status)
	}
}

func TestPayRejects(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	b := f.register(t, f.input(15000, "2026-03-20"))
	for _, c := range []struct {
		name        string
		in          PayInput
		code, field string
	}{
		{"future", PayInput{PaidAt: brt(2026, 3, 2, 10, 0)}, "invalid_paid_at", "/paid_at"},
		{"before registration", PayInput{PaidAt: brt(2026, 3, 2, 8, 59)}, "invalid_paid_at", "/paid_at"},
		{"pix without a code", PayInput{Via: ViaPix}, "boleto_not_hybrid", "/via"},
		{"unknown via", PayInput{Via: "cash"}, "invalid_via", "/via"},
	} {
		if _, err := f.book.Pay(b.ID, c.in); err == nil {
			t.Errorf("%s: paid", c.name)
		} else if code, field := fieldOf(t, err); code != c.code || field != c.field {
			t.Errorf("%s: %s at %s, want %s at %s", c.name, code, field, c.code, c.field)
		}
	}
	if _, err := f.book.Pay("bol_nope", PayInput{}); err == nil {
		t.Error("paid an unknown boleto")
	} else if code, _ := fieldOf(t, err); code != "resource_missing" {
		t.Errorf("unknown: %v", err)
	}
	if b.Status != Registered || len(f.rec.of(b.ID)) != 1 {
		t.Fatalf("refused payments changed the boleto: %s %v", b.Status, f.rec.of(b.ID))
	}
}

func TestPayWithPixSettlesAtOnce(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 7, 20, 0)) // a Saturday night: Pix does not wait
	in := f.input(4990, "2026-03-20")
	in.Pix = true
	b := f.register(t, in)
	before := f.balance(t)
	if _, err := f.book.Pay(b.ID, PayInput{Via: ViaPix}); err != nil {
		t.Fatal(err)
	}
	if b.Status != Settled || b.PaidVia != ViaPix || b.SettlesOn.Format(time.DateOnly) != "2026-03-07" {
		t.Fatalf("%+v", b)
	}
	line, _ := f.bank.Transaction(b.TransactionID)
	if line.Type != "pix" || line.Status() != "booked" || !strings.HasPrefix(line.EndToEndID, "E99999999") {
		t.Fatalf("line %+v", line.Details)
	}
	if after := f.balance(t); after.Booked != before.Booked+4990 {
		t.Fatalf("booked %d, was %d", after.Booked, before.Booked)
	}
	if got := f.rec.of(b.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.paid paid,boleto.settled settled" {
		t.Fatalf("events %v", got)
	}
}

func TestOverdueAndWrittenOff(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	in := f.input(15000, "2026-03-10")
	n := 5
	in.DaysToWriteOff = &n
	b := f.register(t, in)
	f.advanceTo(t, brt(2026, 3, 10, 23, 59))
	if b.Status != Registered {
		t.Fatalf("overdue on its due date: %s", b.Status)
	}
	f.advanceTo(t, brt(2026, 3, 11, 0, 0))
	if b.Status != Overdue || !b.OverdueAt.Equal(brt(2026, 3, 11, 0, 0)) {
		t.Fatalf("at the end of the due date: %s %s", b.Status, b.OverdueAt)
	}
	f.advanceTo(t, brt(2026, 3, 15, 23, 59))
	if b.Status != Overdue {
		t.Fatalf("written off early: %s", b.Status)
	}
	f.advanceTo(t, brt(2026, 3, 16, 0, 0))
	if b.Status != WrittenOff || !b.WrittenOffAt.Equal(brt(2026, 3, 16, 0, 0)) {
		t.Fatalf("after 5 days: %s %s", b.Status, b.WrittenOffAt)
	}
	if got := f.rec.of(b.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.overdue overdue,boleto.written_off written_off" {
		t.Fatalf("events %v", got)
	}
	for _, op := range []func() error{
		func() error { _, err := f.book.Pay(b.ID, PayInput{}); return err },
		func() error { _, err := f.book.Cancel(b.ID); return err },
	} {
		if err := op(); err == nil {
			t.Fatal("a written-off boleto was paid or canceled")
		}
	}
	if f.clk.Pending() != 0 {
		t.Fatalf("%d jobs left", f.clk.Pending())
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	reg := f.register(t, f.input(100, "2026-03-20"))
	late := f.register(t, f.input(100, "2026-03-02"))
	f.advanceTo(t, brt(2026, 3, 3, 9, 0))
	for _, b := range []*Boleto{reg, late} {
		if _, err := f.book.Cancel(b.ID); err != nil {
			t.Fatal(err)
		}
		if b.Status != Canceled || !b.CanceledAt.Equal(f.clk.Now()) {
			t.Fatalf("%+v", b)
		}
		if _, err := f.book.Cancel(b.ID); err == nil {
			t.Fatal("canceled twice")
		} else if code, _ := fieldOf(t, err); code != "boleto_not_cancelable" {
			t.Fatal(err)
		}
		if _, err := f.book.Pay(b.ID, PayInput{}); err == nil {
			t.Fatal("paid a canceled boleto")
		}
	}
	if f.clk.Pending() != 0 {
		t.Fatalf("%d jobs left after canceling", f.clk.Pending())
	}
	if got := f.rec.of(late.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.overdue overdue,boleto.canceled canceled" {
		t.Fatalf("events %v", got)
	}
	paid := f.register(t, f.input(100, "2026-03-20"))
	if _, err := f.book.Pay(paid.ID, PayInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book.Cancel(paid.ID); err == nil {
		t.Fatal("canceled a paid boleto")
	}
}

func TestMagicPayers(t *testing.T) {
	for _, cpf := range []string{NeverPaysCPF, PaysOnDueDateCPF, PaysLateCPF} {
		if !checkdigit.ValidCPF(cpf) {
			t.Fatalf("magic CPF %s has wrong check digits", cpf)
		}
	}
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	payer := func(cpf string) *Boleto {
		in := f.input(10000, "2026-03-10") // a Tuesday
		in.Payer.TaxID = checkdigit.FormatCPF(cpf)
		fine, interest := "2.00", "3.00"
		in.Fine, in.Interest = &fine, &interest
		return f.register(t, in)
	}
	never, onTime, late := payer(NeverPaysCPF), payer(PaysOnDueDateCPF), payer(PaysLateCPF)
	// The sandbox still pays a never-paying payer's boleto.
	again := payer(NeverPaysCPF)
	if _, err := f.book.Pay(again.ID, PayInput{}); err != nil || again.Status != Paid {
		t.Fatalf("pay endpoint: %v %s", err, again.Status)
	}
	f.advanceTo(t, brt(2026, 3, 10, 12, 0))
	if onTime.Status != Paid || !onTime.PaidAt.Equal(brt(2026, 3, 10, 10, 0)) || onTime.PaidAmount != 10000 {
		t.Fatalf("on time: %+v", onTime)
	}
	f.advanceTo(t, brt(2026, 3, 10, 17, 0))
	if onTime.Status != Settled {
		t.Fatalf("on time, 17:00: %s", onTime.Status)
	}
	f.advanceTo(t, brt(2026, 3, 13, 16, 0)) // Friday
	// Three days late: 2 % fine and 3 days of 3 % a month (0.3 %).
	if late.Status != Paid || !late.PaidAt.Equal(brt(2026, 3, 13, 15, 0)) || late.PaidAmount != 10000+200+30 || late.SettlesOn.Format(time.DateOnly) != "2026-03-16" {
		t.Fatalf("late: %+v", late)
	}
	f.advanceTo(t, brt(2026, 3, 16, 17, 0))
	if late.Status != Settled {
		t.Fatalf("late, Monday: %s", late.Status)
	}
	f.advanceTo(t, brt(2026, 5, 9, 23, 59)) // the 60th day after the due date
	if never.Status != Overdue {
		t.Fatalf("never, 60 days late: %s", never.Status)
	}
	f.advanceTo(t, brt(2026, 5, 10, 0, 0))
	if never.Status != WrittenOff {
		t.Fatalf("never, after 60 days: %s", never.Status)
	}
	if got := f.rec.of(never.ID); strings.Join(got, ",") != "boleto.registered registered,boleto.overdue overdue,boleto.written_off written_off" {
		t.Fatalf("events %v", got)
	}
}

// A late payer whose boleto is written off first never pays.
func TestMagicLatePayerAfterWriteOff(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	in := f.input(10000, "2026-03-10")
	in.Payer.TaxID = PaysLateCPF
	one := 1
	in.DaysToWriteOff = &one
	b := f.register(t, in)
	f.advanceTo(t, brt(2026, 4, 1, 0, 0))
	if b.Status != WrittenOff || f.clk.Pending() != 0 {
		t.Fatalf("%s, %d jobs", b.Status, f.clk.Pending())
	}
}

func TestLookup(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	b := f.register(t, f.input(15000, "2026-03-20"))
	digits := strings.NewReplacer(".", "", " ", "").Replace(b.DigitableLine)
	for code, field := range map[string]string{b.Barcode: "barcode", b.DigitableLine: "digitable_line", digits: "digitable_line"} {
		got, err := f.book.Lookup(code, field)
		if err != nil || got != b {
			t.Fatalf("%s %s: %v", field, code, err)
		}
	}
	// Change one digit of each check digit in turn.
	bump := func(s string, i int) string {
		c := s[i] - '0'
		return s[:i] + string(rune('0'+(c+1)%10)) + s[i+1:]
	}
	for i, which := range map[int]string{9: "field 1", 20: "field 2", 31: "field 3", 32: "general"} {
		_, err := f.book.Lookup(bump(digits, i), "digitable_line")
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != "invalid_check_digit" || de.Field != "digitable_line" || de.Extra["check_digit"] != which {
			t.Errorf("line digit %d: %v", i, err)
		}
	}
	_, err := f.book.Lookup(bump(b.Barcode, 4), "barcode")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "invalid_check_digit" || de.Extra["check_digit"] != "general" {
		t.Errorf("barcode: %v", err)
	}
	// A digit outside the check digits breaks its field's check digit.
	if _, err := f.book.Lookup(bump(digits, 12), "digitable_line"); err == nil || !strings.Contains(err.Error(), "field 2") {
		t.Errorf("field 2 body: %v", err)
	}
	if _, err := f.book.Lookup(digits[:46], "digitable_line"); err == nil {
		t.Error("46 digits")
	} else if code, _ := fieldOf(t, err); code != "invalid_digitable_line" {
		t.Error(err)
	}
	// Valid codes of no boleto here: the reference's example (bank 001) and
	// a sandbank code of another amount.
	if _, err := f.book.Lookup("00196758600001026560000001149718606852452211", "barcode"); err == nil || !strings.Contains(err.Error(), "bank 001") {
		t.Errorf("another bank: %v", err)
	}
	other, _ := boletocode.Barcode(boletocode.Boleto{BankCode: BankCode, Due: b.DueDate, Amount: 15001, FreeField: b.Barcode[19:]})
	if _, err := f.book.Lookup(other, "barcode"); err == nil {
		t.Error("found a boleto that was never registered")
	} else if de := err.(*domain.Error); de.Kind != domain.NotFound {
		t.Errorf("unknown: %v", err)
	}
}

func TestListFilters(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	a := f.register(t, f.input(100, "2026-03-05"))
	in := f.input(200, "2026-03-10")
	in.Payer.TaxID = "12345678000195"
	b := f.register(t, in)
	c := f.register(t, f.input(300, "2026-03-20"))
	if _, err := f.book.Cancel(c.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(p domain.Page[*Boleto]) string {
		var out []string
		for _, x := range p.Items {
			out = append(out, x.ID)
		}
		return strings.Join(out, ",")
	}
	for name, c := range map[string]struct {
		f    Filter
		want string
	}{
		"all":       {Filter{}, c.ID + "," + b.ID + "," + a.ID},
		"status":    {Filter{Status: Canceled}, c.ID},
		"due from":  {Filter{DueFrom: date("2026-03-10")}, c.ID + "," + b.ID},
		"due to":    {Filter{DueTo: date("2026-03-10")}, b.ID + "," + a.ID},
		"due range": {Filter{DueFrom: date("2026-03-06"), DueTo: date("2026-03-19")}, b.ID},
		"payer":     {Filter{PayerTaxID: "12.345.678/0001-95"}, b.ID},
		"payer cpf": {Filter{PayerTaxID: "12345678909"}, c.ID + "," + a.ID},
	} {
		if got := ids(f.book.List(c.f, 0, 10)); got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
	p := f.book.List(Filter{}, 0, 2)
	if !p.HasMore || len(p.Items) != 2 {
		t.Fatalf("page %+v", p)
	}
	if rest := f.book.List(Filter{}, p.Next, 2); ids(rest) != a.ID || rest.HasMore {
		t.Fatalf("second page %s", ids(rest))
	}
}

func TestCreditGoesThroughTheLedger(t *testing.T) {
	f := newFixture(t, brt(2026, 3, 2, 9, 0))
	clearing := ledger.AccountID("sys:clearing:boleto:BRL")
	start, _ := f.bank.Ledger.Balance(clearing)
	b := f.register(t, f.input(777, "2026-03-20"))
	if _, err := f.book.Pay(b.ID, PayInput{}); err != nil {
		t.Fatal(err)
	}
	bal, _ := f.bank.Ledger.Balance(clearing)
	if bal.PendingDebit != start.PendingDebit-777 || bal.Booked != start.Booked {
		t.Fatalf("clearing %+v, was %+v", bal, start)
	}
	f.advanceTo(t, brt(2026, 3, 2, 17, 0))
	bal, _ = f.bank.Ledger.Balance(clearing)
	if bal.Booked != start.Booked-777 || bal.Pending() != start.Pending() {
		t.Fatalf("clearing after settlement %+v, was %+v", bal, start)
	}
}

// FuzzLookup: no input makes Lookup panic, and whatever it finds has
// exactly the code it was given (without the line's punctuation).
func FuzzLookup(f *testing.F) {
	fx := newFixture(f, brt(2026, 3, 2, 9, 0))
	b, err := fx.book.Register(fx.input(15000, "2026-03-20"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.Barcode, false)
	f.Add(b.DigitableLine, true)
	f.Add(strings.NewReplacer(".", "", " ", "").Replace(b.DigitableLine), true)
	f.Add("00190.00009 01149.718601 68524.522114 6 75860000102656", true)
	f.Add("8", false)
	f.Fuzz(func(t *testing.T, code string, line bool) {
		field := "barcode"
		if line {
			field = "digitable_line"
		}
		got, err := fx.book.Lookup(code, field)
		if err != nil {
			if _, ok := err.(*domain.Error); !ok {
				t.Fatalf("%q: %T %v", code, err, err)
			}
			return
		}
		digits := strings.NewReplacer(".", "", " ", "", "\t", "", "\n", "", "\r", "").Replace(code)
		if want := got.Barcode; line {
			want = strings.NewReplacer(".", "", " ", "").Replace(got.DigitableLine)
			if digits != want {
				t.Fatalf("line %q found %s (%s)", code, got.ID, got.DigitableLine)
			}
		} else if code != want {
			t.Fatalf("barcode %q found %s (%s)", code, got.ID, want)
		}
	})
}
