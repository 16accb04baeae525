package simulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/payments"
	"github.com/sandbank/sandbank/simulator/simtest"
)

func cardData(number string) map[string]any {
	return map[string]any{"type": "card", "card": map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
}

func newPayment(amount int64, number string, extra map[string]any) map[string]any {
	body := map[string]any{"amount": amount, "currency": "BRL", "payment_method_data": cardData(number), "confirm": true}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func TestPaymentMethodsNeverReturnTheNumber(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("pm"))
	r := c.Post("/v1/payment_methods", cardData("4242 4242 4242 4242"), "Idempotency-Key", "pm-1").Expect(t, http.StatusCreated)
	var pm struct {
		ID   string
		Card struct{ Brand, Last4, BIN, Fingerprint string }
	}
	r.Decode(t, &pm)
	if pm.Card.Brand != "visa" || pm.Card.Last4 != "4242" || strings.Contains(r.String(), "4242424242424242") {
		t.Fatalf("%s", r.Body)
	}
	// The same card has the same fingerprint; another card another one.
	again := c.Post("/v1/payment_methods", cardData("4242424242424242")).Expect(t, http.StatusCreated).JSON()
	other := c.Post("/v1/payment_methods", cardData("5555555555554444")).Expect(t, http.StatusCreated).JSON()
	if again["card"].(map[string]any)["fingerprint"] != pm.Card.Fingerprint || other["card"].(map[string]any)["brand"] != "mastercard" ||
		other["card"].(map[string]any)["fingerprint"] == pm.Card.Fingerprint {
		t.Fatalf("fingerprints %v %v", again["card"], other["card"])
	}
	// The number is not in the journal either.
	if journal := c.Get("/_sandbank/journal").String(); strings.Contains(journal, "4242424242424242") || strings.Contains(journal, "4242 4242 4242 4242") {
		t.Fatal("the number reached the journal")
	}
	// Impossible and expired cards.
	p := c.Post("/v1/payment_methods", cardData("4242424242424241")).Problem(t, http.StatusPaymentRequired, "incorrect_number")
	if _, ok := p.Find("/card/number"); !ok {
		t.Fatalf("%+v", p)
	}
	expired := cardData("4242424242424242")
	expired["card"].(map[string]any)["exp_year"] = 2025
	if fields := c.Post("/v1/payment_methods", expired).ExpectProblem(t, http.StatusBadRequest, "invalid_expiry_year"); fields[0] != "/card/exp_year" {
		t.Fatalf("%v", fields)
	}
	c.Post("/v1/payment_methods/"+pm.ID+"/detach", nil).Expect(t, http.StatusOK)
	c.Post("/v1/payments", map[string]any{"amount": 100, "currency": "BRL", "payment_method": pm.ID}).
		ExpectProblem(t, http.StatusBadRequest, "payment_method_detached")
}

func TestPaymentLifecycle(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("pay"))
	ok := c.Post("/v1/payments", newPayment(15000, "4242424242424242", nil), "Idempotency-Key", "p1").Expect(t, http.StatusCreated).JSON()
	if ok["status"] != "succeeded" || ok["amount_received"] != float64(15000) || ok["fee"] != float64(payments.CardFee(15000, "BRL")) {
		t.Fatalf("%v", ok)
	}

	// A decline is 402 with the payment's id; the payment stays, in requires_payment_method.
	r := c.Post("/v1/payments", newPayment(15000, "4000000000009995", nil), "Idempotency-Key", "p2")
	p := r.Problem(t, http.StatusPaymentRequired, "card_declined")
	var declined struct {
		DeclineCode string `json:"decline_code"`
		PaymentID   string `json:"payment_id"`
	}
	r.Decode(t, &declined)
	if declined.DeclineCode != "insufficient_funds" || declined.PaymentID == "" || p.Detail == "" {
		t.Fatalf("%s", r.Body)
	}
	got := c.Get("/v1/payments/"+declined.PaymentID).Expect(t, http.StatusOK).JSON()
	if got["status"] != "requires_payment_method" || got["last_payment_error"].(map[string]any)["decline_code"] != "insufficient_funds" {
		t.Fatalf("%v", got)
	}
	// Retrying the same request with the same key replays the decline.
	replay := c.Post("/v1/payments", newPayment(15000, "4000000000009995", nil), "Idempotency-Key", "p2")
	if replay.Status != http.StatusPaymentRequired || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %d %v", replay.Status, replay.Header)
	}
	// A new card for the same payment.
	pm := c.Post("/v1/payment_methods", cardData("5555555555554444")).Expect(t, http.StatusCreated).JSON()
	conf := c.Post("/v1/payments/"+declined.PaymentID+"/confirm", map[string]any{"payment_method": pm["id"]}).Expect(t, http.StatusOK).JSON()
	if conf["status"] != "succeeded" || conf["last_payment_error"] != nil {
		t.Fatalf("%v", conf)
	}

	// Manual capture, partial; cancel.
	held := c.Post("/v1/payments", newPayment(20000, "4242424242424242", map[string]any{"capture_method": "manual"})).Expect(t, http.StatusCreated).JSON()
	if held["status"] != "requires_capture" || held["amount_capturable"] != float64(20000) {
		t.Fatalf("%v", held)
	}
	id := held["id"].(string)
	c.Post("/v1/payments/"+id+"/capture", map[string]any{"amount_to_capture": 20001}).ExpectProblem(t, http.StatusBadRequest, "amount_too_large")
	capd := c.Post("/v1/payments/"+id+"/capture", map[string]any{"amount_to_capture": 12000}).Expect(t, http.StatusOK).JSON()
	if capd["status"] != "succeeded" || capd["amount_received"] != float64(12000) {
		t.Fatalf("%v", capd)
	}
	c.Post("/v1/payments/"+id+"/cancel", nil).ExpectProblem(t, http.StatusBadRequest, "payment_unexpected_state")
	toCancel := c.Post("/v1/payments", map[string]any{"amount": 500, "currency": "BRL"}).Expect(t, http.StatusCreated).JSON()
	if toCancel["status"] != "requires_payment_method" {
		t.Fatalf("%v", toCancel)
	}
	can := c.Post("/v1/payments/"+toCancel["id"].(string)+"/cancel", map[string]any{"cancellation_reason": "abandoned"}).Expect(t, http.StatusOK).JSON()
	if can["status"] != "canceled" || can["cancellation_reason"] != "abandoned" {
		t.Fatalf("%v", can)
	}

	// 3-D Secure through the sandbox endpoint.
	tds := c.Post("/v1/payments", newPayment(3000, "4000002760003184", nil)).Expect(t, http.StatusCreated).JSON()
	next := tds["next_action"].(map[string]any)
	if tds["status"] != "requires_action" || next["redirect_url"] != "/v1/sandbox/payments/"+tds["id"].(string)+"/three_d_secure" {
		t.Fatalf("%v", tds)
	}
	done := c.Post(next["redirect_url"].(string), map[string]any{"outcome": "authenticated"}).Expect(t, http.StatusOK).JSON()
	if done["status"] != "succeeded" {
		t.Fatalf("%v", done)
	}

	// The issuer that does not answer: processing, then try_again_later after 30 s.
	slow := c.Post("/v1/payments", newPayment(3000, "4000000000007726", nil)).Expect(t, http.StatusCreated).JSON()
	if slow["status"] != "processing" {
		t.Fatalf("%v", slow)
	}
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "30s"}).Expect(t, http.StatusOK)
	slow = c.Get("/v1/payments/" + slow["id"].(string)).JSON()
	if slow["status"] != "requires_payment_method" || slow["last_payment_error"].(map[string]any)["decline_code"] != "try_again_later" {
		t.Fatalf("%v", slow)
	}

	// The list, and the events of one payment: one per status change.
	var list struct {
		Data []map[string]any `json:"data"`
	}
	c.Get("/v1/payments?status=succeeded&limit=100").Expect(t, http.StatusOK).Decode(t, &list)
	if len(list.Data) != 4 {
		t.Fatalf("%d succeeded payments", len(list.Data))
	}
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatal(err)
	}
}

func TestRiskFallbackIsATenantSetting(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("risk"))
	allowed := c.Post("/v1/payments", newPayment(10000, "4000000000007718", nil)).Expect(t, http.StatusCreated).JSON()
	risk := allowed["risk"].(map[string]any)
	if allowed["status"] != "succeeded" || risk["fallback_applied"] != true || risk["outcome"] != "not_evaluated" || risk["policy"] != "allow" {
		t.Fatalf("%v", allowed)
	}
	c.Post("/v1/payments", newPayment(60000, "4000000000007718", nil)).Problem(t, http.StatusPaymentRequired, "card_declined")
	st := c.Patch("/_sandbank/settings", map[string]any{"payments": map[string]any{"risk": map[string]any{"on_timeout": "review"}}}).Expect(t, http.StatusOK).JSON()
	if st["payments"].(map[string]any)["risk"].(map[string]any)["on_timeout"] != "review" {
		t.Fatalf("%v", st)
	}
	reviewed := c.Post("/v1/payments", newPayment(60000, "4000000000007718", nil)).Expect(t, http.StatusCreated).JSON()
	if reviewed["status"] != "requires_capture" || reviewed["risk"].(map[string]any)["outcome"] != "manual_review" {
		t.Fatalf("%v", reviewed)
	}
	// Opt-in amount declines (Braintree's scheme).
	c.Patch("/_sandbank/settings", map[string]any{"payments": map[string]any{"amount_declines": true}}).Expect(t, http.StatusOK)
	r := c.Post("/v1/payments", newPayment(200100, "4242424242424242", nil))
	r.Problem(t, http.StatusPaymentRequired, "card_declined")
	if !strings.Contains(r.String(), `"decline_code":"insufficient_funds"`) {
		t.Fatalf("%s", r.Body)
	}
}

func TestRefundsSplitsAndBalance(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("refunds"))
	var rcp [2]string
	for i := range rcp {
		r := c.Post("/v1/recipients", map[string]any{"name": "Seller", "tax_id": "12.345.678/0001-95",
			"payout_account": map[string]any{"iban": "DE89370400440532013000"}}).Expect(t, http.StatusCreated).JSON()
		rcp[i] = r["id"].(string)
	}
	c.Post("/v1/recipients", map[string]any{"name": "Nobody", "payout_account": map[string]any{}}).ExpectProblem(t, http.StatusBadRequest, "invalid_payout_account")
	split := []map[string]any{{"recipient_id": rcp[0], "percentage": 12.5}, {"recipient_id": rcp[1], "percentage": 87.5, "remainder": true}}
	pay := c.Post("/v1/payments", newPayment(10000, "4242424242424242", map[string]any{"split": split})).Expect(t, http.StatusCreated).JSON()
	outs := pay["split"].([]any)
	net := 10000 - payments.CardFee(10000, "BRL")
	if len(outs) != 2 || int64(outs[0].(map[string]any)["amount"].(float64)+outs[1].(map[string]any)["amount"].(float64)) != net {
		t.Fatalf("split %v (net %d)", outs, net)
	}
	bad := []map[string]any{{"recipient_id": rcp[0], "percentage": 50}, {"recipient_id": rcp[1], "percentage": 40, "remainder": true}}
	c.Post("/v1/payments", newPayment(10000, "4242424242424242", map[string]any{"split": bad})).ExpectProblem(t, http.StatusBadRequest, "invalid_split")

	// Refunds: never more than captured.
	id := pay["id"].(string)
	c.Post("/v1/refunds", map[string]any{"payment_id": id, "amount": 10001}).ExpectProblem(t, http.StatusBadRequest, "amount_too_large")
	re := c.Post("/v1/refunds", map[string]any{"payment_id": id, "amount": 4000}, "Idempotency-Key", "r1").Expect(t, http.StatusCreated).JSON()
	if re["status"] != "pending" || len(re["reversals"].([]any)) != 2 {
		t.Fatalf("%v", re)
	}
	c.Post("/v1/refunds", map[string]any{"payment_id": id}).Expect(t, http.StatusCreated)
	c.Post("/v1/refunds", map[string]any{"payment_id": id}).ExpectProblem(t, http.StatusBadRequest, "charge_already_refunded")
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "5s"}).Expect(t, http.StatusOK)
	if got := c.Get("/v1/refunds/" + re["id"].(string)).JSON(); got["status"] != "succeeded" {
		t.Fatalf("%v", got)
	}

	// Balances: the recipients' shares become available after two days.
	bal := c.Get("/v1/recipients/"+rcp[0]+"/balance").Expect(t, http.StatusOK).JSON()
	if bal["pending"].([]any)[0].(map[string]any)["amount"].(float64) <= 0 {
		t.Fatalf("%v", bal)
	}
	c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "48h"}).Expect(t, http.StatusOK)
	var btxs struct {
		Data []map[string]any `json:"data"`
	}
	c.Get("/v1/balance_transactions?limit=100").Expect(t, http.StatusOK).Decode(t, &btxs)
	var sumNet float64
	for _, b := range btxs.Data {
		sumNet += b["net"].(float64)
	}
	platform := c.Get("/v1/balance").Expect(t, http.StatusOK).JSON()
	brl := platform["available"].([]any)[0].(map[string]any)["amount"].(float64) + platform["pending"].([]any)[0].(map[string]any)["amount"].(float64)
	if sumNet != brl {
		t.Fatalf("the platform's balance transactions sum to %v, its balance is %v", sumNet, brl)
	}
	one := btxs.Data[0]["id"].(string)
	c.Get("/v1/balance_transactions/"+one).Expect(t, http.StatusOK)
	if err := srv.Sim.VerifyTenant(c.Key); err != nil {
		t.Fatal(err)
	}
}

// apiPaymentsTenantA gives tenant A of the isolation tests one resource of
// each payment kind: a recipient, a saved card, a split payment, a refund
// and their balance transactions.
func apiPaymentsTenantA(t *testing.T, c *simtest.Client, ids map[string]string) {
	t.Helper()
	rcp := c.Post("/v1/recipients", map[string]any{"name": "Seller A", "tax_id": "12.345.678/0001-95",
		"payout_account": map[string]any{"iban": "DE89370400440532013000"}}).Expect(t, http.StatusCreated).JSON()
	pm := c.Post("/v1/payment_methods", cardData("4242424242424242")).Expect(t, http.StatusCreated).JSON()
	pay := c.Post("/v1/payments", map[string]any{"amount": 10000, "currency": "BRL", "payment_method": pm["id"], "confirm": true,
		"split": []map[string]any{{"recipient_id": rcp["id"], "percentage": 100, "remainder": true}}}).Expect(t, http.StatusCreated).JSON()
	re := c.Post("/v1/refunds", map[string]any{"payment_id": pay["id"], "amount": 1000}).Expect(t, http.StatusCreated).JSON()
	var btxs struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.Get("/v1/balance_transactions?limit=1").Expect(t, http.StatusOK).Decode(t, &btxs)
	ids["rcp_"], ids["pm_"], ids["pay_"], ids["re_"], ids["btx_"] = rcp["id"].(string), pm["id"].(string), pay["id"].(string), re["id"].(string), btxs.Data[0].ID
}

// paymentExampleIDs gives the payment examples of the contract real ids:
// a saved card, a recipient, a succeeded payment to refund, and for the
// operations that need a payment in one state, one in that state.
func paymentExampleIDs(t *testing.T, c *simtest.Client, ids map[string]string) {
	t.Helper()
	id := func(r *simtest.Response) string { return r.Expect(t, http.StatusCreated).JSON()["id"].(string) }
	ids["pm_3Xk9LpQ2vN7Wc4Ra"] = id(c.Post("/v1/payment_methods", cardData("4242424242424242")))
	ids["detachPaymentMethod/pm_3Xk9LpQ2vN7Wc4Ra"] = id(c.Post("/v1/payment_methods", cardData("5555555555554444")))
	ids["rcp_2Wq8Kd4Lm7Px9Zt3"] = id(c.Post("/v1/recipients", map[string]any{"name": "Loja Exemplo", "tax_id": "12.345.678/0001-95",
		"payout_account": map[string]any{"iban": "DE89370400440532013000"}}))
	ids["pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", newPayment(15000, "4242424242424242", nil)))
	ids["re_9Kd2Pq7Lx3Mw5Vn8"] = id(c.Post("/v1/refunds", map[string]any{"payment_id": ids["pay_7Hq2Lm9Xk4Zt8Wb3"], "amount": 1000}))
	ids["confirmPayment/pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", map[string]any{"amount": 15000, "currency": "BRL"}))
	manual := map[string]any{"capture_method": "manual"}
	ids["capturePayment/pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", newPayment(15000, "4242424242424242", manual)))
	ids["cancelPayment/pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", newPayment(15000, "4242424242424242", manual)))
	ids["completeThreeDSecure/pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", newPayment(15000, "4000002760003184", nil)))
	var btxs struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	c.Get("/v1/balance_transactions?limit=1").Expect(t, http.StatusOK).Decode(t, &btxs)
	ids["btx_5Tq3Wn8Xc2Rv7Lp4"] = btxs.Data[0].ID
}

// An optional body may be blank: whitespace is no body, on every operation
// that takes one (a manual capture, then its cancel's 400 is about the
// state, not the body), and the webhook operations alike.
func TestBlankOptionalBodies(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	c := srv.Client(simtest.NewKey("blankbody"))
	blank := " \n\t"
	pay := c.Post("/v1/payments", newPayment(1500, "4242424242424242", map[string]any{"capture_method": "manual"})).Expect(t, http.StatusCreated).JSON()
	captured := c.Post("/v1/payments/"+pay["id"].(string)+"/capture", blank, "Content-Type", "application/json").Expect(t, http.StatusOK).JSON()
	if captured["status"] != "succeeded" || captured["amount_received"] != 1500.0 {
		t.Fatalf("a blank capture body captures everything: %v", captured)
	}
	ep := c.Post("/v1/webhook_endpoints", map[string]any{"url": "http://127.0.0.1:9/hook", "enabled_events": []string{"*"}}).Expect(t, http.StatusCreated).JSON()
	c.Post("/v1/webhook_endpoints/"+ep["id"].(string)+"/rotate_secret", blank, "Content-Type", "application/json").Expect(t, http.StatusOK)
	// A body that is not blank is still decoded and checked.
	c.Post("/v1/payments/"+pay["id"].(string)+"/cancel", `{"cancellation_reason": 7}`, "Content-Type", "application/json").Expect(t, http.StatusBadRequest)
}
