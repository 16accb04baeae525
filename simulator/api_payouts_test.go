package simulator_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/payments"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// Magic external payout destinations: valid IBANs ending 0101 (no_account)
// and 0202 (account_closed), and one that is paid.
const (
	poIBANNoAccount     = "DE83370400440532010101"
	poIBANAccountClosed = "DE23370400440532020202"
	poIBANGood          = "DE89370400440532013000"
)

// fixedKey is a test key of the payout, dispute and report tests. Each of
// them starts its own server, so a label and a number make a key unique
// where it matters, and the same on every run.
func fixedKey(label string, n int) string { return fmt.Sprintf("sk_test_%s%016d", label, n) }

type payoutJSON struct {
	ID                      string            `json:"id"`
	Object                  string            `json:"object"`
	Amount                  int64             `json:"amount"`
	Currency                string            `json:"currency"`
	RecipientID             *string           `json:"recipient_id"`
	Destination             map[string]any    `json:"destination"`
	Method                  string            `json:"method"`
	Status                  string            `json:"status"`
	ArrivalDate             time.Time         `json:"arrival_date"`
	FailureCode             *string           `json:"failure_code"`
	FailureMessage          *string           `json:"failure_message"`
	Reconcilable            bool              `json:"reconcilable"`
	BalanceTransaction      string            `json:"balance_transaction"`
	BalanceTransactionCount int               `json:"balance_transaction_count"`
	BalanceTransactionIDs   []string          `json:"balance_transaction_ids"`
	Description             *string           `json:"description"`
	CreatedAt               time.Time         `json:"created_at"`
	UpdatedAt               time.Time         `json:"updated_at"`
	Metadata                map[string]string `json:"metadata"`
}

type btJSON struct {
	ID                string    `json:"id"`
	Owner             *string   `json:"owner"`
	Type              string    `json:"type"`
	Amount            int64     `json:"amount"`
	Fee               int64     `json:"fee"`
	Net               int64     `json:"net"`
	Currency          string    `json:"currency"`
	Status            string    `json:"status"`
	AvailableOn       time.Time `json:"available_on"`
	Source            string    `json:"source"`
	PaymentID         *string   `json:"payment_id"`
	PayoutID          *string   `json:"payout_id"`
	Description       *string   `json:"description"`
	ReportingCategory string    `json:"reporting_category"`
	CreatedAt         time.Time `json:"created_at"`
}

type providerBalanceJSON struct {
	Available []moneyJSON `json:"available"`
	Pending   []moneyJSON `json:"pending"`
}

func (b providerBalanceJSON) of(cur string) (available, pending int64) {
	for _, m := range b.Available {
		if m.Currency == cur {
			available = m.Amount
		}
	}
	for _, m := range b.Pending {
		if m.Currency == cur {
			pending = m.Amount
		}
	}
	return available, pending
}

// poBalance is the platform's (owner "") or a recipient's available and
// pending balance in a currency.
func poBalance(t testing.TB, c *simtest.Client, owner, cur string) (available, pending int64) {
	t.Helper()
	path := "/v1/balance"
	if owner != "" {
		path = "/v1/recipients/" + owner + "/balance"
	}
	var b providerBalanceJSON
	expectOK(t, c.Get(path), &b)
	return b.of(cur)
}

// poFunds makes money available at once: card 4000000000000077's funds
// skip the pending period. It returns the payment.
func poFunds(t testing.TB, c *simtest.Client, amount int64, cur string, extra map[string]any) map[string]any {
	t.Helper()
	body := newPayment(amount, "4000000000000077", extra)
	body["currency"] = cur
	r := c.Post("/v1/payments", body).Expect(t, http.StatusCreated)
	return r.JSON()
}

func createPayout(t testing.TB, c *simtest.Client, body map[string]any) payoutJSON {
	t.Helper()
	var po payoutJSON
	expectCreated(t, c.Post("/v1/payouts", body, "Idempotency-Key", fmt.Sprintf("po-%d", time.Now().UnixNano())), "/v1/payouts/", &po)
	return po
}

func getPayout(t testing.TB, c *simtest.Client, id string) payoutJSON {
	t.Helper()
	var po payoutJSON
	expectOK(t, c.Get("/v1/payouts/"+id), &po)
	return po
}

// eventTypes lists the types of a resource's events, oldest first.
func eventTypes(t testing.TB, c *simtest.Client, resourceID string) []string {
	t.Helper()
	var page listPage[struct {
		Type string `json:"type"`
		Data struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"data"`
	}]
	expectOK(t, c.Get("/v1/events?limit=100&resource_id="+resourceID), &page)
	var out []string
	for i := len(page.Data) - 1; i >= 0; i-- {
		e := page.Data[i]
		if e.Data.ID != resourceID {
			t.Fatalf("event %s of %s carries %s", e.Type, resourceID, e.Data.ID)
		}
		// A payout's event names the status it reached.
		if want := strings.TrimPrefix(e.Type, "payout."); strings.HasPrefix(e.Type, "payout.") && want != "created" && e.Data.Status != want {
			t.Fatalf("event %s shows the payout %s", e.Type, e.Data.Status)
		}
		out = append(out, e.Type)
	}
	return out
}

func expectResourceEvents(t testing.TB, c *simtest.Client, resourceID string, want ...string) {
	t.Helper()
	if got := eventTypes(t, c, resourceID); !slices.Equal(got, want) {
		t.Fatalf("%s: events %v, want %v", resourceID, got, want)
	}
}

// payoutBTs lists the balance transactions a payout carries.
func payoutBTs(t testing.TB, c *simtest.Client, payoutID, owner string) []btJSON {
	t.Helper()
	q := "payout=" + payoutID
	if owner != "" {
		q += "&recipient_id=" + owner
	}
	return walk[btJSON](t, c, "/v1/balance_transactions", q, 100, nil)
}

func seededAccount(t testing.TB, c *simtest.Client, cur string) accountJSON {
	t.Helper()
	for _, a := range accounts(t, c) {
		if a.Currency == cur && a.Status == "active" {
			return a
		}
	}
	t.Fatalf("no active %s account", cur)
	return accountJSON{}
}

func TestPayoutSweepIntoTheTenantsOwnAccount(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("payoutown", 1))
	acc := seededAccount(t, c, "BRL")
	before := balances(t, c, acc.ID)
	poFunds(t, c, 12000, "BRL", map[string]any{"description": "Pedido 1, tênis \"corrida\""})
	refunded := poFunds(t, c, 30000, "BRL", nil)
	c.Post("/v1/refunds", map[string]any{"payment_id": refunded["id"], "amount": 5000}).Expect(t, http.StatusCreated)
	c.Post("/v1/payments", newPayment(9000, "4242424242424242", nil)).Expect(t, http.StatusCreated) // still pending: not swept
	avail, pending := poBalance(t, c, "", "BRL")
	if avail <= 0 || pending <= 0 {
		t.Fatalf("available %d pending %d", avail, pending)
	}

	po := createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"account_id": acc.ID},
		"description": "Repasse semanal", "metadata": map[string]string{"week": "10"}})
	if po.Status != "pending" || po.Amount != avail || !po.Reconcilable || po.BalanceTransactionCount != 3 || len(po.BalanceTransactionIDs) != 3 ||
		po.Destination["account_id"] != acc.ID || po.Method != "standard" || po.RecipientID != nil || po.Metadata["week"] != "10" {
		t.Fatalf("%+v (available was %d)", po, avail)
	}
	// payout = Σ net of its balance transactions.
	var sum int64
	for _, b := range payoutBTs(t, c, po.ID, "") {
		sum += b.Net
		if b.PayoutID == nil || *b.PayoutID != po.ID || b.Status != "available" {
			t.Fatalf("%+v", b)
		}
	}
	if sum != po.Amount {
		t.Fatalf("payout %d, its balance transactions sum to %d", po.Amount, sum)
	}
	var own btJSON
	expectOK(t, c.Get("/v1/balance_transactions/"+po.BalanceTransaction), &own)
	if own.Type != "payout" || own.Amount != -po.Amount || own.Source != po.ID || own.ReportingCategory != "payout" {
		t.Fatalf("%+v", own)
	}
	if a, p := poBalance(t, c, "", "BRL"); a != 0 || p != pending {
		t.Fatalf("after the payout: available %d pending %d", a, p)
	}
	// pending → in_transit after a minute → paid at 09:00 UTC the next business day.
	if want := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC); !po.ArrivalDate.Equal(want) {
		t.Fatalf("arrival %v, want %v", po.ArrivalDate, want)
	}
	advance(t, c, "59s")
	if got := getPayout(t, c, po.ID); got.Status != "pending" {
		t.Fatalf("%s", got.Status)
	}
	advance(t, c, "1s")
	if got := getPayout(t, c, po.ID); got.Status != "in_transit" {
		t.Fatalf("%s", got.Status)
	}
	c.Post("/v1/payouts/"+po.ID+"/cancel", nil).ExpectProblem(t, http.StatusBadRequest, "payout_not_cancelable")
	if b := balances(t, c, acc.ID); b.Booked.Amount != before.Booked.Amount {
		t.Fatal("the money arrived before the arrival date")
	}
	advanceTo(t, c, po.ArrivalDate)
	if got := getPayout(t, c, po.ID); got.Status != "paid" {
		t.Fatalf("%s", got.Status)
	}
	// The money is in the account, as a booked line whose source is the payout.
	line := oneLine(t, c, acc.ID, po.ID)
	if line.Amount != po.Amount || line.Status != "booked" || line.Type != "pix" || line.Source.Type != "payout" ||
		line.Description != "Repasse semanal" || line.Counterparty == nil || line.EndToEndID == nil {
		t.Fatalf("%+v", line)
	}
	if b := balances(t, c, acc.ID); b.Booked.Amount != before.Booked.Amount+po.Amount {
		t.Fatalf("booked %d, was %d, payout %d", b.Booked.Amount, before.Booked.Amount, po.Amount)
	}
	expectResourceEvents(t, c, po.ID, "payout.created", "payout.in_transit", "payout.paid")
	c.Post("/v1/sandbox/payouts/"+po.ID+"/fail", nil).ExpectProblem(t, http.StatusBadRequest, "payout_not_failable")
	verifyLedger(t, srv, c)
}

func TestPayoutBadInputNamesTheField(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("payoutbad", 1))
	eur := seededAccount(t, c, "EUR")
	// Nothing available yet.
	expectViolation(t, c.Post("/v1/payouts", map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}}), "balance_insufficient", "/amount")
	poFunds(t, c, 10000, "BRL", nil)
	avail, _ := poBalance(t, c, "", "BRL")
	for _, tc := range []struct {
		name       string
		body       map[string]any
		code, path string
	}{
		{"too much", map[string]any{"currency": "BRL", "amount": avail + 1, "destination": map[string]any{"iban": poIBANGood}}, "balance_insufficient", "/amount"},
		{"no destination", map[string]any{"currency": "BRL"}, "destination_required", "/destination"},
		{"account in another currency", map[string]any{"currency": "BRL", "destination": map[string]any{"account_id": eur.ID}}, "currency_mismatch", "/destination/account_id"},
		{"unknown account", map[string]any{"currency": "BRL", "destination": map[string]any{"account_id": "acc_0000000000000000"}}, "resource_missing", "/destination/account_id"},
		{"bad IBAN", map[string]any{"currency": "BRL", "destination": map[string]any{"iban": "DE88370400440532013000"}}, "validation_failed", "/destination/iban"},
		{"two ways", map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood, "account_id": eur.ID}}, "invalid_payout_account", "/destination"},
		{"unknown recipient", map[string]any{"currency": "BRL", "recipient_id": "rcp_0000000000000000"}, "resource_missing", "/recipient_id"},
		{"currency", map[string]any{"currency": "JPY", "destination": map[string]any{"iban": poIBANGood}}, "validation_failed", "/currency"},
		{"method", map[string]any{"currency": "BRL", "method": "overnight", "destination": map[string]any{"iban": poIBANGood}}, "validation_failed", "/method"},
		{"amount", map[string]any{"currency": "BRL", "amount": 0, "destination": map[string]any{"iban": poIBANGood}}, "validation_failed", "/amount"},
		{"unknown field", map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}, "speed": "fast"}, "validation_failed", "/speed"},
		{"metadata", map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}, "metadata": map[string]string{strings.Repeat("k", 41): "v"}}, "invalid_metadata", "/metadata/" + strings.Repeat("k", 41)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectViolation(t, c.Post("/v1/payouts", tc.body), tc.code, tc.path)
		})
	}
	c.Get("/v1/payouts/po_0000000000000000").ExpectProblem(t, http.StatusNotFound, "resource_missing")
	c.Post("/v1/payouts/po_0000000000000000/cancel", nil).ExpectProblem(t, http.StatusNotFound, "resource_missing")
	c.Post("/v1/sandbox/payouts/po_0000000000000000/fail", nil).ExpectProblem(t, http.StatusNotFound, "resource_missing")
	expectViolation(t, c.Get("/v1/payouts?status=lost"), openapi.CodeValidationFailed, "status")
	expectViolation(t, c.Get("/v1/payouts?cursor=bm9wZTox"), "invalid_cursor", "cursor")
	if a, _ := poBalance(t, c, "", "BRL"); a != avail {
		t.Fatal("a refused payout moved money")
	}
	verifyLedger(t, srv, c)
}

func TestPayoutMagicSuffixesFailAndTheNextSweepCarriesTheMoney(t *testing.T) {
	srv := startBank(t)
	for i, tc := range []struct {
		name string
		dest map[string]any
		code string
	}{
		{"IBAN 0101", map[string]any{"iban": poIBANNoAccount}, "no_account"},
		{"IBAN 0202", map[string]any{"iban": poIBANAccountClosed}, "account_closed"},
		{"UK 0101", map[string]any{"sort_code": "200000", "account_number": "55550101"}, "no_account"},
		{"BR 0202", map[string]any{"bank_code": "341", "branch": "1234", "account_number": "4560202", "account_digit": "1"}, "account_closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(fixedKey("payoutmagic", i))
			poFunds(t, c, 20000, "BRL", nil)
			po := createPayout(t, c, map[string]any{"currency": "BRL", "destination": tc.dest, "method": "instant"})
			if po.Status != "in_transit" || !po.ArrivalDate.Equal(clockStart.Add(30*time.Minute)) {
				t.Fatalf("instant: %s %v", po.Status, po.ArrivalDate)
			}
			advance(t, c, "29m59s")
			if got := getPayout(t, c, po.ID); got.Status != "in_transit" {
				t.Fatalf("%s", got.Status)
			}
			advance(t, c, "1s")
			got := getPayout(t, c, po.ID)
			if got.Status != "failed" || got.FailureCode == nil || *got.FailureCode != tc.code || got.FailureMessage == nil {
				t.Fatalf("%+v", got)
			}
			expectResourceEvents(t, c, po.ID, "payout.created", "payout.in_transit", "payout.failed")
			if a, _ := poBalance(t, c, "", "BRL"); a != po.Amount {
				t.Fatalf("the money did not come back: %d", a)
			}
			again := createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})
			bts := payoutBTs(t, c, again.ID, "")
			if again.Amount != po.Amount || len(bts) != 1 || bts[0].Type != "payout_failure" || bts[0].Source != po.ID || bts[0].ReportingCategory != "payout_reversal" {
				t.Fatalf("%+v %+v", again, bts)
			}
			advanceTo(t, c, again.ArrivalDate)
			if got := getPayout(t, c, again.ID); got.Status != "paid" {
				t.Fatalf("%s", got.Status)
			}
			verifyLedger(t, srv, c)
		})
	}
}

func TestPayoutCancelFailListAndRecipients(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("payoutcancel", 1))
	rcp := c.Post("/v1/recipients", map[string]any{"name": "Loja Bella Vista", "payout_account": map[string]any{"iban": poIBANGood}}).
		Expect(t, http.StatusCreated).JSON()["id"].(string)
	split := []map[string]any{{"recipient_id": rcp, "percentage": 100}}
	poFunds(t, c, 20000, "BRL", map[string]any{"split": split})
	if avail, _ := poBalance(t, c, "", "BRL"); avail != 0 {
		t.Fatalf("the platform kept %d of a 100%% split", avail)
	}
	poFunds(t, c, 20000, "BRL", nil)
	avail, _ := poBalance(t, c, "", "BRL")
	rcpAvail, _ := poBalance(t, c, rcp, "BRL")
	if rcpAvail != 20000-payments.CardFee(20000, "BRL") {
		t.Fatalf("recipient %d", rcpAvail)
	}

	// A manual payout of the platform, canceled while pending.
	dest := map[string]any{"iban": poIBANGood}
	manual := createPayout(t, c, map[string]any{"currency": "BRL", "amount": 1000, "destination": dest})
	if manual.Reconcilable || manual.BalanceTransactionCount != 0 || manual.Amount != 1000 {
		t.Fatalf("%+v", manual)
	}
	var canceled payoutJSON
	expectOK(t, c.Post("/v1/payouts/"+manual.ID+"/cancel", nil, "Idempotency-Key", "cancel-1"), &canceled)
	if canceled.Status != "canceled" {
		t.Fatalf("%+v", canceled)
	}
	c.Post("/v1/payouts/"+manual.ID+"/cancel", nil).ExpectProblem(t, http.StatusBadRequest, "payout_not_cancelable")
	expectResourceEvents(t, c, manual.ID, "payout.created", "payout.canceled")

	// The recipient's payout goes to its payout account by default; the
	// sandbox fails it in transit.
	rp := createPayout(t, c, map[string]any{"currency": "BRL", "recipient_id": rcp})
	if rp.RecipientID == nil || *rp.RecipientID != rcp || rp.Destination["iban"] != poIBANGood || rp.Amount != rcpAvail {
		t.Fatalf("%+v", rp)
	}
	if a, _ := poBalance(t, c, rcp, "BRL"); a != 0 {
		t.Fatalf("recipient still has %d", a)
	}
	if a, _ := poBalance(t, c, "", "BRL"); a != avail {
		t.Fatal("the recipient's payout took the platform's money")
	}
	advance(t, c, "1m")
	expectViolation(t, c.Post("/v1/sandbox/payouts/"+rp.ID+"/fail", map[string]any{"failure_code": "lost_in_the_mail"}), openapi.CodeValidationFailed, "/failure_code")
	var failed payoutJSON
	expectOK(t, c.Post("/v1/sandbox/payouts/"+rp.ID+"/fail", map[string]any{"failure_code": "account_frozen"}), &failed)
	if failed.Status != "failed" || *failed.FailureCode != "account_frozen" || *failed.FailureMessage != "The bank account has been frozen." {
		t.Fatalf("%+v", failed)
	}
	if a, _ := poBalance(t, c, rcp, "BRL"); a != rcpAvail {
		t.Fatalf("recipient has %d after the failure, had %d", a, rcpAvail)
	}
	expectResourceEvents(t, c, rp.ID, "payout.created", "payout.in_transit", "payout.failed")
	advance(t, c, "72h") // the failed payout's arrival does not run

	// A pending one fails too (default code), and the lists filter.
	pend := createPayout(t, c, map[string]any{"currency": "BRL", "recipient_id": rcp})
	expectOK(t, c.Post("/v1/sandbox/payouts/"+pend.ID+"/fail", nil), &failed)
	if *failed.FailureCode != "could_not_process" {
		t.Fatalf("%+v", failed)
	}
	all := walk[payoutJSON](t, c, "/v1/payouts", "", 2, nil)
	if len(all) != 3 || all[0].ID != pend.ID || all[2].ID != manual.ID {
		t.Fatalf("%d payouts, newest first: %v", len(all), ids(all, func(p payoutJSON) string { return p.ID }))
	}
	if got := walk[payoutJSON](t, c, "/v1/payouts", "recipient_id="+rcp, 10, nil); len(got) != 2 {
		t.Fatalf("%d payouts of the recipient", len(got))
	}
	if got := walk[payoutJSON](t, c, "/v1/payouts", "status=canceled", 10, nil); len(got) != 1 || got[0].ID != manual.ID {
		t.Fatalf("%v", got)
	}
	verifyLedger(t, srv, c)
}

// apiPayoutsTenantA gives tenant A of the isolation tests a dispute and a
// payout (pending: its cancel and fail probes stay meaningful).
func apiPayoutsTenantA(t *testing.T, c *simtest.Client, ids map[string]string) {
	t.Helper()
	pay := poFunds(t, c, 50000, "BRL", nil)
	dp := c.Post("/v1/sandbox/payments/"+pay["id"].(string)+"/dispute", nil).Expect(t, http.StatusCreated).JSON()
	poFunds(t, c, 50000, "BRL", nil)
	po := c.Post("/v1/payouts", map[string]any{"currency": "BRL", "amount": 1000, "destination": map[string]any{"iban": poIBANGood}}).
		Expect(t, http.StatusCreated).JSON()
	ids["dp_"], ids["po_"] = dp["id"].(string), po["id"].(string)
}

// payoutExampleIDs gives the dispute and payout examples of the contract
// real ids: money to pay out, disputes that need a response, pending
// payouts, and a payment to dispute.
func payoutExampleIDs(t *testing.T, c *simtest.Client, ids map[string]string) {
	t.Helper()
	id := func(r *simtest.Response) string { return r.Expect(t, http.StatusCreated).JSON()["id"].(string) }
	poFunds(t, c, 500000, "BRL", nil) // available at once: the createPayout example sweeps it
	dispute := func() string {
		pay := id(c.Post("/v1/payments", newPayment(15000, "4242424242424242", nil)))
		return id(c.Post("/v1/sandbox/payments/"+pay+"/dispute", nil))
	}
	ids["dp_4Lq8Wm2Xk9Zt3Rb7"] = dispute()
	ids["closeDispute/dp_4Lq8Wm2Xk9Zt3Rb7"] = dispute()
	ids["disputePayment/pay_7Hq2Lm9Xk4Zt8Wb3"] = id(c.Post("/v1/payments", newPayment(15000, "4242424242424242", nil)))
	payout := func() string {
		return id(c.Post("/v1/payouts", map[string]any{"currency": "BRL", "amount": 1000, "destination": map[string]any{"iban": poIBANGood}}))
	}
	ids["po_9Xk3Lm7Qw2Zt5Rb8"] = payout()
	ids["cancelPayout/po_9Xk3Lm7Qw2Zt5Rb8"] = payout()
}
