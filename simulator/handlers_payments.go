package simulator

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/payments"
)

// The payment provider's operations: payment methods, payments, refunds,
// recipients and the balance.

func init() {
	events.RegisterTypes("payment_method.created", "payment_method.detached",
		"payment.created", "payment.requires_confirmation", "payment.requires_action", "payment.processing",
		"payment.amount_capturable_updated", "payment.succeeded", "payment.payment_failed", "payment.canceled",
		"payment.risk_fallback_applied", "refund.created", "refund.succeeded", "refund.failed", "recipient.created")
	registerView(func(m *payments.PaymentMethod) (string, any) { return m.ID, viewPaymentMethod(m) })
	registerView(func(p *payments.Payment) (string, any) { return p.ID, viewPayment(p) })
	registerView(func(r *payments.Refund) (string, any) { return r.ID, viewRefund(r) })
	registerView(func(r *payments.Recipient) (string, any) { return r.ID, viewRecipient(r) })
}

func (s *Server) paymentHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"createPaymentMethod":     s.createPaymentMethod,
		"listPaymentMethods":      s.listPaymentMethods,
		"getPaymentMethod":        s.getPaymentMethod,
		"detachPaymentMethod":     s.detachPaymentMethod,
		"createPayment":           s.createPayment,
		"listPayments":            s.listPayments,
		"getPayment":              s.getPayment,
		"confirmPayment":          s.confirmPayment,
		"capturePayment":          s.capturePayment,
		"cancelPayment":           s.cancelPayment,
		"completeThreeDSecure":    s.completeThreeDSecure,
		"createRefund":            s.createRefund,
		"listRefunds":             s.listRefunds,
		"getRefund":               s.getRefund,
		"createRecipient":         s.createRecipient,
		"listRecipients":          s.listRecipients,
		"getRecipient":            s.getRecipient,
		"getRecipientBalance":     s.getRecipientBalance,
		"getBalance":              s.getBalance,
		"listBalanceTransactions": s.listBalanceTransactions,
		"getBalanceTransaction":   s.getBalanceTransaction,
	}
}

type cardInput struct {
	Number     string `json:"number"`
	ExpMonth   int    `json:"exp_month"`
	ExpYear    int    `json:"exp_year"`
	CVC        string `json:"cvc"`
	HolderName string `json:"holder_name"`
}

type billingInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (in cardInput) toDomain(b *billingInput) payments.PaymentMethodInput {
	out := payments.PaymentMethodInput{Card: payments.CardInput(in)}
	if b != nil {
		out.Billing = payments.BillingDetails(*b)
	}
	return out
}

func (s *Server) createPaymentMethod(c *call) *response {
	var req struct {
		Type       string            `json:"type"`
		Card       cardInput         `json:"card"`
		Billing    *billingInput     `json:"billing_details"`
		CustomerID string            `json:"customer_id"`
		Metadata   map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := req.Card.toDomain(req.Billing)
	in.CustomerID, in.Metadata = req.CustomerID, req.Metadata
	m, err := c.tenant.payments.CreatePaymentMethod(in, "/card")
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = m.ID
	return c.created("/v1/payment_methods/"+m.ID, viewPaymentMethod(m))
}

func (s *Server) listPaymentMethods(c *call) *response {
	before, limit, resp := c.page("pm")
	if resp != nil {
		return resp
	}
	return c.json(http.StatusOK, listOf(c.tenant.payments.PaymentMethods(c.query("customer_id"), before, limit), "pm", viewPaymentMethod))
}

func (s *Server) getPaymentMethod(c *call) *response {
	m, err := c.tenant.payments.PaymentMethod(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = m.ID
	return c.json(http.StatusOK, viewPaymentMethod(m))
}

func (s *Server) detachPaymentMethod(c *call) *response {
	m, err := c.tenant.payments.DetachPaymentMethod(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = m.ID
	return c.json(http.StatusOK, viewPaymentMethod(m))
}

type splitRuleInput struct {
	RecipientID string  `json:"recipient_id"`
	Amount      int64   `json:"amount"`
	Percentage  float64 `json:"percentage"`
	Remainder   bool    `json:"remainder"`
	Liable      bool    `json:"liable"`
}

func (s *Server) createPayment(c *call) *response {
	var req struct {
		Amount            int64  `json:"amount"`
		Currency          string `json:"currency"`
		PaymentMethod     string `json:"payment_method"`
		PaymentMethodData *struct {
			Type    string        `json:"type"`
			Card    cardInput     `json:"card"`
			Billing *billingInput `json:"billing_details"`
		} `json:"payment_method_data"`
		Confirm             bool              `json:"confirm"`
		CaptureMethod       string            `json:"capture_method"`
		CustomerID          string            `json:"customer_id"`
		Description         string            `json:"description"`
		StatementDescriptor string            `json:"statement_descriptor"`
		Split               []splitRuleInput  `json:"split"`
		Metadata            map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := payments.PaymentInput{
		Amount: req.Amount, Currency: req.Currency, PaymentMethodID: req.PaymentMethod, CustomerID: req.CustomerID,
		CaptureMethod: req.CaptureMethod, Confirm: req.Confirm, Description: req.Description,
		StatementDescriptor: req.StatementDescriptor, Metadata: req.Metadata, RiskTimeout: c.riskTimeout(),
	}
	if d := req.PaymentMethodData; d != nil {
		card := d.Card.toDomain(d.Billing)
		card.CustomerID = req.CustomerID
		in.Card = &card
	}
	for _, r := range req.Split {
		in.Split = append(in.Split, payments.SplitRule{RecipientID: r.RecipientID, Amount: r.Amount,
			Percentage: int64(math.Round(r.Percentage * 100)), Remainder: r.Remainder, Liable: r.Liable})
	}
	pay, err := c.tenant.payments.CreatePayment(in)
	return c.paymentResult(pay, err, http.StatusCreated)
}

// paymentResult renders a payment, or the card error of a declined attempt
// (402, with the payment's id, which the client needs to retry it).
func (c *call) paymentResult(pay *payments.Payment, err error, status int) *response {
	if pay != nil {
		c.resourceID = pay.ID
	}
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Kind == domain.Declined && pay != nil {
			de.Extra["payment_id"] = pay.ID
		}
		return c.domainError(err)
	}
	if status == http.StatusCreated {
		return c.created("/v1/payments/"+pay.ID, viewPayment(pay))
	}
	return c.json(status, viewPayment(pay))
}

func (s *Server) getPayment(c *call) *response {
	pay, err := c.tenant.payments.Payment(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = pay.ID
	return c.json(http.StatusOK, viewPayment(pay))
}

func (s *Server) listPayments(c *call) *response {
	before, limit, resp := c.page("pay")
	if resp != nil {
		return resp
	}
	f := payments.PaymentFilter{Status: c.query("status"), CustomerID: c.query("customer_id")}
	return c.json(http.StatusOK, listOf(c.tenant.payments.Payments(f, before, limit), "pay", viewPayment))
}

func (s *Server) confirmPayment(c *call) *response {
	var req struct {
		PaymentMethod string `json:"payment_method"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	pay, err := c.tenant.payments.Confirm(c.params["id"], payments.ConfirmInput{PaymentMethodID: req.PaymentMethod, RiskTimeout: c.riskTimeout()})
	return c.paymentResult(pay, err, http.StatusOK)
}

func (s *Server) capturePayment(c *call) *response {
	var req struct {
		AmountToCapture int64 `json:"amount_to_capture"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	pay, err := c.tenant.payments.Capture(c.params["id"], req.AmountToCapture)
	return c.paymentResult(pay, err, http.StatusOK)
}

func (s *Server) cancelPayment(c *call) *response {
	var req struct {
		Reason string `json:"cancellation_reason"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	pay, err := c.tenant.payments.Cancel(c.params["id"], req.Reason)
	return c.paymentResult(pay, err, http.StatusOK)
}

func (s *Server) completeThreeDSecure(c *call) *response {
	var req struct {
		Outcome string `json:"outcome"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	pay, err := c.tenant.payments.CompleteThreeDS(c.params["id"], req.Outcome != "failed")
	return c.paymentResult(pay, err, http.StatusOK)
}

// riskTimeout says whether a fault makes this request's fraud check time
// out (the fraud-check-timeout scenario).
func (c *call) riskTimeout() bool {
	return c.decision != nil && c.decision.Injection.Type == "risk_timeout"
}

func (s *Server) createRefund(c *call) *response {
	var req struct {
		PaymentID string            `json:"payment_id"`
		Amount    int64             `json:"amount"`
		Reason    string            `json:"reason"`
		Metadata  map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	r, err := c.tenant.payments.CreateRefund(payments.RefundInput{PaymentID: req.PaymentID, Amount: req.Amount, Reason: req.Reason, Metadata: req.Metadata})
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = r.ID
	return c.created("/v1/refunds/"+r.ID, viewRefund(r))
}

func (s *Server) listRefunds(c *call) *response {
	before, limit, resp := c.page("re")
	if resp != nil {
		return resp
	}
	return c.json(http.StatusOK, listOf(c.tenant.payments.Refunds(c.query("payment_id"), before, limit), "re", viewRefund))
}

func (s *Server) getRefund(c *call) *response {
	r, err := c.tenant.payments.Refund(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = r.ID
	return c.json(http.StatusOK, viewRefund(r))
}

type payoutAccountInput struct {
	AccountID     string `json:"account_id"`
	BankCode      string `json:"bank_code"`
	Branch        string `json:"branch"`
	AccountNumber string `json:"account_number"`
	AccountDigit  string `json:"account_digit"`
	IBAN          string `json:"iban"`
	SortCode      string `json:"sort_code"`
	HolderName    string `json:"holder_name"`
}

func (s *Server) createRecipient(c *call) *response {
	var req struct {
		Name          string             `json:"name"`
		Email         string             `json:"email"`
		TaxID         string             `json:"tax_id"`
		PayoutAccount payoutAccountInput `json:"payout_account"`
		Metadata      map[string]string  `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	r, err := c.tenant.payments.CreateRecipient(payments.RecipientInput{Name: req.Name, Email: req.Email, TaxID: req.TaxID,
		PayoutAccount: payments.PayoutAccount(req.PayoutAccount), Metadata: req.Metadata})
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = r.ID
	return c.created("/v1/recipients/"+r.ID, viewRecipient(r))
}

func (s *Server) listRecipients(c *call) *response {
	before, limit, resp := c.page("rcp")
	if resp != nil {
		return resp
	}
	return c.json(http.StatusOK, listOf(c.tenant.payments.Recipients(before, limit), "rcp", viewRecipient))
}

func (s *Server) getRecipient(c *call) *response {
	r, err := c.tenant.payments.Recipient(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = r.ID
	return c.json(http.StatusOK, viewRecipient(r))
}

func (s *Server) getRecipientBalance(c *call) *response {
	r, err := c.tenant.payments.Recipient(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = r.ID
	return c.json(http.StatusOK, viewProviderBalance(r.ID, c.tenant.payments.Balances(r.ID)))
}

func (s *Server) getBalance(c *call) *response {
	return c.json(http.StatusOK, viewProviderBalance("", c.tenant.payments.Balances("")))
}

func (s *Server) listBalanceTransactions(c *call) *response {
	before, limit, resp := c.page("btx")
	if resp != nil {
		return resp
	}
	f := payments.BalanceTransactionFilter{Owner: c.query("recipient_id"), Type: c.query("type"), Source: c.query("source"),
		PayoutID: c.query("payout"), Currency: c.query("currency")}
	return c.json(http.StatusOK, listOf(c.tenant.payments.BalanceTransactions(f, before, limit), "btx", viewBalanceTransaction))
}

func (s *Server) getBalanceTransaction(c *call) *response {
	b, err := c.tenant.payments.BalanceTransaction(c.params["id"])
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = b.ID
	return c.json(http.StatusOK, viewBalanceTransaction(b))
}

// --- views ------------------------------------------------------------------

type paymentMethodView struct {
	ID     string `json:"id"`
	Object string `json:"object"`
	Type   string `json:"type"`
	Card   struct {
		Brand       string  `json:"brand"`
		Last4       string  `json:"last4"`
		BIN         string  `json:"bin"`
		ExpMonth    int     `json:"exp_month"`
		ExpYear     int     `json:"exp_year"`
		Funding     string  `json:"funding"`
		Country     string  `json:"country"`
		Fingerprint string  `json:"fingerprint"`
		HolderName  *string `json:"holder_name"`
	} `json:"card"`
	Billing struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
	} `json:"billing_details"`
	CustomerID *string           `json:"customer_id"`
	Status     string            `json:"status"`
	CreatedAt  time.Time         `json:"created_at"`
	Metadata   map[string]string `json:"metadata"`
}

func viewPaymentMethod(m *payments.PaymentMethod) paymentMethodView {
	v := paymentMethodView{ID: m.ID, Object: "payment_method", Type: m.Type, CustomerID: strPtr(m.CustomerID), Status: m.Status,
		CreatedAt: m.Created, Metadata: orEmpty(m.Metadata)}
	c := m.Card
	v.Card.Brand, v.Card.Last4, v.Card.BIN, v.Card.ExpMonth, v.Card.ExpYear = c.Brand, c.Last4, c.BIN, c.ExpMonth, c.ExpYear
	v.Card.Funding, v.Card.Country, v.Card.Fingerprint, v.Card.HolderName = c.Funding, c.Country, c.Fingerprint, strPtr(c.HolderName)
	v.Billing.Name, v.Billing.Email = strPtr(m.Billing.Name), strPtr(m.Billing.Email)
	return v
}

type splitOutputView struct {
	RecipientID string `json:"recipient_id"`
	Amount      int64  `json:"amount"`
	Liable      bool   `json:"liable"`
}

func viewSplitOutputs(outs []payments.SplitOutput) []splitOutputView {
	v := make([]splitOutputView, 0, len(outs))
	for _, o := range outs {
		v = append(v, splitOutputView{o.RecipientID, o.Amount, o.Liable})
	}
	return v
}

type paymentMethodDetailsView struct {
	Brand   string `json:"brand"`
	Last4   string `json:"last4"`
	Funding string `json:"funding"`
	Country string `json:"country"`
}

type paymentErrorView struct {
	Code        string `json:"code"`
	DeclineCode string `json:"decline_code"`
	Message     string `json:"message"`
}

type nextActionView struct {
	Type        string `json:"type"`
	RedirectURL string `json:"redirect_url"`
}

type paymentView struct {
	ID                   string                    `json:"id"`
	Object               string                    `json:"object"`
	Amount               int64                     `json:"amount"`
	Currency             string                    `json:"currency"`
	Status               string                    `json:"status"`
	CaptureMethod        string                    `json:"capture_method"`
	PaymentMethod        *string                   `json:"payment_method"`
	PaymentMethodDetails *paymentMethodDetailsView `json:"payment_method_details"`
	CustomerID           *string                   `json:"customer_id"`
	Description          *string                   `json:"description"`
	StatementDescriptor  *string                   `json:"statement_descriptor"`
	AmountCapturable     int64                     `json:"amount_capturable"`
	AmountReceived       int64                     `json:"amount_received"`
	AmountRefunded       int64                     `json:"amount_refunded"`
	Fee                  int64                     `json:"fee"`
	LastPaymentError     *paymentErrorView         `json:"last_payment_error"`
	NextAction           *nextActionView           `json:"next_action"`
	Risk                 *riskView                 `json:"risk"`
	Split                []splitOutputView         `json:"split"`
	CancellationReason   *string                   `json:"cancellation_reason"`
	CanceledAt           *time.Time                `json:"canceled_at"`
	DisputeID            *string                   `json:"dispute_id"`
	CreatedAt            time.Time                 `json:"created_at"`
	UpdatedAt            time.Time                 `json:"updated_at"`
	Metadata             map[string]string         `json:"metadata"`
}

func viewPayment(p *payments.Payment) paymentView {
	v := paymentView{
		ID: p.ID, Object: "payment", Amount: p.Amount, Currency: p.Currency, Status: p.Status, CaptureMethod: p.CaptureMethod,
		PaymentMethod: strPtr(p.PaymentMethodID), CustomerID: strPtr(p.CustomerID), Description: strPtr(p.Description),
		StatementDescriptor: strPtr(p.StatementDescriptor), AmountCapturable: p.AmountCapturable, AmountReceived: p.AmountReceived,
		AmountRefunded: p.AmountRefunded, Fee: p.Fee, CancellationReason: strPtr(p.CancellationReason),
		CanceledAt: timePtr(p.CanceledAt), DisputeID: strPtr(p.DisputeID), CreatedAt: p.Created, UpdatedAt: p.Updated,
		Metadata: orEmpty(p.Metadata),
	}
	if d := p.MethodDetails; d != nil {
		v.PaymentMethodDetails = &paymentMethodDetailsView{d.Brand, d.Last4, d.Funding, d.Country}
	}
	if e := p.LastError; e != nil {
		v.LastPaymentError = &paymentErrorView{e.Code, e.DeclineCode, e.Message}
	}
	if a := p.NextAction; a != nil {
		v.NextAction = &nextActionView{a.Type, a.RedirectURL}
	}
	if r := p.Risk; r.Outcome != "" {
		v.Risk = &riskView{r.Level, r.Score, r.Outcome, r.FallbackApplied, strPtr(r.Policy)}
	}
	if len(p.Split) > 0 {
		v.Split = viewSplitOutputs(p.Split)
	}
	return v
}

type riskView struct {
	Level           string  `json:"level"`
	Score           int     `json:"score"`
	Outcome         string  `json:"outcome"`
	FallbackApplied bool    `json:"fallback_applied"`
	Policy          *string `json:"policy"`
}

type refundView struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	PaymentID     string            `json:"payment_id"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Reason        string            `json:"reason"`
	Status        string            `json:"status"`
	FailureReason *string           `json:"failure_reason"`
	Reversals     []splitOutputView `json:"reversals"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Metadata      map[string]string `json:"metadata"`
}

func viewRefund(r *payments.Refund) refundView {
	return refundView{ID: r.ID, Object: "refund", PaymentID: r.PaymentID, Amount: r.Amount, Currency: r.Currency, Reason: r.Reason,
		Status: r.Status, FailureReason: strPtr(r.FailureReason), Reversals: viewSplitOutputs(r.Reversals),
		CreatedAt: r.Created, UpdatedAt: r.Updated, Metadata: orEmpty(r.Metadata)}
}

type payoutAccountView struct {
	AccountID     *string `json:"account_id"`
	BankCode      *string `json:"bank_code"`
	Branch        *string `json:"branch"`
	AccountNumber *string `json:"account_number"`
	AccountDigit  *string `json:"account_digit"`
	IBAN          *string `json:"iban"`
	SortCode      *string `json:"sort_code"`
	HolderName    *string `json:"holder_name"`
}

func viewPayoutAccount(a payments.PayoutAccount) payoutAccountView {
	return payoutAccountView{strPtr(a.AccountID), strPtr(a.BankCode), strPtr(a.Branch), strPtr(a.AccountNumber),
		strPtr(a.AccountDigit), strPtr(a.IBAN), strPtr(a.SortCode), strPtr(a.HolderName)}
}

type recipientView struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Name          string            `json:"name"`
	Email         *string           `json:"email"`
	TaxID         *string           `json:"tax_id"`
	PayoutAccount payoutAccountView `json:"payout_account"`
	Status        string            `json:"status"`
	CreatedAt     time.Time         `json:"created_at"`
	Metadata      map[string]string `json:"metadata"`
}

func viewRecipient(r *payments.Recipient) recipientView {
	return recipientView{ID: r.ID, Object: "recipient", Name: r.Name, Email: strPtr(r.Email), TaxID: strPtr(r.TaxID),
		PayoutAccount: viewPayoutAccount(r.PayoutAccount), Status: r.Status, CreatedAt: r.Created, Metadata: orEmpty(r.Metadata)}
}

type providerBalanceView struct {
	Object    string      `json:"object"`
	Owner     *string     `json:"owner"`
	Available []moneyView `json:"available"`
	Pending   []moneyView `json:"pending"`
}

func viewProviderBalance(owner string, bals []payments.Balance) providerBalanceView {
	v := providerBalanceView{Object: "balance", Owner: strPtr(owner), Available: []moneyView{}, Pending: []moneyView{}}
	for _, b := range bals {
		v.Available = append(v.Available, moneyView{b.Available, b.Currency})
		v.Pending = append(v.Pending, moneyView{b.Pending, b.Currency})
	}
	return v
}

type balanceTransactionView struct {
	ID                string    `json:"id"`
	Object            string    `json:"object"`
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

func viewBalanceTransaction(b *payments.BalanceTransaction) balanceTransactionView {
	return balanceTransactionView{ID: b.ID, Object: "balance_transaction", Owner: strPtr(b.Owner), Type: b.Type, Amount: b.Amount,
		Fee: b.Fee, Net: b.Net, Currency: b.Currency, Status: b.Status, AvailableOn: b.AvailableOn, Source: b.Source,
		PaymentID: strPtr(b.PaymentID), PayoutID: strPtr(b.PayoutID), Description: strPtr(b.Description),
		ReportingCategory: b.Category, CreatedAt: b.Created}
}
