package payments

import (
	"time"

	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// BalanceTransaction is one change of an owner's balance (the platform's,
// or a recipient's): a charge and its fee, a split transfer, a refund, a
// dispute adjustment, a payout. Funds are pending until AvailableOn.
type BalanceTransaction struct {
	Seq         uint64
	ID          string
	Owner       string // "" for the platform, else a recipient id
	Type        string // charge, refund, refund_failure, transfer, transfer_reversal, adjustment, payout, payout_failure, payout_cancel
	Amount      int64  // gross, signed
	Fee         int64
	Net         int64
	Currency    string
	Status      string // pending | available
	AvailableOn time.Time
	Source      string // the payment, refund, dispute or payout it comes from
	PaymentID   string // the payment it belongs to, when it does
	Description string
	Category    string // reporting category
	Created     time.Time
	PayoutID    string // the payout that paid it out

	// ownPayout marks the payout balance transaction of a swept payout:
	// the payout itself, not something a later sweep may pay out again.
	ownPayout bool
}

// BT categories for reports (Stripe's reporting_category).
var reportingCategory = map[string]string{
	"charge": "charge", "refund": "refund", "refund_failure": "refund_failure", "transfer": "transfer",
	"transfer_reversal": "transfer_reversal", "adjustment": "dispute", "payout": "payout", "payout_failure": "payout_reversal",
	"payout_cancel": "payout_reversal",
}

// record creates a balance transaction. A pending one becomes available on
// the virtual clock, moving its net from the owner's pending account to
// its available one.
func (p *Provider) record(bt *BalanceTransaction) *BalanceTransaction {
	bt.Seq, bt.ID, bt.Created = p.nextSeq(), p.newID("btx"), p.Now()
	if bt.Category == "" { // a dispute's reinstatement says dispute_reversal
		bt.Category = reportingCategory[bt.Type]
	}
	if bt.Net == 0 && bt.Fee == 0 {
		bt.Net = bt.Amount
	}
	p.bts = append(p.bts, bt)
	p.btByID[bt.ID] = bt
	if bt.Status == "pending" {
		p.Clock.Schedule(bt.AvailableOn, "balance.available", bt.ID, func(at time.Time) { p.makeAvailable(bt, at) })
	} else {
		bt.Status = "available"
		if bt.AvailableOn.IsZero() {
			bt.AvailableOn = bt.Created
		}
	}
	return bt
}

func (p *Provider) makeAvailable(bt *BalanceTransaction, at time.Time) {
	if bt.Status != "pending" {
		return
	}
	pend, avail := balanceAccounts(bt.Owner, bt.Currency)
	if bt.Net != 0 {
		_, _ = p.post(at, ledger.Leg{Account: pend, Amount: -bt.Net, Currency: bt.Currency}, ledger.Leg{Account: avail, Amount: bt.Net, Currency: bt.Currency})
	}
	bt.Status = "available"
}

// BalanceTransactionFilter narrows a listing.
type BalanceTransactionFilter struct {
	Owner    string // "" platform; "*" everyone
	Type     string
	Source   string
	PayoutID string
	Currency string
	From, To time.Time
}

// BalanceTransactions lists balance transactions, newest first.
func (p *Provider) BalanceTransactions(f BalanceTransactionFilter, before uint64, limit int) domain.Page[*BalanceTransaction] {
	return domain.Paginate(p.bts, func(b *BalanceTransaction) uint64 { return b.Seq }, before, limit, f.match)
}

func (f BalanceTransactionFilter) match(b *BalanceTransaction) bool {
	return (f.Owner == "*" || b.Owner == f.Owner) && (f.Type == "" || b.Type == f.Type) &&
		(f.Source == "" || b.Source == f.Source) && (f.PayoutID == "" || b.PayoutID == f.PayoutID) &&
		(f.Currency == "" || b.Currency == f.Currency) &&
		(f.From.IsZero() || !b.Created.Before(f.From)) && (f.To.IsZero() || b.Created.Before(f.To))
}

// AllBalanceTransactions returns every balance transaction, oldest first.
func (p *Provider) AllBalanceTransactions() []*BalanceTransaction {
	return append([]*BalanceTransaction(nil), p.bts...)
}

// BalanceTransaction returns one by id.
func (p *Provider) BalanceTransaction(id string) (*BalanceTransaction, error) {
	if b, ok := p.btByID[id]; ok {
		return b, nil
	}
	return nil, domain.NotFoundError("balance transaction", id)
}
