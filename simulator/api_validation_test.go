package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// Helpers shared by the api_*_test.go files (validation, auth, isolation,
// admin). Their names start with "api" so that they do not collide with the
// helpers of other test files in this package.

// apiFields lists the fields a problem names, sorted, without repeats.
func apiFields(p simtest.Problem) []string {
	out := p.Fields()
	slices.Sort(out)
	return slices.Compact(out)
}

// apiViolation returns the detail of the violation at a field.
func apiViolation(p simtest.Problem, field string) (string, bool) {
	v, ok := p.Find(field)
	return v.Detail, ok
}

// apiProblem checks a complete problem with the status and code.
func apiProblem(t testing.TB, r *simtest.Response, status int, code string) simtest.Problem {
	t.Helper()
	return r.Problem(t, status, code)
}

// apiInvalid checks a 400 validation_failed that names exactly the fields.
func apiInvalid(t testing.TB, r *simtest.Response, want ...string) simtest.Problem {
	t.Helper()
	p := apiProblem(t, r, http.StatusBadRequest, openapi.CodeValidationFailed)
	slices.Sort(want)
	if got := apiFields(p); !slices.Equal(got, want) {
		t.Fatalf("violations name %v, want %v; body: %s", got, want, r.Body)
	}
	for _, e := range p.Errors {
		if e.Detail == "" || e.In == "" {
			t.Errorf("violation without detail or in: %+v", e)
		}
	}
	return p
}

// apiJSON decodes a 200/201 JSON body after checking the status.
func apiJSON(t testing.TB, r *simtest.Response, status int, out any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if out != nil {
		r.Decode(t, out)
	}
}

// apiTenantInfo is GET /_sandbank/tenant.
type apiTenantInfo struct {
	Object        string `json:"object"`
	Key           string `json:"key"`
	Seed          string `json:"seed"`
	OAuthClientID string `json:"oauth_client_id"`
	CreatedAt     string `json:"created_at"`
	Clock         string `json:"clock"`
	Counts        struct {
		Customers       int `json:"customers"`
		Accounts        int `json:"accounts"`
		Transactions    int `json:"transactions"`
		Transfers       int `json:"transfers"`
		JournalEntries  int `json:"journal_entries"`
		IdempotencyKeys int `json:"idempotency_keys"`
	} `json:"counts"`
}

func apiTenant(t testing.TB, c *simtest.Client) apiTenantInfo {
	t.Helper()
	var info apiTenantInfo
	apiJSON(t, c.Get("/_sandbank/tenant"), http.StatusOK, &info)
	return info
}

// apiClockNow is the tenant's virtual time as the API reports it.
func apiClockNow(t testing.TB, c *simtest.Client) string {
	t.Helper()
	var clk struct {
		Now string `json:"now"`
	}
	apiJSON(t, c.Get("/v1/sandbox/clock"), http.StatusOK, &clk)
	return clk.Now
}

// apiListIDs walks every page of a list (path may carry a query) and
// returns the ids in it.
func apiListIDs(t testing.TB, c *simtest.Client, path string) []string {
	t.Helper()
	type item struct {
		ID string `json:"id"`
	}
	path, query, _ := strings.Cut(path, "?")
	return ids(walk[item](t, c, path, query, 100, nil), func(i item) string { return i.ID })
}

// apiFundedAccount opens a BRL account for a new customer of the tenant and
// pays money into it, so that tests do not depend on the seeded balances.
func apiFundedAccount(t testing.TB, c *simtest.Client, amount int64) (customerID, accountID string) {
	t.Helper()
	var cust struct {
		ID string `json:"id"`
	}
	apiJSON(t, c.Post("/v1/customers", map[string]any{
		"type": "individual", "name": "Ana Beatriz Souza", "email": "ana.souza@example.com",
		"tax_id": map[string]string{"type": "br_cpf", "value": "111.444.777-35"},
	}), http.StatusCreated, &cust)
	var acc struct {
		ID string `json:"id"`
	}
	apiJSON(t, c.Post("/v1/accounts", map[string]any{"customer_id": cust.ID, "currency": "BRL"}), http.StatusCreated, &acc)
	apiJSON(t, c.Post("/v1/sandbox/inbound_transfers", map[string]any{"account_id": acc.ID, "amount": amount, "currency": "BRL"}), http.StatusCreated, nil)
	return cust.ID, acc.ID
}

// apiTEDTransfer is a TED transfer (it settles 30 min later, so it can be canceled).
func apiTEDTransfer(debtor string, amount int64) map[string]any {
	return map[string]any{
		"rail": "ted", "debtor_account_id": debtor, "amount": amount, "currency": "BRL",
		"creditor": map[string]string{"bank_code": "341", "branch": "0001", "account_number": "123456", "name": "Maria Silva", "tax_id": "111.444.777-35"},
	}
}

// --- validation tests -----------------------------------------------------------

func TestValidationMalformedJSON(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("malformed"))
	r := c.Post("/v1/customers", "{\"type\": \"individual\",\n \"name\": }")
	p := apiProblem(t, r, http.StatusBadRequest, openapi.CodeMalformedJSON)
	if !strings.Contains(p.Detail, "line 2, column 10") || !strings.Contains(p.Detail, "invalid character '}'") {
		t.Fatalf("detail %q does not point at line 2, column 10", p.Detail)
	}
	if p.Instance != "/v1/customers" {
		t.Errorf("instance %q", p.Instance)
	}
	// Leading blank lines count: positions are those of the bytes as sent.
	r = c.Post("/v1/customers", "\n\n  {\"type\" \"individual\"}")
	if p := apiProblem(t, r, http.StatusBadRequest, openapi.CodeMalformedJSON); !strings.Contains(p.Detail, "line 3, column 11") {
		t.Fatalf("detail %q", p.Detail)
	}
	// Truncated body.
	r = c.Post("/v1/customers", `{"type": "individual", "name": "Ana`)
	if p := apiProblem(t, r, http.StatusBadRequest, openapi.CodeMalformedJSON); !strings.Contains(p.Detail, "ends unexpectedly") {
		t.Fatalf("detail %q", p.Detail)
	}
	e := journalEntry(t, c, r)
	if e["status"] != 400.0 || e["problem_code"] != openapi.CodeMalformedJSON || e["operation_id"] != "createCustomer" {
		t.Fatalf("journal entry %v", e)
	}
	if n := apiTenant(t, c).Counts.Customers; n != 8 {
		t.Fatalf("a malformed request created a customer: %d customers", n)
	}
}

func TestValidationTrailingGarbage(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("trailing"))
	before := apiClockNow(t, c)
	for body, col := range map[string]string{
		`{"by":"1h"} garbage`:      "line 1, column 13",
		`{"by":"1h"}{"by":"2h"}`:   "line 1, column 12",
		"{\"by\":\"1h\"}\n\n  ]  ": "line 3, column 3",
	} {
		r := c.Post("/v1/sandbox/clock/advance", body)
		p := apiProblem(t, r, http.StatusBadRequest, openapi.CodeMalformedJSON)
		if !strings.Contains(p.Detail, "unexpected data after the JSON value at "+col) {
			t.Errorf("%q: detail %q, want %s", body, p.Detail, col)
		}
	}
	if after := apiClockNow(t, c); after != before {
		t.Fatalf("a refused advance moved the clock from %s to %s", before, after)
	}
	// Trailing whitespace is not garbage.
	apiJSON(t, c.Post("/v1/sandbox/clock/advance", "{\"by\":\"1h\"}\r\n\t "), http.StatusOK, nil)
}

func TestValidationUnknownBodyFields(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("unknownfield"))
	body := map[string]any{
		"type": "individual", "name": "Ana", "email": "ana@example.com", "nickname": "Aninha",
		"tax_id":  map[string]string{"type": "br_cpf", "value": "111.444.777-35", "issuer": "SSP"},
		"address": map[string]string{"line1": "Rua A, 1", "city": "Recife", "state": "PE", "postal_code": "50000-000", "country": "BR", "zip": "x"},
	}
	p := apiInvalid(t, c.Post("/v1/customers", body), "/nickname", "/tax_id/issuer", "/address/zip")
	for _, f := range apiFields(p) {
		if d, _ := apiViolation(p, f); d != "is not a known field" {
			t.Errorf("%s: %q", f, d)
		}
	}
	apiInvalid(t, c.Patch("/_sandbank/settings", `{"idempotency":{"profile":"stripe","mode":"strict"}}`), "/idempotency/mode")
}

func TestValidationSeveralViolationsAtOnce(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("several"))
	r := c.Post("/v1/transfers?dry_run=true", map[string]any{
		"rail": "carrier-pigeon", "amount": -5, "currency": "BRL", "debtor_account_id": "nope",
		"creditor": map[string]any{"iban": 42}, "memo": "x",
	})
	p := apiInvalid(t, r, "/rail", "/amount", "/debtor_account_id", "/creditor/iban", "/memo", "query:dry_run")
	if p.Detail != "6 problems in the request" {
		t.Errorf("detail %q", p.Detail)
	}
	if d, _ := apiViolation(p, "/amount"); !strings.Contains(d, "at least 1") {
		t.Errorf("/amount: %q", d)
	}
	// Amounts with decimals are explained in the currency's minor units.
	r = c.Post("/v1/transfers", map[string]any{
		"rail": "pix", "amount": 10.5, "currency": "BRL", "debtor_account_id": "acc_1", "creditor": map[string]string{"pix_key": "a@example.com"},
	})
	p = apiInvalid(t, r, "/amount")
	if d, _ := apiViolation(p, "/amount"); !strings.Contains(d, "BRL has 2 decimal places") {
		t.Errorf("/amount: %q", d)
	}
}

func TestValidationContentType(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("mediatype"))
	body := `{"by":"1h"}`
	p := apiProblem(t, c.Post("/v1/sandbox/clock/advance", body, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, openapi.CodeUnsupportedMediaType)
	if p.Detail != "this operation accepts application/json, got text/plain" {
		t.Errorf("detail %q", p.Detail)
	}
	p = apiProblem(t, c.Post("/v1/sandbox/clock/advance", body, "Content-Type", ""), http.StatusUnsupportedMediaType, openapi.CodeUnsupportedMediaType)
	if p.Detail != "this operation accepts application/json, got no Content-Type" {
		t.Errorf("detail %q", p.Detail)
	}
	apiProblem(t, c.Post("/v1/sandbox/clock/advance", body, "Content-Type", "application/x-www-form-urlencoded"), http.StatusUnsupportedMediaType, openapi.CodeUnsupportedMediaType)
	// The token endpoint takes a form, not JSON.
	anon := srv.Client("")
	p = apiProblem(t, anon.Post("/oauth/token", `{"grant_type":"client_credentials"}`), http.StatusUnsupportedMediaType, openapi.CodeUnsupportedMediaType)
	if !strings.Contains(p.Detail, "application/x-www-form-urlencoded") {
		t.Errorf("detail %q", p.Detail)
	}
	if now := apiClockNow(t, c); now != "2026-03-02T12:00:00Z" {
		t.Fatalf("a refused request moved the clock to %s", now)
	}
	// Parameters and case do not matter.
	apiJSON(t, c.Post("/v1/sandbox/clock/advance", body, "Content-Type", "Application/JSON; charset=utf-8"), http.StatusOK, nil)
}

func TestValidationEmptyBodyWhereRequired(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("emptybody"))
	for _, path := range []string{"/v1/customers", "/v1/accounts", "/v1/transfers", "/v1/sandbox/clock/advance", "/v1/sandbox/inbound_transfers"} {
		for _, body := range []any{nil, "", "  \n "} {
			p := apiInvalid(t, c.Post(path, body), "")
			if !strings.Contains(p.Errors[0].Detail, "a request body is required") || p.Errors[0].In != "body" {
				t.Errorf("%s %q: %+v", path, body, p.Errors)
			}
		}
	}
	p := apiInvalid(t, c.Patch("/_sandbank/settings", nil), "")
	if !strings.Contains(p.Errors[0].Detail, "required") {
		t.Errorf("%+v", p.Errors)
	}
}

func TestValidationBodyOnOperationWithoutOne(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("nobody"))
	advance(t, c, "1h")
	p := apiInvalid(t, c.Post("/_sandbank/reset", map[string]bool{"keep_data": true}), "")
	if p.Errors[0].Detail != "this operation takes no request body" || p.Errors[0].In != "body" {
		t.Fatalf("%+v", p.Errors)
	}
	if now := apiClockNow(t, c); now != "2026-03-02T13:00:00Z" {
		t.Fatalf("a refused reset reset the clock: %s", now)
	}
	// A body on a GET is refused too, and is judged before the handler.
	apiInvalid(t, c.Do(http.MethodGet, "/v1/accounts", `{"limit":5}`), "")
	apiInvalid(t, c.Post("/v1/transfers/trf_doesnotexist0000/cancel", `{"reason":"typo"}`), "")
	// "{}" (what many clients send with every POST) is tolerated.
	apiJSON(t, c.Post("/_sandbank/reset", "{}"), http.StatusOK, nil)
	if now := apiClockNow(t, c); now != "2026-03-02T12:00:00Z" {
		t.Fatalf("the reset did not run: %s", now)
	}
	apiJSON(t, c.Do(http.MethodGet, "/v1/accounts", " {} "), http.StatusOK, nil)
}

func TestValidationOversizedBody(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{MaxBodyBytes: 1024})
	c := srv.Client(simtest.NewKey("oversized"))
	customer := func(notes int) []byte {
		meta := map[string]string{}
		for i := range notes {
			meta[fmt.Sprintf("note%d", i)] = strings.Repeat("x", 400)
		}
		b, _ := json.Marshal(map[string]any{
			"type": "individual", "name": "Ana", "email": "ana@example.com",
			"tax_id":   map[string]string{"type": "br_cpf", "value": "111.444.777-35"},
			"metadata": meta,
		})
		return b
	}
	small := customer(2)
	big := customer(5)
	if len(small) > 1024 || len(big) <= 1024 {
		t.Fatalf("test bodies of %d and %d bytes", len(small), len(big))
	}

	// With a Content-Length: refused before reading.
	r := c.Post("/v1/customers", big)
	p := apiProblem(t, r, http.StatusRequestEntityTooLarge, "payload_too_large")
	if !strings.Contains(p.Detail, fmt.Sprintf("%d bytes", len(big))) || !strings.Contains(p.Detail, "1024") {
		t.Errorf("detail %q", p.Detail)
	}
	if e := journalEntry(t, c, r); e["status"] != 413.0 || e["problem_code"] != "payload_too_large" {
		t.Errorf("journal %v", e)
	}

	// Chunked, without a Content-Length: refused once the limit is crossed.
	chunked := func(body []byte) *simtest.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/customers", io.MultiReader(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Content-Type", "application/json")
		return c.Send(req)
	}
	r = chunked(big)
	p = apiProblem(t, r, http.StatusRequestEntityTooLarge, "payload_too_large")
	if !strings.Contains(p.Detail, "exceeds 1024 bytes") {
		t.Errorf("detail %q", p.Detail)
	}
	if e := journalEntry(t, c, r); e["status"] != 413.0 || e["problem_code"] != "payload_too_large" {
		t.Errorf("journal %v", e)
	}
	if n := apiTenant(t, c).Counts.Customers; n != 8 {
		t.Fatalf("an oversized request created a customer (%d customers)", n)
	}

	// Under the limit, both ways work.
	apiJSON(t, c.Post("/v1/customers", small), http.StatusCreated, nil)
	apiJSON(t, chunked(small), http.StatusCreated, nil)
	if n := apiTenant(t, c).Counts.Customers; n != 10 {
		t.Fatalf("%d customers, want 10", n)
	}
}

func TestValidationUnknownPath(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("unknownpath")
	c := srv.Client(key)
	for _, path := range []string{"/v1/nothing", "/v1/accounts/acc_1/nothing", "/v2/accounts", "/", "/v1/accounts/acc_1/balances/extra"} {
		for _, client := range []*simtest.Client{c, srv.Client("")} {
			r := client.Get(path)
			p := apiProblem(t, r, http.StatusNotFound, "not_found")
			if p.Instance != path || !strings.Contains(p.Detail, path) {
				t.Errorf("%s: instance %q detail %q", path, p.Instance, p.Detail)
			}
		}
	}
	// The keyed mistakes are in the tenant's journal, without a route.
	var misses int
	for _, e := range c.Journal() {
		if e["problem_code"] == "not_found" {
			misses++
			if e["route"] != nil || e["operation_id"] != nil || e["status"] != 404.0 {
				t.Errorf("journal entry of a 404: %v", e)
			}
		}
	}
	if misses != 5 {
		t.Fatalf("%d not_found entries in the journal, want 5", misses)
	}
}

func TestValidationWrongMethod(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("method"))
	cases := []struct{ method, path, allow string }{
		{http.MethodDelete, "/v1/accounts", "GET, POST"},
		{http.MethodPut, "/v1/customers", "GET, POST"},
		{http.MethodPut, "/_sandbank/settings", "GET, PATCH"},
		{http.MethodGet, "/oauth/token", "POST"},
		{http.MethodDelete, "/v1/transfers/trf_abc", "GET"},
		{http.MethodGet, "/v1/transfers/trf_abc/cancel", "POST"},
		{http.MethodPost, "/healthz", "GET"},
		{http.MethodPatch, "/v1/accounts/acc_1/balances", "GET"},
	}
	for _, tc := range cases {
		r := c.Do(tc.method, tc.path, nil)
		p := apiProblem(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := r.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
		if !strings.Contains(p.Detail, tc.allow) {
			t.Errorf("%s %s: detail %q does not list the methods", tc.method, tc.path, p.Detail)
		}
	}
	// The Allow header lists exactly the contract's methods for each path.
	doc := srv.Sim.Document()
	for _, path := range doc.Paths() {
		concrete := strings.NewReplacer("{id}", "x_1").Replace(path)
		r := c.Do("TRACE", concrete, nil)
		apiProblem(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if got, want := r.Header.Get("Allow"), strings.Join(doc.MethodsFor(path), ", "); got != want {
			t.Errorf("TRACE %s: Allow %q, want %q", path, got, want)
		}
	}
}

func TestValidationUnknownQueryParameter(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("unknownquery"))
	p := apiInvalid(t, c.Get("/v1/accounts?limt=5"), "query:limt")
	if d, _ := apiViolation(p, "query:limt"); d != `unknown query parameter "limt"` {
		t.Errorf("detail %q", d)
	}
	// Also on operations that take no query parameters at all.
	apiInvalid(t, c.Get("/_sandbank/tenant?verbose=1"), "query:verbose")
	apiInvalid(t, c.Post("/v1/sandbox/clock/advance?by=1h", map[string]string{"by": "1h"}), "query:by")
	apiInvalid(t, c.Get("/v1/customers?Limit=5&foo=&bar"), "query:Limit", "query:bar", "query:foo")
	// A query that cannot be decoded is not silently ignored either.
	apiInvalid(t, c.Get("/v1/accounts?limit=%zz"), "query:limit")
	apiInvalid(t, c.Get("/v1/accounts?limit=5;currency=BRL"), "query:limit")
	apiInvalid(t, c.Get("/v1/accounts?currency=BRL&%gg=1"), "query:%gg")
	// Nor is a repeated single-valued parameter.
	p = apiInvalid(t, c.Get("/v1/transfers?status=ACSP&status=RJCT"), "query:status")
	if d, _ := apiViolation(p, "query:status"); !strings.Contains(d, "appears 2 times") {
		t.Errorf("detail %q", d)
	}
}

func TestValidationBadQueryValues(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("badquery"))
	var accounts struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	apiJSON(t, c.Get("/v1/accounts"), http.StatusOK, &accounts)
	acc := accounts.Data[0].ID
	cases := []struct{ path, param, detail string }{
		{"/v1/accounts?limit=abc", "limit", "invalid integer"},
		{"/v1/accounts?limit=0", "limit", "at least 1"},
		{"/v1/accounts?limit=101", "limit", "at most 100"},
		{"/v1/accounts?limit=-1", "limit", "at least 1"},
		{"/v1/accounts?limit=1.5", "limit", "integer"},
		{"/v1/accounts?currency=XXX", "currency", "ISO 4217"},
		{"/v1/accounts?currency=brl", "currency", "regular expression"},
		{"/v1/accounts?customer_id=acc_1", "customer_id", "regular expression"},
		{"/v1/accounts?cursor=%3D%3D", "cursor", "regular expression"},
		{"/v1/customers?type=robot", "type", "allowed values"},
		{"/v1/customers?email=not-an-email", "email", "e-mail"},
		{"/v1/transfers?status=DONE", "status", "allowed values"},
		{"/v1/transfers?rail=swift", "rail", "allowed values"},
		{"/v1/accounts/" + acc + "/transactions?from=notadate", "from", "RFC 3339"},
		{"/v1/accounts/" + acc + "/transactions?to=2026-02-30", "to", "RFC 3339"},
		{"/v1/accounts/" + acc + "/transactions?status=settled", "status", "allowed values"},
		{"/_sandbank/journal?since=yesterday", "since", "date-time"},
		{"/_sandbank/journal?method=FETCH", "method", "allowed values"},
	}
	for _, tc := range cases {
		r := c.Get(tc.path)
		p := apiInvalid(t, r, "query:"+tc.param)
		if d, _ := apiViolation(p, "query:"+tc.param); !strings.Contains(d, tc.detail) {
			t.Errorf("%s: detail %q, want it to mention %q", tc.path, d, tc.detail)
		}
	}
	// Several at once are all named.
	apiInvalid(t, c.Get("/v1/accounts?limit=0&currency=XXX&sort=asc"), "query:limit", "query:currency", "query:sort")
	// A cursor of the right shape but from another list is refused by the handler.
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	apiJSON(t, c.Get("/v1/customers?limit=1"), http.StatusOK, &page)
	p := apiProblem(t, c.Get("/v1/accounts?cursor="+page.NextCursor), http.StatusBadRequest, "invalid_cursor")
	if apiFields(p)[0] != "query:cursor" {
		t.Errorf("%+v", p.Errors)
	}
}

func TestValidationPathParameterPattern(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("pathparam"))
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/accounts/not-an-id"},
		{http.MethodGet, "/v1/accounts/cus_8f3KdL2mQx9TbW4z"},
		{http.MethodGet, "/v1/accounts/acc_/balances"},
		{http.MethodGet, "/v1/accounts/acc_$$/transactions"},
		{http.MethodGet, "/v1/customers/CUS_123"},
		{http.MethodGet, "/v1/transfers/acc_123"},
		{http.MethodPost, "/v1/transfers/trf_1-2/cancel"},
	} {
		p := apiInvalid(t, c.Do(tc.method, tc.path, nil), "path:id")
		if d, _ := apiViolation(p, "path:id"); !strings.Contains(d, "regular expression") {
			t.Errorf("%s: %q", tc.path, d)
		}
	}
	// A well-formed id that does not exist is a 404, not a 400.
	apiProblem(t, c.Get("/v1/accounts/acc_doesnotexist0000"), http.StatusNotFound, "resource_missing")
}

// TestValidationNeverA5xx throws odd requests at every operation: none may
// get a 5xx, and every error must be a complete problem.
func TestValidationNeverA5xx(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{MaxBodyBytes: 4096})
	c := srv.Client(simtest.NewKey("never5xx"))
	bodies := []string{
		"", "{}", "[]", "null", "0", `"s"`, "{", "}", "\x00\x01\x02", "\xff\xfe", `{"a":"\ud800"}`,
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		`{"amount":1e999999}`, `{"amount":-0}`, `{"amount":99999999999999999999999}`,
		`{"by":"999999999h"}`, `{"by":"P99999999D"}`, `{"to":"0000-01-01T00:00:00Z"}`, `{"by":"-1h"}`,
		`{"idempotency":{"profile":null}}`, `{"rail":"internal","amount":1,"currency":"BRL","debtor_account_id":"acc_x","creditor":{"account_id":"acc_x"}}`,
		strings.Repeat("x", 5000),
	}
	queries := []string{"", "?limit=1&limit=2", "?limit=%zz", "?cursor=", "?cursor=" + strings.Repeat("A", 200), "?%00=1", "?from=2026-02-01&to=2020-01-01"}
	contentTypes := []string{"application/json", "text/plain", "", "application/json; charset=latin1", "multipart/form-data; boundary=x"}
	n := 0
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		if _, ok := op.ResponseContent(http.StatusBadRequest); !ok {
			t.Fatalf("%s declares no error response: its 4xx answers would break the contract", op.ID)
		}
		path := strings.NewReplacer("{id}", "acc_doesnotexist0000").Replace(op.Path)
		for i, body := range bodies {
			q := queries[i%len(queries)]
			ct := contentTypes[i%len(contentTypes)]
			headers := []string{"Content-Type", ct}
			if op.ID == "createToken" {
				headers = append(headers, "Content-Type", "application/x-www-form-urlencoded")
			}
			if i%4 == 0 {
				headers = append(headers, "Idempotency-Key", fmt.Sprintf("k-%s-%d", op.ID, i))
			}
			r := c.Do(op.Method, path+q, body, headers...)
			n++
			if r.Status >= 500 {
				t.Errorf("%s %s%s body %.40q → %d: %s", op.Method, path, q, body, r.Status, r.Body)
				continue
			}
			if r.Status >= 400 {
				var p simtest.Problem
				if err := json.Unmarshal(r.Body, &p); err != nil || p.Code == "" || p.Title == "" || p.Type == "" || p.Status != r.Status ||
					r.Header.Get("Content-Type") != openapi.ProblemContentType {
					t.Errorf("%s %s → %d is not a complete problem: %s", op.Method, path, r.Status, r.Body)
				}
			}
		}
	}
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatalf("after %d odd requests the ledger is broken: %v", n, err)
	}
}
