package simulator_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/simtest"
)

var (
	transferIDPattern = regexp.MustCompile(`^trf_[0-9A-Za-z]{16}$`)
	pixE2EPattern     = regexp.MustCompile(`^E99999999[0-9]{12}[0-9A-Za-z]{11}$`)
	otherE2EPattern   = regexp.MustCompile(`^SB[0-9]{14}[0-9A-Za-z]{10}$`)
)

// railCase is a valid transfer on one external rail.
type railCase struct {
	rail, currency string
	creditor       map[string]any
	delay          func(created time.Time) time.Duration // until settlement
}

func sepaDelay(created time.Time) time.Duration {
	d := time.Date(created.Year(), created.Month(), created.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Sub(created)
}

func fixed(d time.Duration) func(time.Time) time.Duration {
	return func(time.Time) time.Duration { return d }
}

var externalRails = []railCase{
	{"pix", "BRL", map[string]any{"pix_key": "maria.silva@example.com", "name": "Maria Silva"}, fixed(2 * time.Second)},
	{"fps", "GBP", map[string]any{"sort_code": "04-00-04", "account_number": "12345678", "name": "Oliver Smith"}, fixed(2 * time.Second)},
	{"ted", "BRL", map[string]any{"bank_code": "341", "branch": "0001", "account_number": "12345678", "account_digit": "x", "name": "Maria Silva", "tax_id": "111.444.777-35"}, fixed(30 * time.Minute)},
	{"sepa", "EUR", map[string]any{"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX", "name": "Jonas Becker"}, sepaDelay},
}

// transferBody is a transfer request.
func transferBody(rail, debtor, currency string, amount int64, creditor map[string]any) map[string]any {
	return map[string]any{"rail": rail, "debtor_account_id": debtor, "amount": amount, "currency": currency, "creditor": creditor}
}

// withCreditor returns creditor with fields changed (a nil value deletes).
func withCreditor(creditor map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range creditor {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func TestTransferRails(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	for _, rc := range externalRails {
		t.Run(rc.rail, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("rail" + rc.rail))
			debtor := freshAccount(t, c, rc.currency, 100000)
			created := now(t, c)
			body := transferBody(rc.rail, debtor.ID, rc.currency, 25050, rc.creditor)
			body["remittance_information"] = "Invoice 2026-114"
			body["metadata"] = map[string]any{"order_id": "A-1029"}
			r := c.Post("/v1/transfers", body)
			var tr transferJSON
			expectCreated(t, r, "/v1/transfers/", &tr)
			expectJournal(t, c, r, "createTransfer", tr.ID, "")

			due := created.Add(rc.delay(created))
			switch {
			case !transferIDPattern.MatchString(tr.ID) || tr.Object != "transfer":
				t.Errorf("id %q object %q", tr.ID, tr.Object)
			case tr.Rail != rc.rail || tr.Status != "ACSP" || tr.StatusReason != nil:
				t.Errorf("rail %s status %s reason %v", tr.Rail, tr.Status, tr.StatusReason)
			case tr.Amount != 25050 || tr.Currency != rc.currency || tr.DebtorAccountID != debtor.ID:
				t.Errorf("amount %d %s from %s", tr.Amount, tr.Currency, tr.DebtorAccountID)
			case ptr(tr.RemittanceInformation) != "Invoice 2026-114" || tr.Metadata["order_id"] != "A-1029":
				t.Errorf("remittance %s metadata %v", ptr(tr.RemittanceInformation), tr.Metadata)
			case tr.ExpectedSettlementAt == nil || !tr.ExpectedSettlementAt.Equal(due):
				t.Errorf("expected_settlement_at %v, want %s", tr.ExpectedSettlementAt, due)
			case !tr.CreatedAt.Equal(created) || !tr.UpdatedAt.Equal(created):
				t.Errorf("created_at %s updated_at %s, want %s", tr.CreatedAt, tr.UpdatedAt, created)
			}
			expectStatuses(t, tr, "RCVD", "ACTC", "ACSP")
			for _, h := range tr.StatusHistory {
				if !h.At.Equal(created) || h.ReasonCode != nil {
					t.Errorf("history entry %+v, want at %s without reason", h, created)
				}
			}
			e2e := otherE2EPattern
			if rc.rail == "pix" {
				e2e = pixE2EPattern
			}
			if !e2e.MatchString(tr.EndToEndID) {
				t.Errorf("end_to_end_id %q", tr.EndToEndID)
			}
			// The creditor as sent, normalised: sort codes without dashes, IBANs without spaces.
			cr := tr.Creditor
			switch rc.rail {
			case "pix":
				if ptr(cr.PixKey) != "maria.silva@example.com" || ptr(cr.Name) != "Maria Silva" || cr.IBAN != nil || cr.AccountID != nil {
					t.Errorf("creditor %+v", cr)
				}
			case "fps":
				if ptr(cr.SortCode) != "040004" || ptr(cr.AccountNumber) != "12345678" || ptr(cr.Name) != "Oliver Smith" {
					t.Errorf("creditor sort code %s number %s name %s", ptr(cr.SortCode), ptr(cr.AccountNumber), ptr(cr.Name))
				}
			case "ted":
				if ptr(cr.BankCode) != "341" || ptr(cr.Branch) != "0001" || ptr(cr.AccountNumber) != "12345678" || ptr(cr.AccountDigit) != "X" || ptr(cr.TaxID) != "111.444.777-35" {
					t.Errorf("creditor %s %s %s-%s %s", ptr(cr.BankCode), ptr(cr.Branch), ptr(cr.AccountNumber), ptr(cr.AccountDigit), ptr(cr.TaxID))
				}
			case "sepa":
				if ptr(cr.IBAN) != "DE89370400440532013000" || ptr(cr.BIC) != "COBADEFFXXX" {
					t.Errorf("creditor IBAN %s BIC %s", ptr(cr.IBAN), ptr(cr.BIC))
				}
			}

			// In ACSP the debtor is debited, pending.
			b := balances(t, c, debtor.ID)
			if b.Booked.Amount != 100000 || b.Pending.Amount != -25050 || b.Available.Amount != 100000-25050 {
				t.Errorf("balances while ACSP: %+v", b)
			}
			line := oneLine(t, c, debtor.ID, tr.ID)
			if line.Status != "pending" || line.Amount != -25050 || line.CreditDebit != "debit" || line.Type != rc.rail ||
				deref(line.EndToEndID) != tr.EndToEndID || line.Source.Type != "transfer" || line.RunningBalance != nil || line.BookedAt != nil {
				t.Errorf("pending debit line %+v", line)
			}
			if line.Description != "Invoice 2026-114" || line.Counterparty == nil {
				t.Errorf("line description %q counterparty %+v", line.Description, line.Counterparty)
			}
			var clk clockJSON
			expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
			if clk.PendingJobs != 1 || clk.NextJobAt == nil || !clk.NextJobAt.Equal(due) {
				t.Errorf("clock %+v, want one job due %s", clk, due)
			}

			// Just before it is due nothing happens.
			adv := advanceTo(t, c, due.Add(-time.Second))
			if len(adv.Ran) != 0 {
				t.Errorf("ran before due: %+v", adv.Ran)
			}
			if got := getTransfer(t, c, tr.ID); got.Status != "ACSP" {
				t.Fatalf("1 s before settlement the transfer is %s", got.Status)
			}

			adv = advanceTo(t, c, due)
			if len(adv.Ran) != 1 || adv.Ran[0].Job != "transfer.settle" || adv.Ran[0].ResourceID != tr.ID || !adv.Ran[0].At.Equal(due) {
				t.Errorf("ran %+v, want transfer.settle of %s at %s", adv.Ran, tr.ID, due)
			}
			got := getTransfer(t, c, tr.ID)
			expectStatuses(t, got, "RCVD", "ACTC", "ACSP", "ACSC")
			if last := got.StatusHistory[3]; !last.At.Equal(due) || !got.UpdatedAt.Equal(due) || got.StatusReason != nil {
				t.Errorf("settled at %s, updated_at %s, reason %v; want %s", last.At, got.UpdatedAt, got.StatusReason, due)
			}
			if !got.CreatedAt.Equal(created) || got.EndToEndID != tr.EndToEndID {
				t.Errorf("settlement changed created_at or end_to_end_id: %+v", got)
			}
			b = balances(t, c, debtor.ID)
			if b.Booked.Amount != 100000-25050 || b.Pending.Amount != 0 || b.Available.Amount != 100000-25050 {
				t.Errorf("balances after settlement: %+v", b)
			}
			line = oneLine(t, c, debtor.ID, tr.ID)
			if line.Status != "booked" || line.BookedAt == nil || !line.BookedAt.Equal(due) || derefInt(line.RunningBalance) != 100000-25050 {
				t.Errorf("booked line %+v", line)
			}
			if line.ValueDate != due.Format(time.DateOnly) {
				t.Errorf("value_date %s, want the booking date %s", line.ValueDate, due.Format(time.DateOnly))
			}
			checkRunningBalances(t, transactions(t, c, debtor.ID, "", 100), b.Booked.Amount)
			verifyLedger(t, srv, c)
		})
	}
}

func TestTransferSEPABusinessDays(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		name        string
		at, settles string
	}{
		{"Monday noon", "2026-03-02T12:01:00Z", "2026-03-03T09:00:00Z"},
		{"Monday before nine", "2026-03-09T08:00:00Z", "2026-03-10T09:00:00Z"},
		{"Thursday", "2026-03-05T16:00:00Z", "2026-03-06T09:00:00Z"},
		{"Friday afternoon", "2026-03-06T15:00:00Z", "2026-03-09T09:00:00Z"},
		{"Saturday", "2026-03-07T10:00:00Z", "2026-03-09T09:00:00Z"},
		{"Sunday night", "2026-03-08T23:59:59Z", "2026-03-09T09:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("sepaday"))
			debtor := freshAccount(t, c, "EUR", 5000)
			at, _ := time.Parse(time.RFC3339, tc.at)
			settles, _ := time.Parse(time.RFC3339, tc.settles)
			advanceTo(t, c, at)
			tr := createTransfer(t, c, transferBody("sepa", debtor.ID, "EUR", 1000, externalRails[3].creditor))
			if tr.ExpectedSettlementAt == nil || !tr.ExpectedSettlementAt.Equal(settles) {
				t.Fatalf("created %s: expected_settlement_at %v, want %s", at.Weekday(), tr.ExpectedSettlementAt, settles)
			}
			advanceTo(t, c, settles.Add(-time.Nanosecond))
			if got := getTransfer(t, c, tr.ID); got.Status != "ACSP" {
				t.Errorf("just before %s the transfer is %s", settles, got.Status)
			}
			advanceTo(t, c, settles)
			if got := getTransfer(t, c, tr.ID); got.Status != "ACSC" {
				t.Errorf("at %s the transfer is %s", settles, got.Status)
			}
		})
	}
}

func TestTransferInternal(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("internal"))
	debtor := freshAccount(t, c, "BRL", 50000)
	owner := verifiedCustomer(t, c, "company")
	creditor := openAccount(t, c, map[string]any{"customer_id": owner.ID, "currency": "BRL"})
	at := now(t, c)

	tr := createTransfer(t, c, transferBody("internal", debtor.ID, "BRL", 20000, map[string]any{"account_id": creditor.ID}))
	expectStatuses(t, tr, "RCVD", "ACTC", "ACSP", "ACSC")
	for _, h := range tr.StatusHistory {
		if !h.At.Equal(at) {
			t.Errorf("history %+v, want everything at %s", tr.StatusHistory, at)
		}
	}
	if tr.Status != "ACSC" || tr.ExpectedSettlementAt != nil || ptr(tr.Creditor.AccountID) != creditor.ID {
		t.Errorf("internal transfer %+v", tr)
	}
	if ptr(tr.Creditor.Name) != owner.Name {
		t.Errorf("creditor name %s, want the holder %s", ptr(tr.Creditor.Name), owner.Name)
	}
	if !otherE2EPattern.MatchString(tr.EndToEndID) {
		t.Errorf("end_to_end_id %q", tr.EndToEndID)
	}
	var clk clockJSON
	expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
	if clk.PendingJobs != 0 {
		t.Errorf("an internal transfer left %d jobs", clk.PendingJobs)
	}

	out := oneLine(t, c, debtor.ID, tr.ID)
	in := oneLine(t, c, creditor.ID, tr.ID)
	for _, l := range []transactionJSON{out, in} {
		if l.Status != "booked" || l.Type != "internal_transfer" || deref(l.EndToEndID) != tr.EndToEndID || !l.BookedAt.Equal(at) {
			t.Errorf("line %+v", l)
		}
	}
	if out.Amount != -20000 || derefInt(out.RunningBalance) != 30000 || in.Amount != 20000 || derefInt(in.RunningBalance) != 20000 || in.CreditDebit != "credit" {
		t.Errorf("debit %d (running %d), credit %d (running %d)", out.Amount, derefInt(out.RunningBalance), in.Amount, derefInt(in.RunningBalance))
	}
	if in.Counterparty == nil || in.Counterparty.Account == nil || !strings.Contains(*in.Counterparty.Account, debtor.Identifiers.BR.Number) {
		t.Errorf("credit line counterparty %+v does not name the debtor account", in.Counterparty)
	}
	if b := balances(t, c, debtor.ID); b.Booked.Amount != 30000 || b.Available.Amount != 30000 || b.Pending.Amount != 0 {
		t.Errorf("debtor %+v", b)
	}
	if b := balances(t, c, creditor.ID); b.Booked.Amount != 20000 || b.Available.Amount != 20000 || b.Pending.Amount != 0 {
		t.Errorf("creditor %+v", b)
	}
	// Between currencies is refused; see TestTransferInvalid. Insufficient funds:
	rj := createTransfer(t, c, transferBody("internal", debtor.ID, "BRL", 30001, map[string]any{"account_id": creditor.ID}))
	if rj.Status != "RJCT" || rj.reason() != "AM04" {
		t.Errorf("internal over the balance: %s %s", rj.Status, rj.reason())
	}
	verifyLedger(t, srv, c)
}

func TestTransferMagicRejections(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	type magic struct {
		name     string
		rail     string
		currency string
		creditor map[string]any
		reason   string
		delay    time.Duration // 0: the rail's own
	}
	ted := externalRails[2].creditor
	fps := externalRails[1].creditor
	sepa := externalRails[3].creditor
	var cases []magic
	for suffix, reason := range map[string]string{"0001": "AC01", "0004": "AC04", "0006": "AC06"} {
		cases = append(cases,
			magic{"ted " + suffix, "ted", "BRL", withCreditor(ted, map[string]any{"account_number": "9876" + suffix}), reason, 0},
			magic{"fps " + suffix, "fps", "GBP", withCreditor(fps, map[string]any{"account_number": "4321" + suffix}), reason, 0},
			magic{"sepa " + suffix, "sepa", "EUR", withCreditor(sepa, map[string]any{"iban": ibanOf(t, "DE", "37040044053201"+suffix)}), reason, 0},
		)
	}
	cases = append(cases,
		magic{"pix reject-ac04", "pix", "BRL", map[string]any{"pix_key": "x@reject-ac04.sandbox.test"}, "AC04", 0},
		magic{"pix reject-ac04 upper case", "pix", "BRL", map[string]any{"pix_key": "Someone@Reject-AC04.Sandbox.Test"}, "AC04", 0},
		magic{"pix timeout", "pix", "BRL", map[string]any{"pix_key": "x@timeout.sandbox.test"}, "MS03", 60 * time.Second},
	)
	descriptions := map[string]string{"AC01": "Incorrect account number", "AC04": "Closed account number", "AC06": "Blocked account", "MS03": "Reason not specified"}
	slices.SortFunc(cases, func(a, b magic) int { return strings.Compare(a.name, b.name) })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("magic"))
			debtor := freshAccount(t, c, tc.currency, 10000)
			created := now(t, c)
			tr := createTransfer(t, c, transferBody(tc.rail, debtor.ID, tc.currency, 4000, tc.creditor))
			if tr.Status != "ACSP" || tr.StatusReason != nil {
				t.Fatalf("a magic creditor is only rejected at settlement; got %s %v at creation", tr.Status, tr.StatusReason)
			}
			delay := tc.delay
			if delay == 0 {
				for _, rc := range externalRails {
					if rc.rail == tc.rail {
						delay = rc.delay(created)
					}
				}
			}
			due := created.Add(delay)
			if tr.ExpectedSettlementAt == nil || !tr.ExpectedSettlementAt.Equal(due) {
				t.Errorf("expected_settlement_at %v, want %s", tr.ExpectedSettlementAt, due)
			}
			if b := balances(t, c, debtor.ID); b.Available.Amount != 6000 || b.Pending.Amount != -4000 {
				t.Errorf("while ACSP: %+v", b)
			}

			adv := advanceTo(t, c, due.Add(-time.Second))
			if got := getTransfer(t, c, tr.ID); got.Status != "ACSP" || len(adv.Ran) != 0 {
				t.Fatalf("1 s before %s: %s, ran %+v", due, got.Status, adv.Ran)
			}
			adv = advance(t, c, "1s")
			if len(adv.Ran) != 1 || adv.Ran[0].Job != "transfer.reject" || adv.Ran[0].ResourceID != tr.ID {
				t.Errorf("ran %+v, want transfer.reject of %s", adv.Ran, tr.ID)
			}
			got := getTransfer(t, c, tr.ID)
			expectStatuses(t, got, "RCVD", "ACTC", "ACSP", "RJCT")
			last := got.StatusHistory[3]
			if got.reason() != tc.reason || got.StatusReason.Description != descriptions[tc.reason] || deref(last.ReasonCode) != tc.reason || !last.At.Equal(due) {
				t.Errorf("rejection %+v, history %+v; want %s at %s", got.StatusReason, last, tc.reason, due)
			}
			if got.ExpectedSettlementAt != nil {
				t.Errorf("a rejected transfer still expects settlement at %s", got.ExpectedSettlementAt)
			}
			// The pending debit is voided and the money is back.
			line := oneLine(t, c, debtor.ID, tr.ID)
			if line.Status != "voided" || line.RunningBalance != nil || line.BookedAt != nil {
				t.Errorf("debit line after rejection %+v", line)
			}
			if b := balances(t, c, debtor.ID); b.Booked.Amount != 10000 || b.Available.Amount != 10000 || b.Pending.Amount != 0 {
				t.Errorf("balances after rejection %+v", b)
			}
			expectProblem(t, c.Post("/v1/transfers/"+tr.ID+"/cancel", nil), http.StatusBadRequest, "transfer_not_cancelable")
			verifyLedger(t, srv, c)
		})
	}
}

func TestTransferInsufficientFunds(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	for _, rc := range append([]railCase{{"internal", "BRL", nil, nil}}, externalRails...) {
		t.Run(rc.rail, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("am04"))
			debtor := freshAccount(t, c, rc.currency, 1000)
			creditor := rc.creditor
			if rc.rail == "internal" {
				creditor = map[string]any{"account_id": richestAccount(t, c, "BRL").ID}
			}
			before := transactions(t, c, debtor.ID, "", 100)
			r := c.Post("/v1/transfers", transferBody(rc.rail, debtor.ID, rc.currency, 1001, creditor))
			var tr transferJSON
			expectCreated(t, r, "/v1/transfers/", &tr)
			expectJournal(t, c, r, "createTransfer", tr.ID, "")
			expectStatuses(t, tr, "RCVD", "ACTC", "RJCT")
			if tr.reason() != "AM04" || tr.StatusReason.Description != "Insufficient funds" || deref(tr.StatusHistory[2].ReasonCode) != "AM04" {
				t.Errorf("rejection %+v", tr.StatusReason)
			}
			if tr.ExpectedSettlementAt != nil {
				t.Errorf("expected_settlement_at %s on a rejected transfer", tr.ExpectedSettlementAt)
			}
			if after := transactions(t, c, debtor.ID, "", 100); len(after) != len(before) {
				t.Errorf("a rejected transfer left a statement line (%d → %d)", len(before), len(after))
			}
			if b := balances(t, c, debtor.ID); b.Booked.Amount != 1000 || b.Available.Amount != 1000 || b.Pending.Amount != 0 {
				t.Errorf("balances %+v", b)
			}
			var clk clockJSON
			expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
			if clk.PendingJobs != 0 {
				t.Errorf("a rejected transfer scheduled %d jobs", clk.PendingJobs)
			}
			if got := getTransfer(t, c, tr.ID); got.Status != "RJCT" {
				t.Errorf("GET says %s", got.Status)
			}
			// Exactly the available amount goes through.
			ok := createTransfer(t, c, transferBody(rc.rail, debtor.ID, rc.currency, 1000, creditor))
			if ok.Status == "RJCT" {
				t.Errorf("a transfer of the whole available balance was rejected: %+v", ok.StatusReason)
			}
			verifyLedger(t, srv, c)
		})
	}
	t.Run("pending debits count", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("am04"))
		debtor := freshAccount(t, c, "BRL", 1000)
		first := createTransfer(t, c, tedBody(debtor.ID, 600, "12345678"))
		if first.Status != "ACSP" {
			t.Fatalf("first TED %s", first.Status)
		}
		second := createTransfer(t, c, transferBody("pix", debtor.ID, "BRL", 500, map[string]any{"pix_key": "maria@example.com"}))
		if second.Status != "RJCT" || second.reason() != "AM04" {
			t.Errorf("500 with 400 available: %s %s", second.Status, second.reason())
		}
		third := createTransfer(t, c, transferBody("pix", debtor.ID, "BRL", 400, map[string]any{"pix_key": "maria@example.com"}))
		if third.Status != "ACSP" {
			t.Errorf("400 with 400 available: %s %s", third.Status, third.reason())
		}
	})
}

func TestTransferPixToOwnAccount(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		name, typ string
		spell     func(key string) string
	}{
		{"e-mail key in upper case", "email", strings.ToUpper},
		{"random key", "evp", func(k string) string { return k }},
		{"CPF key formatted", "cpf", func(k string) string { return k[0:3] + "." + k[3:6] + "." + k[6:9] + "-" + k[9:] }},
		{"CNPJ key", "cnpj", func(k string) string { return k }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("pixown"))
			debtor := freshAccount(t, c, "BRL", 10000)
			var creditor accountJSON
			for _, a := range accounts(t, c) {
				if a.Currency == "BRL" && a.ID != debtor.ID && a.pixKey(tc.typ) != "" && creditor.ID == "" {
					creditor = a
				}
			}
			if creditor.ID == "" {
				t.Fatal("no seeded BRL account with such a key")
			}
			var holder customerJSON
			expectOK(t, c.Get("/v1/customers/"+creditor.CustomerID), &holder)
			credBefore := balances(t, c, creditor.ID)

			tr := createTransfer(t, c, transferBody("pix", debtor.ID, "BRL", 2500, map[string]any{"pix_key": tc.spell(creditor.pixKey(tc.typ))}))
			if tr.Status != "ACSP" || ptr(tr.Creditor.Name) != holder.Name {
				t.Errorf("status %s, creditor name %s (holder %s)", tr.Status, ptr(tr.Creditor.Name), holder.Name)
			}
			in := oneLine(t, c, creditor.ID, tr.ID)
			if in.Status != "pending" || in.Amount != 2500 || in.Type != "pix" || deref(in.EndToEndID) != tr.EndToEndID || deref(in.Category) != "transfer_in" {
				t.Errorf("pending credit line %+v", in)
			}
			// A pending credit is not available yet.
			b := balances(t, c, creditor.ID)
			if b.Booked.Amount != credBefore.Booked.Amount || b.Pending.Amount != 2500 || b.Available.Amount != credBefore.Available.Amount {
				t.Errorf("creditor while ACSP %+v (before %+v)", b, credBefore)
			}

			advance(t, c, "2s")
			if got := getTransfer(t, c, tr.ID); got.Status != "ACSC" {
				t.Fatalf("after 2 s: %s", got.Status)
			}
			in = oneLine(t, c, creditor.ID, tr.ID)
			b = balances(t, c, creditor.ID)
			if in.Status != "booked" || derefInt(in.RunningBalance) != credBefore.Booked.Amount+2500 {
				t.Errorf("credit line %+v", in)
			}
			if b.Booked.Amount != credBefore.Booked.Amount+2500 || b.Available.Amount != credBefore.Available.Amount+2500 || b.Pending.Amount != 0 {
				t.Errorf("creditor after settlement %+v (before %+v)", b, credBefore)
			}
			if d := balances(t, c, debtor.ID); d.Booked.Amount != 7500 || d.Available.Amount != 7500 {
				t.Errorf("debtor %+v", d)
			}
			checkRunningBalances(t, transactions(t, c, creditor.ID, "", 100), b.Booked.Amount)
			verifyLedger(t, srv, c)
		})
	}
}

func TestTransferCancel(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	for _, rc := range []railCase{externalRails[2], externalRails[3]} {
		t.Run(rc.rail, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("cancel"))
			debtor := freshAccount(t, c, rc.currency, 10000)
			tr := createTransfer(t, c, transferBody(rc.rail, debtor.ID, rc.currency, 3000, rc.creditor))
			advance(t, c, "5m")
			at := now(t, c)

			r := c.Post("/v1/transfers/"+tr.ID+"/cancel", nil)
			var got transferJSON
			expectOK(t, r, &got)
			expectJournal(t, c, r, "cancelTransfer", tr.ID, "")
			expectStatuses(t, got, "RCVD", "ACTC", "ACSP", "CANC")
			last := got.StatusHistory[3]
			if got.reason() != "DS02" || got.StatusReason.Description != "Order cancelled by the debtor" || deref(last.ReasonCode) != "DS02" || !last.At.Equal(at) || !got.UpdatedAt.Equal(at) {
				t.Errorf("canceled %+v, last %+v", got.StatusReason, last)
			}
			if got.ExpectedSettlementAt != nil {
				t.Errorf("a canceled transfer expects settlement at %s", got.ExpectedSettlementAt)
			}
			if line := oneLine(t, c, debtor.ID, tr.ID); line.Status != "voided" {
				t.Errorf("debit line is %s after cancel", line.Status)
			}
			if b := balances(t, c, debtor.ID); b.Booked.Amount != 10000 || b.Available.Amount != 10000 || b.Pending.Amount != 0 {
				t.Errorf("funds not released: %+v", b)
			}
			var clk clockJSON
			expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
			if clk.PendingJobs != 0 || clk.NextJobAt != nil {
				t.Errorf("the settlement job survived the cancel: %+v", clk)
			}
			// Time passing does not revive it, and it cannot be canceled twice.
			if adv := advance(t, c, "P3D"); len(adv.Ran) != 0 {
				t.Errorf("ran %+v", adv.Ran)
			}
			if again := getTransfer(t, c, tr.ID); again.Status != "CANC" {
				t.Errorf("after 3 days the transfer is %s", again.Status)
			}
			r = c.Post("/v1/transfers/"+tr.ID+"/cancel", nil)
			p := expectProblem(t, r, http.StatusBadRequest, "transfer_not_cancelable")
			if !containsAll(p.Detail, tr.ID, "CANC") {
				t.Errorf("detail %q", p.Detail)
			}
			expectJournal(t, c, r, "cancelTransfer", "", "transfer_not_cancelable")
			verifyLedger(t, srv, c)
		})
	}

	t.Run("not cancelable", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("cancel"))
		brl := freshAccount(t, c, "BRL", 100000)
		other := richestAccount(t, c, "BRL")
		pix := createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, externalRails[0].creditor))
		internal := createTransfer(t, c, transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": other.ID}))
		noFunds := createTransfer(t, c, tedBody(brl.ID, 1000000, "12345678"))
		settled := createTransfer(t, c, tedBody(brl.ID, 100, "12345678"))
		gbp := freshAccount(t, c, "GBP", 1000)
		fps := createTransfer(t, c, transferBody("fps", gbp.ID, "GBP", 100, externalRails[1].creditor))
		advance(t, c, "30m")
		if s := getTransfer(t, c, settled.ID).Status; s != "ACSC" {
			t.Fatalf("TED is %s after 30 min", s)
		}
		pix2 := createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, externalRails[0].creditor)) // still ACSP
		for name, id := range map[string]string{
			"pix in ACSP": pix2.ID, "settled pix": pix.ID, "internal": internal.ID, "fps": fps.ID,
			"rejected TED": noFunds.ID, "settled TED": settled.ID,
		} {
			before := getTransfer(t, c, id)
			p := expectProblem(t, c.Post("/v1/transfers/"+id+"/cancel", nil), http.StatusBadRequest, "transfer_not_cancelable")
			if p.Detail == "" {
				t.Errorf("%s: no detail", name)
			}
			if after := getTransfer(t, c, id); after.Status != before.Status || len(after.StatusHistory) != len(before.StatusHistory) {
				t.Errorf("%s: a refused cancel changed it from %s to %s", name, before.Status, after.Status)
			}
		}
		expectProblem(t, c.Post("/v1/transfers/trf_0000000000000000/cancel", nil), http.StatusNotFound, "resource_missing")
		expectViolation(t, c.Post("/v1/transfers/acc_0000000000000000/cancel", nil), "validation_failed", "id")
		// Another tenant cannot cancel it.
		stranger := srv.Client(simtest.NewKey("cancel"))
		ted := createTransfer(t, c, tedBody(brl.ID, 100, "12345678"))
		expectProblem(t, stranger.Post("/v1/transfers/"+ted.ID+"/cancel", nil), http.StatusNotFound, "resource_missing")
		if s := getTransfer(t, c, ted.ID).Status; s != "ACSP" {
			t.Errorf("another tenant's cancel changed the transfer to %s", s)
		}
		verifyLedger(t, srv, c)
	})
}

func TestTransferInvalid(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("trfbad"))
	brl := freshAccount(t, c, "BRL", 100000)
	brl2 := freshAccount(t, c, "BRL", 0)
	eur := freshAccount(t, c, "EUR", 100000)
	gbp := freshAccount(t, c, "GBP", 100000)
	stranger := srv.Client(simtest.NewKey("trfstranger"))
	foreign := freshAccount(t, stranger, "BRL", 0)

	pix, fps, ted, sepa := externalRails[0].creditor, externalRails[1].creditor, externalRails[2].creditor, externalRails[3].creditor
	const contract, creditor = "validation_failed", "invalid_creditor"
	cases := []struct {
		name     string
		body     any
		code     string
		pointers []string // all must be named
	}{
		// rails and currencies
		{"SEPA from a BRL account", transferBody("sepa", brl.ID, "BRL", 100, sepa), "rail_currency_mismatch", []string{"/rail"}},
		{"FPS from a BRL account", transferBody("fps", brl.ID, "BRL", 100, fps), "rail_currency_mismatch", []string{"/rail"}},
		{"Pix from a EUR account", transferBody("pix", eur.ID, "EUR", 100, pix), "rail_currency_mismatch", []string{"/rail"}},
		{"TED from a GBP account", transferBody("ted", gbp.ID, "GBP", 100, ted), "rail_currency_mismatch", []string{"/rail"}},
		{"currency not the account's", transferBody("sepa", brl.ID, "EUR", 100, sepa), "currency_mismatch", []string{"/currency"}},
		{"currency not the account's on pix", transferBody("pix", brl.ID, "USD", 100, pix), "currency_mismatch", []string{"/currency"}},
		{"currency not ISO 4217", transferBody("pix", brl.ID, "XYZ", 100, pix), contract, []string{"/currency"}},
		{"rail not in enum", transferBody("ach", brl.ID, "BRL", 100, pix), contract, []string{"/rail"}},
		// debtor
		{"unknown debtor", transferBody("pix", "acc_0000000000000000", "BRL", 100, pix), "resource_missing", []string{"/debtor_account_id"}},
		{"another tenant's debtor", transferBody("pix", foreign.ID, "BRL", 100, pix), "resource_missing", []string{"/debtor_account_id"}},
		{"malformed debtor", transferBody("pix", "cus_0000000000000000", "BRL", 100, pix), contract, []string{"/debtor_account_id"}},
		// amounts
		{"amount zero", transferBody("pix", brl.ID, "BRL", 0, pix), contract, []string{"/amount"}},
		{"amount negative", transferBody("pix", brl.ID, "BRL", -500, pix), contract, []string{"/amount"}},
		{"amount too large", transferBody("pix", brl.ID, "BRL", 1000000000000000, pix), contract, []string{"/amount"}},
		{"amount as a string", `{"rail":"pix","debtor_account_id":"` + brl.ID + `","amount":"1050","currency":"BRL","creditor":{"pix_key":"a@example.com"}}`, contract, []string{"/amount"}},
		{"amount with an exponent", `{"rail":"pix","debtor_account_id":"` + brl.ID + `","amount":1.05e3,"currency":"BRL","creditor":{"pix_key":"a@example.com"}}`, contract, []string{"/amount"}},
		// shape
		{"missing rail", map[string]any{"debtor_account_id": brl.ID, "amount": 100, "currency": "BRL", "creditor": pix}, contract, []string{"/rail"}},
		{"missing creditor", map[string]any{"rail": "pix", "debtor_account_id": brl.ID, "amount": 100, "currency": "BRL"}, contract, []string{"/creditor"}},
		{"missing everything", map[string]any{}, contract, []string{"/rail", "/debtor_account_id", "/amount", "/currency", "/creditor"}},
		{"empty creditor", transferBody("pix", brl.ID, "BRL", 100, map[string]any{}), contract, []string{"/creditor"}},
		{"unknown creditor field", transferBody("fps", gbp.ID, "GBP", 100, withCreditor(fps, map[string]any{"sortcode": "040004"})), contract, []string{"/creditor/sortcode"}},
		{"unknown field", map[string]any{"rail": "pix", "debtor_account_id": brl.ID, "amount": 100, "currency": "BRL", "creditor": pix, "urgent": true}, contract, []string{"/urgent"}},
		{"metadata key too long", map[string]any{"rail": "pix", "debtor_account_id": brl.ID, "amount": 100, "currency": "BRL", "creditor": pix, "metadata": map[string]any{strings.Repeat("k", 41): "v"}}, "invalid_metadata", []string{"/metadata/" + strings.Repeat("k", 41)}},
		{"remittance too long", map[string]any{"rail": "pix", "debtor_account_id": brl.ID, "amount": 100, "currency": "BRL", "creditor": pix, "remittance_information": strings.Repeat("x", 141)}, contract, []string{"/remittance_information"}},
		// internal
		{"internal without account", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"name": "Me"}), creditor, []string{"/creditor/account_id"}},
		{"internal with an IBAN", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": brl2.ID, "iban": "DE89370400440532013000"}), creditor, []string{"/creditor/iban"}},
		{"internal to itself", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": brl.ID}), creditor, []string{"/creditor/account_id"}},
		{"internal to another currency", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": eur.ID}), creditor, []string{"/creditor/account_id"}},
		{"internal to an unknown account", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": "acc_0000000000000000"}), "resource_missing", []string{"/creditor/account_id"}},
		{"internal to another tenant's account", transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": foreign.ID}), "resource_missing", []string{"/creditor/account_id"}},
		// pix
		{"pix without key", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"name": "Maria"}), creditor, []string{"/creditor/pix_key"}},
		{"pix with bank details", transferBody("pix", brl.ID, "BRL", 100, withCreditor(pix, map[string]any{"iban": "DE89370400440532013000", "account_number": "1234"})), creditor, []string{"/creditor/iban", "/creditor/account_number"}},
		{"pix key not a key", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "maria silva"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key e-mail without domain", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "maria@"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key CPF with bad digits", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "123.456.789-00"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key foreign phone", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "+14155550123"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key shaped like a UUID but not hex", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key UUID with misplaced dashes", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "3f9c2a715-b8e-4d1f-a6c3-9e2b7d4f0a18"}), creditor, []string{"/creditor/pix_key"}},
		{"pix key of the debtor itself", transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": brl.pixKey("evp")}), creditor, []string{"/creditor/pix_key"}},
		{"pix with bad tax id", transferBody("pix", brl.ID, "BRL", 100, withCreditor(pix, map[string]any{"tax_id": "111.444.777-00"})), creditor, []string{"/creditor/tax_id"}},
		// ted
		{"ted with only a name", transferBody("ted", brl.ID, "BRL", 100, map[string]any{"name": "Maria"}), creditor, []string{"/creditor/bank_code", "/creditor/branch", "/creditor/account_number", "/creditor/tax_id"}},
		{"ted without name", transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"name": nil})), creditor, []string{"/creditor/name"}},
		{"ted with a Pix key", transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"pix_key": "a@example.com"})), creditor, []string{"/creditor/pix_key"}},
		{"ted with bad tax id", transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"tax_id": "12.345.678/0001-00"})), creditor, []string{"/creditor/tax_id"}},
		{"ted with a two-digit bank code", transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"bank_code": "34"})), contract, []string{"/creditor/bank_code"}},
		{"ted with a five-digit branch", transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"branch": "00012"})), contract, []string{"/creditor/branch"}},
		// sepa
		{"sepa without iban and name", transferBody("sepa", eur.ID, "EUR", 100, map[string]any{"bic": "COBADEFFXXX"}), creditor, []string{"/creditor/iban", "/creditor/name"}},
		{"sepa with a sort code", transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"sort_code": "040004"})), creditor, []string{"/creditor/sort_code"}},
		{"sepa with a bad IBAN checksum", transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "GB81WEST12345698765432"})), contract, []string{"/creditor/iban"}},
		{"sepa with an IBAN of the wrong length", transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "DE8937040044053201300"})), contract, []string{"/creditor/iban"}},
		{"sepa to a Brazilian IBAN", transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "BR1800360305000010009795493C1"})), creditor, []string{"/creditor/iban"}},
		{"sepa with a bad BIC", transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"bic": "cobadeff"})), contract, []string{"/creditor/bic"}},
		// fps
		{"fps with only a name", transferBody("fps", gbp.ID, "GBP", 100, map[string]any{"name": "Oliver"}), creditor, []string{"/creditor/sort_code", "/creditor/account_number"}},
		{"fps with a BIC", transferBody("fps", gbp.ID, "GBP", 100, withCreditor(fps, map[string]any{"bic": "NWBKGB2L"})), creditor, []string{"/creditor/bic"}},
		{"fps with a seven-digit account", transferBody("fps", gbp.ID, "GBP", 100, withCreditor(fps, map[string]any{"account_number": "1234567"})), creditor, []string{"/creditor/account_number"}},
		{"fps with a five-digit sort code", transferBody("fps", gbp.ID, "GBP", 100, withCreditor(fps, map[string]any{"sort_code": "04000"})), contract, []string{"/creditor/sort_code"}},
	}
	var checks []journalCheck
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/v1/transfers", tc.body)
			p := expectProblem(t, r, http.StatusBadRequest, tc.code)
			for _, ptr := range tc.pointers {
				if _, ok := p.Find(ptr); !ok {
					t.Errorf("violations %v do not name %s; body: %s", p.Fields(), ptr, r.Body)
				}
			}
			for _, e := range p.Errors {
				if e.Detail == "" {
					t.Errorf("violation %+v has no detail", e)
				}
			}
			checks = append(checks, journalCheck{r, "createTransfer", "", tc.code})
		})
	}
	expectJournalAll(t, c, checks)

	t.Run("unused fields name what the rail takes", func(t *testing.T) {
		v := expectViolation(t, c.Post("/v1/transfers", transferBody("pix", brl.ID, "BRL", 100, withCreditor(pix, map[string]any{"iban": "DE89370400440532013000"}))), creditor, "/creditor/iban")
		if !containsAll(v.Detail, "pix", "pix_key") {
			t.Errorf("detail %q", v.Detail)
		}
		v = expectViolation(t, c.Post("/v1/transfers", transferBody("ted", brl.ID, "BRL", 100, map[string]any{"name": "Maria"})), creditor, "/creditor/bank_code")
		if !strings.Contains(v.Detail, "required") {
			t.Errorf("detail %q", v.Detail)
		}
	})
	t.Run("amounts are minor units", func(t *testing.T) {
		for _, tc := range []struct{ amount, currency, account, rail, want string }{
			{"10.5", "BRL", brl.ID, "pix", "1055"},
			{"1050.0", "BRL", brl.ID, "pix", "1055"},
			{"10.50", "EUR", eur.ID, "sepa", "1055"},
		} {
			cr := `{"pix_key":"maria@example.com"}`
			if tc.rail == "sepa" {
				cr = `{"iban":"DE89370400440532013000","name":"Jonas"}`
			}
			body := fmt.Sprintf(`{"rail":%q,"debtor_account_id":%q,"amount":%s,"currency":%q,"creditor":%s}`, tc.rail, tc.account, tc.amount, tc.currency, cr)
			v := expectViolation(t, c.Post("/v1/transfers", body), contract, "/amount")
			if !containsAll(v.Detail, "minor units", tc.currency, "2 decimal places", tc.want) {
				t.Errorf("amount %s: detail %q does not explain minor units of %s", tc.amount, v.Detail, tc.currency)
			}
		}
	})
	t.Run("nothing was created", func(t *testing.T) {
		var page listPage[transferJSON]
		expectOK(t, c.Get("/v1/transfers"), &page)
		if len(page.Data) != 0 {
			t.Errorf("invalid requests created %d transfers", len(page.Data))
		}
		for _, a := range []accountJSON{brl, brl2, eur, gbp} {
			if b := balances(t, c, a.ID); b.Pending.Amount != 0 {
				t.Errorf("account %s has pending %d", a.ID, b.Pending.Amount)
			}
		}
	})
	t.Run("valid edge cases are accepted", func(t *testing.T) {
		for name, body := range map[string]map[string]any{
			"sepa to a valid GB IBAN":           transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "GB82WEST12345698765432"})),
			"sepa to a valid DE IBAN":           transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "DE89370400440532013000", "bic": nil})),
			"fps with an undashed sort code":    transferBody("fps", gbp.ID, "GBP", 100, withCreditor(fps, map[string]any{"sort_code": "040004"})),
			"ted to a CNPJ without digit":       transferBody("ted", brl.ID, "BRL", 100, withCreditor(ted, map[string]any{"tax_id": "12345678000195", "account_digit": nil})),
			"pix to a phone key":                transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "+5511987654321"}),
			"pix to a CPF key":                  transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "11144477735", "tax_id": "111.444.777-35"}),
			"pix to a random key":               transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "3f9c2a71-5b8e-4d1f-a6c3-9e2b7d4f0a18"}),
			"internal with a name":              transferBody("internal", brl.ID, "BRL", 100, map[string]any{"account_id": brl2.ID, "name": "Savings"}),
			"remittance of exactly 140":         transferBody("pix", brl.ID, "BRL", 100, pix),
			"sepa IBAN with lower case letters": transferBody("sepa", eur.ID, "EUR", 100, withCreditor(sepa, map[string]any{"iban": "de89370400440532013000"})),
		} {
			if name == "remittance of exactly 140" {
				body["remittance_information"] = strings.Repeat("x", 140)
			}
			r := c.Post("/v1/transfers", body)
			if r.Status != http.StatusCreated {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
				continue
			}
			var tr transferJSON
			r.Decode(t, &tr)
			if tr.Status == "RJCT" {
				t.Errorf("%s: rejected %+v", name, tr.StatusReason)
			}
		}
	})
	verifyLedger(t, srv, c)
}

func TestListAndGetTransfers(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("trflist"))
	brl := freshAccount(t, c, "BRL", 100000)
	eur := freshAccount(t, c, "EUR", 100000)
	brl2 := freshAccount(t, c, "BRL", 0)
	made := []transferJSON{
		createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, externalRails[0].creditor)),
		createTransfer(t, c, tedBody(brl.ID, 200, "12345678")),
		createTransfer(t, c, transferBody("internal", brl.ID, "BRL", 300, map[string]any{"account_id": brl2.ID})),
		createTransfer(t, c, transferBody("sepa", eur.ID, "EUR", 400, externalRails[3].creditor)),
		createTransfer(t, c, transferBody("pix", brl2.ID, "BRL", 999999, externalRails[0].creditor)), // RJCT AM04
		createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 500, externalRails[0].creditor)),
	}
	advance(t, c, "2s") // both Pix settle

	var page listPage[transferJSON]
	expectOK(t, c.Get("/v1/transfers"), &page)
	if len(page.Data) != len(made) || page.HasMore || page.NextCursor != nil {
		t.Fatalf("%d transfers, has_more %v", len(page.Data), page.HasMore)
	}
	for i, tr := range page.Data {
		want := made[len(made)-1-i]
		if tr.ID != want.ID {
			t.Errorf("item %d is %s, want %s (newest first)", i, tr.ID, want.ID)
		}
		if got := getTransfer(t, c, tr.ID); got.Status != tr.Status || got.UpdatedAt != tr.UpdatedAt {
			t.Errorf("list says %s, GET says %s", tr.Status, got.Status)
		}
	}

	cases := []struct {
		query string
		want  []int // indexes into made, newest first
	}{
		{"status=ACSC", []int{5, 2, 0}},
		{"status=ACSP", []int{3, 1}},
		{"status=RJCT", []int{4}},
		{"status=CANC", nil},
		{"rail=pix", []int{5, 4, 0}},
		{"rail=sepa", []int{3}},
		{"rail=fps", nil},
		{"debtor_account_id=" + brl.ID, []int{5, 2, 1, 0}},
		{"debtor_account_id=" + brl2.ID, []int{4}},
		{"rail=pix&status=ACSC&debtor_account_id=" + brl.ID, []int{5, 0}},
		{"debtor_account_id=acc_0000000000000000", nil},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			var want []string
			for _, i := range tc.want {
				want = append(want, made[i].ID)
			}
			got := ids(walk[transferJSON](t, c, "/v1/transfers", tc.query, 2, nil), func(tr transferJSON) string { return tr.ID })
			if !slices.Equal(got, want) {
				t.Errorf("?%s: %v, want %v", tc.query, got, want)
			}
		})
	}
	t.Run("bad parameters", func(t *testing.T) {
		for _, tc := range []struct{ query, param, code string }{
			{"status=SETTLED", "status", "validation_failed"},
			{"status=acsc", "status", "validation_failed"},
			{"rail=swift", "rail", "validation_failed"},
			{"debtor_account_id=123", "debtor_account_id", "validation_failed"},
			{"limit=0", "limit", "validation_failed"},
			{"limit=101", "limit", "validation_failed"},
			{"debtor=acc_0000000000000000", "debtor", "validation_failed"},
			{"cursor=Y3VzOjE", "cursor", "invalid_cursor"},
		} {
			expectViolation(t, c.Get("/v1/transfers?"+tc.query), tc.code, tc.param)
		}
	})
	t.Run("get", func(t *testing.T) {
		r := c.Get("/v1/transfers/" + made[1].ID)
		var tr transferJSON
		expectOK(t, r, &tr)
		expectJournal(t, c, r, "getTransfer", made[1].ID, "")
		if tr.ID != made[1].ID || tr.Rail != "ted" || tr.Amount != 200 {
			t.Errorf("GET %+v", tr)
		}
		r = c.Get("/v1/transfers/trf_0000000000000000")
		p := expectProblem(t, r, http.StatusNotFound, "resource_missing")
		if !strings.Contains(p.Detail, "trf_0000000000000000") {
			t.Errorf("detail %q", p.Detail)
		}
		expectJournal(t, c, r, "getTransfer", "", "resource_missing")
		expectViolation(t, c.Get("/v1/transfers/txn_0000000000000000"), "validation_failed", "id")
		other := srv.Client(simtest.NewKey("trfother"))
		expectProblem(t, other.Get("/v1/transfers/"+made[1].ID), http.StatusNotFound, "resource_missing")
		var none listPage[transferJSON]
		expectOK(t, other.Get("/v1/transfers"), &none)
		if len(none.Data) != 0 {
			t.Errorf("another tenant sees %d transfers", len(none.Data))
		}
	})
}

// TestTransferCursorAcrossInserts walks the transfer list while new
// transfers are created between pages: the walk returns exactly the
// transfers that existed when it began, without duplicates or gaps.
func TestTransferCursorAcrossInserts(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	for _, tc := range []struct {
		name, query string
	}{
		{"all", ""},
		{"filtered by rail", "rail=pix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("trfwalk"))
			brl := freshAccount(t, c, "BRL", 1000000)
			other := richestAccount(t, c, "BRL")
			for i := range 13 {
				rail, cr := "pix", externalRails[0].creditor
				if i%3 == 0 {
					rail, cr = "internal", map[string]any{"account_id": other.ID}
				}
				createTransfer(t, c, transferBody(rail, brl.ID, "BRL", int64(100+i), cr))
			}
			snapshot := ids(walk[transferJSON](t, c, "/v1/transfers", tc.query, 100, nil), func(tr transferJSON) string { return tr.ID })
			inserted := 0
			walked := walk[transferJSON](t, c, "/v1/transfers", tc.query, 4, func(int) {
				createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 1, externalRails[0].creditor))
				createTransfer(t, c, transferBody("internal", brl.ID, "BRL", 1, map[string]any{"account_id": other.ID}))
				inserted += 2
			})
			got := ids(walked, func(tr transferJSON) string { return tr.ID })
			expectNoDuplicates(t, got)
			if !slices.Equal(got, snapshot) {
				t.Errorf("walk across inserts %v, snapshot %v", got, snapshot)
			}
			if inserted == 0 {
				t.Fatal("the walk fit in one page")
			}
			var all listPage[transferJSON]
			expectOK(t, c.Get("/v1/transfers?limit=100"), &all)
			if len(all.Data) != 13+inserted {
				t.Errorf("%d transfers after the walk, want %d", len(all.Data), 13+inserted)
			}
		})
	}
}
