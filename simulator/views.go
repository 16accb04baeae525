package simulator

import (
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/journal"
)

// The JSON shapes of resources, field for field as in openapi/sandbank.yaml.
// Nullable fields are pointers so that they render as null, never omitted.

type listView[T any] struct {
	Data       []T     `json:"data"`
	HasMore    bool    `json:"has_more"`
	NextCursor *string `json:"next_cursor"`
}

func listOf[S, T any](page domain.Page[S], kind string, view func(S) T) listView[T] {
	out := listView[T]{Data: make([]T, 0, len(page.Items)), HasMore: page.HasMore}
	for _, it := range page.Items {
		out.Data = append(out.Data, view(it))
	}
	if page.HasMore {
		cur := encodeCursor(kind, page.Next)
		out.NextCursor = &cur
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// orEmpty renders a nil map as {} (metadata, headers), never null.
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

type moneyView struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type taxIDView struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Country string `json:"country"`
}

type addressView struct {
	Line1      string  `json:"line1"`
	Line2      *string `json:"line2"`
	City       string  `json:"city"`
	State      *string `json:"state"`
	PostalCode string  `json:"postal_code"`
	Country    string  `json:"country"`
}

type verificationView struct {
	Status        string  `json:"status"`
	FailureReason *string `json:"failure_reason"`
}

type customerView struct {
	ID           string            `json:"id"`
	Object       string            `json:"object"`
	Type         string            `json:"type"`
	Name         string            `json:"name"`
	Email        string            `json:"email"`
	Phone        *string           `json:"phone"`
	TaxID        taxIDView         `json:"tax_id"`
	BirthDate    *string           `json:"birth_date"`
	Address      *addressView      `json:"address"`
	Verification verificationView  `json:"verification"`
	CreatedAt    time.Time         `json:"created_at"`
	Metadata     map[string]string `json:"metadata"`
}

func viewCustomer(c *bank.Customer) customerView {
	v := customerView{
		ID: c.ID, Object: "customer", Type: c.Type, Name: c.Name, Email: c.Email, Phone: strPtr(c.Phone),
		TaxID:        taxIDView{c.TaxID.Type, c.TaxID.Value, c.TaxID.Country},
		BirthDate:    strPtr(c.BirthDate),
		Verification: verificationView{c.Verification.Status, strPtr(c.Verification.FailureReason)},
		CreatedAt:    c.CreatedAt, Metadata: orEmpty(c.Metadata),
	}
	if a := c.Address; a != nil {
		v.Address = &addressView{a.Line1, strPtr(a.Line2), a.City, strPtr(a.State), a.PostalCode, a.Country}
	}
	return v
}

type brAccountView struct {
	ISPB     string `json:"ispb"`
	BankCode string `json:"bank_code"`
	Branch   string `json:"branch"`
	Number   string `json:"number"`
	Digit    string `json:"digit"`
}

type identifiersView struct {
	BR            *brAccountView `json:"br"`
	IBAN          *string        `json:"iban"`
	BIC           *string        `json:"bic"`
	SortCode      *string        `json:"sort_code"`
	AccountNumber *string        `json:"account_number"`
	RoutingNumber *string        `json:"routing_number"`
}

type pixKeyView struct {
	Type string `json:"type"`
	Key  string `json:"key"`
}

type accountView struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	CustomerID  string            `json:"customer_id"`
	Currency    string            `json:"currency"`
	Kind        string            `json:"kind"`
	Status      string            `json:"status"`
	Name        string            `json:"name"`
	Identifiers identifiersView   `json:"identifiers"`
	PixKeys     []pixKeyView      `json:"pix_keys"`
	CreatedAt   time.Time         `json:"created_at"`
	Metadata    map[string]string `json:"metadata"`
}

func viewAccount(a *bank.Account) accountView {
	ids := a.Identifiers
	v := accountView{
		ID: a.ID, Object: "account", CustomerID: a.CustomerID, Currency: a.Currency, Kind: a.Kind,
		Status: a.Status, Name: a.Name, PixKeys: []pixKeyView{}, CreatedAt: a.CreatedAt, Metadata: orEmpty(a.Metadata),
		Identifiers: identifiersView{
			IBAN: strPtr(ids.IBAN), BIC: strPtr(ids.BIC), SortCode: strPtr(ids.SortCode),
			AccountNumber: strPtr(ids.AccountNumber), RoutingNumber: strPtr(ids.RoutingNumber),
		},
	}
	if br := ids.BR; br != nil {
		v.Identifiers.BR = &brAccountView{br.ISPB, br.BankCode, br.Branch, br.Number, br.Digit}
	}
	for _, k := range a.PixKeys {
		v.PixKeys = append(v.PixKeys, pixKeyView{k.Type, k.Key})
	}
	return v
}

type balancesView struct {
	Object     string    `json:"object"`
	AccountID  string    `json:"account_id"`
	Booked     moneyView `json:"booked"`
	Available  moneyView `json:"available"`
	Pending    moneyView `json:"pending"`
	CreditLine moneyView `json:"credit_line"`
	AsOf       time.Time `json:"as_of"`
}

func viewBalances(b bank.Balances) balancesView {
	m := func(v int64) moneyView { return moneyView{v, b.Currency} }
	return balancesView{"balances", b.AccountID, m(b.Booked), m(b.Available), m(b.Pending), m(b.CreditLine), b.AsOf}
}

type merchantView struct {
	Name    string `json:"name"`
	MCC     string `json:"mcc"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type counterpartyView struct {
	Name    string  `json:"name"`
	TaxID   *string `json:"tax_id"`
	Account *string `json:"account"`
}

type sourceView struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type transactionView struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	AccountID      string            `json:"account_id"`
	Amount         int64             `json:"amount"`
	Currency       string            `json:"currency"`
	CreditDebit    string            `json:"credit_debit"`
	Status         string            `json:"status"`
	Type           string            `json:"type"`
	Description    string            `json:"description"`
	Category       *string           `json:"category"`
	Merchant       *merchantView     `json:"merchant"`
	Counterparty   *counterpartyView `json:"counterparty"`
	RunningBalance *int64            `json:"running_balance"`
	BookedAt       *time.Time        `json:"booked_at"`
	ValueDate      string            `json:"value_date"`
	CreatedAt      time.Time         `json:"created_at"`
	EndToEndID     *string           `json:"end_to_end_id"`
	Source         *sourceView       `json:"source"`
}

func viewTransaction(t *bank.Transaction) transactionView {
	p := t.Posting
	v := transactionView{
		ID: t.ID, Object: "transaction", AccountID: t.AccountID, Amount: p.Amount, Currency: p.Currency,
		CreditDebit: "credit", Status: t.Status(), Type: t.Type, Description: t.Description,
		Category: strPtr(t.Category), CreatedAt: p.CreatedAt, EndToEndID: strPtr(t.EndToEndID),
		ValueDate: p.CreatedAt.Format(time.DateOnly),
	}
	if p.Amount < 0 {
		v.CreditDebit = "debit"
	}
	if t.Status() == "booked" {
		running, booked := p.RunningBalance, p.BookedAt
		v.RunningBalance, v.BookedAt = &running, &booked
		v.ValueDate = booked.Format(time.DateOnly)
	}
	if m := t.Merchant; m != nil {
		v.Merchant = &merchantView{m.Name, m.MCC, m.City, m.Country}
	}
	if cp := t.Counterparty; cp != nil {
		v.Counterparty = &counterpartyView{cp.Name, strPtr(cp.TaxID), strPtr(cp.Account)}
	}
	if s := t.Source; s != nil {
		v.Source = &sourceView{s.Type, s.ID}
	}
	return v
}

type statusReasonView struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

type statusChangeView struct {
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
	ReasonCode *string   `json:"reason_code"`
}

type creditorView struct {
	AccountID     *string `json:"account_id"`
	Name          *string `json:"name"`
	PixKey        *string `json:"pix_key"`
	IBAN          *string `json:"iban"`
	BIC           *string `json:"bic"`
	SortCode      *string `json:"sort_code"`
	AccountNumber *string `json:"account_number"`
	BankCode      *string `json:"bank_code"`
	Branch        *string `json:"branch"`
	AccountDigit  *string `json:"account_digit"`
	TaxID         *string `json:"tax_id"`
}

type transferView struct {
	ID                    string             `json:"id"`
	Object                string             `json:"object"`
	Rail                  string             `json:"rail"`
	Status                string             `json:"status"`
	StatusReason          *statusReasonView  `json:"status_reason"`
	Amount                int64              `json:"amount"`
	Currency              string             `json:"currency"`
	DebtorAccountID       string             `json:"debtor_account_id"`
	Creditor              creditorView       `json:"creditor"`
	EndToEndID            string             `json:"end_to_end_id"`
	RemittanceInformation *string            `json:"remittance_information"`
	ExpectedSettlementAt  *time.Time         `json:"expected_settlement_at"`
	StatusHistory         []statusChangeView `json:"status_history"`
	CreatedAt             time.Time          `json:"created_at"`
	UpdatedAt             time.Time          `json:"updated_at"`
	Metadata              map[string]string  `json:"metadata"`
}

func viewTransfer(t *bank.Transfer) transferView {
	c := t.Creditor
	v := transferView{
		ID: t.ID, Object: "transfer", Rail: t.Rail, Status: t.Status, Amount: t.Amount, Currency: t.Currency,
		DebtorAccountID: t.DebtorAccountID, EndToEndID: t.EndToEndID,
		RemittanceInformation: strPtr(t.RemittanceInformation), ExpectedSettlementAt: timePtr(t.ExpectedSettlementAt),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Metadata: orEmpty(t.Metadata),
		Creditor: creditorView{
			strPtr(c.AccountID), strPtr(c.Name), strPtr(c.PixKey), strPtr(c.IBAN), strPtr(c.BIC), strPtr(c.SortCode),
			strPtr(c.AccountNumber), strPtr(c.BankCode), strPtr(c.Branch), strPtr(c.AccountDigit), strPtr(c.TaxID),
		},
	}
	if r := t.StatusReason; r != nil {
		v.StatusReason = &statusReasonView{r.Code, r.Description}
	}
	for _, h := range t.StatusHistory {
		v.StatusHistory = append(v.StatusHistory, statusChangeView{h.Status, h.At, strPtr(h.ReasonCode)})
	}
	return v
}

type journalEntryView struct {
	ID             int64               `json:"id"`
	Kind           string              `json:"kind"`
	RequestID      string              `json:"request_id"`
	ConnectionID   string              `json:"connection_id"`
	ArrivedAt      time.Time           `json:"arrived_at"`
	MonotonicNS    int64               `json:"monotonic_ns"`
	VirtualTime    time.Time           `json:"virtual_time"`
	Method         string              `json:"method"`
	Path           string              `json:"path"`
	Query          string              `json:"query"`
	Route          *string             `json:"route"`
	OperationID    *string             `json:"operation_id"`
	Headers        map[string][]string `json:"headers"`
	BodySHA256     *string             `json:"body_sha256"`
	BodyBytes      int                 `json:"body_bytes"`
	IdempotencyKey *string             `json:"idempotency_key"`
	Status         int                 `json:"status"`
	Outcome        string              `json:"outcome"`
	Replayed       bool                `json:"replayed"`
	ProblemCode    *string             `json:"problem_code"`
	ResourceID     *string             `json:"resource_id"`
	DurationUS     int64               `json:"duration_us"`
	Fault          *journal.Fault      `json:"fault"`
	Webhook        *webhookAttemptView `json:"webhook"`
}

type webhookAttemptView struct {
	EventID    string  `json:"event_id"`
	EventType  string  `json:"event_type"`
	EndpointID string  `json:"endpoint_id"`
	URL        string  `json:"url"`
	Attempt    int     `json:"attempt"`
	Error      *string `json:"error"`
}

func viewJournalEntry(e journal.Entry) journalEntryView {
	var wh *webhookAttemptView
	if w := e.Webhook; w != nil {
		wh = &webhookAttemptView{w.EventID, w.EventType, w.EndpointID, w.URL, w.Attempt, strPtr(w.Error)}
	}
	return journalEntryView{
		ID: e.ID, Kind: e.Kind, Webhook: wh, RequestID: e.RequestID, ConnectionID: e.ConnectionID, ArrivedAt: e.ArrivedAt.UTC(),
		MonotonicNS: int64(e.Monotonic), VirtualTime: e.VirtualTime, Method: e.Method, Path: e.Path, Query: e.Query,
		Route: strPtr(e.Route), OperationID: strPtr(e.OperationID), Headers: orEmpty(e.Headers), BodySHA256: strPtr(e.BodySHA256),
		BodyBytes: e.BodyBytes, IdempotencyKey: strPtr(e.IdempotencyKey), Status: e.Status, Outcome: e.Outcome,
		Replayed: e.Replayed, ProblemCode: strPtr(e.ProblemCode), ResourceID: strPtr(e.ResourceID),
		DurationUS: e.Duration.Microseconds(), Fault: e.Fault,
	}
}
