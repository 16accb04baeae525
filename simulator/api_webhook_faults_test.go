package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// Webhook faults through real HTTP: a library scenario (or a YAML rule, or
// a Sandbank-Fault header) shapes the deliveries of the events a request
// causes; the receiver sees duplicates, late and reordered events, failed
// attempts and bad signatures, and the journal names the rule behind them.

// whEventType reads the type out of a delivery's body.
func whEventType(t *testing.T, h whHit) string {
	t.Helper()
	var ev whEventJSON
	if err := json.Unmarshal(h.body, &ev); err != nil {
		t.Fatalf("delivery body %s: %v", h.body, err)
	}
	return ev.Type
}

// whFaultEntries are the journal's webhook attempts that carry a fault.
func whFaultEntries(t *testing.T, c *simtest.Client, n int) []map[string]any {
	t.Helper()
	var out []map[string]any
	c.WaitJournal(func(entries []map[string]any) bool {
		out = out[:0]
		for _, e := range entries {
			if e["kind"] == "webhook" && e["fault"] != nil {
				out = append(out, e)
			}
		}
		return len(out) >= n
	})
	return out
}

func TestWebhookFaultLibraryDuplicates(t *testing.T) {
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("wh-dup"))
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "customer.created", "payment.succeeded")
	activate(t, c, "webhook-duplicates")

	// Every event twice, one copy after the other, with one webhook-id.
	evt := whCustomer(t, c)
	hits := rc.collect(t, 2)
	for _, h := range hits {
		whVerify(t, ep.Secret, h)
		if h.id() != hits[0].id() || !strings.Contains(string(h.body), evt) {
			t.Fatalf("copies differ: %s %s / %s", h.id(), hits[0].id(), h.body)
		}
	}
	// payment.succeeded three times at once (the first rule wins).
	c.Post("/v1/payments", newPayment(5000, "4242424242424242", nil)).Expect(t, http.StatusCreated)
	hits = rc.collect(t, 3)
	for _, h := range hits {
		whVerify(t, ep.Secret, h)
		if h.id() != hits[0].id() || whEventType(t, h) != "payment.succeeded" {
			t.Fatalf("copy %s (%s), want %s payment.succeeded", h.id(), whEventType(t, h), hits[0].id())
		}
	}
	// The journal names the scenario and rule behind each copy.
	rules := map[string]int{}
	for _, e := range whFaultEntries(t, c, 5) {
		f := e["fault"].(map[string]any)
		if f["scenario"] != "webhook-duplicates" || f["type"] != "webhook_duplicate" {
			t.Fatalf("journal fault %v", f)
		}
		rules[f["rule"].(string)]++
	}
	if rules["every-event-twice"] != 2 || rules["succeeded-three-times-at-once"] != 3 {
		t.Fatalf("journal faults by rule %v", rules)
	}
	// The delivery log counts the copies.
	for _, a := range whAttempts(t, c, ep.ID, 5) {
		if a.Outcome != "succeeded" || a.Copy < 1 || len(a.Faults) == 0 || a.Faults[0] != "duplicate" {
			t.Fatalf("attempt %+v", a)
		}
	}
}

func TestWebhookFaultLibraryOutOfOrder(t *testing.T) {
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("wh-order"))
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "payment.created", "payment.succeeded")
	activate(t, c, "webhook-out-of-order")

	pay := c.Post("/v1/payments", newPayment(5000, "4242424242424242", nil)).Expect(t, http.StatusCreated).JSON()
	hits := rc.collect(t, 2)
	if first, second := whEventType(t, hits[0]), whEventType(t, hits[1]); first != "payment.succeeded" || second != "payment.created" {
		t.Fatalf("arrived %s then %s, want payment.succeeded then payment.created", first, second)
	}
	for _, h := range hits {
		whVerify(t, ep.Secret, h)
		if !strings.Contains(string(h.body), pay["id"].(string)) {
			t.Fatalf("delivery %s is not about %s", h.body, pay["id"])
		}
	}
	// The events themselves are in order: only the delivery was held.
	evs := eventsOf(t, c, pay["id"].(string))
	if evs[0].Type != "payment.created" {
		t.Fatalf("events %+v", evs)
	}
	f := whFaultEntries(t, c, 1)[0]["fault"].(map[string]any)
	if f["scenario"] != "webhook-out-of-order" || f["rule"] != "payment-created-late" || f["type"] != "webhook_out_of_order" {
		t.Fatalf("journal fault %v", f)
	}
}

func TestWebhookFaultLibraryEndpointDown(t *testing.T) {
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("wh-down"))
	rc := whNewReceiver(t, nil) // answers 200 every time
	ep := whEndpoint(t, c, rc, "customer.created")
	activate(t, c, "webhook-endpoint-down")

	whCustomer(t, c)
	hits := rc.collect(t, 3)
	for i, h := range hits {
		whVerify(t, ep.Secret, h) // each retry is signed afresh
		if h.id() != hits[0].id() {
			t.Fatalf("attempt %d has webhook-id %s, want %s", i+1, h.id(), hits[0].id())
		}
	}
	attempts := whAttempts(t, c, ep.ID, 3)
	outcomes := map[int]string{}
	for _, a := range attempts {
		outcomes[a.Attempt] = a.Outcome
		if failed := a.Attempt < 3; failed != (len(a.Faults) > 0) {
			t.Fatalf("attempt %d faults %v", a.Attempt, a.Faults)
		}
	}
	if outcomes[1] != "failed" || outcomes[2] != "failed" || outcomes[3] != "succeeded" {
		t.Fatalf("outcomes %v", outcomes)
	}
}

func TestWebhookFaultFromAHeader(t *testing.T) {
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("wh-header"))
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "customer.created")
	wh, err := standardwebhooks.NewWebhook(ep.Secret)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fault   string
		rejects string // what the official library says
	}{
		{"webhook_bad_signature=tampered_body", "signature"},
		{"webhook_bad_signature=missing", "missing required headers"},
		{"webhook_stale_timestamp", "timestamp"},
		{"webhook_stale_timestamp=10m;future", "timestamp"},
	}
	for i, tc := range cases {
		r := c.Post("/v1/customers", individualBody([]string{"111.444.777-35", "529.982.247-25", "390.533.447-05", "123.456.789-09"}[i]), "Sandbank-Fault", tc.fault)
		r.Expect(t, http.StatusCreated)
		h := rc.next(t)
		err := wh.Verify(h.body, h.header)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.rejects) {
			t.Fatalf("%s: the official library says %v, want a %s error", tc.fault, err, tc.rejects)
		}
		// The request's journal entry names the header; so does the delivery's.
		e := journalEntry(t, c, r)
		if f := e["fault"].(map[string]any); f["rule"] != "Sandbank-Fault" || !strings.HasPrefix(f["type"].(string), "webhook_") {
			t.Fatalf("request journal fault %v", f)
		}
	}
	// Without the header, deliveries verify again.
	c.Post("/v1/customers", individualBody("935.411.347-80")).Expect(t, http.StatusCreated)
	whVerify(t, ep.Secret, rc.next(t))
}

func TestWebhookFaultYAMLRuleCountsEvents(t *testing.T) {
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("wh-yaml"))
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "customer.*")
	scenario := "name: second-customer-late\nrules:\n  - match: { event: \"customer.*\" }\n    nth: 2\n    fault: { type: webhook_fail, attempts: 1 }\n"
	c.Do(http.MethodPut, "/_sandbank/scenarios/second-customer-late", scenario, "Content-Type", "application/yaml").Expect(t, http.StatusOK)
	// A request fault in a webhook rule, or an event match on a request
	// fault, is refused with the line that says so.
	bad := "name: mixed\nrules:\n  - match: { operation: createCustomer, event: customer.created }\n    fault: webhook_fail\n"
	fields := c.Do(http.MethodPut, "/_sandbank/scenarios/mixed", bad, "Content-Type", "application/yaml").ExpectProblem(t, http.StatusBadRequest, "invalid_scenario")
	if len(fields) != 1 || fields[0] != "/rules/0/match" {
		t.Fatalf("violations at %v", fields)
	}

	for _, cpf := range []string{"111.444.777-35", "529.982.247-25", "390.533.447-05"} {
		c.Post("/v1/customers", individualBody(cpf)).Expect(t, http.StatusCreated)
	}
	// Four attempts: the second event's first attempt counted as failed,
	// and its retry succeeded.
	perDelivery := map[string]int{}
	for _, h := range rc.collect(t, 4) {
		whVerify(t, ep.Secret, h)
		perDelivery[h.id()]++
	}
	if len(perDelivery) != 3 {
		t.Fatalf("attempts per webhook-id %v", perDelivery)
	}
	var failed, retried int
	for _, a := range whAttempts(t, c, ep.ID, 4) {
		switch {
		case a.Outcome == "failed" && a.Attempt == 1 && len(a.Faults) == 1 && a.Faults[0] == "fail_first":
			failed++
		case a.Outcome == "succeeded" && a.Attempt == 2 && len(a.Faults) == 0:
			retried++
		case a.Outcome != "succeeded" || a.Attempt != 1:
			t.Fatalf("attempt %+v", a)
		}
	}
	if failed != 1 || retried != 1 {
		t.Fatalf("%d failed and %d retried attempts, want 1 and 1", failed, retried)
	}
}

func TestFraudCheckTimeoutScenario(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{Seed: bankSeed})
	c := srv.Client(simtest.NewKey("fraud"))
	activate(t, c, "fraud-check-timeout")

	// Under the offline limit the default policy (allow) lets it through,
	// after the 2 s the check took, and says so.
	r := c.Post("/v1/payments", newPayment(5000, "4242424242424242", nil)).Expect(t, http.StatusCreated)
	pay := r.JSON()
	risk := pay["risk"].(map[string]any)
	if pay["status"] != "succeeded" || risk["fallback_applied"] != true || risk["policy"] != "allow" || risk["outcome"] != "not_evaluated" {
		t.Fatalf("%v", pay)
	}
	f := journalEntry(t, c, r)["fault"].(map[string]any)
	if f["scenario"] != "fraud-check-timeout" || f["rule"] != "create-times-out" || f["type"] != "risk_timeout" ||
		f["params"].(map[string]any)["delay_ms"] != float64(2000) {
		t.Fatalf("journal fault %v", f)
	}
	var evs []string
	for _, e := range eventsOf(t, c, pay["id"].(string)) {
		evs = append(evs, e.Type)
	}
	if !strings.Contains(strings.Join(evs, " "), "payment.risk_fallback_applied") {
		t.Fatalf("events %v", evs)
	}

	// With the review policy, confirming holds the payment for review.
	c.Patch("/_sandbank/settings", map[string]any{"payments": map[string]any{"risk": map[string]any{"on_timeout": "review"}}}).Expect(t, http.StatusOK)
	draft := c.Post("/v1/payments", map[string]any{"amount": 7000, "currency": "BRL"}).Expect(t, http.StatusCreated).JSON()
	pm := c.Post("/v1/payment_methods", cardData("4242424242424242")).Expect(t, http.StatusCreated).JSON()
	conf := c.Post("/v1/payments/"+draft["id"].(string)+"/confirm", map[string]any{"payment_method": pm["id"]}).Expect(t, http.StatusOK).JSON()
	if conf["status"] != "requires_capture" || conf["risk"].(map[string]any)["outcome"] != "manual_review" {
		t.Fatalf("%v", conf)
	}

	// A header gives the same fault to one request, without the wait.
	c.Patch("/_sandbank/settings", map[string]any{"payments": map[string]any{"risk": map[string]any{"on_timeout": "decline"}}}).Expect(t, http.StatusOK)
	c.Do(http.MethodDelete, "/_sandbank/scenarios/fraud-check-timeout", nil).Expect(t, http.StatusNoContent)
	declined := c.Post("/v1/payments", newPayment(5000, "4242424242424242", nil), "Sandbank-Fault", "risk_timeout")
	declined.Problem(t, http.StatusPaymentRequired, "processing_error")
}
