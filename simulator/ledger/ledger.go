// Package ledger is a double-entry ledger: every movement of money is a set
// of postings that sums to zero per currency, and every balance is derived
// from postings. Postings are pending (reserved), booked or voided; a
// pending movement is booked or voided as a whole. The ledger is not safe
// for concurrent use: its owner (one tenant's bank) serialises access.
package ledger

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Status is the state of a posting.
type Status int

const (
	Pending Status = iota
	Booked
	Voided
)

func (s Status) String() string {
	switch s {
	case Pending:
		return "pending"
	case Booked:
		return "booked"
	default:
		return "voided"
	}
}

// AccountID names a ledger account: a customer account's id or a system
// account such as "clearing:pix:BRL".
type AccountID string

// Leg is one side of a movement being posted.
type Leg struct {
	Account  AccountID
	Amount   int64 // signed: positive credits the account, negative debits it
	Currency string
}

// Posting is one leg once posted.
type Posting struct {
	Seq        uint64 // creation order across the ledger
	Account    AccountID
	Amount     int64
	Currency   string
	Status     Status
	Movement   *Movement
	CreatedAt  time.Time
	BookedAt   time.Time // zero until booked
	BookingSeq uint64    // order of booking across the ledger; 0 until booked
	// RunningBalance is the account's booked balance right after this
	// posting was booked; meaningful only once booked.
	RunningBalance int64
}

// Movement is a balanced set of postings, posted, booked and voided together.
type Movement struct {
	ID       string
	Postings []*Posting
}

// Status is the status shared by the movement's postings.
func (m *Movement) Status() Status { return m.Postings[0].Status }

// Balance is what the ledger knows of one account, kept in step with its
// postings (Verify recomputes it from them).
type Balance struct {
	Currency      string
	Booked        int64
	PendingCredit int64 // sum of pending positive postings
	PendingDebit  int64 // sum of pending negative postings (≤ 0)
}

// Pending is the signed sum of pending postings.
func (b Balance) Pending() int64 { return b.PendingCredit + b.PendingDebit }

// Available is what can be spent: booked money less pending debits, plus a
// credit line. Pending credits are not available until booked.
func (b Balance) Available(creditLine int64) int64 { return b.Booked + b.PendingDebit + creditLine }

type account struct {
	currency string
	balance  Balance
	postings []*Posting
}

// Ledger holds accounts, movements and postings.
type Ledger struct {
	accounts   map[AccountID]*account
	movements  map[string]*Movement
	seq        uint64
	bookingSeq uint64
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{accounts: map[AccountID]*account{}, movements: map[string]*Movement{}}
}

// Errors returned by the ledger.
var (
	ErrUnbalanced      = errors.New("ledger: legs do not sum to zero per currency")
	ErrUnknownAccount  = errors.New("ledger: unknown account")
	ErrCurrency        = errors.New("ledger: currency does not match the account")
	ErrDuplicate       = errors.New("ledger: duplicate movement id")
	ErrNotPending      = errors.New("ledger: movement is not pending")
	ErrUnknownMovement = errors.New("ledger: unknown movement")
	ErrTooFewLegs      = errors.New("ledger: a movement needs at least two legs")
)

// Open creates an account in one currency; opening an existing account with
// the same currency is a no-op.
func (l *Ledger) Open(id AccountID, currency string) error {
	if a, ok := l.accounts[id]; ok {
		if a.currency != currency {
			return fmt.Errorf("%w: %s is %s, not %s", ErrCurrency, id, a.currency, currency)
		}
		return nil
	}
	l.accounts[id] = &account{currency: currency, balance: Balance{Currency: currency}}
	return nil
}

// Post records a movement. Pending movements reserve money until they are
// booked or voided; booked ones move it at once.
func (l *Ledger) Post(id string, at time.Time, pending bool, legs ...Leg) (*Movement, error) {
	if len(legs) < 2 {
		return nil, ErrTooFewLegs
	}
	if _, dup := l.movements[id]; dup {
		return nil, fmt.Errorf("%w: %s", ErrDuplicate, id)
	}
	sums := map[string]int64{}
	for _, leg := range legs {
		a, ok := l.accounts[leg.Account]
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnknownAccount, leg.Account)
		}
		if a.currency != leg.Currency {
			return nil, fmt.Errorf("%w: %s is %s, leg is %s", ErrCurrency, leg.Account, a.currency, leg.Currency)
		}
		sums[leg.Currency] += leg.Amount
	}
	for cur, sum := range sums {
		if sum != 0 {
			return nil, fmt.Errorf("%w: %s sums to %d", ErrUnbalanced, cur, sum)
		}
	}
	m := &Movement{ID: id}
	for _, leg := range legs {
		l.seq++
		p := &Posting{Seq: l.seq, Account: leg.Account, Amount: leg.Amount, Currency: leg.Currency, Status: Pending, Movement: m, CreatedAt: at}
		m.Postings = append(m.Postings, p)
		a := l.accounts[leg.Account]
		a.postings = append(a.postings, p)
		if pending {
			if p.Amount >= 0 {
				a.balance.PendingCredit += p.Amount
			} else {
				a.balance.PendingDebit += p.Amount
			}
		}
	}
	l.movements[id] = m
	if !pending {
		for _, p := range m.Postings {
			l.book(p, at, false)
		}
	}
	return m, nil
}

// Book settles a pending movement.
func (l *Ledger) Book(id string, at time.Time) error {
	m, err := l.pending(id)
	if err != nil {
		return err
	}
	for _, p := range m.Postings {
		l.book(p, at, true)
	}
	return nil
}

// Void releases a pending movement: its postings no longer count anywhere.
func (l *Ledger) Void(id string) error {
	m, err := l.pending(id)
	if err != nil {
		return err
	}
	for _, p := range m.Postings {
		a := l.accounts[p.Account]
		l.unreserve(a, p)
		p.Status = Voided
	}
	return nil
}

func (l *Ledger) pending(id string) (*Movement, error) {
	m, ok := l.movements[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownMovement, id)
	}
	if m.Status() != Pending {
		return nil, fmt.Errorf("%w: %s is %s", ErrNotPending, id, m.Status())
	}
	return m, nil
}

func (l *Ledger) unreserve(a *account, p *Posting) {
	if p.Amount >= 0 {
		a.balance.PendingCredit -= p.Amount
	} else {
		a.balance.PendingDebit -= p.Amount
	}
}

func (l *Ledger) book(p *Posting, at time.Time, wasReserved bool) {
	a := l.accounts[p.Account]
	if wasReserved {
		l.unreserve(a, p)
	}
	l.bookingSeq++
	a.balance.Booked += p.Amount
	p.Status = Booked
	p.BookedAt = at
	p.BookingSeq = l.bookingSeq
	p.RunningBalance = a.balance.Booked
}

// Balance returns an account's balances.
func (l *Ledger) Balance(id AccountID) (Balance, bool) {
	a, ok := l.accounts[id]
	if !ok {
		return Balance{}, false
	}
	return a.balance, true
}

// Postings returns an account's postings in creation order. The slice is
// the ledger's own: callers must not modify it.
func (l *Ledger) Postings(id AccountID) []*Posting {
	if a, ok := l.accounts[id]; ok {
		return a.postings
	}
	return nil
}

// Movement looks a movement up.
func (l *Ledger) Movement(id string) (*Movement, bool) {
	m, ok := l.movements[id]
	return m, ok
}

// Accounts lists every account id, sorted.
func (l *Ledger) Accounts() []AccountID {
	ids := make([]AccountID, 0, len(l.accounts))
	for id := range l.accounts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Verify recomputes every balance from postings and checks the ledger's
// invariants: each movement sums to zero per currency and has one status;
// each account's booked and pending balances equal the sums of its
// postings; each booked posting's running balance continues the previous
// one in booking order. It is the property the tests hold the ledger to.
func (l *Ledger) Verify() error {
	for id, m := range l.movements {
		sums := map[string]int64{}
		for _, p := range m.Postings {
			if p.Status != m.Postings[0].Status {
				return fmt.Errorf("movement %s has mixed statuses", id)
			}
			sums[p.Currency] += p.Amount
		}
		for cur, s := range sums {
			if s != 0 {
				return fmt.Errorf("movement %s: %s legs sum to %d", id, cur, s)
			}
		}
	}
	for id, a := range l.accounts {
		var want Balance
		want.Currency = a.currency
		var booked []*Posting
		for _, p := range a.postings {
			switch p.Status {
			case Booked:
				want.Booked += p.Amount
				booked = append(booked, p)
			case Pending:
				if p.Amount >= 0 {
					want.PendingCredit += p.Amount
				} else {
					want.PendingDebit += p.Amount
				}
			}
		}
		if want != a.balance {
			return fmt.Errorf("account %s: balance %+v, postings sum to %+v", id, a.balance, want)
		}
		sort.Slice(booked, func(i, j int) bool { return booked[i].BookingSeq < booked[j].BookingSeq })
		var running int64
		for _, p := range booked {
			running += p.Amount
			if p.RunningBalance != running {
				return fmt.Errorf("account %s: posting %d running balance %d, want %d", id, p.Seq, p.RunningBalance, running)
			}
		}
	}
	return nil
}
