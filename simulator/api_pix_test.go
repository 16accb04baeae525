package simulator_test

// Pix through the API: charges (cob, cobv) with their BR Codes, payments
// through the sandbox, expiry and the magic payer CPFs on the virtual
// clock, devoluções, lists, events and tenant isolation. Every response is
// validated against the contract by simtest; every test ends with the
// tenant's ledger invariants checked.

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// --- views ---------------------------------------------------------------------

type pixPersonJSON struct {
	CPF        string `json:"cpf"`
	CNPJ       string `json:"cnpj"`
	Nome       string `json:"nome"`
	Logradouro string `json:"logradouro"`
	Cidade     string `json:"cidade"`
	UF         string `json:"uf"`
	CEP        string `json:"cep"`
}

type pixRuleJSON struct {
	Modalidade int    `json:"modalidade"`
	ValorPerc  string `json:"valorPerc"`
}

type pixChargeJSON struct {
	Calendario struct {
		Criacao                time.Time `json:"criacao"`
		Expiracao              *int64    `json:"expiracao"`
		DataDeVencimento       string    `json:"dataDeVencimento"`
		ValidadeAposVencimento *int64    `json:"validadeAposVencimento"`
	} `json:"calendario"`
	TxID    string `json:"txid"`
	Revisao int    `json:"revisao"`
	Loc     struct {
		ID       int64     `json:"id"`
		Location string    `json:"location"`
		TipoCob  string    `json:"tipoCob"`
		Criacao  time.Time `json:"criacao"`
	} `json:"loc"`
	Location string         `json:"location"`
	Status   string         `json:"status"`
	Expirada bool           `json:"expirada"`
	Devedor  *pixPersonJSON `json:"devedor"`
	Valor    struct {
		Original            string       `json:"original"`
		ModalidadeAlteracao *int         `json:"modalidadeAlteracao"`
		Multa               *pixRuleJSON `json:"multa"`
		Juros               *pixRuleJSON `json:"juros"`
		Abatimento          *pixRuleJSON `json:"abatimento"`
	} `json:"valor"`
	Chave              string `json:"chave"`
	SolicitacaoPagador string `json:"solicitacaoPagador"`
	InfoAdicionais     []struct {
		Nome  string `json:"nome"`
		Valor string `json:"valor"`
	} `json:"infoAdicionais"`
	PixCopiaECola string        `json:"pixCopiaECola"`
	Pix           []pixRecvJSON `json:"pix"`
}

type pixDevolucaoJSON struct {
	ID        string `json:"id"`
	RtrID     string `json:"rtrId"`
	Valor     string `json:"valor"`
	Natureza  string `json:"natureza"`
	Descricao string `json:"descricao"`
	Horario   struct {
		Solicitacao time.Time  `json:"solicitacao"`
		Liquidacao  *time.Time `json:"liquidacao"`
	} `json:"horario"`
	Status string `json:"status"`
	Motivo string `json:"motivo"`
}

type pixAmountJSON struct {
	Valor string `json:"valor"`
}

type pixRecvJSON struct {
	EndToEndID       string `json:"endToEndId"`
	TxID             string `json:"txid"`
	Valor            string `json:"valor"`
	ComponentesValor *struct {
		Original   pixAmountJSON  `json:"original"`
		Multa      *pixAmountJSON `json:"multa"`
		Juros      *pixAmountJSON `json:"juros"`
		Abatimento *pixAmountJSON `json:"abatimento"`
		Desconto   *pixAmountJSON `json:"desconto"`
	} `json:"componentesValor"`
	Chave       string             `json:"chave"`
	Horario     time.Time          `json:"horario"`
	Pagador     pixPersonJSON      `json:"pagador"`
	InfoPagador string             `json:"infoPagador"`
	Devolucoes  []pixDevolucaoJSON `json:"devolucoes"`
}

// --- set-up and steps --------------------------------------------------------------

const (
	pixTxid     = "7978c0c97ea847e78e8849634473c1f1"
	pixPayerCPF = "12345678909"
	pixMagicPay = "00000000191"
	pixMagicBad = "00000000272"
)

// pixID is a txid made of a label, padded to 30 characters.
func pixID(label string) string { return (label + strings.Repeat("0", 30))[:30] }

var (
	pixReceivedE2E = regexp.MustCompile(`^E99999999[0-9]{12}[a-zA-Z0-9]{11}$`)
	pixReturnRtrID = regexp.MustCompile(`^D99999999[0-9]{12}[a-zA-Z0-9]{11}$`)
)

// pixTenant is a tenant with a fresh BRL account of Ana Beatriz Souza (São
// Paulo) and that account's random Pix key.
type pixTenant struct {
	srv     *simtest.Server
	c       *simtest.Client
	account accountJSON
	key     string
}

func newPixTenant(t *testing.T, srv *simtest.Server) *pixTenant {
	t.Helper()
	return newPixTenantWithKey(t, srv, simtest.NewKey("pix"))
}

func newPixTenantWithKey(t *testing.T, srv *simtest.Server, key string) *pixTenant {
	t.Helper()
	c := srv.Client(key)
	cust := createCustomer(t, c, individualBody("111.444.777-35"))
	advance(t, c, "30s") // KYC
	a := openAccount(t, c, map[string]any{"customer_id": cust.ID, "currency": "BRL"})
	p := &pixTenant{srv: srv, c: c, account: a, key: a.pixKey("evp")}
	if p.key == "" {
		t.Fatalf("account %s has no random Pix key", a.ID)
	}
	t.Cleanup(func() { verifyLedger(t, srv, c) })
	return p
}

func startPix(t *testing.T) *pixTenant {
	t.Helper()
	return newPixTenant(t, startBank(t))
}

// cobBody is a valid immediate charge to the tenant's key.
func (p *pixTenant) cobBody(valor string) map[string]any {
	return map[string]any{
		"calendario": map[string]any{"expiracao": 3600},
		"devedor":    map[string]any{"cpf": pixPayerCPF, "nome": "Francisco da Silva"},
		"valor":      map[string]any{"original": valor},
		"chave":      p.key,
	}
}

// cobvBody is a valid due-date charge to the tenant's key.
func (p *pixTenant) cobvBody(due, valor string) map[string]any {
	return map[string]any{
		"calendario": map[string]any{"dataDeVencimento": due},
		"devedor":    map[string]any{"cnpj": "12345678000195", "nome": "Empresa Exemplo Ltda", "cidade": "São Paulo", "uf": "SP", "cep": "01310200"},
		"valor":      map[string]any{"original": valor},
		"chave":      p.key,
	}
}

func (p *pixTenant) put(t *testing.T, kind, txid string, body any) pixChargeJSON {
	t.Helper()
	r := p.c.Do(http.MethodPut, "/v1/pix/"+kind+"/"+txid, body)
	var ch pixChargeJSON
	expectCreated(t, r, "", &ch)
	if loc := r.Header.Get("Location"); loc != "/v1/pix/"+kind+"/"+txid {
		t.Errorf("Location %q", loc)
	}
	decodesToItsLocation(t, ch)
	return ch
}

func (p *pixTenant) get(t *testing.T, kind, txid string) pixChargeJSON {
	t.Helper()
	var ch pixChargeJSON
	expectOK(t, p.c.Get("/v1/pix/"+kind+"/"+txid), &ch)
	decodesToItsLocation(t, ch)
	return ch
}

// decodesToItsLocation checks that a charge's BR Code decodes (its CRC
// matches) to a dynamic code pointing at the charge's location, with the
// amount of a cob and none for a cobv.
func decodesToItsLocation(t *testing.T, ch pixChargeJSON) {
	t.Helper()
	p, err := brcode.Decode(ch.PixCopiaECola)
	if err != nil {
		t.Fatalf("charge %s: pixCopiaECola %q: %v", ch.TxID, ch.PixCopiaECola, err)
	}
	amount := ch.Valor.Original
	if ch.Loc.TipoCob == "cobv" {
		amount = ""
	}
	if p.PointOfInitiation != "12" || p.URL != ch.Location || p.Amount != amount || p.TxID != "***" || p.Name == "" || p.City == "" {
		t.Fatalf("charge %s: pixCopiaECola decodes to %+v", ch.TxID, p)
	}
}

func (p *pixTenant) pay(t *testing.T, txid string, body any) pixRecvJSON {
	t.Helper()
	r := p.c.Post("/v1/sandbox/pix/cob/"+txid+"/pay", body)
	var px pixRecvJSON
	expectCreated(t, r, "", &px)
	if loc := r.Header.Get("Location"); loc != "/v1/pix/"+px.EndToEndID {
		t.Errorf("Location %q", loc)
	}
	return px
}

func payer(nome string) map[string]any {
	return map[string]any{"pagador": map[string]any{"cpf": pixPayerCPF, "nome": nome}}
}

// checkBRCode decodes a charge's pixCopiaECola (which checks its CRC) and
// compares it with the charge.
func checkBRCode(t *testing.T, ch pixChargeJSON, amount, name, city string) brcode.Payload {
	t.Helper()
	p, err := brcode.Decode(ch.PixCopiaECola)
	if err != nil {
		t.Fatalf("pixCopiaECola %q: %v", ch.PixCopiaECola, err)
	}
	want := brcode.Payload{
		PointOfInitiation: "12", URL: ch.Location, MerchantCategory: "0000", Currency: "986",
		Amount: amount, Country: "BR", Name: name, City: city, TxID: "***",
	}
	if p != want {
		t.Fatalf("pixCopiaECola decodes to\n%+v\nwant\n%+v", p, want)
	}
	if crc := fmt.Sprintf("%04X", brcode.CRC16(ch.PixCopiaECola[:len(ch.PixCopiaECola)-4])); !strings.HasSuffix(ch.PixCopiaECola, "6304"+crc) {
		t.Fatalf("CRC of %q is %s", ch.PixCopiaECola, crc)
	}
	return p
}

// pixEvents lists the tenant's Pix events, oldest first, as "type key"
// (the txid of a charge, the endToEndId of a Pix, the id of a devolução).
func pixEvents(t *testing.T, c *simtest.Client) []string {
	t.Helper()
	type event struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	all := walk[event](t, c, "/v1/events", "type=*", 100, nil)
	var out []string
	for i := len(all) - 1; i >= 0; i-- {
		e := all[i]
		switch {
		case strings.HasPrefix(e.Type, "pix_charge."):
			out = append(out, e.Type+" "+nullable(e.Data["txid"]))
		case strings.HasPrefix(e.Type, "pix."):
			out = append(out, e.Type+" "+nullable(e.Data["endToEndId"]))
		case strings.HasPrefix(e.Type, "pix_refund."):
			out = append(out, e.Type+" "+nullable(e.Data["id"]))
		}
	}
	return out
}

// pixLine is the statement line of the account with an end_to_end_id.
func pixLine(t *testing.T, c *simtest.Client, accountID, e2e string) transactionJSON {
	t.Helper()
	var found []transactionJSON
	for _, l := range transactions(t, c, accountID, "type=pix", 100) {
		if deref(l.EndToEndID) == e2e {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("account %s has %d pix lines with end_to_end_id %s", accountID, len(found), e2e)
	}
	return found[0]
}

// --- the example and isolation fixtures of the generic tests -------------------------

// pixExampleIDs makes the Pix request examples of the contract work for the
// examples' tenant (TestExamplesAreRealisticRequests): the example Pix key
// becomes the BRL account's random key, the charges the PATCH and pay
// examples name exist, and the example endToEndId is a real received Pix.
func pixExampleIDs(t *testing.T, c *simtest.Client, ids map[string]string) {
	t.Helper()
	var a accountJSON
	expectOK(t, c.Get("/v1/accounts/"+ids["acc_2Hc9LpQ7xW3mZr8K"]), &a)
	key := a.pixKey("evp")
	ids["3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18"] = key
	cob := func(txid string) {
		c.Do(http.MethodPut, "/v1/pix/cob/"+txid, map[string]any{"valor": map[string]any{"original": "123.45"}, "chave": key}).Expect(t, http.StatusCreated)
	}
	cob("fc9a4366ff3d4964b5dbc6c91a8722d3")                                               // updatePixCob
	cob("2b7e5f0c9d8a4e1f3c6b7a8d9e0f1a2c")                                               // payPixCob
	c.Do(http.MethodPut, "/v1/pix/cobv/9b1c6d2e8f3a4b5c7d9e0f1a2b3c4d5e", map[string]any{ // updatePixCobv
		"calendario": map[string]any{"dataDeVencimento": "2026-03-31"},
		"devedor":    map[string]any{"cnpj": "12345678000195", "nome": "Empresa Exemplo Ltda"},
		"valor":      map[string]any{"original": "500.00"}, "chave": key,
	}).Expect(t, http.StatusCreated)
	cob("examplesPaidCharge000000000001")
	px := c.Post("/v1/sandbox/pix/cob/examplesPaidCharge000000000001/pay", payer("Francisco da Silva")).Expect(t, http.StatusCreated).JSON()
	ids["E99999999202603021205Ab12Cd34Ef5"] = px["endToEndId"].(string) // getPix, putPixDevolucao
}

// apiPixTenantA gives tenant A of the isolation tests a resource of each Pix
// kind: a paid cob with a devolução, and a cobv.
func apiPixTenantA(t *testing.T, c *simtest.Client, accountID string, byKind map[string]string) {
	t.Helper()
	var a accountJSON
	expectOK(t, c.Get("/v1/accounts/"+accountID), &a)
	p := &pixTenant{c: c, account: a, key: a.pixKey("evp")}
	cob, cobv := "isolationTenantACob00000001", "isolationTenantACobv0000001"
	p.put(t, "cob", cob, p.cobBody("25.00"))
	p.put(t, "cobv", cobv, p.cobvBody("2026-03-31", "40.00"))
	px := p.pay(t, cob, payer("Maria Silva"))
	r := c.Do(http.MethodPut, "/v1/pix/"+px.EndToEndID+"/devolucao/isoA1", map[string]any{"valor": "1.00"})
	expectCreated(t, r, "", nil)
	byKind["cob.txid"], byKind["cobv.txid"], byKind["pix.e2eid"], byKind["devolucao.id"] = cob, cobv, px.EndToEndID, "isoA1"
}

// --- immediate charges ----------------------------------------------------------------

func TestPixCobPutAndGet(t *testing.T) {
	p := startPix(t)
	body := p.cobBody("123.45")
	body["solicitacaoPagador"] = "Pedido 2291"
	body["infoAdicionais"] = []map[string]any{{"nome": "Pedido", "valor": "2291"}}
	r := p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, body)
	var ch pixChargeJSON
	expectCreated(t, r, "", &ch)
	clk := now(t, p.c)
	if ch.TxID != pixTxid || ch.Revisao != 0 || ch.Status != "ATIVA" || ch.Expirada || !ch.Calendario.Criacao.Equal(clk) ||
		ch.Calendario.Expiracao == nil || *ch.Calendario.Expiracao != 3600 || ch.Calendario.DataDeVencimento != "" {
		t.Fatalf("charge %s", r.Body)
	}
	if ch.Valor.Original != "123.45" || ch.Valor.ModalidadeAlteracao == nil || *ch.Valor.ModalidadeAlteracao != 0 || ch.Chave != p.key ||
		ch.Devedor == nil || ch.Devedor.CPF != pixPayerCPF || ch.Devedor.Nome != "Francisco da Silva" ||
		ch.SolicitacaoPagador != "Pedido 2291" || len(ch.InfoAdicionais) != 1 || ch.Pix == nil || len(ch.Pix) != 0 {
		t.Fatalf("charge %s", r.Body)
	}
	if ch.Loc.TipoCob != "cob" || ch.Loc.Location != ch.Location || !ch.Loc.Criacao.Equal(clk) || ch.Loc.ID < 1 ||
		!regexp.MustCompile(`^pix\.sandbank\.dev/qr/v2/[0-9a-f]{32}$`).MatchString(ch.Location) {
		t.Fatalf("loc %+v location %q", ch.Loc, ch.Location)
	}
	checkBRCode(t, ch, "123.45", "Ana Beatriz Souza", "Sao Paulo")
	// Absent members are left out (the Banco Central's convention), never null.
	if strings.Contains(string(r.Body), "null") {
		t.Errorf("a charge renders null: %s", r.Body)
	}
	g := p.c.Get("/v1/pix/cob/" + pixTxid)
	expectOK(t, g, nil)
	if string(g.Body) != string(r.Body) {
		t.Fatalf("GET differs from the PUT:\n%s\n%s", g.Body, r.Body)
	}
	expectJournal(t, p.c, r, "putPixCob", pixTxid, "")
	// A charge without devedor and calendario takes the defaults.
	plain := p.put(t, "cob", pixTxid+"x", map[string]any{"valor": map[string]any{"original": "1.00"}, "chave": strings.ToUpper(p.key)})
	if *plain.Calendario.Expiracao != 86400 || plain.Devedor != nil || plain.Chave != p.key || plain.Loc.ID != ch.Loc.ID+1 {
		t.Fatalf("defaults: %+v", plain)
	}
	// Not found: a well-formed txid nobody used, and a cob's txid as a cobv.
	expectProblem(t, p.c.Get("/v1/pix/cob/"+strings.Repeat("a", 26)), http.StatusNotFound, "resource_missing")
	expectProblem(t, p.c.Get("/v1/pix/cobv/"+pixTxid), http.StatusNotFound, "resource_missing")
}

func TestPixCobPutIsIdempotentByTxid(t *testing.T) {
	p := startPix(t)
	first := p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, p.cobBody("10.00"))
	expectCreated(t, first, "", nil)
	// The same request — in another key order, with its defaults spelled
	// out — returns the charge as it is, with 200.
	same := `{"chave":"` + p.key + `","valor":{"modalidadeAlteracao":0,"original":"10.00"},` +
		`"devedor":{"nome":"Francisco da Silva","cpf":"` + pixPayerCPF + `"},"calendario":{"expiracao":3600}}`
	again := p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, same)
	expectOK(t, again, nil)
	if string(again.Body) != string(first.Body) {
		t.Fatalf("repeat:\n%s\nfirst:\n%s", again.Body, first.Body)
	}
	expectJournal(t, p.c, again, "putPixCob", pixTxid, "")
	// Another request under the txid is a conflict naming what differs.
	other := p.cobBody("10.00")
	other["valor"] = map[string]any{"original": "10.01"}
	other["solicitacaoPagador"] = "outro pedido"
	pr := expectProblem(t, p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, other), http.StatusConflict, "pix_txid_conflict")
	if got := pr.Fields(); !slices.Equal(got, []string{"/valor", "/solicitacaoPagador"}) {
		t.Fatalf("conflict names %v", got)
	}
	// The txid of a cob cannot become a cobv.
	expectProblem(t, p.c.Do(http.MethodPut, "/v1/pix/cobv/"+pixTxid, p.cobvBody("2026-03-31", "10.00")), http.StatusConflict, "pix_txid_conflict")
	// After a revision, repeating the creating request still reads the charge.
	expectOK(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"solicitacaoPagador": "revisada"}), nil)
	var ch pixChargeJSON
	expectOK(t, p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, p.cobBody("10.00")), &ch)
	if ch.Revisao != 1 || ch.SolicitacaoPagador != "revisada" {
		t.Fatalf("repeat after a revision: %+v", ch)
	}
	var page listPage[pixChargeJSON]
	expectOK(t, p.c.Get("/v1/pix/cob"), &page)
	if len(page.Data) != 1 {
		t.Fatalf("%d charges after repeated PUTs", len(page.Data))
	}
	if got := pixEvents(t, p.c); !slices.Equal(got, []string{"pix_charge.created " + pixTxid, "pix_charge.updated " + pixTxid}) {
		t.Fatalf("events %v", got)
	}
}

func TestPixTxidFormat(t *testing.T) {
	p := startPix(t)
	for _, txid := range []string{strings.Repeat("a", 25), strings.Repeat("a", 36), "7978c0c9-7ea8-47e7-8e88-49634473c1f1", "7978c0c97ea847e78e8849634473c1f_"} {
		expectViolation(t, p.c.Do(http.MethodPut, "/v1/pix/cob/"+txid, p.cobBody("1.00")), "validation_failed", "path:txid")
		expectViolation(t, p.c.Get("/v1/pix/cobv/"+txid), "validation_failed", "path:txid")
		expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+txid+"/pay", payer("F")), "validation_failed", "path:txid")
	}
	for _, txid := range []string{strings.Repeat("a", 26), strings.Repeat("Z9", 17) + "x"} {
		p.put(t, "cob", txid, p.cobBody("1.00"))
	}
}

func TestPixCobBadInput(t *testing.T) {
	p := startPix(t)
	other := newPixTenant(t, p.srv) // a key of another tenant's account
	long := strings.Repeat("x", 141)
	for _, c := range []struct {
		name   string
		change func(map[string]any)
		code   string
		at     string
	}{
		{"no valor", func(b map[string]any) { delete(b, "valor") }, "validation_failed", "/valor"},
		{"three decimals", func(b map[string]any) { b["valor"] = map[string]any{"original": "1.005"} }, "validation_failed", "/valor/original"},
		{"no decimals", func(b map[string]any) { b["valor"] = map[string]any{"original": "10"} }, "validation_failed", "/valor/original"},
		{"a number", func(b map[string]any) { b["valor"] = map[string]any{"original": 10.5} }, "validation_failed", "/valor/original"},
		{"zero", func(b map[string]any) { b["valor"] = map[string]any{"original": "0.00"} }, "invalid_amount", "/valor/original"},
		{"modalidadeAlteracao", func(b map[string]any) { b["valor"] = map[string]any{"original": "1.00", "modalidadeAlteracao": 2} }, "validation_failed", "/valor/modalidadeAlteracao"},
		{"multa on a cob", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "1.00", "multa": map[string]any{"modalidade": 1, "valorPerc": "1.00"}}
		}, "validation_failed", "/valor/multa"},
		{"no chave", func(b map[string]any) { delete(b, "chave") }, "validation_failed", "/chave"},
		{"not a key", func(b map[string]any) { b["chave"] = "not a key" }, "invalid_pix_key", "/chave"},
		{"an unknown key", func(b map[string]any) { b["chave"] = "alguem@example.org" }, "pix_key_not_found", "/chave"},
		{"another tenant's key", func(b map[string]any) { b["chave"] = other.key }, "pix_key_not_found", "/chave"},
		{"bad cpf", func(b map[string]any) { b["devedor"] = map[string]any{"cpf": "12345678900", "nome": "F"} }, "invalid_tax_id", "/devedor/cpf"},
		{"formatted cpf", func(b map[string]any) { b["devedor"] = map[string]any{"cpf": "123.456.789-09", "nome": "F"} }, "validation_failed", "/devedor/cpf"},
		{"bad cnpj", func(b map[string]any) { b["devedor"] = map[string]any{"cnpj": "12345678000196", "nome": "F"} }, "invalid_tax_id", "/devedor/cnpj"},
		{"cpf and cnpj", func(b map[string]any) {
			b["devedor"] = map[string]any{"cpf": pixPayerCPF, "cnpj": "12345678000195", "nome": "F"}
		}, "invalid_tax_id", "/devedor/cnpj"},
		{"no tax id", func(b map[string]any) { b["devedor"] = map[string]any{"nome": "F"} }, "invalid_tax_id", "/devedor/cpf"},
		{"no nome", func(b map[string]any) { b["devedor"] = map[string]any{"cpf": pixPayerCPF} }, "validation_failed", "/devedor/nome"},
		{"an address on a cob", func(b map[string]any) {
			b["devedor"] = map[string]any{"cpf": pixPayerCPF, "nome": "F", "cidade": "Recife"}
		}, "validation_failed", "/devedor/cidade"},
		{"expiracao 0", func(b map[string]any) { b["calendario"] = map[string]any{"expiracao": 0} }, "validation_failed", "/calendario/expiracao"},
		{"a due date on a cob", func(b map[string]any) { b["calendario"] = map[string]any{"dataDeVencimento": "2026-03-31"} }, "validation_failed", "/calendario/dataDeVencimento"},
		{"long solicitacaoPagador", func(b map[string]any) { b["solicitacaoPagador"] = long }, "validation_failed", "/solicitacaoPagador"},
		{"infoAdicionais without valor", func(b map[string]any) { b["infoAdicionais"] = []map[string]any{{"nome": "Pedido"}} }, "validation_failed", "/infoAdicionais/0/valor"},
		{"an unknown member", func(b map[string]any) { b["status"] = "ATIVA" }, "validation_failed", "/status"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := p.cobBody("1.00")
			c.change(body)
			expectViolation(t, p.c.Do(http.MethodPut, "/v1/pix/cob/"+pixTxid, body), c.code, c.at)
			expectViolation(t, p.c.Post("/v1/pix/cob", body), c.code, c.at)
		})
	}
	// Nothing was created, and nothing happened.
	var page listPage[pixChargeJSON]
	expectOK(t, p.c.Get("/v1/pix/cob"), &page)
	if len(page.Data) != 0 || len(pixEvents(t, p.c)) != 0 {
		t.Fatalf("invalid requests left %d charges, events %v", len(page.Data), pixEvents(t, p.c))
	}
}

func TestPixCobPostDrawsTheTxid(t *testing.T) {
	p := startPix(t)
	r := p.c.Post("/v1/pix/cob", p.cobBody("5.00"), "Idempotency-Key", "cob-1")
	var ch pixChargeJSON
	expectCreated(t, r, "", &ch)
	if !regexp.MustCompile(`^[a-zA-Z0-9]{35}$`).MatchString(ch.TxID) || r.Header.Get("Location") != "/v1/pix/cob/"+ch.TxID {
		t.Fatalf("txid %q, Location %q", ch.TxID, r.Header.Get("Location"))
	}
	checkBRCode(t, ch, "5.00", "Ana Beatriz Souza", "Sao Paulo")
	// A retry with the key replays; a new POST is a new charge.
	replay := p.c.Post("/v1/pix/cob", p.cobBody("5.00"), "Idempotency-Key", "cob-1")
	if replay.Status != http.StatusCreated || replay.Header.Get("Idempotent-Replayed") != "true" || string(replay.Body) != string(r.Body) {
		t.Fatalf("replay %d %s", replay.Status, replay.Body)
	}
	var second pixChargeJSON
	expectCreated(t, p.c.Post("/v1/pix/cob", p.cobBody("5.00")), "", &second)
	if second.TxID == ch.TxID {
		t.Fatal("two POSTs, one txid")
	}
	expectJournal(t, p.c, r, "createPixCob", ch.TxID, "")
	// The same key on another server with the same seed, sending the same
	// requests, draws the same txid.
	q := newPixTenantWithKey(t, startBank(t), p.c.Key)
	var replica pixChargeJSON
	expectCreated(t, q.c.Post("/v1/pix/cob", q.cobBody("5.00")), "", &replica)
	if replica.TxID != ch.TxID || replica.Location != ch.Location {
		t.Fatalf("same seed, key and requests: txids %s and %s", ch.TxID, replica.TxID)
	}
}

func TestPixCobPatch(t *testing.T) {
	p := startPix(t)
	ch := p.put(t, "cob", pixTxid, p.cobBody("10.00"))
	var rev pixChargeJSON
	r := p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"valor": map[string]any{"original": "12.50"}, "solicitacaoPagador": "com frete"})
	expectOK(t, r, &rev)
	if rev.Revisao != 1 || rev.Valor.Original != "12.50" || rev.SolicitacaoPagador != "com frete" || rev.Location != ch.Location || rev.Status != "ATIVA" {
		t.Fatalf("revision %s", r.Body)
	}
	checkBRCode(t, rev, "12.50", "Ana Beatriz Souza", "Sao Paulo")
	expectJournal(t, p.c, r, "updatePixCob", pixTxid, "")
	rev = pixChargeJSON{}
	expectOK(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"devedor": map[string]any{"cnpj": "12345678000195", "nome": "Empresa"}}), &rev)
	if rev.Revisao != 2 || rev.Devedor.CNPJ != "12345678000195" || rev.Devedor.CPF != "" {
		t.Fatalf("devedor revision %+v", rev)
	}
	// Bad revisions change nothing.
	expectViolation(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{}), "validation_failed", "")
	expectViolation(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"status": "CONCLUIDA"}), "validation_failed", "/status")
	expectViolation(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"chave": "ninguem@example.org"}), "pix_key_not_found", "/chave")
	expectViolation(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"valor": map[string]any{"original": "1.001"}}), "validation_failed", "/valor/original")
	expectViolation(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"calendario": map[string]any{"expiracao": 5}}), "validation_failed", "/calendario")
	expectProblem(t, p.c.Patch("/v1/pix/cob/"+strings.Repeat("b", 30), map[string]any{"solicitacaoPagador": "x"}), http.StatusNotFound, "resource_missing")
	if got := p.get(t, "cob", pixTxid); got.Revisao != 2 {
		t.Fatalf("revisao %d after failed revisions", got.Revisao)
	}
	// Removal, after which nothing changes and nothing can be paid.
	r = p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"})
	expectOK(t, r, &rev)
	if rev.Status != "REMOVIDA_PELO_USUARIO_RECEBEDOR" || rev.Revisao != 3 || rev.Expirada {
		t.Fatalf("removal %s", r.Body)
	}
	expectProblem(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"solicitacaoPagador": "x"}), http.StatusBadRequest, "pix_charge_not_active")
	expectProblem(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", payer("F")), http.StatusBadRequest, "pix_charge_removed")
	advance(t, p.c, "48h") // a removed charge does not expire
	if got := p.get(t, "cob", pixTxid); got.Expirada || got.Status != "REMOVIDA_PELO_USUARIO_RECEBEDOR" {
		t.Fatalf("removed charge after 48 h: %+v", got)
	}
	want := []string{"pix_charge.created", "pix_charge.updated", "pix_charge.updated", "pix_charge.removed"}
	for i := range want {
		want[i] += " " + pixTxid
	}
	if got := pixEvents(t, p.c); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// --- payments -----------------------------------------------------------------------

func TestPixPayCreditsTheAccount(t *testing.T) {
	p := startPix(t)
	p.put(t, "cob", pixTxid, p.cobBody("123.45"))
	before := balances(t, p.c, p.account.ID)
	// Bad payments change nothing.
	expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", map[string]any{"valor": "100.00", "pagador": map[string]any{"cpf": pixPayerCPF, "nome": "F"}}), "pix_amount_mismatch", "/valor")
	expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", map[string]any{"valor": "123.450", "pagador": map[string]any{"cpf": pixPayerCPF, "nome": "F"}}), "validation_failed", "/valor")
	expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", map[string]any{"pagador": map[string]any{"cpf": "11111111111", "nome": "F"}}), "invalid_tax_id", "/pagador/cpf")
	expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", map[string]any{}), "validation_failed", "/pagador")
	expectProblem(t, p.c.Post("/v1/sandbox/pix/cob/"+strings.Repeat("c", 26)+"/pay", payer("F")), http.StatusNotFound, "resource_missing")

	r := p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", map[string]any{
		"valor": "123.45", "pagador": map[string]any{"cpf": pixPayerCPF, "nome": "Francisco da Silva"}, "infoPagador": "Obrigado!",
	})
	var px pixRecvJSON
	expectCreated(t, r, "", &px)
	clk := now(t, p.c)
	if !pixReceivedE2E.MatchString(px.EndToEndID) || px.EndToEndID[9:21] != clk.UTC().Format("200601021504") {
		t.Fatalf("endToEndId %q at %s", px.EndToEndID, clk)
	}
	if px.TxID != pixTxid || px.Valor != "123.45" || px.Chave != p.key || !px.Horario.Equal(clk) || px.Pagador.CPF != pixPayerCPF ||
		px.Pagador.Nome != "Francisco da Silva" || px.InfoPagador != "Obrigado!" || px.Devolucoes == nil || px.ComponentesValor != nil {
		t.Fatalf("pix %s", r.Body)
	}
	expectJournal(t, p.c, r, "payPixCob", px.EndToEndID, "")
	// The charge is CONCLUIDA and carries the Pix.
	ch := p.get(t, "cob", pixTxid)
	if ch.Status != "CONCLUIDA" || len(ch.Pix) != 1 || ch.Pix[0].EndToEndID != px.EndToEndID || ch.Expirada {
		t.Fatalf("charge after payment: %+v", ch)
	}
	// The receiving account has a booked credit line and the money.
	line := pixLine(t, p.c, p.account.ID, px.EndToEndID)
	if line.Amount != 12345 || line.CreditDebit != "credit" || line.Status != "booked" || line.Type != "pix" || line.Currency != "BRL" ||
		line.Counterparty == nil || line.Counterparty.Name != "Francisco da Silva" || deref(line.Counterparty.TaxID) != pixPayerCPF ||
		line.Source == nil || line.Source.Type != "pix" || line.Source.ID != px.EndToEndID || derefInt(line.RunningBalance) != before.Booked.Amount+12345 {
		t.Fatalf("statement line %+v", line)
	}
	after := balances(t, p.c, p.account.ID)
	if after.Booked.Amount != before.Booked.Amount+12345 || after.Available.Amount != before.Available.Amount+12345 {
		t.Fatalf("balances %+v → %+v", before, after)
	}
	var got pixRecvJSON
	expectOK(t, p.c.Get("/v1/pix/"+px.EndToEndID), &got)
	if got.EndToEndID != px.EndToEndID || got.Valor != "123.45" {
		t.Fatalf("GET pix %+v", got)
	}
	expectProblem(t, p.c.Get("/v1/pix/E99999999202603021200aaaaaaaaaaa"), http.StatusNotFound, "resource_missing")
	expectViolation(t, p.c.Get("/v1/pix/X99999999202603021200aaaaaaaaaaa"), "validation_failed", "path:e2eid")
	// Paid once only.
	expectProblem(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", payer("F")), http.StatusBadRequest, "pix_charge_already_paid")
	if got := pixEvents(t, p.c); !slices.Equal(got, []string{"pix_charge.created " + pixTxid, "pix.received " + px.EndToEndID, "pix_charge.completed " + pixTxid}) {
		t.Fatalf("events %v", got)
	}
}

func TestPixPayerMayChangeTheAmount(t *testing.T) {
	p := startPix(t)
	body := p.cobBody("10.00")
	body["valor"] = map[string]any{"original": "10.00", "modalidadeAlteracao": 1}
	p.put(t, "cob", pixTxid, body)
	px := p.pay(t, pixTxid, map[string]any{"valor": "25.00", "pagador": map[string]any{"cnpj": "12345678000195", "nome": "Empresa"}})
	if px.Valor != "25.00" || px.Pagador.CNPJ != "12345678000195" {
		t.Fatalf("pix %+v", px)
	}
	if line := pixLine(t, p.c, p.account.ID, px.EndToEndID); line.Amount != 2500 {
		t.Fatalf("credited %d", line.Amount)
	}
}

func TestPixExpiryOnTheClock(t *testing.T) {
	p := startPix(t)
	body := p.cobBody("9.99")
	body["calendario"] = map[string]any{"expiracao": 60}
	ch := p.put(t, "cob", pixTxid, body)
	advance(t, p.c, "59s")
	if got := p.get(t, "cob", pixTxid); got.Expirada {
		t.Fatal("expired after 59 s")
	}
	clk := advance(t, p.c, "1s")
	if !slices.ContainsFunc(clk.Ran, func(r ranJSON) bool {
		return r.Job == "pix_charge.expire" && r.ResourceID == pixTxid && r.At.Equal(ch.Calendario.Criacao.Add(time.Minute))
	}) {
		t.Fatalf("the advance ran %+v", clk.Ran)
	}
	got := p.get(t, "cob", pixTxid)
	if !got.Expirada || got.Status != "ATIVA" {
		t.Fatalf("after 60 s: expirada %v status %s", got.Expirada, got.Status)
	}
	expectProblem(t, p.c.Post("/v1/sandbox/pix/cob/"+pixTxid+"/pay", payer("F")), http.StatusBadRequest, "pix_charge_expired")
	// An expired charge can still be removed.
	var rev pixChargeJSON
	expectOK(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}), &rev)
	if rev.Expirada {
		t.Fatal("a removed charge is expirada")
	}
	if got := pixEvents(t, p.c); !slices.Equal(got, []string{"pix_charge.created " + pixTxid, "pix_charge.expired " + pixTxid, "pix_charge.removed " + pixTxid}) {
		t.Fatalf("events %v", got)
	}
}

func TestPixMagicPayerCPFs(t *testing.T) {
	p := startPix(t)
	pays, late := p.cobBody("7.00"), p.cobBody("8.00")
	pays["devedor"] = map[string]any{"cpf": pixMagicPay, "nome": "Paga Sozinho"}
	late["devedor"] = map[string]any{"cpf": pixMagicBad, "nome": "Paga Tarde"}
	late["calendario"] = map[string]any{"expiracao": 10}
	a := p.put(t, "cob", pixID("magicPays"), pays)
	b := p.put(t, "cob", pixID("magicLate"), late)

	advance(t, p.c, "4s")
	if got := p.get(t, "cob", a.TxID); got.Status != "ATIVA" {
		t.Fatalf("paid before 5 s: %s", got.Status)
	}
	advance(t, p.c, "1s")
	got := p.get(t, "cob", a.TxID)
	if got.Status != "CONCLUIDA" || len(got.Pix) != 1 || got.Pix[0].Valor != "7.00" || got.Pix[0].Pagador.CPF != pixMagicPay ||
		!got.Pix[0].Horario.Equal(a.Calendario.Criacao.Add(5*time.Second)) {
		t.Fatalf("the magic payer did not pay: %+v", got)
	}
	if line := pixLine(t, p.c, p.account.ID, got.Pix[0].EndToEndID); line.Amount != 700 || line.Status != "booked" {
		t.Fatalf("line %+v", line)
	}
	// The late payer tries 5 s after expiry, and is rejected.
	advance(t, p.c, "5s") // 10 s: b expires
	if g := p.get(t, "cob", b.TxID); !g.Expirada || g.Status != "ATIVA" {
		t.Fatalf("b at 10 s: %+v", g)
	}
	advance(t, p.c, "10s")
	if g := p.get(t, "cob", b.TxID); !g.Expirada || g.Status != "ATIVA" || len(g.Pix) != 0 {
		t.Fatalf("b after its payer's attempt: %+v", g)
	}
	var page listPage[pixRecvJSON]
	expectOK(t, p.c.Get("/v1/pix?txid="+b.TxID), &page)
	if len(page.Data) != 0 {
		t.Fatalf("b received %d Pix", len(page.Data))
	}
	want := []string{
		"pix_charge.created " + a.TxID, "pix_charge.created " + b.TxID,
		"pix.received " + got.Pix[0].EndToEndID, "pix_charge.completed " + a.TxID,
		"pix_charge.expired " + b.TxID, "pix_charge.payment_rejected " + b.TxID,
	}
	if got := pixEvents(t, p.c); !slices.Equal(got, want) {
		t.Fatalf("events\n%v\nwant\n%v", got, want)
	}
}

// --- due-date charges ---------------------------------------------------------------

func TestPixCobv(t *testing.T) {
	p := startPix(t) // 2026-03-02 09:00 in Brasília
	body := p.cobvBody("2026-03-10", "500.00")
	body["valor"] = map[string]any{
		"original":   "500.00",
		"multa":      map[string]any{"modalidade": 2, "valorPerc": "2.00"},  // R$ 10,00
		"juros":      map[string]any{"modalidade": 1, "valorPerc": "0.50"},  // R$ 0,50 a day
		"abatimento": map[string]any{"modalidade": 1, "valorPerc": "20.00"}, // always
		"desconto": map[string]any{"modalidade": 1, "descontoDataFixa": []map[string]any{
			{"data": "2026-03-05", "valorPerc": "30.00"}, {"data": "2026-03-08", "valorPerc": "15.00"},
		}},
	}
	body["solicitacaoPagador"] = "Fatura 2026-03"
	early := p.put(t, "cobv", pixID("cobvEarly"), body)
	if early.Calendario.DataDeVencimento != "2026-03-10" || early.Calendario.ValidadeAposVencimento == nil || *early.Calendario.ValidadeAposVencimento != 30 ||
		early.Calendario.Expiracao != nil || early.Valor.ModalidadeAlteracao != nil || early.Loc.TipoCob != "cobv" ||
		early.Valor.Multa == nil || *early.Valor.Multa != (pixRuleJSON{2, "2.00"}) || early.Devedor == nil || early.Devedor.UF != "SP" {
		t.Fatalf("cobv %+v", early)
	}
	checkBRCode(t, early, "", "Ana Beatriz Souza", "Sao Paulo") // no amount: it depends on the day
	lateBody := p.cobvBody("2026-03-10", "500.00")
	lateBody["valor"] = body["valor"]
	late := p.put(t, "cobv", pixID("cobvLate"), lateBody)

	// Paid today: the first discount applies.
	px := p.pay(t, early.TxID, payer("Empresa"))
	if px.Valor != "450.00" || px.ComponentesValor == nil || px.ComponentesValor.Original.Valor != "500.00" ||
		px.ComponentesValor.Abatimento == nil || px.ComponentesValor.Abatimento.Valor != "20.00" ||
		px.ComponentesValor.Desconto == nil || px.ComponentesValor.Desconto.Valor != "30.00" || px.ComponentesValor.Multa != nil {
		t.Fatalf("paid early: %+v", px)
	}
	// Paid two days late: multa and two days of juros.
	advanceTo(t, p.c, time.Date(2026, 3, 12, 15, 0, 0, 0, time.UTC))
	expectViolation(t, p.c.Post("/v1/sandbox/pix/cob/"+late.TxID+"/pay", map[string]any{"valor": "480.00", "pagador": map[string]any{"cpf": pixPayerCPF, "nome": "F"}}), "pix_amount_mismatch", "/valor")
	px = p.pay(t, late.TxID, map[string]any{"valor": "491.00", "pagador": map[string]any{"cpf": pixPayerCPF, "nome": "F"}})
	if c := px.ComponentesValor; c == nil || c.Multa == nil || c.Multa.Valor != "10.00" || c.Juros == nil || c.Juros.Valor != "1.00" || c.Desconto != nil {
		t.Fatalf("paid late: %+v", px.ComponentesValor)
	}
	if line := pixLine(t, p.c, p.account.ID, px.EndToEndID); line.Amount != 49100 {
		t.Fatalf("credited %d", line.Amount)
	}
	if g := p.get(t, "cobv", late.TxID); g.Status != "CONCLUIDA" || len(g.Pix) != 1 {
		t.Fatalf("late cobv %+v", g)
	}
}

func TestPixCobvValidity(t *testing.T) {
	p := startPix(t)
	body := p.cobvBody("2026-03-03", "10.00")
	body["calendario"] = map[string]any{"dataDeVencimento": "2026-03-03", "validadeAposVencimento": 1}
	ch := p.put(t, "cobv", pixTxid, body)
	// Payable until the end of 2026-03-04 in Brasília: 03:00 UTC on the 5th.
	advanceTo(t, p.c, time.Date(2026, 3, 5, 2, 59, 59, 0, time.UTC))
	if g := p.get(t, "cobv", ch.TxID); g.Expirada {
		t.Fatal("expired within its validity")
	}
	advance(t, p.c, "1s")
	if g := p.get(t, "cobv", ch.TxID); !g.Expirada || g.Status != "ATIVA" {
		t.Fatalf("after its validity: %+v", g)
	}
	expectProblem(t, p.c.Post("/v1/sandbox/pix/cob/"+ch.TxID+"/pay", payer("F")), http.StatusBadRequest, "pix_charge_expired")
}

func TestPixCobvBadInputAndPatch(t *testing.T) {
	p := startPix(t)
	for _, c := range []struct {
		name   string
		change func(map[string]any)
		code   string
		at     string
	}{
		{"no devedor", func(b map[string]any) { delete(b, "devedor") }, "validation_failed", "/devedor"},
		{"no due date", func(b map[string]any) { b["calendario"] = map[string]any{} }, "validation_failed", "/calendario/dataDeVencimento"},
		{"a past due date", func(b map[string]any) { b["calendario"] = map[string]any{"dataDeVencimento": "2026-03-01"} }, "invalid_calendario", "/calendario/dataDeVencimento"},
		{"not a date", func(b map[string]any) { b["calendario"] = map[string]any{"dataDeVencimento": "2026-02-30"} }, "invalid_calendario", "/calendario/dataDeVencimento"},
		{"expiracao on a cobv", func(b map[string]any) {
			b["calendario"] = map[string]any{"dataDeVencimento": "2026-03-10", "expiracao": 60}
		}, "validation_failed", "/calendario/expiracao"},
		{"negative validity", func(b map[string]any) {
			b["calendario"] = map[string]any{"dataDeVencimento": "2026-03-10", "validadeAposVencimento": -1}
		}, "validation_failed", "/calendario/validadeAposVencimento"},
		{"juros modalidade 4", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "10.00", "juros": map[string]any{"modalidade": 4, "valorPerc": "1.00"}}
		}, "validation_failed", "/valor/juros/modalidade"},
		{"percentage over 100", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "10.00", "multa": map[string]any{"modalidade": 2, "valorPerc": "150.00"}}
		}, "invalid_valor", "/valor/multa/valorPerc"},
		{"a discount after the due date", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "10.00", "desconto": map[string]any{"modalidade": 1,
				"descontoDataFixa": []map[string]any{{"data": "2026-03-20", "valorPerc": "1.00"}}}}
		}, "invalid_valor", "/valor/desconto/descontoDataFixa/0/data"},
		{"nothing left to pay", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "10.00", "abatimento": map[string]any{"modalidade": 2, "valorPerc": "100.00"}}
		}, "invalid_valor", "/valor"},
		{"modalidadeAlteracao on a cobv", func(b map[string]any) {
			b["valor"] = map[string]any{"original": "10.00", "modalidadeAlteracao": 1}
		}, "validation_failed", "/valor/modalidadeAlteracao"},
		{"bad uf", func(b map[string]any) {
			b["devedor"] = map[string]any{"cnpj": "12345678000195", "nome": "E", "uf": "sp"}
		}, "validation_failed", "/devedor/uf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := p.cobvBody("2026-03-10", "10.00")
			c.change(body)
			expectViolation(t, p.c.Do(http.MethodPut, "/v1/pix/cobv/"+pixTxid, body), c.code, c.at)
		})
	}
	p.put(t, "cobv", pixTxid, p.cobvBody("2026-03-10", "10.00"))
	var rev pixChargeJSON
	r := p.c.Patch("/v1/pix/cobv/"+pixTxid, map[string]any{"valor": map[string]any{"original": "12.00", "juros": map[string]any{"modalidade": 3, "valorPerc": "1.00"}}})
	expectOK(t, r, &rev)
	if rev.Revisao != 1 || rev.Valor.Original != "12.00" || rev.Valor.Juros == nil || rev.Valor.Juros.Modalidade != 3 || rev.Valor.Multa != nil {
		t.Fatalf("revision %s", r.Body)
	}
	expectJournal(t, p.c, r, "updatePixCobv", pixTxid, "")
	expectProblem(t, p.c.Patch("/v1/pix/cob/"+pixTxid, map[string]any{"solicitacaoPagador": "x"}), http.StatusNotFound, "resource_missing")
	expectOK(t, p.c.Patch("/v1/pix/cobv/"+pixTxid, map[string]any{"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}), &rev)
	if rev.Status != "REMOVIDA_PELO_USUARIO_RECEBEDOR" || rev.Revisao != 2 {
		t.Fatalf("removal %+v", rev)
	}
}

// --- devoluções ------------------------------------------------------------------------

func TestPixDevolucoes(t *testing.T) {
	p := startPix(t)
	p.put(t, "cob", pixTxid, p.cobBody("100.00"))
	px := p.pay(t, pixTxid, payer("Francisco da Silva"))
	before := balances(t, p.c, p.account.ID)
	path := "/v1/pix/" + px.EndToEndID + "/devolucao/"

	r := p.c.Do(http.MethodPut, path+"d1", map[string]any{"valor": "30.00", "descricao": "Item fora de estoque"})
	var d1 pixDevolucaoJSON
	expectCreated(t, r, "", &d1)
	clk := now(t, p.c)
	if r.Header.Get("Location") != path+"d1" || d1.ID != "d1" || !pixReturnRtrID.MatchString(d1.RtrID) || d1.Valor != "30.00" ||
		d1.Natureza != "ORIGINAL" || d1.Status != "EM_PROCESSAMENTO" || !d1.Horario.Solicitacao.Equal(clk) || d1.Horario.Liquidacao != nil || d1.Motivo != "" {
		t.Fatalf("devolução %s", r.Body)
	}
	expectJournal(t, p.c, r, "putPixDevolucao", d1.RtrID, "")
	// The debit is held at once.
	line := pixLine(t, p.c, p.account.ID, d1.RtrID)
	if line.Amount != -3000 || line.CreditDebit != "debit" || line.Status != "pending" || line.Source == nil || line.Source.Type != "pix_refund" ||
		line.Counterparty == nil || line.Counterparty.Name != "Francisco da Silva" {
		t.Fatalf("held line %+v", line)
	}
	if b := balances(t, p.c, p.account.ID); b.Booked.Amount != before.Booked.Amount || b.Available.Amount != before.Available.Amount-3000 {
		t.Fatalf("balances while processing %+v (before %+v)", b, before)
	}
	// Repeating it is idempotent; another request under its id is refused.
	again := p.c.Do(http.MethodPut, path+"d1", map[string]any{"valor": "30.00", "natureza": "ORIGINAL", "descricao": "Item fora de estoque"})
	expectOK(t, again, nil)
	if string(again.Body) != string(r.Body) {
		t.Fatalf("repeat %s", again.Body)
	}
	pr := expectProblem(t, p.c.Do(http.MethodPut, path+"d1", map[string]any{"valor": "31.00", "natureza": "MED_OPERACIONAL", "descricao": "Item fora de estoque"}), http.StatusBadRequest, "pix_refund_id_in_use")
	if got := pr.Fields(); !slices.Equal(got, []string{"/valor", "/natureza"}) {
		t.Fatalf("id in use names %v", got)
	}
	// Several devoluções, up to the Pix's valor and not beyond.
	var d2 pixDevolucaoJSON
	expectCreated(t, p.c.Do(http.MethodPut, path+"d2", map[string]any{"valor": "60.00", "natureza": "MED_FRAUDE"}), "", &d2)
	v := expectViolation(t, p.c.Do(http.MethodPut, path+"d3", map[string]any{"valor": "10.01"}), "pix_refund_exceeds_valor", "/valor")
	if !strings.Contains(v.Detail, "10.00") {
		t.Errorf("violation %q does not say what is left", v.Detail)
	}
	expectViolation(t, p.c.Do(http.MethodPut, path+"d4", map[string]any{"valor": "100.01"}), "pix_refund_exceeds_valor", "/valor")
	// Bad input.
	expectViolation(t, p.c.Do(http.MethodPut, path+"d5", map[string]any{"valor": "1.5"}), "validation_failed", "/valor")
	expectViolation(t, p.c.Do(http.MethodPut, path+"d5", map[string]any{"valor": "0.00"}), "invalid_amount", "/valor")
	expectViolation(t, p.c.Do(http.MethodPut, path+"d5", map[string]any{"valor": "1.00", "natureza": "OUTRA"}), "validation_failed", "/natureza")
	expectViolation(t, p.c.Do(http.MethodPut, path+"d5", map[string]any{"valor": "1.00", "descricao": strings.Repeat("x", 141)}), "validation_failed", "/descricao")
	expectViolation(t, p.c.Do(http.MethodPut, path+"d_5", map[string]any{"valor": "1.00"}), "validation_failed", "path:id")
	expectViolation(t, p.c.Do(http.MethodPut, path+strings.Repeat("a", 36), map[string]any{"valor": "1.00"}), "validation_failed", "path:id")
	expectProblem(t, p.c.Do(http.MethodPut, "/v1/pix/E99999999202603021200aaaaaaaaaaa/devolucao/d5", map[string]any{"valor": "1.00"}), http.StatusNotFound, "resource_missing")
	expectProblem(t, p.c.Get(path+"d9"), http.StatusNotFound, "resource_missing")

	// A few simulated seconds later both are DEVOLVIDO, and booked.
	clk2 := advance(t, p.c, "3s")
	if n := len(slices.DeleteFunc(clk2.Ran, func(r ranJSON) bool { return r.Job != "pix_refund.settle" })); n != 2 {
		t.Fatalf("the advance settled %d devoluções", n)
	}
	var got pixDevolucaoJSON
	expectOK(t, p.c.Get(path+"d1"), &got)
	if got.Status != "DEVOLVIDO" || got.Horario.Liquidacao == nil || !got.Horario.Liquidacao.Equal(clk.Add(3*time.Second)) {
		t.Fatalf("d1 %+v", got)
	}
	if line := pixLine(t, p.c, p.account.ID, d1.RtrID); line.Status != "booked" {
		t.Fatalf("d1 line %+v", line)
	}
	if b := balances(t, p.c, p.account.ID); b.Booked.Amount != before.Booked.Amount-9000 || b.Pending.Amount != 0 {
		t.Fatalf("balances after settlement %+v", b)
	}
	var recv pixRecvJSON
	expectOK(t, p.c.Get("/v1/pix/"+px.EndToEndID), &recv)
	if len(recv.Devolucoes) != 2 || recv.Devolucoes[0].ID != "d1" || recv.Devolucoes[1].Status != "DEVOLVIDO" || recv.Devolucoes[1].Natureza != "MED_FRAUDE" {
		t.Fatalf("pix %+v", recv.Devolucoes)
	}
	if ch := p.get(t, "cob", pixTxid); len(ch.Pix) != 1 || len(ch.Pix[0].Devolucoes) != 2 {
		t.Fatalf("charge %+v", ch.Pix)
	}
	// What is left can still be returned.
	expectCreated(t, p.c.Do(http.MethodPut, path+"d3", map[string]any{"valor": "10.00"}), "", nil)
	advance(t, p.c, "3s")
	want := []string{"pix_charge.created " + pixTxid, "pix.received " + px.EndToEndID, "pix_charge.completed " + pixTxid,
		"pix_refund.created d1", "pix_refund.created d2", "pix_refund.completed d1", "pix_refund.completed d2",
		"pix_refund.created d3", "pix_refund.completed d3"}
	if got := pixEvents(t, p.c); !slices.Equal(got, want) {
		t.Fatalf("events\n%v\nwant\n%v", got, want)
	}
}

func TestPixDevolucaoWithoutFunds(t *testing.T) {
	p := startPix(t)
	p.put(t, "cob", pixTxid, p.cobBody("50.00"))
	px := p.pay(t, pixTxid, payer("Francisco"))
	// The money leaves the account before the devolução is asked for.
	other := freshAccount(t, p.c, "BRL", 0)
	createTransfer(t, p.c, map[string]any{"rail": "internal", "debtor_account_id": p.account.ID, "amount": 4000, "currency": "BRL",
		"creditor": map[string]any{"account_id": other.ID}})
	path := "/v1/pix/" + px.EndToEndID + "/devolucao/semSaldo"
	var d pixDevolucaoJSON
	expectCreated(t, p.c.Do(http.MethodPut, path, map[string]any{"valor": "50.00"}), "", &d)
	if line := pixLine(t, p.c, p.account.ID, d.RtrID); line.Status != "pending" {
		t.Fatalf("line %+v", line)
	}
	advance(t, p.c, "3s")
	expectOK(t, p.c.Get(path), &d)
	if d.Status != "NAO_REALIZADO" || d.Motivo == "" || d.Horario.Liquidacao != nil {
		t.Fatalf("devolução %+v", d)
	}
	if line := pixLine(t, p.c, p.account.ID, d.RtrID); line.Status != "voided" {
		t.Fatalf("line %+v", line)
	}
	if b := balances(t, p.c, p.account.ID); b.Booked.Amount != 1000 || b.Available.Amount != 1000 {
		t.Fatalf("balances %+v", b)
	}
	// The failed devolução does not count against the Pix's valor.
	var d2 pixDevolucaoJSON
	expectCreated(t, p.c.Do(http.MethodPut, "/v1/pix/"+px.EndToEndID+"/devolucao/comSaldo", map[string]any{"valor": "10.00"}), "", &d2)
	advance(t, p.c, "3s")
	expectOK(t, p.c.Get("/v1/pix/"+px.EndToEndID+"/devolucao/comSaldo"), &d2)
	if d2.Status != "DEVOLVIDO" {
		t.Fatalf("d2 %+v", d2)
	}
	evs := pixEvents(t, p.c)
	if !slices.Contains(evs, "pix_refund.failed semSaldo") || !slices.Contains(evs, "pix_refund.completed comSaldo") || slices.Contains(evs, "pix_refund.completed semSaldo") {
		t.Fatalf("events %v", evs)
	}
}

// --- lists ---------------------------------------------------------------------------

func TestPixLists(t *testing.T) {
	p := startPix(t)
	start := now(t, p.c)
	var txids []string
	for i := range 5 {
		body := p.cobBody("1.00")
		if i%2 == 1 {
			body["devedor"] = map[string]any{"cnpj": "12345678000195", "nome": "Empresa"}
		}
		txids = append(txids, p.put(t, "cob", fmt.Sprintf("%s%d", pixTxid, i), body).TxID)
		advance(t, p.c, "1m")
	}
	p.put(t, "cobv", pixID("cobvList"), p.cobvBody("2026-03-31", "1.00"))
	p.pay(t, txids[0], payer("F"))
	p.pay(t, txids[1], payer("G"))

	all := walk[pixChargeJSON](t, p.c, "/v1/pix/cob", "", 2, nil)
	if got := ids(all, func(c pixChargeJSON) string { return c.TxID }); !slices.Equal(got, []string{txids[4], txids[3], txids[2], txids[1], txids[0]}) {
		t.Fatalf("cob list %v", got)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"status=CONCLUIDA", []string{txids[1], txids[0]}},
		{"status=ATIVA", []string{txids[4], txids[3], txids[2]}},
		{"cnpj=12345678000195", []string{txids[3], txids[1]}},
		{"cpf=" + pixPayerCPF, []string{txids[4], txids[2], txids[0]}},
		{"inicio=" + start.Add(time.Minute).Format(time.RFC3339) + "&fim=" + start.Add(3*time.Minute).Format(time.RFC3339), []string{txids[3], txids[2], txids[1]}},
	} {
		got := ids(walk[pixChargeJSON](t, p.c, "/v1/pix/cob", c.query, 10, nil), func(c pixChargeJSON) string { return c.TxID })
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	cobvs := walk[pixChargeJSON](t, p.c, "/v1/pix/cobv", "", 10, nil)
	if len(cobvs) != 1 || cobvs[0].TxID != pixID("cobvList") {
		t.Fatalf("cobv list %+v", cobvs)
	}
	received := walk[pixRecvJSON](t, p.c, "/v1/pix", "", 1, nil)
	if len(received) != 2 || received[0].TxID != txids[1] {
		t.Fatalf("received %+v", received)
	}
	if got := walk[pixRecvJSON](t, p.c, "/v1/pix", "txid="+txids[0], 10, nil); len(got) != 1 || got[0].TxID != txids[0] {
		t.Fatalf("received by txid %+v", got)
	}
	if got := walk[pixRecvJSON](t, p.c, "/v1/pix", "fim="+start.Format(time.RFC3339), 10, nil); len(got) != 0 {
		t.Fatalf("received before the start %+v", got)
	}
	// Bad filters.
	expectViolation(t, p.c.Get("/v1/pix/cob?cpf="+pixPayerCPF+"&cnpj=12345678000195"), "validation_failed", "query:cnpj")
	expectViolation(t, p.c.Get("/v1/pix/cob?inicio=2026-03-03T00:00:00Z&fim=2026-03-02T00:00:00Z"), "validation_failed", "query:fim")
	expectViolation(t, p.c.Get("/v1/pix/cob?status=EXPIRADA"), "validation_failed", "query:status")
	expectViolation(t, p.c.Get("/v1/pix/cob?inicio=ontem"), "validation_failed", "query:inicio")
	expectViolation(t, p.c.Get("/v1/pix?txid=curto"), "validation_failed", "query:txid")
	// A cursor of one list is not a cursor of another.
	var page listPage[pixChargeJSON]
	expectOK(t, p.c.Get("/v1/pix/cob?limit=1"), &page)
	expectViolation(t, p.c.Get("/v1/pix/cobv?cursor="+*page.NextCursor), "invalid_cursor", "query:cursor")
	expectViolation(t, p.c.Get("/v1/pix?cursor="+*page.NextCursor), "invalid_cursor", "query:cursor")
}

// --- tenants ---------------------------------------------------------------------------

// Another tenant cannot see, revise, pay or return anything of A's: every
// txid and e2eid route is a 404, and A's data does not change. B's PUT of
// A's txid makes B's own charge.
func TestPixTenantIsolation(t *testing.T) {
	srv := startBank(t)
	a := newPixTenant(t, srv)
	b := newPixTenant(t, srv)
	a.put(t, "cob", pixTxid, a.cobBody("20.00"))
	a.put(t, "cobv", pixID("cobvIso"), a.cobvBody("2026-03-31", "20.00"))
	px := a.pay(t, pixTxid, payer("F"))
	expectCreated(t, a.c.Do(http.MethodPut, "/v1/pix/"+px.EndToEndID+"/devolucao/d1", map[string]any{"valor": "1.00"}), "", nil)
	snapshot := func() []string {
		var out []string
		for _, path := range []string{"/v1/pix/cob/" + pixTxid, "/v1/pix/cobv/" + pixID("cobvIso"), "/v1/pix/" + px.EndToEndID,
			"/v1/pix/" + px.EndToEndID + "/devolucao/d1", "/v1/pix/cob", "/v1/pix/cobv", "/v1/pix", "/v1/accounts/" + a.account.ID + "/balances"} {
			r := a.c.Get(path)
			expectOK(t, r, nil)
			out = append(out, string(r.Body))
		}
		return out
	}
	before := snapshot()
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/v1/pix/cob/" + pixTxid, nil},
		{http.MethodPatch, "/v1/pix/cob/" + pixTxid, map[string]any{"status": "REMOVIDA_PELO_USUARIO_RECEBEDOR"}},
		{http.MethodGet, "/v1/pix/cobv/" + pixID("cobvIso"), nil},
		{http.MethodPatch, "/v1/pix/cobv/" + pixID("cobvIso"), map[string]any{"solicitacaoPagador": "x"}},
		{http.MethodPost, "/v1/sandbox/pix/cob/" + pixID("cobvIso") + "/pay", payer("F")},
		{http.MethodGet, "/v1/pix/" + px.EndToEndID, nil},
		{http.MethodGet, "/v1/pix/" + px.EndToEndID + "/devolucao/d1", nil},
		{http.MethodPut, "/v1/pix/" + px.EndToEndID + "/devolucao/d2", map[string]any{"valor": "1.00"}},
	} {
		r := b.c.Do(req.method, req.path, req.body)
		p := expectProblem(t, r, http.StatusNotFound, "resource_missing")
		if !strings.HasPrefix(p.Detail, "no such ") || strings.Contains(string(r.Body), "Francisco") {
			t.Errorf("%s %s: %s", req.method, req.path, r.Body)
		}
	}
	// B's lists are empty; B's own charge under A's txid is B's.
	for _, list := range []string{"/v1/pix/cob", "/v1/pix/cobv", "/v1/pix"} {
		var page listPage[map[string]any]
		expectOK(t, b.c.Get(list), &page)
		if len(page.Data) != 0 {
			t.Errorf("B lists %d items at %s", len(page.Data), list)
		}
	}
	mine := b.put(t, "cob", pixTxid, b.cobBody("20.00"))
	if mine.Chave != b.key || mine.Location == "" {
		t.Fatalf("B's charge %+v", mine)
	}
	// A's key is not B's to charge to.
	expectViolation(t, b.c.Do(http.MethodPut, "/v1/pix/cob/"+pixID("other"), a.cobBody("1.00")), "pix_key_not_found", "/chave")
	if after := snapshot(); !slices.Equal(before, after) {
		t.Fatalf("A's Pix changed:\n%v\n%v", before, after)
	}
}
