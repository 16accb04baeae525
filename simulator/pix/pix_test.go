package pix_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
	"github.com/sandbank/sandbank/simulator/pix"
)

var start = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

const (
	evpKey   = "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18"
	emailKey = "loja@example.com"
	brokeKey = "b1d7e0c4-2a9f-4e5b-8c3d-6f1a0b9c8d7e"
	txid     = "7978c0c97ea847e78e8849634473c1f1"
	payerCPF = "12345678909"
)

// recorder is an events.Emitter that keeps what it is told.
type recorder struct{ got []string }

func (r *recorder) emit(eventType string, resource any) {
	id := ""
	switch v := resource.(type) {
	case *pix.Charge:
		id = v.TxID
	case *pix.Pix:
		id = v.EndToEndID
	case *pix.Devolucao:
		id = v.ID
	}
	r.got = append(r.got, eventType+" "+id)
}

// take returns the events since the last take.
func (r *recorder) take() []string {
	out := r.got
	r.got = nil
	return out
}

type fixture struct {
	clk  *clock.Clock
	bank *bank.Bank
	book *pix.Book
	ev   *recorder
	shop string // the account with evpKey and emailKey (R$ 1.000,00)
	poor string // the account with brokeKey (no money)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := clock.New(start, clock.Frozen, nil)
	fake := gofakeit.New(7)
	seed := &bank.SeedData{
		Customers: []*bank.Customer{
			{ID: "cus_shop", Type: "company", Name: "Padaria São João da Esquina Ltda", CreatedAt: start.AddDate(-1, 0, 0),
				TaxID:   bank.TaxID{Type: "br_cnpj", Value: "12.345.678/0001-95", Country: "BR"},
				Address: &bank.Address{Line1: "Rua Augusta, 10", City: "São José dos Campos", State: "SP", PostalCode: "12200-000", Country: "BR"}},
			{ID: "cus_poor", Type: "individual", Name: "Zé 🙂", CreatedAt: start.AddDate(-1, 0, 0),
				TaxID: bank.TaxID{Type: "br_cpf", Value: "111.444.777-35", Country: "BR"}},
		},
		Accounts: []*bank.Account{
			{ID: "acc_shop", CustomerID: "cus_shop", Currency: "BRL", Kind: "business", Status: "active", CreatedAt: start.AddDate(-1, 0, 0),
				PixKeys: []bank.PixKey{{Type: "evp", Key: evpKey}, {Type: "email", Key: emailKey}}},
			{ID: "acc_poor", CustomerID: "cus_poor", Currency: "BRL", Kind: "checking", Status: "active", CreatedAt: start.AddDate(-1, 0, 0),
				PixKeys: []bank.PixKey{{Type: "evp", Key: brokeKey}}},
		},
		History: []bank.HistoryEntry{{AccountID: "acc_shop", At: start.AddDate(0, 0, -1), Amount: 100000, Counter: "equity",
			Details: bank.Details{Type: "deposit", Description: "Capital"}}},
	}
	b, err := bank.New(clk, fake, seed)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clk: clk, bank: b, book: pix.New(clk, b, fake), ev: &recorder{}, shop: "acc_shop", poor: "acc_poor"}
	f.book.Emit = f.ev.emit
	t.Cleanup(func() {
		if err := b.Verify(); err != nil {
			t.Errorf("ledger invariants: %v", err)
		}
	})
	return f
}

func (f *fixture) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if _, err := f.clk.AdvanceTo(f.clk.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) balance(t *testing.T, account string) ledger.Balance {
	t.Helper()
	bal, ok := f.bank.Ledger.Balance(ledger.AccountID(account))
	if !ok {
		t.Fatalf("no ledger account %s", account)
	}
	return bal
}

func cob(valor string) pix.ChargeInput {
	return pix.ChargeInput{Valor: &pix.ValorInput{Original: valor}, Chave: evpKey}
}

func str(s string) *string { return &s }
func i64(n int64) *int64   { return &n }

func expectCode(t *testing.T, err error, code string, fields ...string) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v, want a domain error %s", err, code)
	}
	if de.Code != code {
		t.Fatalf("error code %s (%v), want %s", de.Code, de, code)
	}
	var got []string
	for _, f := range de.Fields {
		got = append(got, f.Field)
	}
	if len(got) == 0 && de.Field != "" {
		got = []string{de.Field}
	}
	for _, want := range fields {
		if !slices.Contains(got, want) {
			t.Errorf("error %s names %v, want %s among them", code, got, want)
		}
	}
	return de
}

// --- the BR Code ------------------------------------------------------------------

// The reference's worked examples (domain.md §2.2), reproduced through brcode.
func TestBRCodeWorkedExamples(t *testing.T) {
	const (
		static  = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
		dynamic = "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
		amount  = "00020126580014br.gov.bcb.pix0136bee05743-4291-4f3c-9259-595df1307ba1520400005303986540510.005802BR5914Alexandre Lima6019Presidente Prudente62180514Um-Id-Qualquer6304D475"
	)
	if got := brcode.CRC16("123456789"); got != 0x29B1 {
		t.Fatalf("CRC16(123456789) = %04X, want 29B1", got)
	}
	got, err := brcode.Encode(brcode.Payload{Key: "123e4567-e12b-12d1-a456-426655440000", Name: "Fulano de Tal", City: "BRASILIA"})
	if err != nil || got != static {
		t.Fatalf("static example:\n got %s (%v)\nwant %s", got, err, static)
	}
	// The dynamic example is exactly what a charge's code is made of.
	got, err = brcode.Encode(pix.DynamicPayload("pix.example.com/8b3da2f39a4140d1a91abd93113bd441", "Fulano de Tal", "BRASILIA"))
	if err != nil || got != dynamic {
		t.Fatalf("dynamic example:\n got %s (%v)\nwant %s", got, err, dynamic)
	}
	// The amount example exceeds the Banco Central's city limit (19 > 15),
	// so it is checked by decoding and re-computing its CRC.
	p, err := brcode.Decode(amount)
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != "10.00" || p.Name != "Alexandre Lima" || p.TxID != "Um-Id-Qualquer" || p.Key != "bee05743-4291-4f3c-9259-595df1307ba1" {
		t.Fatalf("amount example decodes to %+v", p)
	}
	if crc := fmt.Sprintf("%04X", brcode.CRC16(amount[:len(amount)-4])); crc != "D475" {
		t.Fatalf("amount example CRC %s, want D475", crc)
	}
}

func TestMerchantNameAndCity(t *testing.T) {
	for _, c := range []struct{ in, name, city string }{
		{"Ana Beatriz Souza", "Ana Beatriz Souza", "Ana Beatriz Sou"},
		{"Padaria São João da Esquina Ltda", "Padaria Sao Joao da Esqui", "Padaria Sao Joa"},
		{"São José dos Campos", "Sao Jose dos Campos", "Sao Jose dos Ca"},
		{"  Zé   🙂  ", "Ze", "Ze"},
		{"🙂", "SANDBANK", "SAO PAULO"},
		{"", "SANDBANK", "SAO PAULO"},
		{"Aaaaaaaaaaaaaa Bbbbbbbbbb Cccc", "Aaaaaaaaaaaaaa Bbbbbbbbbb", "Aaaaaaaaaaaaaa"},
		{"Æsir Œuvre", "AEsir OEuvre", "AEsir OEuvre"},
	} {
		if got := pix.MerchantName(c.in); got != c.name {
			t.Errorf("MerchantName(%q) = %q, want %q", c.in, got, c.name)
		}
		if got := pix.MerchantCity(c.in); got != c.city {
			t.Errorf("MerchantCity(%q) = %q, want %q", c.in, got, c.city)
		}
	}
}

func TestChargeBRCode(t *testing.T) {
	f := newFixture(t)
	ch, created, err := f.book.Put(pix.KindCob, txid, cob("123.45"))
	if err != nil || !created {
		t.Fatalf("put: %v %v", created, err)
	}
	p, err := brcode.Decode(ch.PixCopiaECola)
	if err != nil {
		t.Fatal(err)
	}
	want := brcode.Payload{
		PointOfInitiation: "12", URL: ch.Loc.Location, MerchantCategory: "0000", Currency: "986", Amount: "123.45",
		Country: "BR", Name: "Padaria Sao Joao da Esqui", City: "Sao Jose dos Ca", TxID: "***",
	}
	if p != want {
		t.Fatalf("BR Code decodes to\n%+v\nwant\n%+v", p, want)
	}
	if !strings.HasPrefix(ch.Loc.Location, pix.LocationBase) || len(ch.Loc.Location) != len(pix.LocationBase)+32 {
		t.Fatalf("location %q", ch.Loc.Location)
	}
	// A revised amount is a new code at the same location.
	ch, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{Valor: &pix.ValorInput{Original: "99.90"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = brcode.Decode(ch.PixCopiaECola); err != nil || p.Amount != "99.90" || p.URL != want.URL {
		t.Fatalf("revised code %+v %v", p, err)
	}
	// A key of the account without a name that fits gets the fallbacks.
	ch, _, err = f.book.Put(pix.KindCob, txid+"b", pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: brokeKey})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = brcode.Decode(ch.PixCopiaECola); err != nil || p.Name != "Ze" || p.City != "SAO PAULO" {
		t.Fatalf("code %+v %v", p, err)
	}
}

// --- creating and revising -----------------------------------------------------------

func TestPutIsIdempotentByTxid(t *testing.T) {
	f := newFixture(t)
	in := cob("10.00")
	in.Devedor = &pix.PersonInput{CPF: payerCPF, Nome: "Francisco"}
	first, created, err := f.book.Put(pix.KindCob, txid, in)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	// The same request, even spelled with its defaults, is the same charge.
	same := in
	same.Calendario = &pix.CalendarioInput{Expiracao: i64(pix.DefaultExpiracao)}
	same.Chave = strings.ToUpper(evpKey)
	again, created, err := f.book.Put(pix.KindCob, txid, same)
	if err != nil || created || again != first {
		t.Fatalf("repeat: %v %v %v", again == first, created, err)
	}
	other := in
	other.Valor = &pix.ValorInput{Original: "10.01"}
	other.SolicitacaoPagador = str("outra")
	_, _, err = f.book.Put(pix.KindCob, txid, other)
	expectCode(t, err, pix.ErrorTxIDConflict, "/valor", "/solicitacaoPagador")
	// A txid is unique across cob and cobv.
	_, _, err = f.book.Put(pix.KindCobv, txid, pix.ChargeInput{})
	if err == nil {
		t.Fatal("a cobv took a cob's txid")
	}
	if got := f.ev.take(); !slices.Equal(got, []string{"pix_charge.created " + txid}) {
		t.Fatalf("events %v", got)
	}
}

func TestPutValidation(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name  string
		kind  string
		in    pix.ChargeInput
		code  string
		field string
	}{
		{"unknown key", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: "someone@else.example"}, "pix_key_not_found", "/chave"},
		{"not a key", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: "not a key"}, "invalid_pix_key", "/chave"},
		{"zero", pix.KindCob, cob("0.00"), "invalid_amount", "/valor/original"},
		{"three decimals", pix.KindCob, cob("1.005"), "invalid_amount", "/valor/original"},
		{"bad cpf", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: evpKey, Devedor: &pix.PersonInput{CPF: "12345678900", Nome: "X"}}, "invalid_tax_id", "/devedor/cpf"},
		{"cpf and cnpj", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: evpKey, Devedor: &pix.PersonInput{CPF: payerCPF, CNPJ: "12345678000195", Nome: "X"}}, "invalid_tax_id", "/devedor/cnpj"},
		{"no tax id", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: evpKey, Devedor: &pix.PersonInput{Nome: "X"}}, "invalid_tax_id", "/devedor/cpf"},
		{"cob with multa", pix.KindCob, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00", Multa: &pix.RuleInput{Modalidade: 1, ValorPerc: "1.00"}}, Chave: evpKey}, "invalid_valor", "/valor"},
		{"cobv without date", pix.KindCobv, pix.ChargeInput{Valor: &pix.ValorInput{Original: "1.00"}, Chave: evpKey, Devedor: &pix.PersonInput{CPF: payerCPF, Nome: "X"}}, "invalid_calendario", "/calendario/dataDeVencimento"},
		{"cobv in the past", pix.KindCobv, cobvInput("2026-03-01", "1.00"), "invalid_calendario", "/calendario/dataDeVencimento"},
		{"cobv without devedor", pix.KindCobv, pix.ChargeInput{Calendario: &pix.CalendarioInput{DataDeVencimento: "2026-03-10"}, Valor: &pix.ValorInput{Original: "1.00"}, Chave: evpKey}, "invalid_devedor", "/devedor"},
		{"juros modalidade", pix.KindCobv, withValor(cobvInput("2026-03-10", "1.00"), pix.ValorInput{Original: "1.00", Juros: &pix.RuleInput{Modalidade: 4, ValorPerc: "1.00"}}), "invalid_valor", "/valor/juros/modalidade"},
		{"percent over 100", pix.KindCobv, withValor(cobvInput("2026-03-10", "1.00"), pix.ValorInput{Original: "1.00", Multa: &pix.RuleInput{Modalidade: 2, ValorPerc: "100.01"}}), "invalid_valor", "/valor/multa/valorPerc"},
		{"discount after due date", pix.KindCobv, withValor(cobvInput("2026-03-10", "1.00"), pix.ValorInput{Original: "10.00", Desconto: &pix.DescontoInput{Modalidade: 1,
			DescontoDataFixa: []pix.DescontoDataInput{{Data: "2026-03-11", ValorPerc: "1.00"}}}}), "invalid_valor", "/valor/desconto/descontoDataFixa/0/data"},
		{"nothing left to pay", pix.KindCobv, withValor(cobvInput("2026-03-10", "1.00"), pix.ValorInput{Original: "10.00", Abatimento: &pix.RuleInput{Modalidade: 1, ValorPerc: "10.00"}}), "invalid_valor", "/valor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := f.book.Put(c.kind, txid, c.in)
			expectCode(t, err, c.code, c.field)
		})
	}
	if _, _, err := f.book.Put(pix.KindCob, "short", cob("1.00")); err == nil {
		t.Fatal("a 5-character txid was accepted")
	}
	if got := f.ev.take(); len(got) != 0 {
		t.Fatalf("invalid requests emitted %v", got)
	}
}

func cobvInput(date, valor string) pix.ChargeInput {
	return pix.ChargeInput{
		Calendario: &pix.CalendarioInput{DataDeVencimento: date},
		Devedor:    &pix.PersonInput{CNPJ: "12345678000195", Nome: "Empresa Exemplo Ltda"},
		Valor:      &pix.ValorInput{Original: valor}, Chave: emailKey,
	}
}

func withValor(in pix.ChargeInput, v pix.ValorInput) pix.ChargeInput {
	in.Valor = &v
	return in
}

func TestCreateDrawsATxid(t *testing.T) {
	f := newFixture(t)
	a, err := f.book.Create(cob("1.00"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.book.Create(cob("1.00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.TxID) != 35 || !pix.ValidTxID(a.TxID) || a.TxID == b.TxID {
		t.Fatalf("txids %q %q", a.TxID, b.TxID)
	}
	// Deterministic: the same seed draws the same txid.
	g := newFixture(t)
	c, _ := g.book.Create(cob("1.00"))
	if c.TxID != a.TxID {
		t.Fatalf("same seed, txids %s and %s", a.TxID, c.TxID)
	}
}

func TestPatchRevisesAndRemoves(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.book.Put(pix.KindCob, txid, cob("10.00")); err != nil {
		t.Fatal(err)
	}
	ch, err := f.book.Patch(pix.KindCob, txid, pix.PatchInput{SolicitacaoPagador: str("novo"), Devedor: &pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	if err != nil || ch.Revisao != 1 || ch.SolicitacaoPagador != "novo" || ch.Devedor.CPF != payerCPF {
		t.Fatalf("patch: %+v %v", ch, err)
	}
	_, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{Chave: str("nobody@example.org")})
	expectCode(t, err, "pix_key_not_found", "/chave")
	_, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{Status: str("CONCLUIDA")})
	expectCode(t, err, "invalid_status", "/status")
	_, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{})
	expectCode(t, err, "invalid_pix_charge")
	if ch.Revisao != 1 {
		t.Fatalf("failed revisions counted: revisao %d", ch.Revisao)
	}
	ch, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{Status: str(pix.StatusRemovidaPeloRecebedor)})
	if err != nil || ch.Status != pix.StatusRemovidaPeloRecebedor || ch.Revisao != 2 {
		t.Fatalf("remove: %+v %v", ch, err)
	}
	_, err = f.book.Patch(pix.KindCob, txid, pix.PatchInput{SolicitacaoPagador: str("x")})
	expectCode(t, err, "pix_charge_not_active")
	_, err = f.book.Pay(txid, pix.PaymentInput{Pagador: pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	expectCode(t, err, "pix_charge_removed")
	// A removed charge no longer expires.
	f.advance(t, 48*time.Hour)
	if got := f.ev.take(); !slices.Equal(got, []string{
		"pix_charge.created " + txid, "pix_charge.updated " + txid, "pix_charge.removed " + txid,
	}) {
		t.Fatalf("events %v", got)
	}
	// A PATCH of a cob's txid as a cobv is not found.
	_, err = f.book.Patch(pix.KindCobv, txid, pix.PatchInput{SolicitacaoPagador: str("x")})
	expectCode(t, err, "resource_missing")
}

// --- paying ---------------------------------------------------------------------------

func TestPayCreditsTheKeysAccount(t *testing.T) {
	f := newFixture(t)
	in := cob("123.45")
	in.Chave = emailKey
	if _, _, err := f.book.Put(pix.KindCob, txid, in); err != nil {
		t.Fatal(err)
	}
	before := f.balance(t, f.shop)
	_, err := f.book.Pay(txid, pix.PaymentInput{Valor: "100.00", Pagador: pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	expectCode(t, err, "pix_amount_mismatch", "/valor")
	px, err := f.book.Pay(txid, pix.PaymentInput{Valor: "123.45", Pagador: pix.PersonInput{CPF: payerCPF, Nome: "Francisco"}, InfoPagador: "obrigado"})
	if err != nil {
		t.Fatal(err)
	}
	if len(px.EndToEndID) != 32 || !strings.HasPrefix(px.EndToEndID, "E"+bank.BRISPB+"202603021200") {
		t.Fatalf("endToEndId %q", px.EndToEndID)
	}
	if after := f.balance(t, f.shop); after.Booked-before.Booked != 12345 {
		t.Fatalf("booked %d → %d", before.Booked, after.Booked)
	}
	line, err := f.bank.Transaction(px.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if line.AccountID != f.shop || line.Type != "pix" || line.EndToEndID != px.EndToEndID || line.Status() != "booked" ||
		line.Counterparty.Name != "Francisco" || line.Counterparty.TaxID != payerCPF || line.Source.Type != "pix" {
		t.Fatalf("statement line %+v %+v", line.Details, line.Counterparty)
	}
	ch, _ := f.book.Charge(pix.KindCob, txid)
	if ch.Status != pix.StatusConcluida || len(ch.Pix) != 1 || ch.Pix[0] != px {
		t.Fatalf("charge after payment: %s %v", ch.Status, ch.Pix)
	}
	_, err = f.book.Pay(txid, pix.PaymentInput{Pagador: pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	expectCode(t, err, "pix_charge_already_paid")
	// Paid charges neither expire nor emit anything more.
	f.advance(t, 48*time.Hour)
	if got := f.ev.take(); !slices.Equal(got, []string{
		"pix_charge.created " + txid, "pix.received " + px.EndToEndID, "pix_charge.completed " + txid,
	}) {
		t.Fatalf("events %v", got)
	}
}

func TestPayerMayChangeTheAmountWhenAllowed(t *testing.T) {
	f := newFixture(t)
	one := 1
	in := pix.ChargeInput{Valor: &pix.ValorInput{Original: "10.00", ModalidadeAlteracao: &one}, Chave: evpKey}
	if _, _, err := f.book.Put(pix.KindCob, txid, in); err != nil {
		t.Fatal(err)
	}
	px, err := f.book.Pay(txid, pix.PaymentInput{Valor: "25.50", Pagador: pix.PersonInput{CNPJ: "12345678000195", Nome: "Empresa"}})
	if err != nil || px.Valor != 2550 {
		t.Fatalf("%+v %v", px, err)
	}
}

func TestExpiryIsDerived(t *testing.T) {
	f := newFixture(t)
	in := cob("5.00")
	in.Calendario = &pix.CalendarioInput{Expiracao: i64(60)}
	ch, _, err := f.book.Put(pix.KindCob, txid, in)
	if err != nil {
		t.Fatal(err)
	}
	f.advance(t, 59*time.Second)
	if ch.Expirada() {
		t.Fatal("expired early")
	}
	f.advance(t, time.Second)
	if !ch.Expirada() || ch.Status != pix.StatusAtiva {
		t.Fatalf("after 60 s: expirada %v, status %s", ch.Expirada(), ch.Status)
	}
	_, err = f.book.Pay(txid, pix.PaymentInput{Pagador: pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	expectCode(t, err, "pix_charge_expired")
	f.advance(t, 24*time.Hour)
	if got := f.ev.take(); !slices.Equal(got, []string{"pix_charge.created " + txid, "pix_charge.expired " + txid}) {
		t.Fatalf("events %v", got)
	}
}

func TestMagicPayerCPFs(t *testing.T) {
	f := newFixture(t)
	pays, late := cob("7.00"), cob("8.00")
	pays.Devedor = &pix.PersonInput{CPF: pix.MagicPaysCPF, Nome: "Paga Sozinho"}
	late.Devedor = &pix.PersonInput{CPF: pix.MagicLateCPF, Nome: "Paga Tarde"}
	late.Calendario = &pix.CalendarioInput{Expiracao: i64(30)}
	a, _, err := f.book.Put(pix.KindCob, "a"+txid, pays)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := f.book.Put(pix.KindCob, "b"+txid, late)
	if err != nil {
		t.Fatal(err)
	}
	f.ev.take()
	f.advance(t, 4*time.Second)
	if a.Status != pix.StatusAtiva {
		t.Fatal("paid before 5 s")
	}
	f.advance(t, time.Second)
	if a.Status != pix.StatusConcluida || a.Pix[0].Valor != 700 || a.Pix[0].Pagador.CPF != pix.MagicPaysCPF {
		t.Fatalf("magic payer: %s %+v", a.Status, a.Pix)
	}
	f.advance(t, 30*time.Second) // b expires at 30 s, its payer tries at 35 s
	if b.Status != pix.StatusAtiva || !b.Expirada() || len(b.Pix) != 0 {
		t.Fatalf("late payer: %s expirada %v pix %v", b.Status, b.Expirada(), b.Pix)
	}
	got := f.ev.take()
	want := []string{
		"pix.received " + a.Pix[0].EndToEndID, "pix_charge.completed a" + txid,
		"pix_charge.expired b" + txid, "pix_charge.payment_rejected b" + txid,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events\n%v\nwant\n%v", got, want)
	}
}

// --- due-date charges -----------------------------------------------------------------

func TestDueDateAmounts(t *testing.T) {
	f := newFixture(t)
	in := cobvInput("2026-03-10", "500.00")
	in.Calendario.ValidadeAposVencimento = i64(5)
	in.Valor = &pix.ValorInput{
		Original:   "500.00",
		Multa:      &pix.RuleInput{Modalidade: 2, ValorPerc: "2.00"},  // R$ 10,00
		Juros:      &pix.RuleInput{Modalidade: 2, ValorPerc: "0.10"},  // R$ 0,50 a day
		Abatimento: &pix.RuleInput{Modalidade: 1, ValorPerc: "20.00"}, // always
		Desconto: &pix.DescontoInput{Modalidade: 2, DescontoDataFixa: []pix.DescontoDataInput{
			{Data: "2026-03-05", ValorPerc: "10.00"}, {Data: "2026-03-08", ValorPerc: "5.00"},
		}},
	}
	ch, _, err := f.book.Put(pix.KindCobv, txid, in)
	if err != nil {
		t.Fatal(err)
	}
	brt := pix.BRT
	for _, c := range []struct {
		at   time.Time
		want int64
	}{
		{time.Date(2026, 3, 5, 23, 59, 0, 0, brt), 50000 - 2000 - 5000},     // first discount
		{time.Date(2026, 3, 6, 0, 0, 0, 0, brt), 50000 - 2000 - 2500},       // second discount
		{time.Date(2026, 3, 10, 23, 59, 59, 0, brt), 50000 - 2000},          // due date: no discount, no fine
		{time.Date(2026, 3, 11, 8, 0, 0, 0, brt), 50000 - 2000 + 1000 + 50}, // a day late
		{time.Date(2026, 3, 15, 8, 0, 0, 0, brt), 50000 - 2000 + 1000 + 250},
	} {
		if got := ch.Due(c.at).Total(); got != c.want {
			t.Errorf("due on %s: %d, want %d", c.at, got, c.want)
		}
	}
	// 2026-03-02 12:00 UTC is 09:00 in Brasília: both discounts still apply.
	if got := ch.Due(start).Total(); got != 50000-2000-5000 {
		t.Errorf("due now %d", got)
	}
	// Payable until the end of 2026-03-15 in Brasília.
	if want := time.Date(2026, 3, 16, 0, 0, 0, 0, brt); !ch.ExpiresAt().Equal(want) {
		t.Fatalf("expires at %s, want %s", ch.ExpiresAt(), want)
	}
	if p, err := brcode.Decode(ch.PixCopiaECola); err != nil || p.Amount != "" {
		t.Fatalf("a cobv's code carries no amount: %+v %v", p, err)
	}
	// Pay a day late: the Pix explains its amount.
	if _, err := f.clk.AdvanceTo(time.Date(2026, 3, 11, 8, 0, 0, 0, brt)); err != nil {
		t.Fatal(err)
	}
	_, err = f.book.Pay(txid, pix.PaymentInput{Valor: "480.00", Pagador: pix.PersonInput{CNPJ: "12345678000195", Nome: "E"}})
	expectCode(t, err, "pix_amount_mismatch", "/valor")
	px, err := f.book.Pay(txid, pix.PaymentInput{Pagador: pix.PersonInput{CNPJ: "12345678000195", Nome: "E"}})
	if err != nil {
		t.Fatal(err)
	}
	want := pix.Components{Original: 50000, Abatimento: 2000, Multa: 1000, Juros: 50}
	if px.Valor != 49050 || px.ComponentesValor != want {
		t.Fatalf("paid %d %+v", px.Valor, px.ComponentesValor)
	}
}

func TestDueDateJurosModalidades(t *testing.T) {
	f := newFixture(t)
	venc := time.Date(2026, 3, 10, 0, 0, 0, 0, pix.BRT)
	for i, c := range []struct {
		juros pix.RuleInput
		multa *pix.RuleInput
		days  int
		want  int64
	}{
		{pix.RuleInput{Modalidade: 1, ValorPerc: "0.33"}, nil, 3, 100000 + 99},
		{pix.RuleInput{Modalidade: 2, ValorPerc: "0.01"}, nil, 10, 100000 + 100},
		{pix.RuleInput{Modalidade: 3, ValorPerc: "1.00"}, nil, 30, 100000 + 1000},
		{pix.RuleInput{Modalidade: 3, ValorPerc: "1.00"}, &pix.RuleInput{Modalidade: 1, ValorPerc: "15.00"}, 1, 100000 + 33 + 1500},
	} {
		in := cobvInput("2026-03-10", "1000.00")
		j := c.juros
		in.Valor = &pix.ValorInput{Original: "1000.00", Juros: &j, Multa: c.multa}
		ch, _, err := f.book.Put(pix.KindCobv, fmt.Sprintf("%s%d", txid, i), in)
		if err != nil {
			t.Fatal(err)
		}
		if got := ch.Due(venc.AddDate(0, 0, c.days).Add(time.Hour)).Total(); got != c.want {
			t.Errorf("juros %+v, %d days late: %d, want %d", c.juros, c.days, got, c.want)
		}
	}
}

func TestDueDateChargeExpiresAfterItsValidity(t *testing.T) {
	f := newFixture(t)
	in := cobvInput("2026-03-02", "10.00") // due today
	in.Calendario.ValidadeAposVencimento = i64(0)
	ch, _, err := f.book.Put(pix.KindCobv, txid, in)
	if err != nil {
		t.Fatal(err)
	}
	// Today ends at 03:00 UTC tomorrow.
	if _, err := f.clk.AdvanceTo(time.Date(2026, 3, 3, 2, 59, 59, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if ch.Expirada() {
		t.Fatal("expired on its due date")
	}
	f.advance(t, time.Second)
	if !ch.Expirada() {
		t.Fatal("not expired after its due date with validadeAposVencimento 0")
	}
	_, err = f.book.Pay(txid, pix.PaymentInput{Pagador: pix.PersonInput{CPF: payerCPF, Nome: "F"}})
	expectCode(t, err, "pix_charge_expired")
}

// --- devoluções -------------------------------------------------------------------------

func paid(t *testing.T, f *fixture, id, valor, key string) *pix.Pix {
	t.Helper()
	in := cob(valor)
	in.Chave = key
	if _, _, err := f.book.Put(pix.KindCob, id, in); err != nil {
		t.Fatal(err)
	}
	px, err := f.book.Pay(id, pix.PaymentInput{Pagador: pix.PersonInput{CPF: payerCPF, Nome: "Francisco"}})
	if err != nil {
		t.Fatal(err)
	}
	return px
}

func TestDevolucoes(t *testing.T) {
	f := newFixture(t)
	px := paid(t, f, txid, "100.00", evpKey)
	f.ev.take()
	bal := f.balance(t, f.shop)
	d1, created, err := f.book.PutDevolucao(px.EndToEndID, "d1", pix.DevolucaoInput{Valor: "30.00", Descricao: "parcial"})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if d1.Status != pix.DevolucaoEmProcessamento || d1.Natureza != "ORIGINAL" || len(d1.RtrID) != 32 || d1.RtrID[0] != 'D' {
		t.Fatalf("devolução %+v", d1)
	}
	now := f.balance(t, f.shop)
	if now.Booked != bal.Booked || now.PendingDebit != bal.PendingDebit-3000 {
		t.Fatalf("after the request: %+v (was %+v)", now, bal)
	}
	// Idempotent by id; another request under the same id is refused.
	again, created, err := f.book.PutDevolucao(px.EndToEndID, "d1", pix.DevolucaoInput{Valor: "30.00", Natureza: "ORIGINAL", Descricao: "parcial"})
	if err != nil || created || again != d1 {
		t.Fatal(created, err)
	}
	_, _, err = f.book.PutDevolucao(px.EndToEndID, "d1", pix.DevolucaoInput{Valor: "31.00", Descricao: "parcial"})
	expectCode(t, err, pix.ErrorDevolucaoIDInUse, "/valor")
	d2, _, err := f.book.PutDevolucao(px.EndToEndID, "d2", pix.DevolucaoInput{Valor: "70.00", Natureza: "MED_FRAUDE"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.book.PutDevolucao(px.EndToEndID, "d3", pix.DevolucaoInput{Valor: "0.01"})
	expectCode(t, err, pix.ErrorDevolucaoExceeds, "/valor")
	f.advance(t, pix.DevolucaoDelay)
	if d1.Status != pix.DevolucaoDevolvido || d2.Status != pix.DevolucaoDevolvido || !d1.Liquidacao.Equal(start.Add(pix.DevolucaoDelay)) {
		t.Fatalf("after settlement: %+v %+v", d1, d2)
	}
	if now := f.balance(t, f.shop); now.Booked != bal.Booked-10000 || now.PendingDebit != bal.PendingDebit {
		t.Fatalf("after settlement: %+v (was %+v)", now, bal)
	}
	if got := f.ev.take(); !slices.Equal(got, []string{
		"pix_refund.created d1", "pix_refund.created d2", "pix_refund.completed d1", "pix_refund.completed d2",
	}) {
		t.Fatalf("events %v", got)
	}
	if _, err := f.book.Devolucao(px.EndToEndID, "d9"); err == nil {
		t.Fatal("found a devolução that does not exist")
	}
}

func TestDevolucaoWithoutFundsIsNotMade(t *testing.T) {
	f := newFixture(t)
	px := paid(t, f, txid, "50.00", brokeKey)
	// The money leaves the account before the devolução is asked for.
	if _, err := f.bank.CreateTransfer(bank.TransferInput{Rail: "internal", DebtorAccountID: f.poor, Amount: 4000, Currency: "BRL", Creditor: bank.Creditor{AccountID: f.shop}}); err != nil {
		t.Fatal(err)
	}
	f.ev.take()
	d, _, err := f.book.PutDevolucao(px.EndToEndID, "d1", pix.DevolucaoInput{Valor: "50.00"})
	if err != nil {
		t.Fatal(err)
	}
	if bal := f.balance(t, f.poor); bal.PendingDebit != -5000 {
		t.Fatalf("held %+v", bal)
	}
	f.advance(t, pix.DevolucaoDelay)
	if d.Status != pix.DevolucaoNaoRealizado || d.Motivo == "" || !d.Liquidacao.IsZero() {
		t.Fatalf("devolução %+v", d)
	}
	if bal := f.balance(t, f.poor); bal.Booked != 1000 || bal.PendingDebit != 0 {
		t.Fatalf("after the failure: %+v", bal)
	}
	// A failed devolução frees its amount.
	d2, _, err := f.book.PutDevolucao(px.EndToEndID, "d2", pix.DevolucaoInput{Valor: "10.00"})
	if err != nil {
		t.Fatal(err)
	}
	f.advance(t, pix.DevolucaoDelay)
	if d2.Status != pix.DevolucaoDevolvido {
		t.Fatalf("d2 %s", d2.Status)
	}
	if got := f.ev.take(); !slices.Equal(got, []string{"pix_refund.created d1", "pix_refund.failed d1", "pix_refund.created d2", "pix_refund.completed d2"}) {
		t.Fatalf("events %v", got)
	}
}

func TestListsAndFilters(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		in := cob("1.00")
		if i%2 == 0 {
			in.Devedor = &pix.PersonInput{CPF: payerCPF, Nome: "F"}
		}
		if _, _, err := f.book.Put(pix.KindCob, fmt.Sprintf("%s%d", txid, i), in); err != nil {
			t.Fatal(err)
		}
		f.advance(t, time.Minute)
	}
	if _, _, err := f.book.Put(pix.KindCobv, txid+"v", cobvInput("2026-03-10", "1.00")); err != nil {
		t.Fatal(err)
	}
	page := f.book.Charges(pix.ChargeFilter{Kind: pix.KindCob}, 0, 2)
	if len(page.Items) != 2 || !page.HasMore || page.Items[0].TxID != txid+"4" {
		t.Fatalf("first page %d %v", len(page.Items), page.HasMore)
	}
	rest := f.book.Charges(pix.ChargeFilter{Kind: pix.KindCob}, page.Next, 10)
	if len(rest.Items) != 3 || rest.HasMore {
		t.Fatalf("second page %d", len(rest.Items))
	}
	if n := len(f.book.Charges(pix.ChargeFilter{Kind: pix.KindCob, CPF: payerCPF}, 0, 10).Items); n != 3 {
		t.Fatalf("cpf filter: %d", n)
	}
	if n := len(f.book.Charges(pix.ChargeFilter{Kind: pix.KindCob, Inicio: start.Add(time.Minute), Fim: start.Add(3 * time.Minute)}, 0, 10).Items); n != 3 {
		t.Fatalf("period filter: %d", n)
	}
	if n := len(f.book.Charges(pix.ChargeFilter{Kind: pix.KindCobv}, 0, 10).Items); n != 1 {
		t.Fatalf("cobv list: %d", n)
	}
	px := paid(t, f, "z"+txid, "2.00", evpKey)
	if got := f.book.ReceivedPix(pix.PixFilter{TxID: "z" + txid}, 0, 10).Items; len(got) != 1 || got[0] != px {
		t.Fatalf("received by txid: %v", got)
	}
	if got := f.book.ReceivedPix(pix.PixFilter{Fim: start}, 0, 10).Items; len(got) != 0 {
		t.Fatalf("received before the start: %v", got)
	}
}

// --- parsers ------------------------------------------------------------------------------

func TestParseAmount(t *testing.T) {
	for s, want := range map[string]int64{"0.01": 1, "123.45": 12345, "9999999999.99": 999999999999, "0012.30": 1230} {
		if got, err := pix.ParseAmount(s); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "1", "1.5", "1.005", "-1.00", "1,00", "12345678901.00", " 1.00", "1e2"} {
		if _, err := pix.ParseAmount(s); err == nil {
			t.Errorf("ParseAmount(%q) accepted", s)
		}
	}
	if _, err := pix.ParseAmount("1.005"); err == nil || !strings.Contains(err.Error(), "2 decimal places") {
		t.Errorf("three decimals: %v", err)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0.00", "123.45", "9999999999.99", "1.005", "abc", "-1.00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := pix.ParseAmount(s)
		if err != nil {
			return
		}
		if v < 0 || v > 999999999999 {
			t.Fatalf("ParseAmount(%q) = %d, out of range", s, v)
		}
		back, err := pix.ParseAmount(pix.FormatAmount(v))
		if err != nil || back != v {
			t.Fatalf("round trip of %q: %s → %d, %v", s, pix.FormatAmount(v), back, err)
		}
	})
}

// Whatever a customer is called or lives in, the charge's BR Code encodes
// and decodes to the fitted name and city.
func FuzzDynamicBRCode(f *testing.F) {
	for _, s := range [][2]string{{"Ana", "São Paulo"}, {"", ""}, {"🙂🙂", "東京"}, {"a\u0301b\x00c", "\t\n"}, {strings.Repeat("Ção ", 20), strings.Repeat("x", 40)}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, city string) {
		p := pix.DynamicPayload("pix.sandbank.dev/qr/v2/9d36b84fc70b478fb95c12729b90ca25", name, city)
		p.Amount = "1.00"
		code, err := brcode.Encode(p)
		if err != nil {
			t.Fatalf("name %q city %q: %v", name, city, err)
		}
		got, err := brcode.Decode(code)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != pix.MerchantName(name) || got.City != pix.MerchantCity(city) || len(got.Name) > 25 || len(got.City) > 15 || got.Name == "" || got.City == "" {
			t.Fatalf("decoded name %q city %q", got.Name, got.City)
		}
	})
}
