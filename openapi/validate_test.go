package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// testExponents are the currencies the validator tests know, with their
// ISO 4217 minor-unit exponents.
var testExponents = map[string]int{"BRL": 2, "EUR": 2, "GBP": 2, "USD": 2, "JPY": 0, "KWD": 3}

func newTestValidator(t testing.TB) *Validator {
	t.Helper()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return NewValidator(doc,
		WithCurrencyExponent(func(code string) (int, bool) {
			e, ok := testExponents[code]
			return e, ok
		}),
		WithFormat("iso4217", func(code string) error {
			if _, ok := testExponents[code]; !ok {
				return errors.New("not a known currency")
			}
			return nil
		}),
		WithFormat("iban", func(s string) error {
			if len(s) < 15 || s[0] < 'A' || s[0] > 'Z' {
				return errors.New("not an IBAN")
			}
			return nil
		}),
	)
}

type reqSpec struct {
	op          string
	target      string // path and query; the operation's path when empty
	contentType string
	body        string
	params      map[string]string
}

func validateReq(t *testing.T, v *Validator, r reqSpec) (*ValidatedRequest, *RequestError) {
	t.Helper()
	op, ok := v.Document().Operation(r.op)
	if !ok {
		t.Fatalf("no operation %s", r.op)
	}
	target := r.target
	if target == "" {
		target = op.Path
	}
	req := httptest.NewRequest(op.Method, target, strings.NewReader(r.body))
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	return v.ValidateRequest(context.Background(), op, RequestInput{Request: req, PathParams: r.params, Body: []byte(r.body)})
}

// mustFail validates a request that must be refused and returns the error.
func mustFail(t *testing.T, v *Validator, r reqSpec, status int, code string) *RequestError {
	t.Helper()
	_, rerr := validateReq(t, v, r)
	if rerr == nil {
		t.Fatalf("%s %q passed validation", r.op, r.body)
	}
	if rerr.Status != status || rerr.Code != code {
		t.Fatalf("%s %q: %d %s (%s), want %d %s", r.op, r.body, rerr.Status, rerr.Code, rerr.Detail, status, code)
	}
	if rerr.Error() != rerr.Code+": "+rerr.Detail {
		t.Fatalf("Error() = %q", rerr.Error())
	}
	return rerr
}

func mustPass(t *testing.T, v *Validator, r reqSpec) *ValidatedRequest {
	t.Helper()
	out, rerr := validateReq(t, v, r)
	if rerr != nil {
		t.Fatalf("%s %q %q: %s %s %+v", r.op, r.target, r.body, rerr.Code, rerr.Detail, rerr.Violations)
	}
	return out
}

// byField indexes violations by pointer (body) or parameter name.
func byField(vs []Violation) map[string]Violation {
	out := map[string]Violation{}
	for _, v := range vs {
		key := v.Pointer
		if v.Parameter != "" {
			key = v.In + ":" + v.Parameter
		}
		out[key] = v
	}
	return out
}

func fields(vs []Violation) []string {
	var out []string
	for k := range byField(vs) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

const validTransfer = `{"rail":"pix","debtor_account_id":"acc_2Hc9LpQ7xW3mZr8K","amount":15000,"currency":"BRL","creditor":{"pix_key":"maria.silva@example.com"}}`

const validCustomer = `{"type":"individual","name":"Ana","email":"ana@example.com","tax_id":{"type":"br_cpf","value":"111.444.777-35"},
 "address":{"line1":"Avenida Paulista, 1578","city":"São Paulo","state":"SP","postal_code":"01310-200","country":"BR"}}`

func TestDocumentLoadsOnceAndIsValid(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if b := MustLoad(); a != b {
		t.Fatal("Load parsed the document twice")
	}
	if err := a.Validate(context.Background()); err != nil {
		t.Fatalf("the contract is not a valid OpenAPI document: %v", err)
	}
	if !json.Valid(a.JSON()) || !strings.Contains(string(a.YAML()), "\nopenapi: 3.0.3\n") {
		t.Fatal("JSON/YAML forms are broken")
	}
	ops := a.Operations()
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	seen := map[string]bool{}
	for i, op := range ops {
		if seen[op.ID] {
			t.Fatalf("duplicate operation %s", op.ID)
		}
		seen[op.ID] = true
		if i > 0 && (ops[i-1].Path > op.Path || ops[i-1].Path == op.Path && ops[i-1].Method >= op.Method) {
			t.Fatalf("operations not ordered by path then method at %s %s", op.Method, op.Path)
		}
		if !op.Public && len(op.Scopes) == 0 {
			t.Errorf("%s needs credentials but declares no OAuth scope", op.ID)
		}
	}
	// Operations returns a copy.
	ops[0] = nil
	if a.Operations()[0] == nil {
		t.Fatal("Operations exposes the document's own slice")
	}
}

func TestOperationIndex(t *testing.T) {
	doc := MustLoad()
	op, ok := doc.Operation("createTransfer")
	if !ok {
		t.Fatal("no createTransfer")
	}
	if op.Method != http.MethodPost || op.Path != "/v1/transfers" || op.Public || !op.MoneyMovement || !op.BodyRequired {
		t.Fatalf("createTransfer: %+v", op)
	}
	if !reflect.DeepEqual(op.Scopes, []string{"transfers:write"}) || !reflect.DeepEqual(op.BodyContentTypes, []string{"application/json"}) {
		t.Fatalf("scopes %v content types %v", op.Scopes, op.BodyContentTypes)
	}
	if !op.HasParameter("header", "Idempotency-Key") || op.HasParameter("query", "Idempotency-Key") {
		t.Fatal("HasParameter")
	}
	for _, h := range []string{"application/json", "application/json; charset=utf-8", " Application/JSON "} {
		if mt, ok := op.AcceptsContentType(h); !ok || mt != "application/json" {
			t.Errorf("AcceptsContentType(%q) = %q, %v", h, mt, ok)
		}
	}
	if mt, ok := op.AcceptsContentType("text/plain; charset=utf-8"); ok || mt != "text/plain" {
		t.Errorf("AcceptsContentType(text/plain) = %q, %v", mt, ok)
	}
	if h, _ := doc.Operation("getHealth"); !h.Public || len(h.Scopes) != 0 {
		t.Fatalf("getHealth: %+v", h)
	}
	if tok, _ := doc.Operation("createToken"); !tok.Public || !reflect.DeepEqual(tok.BodyContentTypes, []string{"application/x-www-form-urlencoded"}) {
		t.Fatalf("createToken: %+v", tok)
	}
	if got := doc.MethodsFor("/_sandbank/settings"); !reflect.DeepEqual(got, []string{"GET", "PATCH"}) {
		t.Fatalf("MethodsFor settings = %v", got)
	}
	if got := doc.MethodsFor("/nowhere"); got != nil {
		t.Fatalf("MethodsFor(/nowhere) = %v", got)
	}
	if !slices.Contains(doc.Paths(), "/v1/accounts/{id}/transactions") {
		t.Fatalf("Paths() = %v", doc.Paths())
	}
	if StatusText(404) != "Not Found" || StatusText(599) != "Status 599" {
		t.Fatal("StatusText")
	}
}

func TestValidRequestsPass(t *testing.T) {
	v := newTestValidator(t)
	out := mustPass(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: validTransfer})
	body, ok := out.Body.(map[string]any)
	if !ok || body["amount"] != json.Number("15000") {
		t.Fatalf("decoded body %#v (numbers must stay json.Number)", out.Body)
	}
	mustPass(t, v, reqSpec{op: "createCustomer", contentType: "application/json; charset=utf-8", body: validCustomer})
	mustPass(t, v, reqSpec{op: "listAccounts", target: "/v1/accounts?limit=100&currency=BRL&customer_id=cus_8f3KdL2mQx9TbW4z"})
	mustPass(t, v, reqSpec{op: "listAccountTransactions", target: "/v1/accounts/acc_1/transactions?from=2026-02-01&to=2026-02-01T10:00:00Z&limit=1",
		params: map[string]string{"id": "acc_1"}})
	mustPass(t, v, reqSpec{op: "getJournal", target: "/_sandbank/journal?method=POST&path=%2Fv1%2Ftransfers%2F%7Bid%7D&since=2026-01-01T00:00:00Z"})
}

func TestNestedFieldPointers(t *testing.T) {
	v := newTestValidator(t)
	rerr := mustFail(t, v, reqSpec{op: "createCustomer", contentType: "application/json", body: `{
		"type": "individual", "name": "", "email": "Ana <ana@example.com>",
		"tax_id": {"type": "br_cpf"},
		"address": {"line1": "x", "city": "y", "postal_code": "1", "country": "Brazil", "zip": "01310"}
	}`}, 400, CodeValidationFailed)
	got := byField(rerr.Violations)
	want := map[string]string{
		"/name":            "minimum string length is 1",
		"/email":           `format "email"`,
		"/tax_id/value":    "is required",
		"/address/country": "regular expression",
		"/address/zip":     "is not a known field",
	}
	if !reflect.DeepEqual(fields(rerr.Violations), []string{"/address/country", "/address/zip", "/email", "/name", "/tax_id/value"}) {
		t.Fatalf("pointers %v", fields(rerr.Violations))
	}
	for p, detail := range want {
		if !strings.Contains(got[p].Detail, detail) || got[p].In != "body" {
			t.Errorf("%s: %+v, want detail containing %q", p, got[p], detail)
		}
	}
	if rerr.Detail != "5 problems in the request" {
		t.Errorf("detail %q", rerr.Detail)
	}
}

func TestUnknownFields(t *testing.T) {
	v := newTestValidator(t)
	cases := []struct {
		op, body string
		want     []string
	}{
		{"createTransfer", strings.Replace(validTransfer, `"rail"`, `"speed":"fast","rail"`, 1), []string{"/speed"}},
		{"createTransfer", strings.Replace(validTransfer, `"pix_key"`, `"nickname":"M","pix_key"`, 1), []string{"/creditor/nickname"}},
		{"updateSettings", `{"idempotency":{"profile":"stripe","color":"blue"}}`, []string{"/idempotency/color"}},
		{"updateSettings", `{"theme":"dark"}`, []string{"/theme"}},
		// A pointer escapes "/" and "~" (RFC 6901).
		{"updateSettings", `{"a/b~c":1}`, []string{"/a~1b~0c"}},
	}
	for _, tc := range cases {
		rerr := mustFail(t, v, reqSpec{op: tc.op, contentType: "application/json", body: tc.body}, 400, CodeValidationFailed)
		if got := fields(rerr.Violations); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s: pointers %v, want %v", tc.op, tc.body, got, tc.want)
			continue
		}
		if d := rerr.Violations[0].Detail; d != "is not a known field" {
			t.Errorf("%s: detail %q", tc.op, d)
		}
	}
}

func TestMissingRequired(t *testing.T) {
	v := newTestValidator(t)
	rerr := mustFail(t, v, reqSpec{op: "createCustomer", contentType: "application/json", body: `{"type":"individual"}`}, 400, CodeValidationFailed)
	if got := fields(rerr.Violations); !reflect.DeepEqual(got, []string{"/email", "/name", "/tax_id"}) {
		t.Fatalf("pointers %v", got)
	}
	for _, vi := range rerr.Violations {
		if vi.Detail != "is required" || vi.In != "body" {
			t.Errorf("%+v", vi)
		}
	}
	rerr = mustFail(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: `{"rail":"pix","amount":1,"currency":"BRL","debtor_account_id":"acc_1","creditor":{}}`}, 400, CodeValidationFailed)
	if got := fields(rerr.Violations); !reflect.DeepEqual(got, []string{"/creditor"}) {
		t.Fatalf("empty creditor: %v", got)
	}
}

func TestSeveralViolationsAreAllListed(t *testing.T) {
	v := newTestValidator(t)
	rerr := mustFail(t, v, reqSpec{op: "createTransfer", target: "/v1/transfers?dry_run=1", contentType: "application/json",
		body: `{"rail":"bitcoin","amount":-5,"currency":"brl","creditor":{"iban":5},"debtor_account_id":"nope","x":1}`}, 400, CodeValidationFailed)
	want := []string{"/amount", "/creditor/iban", "/currency", "/debtor_account_id", "/rail", "/x", "query:dry_run"}
	if got := fields(rerr.Violations); !reflect.DeepEqual(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	// "brl" breaks both the pattern and the currency format: two violations.
	if rerr.Detail != "8 problems in the request" || len(rerr.Violations) != 8 {
		t.Fatalf("detail %q, %d violations", rerr.Detail, len(rerr.Violations))
	}
	one := mustFail(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: strings.Replace(validTransfer, "15000", "0", 1)}, 400, CodeValidationFailed)
	if one.Detail != "1 problem in the request" || len(one.Violations) != 1 || one.Violations[0].Pointer != "/amount" {
		t.Fatalf("%q %+v", one.Detail, one.Violations)
	}
}

func TestMinorUnitsDetailPerCurrencyExponent(t *testing.T) {
	v := newTestValidator(t)
	body := func(amount, currency string) string {
		b := `{"rail":"pix","debtor_account_id":"acc_1","amount":` + amount + `,"creditor":{"pix_key":"x@example.com"}`
		if currency != "" {
			b += `,"currency":"` + currency + `"`
		}
		return b + "}"
	}
	cases := []struct{ amount, currency, want string }{
		{"10.5", "BRL", "amount is an integer number of minor units; BRL has 2 decimal places, so 10.55 BRL is sent as 1055"},
		{"10.50", "EUR", "EUR has 2 decimal places"},
		{"1050.0", "JPY", "amount is an integer number of minor units; JPY has no decimal places, so 1000 JPY is sent as 1000"},
		{"1000.5", "JPY", "JPY has no decimal places"},
		{"1.05e3", "KWD", "amount is an integer number of minor units; KWD has 3 decimal places, so 10.555 KWD is sent as 10555"},
		{"1E2", "KWD", "KWD has 3 decimal places"},
		{`"1050"`, "BRL", "BRL has 2 decimal places"},
		{"10.5", "", "for a currency with 2 decimal places, 10.50 is sent as 1050"},
	}
	for _, tc := range cases {
		rerr := mustFail(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: body(tc.amount, tc.currency)}, 400, CodeValidationFailed)
		amount := byField(rerr.Violations)["/amount"]
		if !strings.Contains(amount.Detail, tc.want) {
			t.Errorf("amount %s %s: %q, want it to contain %q", tc.amount, tc.currency, amount.Detail, tc.want)
		}
		n := 0
		for _, vi := range rerr.Violations {
			if vi.Pointer == "/amount" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("amount %s: %d violations for /amount, want 1: %+v", tc.amount, n, rerr.Violations)
		}
	}
	// An unknown currency is named at /currency, and the amount falls back to the generic explanation.
	rerr := mustFail(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: body("10.5", "XYZ")}, 400, CodeValidationFailed)
	got := byField(rerr.Violations)
	if !strings.Contains(got["/currency"].Detail, "not a known currency") || !strings.Contains(got["/amount"].Detail, "10.50 is sent as 1050") {
		t.Fatalf("%+v", rerr.Violations)
	}
	// Integers pass, whatever the exponent.
	for _, cur := range []string{"JPY", "KWD", "BRL"} {
		mustPass(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: body("1050", cur)})
	}
}

func TestArrayPointers(t *testing.T) {
	v := newTestValidator(t)
	money := func() *openapi3.SchemaRef {
		return &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"integer"}, Extensions: map[string]any{"x-sandbank-money": true}}}
	}
	line := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"amount":   money(),
		"currency": &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		"tags":     &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}}}},
	}}
	schema := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"lines": &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: &openapi3.SchemaRef{Value: line}}},
	}}
	var example any
	if err := json.Unmarshal([]byte(`{"lines":[
		{"amount":100,"currency":"BRL","tags":["ok"]},
		{"amount":10.5,"currency":"JPY","tags":["ok", 7]},
		{"amount":7.5,"currency":"KWD"}]}`), &example); err != nil {
		t.Fatal(err)
	}
	vs := v.ValidateExample(schema, example, true)
	got := byField(vs)
	if !reflect.DeepEqual(fields(vs), []string{"/lines/1/amount", "/lines/1/tags/1", "/lines/2/amount"}) {
		t.Fatalf("pointers %v: %+v", fields(vs), vs)
	}
	if !strings.Contains(got["/lines/1/amount"].Detail, "JPY has no decimal places") || !strings.Contains(got["/lines/2/amount"].Detail, "KWD has 3 decimal places") {
		t.Fatalf("details %+v", vs)
	}
	// As a response, integral floats are not second-guessed (only the type rules apply).
	if vs := v.ValidateExample(schema, map[string]any{"lines": []any{map[string]any{"amount": 7.0}}}, false); len(vs) != 0 {
		t.Fatalf("response example: %+v", vs)
	}

	// Lists in responses are allOf(ListEnvelope, ...): errors inside items
	// must still name the item and field, not just the envelope.
	op, _ := v.Document().Operation("listTransfers")
	h := http.Header{"Content-Type": {"application/json"}}
	vs = v.ValidateResponse(op, 200, h, []byte(`{"data":[{"id":"bad"}],"has_more":false,"next_cursor":null}`))
	got = byField(vs)
	if _, ok := got["/data/0/id"]; !ok {
		t.Fatalf("no /data/0/id violation: %+v", vs)
	}
	if _, ok := got["/data/0/status_history"]; !ok || got["/data/0/status_history"].Detail != "is required" {
		t.Fatalf("no /data/0/status_history violation: %+v", vs)
	}
	if _, ok := got[""]; ok {
		t.Fatalf("an envelope-level violation hides the real ones: %+v", vs)
	}
}

func TestDecodeJSON(t *testing.T) {
	v, err := DecodeJSON([]byte(` {"amount": 1.50, "n": 12345678901234567890, "list": [1, "a", null]} `))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["amount"] != json.Number("1.50") || m["n"] != json.Number("12345678901234567890") {
		t.Fatalf("numbers are not kept as written: %#v", m)
	}
	cases := []struct{ body, want string }{
		{"x", "invalid character 'x' looking for beginning of value at line 1, column 1"},
		{"{]", "at line 1, column 2"},
		{`{"a":1,}`, "at line 1, column 8"},
		{"{\"type\":\n  \"individual\",\n  \"name\": }", "invalid character '}' looking for beginning of value at line 3, column 11"},
		{"\r\n\r\n   {\"a\":tru}", "at line 3, column 12"},
		// Columns count characters, not bytes.
		{`{"city":"São Paulo" "x"}`, "at line 1, column 21"},
		{"", "it ends unexpectedly after 0 bytes"},
		{`{"a":`, "it ends unexpectedly after 5 bytes"},
		{`{"a":"unterminated`, "it ends unexpectedly"},
		// Trailing data: the position of its first byte.
		{"{} x", "unexpected data after the JSON value at line 1, column 4"},
		{"{}{}", "unexpected data after the JSON value at line 1, column 3"},
		{"1 2", "unexpected data after the JSON value at line 1, column 3"},
		{"{}\n\n  ]", "unexpected data after the JSON value at line 3, column 3"},
		{`{"a":1}garbage`, "unexpected data after the JSON value at line 1, column 8"},
	}
	for _, tc := range cases {
		_, err := DecodeJSON([]byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeJSON(%q) = %v, want %q", tc.body, err, tc.want)
		}
	}
	for _, ok := range []string{"{}", " {} \n\t\r\n", "[1]", "null", `"s"`, "0"} {
		if _, err := DecodeJSON([]byte(ok)); err != nil {
			t.Errorf("DecodeJSON(%q): %v", ok, err)
		}
	}
}

func TestMalformedBodiesThroughValidateRequest(t *testing.T) {
	v := newTestValidator(t)
	// Positions refer to the body as sent, leading blank lines included.
	rerr := mustFail(t, v, reqSpec{op: "createCustomer", contentType: "application/json", body: "\n\n{\"type\": }"}, 400, CodeMalformedJSON)
	if !strings.Contains(rerr.Detail, "line 3, column 10") || len(rerr.Violations) != 0 {
		t.Fatalf("%q %+v", rerr.Detail, rerr.Violations)
	}
	rerr = mustFail(t, v, reqSpec{op: "advanceClock", contentType: "application/json", body: `{"by":"1s"} trailing`}, 400, CodeMalformedJSON)
	if !strings.Contains(rerr.Detail, "unexpected data after the JSON value at line 1, column 13") {
		t.Fatalf("%q", rerr.Detail)
	}
	// A body of the wrong JSON type is a schema violation at the root.
	for _, body := range []string{"[]", `"x"`, "null", "1"} {
		rerr = mustFail(t, v, reqSpec{op: "createCustomer", contentType: "application/json", body: body}, 400, CodeValidationFailed)
		if len(rerr.Violations) != 1 || rerr.Violations[0].Pointer != "" || rerr.Violations[0].In != "body" {
			t.Errorf("%s: %+v", body, rerr.Violations)
		}
	}
}

func TestContentType(t *testing.T) {
	v := newTestValidator(t)
	rerr := mustFail(t, v, reqSpec{op: "createTransfer", contentType: "text/plain", body: validTransfer}, 415, CodeUnsupportedMediaType)
	if rerr.Detail != "this operation accepts application/json, got text/plain" {
		t.Fatalf("detail %q", rerr.Detail)
	}
	rerr = mustFail(t, v, reqSpec{op: "createTransfer", body: validTransfer}, 415, CodeUnsupportedMediaType)
	if rerr.Detail != "this operation accepts application/json, got no Content-Type" {
		t.Fatalf("detail %q", rerr.Detail)
	}
	rerr = mustFail(t, v, reqSpec{op: "createToken", contentType: "application/json", body: `{"grant_type":"client_credentials"}`}, 415, CodeUnsupportedMediaType)
	if !strings.Contains(rerr.Detail, "application/x-www-form-urlencoded") {
		t.Fatalf("detail %q", rerr.Detail)
	}
	// The media type is compared without parameters and case-insensitively.
	mustPass(t, v, reqSpec{op: "createTransfer", contentType: "Application/JSON; charset=UTF-8", body: validTransfer})
	// A body that is malformed and of the wrong type: the media type is judged first.
	mustFail(t, v, reqSpec{op: "createTransfer", contentType: "text/xml", body: "<transfer/>"}, 415, CodeUnsupportedMediaType)
}

func TestRequestBodyPresence(t *testing.T) {
	v := newTestValidator(t)
	// Required body missing (whitespace counts as missing).
	for _, body := range []string{"", "  \n"} {
		rerr := mustFail(t, v, reqSpec{op: "createTransfer", contentType: "application/json", body: body}, 400, CodeValidationFailed)
		if len(rerr.Violations) != 1 || rerr.Violations[0].Pointer != "" || rerr.Violations[0].In != "body" ||
			rerr.Violations[0].Detail != "a request body is required (application/json)" {
			t.Fatalf("%q: %+v", body, rerr.Violations)
		}
	}
	// An operation without a body tolerates "{}" and nothing, nothing else.
	for _, body := range []string{"", "{}", " {} \n"} {
		mustPass(t, v, reqSpec{op: "resetTenant", contentType: "application/json", body: body})
		mustPass(t, v, reqSpec{op: "cancelTransfer", target: "/v1/transfers/trf_1/cancel", body: body, params: map[string]string{"id": "trf_1"}})
	}
	for _, body := range []string{`{"a":1}`, "[]", "x"} {
		rerr := mustFail(t, v, reqSpec{op: "resetTenant", contentType: "application/json", body: body}, 400, CodeValidationFailed)
		if len(rerr.Violations) != 1 || rerr.Violations[0].Detail != "this operation takes no request body" || rerr.Violations[0].In != "body" {
			t.Fatalf("%q: %+v", body, rerr.Violations)
		}
	}
}

func TestQueryAndPathParameters(t *testing.T) {
	v := newTestValidator(t)
	cases := []struct {
		op, target string
		params     map[string]string
		want       []string
		detail     string
	}{
		{"listAccounts", "/v1/accounts?limt=5", nil, []string{"query:limt"}, `unknown query parameter "limt"`},
		{"listAccounts", "/v1/accounts?limit=abc", nil, []string{"query:limit"}, "invalid integer"},
		{"listAccounts", "/v1/accounts?limit=0", nil, []string{"query:limit"}, "at least 1"},
		{"listAccounts", "/v1/accounts?limit=101", nil, []string{"query:limit"}, "at most 100"},
		{"listAccounts", "/v1/accounts?currency=XXX", nil, []string{"query:currency"}, "not a known currency"},
		{"listAccounts", "/v1/accounts?currency=brl", nil, []string{"query:currency"}, "regular expression"},
		{"listAccounts", "/v1/accounts?cursor=not%20a%20cursor", nil, []string{"query:cursor"}, "regular expression"},
		{"listCustomers", "/v1/customers?email=bad", nil, []string{"query:email"}, `format "email"`},
		{"listCustomers", "/v1/customers?type=robot", nil, []string{"query:type"}, "allowed values"},
		{"listAccountTransactions", "/v1/accounts/acc_1/transactions?from=notadate", map[string]string{"id": "acc_1"}, []string{"query:from"}, "RFC 3339"},
		{"getJournal", "/_sandbank/journal?since=2026-02-01", nil, []string{"query:since"}, "date-time"},
		{"getJournal", "/_sandbank/journal?method=FETCH", nil, []string{"query:method"}, "allowed values"},
		{"getAccount", "/v1/accounts/not-an-id", map[string]string{"id": "not-an-id"}, []string{"path:id"}, "regular expression"},
		{"getTransfer", "/v1/transfers/acc_1", map[string]string{"id": "acc_1"}, []string{"path:id"}, "^trf_"},
	}
	for _, tc := range cases {
		rerr := mustFail(t, v, reqSpec{op: tc.op, target: tc.target, params: tc.params}, 400, CodeValidationFailed)
		if got := fields(rerr.Violations); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.target, got, tc.want)
			continue
		}
		if !strings.Contains(rerr.Violations[0].Detail, tc.detail) {
			t.Errorf("%s: detail %q, want it to contain %q", tc.target, rerr.Violations[0].Detail, tc.detail)
		}
		if rerr.Violations[0].Pointer != "" {
			t.Errorf("%s: a parameter violation has a body pointer %q", tc.target, rerr.Violations[0].Pointer)
		}
	}
	// Several bad parameters at once are all listed, unknown ones sorted first.
	rerr := mustFail(t, v, reqSpec{op: "listAccounts", target: "/v1/accounts?zeta=1&alpha=2&limit=abc&currency=XXX"}, 400, CodeValidationFailed)
	var order []string
	for _, vi := range rerr.Violations {
		order = append(order, vi.Parameter)
	}
	if len(order) != 4 || order[0] != "alpha" || order[1] != "zeta" || !slices.Contains(order, "limit") || !slices.Contains(order, "currency") {
		t.Fatalf("order %v", order)
	}
}

func TestUndecodableAndRepeatedQueryParameters(t *testing.T) {
	v := newTestValidator(t)
	cases := []struct {
		target string
		want   []string
		detail string
	}{
		{"/v1/accounts?limit=%zz", []string{"query:limit"}, "cannot be decoded"},
		{"/v1/accounts?currency=BRL&limit=5;x=1", []string{"query:limit"}, "cannot be decoded"},
		{"/v1/accounts?%zz=1&limit=5", []string{"query:%zz"}, "cannot be decoded"},
		{"/v1/accounts?limit=1&limit=2", []string{"query:limit"}, "appears 2 times"},
		{"/v1/accounts?currency=BRL&currency=EUR&currency=GBP", []string{"query:currency"}, "appears 3 times"},
	}
	for _, tc := range cases {
		rerr := mustFail(t, v, reqSpec{op: "listAccounts", target: tc.target}, 400, CodeValidationFailed)
		if got := fields(rerr.Violations); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v (%+v)", tc.target, got, tc.want, rerr.Violations)
			continue
		}
		if !strings.Contains(rerr.Violations[0].Detail, tc.detail) {
			t.Errorf("%s: detail %q", tc.target, rerr.Violations[0].Detail)
		}
	}
	// Encoded values are fine.
	mustPass(t, v, reqSpec{op: "listCustomers", target: "/v1/customers?email=ana%2Btag%40example.com&limit=5"})
}

func TestFormBodies(t *testing.T) {
	v := newTestValidator(t)
	out := mustPass(t, v, reqSpec{op: "createToken", contentType: "application/x-www-form-urlencoded",
		body: "grant_type=client_credentials&client_id=ci_test_abc&client_secret=sk_test_abc&scope=accounts%3Aread+admin"})
	if out.Form.Get("scope") != "accounts:read admin" || out.Form.Get("client_id") != "ci_test_abc" {
		t.Fatalf("form %v", out.Form)
	}
	rerr := mustFail(t, v, reqSpec{op: "createToken", contentType: "application/x-www-form-urlencoded",
		body: "grant_type=a&grant_type=b&username=u"}, 400, CodeValidationFailed)
	got := byField(rerr.Violations)
	if !reflect.DeepEqual(fields(rerr.Violations), []string{"/grant_type", "/username"}) ||
		got["/grant_type"].Detail != `field "grant_type" appears 2 times` || got["/username"].Detail != "is not a known field" {
		t.Fatalf("%+v", rerr.Violations)
	}
	rerr = mustFail(t, v, reqSpec{op: "createToken", contentType: "application/x-www-form-urlencoded", body: "client_id=x"}, 400, CodeValidationFailed)
	if !reflect.DeepEqual(fields(rerr.Violations), []string{"/grant_type"}) {
		t.Fatalf("%+v", rerr.Violations)
	}
	rerr = mustFail(t, v, reqSpec{op: "createToken", contentType: "application/x-www-form-urlencoded", body: "grant_type=%zz"}, 400, CodeValidationFailed)
	if !strings.Contains(rerr.Detail, "form body cannot be parsed") {
		t.Fatalf("%q", rerr.Detail)
	}
}

func TestValidateResponse(t *testing.T) {
	v := newTestValidator(t)
	doc := v.Document()
	health, _ := doc.Operation("getHealth")
	js := http.Header{"Content-Type": {"application/json"}}
	if vs := v.ValidateResponse(health, 200, js, []byte(`{"status":"ok","version":"1"}`)); len(vs) != 0 {
		t.Fatalf("valid response: %+v", vs)
	}
	if vs := v.ValidateResponse(health, 200, js, []byte(`{"status":"sleepy","version":"1"}`)); len(vs) != 1 || vs[0].Pointer != "/status" {
		t.Fatalf("bad enum: %+v", vs)
	}
	if vs := v.ValidateResponse(health, 200, js, []byte(`{"status":`)); len(vs) != 1 || !strings.Contains(vs[0].Detail, "not JSON") {
		t.Fatalf("broken JSON: %+v", vs)
	}
	if vs := v.ValidateResponse(health, 200, http.Header{"Content-Type": {"text/plain"}}, []byte("ok")); len(vs) != 1 || !strings.Contains(vs[0].Detail, `Content-Type "text/plain" is not declared`) {
		t.Fatalf("wrong media type: %+v", vs)
	}
	// An operation with only a 200 response: any other status is undeclared.
	only200 := &Operation{ID: "only200", Op: &openapi3.Operation{Responses: openapi3.NewResponses(
		openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("ok")}))}}
	if vs := v.ValidateResponse(only200, 404, js, nil); len(vs) != 1 || vs[0].Detail != "status 404 is not declared for only200" {
		t.Fatalf("undeclared status: %+v", vs)
	}
	yaml, _ := doc.Operation("getOpenAPIYAML")
	if vs := v.ValidateResponse(yaml, 200, http.Header{"Content-Type": {"application/yaml"}}, doc.YAML()); len(vs) != 0 {
		t.Fatalf("YAML: %+v", vs)
	}
	// Any declared "default" covers errors, and problem bodies are checked.
	acc, _ := doc.Operation("getAccount")
	pj := http.Header{"Content-Type": {ProblemContentType}}
	if vs := v.ValidateResponse(acc, 404, pj, []byte(`{"type":"x","title":"t","status":404,"code":"resource_missing"}`)); len(vs) != 0 {
		t.Fatalf("problem: %+v", vs)
	}
	if vs := v.ValidateResponse(acc, 404, pj, []byte(`{"title":"t","status":404,"code":"c","errors":[{"pointer":"/a"}]}`)); !reflect.DeepEqual(fields(vs), []string{"/errors/0/detail", "/type"}) {
		t.Fatalf("bad problem: %+v", vs)
	}
}

func TestParseDateOrDateTime(t *testing.T) {
	ok := []struct {
		in   string
		want time.Time
	}{
		{"2026-02-01", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-02-01T10:00:00Z", time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-02-01T10:00:00.123456789Z", time.Date(2026, 2, 1, 10, 0, 0, 123456789, time.UTC)},
		{"2026-02-01T10:00:00-03:00", time.Date(2026, 2, 1, 13, 0, 0, 0, time.UTC)},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range ok {
		got, err := ParseDateOrDateTime(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDateOrDateTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "notadate", "2026-13-01", "2026-02-30", "2025-02-29", "2026-2-1", "2026-02-01T10:00:00", "2026-02-01 10:00:00Z", "01/02/2026", "1769940000"} {
		if got, err := ParseDateOrDateTime(bad); err == nil {
			t.Errorf("ParseDateOrDateTime(%q) = %v, want an error", bad, got)
		} else if !strings.Contains(err.Error(), "2026-02-01") {
			t.Errorf("error %q does not show an example", err)
		}
	}
}

func TestEmailFormat(t *testing.T) {
	for _, ok := range []string{"ana@example.com", "ana.souza+tag@mail.example.com.br", "a_b-c@sub.example.io"} {
		if err := checkEmail(ok); err != nil {
			t.Errorf("checkEmail(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ana", "@example.com", "ana@", "ana@localhost", "Ana <ana@example.com>", "ana@example.com (Ana)", "ana @example.com", "ana@@example.com"} {
		if err := checkEmail(bad); err == nil {
			t.Errorf("checkEmail(%q) accepted", bad)
		}
	}
	v := newTestValidator(t)
	body := strings.Replace(validCustomer, "ana@example.com", "ana@localhost", 1)
	rerr := mustFail(t, v, reqSpec{op: "createCustomer", contentType: "application/json", body: body}, 400, CodeValidationFailed)
	if !strings.Contains(byField(rerr.Violations)["/email"].Detail, "with a domain") {
		t.Fatalf("%+v", rerr.Violations)
	}
}

func TestUUIDFormat(t *testing.T) {
	for _, ok := range []string{"3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", "3F9C2A71-5B8E-4D1F-A6C3-9E2B7D4F0A18", "00000000-0000-0000-0000-000000000000"} {
		if err := checkUUID(ok); err != nil {
			t.Errorf("checkUUID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a1", "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a188", "3f9c2a715b8e-4d1f-a6c3-9e2b7d4f0a18-",
		"3f9c2a71-5b8e-4d1f-a6c3_9e2b7d4f0a18", "gf9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", "{3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a1}", "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0aé"} {
		if err := checkUUID(bad); err == nil {
			t.Errorf("checkUUID(%q) accepted", bad)
		}
	}
	// The format is wired into the validator.
	v := newTestValidator(t)
	schema := &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "uuid"}
	if vs := v.ValidateExample(schema, "not-a-uuid", true); len(vs) != 1 || !strings.Contains(vs[0].Detail, "expected a UUID") {
		t.Fatalf("%+v", vs)
	}
	if vs := v.ValidateExample(schema, "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18", true); len(vs) != 0 {
		t.Fatalf("%+v", vs)
	}
}

func TestProblemMarshalJSON(t *testing.T) {
	p := &Problem{Title: "Invalid request", Status: 400, Code: "validation_failed"}
	raw, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"type":"https://sandbank.dev/problems/validation_failed","title":"Invalid request","status":400,"code":"validation_failed"}` {
		t.Fatalf("minimal problem: %s", raw)
	}
	if p.Error() != "validation_failed" {
		t.Fatalf("Error() = %q", p.Error())
	}

	p = &Problem{
		Type: "about:blank", Title: "Client authentication failed", Status: 401, Detail: "wrong secret",
		Instance: "/oauth/token", Code: "invalid_client", RequestID: "req_1",
		Errors: []Violation{{Parameter: "client_secret", In: "body", Detail: "does not match"}},
		Extra: map[string]any{
			"error": "invalid_client", "error_description": "wrong secret", "retry_in": 3,
			// Standard members are never overridden, even when omitted.
			"status": 999, "code": "hijack", "type": "evil", "errors": "nope",
		},
	}
	raw, err = json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	want := map[string]any{
		"type": "about:blank", "title": "Client authentication failed", "status": 401.0, "detail": "wrong secret",
		"instance": "/oauth/token", "code": "invalid_client", "request_id": "req_1",
		"errors": []any{map[string]any{"parameter": "client_secret", "in": "body", "detail": "does not match"}},
		"error":  "invalid_client", "error_description": "wrong secret", "retry_in": 3.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if p.Error() != "invalid_client: wrong secret" {
		t.Fatalf("Error() = %q", p.Error())
	}
	// The standard members come first, then the extensions in a stable order.
	s := string(raw)
	if !strings.HasPrefix(s, `{"type":"about:blank","title":`) {
		t.Fatalf("standard members are not first: %s", s)
	}
	last := strings.Index(s, `"errors":`)
	for _, ext := range []string{`"error":`, `"error_description":`, `"retry_in":`} {
		i := strings.Index(s, ext)
		if i < last {
			t.Fatalf("extension %s before the standard members: %s", ext, s)
		}
		last = i
	}
	again, _ := json.Marshal(p)
	if string(again) != s {
		t.Fatalf("not stable:\n%s\n%s", s, again)
	}

	// An omitted standard member cannot be supplied by an extension either.
	raw, _ = json.Marshal(&Problem{Title: "t", Status: 400, Code: "c", Extra: map[string]any{"detail": "sneaky", "x": true}})
	if strings.Contains(string(raw), "sneaky") || !strings.HasSuffix(string(raw), `,"x":true}`) {
		t.Fatalf("%s", raw)
	}
	// The problem validates against the contract's Problem schema.
	v := newTestValidator(t)
	var val any
	_ = json.Unmarshal(raw, &val)
	if vs := v.ValidateExample(v.Document().T.Components.Schemas["Problem"].Value, val, false); len(vs) != 0 {
		t.Fatalf("%+v", vs)
	}
	// An extension that cannot be encoded is an error, not a broken body.
	if _, err := json.Marshal(&Problem{Code: "c", Extra: map[string]any{"bad": math.Inf(1)}}); err == nil {
		t.Fatal("an unencodable extension was accepted")
	}
}
