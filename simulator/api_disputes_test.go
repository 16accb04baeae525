package simulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/payments"
	"github.com/sandbank/sandbank/simulator/simtest"
)

type disputeJSON struct {
	ID                  string             `json:"id"`
	Object              string             `json:"object"`
	PaymentID           string             `json:"payment_id"`
	Amount              int64              `json:"amount"`
	Currency            string             `json:"currency"`
	Reason              string             `json:"reason"`
	Status              string             `json:"status"`
	Evidence            map[string]*string `json:"evidence"`
	EvidenceDueBy       time.Time          `json:"evidence_due_by"`
	SubmittedAt         *time.Time         `json:"submitted_at"`
	Fee                 int64              `json:"fee"`
	LiableRecipientID   *string            `json:"liable_recipient_id"`
	BalanceTransactions []string           `json:"balance_transactions"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	Metadata            map[string]string  `json:"metadata"`
}

func getDispute(t testing.TB, c *simtest.Client, id string) disputeJSON {
	t.Helper()
	var d disputeJSON
	expectOK(t, c.Get("/v1/disputes/"+id), &d)
	return d
}

func updateDispute(t testing.TB, c *simtest.Client, id string, body map[string]any) disputeJSON {
	t.Helper()
	var d disputeJSON
	expectOK(t, c.Post("/v1/disputes/"+id, body), &d)
	return d
}

// openDispute plays the cardholder disputing a payment through the sandbox.
func openDispute(t testing.TB, c *simtest.Client, paymentID string, body any) disputeJSON {
	t.Helper()
	var d disputeJSON
	expectCreated(t, c.Post("/v1/sandbox/payments/"+paymentID+"/dispute", body), "/v1/disputes/", &d)
	return d
}

func TestMagicCardDisputeLifecycle(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("dispute", 1))
	pay := c.Post("/v1/payments", newPayment(20000, "4000000000000259", nil), "Idempotency-Key", "dp-pay").Expect(t, http.StatusCreated).JSON()
	id := pay["id"].(string)
	if pay["status"] != "succeeded" || pay["dispute_id"] != nil {
		t.Fatalf("%v", pay)
	}
	advance(t, c, "23h59m59s")
	if got := c.Get("/v1/payments/" + id).JSON(); got["dispute_id"] != nil {
		t.Fatal("the dispute opened early")
	}
	advance(t, c, "1s")
	got := c.Get("/v1/payments/" + id).JSON()
	dpID, _ := got["dispute_id"].(string)
	if !strings.HasPrefix(dpID, "dp_") {
		t.Fatalf("%v", got)
	}
	d := getDispute(t, c, dpID)
	fee := payments.DisputeFee["BRL"]
	opened := clockStart.Add(24 * time.Hour)
	if d.Status != "needs_response" || d.Reason != "fraudulent" || d.Amount != 20000 || d.Fee != fee || d.PaymentID != id ||
		!d.EvidenceDueBy.Equal(opened.Add(7*24*time.Hour)) || d.SubmittedAt != nil || d.LiableRecipientID != nil || len(d.BalanceTransactions) != 1 {
		t.Fatalf("%+v", d)
	}
	// The funds are withdrawn: the charge is still pending, so the available balance goes negative.
	if a, _ := poBalance(t, c, "", "BRL"); a != -(20000 + fee) {
		t.Fatalf("available %d", a)
	}
	var bt btJSON
	expectOK(t, c.Get("/v1/balance_transactions/"+d.BalanceTransactions[0]), &bt)
	if bt.Type != "adjustment" || bt.Amount != -20000 || bt.Fee != fee || bt.Net != -(20000+fee) || bt.Source != dpID || bt.ReportingCategory != "dispute" {
		t.Fatalf("%+v", bt)
	}
	expectResourceEvents(t, c, dpID, "dispute.created", "dispute.funds_withdrawn")
	// A disputed payment is neither refunded nor disputed again.
	c.Post("/v1/refunds", map[string]any{"payment_id": id}).ExpectProblem(t, http.StatusBadRequest, "charge_disputed")
	c.Post("/v1/sandbox/payments/"+id+"/dispute", nil).ExpectProblem(t, http.StatusBadRequest, "payment_already_disputed")

	// Evidence is merged; bad evidence names its field.
	d = updateDispute(t, c, dpID, map[string]any{"evidence": map[string]any{"customer_name": "Ana Souza", "product_description": "Tênis"}})
	d = updateDispute(t, c, dpID, map[string]any{"evidence": map[string]any{"product_description": "", "receipt_url": "https://loja.example/r/1"},
		"metadata": map[string]string{"case": "A-77"}})
	if d.Status != "needs_response" || ptr(d.Evidence["customer_name"]) != "Ana Souza" || d.Evidence["product_description"] != nil ||
		deref(d.Evidence["receipt_url"]) == "" || d.Metadata["case"] != "A-77" {
		t.Fatalf("%+v", d)
	}
	for field, body := range map[string]map[string]any{
		"/evidence/shipping_tracking_number": {"evidence": map[string]any{"shipping_tracking_number": strings.Repeat("9", 101)}},
		"/evidence/favourite_colour":         {"evidence": map[string]any{"favourite_colour": "blue"}},
		"/evidence/customer_name":            {"evidence": map[string]any{"customer_name": 7}},
		"/submit":                            {"submit": "yes"},
	} {
		expectViolation(t, c.Post("/v1/disputes/"+dpID, body), openapi.CodeValidationFailed, field)
	}
	d = updateDispute(t, c, dpID, map[string]any{"submit": true})
	if d.Status != "under_review" || d.SubmittedAt == nil || !d.SubmittedAt.Equal(opened) {
		t.Fatalf("%+v", d)
	}
	// Submitted evidence is read-only, and the dispute cannot be accepted any more.
	p := expectProblem(t, c.Post("/v1/disputes/"+dpID, map[string]any{"evidence": map[string]any{"customer_email": "ana@example.com"}}),
		http.StatusBadRequest, "dispute_evidence_locked")
	if _, ok := p.Find("/evidence/customer_email"); !ok {
		t.Fatalf("%+v", p)
	}
	c.Post("/v1/disputes/"+dpID+"/close", nil).ExpectProblem(t, http.StatusBadRequest, "dispute_not_closable")

	// The issuer decides three days later: a receipt wins; the amount comes back, the fee does not.
	advance(t, c, "71h59m59s")
	if d := getDispute(t, c, dpID); d.Status != "under_review" {
		t.Fatalf("%s", d.Status)
	}
	availBefore, _ := poBalance(t, c, "", "BRL")
	advance(t, c, "1s")
	d = getDispute(t, c, dpID)
	if d.Status != "won" || len(d.BalanceTransactions) != 2 {
		t.Fatalf("%+v", d)
	}
	if a, _ := poBalance(t, c, "", "BRL"); a != availBefore+20000 {
		t.Fatalf("available %d after winning, was %d", a, availBefore)
	}
	expectOK(t, c.Get("/v1/balance_transactions/"+d.BalanceTransactions[1]), &bt)
	if bt.Type != "adjustment" || bt.Amount != 20000 || bt.Fee != 0 || bt.ReportingCategory != "dispute_reversal" {
		t.Fatalf("%+v", bt)
	}
	expectResourceEvents(t, c, dpID, "dispute.created", "dispute.funds_withdrawn", "dispute.updated", "dispute.updated",
		"dispute.updated", "dispute.funds_reinstated", "dispute.closed")

	// Lists and filters.
	if got := walk[disputeJSON](t, c, "/v1/disputes", "payment_id="+id, 10, nil); len(got) != 1 || got[0].ID != dpID {
		t.Fatalf("%v", got)
	}
	if got := walk[disputeJSON](t, c, "/v1/disputes", "status=lost", 10, nil); len(got) != 0 {
		t.Fatalf("%v", got)
	}
	expectViolation(t, c.Get("/v1/disputes?status=maybe"), openapi.CodeValidationFailed, "status")
	c.Get("/v1/disputes/dp_0000000000000000").ExpectProblem(t, http.StatusNotFound, "resource_missing")
	verifyLedger(t, srv, c)
}

func TestDisputeOutcomesOverHTTP(t *testing.T) {
	srv := startBank(t)
	for i, tc := range []struct {
		name     string
		evidence map[string]any
		submit   bool
		close    bool
		wait     string
		want     string
	}{
		{"magic winning evidence", map[string]any{"uncategorized_text": "winning_evidence"}, true, false, "72h", "won"},
		{"magic losing evidence beats a receipt", map[string]any{"uncategorized_text": "losing_evidence", "receipt_url": "https://x.example/r"}, true, false, "72h", "lost"},
		{"tracking number", map[string]any{"shipping_tracking_number": "BR123456789BR"}, true, false, "72h", "won"},
		{"customer communication", map[string]any{"customer_communication": "Chegou, obrigada!"}, true, false, "72h", "won"},
		{"a name is not proof", map[string]any{"customer_name": "Ana Souza"}, true, false, "72h", "lost"},
		{"never submitted", map[string]any{"receipt_url": "https://x.example/r"}, false, false, "168h", "lost"},
		{"accepted", nil, false, true, "1s", "lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(fixedKey("dpoutcome", i))
			pay := poFunds(t, c, 10000, "BRL", nil)
			d := openDispute(t, c, pay["id"].(string), map[string]any{"reason": "product_not_received"})
			if d.Reason != "product_not_received" {
				t.Fatalf("%+v", d)
			}
			if tc.evidence != nil {
				updateDispute(t, c, d.ID, map[string]any{"evidence": tc.evidence, "submit": tc.submit})
			}
			if tc.close {
				var closed disputeJSON
				expectOK(t, c.Post("/v1/disputes/"+d.ID+"/close", nil, "Idempotency-Key", "close-"+d.ID), &closed)
				if closed.Status != "lost" {
					t.Fatalf("%+v", closed)
				}
				c.Post("/v1/disputes/"+d.ID+"/close", nil).ExpectProblem(t, http.StatusBadRequest, "dispute_not_closable")
			}
			advance(t, c, tc.wait)
			got := getDispute(t, c, d.ID)
			if got.Status != tc.want {
				t.Fatalf("%s, want %s", got.Status, tc.want)
			}
			types := eventTypes(t, c, d.ID)
			if types[len(types)-1] != "dispute.closed" || (tc.want == "won") != strings.Contains(strings.Join(types, ","), "funds_reinstated") {
				t.Fatalf("events %v", types)
			}
			verifyLedger(t, srv, c)
		})
	}
}

func TestSandboxDisputeLiableRecipient(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("dpliable", 1))
	var rcp [2]string
	for i := range rcp {
		rcp[i] = c.Post("/v1/recipients", map[string]any{"name": "Seller", "payout_account": map[string]any{"iban": poIBANGood}}).
			Expect(t, http.StatusCreated).JSON()["id"].(string)
	}
	split := []map[string]any{{"recipient_id": rcp[0], "percentage": 80, "liable": true}, {"recipient_id": rcp[1], "percentage": 20, "remainder": true}}
	pay := poFunds(t, c, 10000, "BRL", map[string]any{"split": split})
	id := pay["id"].(string)
	sellerBefore, _ := poBalance(t, c, rcp[0], "BRL")
	platformBefore, _ := poBalance(t, c, "", "BRL")

	// Bad input first: an unknown reason, an unknown payment, one that did not succeed.
	expectViolation(t, c.Post("/v1/sandbox/payments/"+id+"/dispute", map[string]any{"reason": "bored"}), openapi.CodeValidationFailed, "/reason")
	c.Post("/v1/sandbox/payments/pay_0000000000000000/dispute", nil).ExpectProblem(t, http.StatusNotFound, "resource_missing")
	held := c.Post("/v1/payments", newPayment(5000, "4242424242424242", map[string]any{"capture_method": "manual"})).Expect(t, http.StatusCreated).JSON()
	c.Post("/v1/sandbox/payments/"+held["id"].(string)+"/dispute", nil).ExpectProblem(t, http.StatusBadRequest, "payment_not_disputable")

	d := openDispute(t, c, id, nil)
	if d.Reason != "fraudulent" || d.LiableRecipientID == nil || *d.LiableRecipientID != rcp[0] {
		t.Fatalf("%+v", d)
	}
	// The liable recipient gives the amount back; the platform is out of the fee only.
	if a, _ := poBalance(t, c, rcp[0], "BRL"); a != sellerBefore-10000 {
		t.Fatalf("liable recipient %d, had %d", a, sellerBefore)
	}
	if a, _ := poBalance(t, c, "", "BRL"); a != platformBefore-d.Fee {
		t.Fatalf("platform %d, had %d", a, platformBefore)
	}
	if a, _ := poBalance(t, c, rcp[1], "BRL"); a != 10000-payments.CardFee(10000, "BRL")-8000*(10000-payments.CardFee(10000, "BRL"))/10000 {
		t.Fatalf("the other recipient was touched: %d", a)
	}
	bts := walk[btJSON](t, c, "/v1/balance_transactions", "source="+d.ID+"&recipient_id="+rcp[0], 10, nil)
	platformBTs := walk[btJSON](t, c, "/v1/balance_transactions", "source="+d.ID+"&type=transfer_reversal", 10, nil)
	if len(bts) != 1 || bts[0].Type != "transfer_reversal" || bts[0].Amount != -10000 || len(platformBTs) != 1 || platformBTs[0].Amount != 10000 {
		t.Fatalf("recipient %+v, platform %+v", bts, platformBTs)
	}
	// Won: the recipient gets its amount back.
	updateDispute(t, c, d.ID, map[string]any{"evidence": map[string]any{"uncategorized_text": "winning_evidence"}, "submit": true})
	advance(t, c, "72h")
	if got := getDispute(t, c, d.ID); got.Status != "won" {
		t.Fatalf("%s", got.Status)
	}
	if a, _ := poBalance(t, c, rcp[0], "BRL"); a != sellerBefore {
		t.Fatalf("liable recipient %d after winning, had %d", a, sellerBefore)
	}
	if a, _ := poBalance(t, c, "", "BRL"); a != platformBefore-d.Fee {
		t.Fatalf("platform %d after winning, had %d", a, platformBefore)
	}
	verifyLedger(t, srv, c)
}

// TestEveryMagicCard drives each magic card number and holder name of
// the reference (simulator/payments/cards.go) through the API, with what
// follows on the clock: declines and their codes, 3-D Secure, the risk
// verdicts, instant funds, refunds that fail 5 s later, the dispute a day
// later, the issuer that does not answer.
func TestEveryMagicCard(t *testing.T) {
	srv := startBank(t)
	type card struct {
		number, holder, status, code, decline string
		then                                  func(t *testing.T, c *simtest.Client, pay map[string]any)
	}
	id := func(pay map[string]any) string { return pay["id"].(string) }
	risk := func(level, outcome string) func(t *testing.T, c *simtest.Client, pay map[string]any) {
		return func(t *testing.T, c *simtest.Client, pay map[string]any) {
			r := c.Get("/v1/payments/" + id(pay)).JSON()["risk"].(map[string]any)
			if r["level"] != level || r["outcome"] != outcome {
				t.Fatalf("risk %v, want %s/%s", r, level, outcome)
			}
		}
	}
	for i, tc := range []card{
		{number: "4242424242424242", status: "succeeded", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			if a, p := poBalance(t, c, "", "BRL"); a != 0 || p <= 0 {
				t.Fatalf("ordinary funds are pending: available %d pending %d", a, p)
			}
		}},
		{number: "5555555555554444", status: "succeeded"},
		{number: "4000002760003184", status: "requires_action", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			next := pay["next_action"].(map[string]any)
			done := c.Post(next["redirect_url"].(string), map[string]any{"outcome": "authenticated"}).Expect(t, http.StatusOK).JSON()
			if next["type"] != "three_d_secure" || done["status"] != "succeeded" {
				t.Fatalf("%v %v", next, done)
			}
		}},
		{number: "4000000000000002", status: "requires_payment_method", code: "card_declined", decline: "generic_decline"},
		{number: "4000000000009995", status: "requires_payment_method", code: "card_declined", decline: "insufficient_funds"},
		{number: "4000000000009987", status: "requires_payment_method", code: "card_declined", decline: "lost_card"},
		{number: "4000000000009979", status: "requires_payment_method", code: "card_declined", decline: "stolen_card"},
		{number: "4000000000000069", status: "requires_payment_method", code: "expired_card", decline: "expired_card"},
		{number: "4000000000000127", status: "requires_payment_method", code: "incorrect_cvc", decline: "incorrect_cvc"},
		{number: "4000000000000119", status: "requires_payment_method", code: "processing_error", decline: "processing_error"},
		{number: "4242424242424241", code: "incorrect_number", decline: "incorrect_number"},
		{number: "4100000000000019", status: "requires_payment_method", code: "card_declined", decline: "fraudulent", then: risk("highest", "blocked")},
		{number: "4000000000009235", status: "requires_capture", then: risk("elevated", "manual_review")},
		{number: "4000000000000077", status: "succeeded", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			if a, p := poBalance(t, c, "", "BRL"); a != 10000-payments.CardFee(10000, "BRL") || p != 0 {
				t.Fatalf("instant funds: available %d pending %d", a, p)
			}
		}},
		{number: "4000000000007718", status: "succeeded", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			r := pay["risk"].(map[string]any)
			if r["fallback_applied"] != true || r["outcome"] != "not_evaluated" || r["policy"] != "allow" {
				t.Fatalf("%v", r)
			}
			expectResourceEvents(t, c, id(pay), "payment.created", "payment.processing", "payment.risk_fallback_applied", "payment.succeeded")
		}},
		{number: "4000000000007726", status: "processing", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			advance(t, c, "29s")
			if got := c.Get("/v1/payments/" + id(pay)).JSON(); got["status"] != "processing" {
				t.Fatalf("%v", got["status"])
			}
			advance(t, c, "1s")
			got := c.Get("/v1/payments/" + id(pay)).JSON()
			if got["status"] != "requires_payment_method" || got["last_payment_error"].(map[string]any)["decline_code"] != "try_again_later" {
				t.Fatalf("%v", got)
			}
		}},
		{number: "4000000000007734", status: "succeeded", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			re := c.Post("/v1/refunds", map[string]any{"payment_id": id(pay), "amount": 4000}).Expect(t, http.StatusCreated).JSON()
			advance(t, c, "4s")
			if got := c.Get("/v1/refunds/" + re["id"].(string)).JSON(); got["status"] != "pending" {
				t.Fatalf("%v", got["status"])
			}
			advance(t, c, "1s")
			got := c.Get("/v1/refunds/" + re["id"].(string)).JSON()
			if got["status"] != "failed" || got["failure_reason"] == nil {
				t.Fatalf("%v", got)
			}
			if p := c.Get("/v1/payments/" + id(pay)).JSON(); p["amount_refunded"] != float64(0) {
				t.Fatalf("%v", p["amount_refunded"])
			}
		}},
		{number: "4000000000000259", status: "succeeded", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			advance(t, c, "24h")
			dp, _ := c.Get("/v1/payments/" + id(pay)).JSON()["dispute_id"].(string)
			if d := getDispute(t, c, dp); d.Status != "needs_response" || d.Reason != "fraudulent" || d.Amount != 10000 {
				t.Fatalf("%+v", d)
			}
		}},
		{number: "4242424242424242", holder: "NOT_ENOUGH_BALANCE", status: "requires_payment_method", code: "card_declined", decline: "insufficient_funds"},
		{number: "4242424242424242", holder: "CARD_EXPIRED", status: "requires_payment_method", code: "expired_card", decline: "expired_card"},
		{number: "4242424242424242", holder: "BLOCK_CARD", status: "requires_payment_method", code: "card_declined", decline: "pickup_card"},
		{number: "5555555555554444", holder: "ISSUER_UNAVAILABLE", status: "requires_payment_method", code: "card_declined", decline: "issuer_not_available"},
		{number: "4242424242424242", holder: "PENDING", status: "processing", then: func(t *testing.T, c *simtest.Client, pay map[string]any) {
			advance(t, c, "30s")
			if got := c.Get("/v1/payments/" + id(pay)).JSON(); got["status"] != "succeeded" {
				t.Fatalf("%v", got["status"])
			}
		}},
	} {
		name := tc.number
		if tc.holder != "" {
			name += " " + tc.holder
		}
		t.Run(name, func(t *testing.T) {
			c := srv.Client(fixedKey("magiccard", i))
			body := newPayment(10000, tc.number, nil)
			if tc.holder != "" {
				body["payment_method_data"].(map[string]any)["card"].(map[string]any)["holder_name"] = tc.holder
			}
			r := c.Post("/v1/payments", body)
			var pay map[string]any
			if tc.code != "" {
				p := expectProblem(t, r, http.StatusPaymentRequired, tc.code)
				got := r.JSON()
				if got["decline_code"] != tc.decline || p.Detail == "" {
					t.Fatalf("%s", r.Body)
				}
				if tc.status == "" { // refused at tokenization: no payment
					if _, ok := p.Find("/payment_method_data/card/number"); !ok || got["payment_id"] != nil {
						t.Fatalf("%s", r.Body)
					}
					verifyLedger(t, srv, c)
					return
				}
				pay = c.Get("/v1/payments/"+got["payment_id"].(string)).Expect(t, http.StatusOK).JSON()
				if pay["last_payment_error"].(map[string]any)["decline_code"] != tc.decline {
					t.Fatalf("%v", pay)
				}
			} else {
				pay = r.Expect(t, http.StatusCreated).JSON()
			}
			if pay["status"] != tc.status {
				t.Fatalf("status %v, want %s", pay["status"], tc.status)
			}
			if tc.then != nil {
				tc.then(t, c, pay)
			}
			verifyLedger(t, srv, c)
		})
	}
}
