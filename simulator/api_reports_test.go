package simulator_test

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/simtest"
)

var reportColumns = []string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
	"reporting_category", "source_id", "description", "payment_id", "payout_id"}

type reportJSON struct {
	Object      string      `json:"object"`
	Payout      *payoutJSON `json:"payout"`
	RecipientID *string     `json:"recipient_id"`
	Currency    *string     `json:"currency"`
	From        *time.Time  `json:"from"`
	To          *time.Time  `json:"to"`
	Rows        []struct {
		BalanceTransactionID string    `json:"balance_transaction_id"`
		CreatedUTC           time.Time `json:"created_utc"`
		Currency             string    `json:"currency"`
		Gross                int64     `json:"gross"`
		Fee                  int64     `json:"fee"`
		Net                  int64     `json:"net"`
		ReportingCategory    string    `json:"reporting_category"`
		SourceID             string    `json:"source_id"`
		Description          *string   `json:"description"`
		PayoutID             *string   `json:"payout_id"`
	} `json:"rows"`
	Totals   []reportTotalJSON `json:"totals"`
	Balanced bool              `json:"balanced"`
}

type reportTotalJSON struct {
	Currency        string `json:"currency"`
	Count           int    `json:"count"`
	Gross           int64  `json:"gross"`
	Fee             int64  `json:"fee"`
	Net             int64  `json:"net"`
	StartingBalance *int64 `json:"starting_balance"`
	EndingBalance   *int64 `json:"ending_balance"`
}

func report(t testing.TB, c *simtest.Client, query string) reportJSON {
	t.Helper()
	var r reportJSON
	expectOK(t, c.Get("/v1/reports/reconciliation?"+query), &r)
	if r.Object != "reconciliation_report" {
		t.Fatalf("%+v", r)
	}
	return r
}

// reportCSV fetches the report as CSV, checks the download headers and
// RFC 4180 line endings, and parses it: the header row, then the rows.
func reportCSV(t testing.TB, c *simtest.Client, query, filename string) [][]string {
	t.Helper()
	r := c.Get("/v1/reports/reconciliation?"+query, "Accept", "text/csv").Expect(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Fatalf("Content-Disposition %q, want an attachment named %s", r.Header.Get("Content-Disposition"), filename)
	}
	if !bytes.HasSuffix(r.Body, []byte("\r\n")) || bytes.Count(r.Body, []byte("\r\n")) < 1 {
		t.Fatalf("lines do not end in CRLF: %q", r.Body)
	}
	records, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, r.Body)
	}
	if !slices.Equal(records[0], reportColumns) {
		t.Fatalf("header %v", records[0])
	}
	return records[1:]
}

func sumColumn(t testing.TB, rows [][]string, col string) int64 {
	t.Helper()
	i := slices.Index(reportColumns, col)
	var sum int64
	for _, r := range rows {
		n, err := strconv.ParseInt(r[i], 10, 64)
		if err != nil {
			t.Fatalf("%s %q is not an integer", col, r[i])
		}
		sum += n
	}
	return sum
}

func TestReconciliationReportOfAPayout(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("reportpayout", 1))
	tricky := "Pedido 7, \"tênis\"\nentrega expressa"
	poFunds(t, c, 10000, "BRL", map[string]any{"description": tricky})
	second := poFunds(t, c, 25000, "BRL", nil)
	c.Post("/v1/refunds", map[string]any{"payment_id": second["id"], "amount": 2500}).Expect(t, http.StatusCreated)
	disputed := poFunds(t, c, 8000, "BRL", nil)
	openDispute(t, c, disputed["id"].(string), nil)
	po := createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})

	rep := report(t, c, "payout="+po.ID)
	if !rep.Balanced || rep.Payout == nil || rep.Payout.ID != po.ID || len(rep.Rows) != po.BalanceTransactionCount || len(rep.Totals) != 1 ||
		rep.Totals[0].Net != po.Amount || rep.Totals[0].Count != len(rep.Rows) || rep.Totals[0].StartingBalance != nil {
		t.Fatalf("%+v", rep)
	}
	var gross, fee int64
	categories := map[string]bool{}
	for _, row := range rep.Rows {
		gross += row.Gross
		fee += row.Fee
		categories[row.ReportingCategory] = true
		if row.PayoutID == nil || *row.PayoutID != po.ID {
			t.Fatalf("%+v", row)
		}
	}
	if gross-fee != po.Amount || !categories["charge"] || !categories["refund"] || !categories["dispute"] {
		t.Fatalf("gross %d fee %d, categories %v", gross, fee, categories)
	}

	rows := reportCSV(t, c, "payout="+po.ID, "reconciliation_"+po.ID+".csv")
	if len(rows) != po.BalanceTransactionCount || sumColumn(t, rows, "net") != po.Amount ||
		sumColumn(t, rows, "gross")-sumColumn(t, rows, "fee") != po.Amount {
		t.Fatalf("%d rows, net %d, payout %d", len(rows), sumColumn(t, rows, "net"), po.Amount)
	}
	var found bool
	for _, r := range rows {
		if r[slices.Index(reportColumns, "description")] == tricky {
			found = true
		}
		if r[slices.Index(reportColumns, "payout_id")] != po.ID {
			t.Fatalf("%v", r)
		}
		if _, err := time.Parse(time.RFC3339, r[1]); err != nil {
			t.Fatalf("created_utc %q", r[1])
		}
	}
	if !found {
		t.Fatalf("the description with a comma, quotes and a line break did not round-trip: %v", rows)
	}
	// JSON unless the client prefers CSV.
	for accept, wantCSV := range map[string]bool{
		"application/json, text/csv;q=0.5": false, "text/csv, application/json;q=0.9": true, "*/*": false, "": false,
	} {
		r := c.Get("/v1/reports/reconciliation?payout="+po.ID, "Accept", accept).Expect(t, http.StatusOK)
		if got := strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv"); got != wantCSV {
			t.Errorf("Accept %q: %s", accept, r.Header.Get("Content-Type"))
		}
	}
	// A payout that failed still reconciles (and its failure is in the next one).
	c.Post("/v1/sandbox/payouts/"+po.ID+"/fail", nil).Expect(t, http.StatusOK)
	if rep := report(t, c, "payout="+po.ID); !rep.Balanced || rep.Payout.Status != "failed" {
		t.Fatalf("%+v", rep)
	}
	next := createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})
	if rows := reportCSV(t, c, "payout="+next.ID+"&currency=BRL", "reconciliation_"+next.ID+".csv"); len(rows) != 1 ||
		rows[0][slices.Index(reportColumns, "reporting_category")] != "payout_reversal" || sumColumn(t, rows, "net") != po.Amount {
		t.Fatalf("%v", rows)
	}
	verifyLedger(t, srv, c)
}

func TestReconciliationReportOfARange(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("reportrange", 1))
	rcp := c.Post("/v1/recipients", map[string]any{"name": "Seller", "payout_account": map[string]any{"iban": poIBANGood}}).
		Expect(t, http.StatusCreated).JSON()["id"].(string)
	// A day of activity in two currencies, with time passing between the steps.
	c.Post("/v1/payments", newPayment(30000, "4242424242424242", map[string]any{"split": []map[string]any{{"recipient_id": rcp, "percentage": 100}}})).
		Expect(t, http.StatusCreated)
	c.Post("/v1/payments", newPayment(20000, "4242424242424242", nil)).Expect(t, http.StatusCreated)
	advance(t, c, "1h")
	usd := poFunds(t, c, 7000, "USD", nil)
	advance(t, c, "48h") // the first charge becomes available
	c.Post("/v1/refunds", map[string]any{"payment_id": usd["id"], "amount": 700}).Expect(t, http.StatusCreated)
	advance(t, c, "2h")
	mid := now(t, c)
	createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})
	createPayout(t, c, map[string]any{"currency": "BRL", "recipient_id": rcp})
	advance(t, c, "30h") // paid
	end := now(t, c)

	for _, tc := range []struct{ query, owner string }{
		{"from=" + clockStart.Format(time.RFC3339) + "&to=" + end.Add(time.Second).Format(time.RFC3339), ""},
		{"from=" + clockStart.Add(time.Hour).Format(time.RFC3339) + "&to=" + mid.Add(time.Second).Format(time.RFC3339), ""},
		{"from=" + mid.Format(time.RFC3339) + "&to=" + end.Format(time.RFC3339) + "&currency=BRL", ""},
		{"from=2026-03-01&to=2026-03-10&recipient_id=" + rcp, rcp},
	} {
		rep := report(t, c, tc.query)
		if !rep.Balanced || rep.Payout != nil || rep.From == nil || rep.To == nil || deref(rep.RecipientID) != tc.owner {
			t.Fatalf("%s: %+v", tc.query, rep)
		}
		for _, tot := range rep.Totals {
			if tot.StartingBalance == nil || tot.EndingBalance == nil || *tot.StartingBalance+tot.Net != *tot.EndingBalance {
				t.Fatalf("%s: %+v", tc.query, tot)
			}
		}
		if strings.Contains(tc.query, "currency=BRL") && (len(rep.Totals) != 1 || rep.Totals[0].Currency != "BRL") {
			t.Fatalf("%+v", rep.Totals)
		}
	}
	// The whole range ends at today's balance; a range in the middle starts where the activity left it.
	all := report(t, c, "from=2026-03-01&to=2026-03-31")
	for _, cur := range []string{"BRL", "USD"} {
		a, p := poBalance(t, c, "", cur)
		i := slices.IndexFunc(all.Totals, func(x reportTotalJSON) bool { return x.Currency == cur })
		if *all.Totals[i].StartingBalance != 0 || *all.Totals[i].EndingBalance != a+p || all.Totals[i].Count == 0 {
			t.Fatalf("%s: %+v, balance %d", cur, all.Totals[i], a+p)
		}
	}
	second := report(t, c, "from="+mid.Format(time.RFC3339)+"&to=2026-03-31&currency=BRL")
	if *second.Totals[0].StartingBalance == 0 || second.Totals[0].Count == 0 {
		t.Fatalf("%+v", second.Totals)
	}
	rows := reportCSV(t, c, "from=2026-03-01&to=2026-03-31", "reconciliation_20260301T000000Z_20260331T000000Z.csv")
	if len(rows) != len(all.Rows) {
		t.Fatalf("%d CSV rows, %d JSON rows", len(rows), len(all.Rows))
	}
	var net int64
	for _, tot := range all.Totals {
		net += tot.Net
	}
	if sumColumn(t, rows, "net") != net {
		t.Fatalf("CSV net %d, JSON %d", sumColumn(t, rows, "net"), net)
	}
	verifyLedger(t, srv, c)
}

func TestReconciliationReportBadInputNamesTheParameter(t *testing.T) {
	srv := startBank(t)
	c := srv.Client(fixedKey("reportbad", 1))
	poFunds(t, c, 10000, "BRL", nil)
	manual := createPayout(t, c, map[string]any{"currency": "BRL", "amount": 100, "destination": map[string]any{"iban": poIBANGood}})
	swept := createPayout(t, c, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})
	rcp := c.Post("/v1/recipients", map[string]any{"name": "Seller", "payout_account": map[string]any{"iban": poIBANGood}}).
		Expect(t, http.StatusCreated).JSON()["id"].(string)
	for _, tc := range []struct{ query, code, param string }{
		{"", openapi.CodeValidationFailed, "payout"},
		{"payout=" + swept.ID + "&from=2026-03-01", openapi.CodeValidationFailed, "from"},
		{"payout=" + swept.ID + "&to=2026-03-01", openapi.CodeValidationFailed, "to"},
		{"from=2026-03-01", openapi.CodeValidationFailed, "to"},
		{"to=2026-03-01", openapi.CodeValidationFailed, "from"},
		{"from=2026-03-02&to=2026-03-02", "invalid_range", "to"},
		{"from=yesterday&to=2026-03-02", openapi.CodeValidationFailed, "from"},
		{"payout=po_0000000000000000", "resource_missing", "payout"},
		{"payout=trf_0000000000000000", openapi.CodeValidationFailed, "payout"},
		{"payout=" + manual.ID, "payout_not_reconcilable", "payout"},
		{"payout=" + swept.ID + "&currency=EUR", "currency_mismatch", "currency"},
		{"payout=" + swept.ID + "&recipient_id=" + rcp, "payout_owner_mismatch", "recipient_id"},
		{"from=2026-03-01&to=2026-03-02&recipient_id=rcp_0000000000000000", "resource_missing", "recipient_id"},
		{"from=2026-03-01&to=2026-03-02&currency=JPY", openapi.CodeValidationFailed, "currency"},
		{"payout=" + swept.ID + "&format=csv", openapi.CodeValidationFailed, "format"},
	} {
		expectViolation(t, c.Get("/v1/reports/reconciliation?"+tc.query), tc.code, tc.param)
	}
	verifyLedger(t, srv, c)
}

func TestReconciliationReportIsolation(t *testing.T) {
	srv := startBank(t)
	a := srv.Client(fixedKey("reportA", 1))
	b := srv.Client(fixedKey("reportB", 2))
	poFunds(t, a, 10000, "BRL", nil)
	po := createPayout(t, a, map[string]any{"currency": "BRL", "destination": map[string]any{"iban": poIBANGood}})
	r := b.Get("/v1/reports/reconciliation?payout=" + po.ID)
	expectViolation(t, r, "resource_missing", "payout")
	if rep := report(t, b, "from=2026-03-01&to=2026-03-31"); len(rep.Rows) != 0 || strings.Contains(string(b.Get("/v1/reports/reconciliation?from=2026-03-01&to=2026-03-31").Body), po.ID) {
		t.Fatalf("B sees A's rows: %+v", rep)
	}
	if rep := report(t, a, "from=2026-03-01&to=2026-03-31"); len(rep.Rows) == 0 {
		t.Fatal("A sees nothing of its own")
	}
	verifyLedger(t, srv, a)
	verifyLedger(t, srv, b)
}
