package payments

import (
	"fmt"
	"time"

	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Payment statuses (Stripe's PaymentIntent).
const (
	RequiresPaymentMethod = "requires_payment_method"
	RequiresConfirmation  = "requires_confirmation"
	RequiresAction        = "requires_action"
	Processing            = "processing"
	RequiresCapture       = "requires_capture"
	Succeeded             = "succeeded"
	Canceled              = "canceled"
)

// paymentEvents names the event of each status a payment reaches.
var paymentEvents = map[string]string{
	RequiresConfirmation: "payment.requires_confirmation",
	RequiresAction:       "payment.requires_action", Processing: "payment.processing",
	RequiresCapture: "payment.amount_capturable_updated", Succeeded: "payment.succeeded", Canceled: "payment.canceled",
}

// IssuerTimeout is how long a card whose issuer does not answer stays processing.
const IssuerTimeout = 30 * time.Second

// AuthorizationValidity is how long an uncaptured authorization holds.
const AuthorizationValidity = 7 * 24 * time.Hour

// Payment is a card payment (a PaymentIntent).
type Payment struct {
	Seq                 uint64
	ID                  string
	Amount              int64
	Currency            string
	Status              string
	CaptureMethod       string // automatic | manual
	PaymentMethodID     string
	MethodDetails       *Card // what may be shown of the card
	CustomerID          string
	Description         string
	StatementDescriptor string
	AmountCapturable    int64
	AmountReceived      int64
	AmountRefunded      int64
	Fee                 int64
	LastError           *PaymentError
	NextAction          *NextAction
	Risk                Risk
	Split               []SplitOutput
	SplitRules          []SplitRule
	CancellationReason  string
	CanceledAt          time.Time
	DisputeID           string
	Created, Updated    time.Time
	Metadata            map[string]string
	StatusHistory       []string

	threeDSDone bool
	holdCapture bool // risk review: authorized, but not captured automatically
	expiry      *clock.Job
}

// PaymentError is why the last attempt failed.
type PaymentError struct {
	Code, DeclineCode, Message string
}

// NextAction is what the customer must do before the payment can go on.
type NextAction struct {
	Type, RedirectURL string
}

// Risk is the fraud check's verdict.
type Risk struct {
	Level           string // normal, elevated, highest, not_assessed
	Score           int
	Outcome         string // authorized, manual_review, blocked, not_evaluated
	FallbackApplied bool
	Policy          string // the timeout policy applied, when it was
}

// PaymentInput is a request to create a payment.
type PaymentInput struct {
	Amount              int64
	Currency            string
	PaymentMethodID     string
	Card                *PaymentMethodInput // inline card, tokenized on the way
	CustomerID          string
	CaptureMethod       string
	Confirm             bool
	Description         string
	StatementDescriptor string
	Metadata            map[string]string
	Split               []SplitRule
	// RiskTimeout makes the fraud check time out for this payment (a fault
	// that knows the API: the fraud-check-timeout scenario).
	RiskTimeout bool
}

// CreatePayment creates a payment and, when asked, confirms it at once. A
// decline on confirmation returns the payment (stored, in
// requires_payment_method) inside a Declined error, as card APIs answer 402.
func (p *Provider) CreatePayment(in PaymentInput) (*Payment, error) {
	if !PaymentCurrencies[in.Currency] {
		return nil, domain.InvalidField("currency_not_supported", "/currency", "payments are accepted in BRL, EUR, GBP and USD, not %s", in.Currency)
	}
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if in.CustomerID != "" && p.Bank != nil {
		if _, err := p.Bank.Customer(in.CustomerID); err != nil {
			return nil, domain.MissingRef("customer", "/customer_id", in.CustomerID)
		}
	}
	if in.PaymentMethodID != "" && in.Card != nil {
		return nil, domain.InvalidField("payment_method_conflict", "/payment_method_data", "send payment_method or payment_method_data, not both")
	}
	var method *PaymentMethod
	switch {
	case in.PaymentMethodID != "":
		m, err := p.activeMethod(in.PaymentMethodID)
		if err != nil {
			return nil, err
		}
		method = m
	case in.Card != nil:
		m, err := p.CreatePaymentMethod(*in.Card, "/payment_method_data/card")
		if err != nil {
			return nil, err
		}
		method = m
	}
	if in.Confirm && method == nil {
		return nil, domain.InvalidField("payment_method_required", "/payment_method", "a payment cannot be confirmed without a payment method")
	}
	split, err := p.checkSplit(in.Split, in.Amount, in.Currency)
	if err != nil {
		return nil, err
	}
	now := p.Now()
	pay := &Payment{
		Seq: p.nextSeq(), ID: p.newID("pay"), Amount: in.Amount, Currency: in.Currency, CaptureMethod: in.CaptureMethod,
		CustomerID: in.CustomerID, Description: in.Description, StatementDescriptor: in.StatementDescriptor,
		Metadata: in.Metadata, SplitRules: split, Created: now, Risk: Risk{Level: "not_assessed"},
	}
	if pay.CaptureMethod == "" {
		pay.CaptureMethod = "automatic"
	}
	p.payments = append(p.payments, pay)
	p.paymentByID[pay.ID] = pay
	status := RequiresPaymentMethod
	if method != nil {
		pay.PaymentMethodID, pay.MethodDetails = method.ID, &method.Card
		status = RequiresConfirmation
	}
	p.setStatus(pay, status)
	if in.Confirm {
		return p.confirm(pay, method, in.RiskTimeout)
	}
	return pay, nil
}

// setStatus moves a payment to a status: one event per change.
func (p *Provider) setStatus(pay *Payment, status string) {
	pay.Status = status
	pay.Updated = p.Now()
	pay.StatusHistory = append(pay.StatusHistory, status)
	switch {
	case len(pay.StatusHistory) == 1:
		p.Emit("payment.created", pay)
	case status == RequiresPaymentMethod:
		p.Emit("payment.payment_failed", pay) // back to requires_payment_method: an attempt failed
	default:
		p.Emit(paymentEvents[status], pay)
	}
}

// ConfirmInput confirms a payment, optionally with a (new) payment method.
type ConfirmInput struct {
	PaymentMethodID string
	RiskTimeout     bool
}

// Confirm attempts the payment.
func (p *Provider) Confirm(id string, in ConfirmInput) (*Payment, error) {
	pay, err := p.Payment(id)
	if err != nil {
		return nil, err
	}
	if pay.Status != RequiresConfirmation && pay.Status != RequiresPaymentMethod {
		return nil, domain.StateError("payment_unexpected_state", "payment %s is %s; only a payment that requires confirmation or a payment method can be confirmed", pay.ID, pay.Status)
	}
	methodID := pay.PaymentMethodID
	if in.PaymentMethodID != "" {
		methodID = in.PaymentMethodID
	}
	if methodID == "" {
		return nil, domain.InvalidField("payment_method_required", "/payment_method", "payment %s has no payment method: send one", pay.ID)
	}
	m, err := p.activeMethod(methodID)
	if err != nil {
		return nil, err
	}
	pay.PaymentMethodID, pay.MethodDetails = m.ID, &m.Card
	pay.LastError = nil
	return p.confirm(pay, m, in.RiskTimeout)
}

// activeMethod returns the payment method a payment names (in
// /payment_method), which must exist and not be detached.
func (p *Provider) activeMethod(id string) (*PaymentMethod, error) {
	m, ok := p.methodByID[id]
	if !ok {
		return nil, domain.MissingRef("payment method", "/payment_method", id)
	}
	if m.Status != "active" {
		return nil, domain.InvalidField("payment_method_detached", "/payment_method", "payment method %s is detached", m.ID)
	}
	return m, nil
}

// confirm runs an attempt: the issuer (declines, 3-D Secure), then the
// network, then the fraud check, then authorization and (automatic)
// capture.
func (p *Provider) confirm(pay *Payment, m *PaymentMethod, riskTimeout bool) (*Payment, error) {
	b := m.behavior
	if code, decline, ok := p.amountDecline(pay); ok {
		return p.fail(pay, code, decline)
	}
	if b.code != "" {
		return p.fail(pay, b.code, b.declineCode)
	}
	if b.threeDS && !pay.threeDSDone {
		pay.NextAction = &NextAction{Type: "three_d_secure", RedirectURL: "/v1/sandbox/payments/" + pay.ID + "/three_d_secure"}
		p.setStatus(pay, RequiresAction)
		return pay, nil
	}
	pay.NextAction = nil
	p.setStatus(pay, Processing)
	if b.issuerTimeout || b.pending {
		p.Clock.Schedule(p.Now().Add(IssuerTimeout), "payment.issuer_response", pay.ID, func(time.Time) {
			if pay.Status != Processing {
				return
			}
			if b.issuerTimeout {
				_, _ = p.fail(pay, "card_declined", "try_again_later")
				return
			}
			p.assessRisk(pay, b, false)
			_ = p.authorize(pay)
		})
		return pay, nil
	}
	if declined := p.assessRisk(pay, b, riskTimeout || b.riskTimeout); declined != nil {
		return p.fail(pay, declined.Code, declined.DeclineCode)
	}
	if err := p.authorize(pay); err != nil {
		return nil, err
	}
	return pay, nil
}

// assessRisk runs the fraud check; a non-nil error is a decline.
func (p *Provider) assessRisk(pay *Payment, b cardBehavior, timesOut bool) *PaymentError {
	f := p.fake
	switch {
	case timesOut:
		pol := p.Settings.Risk
		pay.Risk = Risk{Level: "not_assessed", Outcome: "not_evaluated", FallbackApplied: true, Policy: pol.OnTimeout}
		defer p.Emit("payment.risk_fallback_applied", pay)
		switch pol.OnTimeout {
		case RiskReview:
			pay.Risk.Outcome = "manual_review"
			pay.holdCapture = true
		case RiskDecline:
			return &PaymentError{Code: "processing_error", DeclineCode: "try_again_later"}
		default: // allow, under the offline limit
			if pay.Amount > pol.OfflineLimit {
				return &PaymentError{Code: "card_declined", DeclineCode: "try_again_later"}
			}
		}
	case b.risk == "highest":
		pay.Risk = Risk{Level: "highest", Score: 90 + f.IntN(10), Outcome: "blocked"}
		return &PaymentError{Code: "card_declined", DeclineCode: "fraudulent"}
	case b.risk == "elevated":
		pay.Risk = Risk{Level: "elevated", Score: 65 + f.IntN(10), Outcome: "manual_review"}
		pay.holdCapture = true
	default:
		pay.Risk = Risk{Level: "normal", Score: f.IntN(40), Outcome: "authorized"}
	}
	return nil
}

// amountDecline applies Braintree's test amounts when the tenant opted in.
func (p *Provider) amountDecline(pay *Payment) (string, string, bool) {
	if !p.Settings.AmountDeclines {
		return "", "", false
	}
	major := pay.Amount / 100
	if major < 2000 || major > 2999 {
		return "", "", false
	}
	switch major {
	case 2001:
		return "card_declined", "insufficient_funds", true
	case 2004:
		return "expired_card", "expired_card", true
	}
	return "card_declined", fmt.Sprintf("processor_declined_%d", major), true
}

// fail ends an attempt: back to requires_payment_method with the error.
func (p *Provider) fail(pay *Payment, code, decline string) (*Payment, error) {
	msg := declineMessages[decline]
	if msg == "" {
		msg = "The card was declined."
	}
	pay.LastError = &PaymentError{Code: code, DeclineCode: decline, Message: msg}
	pay.NextAction = nil
	p.setStatus(pay, RequiresPaymentMethod)
	return pay, &domain.Error{Kind: domain.Declined, Code: code, Message: msg,
		Extra: map[string]any{"decline_code": decline, "payment_id": pay.ID}}
}

// authorize holds the amount on the card, then captures it when the
// payment captures automatically (and no risk review holds it).
func (p *Provider) authorize(pay *Payment) error {
	pay.AmountCapturable = pay.Amount
	if pay.CaptureMethod == "automatic" && !pay.holdCapture {
		return p.capture(pay, pay.Amount)
	}
	p.setStatus(pay, RequiresCapture)
	pay.expiry = p.Clock.Schedule(p.Now().Add(AuthorizationValidity), "payment.authorization_expiry", pay.ID, func(time.Time) {
		if pay.Status == RequiresCapture {
			p.cancel(pay, "automatic")
		}
	})
	return nil
}

// capture takes the money: a charge balance transaction (gross, fee, net),
// pending for AvailableAfter, and the split transfers.
func (p *Provider) capture(pay *Payment, amount int64) error {
	now := p.Now()
	cur := pay.Currency
	fee := CardFee(amount, cur)
	m := p.methodByID[pay.PaymentMethodID]
	instant := m != nil && m.behavior.instant
	pend, avail := balanceAccounts("", cur)
	into := pend
	if instant {
		into = avail
	}
	if _, err := p.post(now,
		ledger.Leg{Account: networkAccount(cur), Amount: -amount, Currency: cur},
		ledger.Leg{Account: into, Amount: amount - fee, Currency: cur},
		ledger.Leg{Account: feeAccount(cur), Amount: fee, Currency: cur},
	); err != nil {
		return err
	}
	availableOn := now.Add(AvailableAfter)
	status := "pending"
	if instant {
		status, availableOn = "available", now
	}
	p.record(&BalanceTransaction{Type: "charge", Amount: amount, Fee: fee, Net: amount - fee, Currency: cur, Status: status,
		AvailableOn: availableOn, Source: pay.ID, PaymentID: pay.ID, Description: chargeDescription(pay)})
	pay.AmountReceived, pay.AmountCapturable, pay.Fee = amount, 0, fee
	if err := p.paySplits(pay, amount-fee, status, availableOn); err != nil {
		return err
	}
	if pay.expiry != nil {
		p.Clock.Cancel(pay.expiry)
		pay.expiry = nil
	}
	p.setStatus(pay, Succeeded)
	if m != nil && m.behavior.dispute {
		p.Clock.Schedule(now.Add(24*time.Hour), "dispute.open", pay.ID, func(at time.Time) { p.openDispute(pay, at) })
	}
	return nil
}

func chargeDescription(pay *Payment) string {
	if pay.Description != "" {
		return pay.Description
	}
	return "Payment " + pay.ID
}

// Capture captures an authorized payment, fully or in part.
func (p *Provider) Capture(id string, amount int64) (*Payment, error) {
	pay, err := p.Payment(id)
	if err != nil {
		return nil, err
	}
	if pay.Status != RequiresCapture {
		return nil, domain.StateError("payment_unexpected_state", "payment %s is %s; only a payment in requires_capture can be captured", pay.ID, pay.Status)
	}
	if amount == 0 {
		amount = pay.AmountCapturable
	}
	if amount > pay.AmountCapturable {
		return nil, domain.InvalidField("amount_too_large", "/amount_to_capture", "at most %d can be captured", pay.AmountCapturable)
	}
	if len(pay.SplitRules) > 0 && amount != pay.Amount && hasFlat(pay.SplitRules) {
		return nil, domain.InvalidField("split_requires_full_capture", "/amount_to_capture", "flat split amounts need the whole amount captured")
	}
	if err := p.capture(pay, amount); err != nil {
		return nil, err
	}
	return pay, nil
}

// Cancel cancels a payment that has not been captured.
func (p *Provider) Cancel(id, reason string) (*Payment, error) {
	pay, err := p.Payment(id)
	if err != nil {
		return nil, err
	}
	switch pay.Status {
	case RequiresPaymentMethod, RequiresConfirmation, RequiresAction, RequiresCapture:
	default:
		return nil, domain.StateError("payment_unexpected_state", "payment %s is %s and cannot be canceled", pay.ID, pay.Status)
	}
	if reason == "" {
		reason = "requested_by_customer"
	}
	p.cancel(pay, reason)
	return pay, nil
}

func (p *Provider) cancel(pay *Payment, reason string) {
	pay.CancellationReason = reason
	pay.CanceledAt = p.Now()
	pay.AmountCapturable = 0
	pay.NextAction = nil
	if pay.expiry != nil {
		p.Clock.Cancel(pay.expiry)
		pay.expiry = nil
	}
	p.setStatus(pay, Canceled)
}

// CompleteThreeDS is the customer finishing (or failing) 3-D Secure.
func (p *Provider) CompleteThreeDS(id string, authenticated bool) (*Payment, error) {
	pay, err := p.Payment(id)
	if err != nil {
		return nil, err
	}
	if pay.Status != RequiresAction {
		return nil, domain.StateError("payment_unexpected_state", "payment %s is %s; 3-D Secure applies to a payment in requires_action", pay.ID, pay.Status)
	}
	if !authenticated {
		return p.fail(pay, "authentication_failed", "authentication_failed")
	}
	pay.threeDSDone = true
	return p.confirm(pay, p.methodByID[pay.PaymentMethodID], false)
}

// Payment returns a payment by id.
func (p *Provider) Payment(id string) (*Payment, error) {
	if pay, ok := p.paymentByID[id]; ok {
		return pay, nil
	}
	return nil, domain.NotFoundError("payment", id)
}

// PaymentFilter narrows a payment list.
type PaymentFilter struct {
	Status, CustomerID string
}

// Payments lists payments, newest first.
func (p *Provider) Payments(f PaymentFilter, before uint64, limit int) domain.Page[*Payment] {
	return domain.Paginate(p.payments, func(x *Payment) uint64 { return x.Seq }, before, limit, func(x *Payment) bool {
		return (f.Status == "" || x.Status == f.Status) && (f.CustomerID == "" || x.CustomerID == f.CustomerID)
	})
}

// AllPayments returns every payment, oldest first.
func (p *Provider) AllPayments() []*Payment { return append([]*Payment(nil), p.payments...) }
