package simulator

import (
	"bytes"
	"encoding/csv"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/payments"
)

// The payout operations (creating, listing, reading and canceling payouts,
// and the sandbox's failing one) and the reconciliation report.

func init() {
	events.RegisterTypes("payout.created", "payout.in_transit", "payout.paid", "payout.failed", "payout.canceled")
	registerView(func(p *payments.Payout) (string, any) { return p.ID, viewPayout(p) })
}

func (s *Server) payoutHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"createPayout":            s.createPayout,
		"listPayouts":             s.listPayouts,
		"getPayout":               s.getPayout,
		"cancelPayout":            s.cancelPayout,
		"failPayout":              s.failPayout,
		"getReconciliationReport": s.getReconciliationReport,
	}
}

func (s *Server) createPayout(c *call) *response {
	var req struct {
		Amount      int64               `json:"amount"`
		Currency    string              `json:"currency"`
		RecipientID string              `json:"recipient_id"`
		Destination *payoutAccountInput `json:"destination"`
		Method      string              `json:"method"`
		Description string              `json:"description"`
		Metadata    map[string]string   `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := payments.PayoutInput{Amount: req.Amount, Currency: req.Currency, RecipientID: req.RecipientID, Method: req.Method,
		Description: req.Description, Metadata: req.Metadata}
	if req.Destination != nil {
		d := payments.PayoutAccount(*req.Destination)
		in.Destination = &d
	}
	po, err := c.tenant.payments.CreatePayout(in)
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = po.ID
	return c.created("/v1/payouts/"+po.ID, viewPayout(po))
}

func (s *Server) listPayouts(c *call) *response {
	before, limit, resp := c.page("po")
	if resp != nil {
		return resp
	}
	f := payments.PayoutFilter{RecipientID: c.query("recipient_id"), Status: c.query("status")}
	return c.json(http.StatusOK, listOf(c.tenant.payments.Payouts(f, before, limit), "po", viewPayout))
}

func (s *Server) getPayout(c *call) *response {
	po, err := c.tenant.payments.Payout(c.params["id"])
	return c.payoutResult(po, err)
}

func (s *Server) cancelPayout(c *call) *response {
	po, err := c.tenant.payments.CancelPayout(c.params["id"])
	return c.payoutResult(po, err)
}

func (s *Server) failPayout(c *call) *response {
	var req struct {
		FailureCode string `json:"failure_code"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	po, err := c.tenant.payments.FailPayout(c.params["id"], req.FailureCode)
	return c.payoutResult(po, err)
}

func (c *call) payoutResult(po *payments.Payout, err error) *response {
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = po.ID
	return c.json(http.StatusOK, viewPayout(po))
}

// getReconciliationReport itemizes a payout (?payout=) or a time range
// (?from=&to=) as JSON, or as CSV for Accept: text/csv.
func (s *Server) getReconciliationReport(c *call) *response {
	payout, from, to := c.query("payout"), c.query("from"), c.query("to")
	bad := func(param, detail string) *response {
		return c.problem(openapi.CodeValidationFailed, detail, openapi.Violation{Parameter: param, In: "query", Detail: detail})
	}
	switch {
	case payout != "" && from != "":
		return bad("from", "a report is of a payout or of a range: send payout, or from and to, not both")
	case payout != "" && to != "":
		return bad("to", "a report is of a payout or of a range: send payout, or from and to, not both")
	case payout == "" && from == "" && to == "":
		return bad("payout", "send payout (a payout to reconcile), or from and to (a range)")
	case payout == "" && from == "":
		return bad("from", "a range needs both from and to: from is missing")
	case payout == "" && to == "":
		return bad("to", "a range needs both from and to: to is missing")
	}
	owner, currency := c.query("recipient_id"), c.query("currency")
	var rep *payments.Reconciliation
	var err error
	if payout != "" {
		rep, err = c.tenant.payments.PayoutReconciliation(payout, owner, currency)
	} else {
		rep, err = c.tenant.payments.RangeReconciliation(owner, currency, c.queryTime("from"), c.queryTime("to"))
	}
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Kind == domain.Invalid { // the report's errors name query parameters
			return c.problemWith(http.StatusBadRequest, de.Code, "The request cannot be carried out", de.Message,
				[]openapi.Violation{{Parameter: de.Field, In: "query", Detail: de.Message}})
		}
		return c.domainError(err)
	}
	if rep.Payout != nil {
		c.resourceID = rep.Payout.ID
	}
	if c.wantsCSV() {
		return c.reconciliationCSV(rep)
	}
	return c.json(http.StatusOK, viewReconciliation(rep))
}

// wantsCSV reads the Accept header: text/csv when the client prefers it to
// JSON (by quality, then by order).
func (c *call) wantsCSV() bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(c.r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if (mt == "text/csv" || mt == "application/json") && q > bestQ {
			best, bestQ = mt, q
		}
	}
	return best == "text/csv"
}

// reconciliationColumns are the report's CSV columns (Stripe's itemized
// report's, amounts in minor units).
var reconciliationColumns = []string{"balance_transaction_id", "created_utc", "available_on_utc", "currency", "gross", "fee", "net",
	"reporting_category", "source_id", "description", "payment_id", "payout_id"}

func (c *call) reconciliationCSV(rep *payments.Reconciliation) *response {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // RFC 4180
	_ = w.Write(reconciliationColumns)
	for _, b := range rep.Rows {
		_ = w.Write([]string{b.ID, b.Created.UTC().Format(time.RFC3339), b.AvailableOn.UTC().Format(time.RFC3339), b.Currency,
			strconv.FormatInt(b.Amount, 10), strconv.FormatInt(b.Fee, 10), strconv.FormatInt(b.Net, 10), b.Category, b.Source,
			b.Description, b.PaymentID, b.PayoutID})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return c.problem("internal_error", "writing the CSV failed: "+err.Error())
	}
	name := "reconciliation_"
	if rep.Payout != nil {
		name += rep.Payout.ID
	} else {
		name += rep.From.UTC().Format("20060102T150405Z") + "_" + rep.To.UTC().Format("20060102T150405Z")
	}
	h := http.Header{}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".csv"}))
	return &response{status: http.StatusOK, header: h, body: buf.Bytes()}
}

// --- views ------------------------------------------------------------------

type payoutView struct {
	ID                      string            `json:"id"`
	Object                  string            `json:"object"`
	Amount                  int64             `json:"amount"`
	Currency                string            `json:"currency"`
	RecipientID             *string           `json:"recipient_id"`
	Destination             payoutAccountView `json:"destination"`
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

func viewPayout(p *payments.Payout) payoutView {
	return payoutView{
		ID: p.ID, Object: "payout", Amount: p.Amount, Currency: p.Currency, RecipientID: strPtr(p.RecipientID),
		Destination: viewPayoutAccount(p.Destination), Method: p.Method, Status: p.Status, ArrivalDate: p.ArrivalDate,
		FailureCode: strPtr(p.FailureCode), FailureMessage: strPtr(p.FailureMsg), Reconcilable: p.Automatic,
		BalanceTransaction: p.BalanceTransactionID, BalanceTransactionCount: len(p.BalanceTransactions),
		BalanceTransactionIDs: append([]string{}, p.BalanceTransactions...), Description: strPtr(p.Description),
		CreatedAt: p.Created, UpdatedAt: p.Updated, Metadata: orEmpty(p.Metadata),
	}
}

type reconciliationRowView struct {
	BalanceTransactionID string    `json:"balance_transaction_id"`
	CreatedUTC           time.Time `json:"created_utc"`
	AvailableOnUTC       time.Time `json:"available_on_utc"`
	Currency             string    `json:"currency"`
	Gross                int64     `json:"gross"`
	Fee                  int64     `json:"fee"`
	Net                  int64     `json:"net"`
	ReportingCategory    string    `json:"reporting_category"`
	SourceID             string    `json:"source_id"`
	Description          *string   `json:"description"`
	PaymentID            *string   `json:"payment_id"`
	PayoutID             *string   `json:"payout_id"`
}

type reconciliationTotalView struct {
	Currency        string `json:"currency"`
	Count           int    `json:"count"`
	Gross           int64  `json:"gross"`
	Fee             int64  `json:"fee"`
	Net             int64  `json:"net"`
	StartingBalance *int64 `json:"starting_balance"`
	EndingBalance   *int64 `json:"ending_balance"`
}

type reconciliationView struct {
	Object      string                    `json:"object"`
	Payout      *payoutView               `json:"payout"`
	RecipientID *string                   `json:"recipient_id"`
	Currency    *string                   `json:"currency"`
	From        *time.Time                `json:"from"`
	To          *time.Time                `json:"to"`
	Rows        []reconciliationRowView   `json:"rows"`
	Totals      []reconciliationTotalView `json:"totals"`
	Balanced    bool                      `json:"balanced"`
}

func viewReconciliation(r *payments.Reconciliation) reconciliationView {
	v := reconciliationView{Object: "reconciliation_report", RecipientID: strPtr(r.Owner), Currency: strPtr(r.Currency),
		From: timePtr(r.From), To: timePtr(r.To), Rows: []reconciliationRowView{}, Totals: []reconciliationTotalView{}, Balanced: r.Balanced}
	if r.Payout != nil {
		po := viewPayout(r.Payout)
		v.Payout = &po
	}
	for _, b := range r.Rows {
		v.Rows = append(v.Rows, reconciliationRowView{b.ID, b.Created, b.AvailableOn, b.Currency, b.Amount, b.Fee, b.Net, b.Category,
			b.Source, strPtr(b.Description), strPtr(b.PaymentID), strPtr(b.PayoutID)})
	}
	for _, t := range r.Totals {
		tv := reconciliationTotalView{Currency: t.Currency, Count: t.Count, Gross: t.Gross, Fee: t.Fee, Net: t.Net}
		if r.Payout == nil {
			start, end := t.StartingBalance, t.EndingBalance
			tv.StartingBalance, tv.EndingBalance = &start, &end
		}
		v.Totals = append(v.Totals, tv)
	}
	return v
}
