package bank

import (
	"fmt"
	"slices"
	"time"

	"github.com/sandbank/sandbank/simulator/ledger"
)

// SeedData is a tenant's generated starting state: customers, their
// accounts and the history of those accounts.
type SeedData struct {
	Customers []*Customer
	Accounts  []*Account
	// History is booked in order, so it must be sorted by At.
	History []HistoryEntry
}

// HistoryEntry is one past movement on an account: Amount (signed) moves
// between the account and a system account such as "clearing:pix",
// "card", "fees", "equity" or "interest".
type HistoryEntry struct {
	AccountID string
	At        time.Time
	Amount    int64
	Counter   string
	Details   Details
}

func (b *Bank) load(seed *SeedData) error {
	// Lists are newest first by sequence number, so seeded resources take
	// their numbers in the order they were created.
	customers := slices.Clone(seed.Customers)
	slices.SortStableFunc(customers, func(x, y *Customer) int { return x.CreatedAt.Compare(y.CreatedAt) })
	accounts := slices.Clone(seed.Accounts)
	slices.SortStableFunc(accounts, func(x, y *Account) int { return x.CreatedAt.Compare(y.CreatedAt) })
	for _, c := range customers {
		c.Seq = b.nextSeq()
		b.addCustomer(c)
	}
	for _, a := range accounts {
		if _, ok := b.customerByID[a.CustomerID]; !ok {
			return fmt.Errorf("bank: seed account %s has no customer %s", a.ID, a.CustomerID)
		}
		a.Seq = b.nextSeq()
		if err := b.addAccount(a); err != nil {
			return err
		}
	}
	var last time.Time
	for i, h := range seed.History {
		if h.At.Before(last) {
			return fmt.Errorf("bank: seed history is not sorted at entry %d", i)
		}
		last = h.At
		a, ok := b.accountByID[h.AccountID]
		if !ok {
			return fmt.Errorf("bank: seed history names unknown account %s", h.AccountID)
		}
		legs := []ledger.Leg{
			{Account: ledger.AccountID(a.ID), Amount: h.Amount, Currency: a.Currency},
			{Account: b.systemAccount(h.Counter, a.Currency), Amount: -h.Amount, Currency: a.Currency},
		}
		details := h.Details
		if details.Source == nil {
			details.Source = &SourceRef{Type: "seed", ID: "history"}
		}
		if _, err := b.post(fmt.Sprintf("seed_%d", i), h.At, false, legs, func(string) Details { return details }); err != nil {
			return err
		}
	}
	return nil
}
