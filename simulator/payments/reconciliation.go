package payments

import (
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Reconciliation is an itemized report of balance transactions: those a
// swept payout carries (their net adds up to the payout), or those of one
// owner in a time range (the balance at the start plus their net is the
// balance at the end, per currency).
type Reconciliation struct {
	Payout   *Payout // the payout reconciled; nil for a range
	Owner    string  // "" for the platform
	Currency string  // the range's currency filter; "" for every currency
	From, To time.Time
	Rows     []*BalanceTransaction // oldest first
	Totals   []ReconciliationTotal
	// Balanced: the payout equals the rows' net, or each currency's
	// starting balance plus its rows' net equals its ending balance.
	Balanced bool
}

// ReconciliationTotal sums a report's rows of one currency. The balances
// (pending plus available, read from the ledger) are a range's.
type ReconciliationTotal struct {
	Currency                       string
	Count                          int
	Gross, Fee, Net                int64
	StartingBalance, EndingBalance int64
}

// Errors of the reports name their query parameter as the field: "payout",
// "recipient_id", "currency", "to".

// PayoutReconciliation itemizes a swept payout. A manual payout (one
// created with an amount) carries no balance transactions and cannot be
// reconciled, as in Stripe.
func (p *Provider) PayoutReconciliation(payoutID, owner, currency string) (*Reconciliation, error) {
	po, ok := p.payoutByID[payoutID]
	if !ok {
		return nil, domain.MissingRef("payout", "payout", payoutID)
	}
	if !po.Automatic {
		return nil, domain.InvalidField("payout_not_reconcilable", "payout",
			"payout %s was created with an amount: it carries no balance transactions; only a payout that sweeps the balance (created without an amount) can be reconciled", po.ID)
	}
	if owner != "" && owner != po.RecipientID {
		return nil, domain.InvalidField("payout_owner_mismatch", "recipient_id", "payout %s is not a payout of %s", po.ID, owner)
	}
	if currency != "" && currency != po.Currency {
		return nil, domain.InvalidField("currency_mismatch", "currency", "payout %s is in %s, not %s", po.ID, po.Currency, currency)
	}
	r := &Reconciliation{Payout: po, Owner: po.RecipientID}
	t := ReconciliationTotal{Currency: po.Currency}
	for _, b := range p.bts {
		if b.PayoutID == po.ID {
			r.Rows = append(r.Rows, b)
			t.add(b)
		}
	}
	r.Totals = []ReconciliationTotal{t}
	r.Balanced = t.Net == po.Amount
	return r, nil
}

// RangeReconciliation itemizes an owner's balance transactions created in
// [from, to), with each currency's balance at both ends.
func (p *Provider) RangeReconciliation(owner, currency string, from, to time.Time) (*Reconciliation, error) {
	if owner != "" {
		if _, ok := p.recipientByID[owner]; !ok {
			return nil, domain.MissingRef("recipient", "recipient_id", owner)
		}
	}
	if !to.After(from) {
		return nil, domain.InvalidField("invalid_range", "to", "to (%s) must be after from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	currencies := bank.AccountCurrencies
	if currency != "" {
		currencies = []string{currency}
	}
	r := &Reconciliation{Owner: owner, Currency: currency, From: from, To: to, Balanced: true}
	byCurrency := map[string]*ReconciliationTotal{}
	for _, cur := range currencies {
		r.Totals = append(r.Totals, ReconciliationTotal{Currency: cur, StartingBalance: p.balanceAt(owner, cur, from), EndingBalance: p.balanceAt(owner, cur, to)})
	}
	for i := range r.Totals {
		byCurrency[r.Totals[i].Currency] = &r.Totals[i]
	}
	for _, b := range p.bts {
		t, ok := byCurrency[b.Currency]
		if !ok || b.Owner != owner || b.Created.Before(from) || !b.Created.Before(to) {
			continue
		}
		r.Rows = append(r.Rows, b)
		t.add(b)
	}
	for _, t := range r.Totals {
		if t.StartingBalance+t.Net != t.EndingBalance {
			r.Balanced = false
		}
	}
	return r, nil
}

func (t *ReconciliationTotal) add(b *BalanceTransaction) {
	t.Count++
	t.Gross += b.Amount
	t.Fee += b.Fee
	t.Net += b.Net
}

// balanceAt is an owner's balance (pending plus available) in a currency
// just before at, from the ledger's booked postings: independent of the
// balance transactions, so a range report checks one against the other.
func (p *Provider) balanceAt(owner, cur string, at time.Time) int64 {
	var sum int64
	pend, avail := balanceAccounts(owner, cur)
	for _, id := range []ledger.AccountID{pend, avail} {
		for _, post := range p.Ledger.Postings(id) {
			if post.Status == ledger.Booked && post.BookedAt.Before(at) {
				sum += post.Amount
			}
		}
	}
	return sum
}
