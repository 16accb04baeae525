package simulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// The contract and the server must describe the same API: every operation
// has a handler, every handler an operation, every route leads to its
// operation, and every example validates against its schema.

func TestDocumentIsValidOpenAPI303(t *testing.T) {
	doc := openapi.MustLoadWithExamples()
	if doc.T.OpenAPI != "3.0.3" {
		t.Fatalf("openapi %q, want 3.0.3", doc.T.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestEveryOperationHasAHandlerAndEveryHandlerAnOperation(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	var documented []string
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		documented = append(documented, op.ID)
	}
	sort.Strings(documented)
	handled := srv.Sim.HandledOperations()
	if strings.Join(documented, ",") != strings.Join(handled, ",") {
		t.Fatalf("operations in the contract:\n%v\nhandlers:\n%v", documented, handled)
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// examplePath fills a template's parameters with their schema's example.
func examplePath(t *testing.T, op *openapi.Operation) string {
	t.Helper()
	return pathParam.ReplaceAllStringFunc(op.Path, func(m string) string {
		name := m[1 : len(m)-1]
		for _, ref := range append(append(openapi3.Parameters{}, op.Item.Parameters...), op.Op.Parameters...) {
			p := ref.Value
			if p.In == "path" && p.Name == name && p.Schema != nil && p.Schema.Value.Example != nil {
				return p.Schema.Value.Example.(string)
			}
		}
		t.Fatalf("%s: path parameter %s has no example", op.ID, name)
		return ""
	})
}

func TestEveryRouteReachesItsOperation(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("routes"))
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		t.Run(op.ID, func(t *testing.T) {
			path := examplePath(t, op)
			got, ok := srv.Sim.OperationFor(op.Method, path)
			if !ok || got.ID != op.ID {
				t.Fatalf("%s %s routes to %v", op.Method, path, got)
			}
			// A real request reaches the operation: never 404 route-missing or 405.
			r := c.Do(op.Method, path, nil)
			if r.Status == http.StatusMethodNotAllowed || (r.Status == http.StatusNotFound && strings.Contains(r.String(), `"code":"not_found"`)) {
				t.Fatalf("%s %s → %d %s", op.Method, path, r.Status, r.Body)
			}
		})
	}
	// Routes outside the contract do not exist.
	for _, probe := range []struct{ method, path string }{
		{"GET", "/v1/nothing"}, {"GET", "/v1/transfers/trf_x/extra"}, {"GET", "/v1/customers/"}, {"GET", "/"},
	} {
		if _, ok := srv.Sim.OperationFor(probe.method, probe.path); ok {
			t.Errorf("%s %s should not be a route", probe.method, probe.path)
		}
		c.Do(probe.method, probe.path, nil).ExpectProblem(t, http.StatusNotFound, "not_found")
	}
}

func TestEveryExampleValidates(t *testing.T) {
	doc := openapi.MustLoadWithExamples()
	v := simulator.NewValidator(doc)
	check := func(t *testing.T, what string, schema *openapi3.SchemaRef, example any, asRequest bool) {
		t.Helper()
		if schema == nil || schema.Value == nil {
			t.Fatalf("%s has no schema", what)
		}
		if vs := v.ValidateExample(schema.Value, example, asRequest); len(vs) > 0 {
			t.Errorf("%s example does not validate: %+v", what, vs)
		}
	}
	for _, op := range doc.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			if rb := op.Op.RequestBody; rb != nil {
				for ct, media := range rb.Value.Content {
					if media.Example == nil && len(media.Examples) == 0 {
						t.Errorf("request body %s has no example", ct)
					}
					for _, ex := range examplesOf(media) {
						check(t, "request "+ct, media.Schema, ex, true)
					}
				}
			}
			success := false
			for code, ref := range op.Op.Responses.Map() {
				if strings.HasPrefix(code, "2") && len(ref.Value.Content) == 0 {
					success = true // 204 No Content: nothing to exemplify
				}
				for ct, media := range ref.Value.Content {
					exs := examplesOf(media)
					if len(exs) == 0 {
						t.Errorf("response %s %s has no example", code, ct)
					}
					if strings.HasPrefix(code, "2") {
						success = true
					}
					for _, ex := range exs {
						if ct == "application/yaml" {
							continue // a string
						}
						check(t, "response "+code+" "+ct, media.Schema, ex, false)
					}
				}
			}
			if !success {
				t.Error("no 2xx response with an example")
			}
		})
	}
}

func examplesOf(m *openapi3.MediaType) []any {
	var out []any
	if m.Example != nil {
		out = append(out, m.Example)
	}
	for _, ex := range m.Examples {
		if ex.Value != nil {
			out = append(out, ex.Value.Value)
		}
	}
	return out
}

// TestExamplesAreRealisticRequests sends every request example, with its
// ids swapped for the tenant's own, and expects it to succeed: the examples
// in the contract and the README are requests that work.
func TestExamplesAreRealisticRequests(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: 1})
	key := "sk_test_4eC39HqLyjWDarjtT1zdp7dc" // the key the examples use
	c := srv.Client(key)
	ids := realIDs(t, c)
	// Settings changes (a rate limit, say) and resets go last, so they
	// cannot get in the way of the other examples.
	ops := openapi.MustLoadWithExamples().Operations()
	sort.SliceStable(ops, func(i, j int) bool { return !exampleGoesLast(ops[i].ID) && exampleGoesLast(ops[j].ID) })
	for _, op := range ops {
		rb := op.Op.RequestBody
		if rb == nil || op.ID == "createToken" || rb.Value.Content.Get("application/json") == nil {
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			ex := rb.Value.Content.Get("application/json").Example
			raw, _ := json.Marshal(ex)
			body := string(raw)
			ids := idsFor(op.ID, ids)
			for placeholder, real := range ids {
				body = strings.ReplaceAll(body, placeholder, real)
			}
			path := examplePath(t, op)
			for placeholder, real := range ids {
				path = strings.ReplaceAll(path, placeholder, real)
			}
			r := c.Do(op.Method, path, body, "Idempotency-Key", "example-"+op.ID)
			if r.Status >= 300 {
				t.Fatalf("%s %s with its example → %d %s", op.Method, path, r.Status, r.Body)
			}
		})
	}
	// The token example works with form encoding.
	form := "grant_type=client_credentials&client_id=ci_test_7ace7f749b38fa368cf46cae&client_secret=" + key + "&scope=accounts:read+transfers:write"
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth/token", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	srv.Client("").Send(req).Expect(t, http.StatusOK)
}

func exampleGoesLast(opID string) bool { return opID == "updateSettings" || opID == "resetTenant" }

// idsFor is ids as one operation's example sees it: a key "opID/placeholder"
// overrides the placeholder for that operation alone (capturing needs a
// payment that awaits capture, refunding one that succeeded).
func idsFor(opID string, ids map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range ids {
		if !strings.Contains(k, "/") {
			out[k] = v
		}
	}
	for k, v := range ids {
		if op, placeholder, ok := strings.Cut(k, "/"); ok && op == opID {
			out[placeholder] = v
		}
	}
	return out
}

// realIDs maps the ids used in the contract's examples to ids of the
// tenant's own resources of the same kind.
func realIDs(t *testing.T, c *simtest.Client) map[string]string {
	t.Helper()
	var accounts struct {
		Data []struct{ ID, Currency, CustomerID string } `json:"data"`
	}
	c.Get("/v1/accounts?limit=100").Expect(t, http.StatusOK).Decode(t, &accounts)
	ids := map[string]string{}
	for _, a := range accounts.Data {
		switch a.Currency {
		case "BRL":
			ids["acc_2Hc9LpQ7xW3mZr8K"] = a.ID
		case "EUR":
			ids["acc_7Tq3WnX8cR2vLp5M"] = a.ID
		}
	}
	var customers struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.Get("/v1/customers?limit=1").Expect(t, http.StatusOK).Decode(t, &customers)
	ids["cus_8f3KdL2mQx9TbW4z"] = customers.Data[0].ID
	// A transfer that can still be canceled (SEPA settles the next business day).
	r := c.Post("/v1/transfers", map[string]any{
		"rail": "sepa", "debtor_account_id": ids["acc_7Tq3WnX8cR2vLp5M"], "amount": 100, "currency": "EUR",
		"creditor": map[string]any{"iban": "DE89370400440532013000", "name": "Jonas Becker"},
	}).Expect(t, http.StatusCreated)
	ids["trf_4fGk2LmQ9xZp7TbW"] = r.JSON()["id"].(string)
	if len(ids) != 4 {
		t.Fatalf("could not find real ids for the examples: %v", ids)
	}
	// A boleto that the payBoleto example (R$ 150,00) can pay.
	ids["bol_7Rk2Wq9Lm4Xz8Tp3"] = c.Post("/v1/boletos", map[string]any{
		"account_id": ids["acc_2Hc9LpQ7xW3mZr8K"], "amount": 15000, "currency": "BRL", "due_date": "2026-03-20",
		"payer": map[string]any{"name": "Maria Silva", "tax_id": "123.456.789-09"},
	}).Expect(t, http.StatusCreated).JSON()["id"].(string)
	// A webhook endpoint (deliveries go to a closed local port) and one of
	// the transfer's events, for the event and webhook examples.
	ids["we_7Yh2Kd9Lq4Wm3Zx8"] = c.Post("/v1/webhook_endpoints", map[string]any{
		"url": "http://127.0.0.1:9/examples", "enabled_events": []string{"*"},
	}).Expect(t, http.StatusCreated).JSON()["id"].(string)
	var evs struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.Get("/v1/events?type=transfer.*&limit=1").Expect(t, http.StatusOK).Decode(t, &evs)
	if len(evs.Data) != 1 {
		t.Fatal("the transfer made no event")
	}
	ids["evt_3Kq9Lm2Xw7Pz4Rt8"] = evs.Data[0].ID
	pixExampleIDs(t, c, ids)     // the Pix key, charges and Pix the Pix examples name (api_pix_test.go)
	paymentExampleIDs(t, c, ids) // payments in each state the payment examples need (api_payments_test.go)
	payoutExampleIDs(t, c, ids)  // disputes, payouts and money to pay out (api_payouts_test.go)
	return ids
}

func TestServedDocumentIsTheContract(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client("")
	js := c.Get("/openapi.json").Expect(t, http.StatusOK)
	var parsed map[string]any
	js.Decode(t, &parsed)
	if parsed["openapi"] != "3.0.3" || parsed["paths"] == nil {
		t.Fatalf("served JSON: %.200s", js.Body)
	}
	paths := parsed["paths"].(map[string]any)
	if len(paths) != len(srv.Sim.Document().Paths()) {
		t.Fatalf("served %d paths, contract has %d", len(paths), len(srv.Sim.Document().Paths()))
	}
	yml := c.Get("/openapi.yaml").Expect(t, http.StatusOK)
	if yml.Header.Get("Content-Type") != "application/yaml" || string(yml.Body) != string(srv.Sim.Document().YAML()) {
		t.Fatal("served YAML differs from the embedded document")
	}
	// net/http sends a body this large chunked, without Content-Length; if one
	// is ever sent, it must be exact.
	if cl := yml.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(yml.Body)) {
		t.Errorf("Content-Length %s, body of %d bytes", cl, len(yml.Body))
	}
}
