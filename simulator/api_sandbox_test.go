package simulator_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

func TestClockGet(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("clock"))
	r := c.Get("/v1/sandbox/clock")
	var clk clockJSON
	expectOK(t, r, &clk)
	if clk.Object != "clock" || !clk.Now.Equal(clockStart) || clk.Mode != "frozen" || clk.PendingJobs != 0 || clk.NextJobAt != nil {
		t.Errorf("clock %+v, want frozen at %s with no jobs", clk, clockStart)
	}
	if clockStart.Weekday() != time.Monday {
		t.Fatalf("the virtual clock starts on a %s", clockStart.Weekday())
	}
	expectJournal(t, c, r, "getClock", "", "")
	// Frozen: reading it again (whatever the wall clock did) gives the same instant.
	var again clockJSON
	expectOK(t, c.Get("/v1/sandbox/clock"), &again)
	if !again.Now.Equal(clk.Now) {
		t.Errorf("a frozen clock moved from %s to %s", clk.Now, again.Now)
	}
	// Each tenant has its own clock.
	advance(t, c, "1h")
	other := srv.Client(simtest.NewKey("clock"))
	if got := now(t, other); !got.Equal(clockStart) {
		t.Errorf("another tenant's advance moved this clock to %s", got)
	}
	// The journal records the virtual time of each request.
	r = c.Get("/v1/sandbox/clock")
	if e := journalEntry(t, c, r); e["virtual_time"] != clockStart.Add(time.Hour).Format(time.RFC3339) {
		t.Errorf("journal virtual_time %v, want %s", e["virtual_time"], clockStart.Add(time.Hour).Format(time.RFC3339))
	}
}

func TestClockAdvance(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		body map[string]any
		want time.Time
	}{
		{map[string]any{"by": "90s"}, clockStart.Add(90 * time.Second)},
		{map[string]any{"by": "1h30m"}, clockStart.Add(90 * time.Minute)},
		{map[string]any{"by": "1ms"}, clockStart.Add(time.Millisecond)},
		{map[string]any{"by": "PT1H30M"}, clockStart.Add(90 * time.Minute)},
		{map[string]any{"by": "PT36H"}, clockStart.Add(36 * time.Hour)},
		{map[string]any{"by": "PT0.5S"}, clockStart.Add(500 * time.Millisecond)},
		{map[string]any{"by": "PT45S"}, clockStart.Add(45 * time.Second)},
		{map[string]any{"by": "P1D"}, clockStart.AddDate(0, 0, 1)},
		{map[string]any{"by": "P1DT2H"}, clockStart.AddDate(0, 0, 1).Add(2 * time.Hour)},
		{map[string]any{"by": "P2W"}, clockStart.AddDate(0, 0, 14)},
		{map[string]any{"by": "P366D"}, clockStart.AddDate(0, 0, 366)},
		{map[string]any{"by": "8784h"}, clockStart.AddDate(0, 0, 366)},
		{map[string]any{"to": "2026-03-02T12:00:01Z"}, clockStart.Add(time.Second)},
		{map[string]any{"to": "2026-03-09T09:00:00Z"}, time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)},
		{map[string]any{"to": "2026-03-02T10:00:00-03:00"}, clockStart.Add(time.Hour)},
		{map[string]any{"to": "2026-03-02T12:00:00.25Z"}, clockStart.Add(250 * time.Millisecond)},
		{map[string]any{"to": "2027-03-03T12:00:00Z"}, clockStart.AddDate(0, 0, 366)},
	}
	for _, tc := range cases {
		name := ""
		for k, v := range tc.body {
			name = k + " " + v.(string)
		}
		t.Run(name, func(t *testing.T) {
			c := srv.Client(simtest.NewKey("advance"))
			r := c.Post("/v1/sandbox/clock/advance", tc.body)
			var out clockJSON
			expectOK(t, r, &out)
			if !out.Now.Equal(tc.want) || out.Object != "clock" || out.Mode != "frozen" || out.PendingJobs != 0 || out.NextJobAt != nil {
				t.Errorf("after %v: %+v, want now %s", tc.body, out, tc.want)
			}
			if out.Ran == nil || len(out.Ran) != 0 {
				t.Errorf("ran %v, want []", out.Ran)
			}
			if got := now(t, c); !got.Equal(tc.want) {
				t.Errorf("GET clock says %s, want %s", got, tc.want)
			}
			expectJournal(t, c, r, "advanceClock", "", "")
		})
	}
	t.Run("advances add up", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("advance"))
		advance(t, c, "P1D")
		advance(t, c, "PT1H")
		out := advance(t, c, "30m")
		if want := clockStart.AddDate(0, 0, 1).Add(90 * time.Minute); !out.Now.Equal(want) {
			t.Errorf("now %s, want %s", out.Now, want)
		}
		// The limit is per advance, not in total.
		advance(t, c, "P366D")
		advance(t, c, "P366D")
	})
}

func TestClockAdvanceInvalid(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	cases := []struct {
		name    string
		body    any
		pointer string
	}{
		{"to in the past", map[string]any{"to": "2026-03-01T00:00:00Z"}, "/to"},
		{"to now", map[string]any{"to": "2026-03-02T12:00:00Z"}, "/to"},
		{"to now in another offset", map[string]any{"to": "2026-03-02T09:00:00-03:00"}, "/to"},
		{"to beyond 366 days", map[string]any{"to": "2027-03-03T12:00:00.001Z"}, "/to"},
		{"to far away", map[string]any{"to": "2126-01-01T00:00:00Z"}, "/to"},
		{"to not a date-time", map[string]any{"to": "tomorrow"}, "/to"},
		{"to a date only", map[string]any{"to": "2026-03-03"}, "/to"},
		{"to a number", map[string]any{"to": 1772452800}, "/to"},
		{"by negative", map[string]any{"by": "-1h"}, "/by"},
		{"by negative ISO", map[string]any{"by": "-PT1H"}, "/by"},
		{"by zero", map[string]any{"by": "0s"}, "/by"},
		{"by zero ISO", map[string]any{"by": "PT0S"}, "/by"},
		{"by over 366 days", map[string]any{"by": "P367D"}, "/by"},
		{"by over 366 days in hours", map[string]any{"by": "8785h"}, "/by"},
		{"by over 366 days in weeks", map[string]any{"by": "P53W"}, "/by"},
		{"by so many weeks it overflows", map[string]any{"by": "P30501W"}, "/by"},
		{"by so many weeks it wraps negative", map[string]any{"by": "P15251W"}, "/by"},
		{"by overflowing in total", map[string]any{"by": "P100000DT100000H1000000000S"}, "/by"},
		{"by a Go duration that overflows", map[string]any{"by": "9999999999h"}, "/by"},
		{"by words", map[string]any{"by": "soon"}, "/by"},
		{"by days the Go way", map[string]any{"by": "1d"}, "/by"},
		{"by months", map[string]any{"by": "P1M"}, "/by"},
		{"by years", map[string]any{"by": "P1Y"}, "/by"},
		{"by bare P", map[string]any{"by": "P"}, "/by"},
		{"by bare PT", map[string]any{"by": "PT"}, "/by"},
		{"by T without a time part", map[string]any{"by": "P1DT"}, "/by"},
		{"by lower case ISO", map[string]any{"by": "pt1h"}, "/by"},
		{"by empty", map[string]any{"by": ""}, "/by"},
		{"by a number", map[string]any{"by": 90}, "/by"},
		{"by too long a string", map[string]any{"by": "PT0000000000000000000000000000000000000001S"}, "/by"},
		{"both by and to", map[string]any{"by": "1h", "to": "2026-03-02T14:00:00Z"}, ""},
		{"neither", map[string]any{}, ""},
		{"unknown field", map[string]any{"until": "2026-03-02T14:00:00Z"}, "/until"},
	}
	c := srv.Client(simtest.NewKey("advbad"))
	pending := createTransfer(t, c, transferBody("pix", richestAccount(t, c, "BRL").ID, "BRL", 100, externalRails[0].creditor))
	var checks []journalCheck
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Post("/v1/sandbox/clock/advance", tc.body)
			p := expectProblem(t, r, http.StatusBadRequest, "validation_failed")
			if tc.pointer != "" {
				if _, ok := p.Find(tc.pointer); !ok {
					t.Errorf("violations %v, want %s; body: %s", p.Fields(), tc.pointer, r.Body)
				}
			} else if len(p.Errors) == 0 || p.Errors[0].In != "body" {
				// The contract's min/maxProperties answer first, about the
				// whole body (no pointer).
				t.Errorf("no body violation listed: %s", r.Body)
			}
			checks = append(checks, journalCheck{r, "advanceClock", "", "validation_failed"})
			// Nothing moved and nothing ran.
			var clk clockJSON
			expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
			if !clk.Now.Equal(clockStart) || clk.PendingJobs != 1 {
				t.Errorf("a refused advance left the clock at %s with %d jobs", clk.Now, clk.PendingJobs)
			}
			if got := getTransfer(t, c, pending.ID); got.Status != "ACSP" {
				t.Errorf("a refused advance settled a transfer: %s", got.Status)
			}
		})
	}
	expectJournalAll(t, c, checks)
	t.Run("the 366-day limit is explained", func(t *testing.T) {
		v := expectViolation(t, c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "P400D"}), "validation_failed", "/by")
		if !containsAll(v.Detail, "366") {
			t.Errorf("detail %q", v.Detail)
		}
		v = expectViolation(t, c.Post("/v1/sandbox/clock/advance", map[string]any{"to": "2025-01-01T00:00:00Z"}), "validation_failed", "/to")
		if !containsAll(v.Detail, "2026-03-02T12:00:00Z") {
			t.Errorf("detail %q does not give the clock's now", v.Detail)
		}
	})
}

func TestClockRunsJobsInDueOrder(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("jobs"))
	brl := freshAccount(t, c, "BRL", 100000)
	eur := freshAccount(t, c, "EUR", 100000)
	start := now(t, c)

	// Created out of due order; each row is (what, due after start).
	ted := createTransfer(t, c, tedBody(brl.ID, 100, "12345678"))
	sepa := createTransfer(t, c, transferBody("sepa", eur.ID, "EUR", 100, externalRails[3].creditor))
	timeout := createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "x@timeout.sandbox.test"}))
	cust := createCustomer(t, c, individualBody("529.982.247-25"))
	pix1 := createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, externalRails[0].creditor))
	pix2 := createTransfer(t, c, transferBody("pix", brl.ID, "BRL", 100, map[string]any{"pix_key": "y@reject-ac04.sandbox.test"}))
	canceled := createTransfer(t, c, tedBody(brl.ID, 100, "12345678"))
	expectOK(t, c.Post("/v1/transfers/"+canceled.ID+"/cancel", nil), nil)
	rejected := createTransfer(t, c, tedBody(brl.ID, 10000000, "12345678")) // AM04: nothing scheduled

	nextDay9 := time.Date(start.Year(), start.Month(), start.Day()+1, 9, 0, 0, 0, time.UTC)
	want := []ranJSON{
		{start.Add(2 * time.Second), "transfer.settle", pix1.ID},
		{start.Add(2 * time.Second), "transfer.reject", pix2.ID}, // same instant: scheduling order
		{start.Add(30 * time.Second), "customer.verify", cust.ID},
		{start.Add(60 * time.Second), "transfer.reject", timeout.ID},
		{start.Add(30 * time.Minute), "transfer.settle", ted.ID},
		{nextDay9, "transfer.settle", sepa.ID},
	}
	var clk clockJSON
	expectOK(t, c.Get("/v1/sandbox/clock"), &clk)
	if clk.PendingJobs != len(want) || clk.NextJobAt == nil || !clk.NextJobAt.Equal(want[0].At) {
		t.Errorf("before: %d jobs, next at %v; want %d, next at %s", clk.PendingJobs, clk.NextJobAt, len(want), want[0].At)
	}

	out := advance(t, c, "P2D")
	same := func(a, b ranJSON) bool { return a.At.Equal(b.At) && a.Job == b.Job && a.ResourceID == b.ResourceID }
	if !slices.EqualFunc(out.Ran, want, same) {
		t.Errorf("ran:\n%+v\nwant:\n%+v", out.Ran, want)
	}
	if !out.Now.Equal(start.AddDate(0, 0, 2)) || out.PendingJobs != 0 || out.NextJobAt != nil {
		t.Errorf("after: %+v", out)
	}
	for id, status := range map[string]string{
		pix1.ID: "ACSC", pix2.ID: "RJCT", timeout.ID: "RJCT", ted.ID: "ACSC", sepa.ID: "ACSC", canceled.ID: "CANC", rejected.ID: "RJCT",
	} {
		if got := getTransfer(t, c, id); got.Status != status {
			t.Errorf("%s is %s, want %s", id, got.Status, status)
		}
	}
	var got customerJSON
	expectOK(t, c.Get("/v1/customers/"+cust.ID), &got)
	if got.Verification.Status != "requires_input" {
		t.Errorf("customer %s", got.Verification.Status)
	}

	// Advancing in small steps runs the same jobs at the same instants.
	c2 := srv.Client(simtest.NewKey("jobs"))
	brl2 := freshAccount(t, c2, "BRL", 100000)
	start2 := now(t, c2)
	a := createTransfer(t, c2, transferBody("pix", brl2.ID, "BRL", 100, externalRails[0].creditor))
	b := createTransfer(t, c2, tedBody(brl2.ID, 100, "12345678"))
	var ran []ranJSON
	for range 4 {
		ran = append(ran, advance(t, c2, "10m").Ran...)
	}
	want2 := []ranJSON{{start2.Add(2 * time.Second), "transfer.settle", a.ID}, {start2.Add(30 * time.Minute), "transfer.settle", b.ID}}
	if !slices.EqualFunc(ran, want2, same) {
		t.Errorf("stepwise ran %+v, want %+v", ran, want2)
	}
	verifyLedger(t, srv, c)
	verifyLedger(t, srv, c2)
}

func TestClockAdvanceIdempotent(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("advidem"))
	first := c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "1h"}, "Idempotency-Key", "advance-once-1")
	expectOK(t, first, nil)
	second := c.Post("/v1/sandbox/clock/advance", map[string]any{"by": "1h"}, "Idempotency-Key", "advance-once-1")
	expectOK(t, second, nil)
	if second.Header.Get("Idempotent-Replayed") != "true" || string(second.Body) != string(first.Body) {
		t.Errorf("the retry was not a replay: %s %s", second.Header.Get("Idempotent-Replayed"), second.Body)
	}
	if got := now(t, c); !got.Equal(clockStart.Add(time.Hour)) {
		t.Errorf("a retried advance moved the clock twice: %s", got)
	}
}

func TestInboundTransfers(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	itrPattern := regexp.MustCompile(`^itr_[0-9A-Za-z]{16}$`)
	cases := []struct {
		currency, rail, wantType string
	}{
		{"BRL", "", "pix"},
		{"EUR", "", "sepa"},
		{"GBP", "", "fps"},
		{"USD", "", "ach"},
		{"BRL", "ted", "ted"},
		{"BRL", "pix", "pix"},
		{"EUR", "sepa", "sepa"},
		{"GBP", "fps", "fps"},
		{"USD", "ach", "ach"},
	}
	c := srv.Client(simtest.NewKey("inbound"))
	richest := map[string]accountJSON{}
	for _, cur := range []string{"BRL", "EUR", "GBP", "USD"} {
		richest[cur] = richestAccount(t, c, cur)
	}
	for _, tc := range cases {
		t.Run(tc.currency+" "+tc.wantType, func(t *testing.T) {
			acct := richest[tc.currency]
			before := balances(t, c, acct.ID)
			at := now(t, c)
			body := map[string]any{
				"account_id": acct.ID, "amount": 500000, "currency": tc.currency,
				"debtor":      map[string]any{"name": "Empresa Exemplo Ltda", "tax_id": "12.345.678/0001-95", "account": "341 0001/12345-6"},
				"description": "Pagamento fatura 2291",
			}
			if tc.rail != "" {
				body["rail"] = tc.rail
			}
			r := c.Post("/v1/sandbox/inbound_transfers", body)
			var line transactionJSON
			expectCreated(t, r, "", &line)
			if loc := r.Header.Get("Location"); loc != "/v1/accounts/"+acct.ID+"/transactions" {
				t.Errorf("Location %q", loc)
			}
			switch {
			case line.Object != "transaction" || line.AccountID != acct.ID || line.Currency != tc.currency:
				t.Errorf("line %+v", line)
			case line.Amount != 500000 || line.CreditDebit != "credit" || line.Status != "booked":
				t.Errorf("amount %d %s %s", line.Amount, line.CreditDebit, line.Status)
			case line.Type != tc.wantType || deref(line.Category) != "transfer_in" || line.Description != "Pagamento fatura 2291":
				t.Errorf("type %s category %s description %q", line.Type, deref(line.Category), line.Description)
			case line.BookedAt == nil || !line.BookedAt.Equal(at) || !line.CreatedAt.Equal(at) || line.ValueDate != at.Format(time.DateOnly):
				t.Errorf("booked_at %v created_at %s value_date %s, want %s", line.BookedAt, line.CreatedAt, line.ValueDate, at)
			case derefInt(line.RunningBalance) != before.Booked.Amount+500000:
				t.Errorf("running_balance %d, want %d", derefInt(line.RunningBalance), before.Booked.Amount+500000)
			case line.Source == nil || line.Source.Type != "inbound_transfer" || !itrPattern.MatchString(line.Source.ID):
				t.Errorf("source %+v", line.Source)
			}
			if cp := line.Counterparty; cp == nil || cp.Name != "Empresa Exemplo Ltda" || deref(cp.TaxID) != "12.345.678/0001-95" || deref(cp.Account) != "341 0001/12345-6" {
				t.Errorf("counterparty %+v", line.Counterparty)
			}
			if tc.wantType == "pix" {
				if !pixE2EPattern.MatchString(deref(line.EndToEndID)) {
					t.Errorf("Pix end_to_end_id %q", deref(line.EndToEndID))
				}
			} else if line.EndToEndID != nil {
				t.Errorf("%s line has end_to_end_id %q", tc.wantType, *line.EndToEndID)
			}
			expectJournal(t, c, r, "createInboundTransfer", line.Source.ID, "")

			after := balances(t, c, acct.ID)
			if after.Booked.Amount != before.Booked.Amount+500000 || after.Available.Amount != before.Available.Amount+500000 || after.Pending.Amount != before.Pending.Amount {
				t.Errorf("balances %+v → %+v", before, after)
			}
			var newest listPage[transactionJSON]
			expectOK(t, c.Get("/v1/accounts/"+acct.ID+"/transactions?limit=1"), &newest)
			if len(newest.Data) != 1 || newest.Data[0].ID != line.ID {
				t.Errorf("the newest line is not the inbound %s", line.ID)
			}
		})
	}
	t.Run("statements still add up", func(t *testing.T) {
		for _, a := range richest {
			checkRunningBalances(t, transactions(t, c, a.ID, "", 100), balances(t, c, a.ID).Booked.Amount)
		}
		verifyLedger(t, srv, c)
	})

	t.Run("running balances chain", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("inbound"))
		acct := freshAccount(t, c, "GBP", 0)
		var running int64
		for _, amount := range []int64{100, 250, 1, 99999} {
			running += amount
			line := inbound(t, c, acct.ID, "GBP", amount)
			if derefInt(line.RunningBalance) != running {
				t.Errorf("after %d: running_balance %d, want %d", amount, derefInt(line.RunningBalance), running)
			}
			advance(t, c, "1m")
		}
		checkRunningBalances(t, transactions(t, c, acct.ID, "", 2), running)
	})
	t.Run("without debtor or description", func(t *testing.T) {
		c := srv.Client(simtest.NewKey("inbound"))
		acct := freshAccount(t, c, "EUR", 0)
		line := inbound(t, c, acct.ID, "EUR", 4200)
		if line.Counterparty == nil || line.Counterparty.Name == "" || line.Counterparty.TaxID != nil || line.Counterparty.Account != nil {
			t.Errorf("counterparty %+v", line.Counterparty)
		}
		if line.Description != "Transfer from "+line.Counterparty.Name {
			t.Errorf("description %q", line.Description)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		brl, eur, usd := richest["BRL"], richest["EUR"], richest["USD"]
		stranger := srv.Client(simtest.NewKey("inboundother"))
		foreign := accounts(t, stranger)[0]
		body := func(account, currency string, amount any, extra ...any) map[string]any {
			b := map[string]any{"account_id": account, "currency": currency, "amount": amount}
			for i := 0; i+1 < len(extra); i += 2 {
				b[extra[i].(string)] = extra[i+1]
			}
			return b
		}
		cases := []struct {
			name    string
			body    any
			code    string
			pointer string
		}{
			{"Pix into a EUR account", body(eur.ID, "EUR", 100, "rail", "pix"), "rail_currency_mismatch", "/rail"},
			{"ACH into a BRL account", body(brl.ID, "BRL", 100, "rail", "ach"), "rail_currency_mismatch", "/rail"},
			{"SEPA into a USD account", body(usd.ID, "USD", 100, "rail", "sepa"), "rail_currency_mismatch", "/rail"},
			{"FPS into a BRL account", body(brl.ID, "BRL", 100, "rail", "fps"), "rail_currency_mismatch", "/rail"},
			{"currency not the account's", body(brl.ID, "EUR", 100), "currency_mismatch", "/currency"},
			{"unknown account", body("acc_0000000000000000", "BRL", 100), "resource_missing", "/account_id"},
			{"another tenant's account", body(foreign.ID, "BRL", 100), "resource_missing", "/account_id"},
			{"malformed account", body("cus_0000000000000000", "BRL", 100), "validation_failed", "/account_id"},
			{"rail not in enum", body(brl.ID, "BRL", 100, "rail", "internal"), "validation_failed", "/rail"},
			{"amount zero", body(brl.ID, "BRL", 0), "validation_failed", "/amount"},
			{"amount negative", body(brl.ID, "BRL", -100), "validation_failed", "/amount"},
			{"amount with decimals", body(brl.ID, "BRL", 10.5), "validation_failed", "/amount"},
			{"missing amount", map[string]any{"account_id": brl.ID, "currency": "BRL"}, "validation_failed", "/amount"},
			{"missing account", map[string]any{"amount": 100, "currency": "BRL"}, "validation_failed", "/account_id"},
			{"debtor without name", body(brl.ID, "BRL", 100, "debtor", map[string]any{"tax_id": "111.444.777-35"}), "validation_failed", "/debtor/name"},
			{"debtor with unknown field", body(brl.ID, "BRL", 100, "debtor", map[string]any{"name": "A", "iban": "x"}), "validation_failed", "/debtor/iban"},
			{"unknown field", body(brl.ID, "BRL", 100, "reference", "x"), "validation_failed", "/reference"},
		}
		var checks []journalCheck
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := balances(t, c, brl.ID)
				r := c.Post("/v1/sandbox/inbound_transfers", tc.body)
				expectViolation(t, r, tc.code, tc.pointer)
				checks = append(checks, journalCheck{r, "createInboundTransfer", "", tc.code})
				if after := balances(t, c, brl.ID); after != before {
					t.Errorf("a refused inbound moved money: %+v → %+v", before, after)
				}
			})
		}
		expectJournalAll(t, c, checks)
	})
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	ok := map[string]time.Duration{
		"90s":          90 * time.Second,
		"1h30m":        90 * time.Minute,
		"-1h":          -time.Hour, // parses; the handler refuses it
		"PT1H30M":      90 * time.Minute,
		"PT0.25S":      250 * time.Millisecond,
		"P1D":          24 * time.Hour,
		"P2W":          14 * 24 * time.Hour,
		"P1W2DT3H4M5S": (7+2)*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second,
		"PT0S":         0,
		"P100000D":     100000 * 24 * time.Hour, // the largest day count, still a valid Duration
	}
	for in, want := range ok {
		got, err := simulator.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "P", "PT", "P1DT", "1d", "P1M", "P1Y", "pt1h", "PT1.5H", "P-1D", "soon",
		"P30501W", "P15251W", "P100001D", "P100000DT100000H1000000000S", "PT1000000001S",
	} {
		if d, err := simulator.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %s, want an error", in, d)
		}
	}
}
