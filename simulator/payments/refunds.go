package payments

import (
	"time"

	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Refund statuses.
const (
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
	RefundFailed    = "failed"
)

// RefundSettleAfter is how long a card refund stays pending.
const RefundSettleAfter = 5 * time.Second

// Refund gives back part or all of a captured payment.
type Refund struct {
	Seq           uint64
	ID            string
	PaymentID     string
	Amount        int64
	Currency      string
	Reason        string // duplicate, fraudulent, requested_by_customer
	Status        string
	FailureReason string
	Created       time.Time
	Updated       time.Time
	Metadata      map[string]string
	Reversals     []SplitOutput // what each split recipient gave back
}

// RefundInput is a refund request.
type RefundInput struct {
	PaymentID string
	Amount    int64 // 0: what remains refundable
	Reason    string
	Metadata  map[string]string
}

// CreateRefund refunds a captured payment. Refunds never exceed what was
// captured: pending ones count. The money leaves the available balance at
// once (and split recipients give back their share, pro rata); the refund
// settles on the virtual clock, or fails and the money comes back.
func (p *Provider) CreateRefund(in RefundInput) (*Refund, error) {
	pay, ok := p.paymentByID[in.PaymentID]
	if !ok {
		return nil, domain.MissingRef("payment", "/payment_id", in.PaymentID)
	}
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if pay.Status != Succeeded {
		return nil, domain.StateError("payment_not_refundable", "payment %s is %s; only a succeeded payment can be refunded", pay.ID, pay.Status)
	}
	if pay.DisputeID != "" {
		// The dispute already took back what was not refunded; a refund now
		// would give the cardholder the money twice.
		return nil, domain.StateError("charge_disputed", "payment %s is disputed (%s) and can no longer be refunded", pay.ID, pay.DisputeID)
	}
	refundable := pay.AmountReceived - pay.AmountRefunded
	amount := in.Amount
	if amount == 0 {
		amount = refundable
	}
	if refundable <= 0 {
		return nil, domain.StateError("charge_already_refunded", "payment %s is already fully refunded", pay.ID)
	}
	if amount > refundable {
		return nil, domain.InvalidField("amount_too_large", "/amount", "at most %d can be refunded: %d captured, %d already refunded", refundable, pay.AmountReceived, pay.AmountRefunded)
	}
	now := p.Now()
	r := &Refund{Seq: p.nextSeq(), ID: p.newID("re"), PaymentID: pay.ID, Amount: amount, Currency: pay.Currency,
		Reason: in.Reason, Status: RefundPending, Created: now, Updated: now, Metadata: in.Metadata}
	if r.Reason == "" {
		r.Reason = "requested_by_customer"
	}
	cur := pay.Currency
	_, avail := balanceAccounts("", cur)
	if _, err := p.post(now, ledger.Leg{Account: avail, Amount: -amount, Currency: cur}, ledger.Leg{Account: networkAccount(cur), Amount: amount, Currency: cur}); err != nil {
		return nil, err
	}
	p.record(&BalanceTransaction{Type: "refund", Amount: -amount, Currency: cur, Status: "available", Source: r.ID, PaymentID: pay.ID, Description: "Refund of " + pay.ID})
	r.Reversals = p.reverseSplits(pay, amount, r.ID)
	pay.AmountRefunded += amount
	p.refunds = append(p.refunds, r)
	p.refundByID[r.ID] = r
	p.Emit("refund.created", r)
	fails := false
	if m := p.methodByID[pay.PaymentMethodID]; m != nil {
		fails = m.behavior.refundFails
	}
	p.Clock.Schedule(now.Add(RefundSettleAfter), "refund.settle", r.ID, func(at time.Time) { p.settleRefund(r, pay, fails, at) })
	return r, nil
}

func (p *Provider) settleRefund(r *Refund, pay *Payment, fails bool, at time.Time) {
	if r.Status != RefundPending {
		return
	}
	r.Updated = at
	if !fails {
		r.Status = RefundSucceeded
		p.Emit("refund.succeeded", r)
		return
	}
	// The card could not take the money back: it returns to the balance,
	// and the payment is refundable again.
	cur := r.Currency
	_, avail := balanceAccounts("", cur)
	_, _ = p.post(at, ledger.Leg{Account: networkAccount(cur), Amount: -r.Amount, Currency: cur}, ledger.Leg{Account: avail, Amount: r.Amount, Currency: cur})
	p.record(&BalanceTransaction{Type: "refund_failure", Amount: r.Amount, Currency: cur, Status: "available", Source: r.ID, PaymentID: pay.ID, Description: "Failed refund " + r.ID})
	p.restoreSplits(pay, r)
	pay.AmountRefunded -= r.Amount
	r.Status, r.FailureReason = RefundFailed, "expired_or_canceled_card"
	p.Emit("refund.failed", r)
}

// Refund returns a refund by id.
func (p *Provider) Refund(id string) (*Refund, error) {
	if r, ok := p.refundByID[id]; ok {
		return r, nil
	}
	return nil, domain.NotFoundError("refund", id)
}

// Refunds lists refunds, newest first (of one payment, when given).
func (p *Provider) Refunds(paymentID string, before uint64, limit int) domain.Page[*Refund] {
	return domain.Paginate(p.refunds, func(r *Refund) uint64 { return r.Seq }, before, limit, func(r *Refund) bool {
		return paymentID == "" || r.PaymentID == paymentID
	})
}

// AllRefunds returns every refund, oldest first.
func (p *Provider) AllRefunds() []*Refund { return append([]*Refund(nil), p.refunds...) }
