package payments

import (
	"slices"
	"time"
	"unicode/utf8"

	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Dispute statuses (Stripe's).
const (
	DisputeNeedsResponse = "needs_response"
	DisputeUnderReview   = "under_review"
	DisputeWon           = "won"
	DisputeLost          = "lost"
)

// EvidenceWindow is how long the merchant has to submit evidence; a
// dispute without evidence by then is lost.
const EvidenceWindow = 7 * 24 * time.Hour

// IssuerDecisionAfter is how long the issuer takes to decide a dispute
// once the evidence is submitted.
const IssuerDecisionAfter = 3 * 24 * time.Hour

// Stripe's magic evidence: uncategorized_text decides the outcome.
const (
	WinningEvidence = "winning_evidence"
	LosingEvidence  = "losing_evidence"
)

// DisputeReasons are Stripe's dispute reasons.
var DisputeReasons = []string{
	"bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized",
	"duplicate", "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received",
	"product_unacceptable", "subscription_canceled", "unrecognized",
}

// EvidenceField is one kind of evidence and its longest length in characters.
type EvidenceField struct {
	Name string
	Max  int
}

// EvidenceFields are the evidence a dispute takes (a subset of Stripe's),
// in the order errors name them.
var EvidenceFields = []EvidenceField{
	{"customer_name", 200}, {"customer_email", 254}, {"product_description", 20000},
	{"shipping_tracking_number", 100}, {"receipt_url", 2000}, {"customer_communication", 20000},
	{"uncategorized_text", 20000},
}

// strongEvidence is evidence that wins a dispute (when uncategorized_text
// is not one of the magic values): proof of purchase, of delivery, or of
// the customer's own word.
var strongEvidence = []string{"receipt_url", "shipping_tracking_number", "customer_communication"}

// Dispute is a cardholder's chargeback of a captured payment. Opening it
// takes the disputed amount and the dispute fee from the platform's
// available balance (and the disputed amount from the liable split
// recipient, when there is one); winning it gives the amount back, never
// the fee.
type Dispute struct {
	Seq               uint64
	ID                string
	PaymentID         string
	Amount            int64
	Currency          string
	Reason            string
	Status            string
	Evidence          map[string]string // by EvidenceFields name; absent when not given
	EvidenceDueBy     time.Time
	SubmittedAt       time.Time
	Fee               int64
	LiableRecipientID string
	// BalanceTransactions are the platform's adjustments: the withdrawal,
	// and the reinstatement of a won dispute.
	BalanceTransactions []string
	Created, Updated    time.Time
	Metadata            map[string]string
	StatusHistory       []string

	pay  *Payment
	next *clock.Job // the evidence deadline, or the issuer's decision
}

// openDispute opens a dispute on a captured payment (the magic card does
// it a simulated day after capture).
func (p *Provider) openDispute(pay *Payment, at time.Time) {
	if pay.DisputeID != "" {
		return // the sandbox disputed it first
	}
	_, _ = p.newDispute(pay, "fraudulent", at)
}

// OpenDispute is the sandbox's cardholder disputing a succeeded payment at
// once; reason is one of DisputeReasons (default fraudulent). A payment is
// disputed at most once.
func (p *Provider) OpenDispute(paymentID, reason string) (*Dispute, error) {
	pay, err := p.Payment(paymentID)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason = "fraudulent"
	}
	if !slices.Contains(DisputeReasons, reason) {
		return nil, domain.InvalidField("invalid_reason", "/reason", "%q is not a dispute reason", reason)
	}
	return p.newDispute(pay, reason, p.Now())
}

func (p *Provider) newDispute(pay *Payment, reason string, at time.Time) (*Dispute, error) {
	if pay.DisputeID != "" {
		return nil, domain.StateError("payment_already_disputed", "payment %s is already disputed (%s); a payment is disputed at most once", pay.ID, pay.DisputeID)
	}
	if pay.Status != Succeeded {
		return nil, domain.StateError("payment_not_disputable", "payment %s is %s; only a succeeded payment can be disputed", pay.ID, pay.Status)
	}
	amount := pay.AmountReceived - pay.AmountRefunded
	if amount <= 0 {
		return nil, domain.StateError("payment_not_disputable", "payment %s is fully refunded: there is nothing to dispute", pay.ID)
	}
	cur := pay.Currency
	fee := DisputeFee[cur]
	d := &Dispute{
		Seq: p.nextSeq(), ID: p.newID("dp"), PaymentID: pay.ID, Amount: amount, Currency: cur, Reason: reason,
		Evidence: map[string]string{}, EvidenceDueBy: at.Add(EvidenceWindow), Fee: fee, Created: at, pay: pay,
	}
	// The card network takes the amount back for the cardholder; the
	// provider charges its fee for handling the dispute.
	_, avail := balanceAccounts("", cur)
	if _, err := p.post(at,
		ledger.Leg{Account: avail, Amount: -(amount + fee), Currency: cur},
		ledger.Leg{Account: networkAccount(cur), Amount: amount, Currency: cur},
		ledger.Leg{Account: feeAccount(cur), Amount: fee, Currency: cur},
	); err != nil {
		return nil, err
	}
	bt := p.record(&BalanceTransaction{Type: "adjustment", Amount: -amount, Fee: fee, Net: -(amount + fee), Currency: cur,
		Status: "available", Source: d.ID, PaymentID: pay.ID, Description: "Chargeback withdrawal for " + pay.ID})
	d.BalanceTransactions = append(d.BalanceTransactions, bt.ID)
	// The liable recipient bears the chargeback: it gives the disputed
	// amount back to the platform.
	if liable := liableRecipient(pay); liable != "" {
		d.LiableRecipientID = liable
		p.moveSplits(pay, []SplitOutput{{RecipientID: liable, Amount: amount, Liable: true}}, -1, d.ID, "transfer_reversal")
	}
	pay.DisputeID, pay.Updated = d.ID, at
	p.disputes = append(p.disputes, d)
	p.disputeByID[d.ID] = d
	p.setDisputeStatus(d, DisputeNeedsResponse)
	p.Emit("dispute.funds_withdrawn", d)
	d.next = p.Clock.Schedule(d.EvidenceDueBy, "dispute.evidence_due", d.ID, func(time.Time) {
		if d.Status == DisputeNeedsResponse {
			p.closeDispute(d, DisputeLost)
		}
	})
	return d, nil
}

func liableRecipient(pay *Payment) string {
	for _, o := range pay.Split {
		if o.Liable {
			return o.RecipientID
		}
	}
	return ""
}

// setDisputeStatus moves a dispute to a status: one event per change.
func (p *Provider) setDisputeStatus(d *Dispute, status string) {
	d.Status = status
	d.Updated = p.Now()
	d.StatusHistory = append(d.StatusHistory, status)
	switch status {
	case DisputeNeedsResponse:
		p.Emit("dispute.created", d)
	case DisputeUnderReview:
		p.Emit("dispute.updated", d)
	default:
		p.Emit("dispute.closed", d)
	}
}

// closeDispute ends a dispute. A won one gives the platform the disputed
// amount back (the fee stays with the provider), and the liable recipient
// its share.
func (p *Provider) closeDispute(d *Dispute, outcome string) {
	if d.next != nil {
		p.Clock.Cancel(d.next)
		d.next = nil
	}
	if outcome != DisputeWon {
		p.setDisputeStatus(d, outcome)
		return
	}
	now := p.Now()
	cur := d.Currency
	_, avail := balanceAccounts("", cur)
	_, _ = p.post(now, ledger.Leg{Account: networkAccount(cur), Amount: -d.Amount, Currency: cur}, ledger.Leg{Account: avail, Amount: d.Amount, Currency: cur})
	bt := p.record(&BalanceTransaction{Type: "adjustment", Amount: d.Amount, Currency: cur, Status: "available", Source: d.ID,
		PaymentID: d.PaymentID, Description: "Chargeback reversal for " + d.PaymentID, Category: "dispute_reversal"})
	d.BalanceTransactions = append(d.BalanceTransactions, bt.ID)
	if d.LiableRecipientID != "" {
		p.moveSplits(d.pay, []SplitOutput{{RecipientID: d.LiableRecipientID, Amount: d.Amount, Liable: true}}, 1, d.ID, "transfer")
	}
	// The status changes before the money event, so that both events show
	// the dispute won; dispute.closed is the status change's one event.
	d.Status, d.Updated = DisputeWon, now
	d.StatusHistory = append(d.StatusHistory, DisputeWon)
	p.Emit("dispute.funds_reinstated", d)
	p.Emit("dispute.closed", d)
}

// decide is the issuer's verdict on submitted evidence: Stripe's magic
// uncategorized_text first, else won with proof of purchase, delivery or
// the customer's own word, else lost.
func decide(ev map[string]string) string {
	switch ev["uncategorized_text"] {
	case WinningEvidence:
		return DisputeWon
	case LosingEvidence:
		return DisputeLost
	}
	for _, f := range strongEvidence {
		if ev[f] != "" {
			return DisputeWon
		}
	}
	return DisputeLost
}

// DisputeUpdate changes a dispute: evidence merged into what was given
// before (an empty string removes a field), submission, metadata (merged
// the same way).
type DisputeUpdate struct {
	Evidence map[string]string
	Submit   bool
	Metadata map[string]string
}

// UpdateDispute adds evidence to a dispute that needs a response and, with
// Submit, sends it to the issuer (under_review), who decides
// IssuerDecisionAfter later. Once submitted the evidence is read-only.
func (p *Provider) UpdateDispute(id string, in DisputeUpdate) (*Dispute, error) {
	d, err := p.Dispute(id)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckMetadata(in.Metadata); err != nil {
		return nil, err
	}
	if d.Status != DisputeNeedsResponse {
		var fields []domain.FieldError
		for _, f := range EvidenceFields {
			if _, ok := in.Evidence[f.Name]; ok {
				fields = append(fields, domain.FieldError{Field: "/evidence/" + f.Name, Message: "the evidence was submitted (the dispute is " + d.Status + ") and can no longer change"})
			}
		}
		if in.Submit {
			fields = append(fields, domain.FieldError{Field: "/submit", Message: "the dispute is " + d.Status + "; only a dispute that needs a response can be submitted"})
		}
		if len(fields) > 0 {
			return nil, &domain.Error{Kind: domain.Invalid, Code: "dispute_evidence_locked", Field: fields[0].Field, Message: fields[0].Message, Fields: fields}
		}
	}
	for name, v := range in.Evidence {
		i := slices.IndexFunc(EvidenceFields, func(f EvidenceField) bool { return f.Name == name })
		if i < 0 {
			return nil, domain.InvalidField("invalid_evidence", "/evidence/"+name, "%q is not an evidence field", name)
		}
		if n := utf8.RuneCountInString(v); n > EvidenceFields[i].Max {
			return nil, domain.InvalidField("invalid_evidence", "/evidence/"+name, "%s has at most %d characters, not %d", name, EvidenceFields[i].Max, n)
		}
	}
	meta, err := mergeMetadata(d.Metadata, in.Metadata)
	if err != nil {
		return nil, err
	}
	changed := len(in.Evidence) > 0 || len(in.Metadata) > 0
	for name, v := range in.Evidence {
		if v == "" {
			delete(d.Evidence, name)
		} else {
			d.Evidence[name] = v
		}
	}
	d.Metadata = meta
	now := p.Now()
	switch {
	case in.Submit:
		d.SubmittedAt = now
		p.Clock.Cancel(d.next)
		d.next = p.Clock.Schedule(now.Add(IssuerDecisionAfter), "dispute.decide", d.ID, func(time.Time) {
			if d.Status == DisputeUnderReview {
				p.closeDispute(d, decide(d.Evidence))
			}
		})
		p.setDisputeStatus(d, DisputeUnderReview)
	case changed:
		d.Updated = now
		p.Emit("dispute.updated", d)
	}
	return d, nil
}

// mergeMetadata applies changes to metadata: a key with an empty value is
// removed. The result holds at most 20 pairs, as the contract's Metadata.
func mergeMetadata(cur, changes map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range changes {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) > 20 {
		return nil, domain.InvalidField("invalid_metadata", "/metadata", "metadata holds at most 20 pairs; this update would leave %d", len(out))
	}
	return out, nil
}

// CloseDispute accepts a dispute that needs a response as lost.
func (p *Provider) CloseDispute(id string) (*Dispute, error) {
	d, err := p.Dispute(id)
	if err != nil {
		return nil, err
	}
	if d.Status != DisputeNeedsResponse {
		return nil, domain.StateError("dispute_not_closable", "dispute %s is %s; only a dispute that needs a response can be closed", d.ID, d.Status)
	}
	p.closeDispute(d, DisputeLost)
	return d, nil
}

// Dispute returns a dispute by id.
func (p *Provider) Dispute(id string) (*Dispute, error) {
	if d, ok := p.disputeByID[id]; ok {
		return d, nil
	}
	return nil, domain.NotFoundError("dispute", id)
}

// DisputeFilter narrows a dispute list.
type DisputeFilter struct {
	PaymentID, Status string
}

// Disputes lists disputes, newest first.
func (p *Provider) Disputes(f DisputeFilter, before uint64, limit int) domain.Page[*Dispute] {
	return domain.Paginate(p.disputes, func(d *Dispute) uint64 { return d.Seq }, before, limit, func(d *Dispute) bool {
		return (f.PaymentID == "" || d.PaymentID == f.PaymentID) && (f.Status == "" || d.Status == f.Status)
	})
}

// AllDisputes returns every dispute, oldest first.
func (p *Provider) AllDisputes() []*Dispute { return append([]*Dispute(nil), p.disputes...) }
