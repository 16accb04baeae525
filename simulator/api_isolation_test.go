package simulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// apiTenantA is a tenant with data of every kind that an {id} path
// parameter can name, created through the API.
type apiTenantA struct {
	key      string
	c        *simtest.Client
	customer string
	account  string
	transfer string // a TED transfer still in ACSP (cancelable)
	byPrefix map[string]string
	allIDs   []string // every id A can see: seeded and created
}

func apiSetUpTenantA(t *testing.T, srv *simtest.Server) *apiTenantA {
	t.Helper()
	a := &apiTenantA{key: simtest.NewKey("tenantA")}
	a.c = srv.Client(a.key)
	a.customer, a.account = apiFundedAccount(t, a.c, 500_000)
	var tr struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	apiJSON(t, a.c.Post("/v1/transfers", apiTEDTransfer(a.account, 12_345)), http.StatusCreated, &tr)
	if tr.Status != "ACSP" {
		t.Fatalf("A's TED transfer is %s, want ACSP", tr.Status)
	}
	a.transfer = tr.ID
	// A scenario of A's, to prove B can neither see nor remove it.
	apiJSON(t, a.c.Do(http.MethodPut, "/_sandbank/scenarios/a-secret-scenario",
		"name: a-secret-scenario\nrules:\n  - match: { operation: createInboundTransfer }\n    fault: 503\n", "Content-Type", "application/yaml"), http.StatusOK, nil)
	a.byPrefix = map[string]string{"cus_": a.customer, "acc_": a.account, "trf_": a.transfer, "name": "a-secret-scenario"}
	// A webhook endpoint of A's (deliveries go to a closed local port) and one of its events.
	var we struct {
		ID string `json:"id"`
	}
	apiJSON(t, a.c.Post("/v1/webhook_endpoints", map[string]any{"url": "http://127.0.0.1:9/a", "enabled_events": []string{"*"}}), http.StatusCreated, &we)
	var evs struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	apiJSON(t, a.c.Get("/v1/events?resource_id="+a.transfer+"&limit=1"), http.StatusOK, &evs)
	a.byPrefix["we_"], a.byPrefix["evt_"] = we.ID, evs.Data[0].ID
	// A boleto of A's (the account is BRL).
	var bol struct {
		ID string `json:"id"`
	}
	apiJSON(t, a.c.Post("/v1/boletos", map[string]any{"account_id": a.account, "amount": 15000, "currency": "BRL", "due_date": "2026-03-20",
		"payer": map[string]any{"name": "Maria Silva", "tax_id": "123.456.789-09"}}), http.StatusCreated, &bol)
	a.byPrefix["bol_"] = bol.ID
	apiPixTenantA(t, a.c, a.account, a.byPrefix) // a charge of each kind, a received Pix and a devolução (api_pix_test.go)
	apiPaymentsTenantA(t, a.c, a.byPrefix)       // a recipient, a card, a split payment and a refund (api_payments_test.go)
	apiPayoutsTenantA(t, a.c, a.byPrefix)        // a dispute and a payout (api_payouts_test.go)
	for _, list := range []string{"/v1/customers", "/v1/accounts", "/v1/transfers"} {
		a.allIDs = append(a.allIDs, apiListIDs(t, a.c, list)...)
	}
	a.allIDs = append(a.allIDs, apiListIDs(t, a.c, "/v1/accounts/"+a.account+"/transactions")...)
	return a
}

// snapshot records what A sees of its own data, to prove later that no
// request of another tenant changed it.
func (a *apiTenantA) snapshot(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, path := range []string{
		"/v1/customers/" + a.customer, "/v1/accounts/" + a.account, "/v1/accounts/" + a.account + "/balances",
		"/v1/accounts/" + a.account + "/transactions?limit=100", "/v1/transfers/" + a.transfer,
		"/v1/customers?limit=100", "/v1/accounts?limit=100", "/v1/transfers?limit=100", "/v1/sandbox/clock", "/_sandbank/settings",
		"/_sandbank/scenarios",
	} {
		r := a.c.Get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("A: GET %s → %d %s", path, r.Status, r.Body)
		}
		out[path] = r.Body
	}
	return out
}

func (a *apiTenantA) expectUnchanged(t *testing.T, before map[string][]byte) {
	t.Helper()
	after := a.snapshot(t)
	for path, b := range before {
		if !bytes.Equal(b, after[path]) {
			t.Errorf("A's %s changed:\nbefore %s\nafter  %s", path, b, after[path])
		}
	}
}

// apiExampleBody is the request example of an operation, with every id in
// it replaced by the id of the same kind from ids.
func apiExampleBody(t *testing.T, op *openapi.Operation, ids map[string]string) any {
	t.Helper()
	full, ok := openapi.MustLoadWithExamples().Operation(op.ID) // the server's document has no examples
	if !ok {
		t.Fatalf("no operation %s in the document with examples", op.ID)
	}
	op = full
	if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		return nil
	}
	media := op.Op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Example == nil {
		t.Fatalf("%s takes a body but has no JSON example to build one from", op.ID)
	}
	raw, err := json.Marshal(media.Example)
	if err != nil {
		t.Fatal(err)
	}
	s := regexp.MustCompile(`"([a-z]+_)[0-9A-Za-z]+"`).ReplaceAllStringFunc(string(raw), func(m string) string {
		if id, ok := ids[m[1:strings.Index(m, "_")+1]]; ok {
			return `"` + id + `"`
		}
		return m
	})
	return s
}

// TestIsolationIDOperations walks every operation of the contract whose
// path names a resource: another tenant using A's real ids gets 404 and A's
// data does not change. A new {id} route is covered automatically, and the
// test fails if it cannot exercise one.
func TestIsolationIDOperations(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := apiSetUpTenantA(t, srv)
	b := srv.Client(simtest.NewKey("tenantB"))
	before := a.snapshot(t)

	exercised := 0
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		names := apiPathParam.FindAllStringSubmatch(op.Path, -1)
		if len(names) == 0 {
			continue
		}
		if op.ID == "putScenario" || op.ID == "putPixCob" || op.ID == "putPixCobv" {
			// An upsert by name: B's PUT makes B's own scenario (checked
			// below) or charge (TestPixTenantIsolation).
			continue
		}
		for _, n := range names {
			if _, ok := a.byPrefix[apiIDPrefix(t, op, n[1])]; !ok {
				t.Errorf("%s (%s %s): tenant A has no resource of kind %s to probe it with; extend apiSetUpTenantA",
					op.ID, op.Method, op.Path, apiIDPrefix(t, op, n[1]))
			}
		}
		path := apiConcretePath(t, op, a.byPrefix)
		// Sanity: A itself can use the same request (so a 404 for B means isolation, not a bad probe).
		body := apiExampleBody(t, op, a.byPrefix)
		if op.Method == http.MethodGet {
			if r := a.c.Do(op.Method, path, body); r.Status != http.StatusOK {
				t.Errorf("A: %s %s → %d %s", op.Method, path, r.Status, r.Body)
			}
		}
		for _, headers := range [][]string{nil, {"Idempotency-Key", "iso-" + op.ID}} {
			if headers != nil && !op.HasParameter("header", "Idempotency-Key") {
				continue
			}
			r := b.Do(op.Method, path, body, headers...)
			p := apiProblem(t, r, http.StatusNotFound, "resource_missing")
			if !strings.HasPrefix(p.Detail, "no such ") {
				t.Errorf("%s: detail %q", op.ID, p.Detail)
			}
			// The 404 does not reveal anything of A's resource.
			for _, secret := range []string{a.key, "Ana Beatriz", "Maria Silva"} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("%s: B's 404 mentions %q: %s", op.ID, secret, r.Body)
				}
			}
		}
		exercised++
	}
	if exercised < 6 {
		t.Fatalf("only %d {id} operations exercised", exercised)
	}
	// B activating a scenario of the same name makes B's own, not A's.
	b.Do(http.MethodPut, "/_sandbank/scenarios/a-secret-scenario", "name: a-secret-scenario\nrules:\n  - match: { operation: createInboundTransfer }\n    fault: reset\n",
		"Content-Type", "application/yaml").Expect(t, http.StatusOK)
	a.expectUnchanged(t, before)
	// A's transfer can still be canceled by A: B's cancel did nothing.
	var tr struct {
		Status string `json:"status"`
	}
	apiJSON(t, a.c.Post("/v1/transfers/"+a.transfer+"/cancel", nil), http.StatusOK, &tr)
	if tr.Status != "CANC" {
		t.Fatalf("A's cancel: %s", tr.Status)
	}
	if err := srv.Sim.VerifyTenant(a.key); err != nil {
		t.Fatal(err)
	}
}

// TestIsolationListsAndReads: nothing B can list or read contains any of A's ids.
func TestIsolationListsAndReads(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := apiSetUpTenantA(t, srv)
	bKey := simtest.NewKey("tenantB")
	b := srv.Client(bKey)
	apiFundedAccount(t, b, 1000)

	bIDs := map[string]bool{}
	for _, list := range []string{"/v1/customers", "/v1/accounts", "/v1/transfers"} {
		for _, id := range apiListIDs(t, b, list) {
			bIDs[id] = true
		}
	}
	for _, id := range a.allIDs {
		if bIDs[id] {
			t.Errorf("B lists A's %s", id)
		}
	}
	// Every GET of the contract B can make (lists, admin, clock) mentions none
	// of A's ids (before B itself sends any of them, which its journal would show).
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		if op.Method != http.MethodGet || strings.Contains(op.Path, "{") || op.Public {
			continue
		}
		if op.ID == "lookupBoleto" || op.ID == "getReconciliationReport" { // needs a code or a payout: TestBoletoListGetAndIsolation, TestReconciliationReportIsolation
			continue
		}
		r := b.Get(op.Path)
		if r.Status != http.StatusOK {
			t.Errorf("B: GET %s → %d", op.Path, r.Status)
			continue
		}
		for _, id := range append([]string{a.key}, a.allIDs...) {
			if strings.Contains(string(r.Body), id) {
				t.Errorf("B: GET %s mentions A's %s", op.Path, id)
			}
		}
	}
	// Filtering by A's ids finds nothing.
	for _, path := range []string{
		"/v1/accounts?customer_id=" + a.customer,
		"/v1/transfers?debtor_account_id=" + a.account,
		"/v1/customers?email=ana.souza%40example.com",
	} {
		for _, id := range apiListIDs(t, b, path) {
			if slices.Contains(a.allIDs, id) {
				t.Errorf("%s: B sees A's %s", path, id)
			}
		}
	}
}

// TestIsolationBodiesCannotNameOtherTenantsResources: A's ids used as
// debtor, creditor, customer or inbound account by B are unknown to B.
func TestIsolationBodiesCannotNameOtherTenantsResources(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := apiSetUpTenantA(t, srv)
	b := srv.Client(simtest.NewKey("tenantB"))
	_, bAccount := apiFundedAccount(t, b, 100_000)
	before := a.snapshot(t)

	// A's account as B's debtor.
	r := b.Post("/v1/transfers", apiTEDTransfer(a.account, 100), "Idempotency-Key", "iso-debtor")
	p := apiProblem(t, r, http.StatusBadRequest, "resource_missing")
	if d, ok := apiViolation(p, "/debtor_account_id"); !ok || !strings.Contains(d, a.account) {
		t.Errorf("debtor: %s", r.Body)
	}
	// A's account as the creditor of B's internal transfer.
	r = b.Post("/v1/transfers", map[string]any{
		"rail": "internal", "debtor_account_id": bAccount, "amount": 100, "currency": "BRL",
		"creditor": map[string]string{"account_id": a.account},
	})
	p = apiProblem(t, r, http.StatusBadRequest, "resource_missing")
	if d, ok := apiViolation(p, "/creditor/account_id"); !ok || !strings.Contains(d, "no such account") {
		t.Errorf("creditor: %s", r.Body)
	}
	// A's customer for a new account of B.
	r = b.Post("/v1/accounts", map[string]any{"customer_id": a.customer, "currency": "BRL"})
	p = apiProblem(t, r, http.StatusBadRequest, "resource_missing")
	if _, ok := apiViolation(p, "/customer_id"); !ok {
		t.Errorf("customer: %s", r.Body)
	}
	// A's account as the target of B's simulated inbound money.
	r = b.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": a.account, "amount": 1000, "currency": "BRL"})
	p = apiProblem(t, r, http.StatusBadRequest, "resource_missing")
	if _, ok := apiViolation(p, "/account_id"); !ok {
		t.Errorf("inbound: %s", r.Body)
	}
	// A Pix key of A's account is, for B, a key at another bank: the money
	// leaves B through clearing and never reaches A's account.
	var acc struct {
		PixKeys []struct {
			Key string `json:"key"`
		} `json:"pix_keys"`
	}
	apiJSON(t, a.c.Get("/v1/accounts/"+a.account), http.StatusOK, &acc)
	if len(acc.PixKeys) == 0 {
		t.Fatal("A's BRL account has no Pix key")
	}
	var tr struct {
		ID       string `json:"id"`
		Creditor struct {
			AccountID *string `json:"account_id"`
		} `json:"creditor"`
	}
	apiJSON(t, b.Post("/v1/transfers", map[string]any{
		"rail": "pix", "debtor_account_id": bAccount, "amount": 700, "currency": "BRL",
		"creditor": map[string]string{"pix_key": acc.PixKeys[0].Key},
	}), http.StatusCreated, &tr)
	if tr.Creditor.AccountID != nil {
		t.Errorf("B's Pix transfer credits account %s", *tr.Creditor.AccountID)
	}
	advance(t, b, "10s") // B's clock: settles B's Pix
	a.expectUnchanged(t, before)
	for _, key := range []string{a.key} {
		if err := srv.Sim.VerifyTenant(key); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Sim.VerifyTenant(b.Key); err != nil {
		t.Fatal(err)
	}
}

func TestIsolationJournalsAreSeparate(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := apiSetUpTenantA(t, srv)
	b := srv.Client(simtest.NewKey("tenantB"))
	b.Get("/v1/accounts/" + a.account) // B probes A's account
	b.Get("/v1/nothing")               // and an unknown route
	b.Post("/v1/transfers", apiTEDTransfer(a.account, 1), "Idempotency-Key", "shared-key")
	a.c.Post("/v1/sandbox/clock/advance", map[string]string{"by": "1s"}, "Idempotency-Key", "shared-key")

	aj, bj := a.c.Journal(), b.Journal()
	aReq := map[string]bool{}
	for _, e := range aj {
		aReq[e["request_id"].(string)] = true
		if e["problem_code"] == "resource_missing" || e["problem_code"] == "not_found" || e["path"] == "/v1/nothing" {
			t.Errorf("A's journal holds B's probe: %v", e)
		}
	}
	for _, e := range bj {
		if aReq[e["request_id"].(string)] {
			t.Errorf("request %s is in both journals", e["request_id"])
		}
		if e["operation_id"] == "createCustomer" || e["operation_id"] == "advanceClock" {
			t.Errorf("B's journal holds A's request: %v", e)
		}
	}
	if len(bj) != 4 { // three requests and the journal read itself
		t.Errorf("B's journal has %d entries, want 4", len(bj))
	}
	// The idempotency key filter of each journal finds only its own request.
	var page struct {
		Data []map[string]any `json:"data"`
	}
	apiJSON(t, b.Get("/_sandbank/journal?idempotency_key=shared-key"), http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0]["method"] != "POST" || page.Data[0]["path"] != "/v1/transfers" {
		t.Errorf("B's shared-key entries: %v", page.Data)
	}
	raw, _ := json.Marshal(bj)
	if strings.Contains(string(raw), a.key[len(a.key)-8:]) {
		t.Error("B's journal mentions A's key")
	}
}

func TestIsolationSettingsClockAndIdempotency(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := srv.Client(simtest.NewKey("settingsA"))
	b := srv.Client(simtest.NewKey("settingsB"))
	_, aAcc := apiFundedAccount(t, a, 100_000)
	_, bAcc := apiFundedAccount(t, b, 100_000)

	apiJSON(t, a.Patch("/_sandbank/settings", map[string]any{"idempotency": map[string]string{"profile": "stripe", "key": "required"}}), http.StatusOK, nil)
	advance(t, a, "5h")

	// A requires keys; B does not.
	apiProblem(t, a.Post("/v1/transfers", apiTEDTransfer(aAcc, 100)), http.StatusBadRequest, "idempotency_key_required")
	apiJSON(t, b.Post("/v1/transfers", apiTEDTransfer(bAcc, 100)), http.StatusCreated, nil)
	var settings struct {
		Idempotency struct {
			Profile string `json:"profile"`
			Key     string `json:"key"`
		} `json:"idempotency"`
	}
	apiJSON(t, b.Get("/_sandbank/settings"), http.StatusOK, &settings)
	if settings.Idempotency.Profile != "ietf" || settings.Idempotency.Key != "optional" {
		t.Fatalf("B's settings %+v", settings)
	}
	// A's clock moved; B's did not.
	if now := apiClockNow(t, b); now != "2026-03-02T12:00:00Z" {
		t.Fatalf("B's clock %s", now)
	}
	if now := apiClockNow(t, a); now != "2026-03-02T17:00:00Z" {
		t.Fatalf("A's clock %s", now)
	}
	// The same Idempotency-Key in two tenants is two keys.
	r1 := a.Post("/v1/transfers", apiTEDTransfer(aAcc, 200), "Idempotency-Key", "same-key")
	r2 := b.Post("/v1/transfers", apiTEDTransfer(bAcc, 300), "Idempotency-Key", "same-key")
	apiJSON(t, r1, http.StatusCreated, nil)
	apiJSON(t, r2, http.StatusCreated, nil)
	if r1.Header.Get("Idempotent-Replayed") != "" || r2.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a key of one tenant replayed in another")
	}
	// Stripe profile in A: a mismatch is 400 idempotency_error; in B (ietf) 422.
	apiProblem(t, a.Post("/v1/transfers", apiTEDTransfer(aAcc, 999), "Idempotency-Key", "same-key"), http.StatusBadRequest, "idempotency_error")
	apiProblem(t, b.Post("/v1/transfers", apiTEDTransfer(bAcc, 999), "Idempotency-Key", "same-key"), http.StatusUnprocessableEntity, "idempotency_key_mismatch")
	// Resetting A does not touch B.
	bBefore := apiListIDs(t, b, "/v1/transfers")
	apiJSON(t, a.Post("/_sandbank/reset", nil), http.StatusOK, nil)
	if got := apiListIDs(t, b, "/v1/transfers"); !slices.Equal(got, bBefore) || len(got) != 2 {
		t.Fatalf("B's transfers after A's reset: %v, before %v", got, bBefore)
	}
}

func TestIsolationOAuthTokenSeesOnlyItsTenant(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	a := apiSetUpTenantA(t, srv)
	bKey := simtest.NewKey("tokenB")
	b := srv.Client(bKey)
	bAccounts := apiListIDs(t, b, "/v1/accounts")

	aTok := apiBearer(srv, apiToken(t, srv, a.key, ""))
	if got, want := apiListIDs(t, aTok, "/v1/accounts"), apiListIDs(t, a.c, "/v1/accounts"); !slices.Equal(got, want) {
		t.Fatalf("A's token lists %v, A's key %v", got, want)
	}
	for _, path := range []string{"/v1/accounts/" + bAccounts[0], "/v1/accounts/" + bAccounts[0] + "/balances", "/v1/accounts/" + bAccounts[0] + "/transactions"} {
		apiProblem(t, aTok.Get(path), http.StatusNotFound, "resource_missing")
	}
	if info := apiTenant(t, aTok); info.OAuthClientID != simulator.OAuthClientID(a.key) {
		t.Fatalf("A's token reaches tenant %s", info.OAuthClientID)
	}
	// A's credentials cannot get a token for B.
	r := srv.Client("").Post("/oauth/token", "grant_type=client_credentials&client_id="+simulator.OAuthClientID(bKey)+"&client_secret="+a.key,
		"Content-Type", apiFormType)
	apiProblem(t, r, http.StatusUnauthorized, "invalid_client")
	// The token's requests are in A's journal only.
	bj, _ := json.Marshal(b.Journal())
	if strings.Contains(string(bj), "createToken") {
		t.Error("A's token request is in B's journal")
	}
}
