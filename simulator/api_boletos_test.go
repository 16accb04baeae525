package simulator_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/boletocode"
	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// Boletos over HTTP: registration, lookup, cancellation, the sandbox
// payment, settlement and the lifecycle on the virtual clock. The clock
// starts on Monday 2026-03-02 at 12:00 UTC, 09:00 in São Paulo (UTC−3).

type boletoJSON struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Status        string `json:"status"`
	AccountID     string `json:"account_id"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	DueDate       string `json:"due_date"`
	BankCode      string `json:"bank_code"`
	NossoNumero   string `json:"nosso_numero"`
	Barcode       string `json:"barcode"`
	DigitableLine string `json:"digitable_line"`
	Payer         struct {
		Name      string `json:"name"`
		TaxID     string `json:"tax_id"`
		TaxIDType string `json:"tax_id_type"`
		Address   *struct {
			Line1      string `json:"line1"`
			City       string `json:"city"`
			State      string `json:"state"`
			PostalCode string `json:"postal_code"`
		} `json:"address"`
	} `json:"payer"`
	Description *string `json:"description"`
	Fine        *struct {
		Percentage string `json:"percentage"`
	} `json:"fine"`
	Interest *struct {
		MonthlyPercentage string `json:"monthly_percentage"`
	} `json:"interest"`
	Discount *struct {
		Amount int64  `json:"amount"`
		Until  string `json:"until"`
	} `json:"discount"`
	Pix            bool              `json:"pix"`
	PixCopiaECola  *string           `json:"pix_copia_e_cola"`
	DaysToWriteOff int               `json:"days_to_write_off"`
	AmountDue      *int64            `json:"amount_due"`
	CreatedAt      time.Time         `json:"created_at"`
	PaidAt         *time.Time        `json:"paid_at"`
	PaidAmount     *int64            `json:"paid_amount"`
	PaidVia        *string           `json:"paid_via"`
	SettlesOn      *string           `json:"settles_on"`
	SettledAt      *time.Time        `json:"settled_at"`
	OverdueAt      *time.Time        `json:"overdue_at"`
	WrittenOffAt   *time.Time        `json:"written_off_at"`
	CanceledAt     *time.Time        `json:"canceled_at"`
	TransactionID  *string           `json:"transaction_id"`
	Metadata       map[string]string `json:"metadata"`
}

var saoPaulo = time.FixedZone("BRT", -3*60*60)

func spTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, saoPaulo).UTC()
}

// boletoTenant is a fresh tenant whose ledger is verified when the test ends.
func boletoTenant(t *testing.T, srv *simtest.Server, label string) (*simtest.Client, accountJSON) {
	t.Helper()
	key := simtest.NewKey(label)
	c := srv.Client(key)
	t.Cleanup(func() {
		if err := srv.Sim.VerifyTenant(key); err != nil {
			t.Errorf("ledger of %s: %v", label, err)
		}
	})
	for _, a := range accounts(t, c) {
		if a.Currency == "BRL" {
			return c, a
		}
	}
	t.Fatal("no BRL account")
	return nil, accountJSON{}
}

func boletoBody(accountID string, amount int64, due string) map[string]any {
	return map[string]any{
		"account_id": accountID, "amount": amount, "currency": "BRL", "due_date": due,
		"payer": map[string]any{"name": "Maria Silva", "tax_id": "123.456.789-09"},
	}
}

// createBoleto registers a boleto and checks its codes.
func createBoleto(t *testing.T, c *simtest.Client, body map[string]any) boletoJSON {
	t.Helper()
	var b boletoJSON
	expectCreated(t, c.Post("/v1/boletos", body), "/v1/boletos/", &b)
	checkBoletoCodes(t, c, b)
	return b
}

func getBoleto(t *testing.T, c *simtest.Client, id string) boletoJSON {
	t.Helper()
	var b boletoJSON
	expectOK(t, c.Get("/v1/boletos/"+id), &b)
	return b
}

func payBoleto(t *testing.T, c *simtest.Client, id string, body any) boletoJSON {
	t.Helper()
	var b boletoJSON
	expectOK(t, c.Post("/v1/sandbox/boletos/"+id+"/pay", body), &b)
	return b
}

// checkBoletoCodes parses the barcode and the linha digitável back with
// boletocode: both carry the bank, the amount, the due date (through the
// fator de vencimento) and the nosso número.
func checkBoletoCodes(t *testing.T, c *simtest.Client, b boletoJSON) {
	t.Helper()
	around := now(t, c)
	fromBarcode, err := boletocode.ParseBarcode(b.Barcode, around)
	if err != nil {
		t.Fatalf("%s: barcode %q: %v", b.ID, b.Barcode, err)
	}
	fromLine, err := boletocode.ParseDigitableLine(b.DigitableLine, around)
	if err != nil {
		t.Fatalf("%s: linha digitável %q: %v", b.ID, b.DigitableLine, err)
	}
	if fromBarcode != fromLine {
		t.Errorf("%s: barcode %+v and line %+v disagree", b.ID, fromBarcode, fromLine)
	}
	if line, _ := boletocode.DigitableLineFromBarcode(b.Barcode); line != b.DigitableLine {
		t.Errorf("%s: line %q, the barcode gives %q", b.ID, b.DigitableLine, line)
	}
	if fromBarcode.BankCode != "999" || b.BankCode != "999" || fromBarcode.Amount != b.Amount || fromBarcode.Due.Format(time.DateOnly) != b.DueDate {
		t.Errorf("%s parses to bank %s, amount %d, due %s; the boleto says %s, %d, %s", b.ID,
			fromBarcode.BankCode, fromBarcode.Amount, fromBarcode.Due.Format(time.DateOnly), b.BankCode, b.Amount, b.DueDate)
	}
	due, _ := time.Parse(time.DateOnly, b.DueDate)
	if factor, _ := boletocode.DueFactor(due); b.Barcode[5:9] != fmt.Sprintf("%04d", factor) {
		t.Errorf("%s: factor %s, want %d", b.ID, b.Barcode[5:9], factor)
	}
	_, carteira, nn, _, err := boletocode.ParseFreeField(fromBarcode.FreeField)
	dv, _ := boletocode.NossoNumeroDV(carteira, nn)
	if err != nil || b.NossoNumero != carteira+"/"+nn+"-"+dv {
		t.Errorf("%s: nosso número %s, free field %s (%v)", b.ID, b.NossoNumero, fromBarcode.FreeField, err)
	}
}

// boletoEvents lists the types of a boleto's events, oldest first, and
// checks each carries the boleto in the status its type names.
func boletoEvents(t *testing.T, c *simtest.Client, id string) []string {
	t.Helper()
	var page struct {
		Data []struct {
			Type string     `json:"type"`
			Data boletoJSON `json:"data"`
		} `json:"data"`
		HasMore bool `json:"has_more"`
	}
	expectOK(t, c.Get("/v1/events?limit=100&resource_id="+id), &page)
	var types []string
	for i := len(page.Data) - 1; i >= 0; i-- {
		e := page.Data[i]
		types = append(types, e.Type)
		if want := strings.TrimPrefix(e.Type, "boleto."); e.Data.ID != id || (want != "registered" && e.Data.Status != want) || (want == "registered" && e.Data.Status != "registered") {
			t.Errorf("event %s carries %s in %s", e.Type, e.Data.ID, e.Data.Status)
		}
	}
	return types
}

func expectEvents(t *testing.T, c *simtest.Client, id string, want ...string) {
	t.Helper()
	if got := boletoEvents(t, c, id); !slices.Equal(got, want) {
		t.Fatalf("events of %s: %v, want %v", id, got, want)
	}
}

// statementLine finds an account's statement line by id.
func statementLine(t *testing.T, c *simtest.Client, accountID, id string) transactionJSON {
	t.Helper()
	for _, typ := range []string{"boleto", "pix"} {
		for _, l := range transactions(t, c, accountID, "type="+typ, 100) {
			if l.ID == id {
				return l
			}
		}
	}
	t.Fatalf("no statement line %s on %s", id, accountID)
	return transactionJSON{}
}

func TestBoletoCreate(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolcreate")
	body := map[string]any{
		"account_id": acc.ID, "amount": 15000, "currency": "BRL", "due_date": "2026-03-20",
		"payer": map[string]any{
			"name": "Empresa Exemplo Ltda", "tax_id": "12345678000195",
			"address": map[string]any{"line1": "Rua das Flores, 100", "city": "Curitiba", "state": "PR", "postal_code": "80010-000"},
		},
		"description": "Mensalidade março",
		"fine":        map[string]any{"percentage": "2.00"},
		"interest":    map[string]any{"monthly_percentage": "1"},
		"discount":    map[string]any{"amount": 500, "until": "2026-03-15"},
		"pix":         true,
		"metadata":    map[string]any{"invoice": "2026-03-114"},
	}
	r := c.Post("/v1/boletos", body, "Idempotency-Key", "bol-create-1")
	var b boletoJSON
	expectCreated(t, r, "/v1/boletos/", &b)
	checkBoletoCodes(t, c, b)
	if b.Object != "boleto" || b.Status != "registered" || !strings.HasPrefix(b.ID, "bol_") || b.AccountID != acc.ID || b.Amount != 15000 ||
		b.Currency != "BRL" || b.DueDate != "2026-03-20" || !b.CreatedAt.Equal(clockStart) || b.DaysToWriteOff != 60 {
		t.Fatalf("boleto %+v", b)
	}
	if b.Payer.Name != "Empresa Exemplo Ltda" || b.Payer.TaxID != "12.345.678/0001-95" || b.Payer.TaxIDType != "br_cnpj" || b.Payer.Address == nil || b.Payer.Address.City != "Curitiba" {
		t.Errorf("payer %+v", b.Payer)
	}
	if b.Fine == nil || b.Fine.Percentage != "2.00" || b.Interest == nil || b.Interest.MonthlyPercentage != "1.00" || b.Discount == nil || b.Discount.Amount != 500 || b.Discount.Until != "2026-03-15" {
		t.Errorf("charges %+v %+v %+v", b.Fine, b.Interest, b.Discount)
	}
	if b.AmountDue == nil || *b.AmountDue != 14500 {
		t.Errorf("amount_due %v, want 14500 (the discount applies today)", b.AmountDue)
	}
	if b.PaidAt != nil || b.PaidAmount != nil || b.PaidVia != nil || b.SettlesOn != nil || b.SettledAt != nil || b.TransactionID != nil || b.Metadata["invoice"] != "2026-03-114" {
		t.Errorf("a new boleto %+v", b)
	}
	// The hybrid boleto's BR Code: a static code for the same amount, to
	// the beneficiary's random key, the boleto id as txid.
	if !b.Pix || b.PixCopiaECola == nil {
		t.Fatal("no BR Code")
	}
	p, err := brcode.Decode(*b.PixCopiaECola)
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != "150.00" || p.Key != acc.pixKey("evp") || p.TxID != strings.ReplaceAll(b.ID, "_", "") || p.PointOfInitiation != brcode.StaticInitiation {
		t.Errorf("BR Code %+v", p)
	}
	expectJournal(t, c, r, "createBoleto", b.ID, "")
	// A retry replays; the same request with another key is a new boleto.
	again := c.Post("/v1/boletos", body, "Idempotency-Key", "bol-create-1")
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(r.Body) {
		t.Fatalf("replay %d %s", again.Status, again.Body)
	}
	other := createBoleto(t, c, body)
	if other.ID == b.ID || other.NossoNumero == b.NossoNumero || other.Barcode == b.Barcode {
		t.Fatalf("two boletos share an id, number or barcode: %s %s", other.ID, other.NossoNumero)
	}
	expectEvents(t, c, b.ID, "boleto.registered")
	// Webhook endpoints can subscribe to the boleto events.
	expectCreated(t, c.Post("/v1/webhook_endpoints", map[string]any{
		"url": "http://127.0.0.1:9/boletos", "enabled_events": []string{"boleto.*", "boleto.written_off"},
	}), "", nil)
	// Registration moves no money.
	if lines := transactions(t, c, acc.ID, "type=boleto&from=2026-03-02T00:00:00Z", 100); len(lines) != 0 {
		t.Fatalf("lines after registration: %+v", lines)
	}
	// Minimal: no optional field.
	plain := createBoleto(t, c, boletoBody(acc.ID, 1, "2026-03-02"))
	if plain.Pix || plain.PixCopiaECola != nil || plain.Fine != nil || plain.Interest != nil || plain.Discount != nil || plain.Description != nil || plain.Payer.Address != nil || plain.Payer.TaxIDType != "br_cpf" {
		t.Fatalf("plain %+v", plain)
	}
}

func TestBoletoCreateInvalid(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolinvalid")
	var eur string
	for _, a := range accounts(t, c) {
		if a.Currency == "EUR" {
			eur = a.ID
		}
	}
	with := func(change func(map[string]any)) map[string]any {
		b := boletoBody(acc.ID, 15000, "2026-03-20")
		change(b)
		return b
	}
	payer := func(b map[string]any) map[string]any { return b["payer"].(map[string]any) }
	for _, tc := range []struct {
		name, code, at string
		body           map[string]any
	}{
		// The contract.
		{"no account", openapi.CodeValidationFailed, "/account_id", with(func(b map[string]any) { delete(b, "account_id") })},
		{"amount zero", openapi.CodeValidationFailed, "/amount", with(func(b map[string]any) { b["amount"] = 0 })},
		{"amount decimal", openapi.CodeValidationFailed, "/amount", with(func(b map[string]any) { b["amount"] = 150.5 })},
		{"currency", openapi.CodeValidationFailed, "/currency", with(func(b map[string]any) { b["currency"] = "EUR" })},
		{"due date format", openapi.CodeValidationFailed, "/due_date", with(func(b map[string]any) { b["due_date"] = "20/03/2026" })},
		{"no payer", openapi.CodeValidationFailed, "/payer", with(func(b map[string]any) { delete(b, "payer") })},
		{"payer name empty", openapi.CodeValidationFailed, "/payer/name", with(func(b map[string]any) { payer(b)["name"] = "" })},
		{"payer tax id short", openapi.CodeValidationFailed, "/payer/tax_id", with(func(b map[string]any) { payer(b)["tax_id"] = "123" })},
		{"payer address state", openapi.CodeValidationFailed, "/payer/address/state", with(func(b map[string]any) {
			payer(b)["address"] = map[string]any{"line1": "Rua A, 1", "city": "Curitiba", "state": "Paraná", "postal_code": "80010-000"}
		})},
		{"payer address CEP", openapi.CodeValidationFailed, "/payer/address/postal_code", with(func(b map[string]any) {
			payer(b)["address"] = map[string]any{"line1": "Rua A, 1", "city": "Curitiba", "state": "PR", "postal_code": "8001"}
		})},
		{"fine as a number", openapi.CodeValidationFailed, "/fine/percentage", with(func(b map[string]any) { b["fine"] = map[string]any{"percentage": 2} })},
		{"fine three decimals", openapi.CodeValidationFailed, "/fine/percentage", with(func(b map[string]any) { b["fine"] = map[string]any{"percentage": "2.001"} })},
		{"interest comma", openapi.CodeValidationFailed, "/interest/monthly_percentage", with(func(b map[string]any) { b["interest"] = map[string]any{"monthly_percentage": "1,5"} })},
		{"discount without date", openapi.CodeValidationFailed, "/discount/until", with(func(b map[string]any) { b["discount"] = map[string]any{"amount": 100} })},
		{"days to write off", openapi.CodeValidationFailed, "/days_to_write_off", with(func(b map[string]any) { b["days_to_write_off"] = 0 })},
		{"pix not a boolean", openapi.CodeValidationFailed, "/pix", with(func(b map[string]any) { b["pix"] = "yes" })},
		{"unknown field", openapi.CodeValidationFailed, "/color", with(func(b map[string]any) { b["color"] = "blue" })},
		// The domain.
		{"unknown account", "resource_missing", "/account_id", with(func(b map[string]any) { b["account_id"] = "acc_0000000000000000" })},
		{"EUR account", "invalid_account", "/account_id", with(func(b map[string]any) { b["account_id"] = eur })},
		{"amount beyond the barcode", "invalid_amount", "/amount", with(func(b map[string]any) { b["amount"] = 10_000_000_000 })},
		{"due date past", "invalid_due_date", "/due_date", with(func(b map[string]any) { b["due_date"] = "2026-03-01" })},
		{"due date too far", "invalid_due_date", "/due_date", with(func(b map[string]any) { b["due_date"] = "2036-03-01" })},
		{"due date not a day", "invalid_due_date", "/due_date", with(func(b map[string]any) { b["due_date"] = "2026-02-30" })},
		{"payer CPF check digit", "invalid_tax_id", "/payer/tax_id", with(func(b map[string]any) { payer(b)["tax_id"] = "123.456.789-00" })},
		{"payer CNPJ check digit", "invalid_tax_id", "/payer/tax_id", with(func(b map[string]any) { payer(b)["tax_id"] = "12.345.678/0001-00" })},
		{"fine zero", "invalid_percentage", "/fine/percentage", with(func(b map[string]any) { b["fine"] = map[string]any{"percentage": "0.00"} })},
		{"interest over 100", "invalid_percentage", "/interest/monthly_percentage", with(func(b map[string]any) { b["interest"] = map[string]any{"monthly_percentage": "150"} })},
		{"discount whole amount", "invalid_discount", "/discount/amount", with(func(b map[string]any) { b["discount"] = map[string]any{"amount": 15000, "until": "2026-03-10"} })},
		{"discount after due date", "invalid_discount", "/discount/until", with(func(b map[string]any) { b["discount"] = map[string]any{"amount": 100, "until": "2026-03-21"} })},
		{"metadata key", "invalid_metadata", "/metadata/" + strings.Repeat("k", 41), with(func(b map[string]any) { b["metadata"] = map[string]any{strings.Repeat("k", 41): "v"} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/v1/boletos", tc.body)
			expectViolation(t, r, tc.code, tc.at)
			expectJournal(t, c, r, "createBoleto", "", tc.code)
		})
	}
	var page listPage[boletoJSON]
	expectOK(t, c.Get("/v1/boletos"), &page)
	if len(page.Data) != 0 {
		t.Fatalf("refused requests registered %d boletos", len(page.Data))
	}
}

func TestBoletoListGetAndIsolation(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bollist")
	a := createBoleto(t, c, boletoBody(acc.ID, 100, "2026-03-05"))
	body := boletoBody(acc.ID, 200, "2026-03-10")
	body["payer"] = map[string]any{"name": "Empresa Exemplo Ltda", "tax_id": "12.345.678/0001-95"}
	b := createBoleto(t, c, body)
	d := createBoleto(t, c, boletoBody(acc.ID, 300, "2026-03-20"))
	expectOK(t, c.Post("/v1/boletos/"+d.ID+"/cancel", nil), nil)
	ids := func(query string) string {
		var out []string
		for _, x := range walk[boletoJSON](t, c, "/v1/boletos", query, 2, nil) {
			out = append(out, x.ID)
		}
		return strings.Join(out, ",")
	}
	for query, want := range map[string]string{
		"":                         d.ID + "," + b.ID + "," + a.ID,
		"status=canceled":          d.ID,
		"status=registered":        b.ID + "," + a.ID,
		"due_date_from=2026-03-10": d.ID + "," + b.ID,
		"due_date_to=2026-03-10":   b.ID + "," + a.ID,
		"due_date_from=2026-03-06&due_date_to=2026-03-19":    b.ID,
		"payer_tax_id=12345678000195":                        b.ID,
		"payer_tax_id=123.456.789-09":                        d.ID + "," + a.ID,
		"payer_tax_id=123.456.789-09&due_date_to=2026-03-05": a.ID,
		"status=paid": "",
		"due_date_from=2026-03-21&payer_tax_id=12345678909":     "",
		"due_date_from=2026-03-05&due_date_to=2026-03-05":       a.ID,
		"status=registered&payer_tax_id=12.345.678/0001-95":     b.ID,
		"due_date_to=2026-03-20&due_date_from=2026-03-20":       d.ID,
		"status=canceled&due_date_from=2026-03-20":              d.ID,
		"status=canceled&due_date_to=2026-03-19":                "",
		"payer_tax_id=" + url.QueryEscape("12.345.678/0001-95"): b.ID,
	} {
		if got := ids(query); got != want {
			t.Errorf("?%s: %s, want %s", query, got, want)
		}
	}
	apiInvalid(t, c.Get("/v1/boletos?status=lost"), "query:status")
	apiInvalid(t, c.Get("/v1/boletos?due_date_from=yesterday"), "query:due_date_from")
	expectViolation(t, c.Get("/v1/boletos?due_date_from=2026-03-10&due_date_to=2026-03-09"), openapi.CodeValidationFailed, "due_date_to")
	expectViolation(t, c.Get("/v1/boletos?cursor="+base64.RawURLEncoding.EncodeToString([]byte("trf:3"))), "invalid_cursor", "cursor")

	r := c.Get("/v1/boletos/" + a.ID)
	var got boletoJSON
	expectOK(t, r, &got)
	if got.ID != a.ID || got.Barcode != a.Barcode || got.Status != "registered" {
		t.Fatalf("get %+v", got)
	}
	expectJournal(t, c, r, "getBoleto", a.ID, "")
	expectProblem(t, c.Get("/v1/boletos/bol_0000000000000000"), http.StatusNotFound, "resource_missing")

	// Another tenant sees none of it.
	other, _ := boletoTenant(t, srv, "bolother")
	for _, path := range []string{"/v1/boletos/" + a.ID, "/v1/boletos/lookup?barcode=" + a.Barcode} {
		expectProblem(t, other.Get(path), http.StatusNotFound, "resource_missing")
	}
	for _, path := range []string{"/v1/boletos/" + a.ID + "/cancel", "/v1/sandbox/boletos/" + a.ID + "/pay"} {
		expectProblem(t, other.Post(path, nil), http.StatusNotFound, "resource_missing")
	}
	var page listPage[boletoJSON]
	expectOK(t, other.Get("/v1/boletos"), &page)
	if len(page.Data) != 0 {
		t.Fatalf("another tenant lists %d boletos", len(page.Data))
	}
	if got := getBoleto(t, c, a.ID); got.Status != "registered" {
		t.Fatalf("another tenant's requests changed the boleto: %s", got.Status)
	}
}

func TestBoletoLookup(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bollookup")
	b := createBoleto(t, c, boletoBody(acc.ID, 98765, "2026-04-30"))
	digits := strings.NewReplacer(".", "", " ", "").Replace(b.DigitableLine)
	for _, q := range []string{
		"barcode=" + b.Barcode,
		"digitable_line=" + url.QueryEscape(b.DigitableLine),
		"digitable_line=" + digits,
		"digitable_line=" + url.QueryEscape(strings.ReplaceAll(b.DigitableLine, ".", "")),
	} {
		r := c.Get("/v1/boletos/lookup?" + q)
		var got boletoJSON
		expectOK(t, r, &got)
		if got.ID != b.ID {
			t.Fatalf("?%s found %s", q, got.ID)
		}
		expectJournal(t, c, r, "lookupBoleto", b.ID, "")
	}
	bump := func(s string, i int) string { return s[:i] + string(rune('0'+(s[i]-'0'+1)%10)) + s[i+1:] }
	// Each check digit of the line, and one digit of each field's body.
	for i, which := range map[int]string{9: "field 1", 20: "field 2", 31: "field 3", 32: "general", 2: "field 1", 15: "field 2", 25: "field 3"} {
		r := c.Get("/v1/boletos/lookup?digitable_line=" + bump(digits, i))
		v := expectViolation(t, r, "invalid_check_digit", "query:digitable_line")
		var extra struct {
			CheckDigit string `json:"check_digit"`
		}
		r.Decode(t, &extra)
		if extra.CheckDigit != which || !strings.Contains(v.Detail, which) {
			t.Errorf("digit %d: check_digit %q, detail %q; want %s", i, extra.CheckDigit, v.Detail, which)
		}
	}
	r := c.Get("/v1/boletos/lookup?barcode=" + bump(b.Barcode, 30))
	expectViolation(t, r, "invalid_check_digit", "query:barcode")
	if !strings.Contains(r.String(), `"check_digit":"general"`) {
		t.Errorf("barcode: %s", r.Body)
	}
	// Malformed codes.
	apiInvalid(t, c.Get("/v1/boletos/lookup?barcode="+b.Barcode[:43]), "query:barcode")
	apiInvalid(t, c.Get("/v1/boletos/lookup?digitable_line="+digits[:46]+"x"), "query:digitable_line")
	expectViolation(t, c.Get("/v1/boletos/lookup?digitable_line="+digits+"0"), "invalid_digitable_line", "query:digitable_line")
	expectViolation(t, c.Get("/v1/boletos/lookup"), openapi.CodeValidationFailed, "query:barcode")
	expectViolation(t, c.Get("/v1/boletos/lookup?barcode="+b.Barcode+"&digitable_line="+digits), openapi.CodeValidationFailed, "query:digitable_line")
	// Valid codes of boletos this tenant never registered.
	p := expectProblem(t, c.Get("/v1/boletos/lookup?digitable_line="+url.QueryEscape("00190.00009 01149.718601 68524.522114 6 75860000102656")), http.StatusNotFound, "resource_missing")
	if !strings.Contains(p.Detail, "bank 001") {
		t.Errorf("detail %q", p.Detail)
	}
	unknown, _ := boletocode.Barcode(boletocode.Boleto{BankCode: "999", Due: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC), Amount: 98766, FreeField: b.Barcode[19:]})
	expectProblem(t, c.Get("/v1/boletos/lookup?barcode="+unknown), http.StatusNotFound, "resource_missing")
}

// Paid before 13:30 São Paulo time on a business day: a pending credit at
// once, settled (booked) at 17:00 the same day.
func TestBoletoPaySettlesSameDay(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolsameday")
	before := balances(t, c, acc.ID)
	b := createBoleto(t, c, boletoBody(acc.ID, 15000, "2026-03-20"))
	r := c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", map[string]any{"amount": 15000}, "Idempotency-Key", "pay-1")
	var paid boletoJSON
	expectOK(t, r, &paid)
	if paid.Status != "paid" || paid.PaidAt == nil || !paid.PaidAt.Equal(clockStart) || *paid.PaidAmount != 15000 || *paid.PaidVia != "barcode" ||
		*paid.SettlesOn != "2026-03-02" || paid.SettledAt != nil || paid.AmountDue != nil || paid.TransactionID == nil {
		t.Fatalf("paid %+v", paid)
	}
	expectJournal(t, c, r, "payBoleto", b.ID, "")
	line := statementLine(t, c, acc.ID, *paid.TransactionID)
	if line.Status != "pending" || line.Type != "boleto" || line.Amount != 15000 || line.CreditDebit != "credit" || line.BookedAt != nil ||
		line.Counterparty == nil || line.Counterparty.Name != "Maria Silva" || *line.Counterparty.TaxID != "123.456.789-09" ||
		line.Source == nil || line.Source.Type != "boleto" || line.Source.ID != b.ID || !strings.Contains(line.Description, b.NossoNumero) {
		t.Fatalf("line %+v", line)
	}
	mid := balances(t, c, acc.ID)
	if mid.Booked.Amount != before.Booked.Amount || mid.Pending.Amount != before.Pending.Amount+15000 || mid.Available.Amount != before.Available.Amount {
		t.Fatalf("before settlement %+v (was %+v)", mid, before)
	}
	// A retry of the payment replays it; another payment is refused.
	replay := c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", map[string]any{"amount": 15000}, "Idempotency-Key", "pay-1")
	if replay.Status != http.StatusOK || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d", replay.Status)
	}
	expectProblem(t, c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", nil), http.StatusBadRequest, "boleto_not_payable")

	clk := advanceTo(t, c, spTime(2026, 3, 2, 16, 59))
	if got := getBoleto(t, c, b.ID); got.Status != "paid" || len(clk.Ran) != 0 {
		t.Fatalf("at 16:59: %s, ran %v", got.Status, clk.Ran)
	}
	clk = advanceTo(t, c, spTime(2026, 3, 2, 17, 0))
	if len(clk.Ran) != 1 || clk.Ran[0].Job != "boleto.settle" || clk.Ran[0].ResourceID != b.ID {
		t.Fatalf("ran %+v", clk.Ran)
	}
	settled := getBoleto(t, c, b.ID)
	if settled.Status != "settled" || !settled.SettledAt.Equal(spTime(2026, 3, 2, 17, 0)) {
		t.Fatalf("settled %+v", settled)
	}
	line = statementLine(t, c, acc.ID, *paid.TransactionID)
	if line.Status != "booked" || !line.BookedAt.Equal(spTime(2026, 3, 2, 17, 0)) || line.RunningBalance == nil || line.ValueDate != "2026-03-02" {
		t.Fatalf("booked line %+v", line)
	}
	after := balances(t, c, acc.ID)
	if after.Booked.Amount != before.Booked.Amount+15000 || after.Pending.Amount != before.Pending.Amount || after.Available.Amount != before.Available.Amount+15000 {
		t.Fatalf("after settlement %+v (was %+v)", after, before)
	}
	if *line.RunningBalance != after.Booked.Amount {
		t.Errorf("running balance %d, booked %d", *line.RunningBalance, after.Booked.Amount)
	}
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.paid", "boleto.settled")
	// Nothing else happens to it: no overdue, no write-off.
	advance(t, c, "P100D")
	if got := getBoleto(t, c, b.ID); got.Status != "settled" {
		t.Fatalf("%s", got.Status)
	}
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.paid", "boleto.settled")
	expectProblem(t, c.Post("/v1/boletos/"+b.ID+"/cancel", nil), http.StatusBadRequest, "boleto_not_cancelable")
}

// Paid on a Friday after 13:30: it settles on Monday at 17:00.
func TestBoletoPayAfterCutoffSettlesNextBusinessDay(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolfriday")
	b := createBoleto(t, c, boletoBody(acc.ID, 2500, "2026-03-20"))
	advanceTo(t, c, spTime(2026, 3, 6, 13, 30)) // Friday, the cutoff itself
	paid := payBoleto(t, c, b.ID, nil)
	if *paid.SettlesOn != "2026-03-09" || !paid.PaidAt.Equal(spTime(2026, 3, 6, 13, 30)) {
		t.Fatalf("paid %+v", paid)
	}
	other := createBoleto(t, c, boletoBody(acc.ID, 2600, "2026-03-20"))
	advanceTo(t, c, spTime(2026, 3, 7, 10, 0)) // Saturday morning
	if got := payBoleto(t, c, other.ID, nil); *got.SettlesOn != "2026-03-09" {
		t.Fatalf("paid on Saturday settles %s", *got.SettlesOn)
	}
	advanceTo(t, c, spTime(2026, 3, 9, 16, 59))
	if got := getBoleto(t, c, b.ID); got.Status != "paid" {
		t.Fatalf("Monday 16:59: %s", got.Status)
	}
	clk := advanceTo(t, c, spTime(2026, 3, 9, 17, 0))
	if len(clk.Ran) != 2 {
		t.Fatalf("ran %+v", clk.Ran)
	}
	for _, id := range []string{b.ID, other.ID} {
		if got := getBoleto(t, c, id); got.Status != "settled" || !got.SettledAt.Equal(spTime(2026, 3, 9, 17, 0)) {
			t.Fatalf("%s: %+v", id, got)
		}
		expectEvents(t, c, id, "boleto.registered", "boleto.paid", "boleto.settled")
	}
}

// Fine, interest and discount: what is due changes with the São Paulo
// date, and the payment must be exactly that.
func TestBoletoChargesAndWrongAmount(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolcharges")
	body := boletoBody(acc.ID, 10000, "2026-03-10") // a Tuesday
	body["fine"] = map[string]any{"percentage": "2"}
	body["interest"] = map[string]any{"monthly_percentage": "1.50"}
	body["discount"] = map[string]any{"amount": 300, "until": "2026-03-05"}
	b := createBoleto(t, c, body)
	dueAt := func(at time.Time) int64 {
		t.Helper()
		advanceTo(t, c, at)
		got := getBoleto(t, c, b.ID)
		if got.AmountDue == nil {
			t.Fatalf("no amount_due at %s", at)
		}
		return *got.AmountDue
	}
	for _, step := range []struct {
		at   time.Time
		want int64
	}{
		{spTime(2026, 3, 5, 23, 59), 9700},   // the discount's last day
		{spTime(2026, 3, 6, 0, 0), 10000},    // full price
		{spTime(2026, 3, 10, 23, 59), 10000}, // the due date
		{spTime(2026, 3, 11, 0, 0), 10205},   // 2 % fine + 1 day of 1.5 %/30 (5)
		{spTime(2026, 3, 20, 9, 0), 10250},   // 10 days: 50
	} {
		if got := dueAt(step.at); got != step.want {
			t.Fatalf("at %s: amount_due %d, want %d", step.at.In(saoPaulo), got, step.want)
		}
	}
	r := c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", map[string]any{"amount": 10000})
	v := expectViolation(t, r, "amount_mismatch", "/amount")
	var extra struct {
		AmountDue int64 `json:"amount_due"`
	}
	r.Decode(t, &extra)
	if extra.AmountDue != 10250 || !strings.Contains(v.Detail, "10250") {
		t.Fatalf("amount_due %d, detail %q", extra.AmountDue, v.Detail)
	}
	expectJournal(t, c, r, "payBoleto", "", "amount_mismatch")
	// A backdated payment owes what was due on its date.
	paid := payBoleto(t, c, b.ID, map[string]any{"amount": 9700, "paid_at": spTime(2026, 3, 4, 11, 0).Format(time.RFC3339)})
	if paid.Status != "settled" || *paid.PaidAmount != 9700 || *paid.SettlesOn != "2026-03-04" || !paid.SettledAt.Equal(spTime(2026, 3, 20, 9, 0)) {
		t.Fatalf("backdated payment %+v", paid)
	}
	line := statementLine(t, c, acc.ID, *paid.TransactionID)
	if line.Amount != 9700 || line.Status != "booked" {
		t.Fatalf("line %+v", line)
	}
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.overdue", "boleto.paid", "boleto.settled")

	// Paying late without an amount pays what is due: a 1 % fine (50) and
	// two days of 1 % a month (5000 × 1 % × 2/30 = 3.33 → 3).
	lateBody := boletoBody(acc.ID, 5000, "2026-03-25")
	lateBody["fine"] = map[string]any{"percentage": "1.00"}
	lateBody["interest"] = map[string]any{"monthly_percentage": "1.00"}
	late := createBoleto(t, c, lateBody)
	advanceTo(t, c, spTime(2026, 3, 27, 10, 0)) // a Friday, before the cutoff
	got := payBoleto(t, c, late.ID, map[string]any{})
	if *got.PaidAmount != 5053 || *got.SettlesOn != "2026-03-27" {
		t.Fatalf("late payment %d, settles %s", *got.PaidAmount, *got.SettlesOn)
	}
}

func TestBoletoPayInvalid(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolpayinvalid")
	b := createBoleto(t, c, boletoBody(acc.ID, 15000, "2026-03-20"))
	path := "/v1/sandbox/boletos/" + b.ID + "/pay"
	for _, tc := range []struct {
		name, code, at string
		body           any
	}{
		{"amount zero", openapi.CodeValidationFailed, "/amount", map[string]any{"amount": 0}},
		{"amount decimal", openapi.CodeValidationFailed, "/amount", `{"amount": 150.50}`},
		{"paid_at not a time", openapi.CodeValidationFailed, "/paid_at", map[string]any{"paid_at": "yesterday"}},
		{"via", openapi.CodeValidationFailed, "/via", map[string]any{"via": "cash"}},
		{"unknown field", openapi.CodeValidationFailed, "/payer", map[string]any{"payer": "me"}},
		{"wrong amount", "amount_mismatch", "/amount", map[string]any{"amount": 14999}},
		{"paid_at in the future", "invalid_paid_at", "/paid_at", map[string]any{"paid_at": "2026-03-02T12:00:01Z"}},
		{"paid_at before registration", "invalid_paid_at", "/paid_at", map[string]any{"paid_at": "2026-03-02T11:59:59Z"}},
		{"pix on a plain boleto", "boleto_not_hybrid", "/via", map[string]any{"via": "pix"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectViolation(t, c.Post(path, tc.body), tc.code, tc.at)
		})
	}
	expectProblem(t, c.Post("/v1/sandbox/boletos/bol_0000000000000000/pay", nil), http.StatusNotFound, "resource_missing")
	apiInvalid(t, c.Post("/v1/sandbox/boletos/trf_0000000000000000/pay", nil), "path:id")
	if got := getBoleto(t, c, b.ID); got.Status != "registered" {
		t.Fatalf("refused payments changed it: %s", got.Status)
	}
	expectEvents(t, c, b.ID, "boleto.registered")
}

// A hybrid boleto paid with its Pix code settles at once, even on a Sunday.
func TestBoletoPayWithPix(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolpix")
	body := boletoBody(acc.ID, 4990, "2026-03-20")
	body["pix"] = true
	b := createBoleto(t, c, body)
	advanceTo(t, c, spTime(2026, 3, 8, 20, 0))
	before := balances(t, c, acc.ID)
	got := payBoleto(t, c, b.ID, map[string]any{"via": "pix", "amount": 4990})
	if got.Status != "settled" || *got.PaidVia != "pix" || *got.SettlesOn != "2026-03-08" || !got.SettledAt.Equal(spTime(2026, 3, 8, 20, 0)) {
		t.Fatalf("%+v", got)
	}
	line := statementLine(t, c, acc.ID, *got.TransactionID)
	if line.Type != "pix" || line.Status != "booked" || line.EndToEndID == nil || !strings.HasPrefix(*line.EndToEndID, "E99999999") || line.Source.ID != b.ID {
		t.Fatalf("line %+v", line)
	}
	if after := balances(t, c, acc.ID); after.Booked.Amount != before.Booked.Amount+4990 || after.Pending.Amount != before.Pending.Amount {
		t.Fatalf("balances %+v, were %+v", after, before)
	}
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.paid", "boleto.settled")
}

// Unpaid at the end of its due date (São Paulo), a boleto is overdue;
// days_to_write_off days later it is written off.
func TestBoletoOverdueAndWrittenOff(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "boloverdue")
	body := boletoBody(acc.ID, 15000, "2026-03-05")
	body["days_to_write_off"] = 10
	b := createBoleto(t, c, body)
	advanceTo(t, c, spTime(2026, 3, 5, 23, 59))
	if got := getBoleto(t, c, b.ID); got.Status != "registered" {
		t.Fatalf("on the due date: %s", got.Status)
	}
	clk := advanceTo(t, c, spTime(2026, 3, 6, 0, 0)) // 03:00 UTC
	if len(clk.Ran) != 1 || clk.Ran[0].Job != "boleto.overdue" || clk.Ran[0].ResourceID != b.ID {
		t.Fatalf("ran %+v", clk.Ran)
	}
	got := getBoleto(t, c, b.ID)
	if got.Status != "overdue" || !got.OverdueAt.Equal(spTime(2026, 3, 6, 0, 0)) || *got.AmountDue != 15000 {
		t.Fatalf("overdue %+v", got)
	}
	advanceTo(t, c, spTime(2026, 3, 15, 23, 59))
	if got := getBoleto(t, c, b.ID); got.Status != "overdue" {
		t.Fatalf("day 10: %s", got.Status)
	}
	advanceTo(t, c, spTime(2026, 3, 16, 0, 0))
	got = getBoleto(t, c, b.ID)
	if got.Status != "written_off" || !got.WrittenOffAt.Equal(spTime(2026, 3, 16, 0, 0)) || got.AmountDue != nil {
		t.Fatalf("written off %+v", got)
	}
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.overdue", "boleto.written_off")
	expectProblem(t, c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", nil), http.StatusBadRequest, "boleto_not_payable")
	expectProblem(t, c.Post("/v1/boletos/"+b.ID+"/cancel", nil), http.StatusBadRequest, "boleto_not_cancelable")
	var page listPage[boletoJSON]
	expectOK(t, c.Get("/v1/boletos?status=written_off"), &page)
	if len(page.Data) != 1 || page.Data[0].ID != b.ID {
		t.Fatalf("written_off list %+v", page.Data)
	}
}

func TestBoletoCancel(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolcancel")
	b := createBoleto(t, c, boletoBody(acc.ID, 100, "2026-03-20"))
	r := c.Post("/v1/boletos/"+b.ID+"/cancel", nil, "Idempotency-Key", "cancel-1")
	var got boletoJSON
	expectOK(t, r, &got)
	if got.Status != "canceled" || !got.CanceledAt.Equal(clockStart) || got.AmountDue != nil {
		t.Fatalf("%+v", got)
	}
	expectJournal(t, c, r, "cancelBoleto", b.ID, "")
	if replay := c.Post("/v1/boletos/"+b.ID+"/cancel", nil, "Idempotency-Key", "cancel-1"); replay.Status != http.StatusOK || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d", replay.Status)
	}
	expectProblem(t, c.Post("/v1/boletos/"+b.ID+"/cancel", nil), http.StatusBadRequest, "boleto_not_cancelable")
	expectProblem(t, c.Post("/v1/sandbox/boletos/"+b.ID+"/pay", nil), http.StatusBadRequest, "boleto_not_payable")
	expectEvents(t, c, b.ID, "boleto.registered", "boleto.canceled")
	// An overdue boleto can be canceled too; then nothing more happens.
	late := createBoleto(t, c, boletoBody(acc.ID, 100, "2026-03-02"))
	advance(t, c, "P1D")
	expectOK(t, c.Post("/v1/boletos/"+late.ID+"/cancel", nil), &got)
	if got.Status != "canceled" || got.OverdueAt == nil {
		t.Fatalf("%+v", got)
	}
	advance(t, c, "P90D")
	expectEvents(t, c, late.ID, "boleto.registered", "boleto.overdue", "boleto.canceled")
	expectProblem(t, c.Post("/v1/boletos/bol_0000000000000000/cancel", nil), http.StatusNotFound, "resource_missing")
}

// The magic payers: 000.000.003-53 never pays (overdue, then written off);
// 000.000.004-34 pays on the due date; 000.000.005-15 pays three days late.
func TestBoletoMagicPayers(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "bolmagic")
	magic := func(cpf string) boletoJSON {
		body := boletoBody(acc.ID, 10000, "2026-03-10")
		body["payer"] = map[string]any{"name": "Pagador Mágico", "tax_id": cpf}
		body["fine"] = map[string]any{"percentage": "2.00"}
		body["interest"] = map[string]any{"monthly_percentage": "3.00"}
		return createBoleto(t, c, body)
	}
	never, onTime, late := magic("000.000.003-53"), magic("00000000434"), magic("000.000.005-15")
	paidAnyway := magic("000.000.003-53")
	if got := payBoleto(t, c, paidAnyway.ID, nil); got.Status != "paid" {
		t.Fatalf("the sandbox cannot pay a never-paying payer's boleto: %s", got.Status)
	}
	advanceTo(t, c, spTime(2026, 3, 10, 17, 0))
	if got := getBoleto(t, c, onTime.ID); got.Status != "settled" || !got.PaidAt.Equal(spTime(2026, 3, 10, 10, 0)) || *got.PaidAmount != 10000 {
		t.Fatalf("on time %+v", got)
	}
	advanceTo(t, c, spTime(2026, 3, 16, 17, 0))
	if got := getBoleto(t, c, late.ID); got.Status != "settled" || !got.PaidAt.Equal(spTime(2026, 3, 13, 15, 0)) || *got.PaidAmount != 10230 || *got.SettlesOn != "2026-03-16" {
		t.Fatalf("late %+v", got)
	}
	expectEvents(t, c, late.ID, "boleto.registered", "boleto.overdue", "boleto.paid", "boleto.settled")
	if got := getBoleto(t, c, never.ID); got.Status != "overdue" {
		t.Fatalf("never: %s", got.Status)
	}
	advanceTo(t, c, spTime(2026, 5, 9, 23, 59))
	if got := getBoleto(t, c, never.ID); got.Status != "overdue" {
		t.Fatalf("never, day 60: %s", got.Status)
	}
	advanceTo(t, c, spTime(2026, 5, 10, 0, 0))
	if got := getBoleto(t, c, never.ID); got.Status != "written_off" || got.PaidAt != nil {
		t.Fatalf("never, after 60 days: %+v", got)
	}
	expectEvents(t, c, never.ID, "boleto.registered", "boleto.overdue", "boleto.written_off")
}

// Around 2025-02-22, when the fator de vencimento restarted at 1000: a
// tenant whose clock starts before it registers boletos on both sides.
func TestBoletoFactorAroundTheReset(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: bankSeed, ClockStart: time.Date(2025, 2, 20, 12, 0, 0, 0, time.UTC)})
	c, acc := boletoTenant(t, srv, "bolfactor")
	for due, factor := range map[string]string{"2025-02-20": "9998", "2025-02-21": "9999", "2025-02-22": "1000", "2025-02-24": "1002", "2025-06-01": "1099"} {
		b := createBoleto(t, c, boletoBody(acc.ID, 4321, due))
		if b.Barcode[5:9] != factor || !strings.HasSuffix(b.DigitableLine, factor+"0000004321") {
			t.Errorf("due %s: barcode %s, line %s; want factor %s", due, b.Barcode, b.DigitableLine, factor)
		}
		var found boletoJSON
		expectOK(t, c.Get("/v1/boletos/lookup?digitable_line="+url.QueryEscape(b.DigitableLine)), &found)
		if found.ID != b.ID {
			t.Errorf("lookup found %s", found.ID)
		}
	}
	// The boleto due on the last day of the old cycle goes overdue at its end.
	advanceTo(t, c, time.Date(2025, 2, 22, 3, 0, 0, 0, time.UTC))
	var page listPage[boletoJSON]
	expectOK(t, c.Get("/v1/boletos?status=overdue"), &page)
	if len(page.Data) != 2 {
		t.Fatalf("%d overdue, want 2 (due 02-20 and 02-21)", len(page.Data))
	}
}

// Every boleto the examples and the other tests make parses back; this
// one covers amounts and due dates at their edges.
func TestBoletoCodesAtTheEdges(t *testing.T) {
	srv := startBank(t)
	c, acc := boletoTenant(t, srv, "boledges")
	for _, tc := range []struct {
		amount int64
		due    string
	}{{1, "2026-03-02"}, {9_999_999_999, "2026-03-03"}, {123_456, "2036-02-27"}, {100, "2031-12-31"}} {
		b := createBoleto(t, c, boletoBody(acc.ID, tc.amount, tc.due))
		if b.Barcode[9:19] != fmt.Sprintf("%010d", tc.amount) {
			t.Errorf("amount %d: barcode %s", tc.amount, b.Barcode)
		}
	}
}
