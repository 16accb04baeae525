package ledger

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// newLedger opens the accounts of the tests: two BRL customer accounts, a
// BRL clearing account, and a USD pair for multi-currency movements.
func newLedger(t *testing.T) *Ledger {
	t.Helper()
	l := New()
	for id, cur := range map[AccountID]string{
		"acc_a": "BRL", "acc_b": "BRL", "clearing:pix:BRL": "BRL",
		"acc_usd": "USD", "fx:USD": "USD", "fx:BRL": "BRL",
	} {
		if err := l.Open(id, cur); err != nil {
			t.Fatalf("Open(%s): %v", id, err)
		}
	}
	return l
}

func mustPost(t *testing.T, l *Ledger, id string, at time.Time, pending bool, legs ...Leg) *Movement {
	t.Helper()
	m, err := l.Post(id, at, pending, legs...)
	if err != nil {
		t.Fatalf("Post(%s): %v", id, err)
	}
	return m
}

func balance(t *testing.T, l *Ledger, id AccountID) Balance {
	t.Helper()
	b, ok := l.Balance(id)
	if !ok {
		t.Fatalf("no balance for %s", id)
	}
	return b
}

func mustVerify(t *testing.T, l *Ledger) {
	t.Helper()
	if err := l.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestOpen(t *testing.T) {
	l := New()
	if err := l.Open("acc_a", "BRL"); err != nil {
		t.Fatal(err)
	}
	if err := l.Open("acc_a", "BRL"); err != nil {
		t.Fatalf("reopening with the same currency must be a no-op, got %v", err)
	}
	if err := l.Open("acc_a", "EUR"); !errors.Is(err, ErrCurrency) {
		t.Fatalf("reopening in another currency: got %v, want ErrCurrency", err)
	}
	b := balance(t, l, "acc_a")
	if b != (Balance{Currency: "BRL"}) {
		t.Fatalf("a new account's balance is %+v", b)
	}
	if _, ok := l.Balance("acc_nope"); ok {
		t.Fatal("Balance of an unknown account reported ok")
	}
	if got := l.Postings("acc_nope"); got != nil {
		t.Fatalf("Postings of an unknown account: %v", got)
	}
	if got := l.Accounts(); len(got) != 1 || got[0] != "acc_a" {
		t.Fatalf("Accounts() = %v", got)
	}
}

func TestPostBookedBalancedMovesMoney(t *testing.T) {
	l := newLedger(t)
	m := mustPost(t, l, "mv1", t0, false,
		Leg{Account: "clearing:pix:BRL", Amount: -10000, Currency: "BRL"},
		Leg{Account: "acc_a", Amount: 10000, Currency: "BRL"},
	)
	if m.Status() != Booked {
		t.Fatalf("status %s, want booked", m.Status())
	}
	if len(m.Postings) != 2 {
		t.Fatalf("%d postings", len(m.Postings))
	}
	for _, p := range m.Postings {
		if p.Status != Booked || !p.BookedAt.Equal(t0) || !p.CreatedAt.Equal(t0) || p.Movement != m || p.BookingSeq == 0 {
			t.Fatalf("posting %+v", p)
		}
	}
	a := balance(t, l, "acc_a")
	if a.Booked != 10000 || a.Pending() != 0 || a.Available(0) != 10000 || a.Available(500) != 10500 {
		t.Fatalf("acc_a balance %+v", a)
	}
	if c := balance(t, l, "clearing:pix:BRL"); c.Booked != -10000 {
		t.Fatalf("clearing balance %+v", c)
	}
	if got, ok := l.Movement("mv1"); !ok || got != m {
		t.Fatal("Movement(mv1) not found")
	}
	if _, ok := l.Movement("nope"); ok {
		t.Fatal("Movement(nope) found")
	}
	mustVerify(t, l)
}

func TestPostRefusesBadMovements(t *testing.T) {
	cases := []struct {
		name string
		id   string
		legs []Leg
		want error
	}{
		{"unbalanced", "u1", []Leg{{"acc_a", 100, "BRL"}, {"acc_b", -99, "BRL"}}, ErrUnbalanced},
		{"balanced overall but not per currency", "u2", []Leg{{"acc_a", 100, "BRL"}, {"acc_usd", -100, "USD"}}, ErrUnbalanced},
		{"leg currency differs from the account", "c1", []Leg{{"acc_a", 100, "USD"}, {"fx:USD", -100, "USD"}}, ErrCurrency},
		{"unknown account", "k1", []Leg{{"acc_a", 100, "BRL"}, {"acc_zzz", -100, "BRL"}}, ErrUnknownAccount},
		{"one leg", "o1", []Leg{{"acc_a", 0, "BRL"}}, ErrTooFewLegs},
		{"no legs", "o2", nil, ErrTooFewLegs},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			_, err := l.Post(tc.id, t0, false, tc.legs...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// A refused movement leaves no trace.
			if _, ok := l.Movement(tc.id); ok {
				t.Fatal("a refused movement was recorded")
			}
			for _, id := range l.Accounts() {
				if n := len(l.Postings(id)); n != 0 {
					t.Fatalf("%s has %d postings after a refused movement", id, n)
				}
				if b := balance(t, l, id); b.Booked != 0 || b.Pending() != 0 {
					t.Fatalf("%s balance %+v after a refused movement", id, b)
				}
			}
			mustVerify(t, l)
		})
	}
}

func TestPostDuplicateID(t *testing.T) {
	l := newLedger(t)
	mustPost(t, l, "mv1", t0, false, Leg{"acc_a", 5, "BRL"}, Leg{"acc_b", -5, "BRL"})
	if _, err := l.Post("mv1", t0, false, Leg{"acc_a", 7, "BRL"}, Leg{"acc_b", -7, "BRL"}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("got %v, want ErrDuplicate", err)
	}
	if b := balance(t, l, "acc_a"); b.Booked != 5 {
		t.Fatalf("the duplicate changed the balance: %+v", b)
	}
	mustVerify(t, l)
}

func TestMultiCurrencyMovementBalancedPerCurrency(t *testing.T) {
	l := newLedger(t)
	// An FX conversion: BRL leaves acc_a, USD arrives in acc_usd.
	mustPost(t, l, "fx1", t0, false,
		Leg{"acc_a", -5000, "BRL"}, Leg{"fx:BRL", 5000, "BRL"},
		Leg{"fx:USD", -1000, "USD"}, Leg{"acc_usd", 1000, "USD"},
	)
	if b := balance(t, l, "acc_usd"); b.Booked != 1000 || b.Currency != "USD" {
		t.Fatalf("acc_usd %+v", b)
	}
	if b := balance(t, l, "acc_a"); b.Booked != -5000 {
		t.Fatalf("acc_a %+v", b)
	}
	mustVerify(t, l)
}

func TestPendingBookAndVoid(t *testing.T) {
	l := newLedger(t)
	mustPost(t, l, "fund", t0, false, Leg{"clearing:pix:BRL", -10000, "BRL"}, Leg{"acc_a", 10000, "BRL"})

	// acc_a pays acc_b 3000, pending.
	m := mustPost(t, l, "pay", t0.Add(time.Minute), true, Leg{"acc_a", -3000, "BRL"}, Leg{"acc_b", 3000, "BRL"})
	if m.Status() != Pending {
		t.Fatalf("status %s", m.Status())
	}
	a, b := balance(t, l, "acc_a"), balance(t, l, "acc_b")
	if a.Booked != 10000 || a.PendingDebit != -3000 || a.PendingCredit != 0 || a.Pending() != -3000 || a.Available(0) != 7000 {
		t.Fatalf("acc_a while pending: %+v available %d", a, a.Available(0))
	}
	// Pending credits are not available until booked.
	if b.Booked != 0 || b.PendingCredit != 3000 || b.Available(0) != 0 {
		t.Fatalf("acc_b while pending: %+v available %d", b, b.Available(0))
	}
	mustVerify(t, l)

	bookedAt := t0.Add(time.Hour)
	if err := l.Book("pay", bookedAt); err != nil {
		t.Fatal(err)
	}
	a, b = balance(t, l, "acc_a"), balance(t, l, "acc_b")
	if a.Booked != 7000 || a.Pending() != 0 || a.Available(0) != 7000 {
		t.Fatalf("acc_a after booking: %+v", a)
	}
	if b.Booked != 3000 || b.Pending() != 0 || b.Available(0) != 3000 {
		t.Fatalf("acc_b after booking: %+v", b)
	}
	for _, p := range m.Postings {
		if p.Status != Booked || !p.BookedAt.Equal(bookedAt) || !p.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("posting after booking: %+v", p)
		}
	}
	if err := l.Book("pay", bookedAt); !errors.Is(err, ErrNotPending) {
		t.Fatalf("booking twice: got %v, want ErrNotPending", err)
	}
	if err := l.Void("pay"); !errors.Is(err, ErrNotPending) {
		t.Fatalf("voiding a booked movement: got %v, want ErrNotPending", err)
	}
	mustVerify(t, l)

	// A second pending movement is voided: nothing moves.
	mustPost(t, l, "pay2", t0.Add(2*time.Hour), true, Leg{"acc_a", -2000, "BRL"}, Leg{"acc_b", 2000, "BRL"})
	if err := l.Void("pay2"); err != nil {
		t.Fatal(err)
	}
	m2, _ := l.Movement("pay2")
	if m2.Status() != Voided {
		t.Fatalf("status %s, want voided", m2.Status())
	}
	a, b = balance(t, l, "acc_a"), balance(t, l, "acc_b")
	if a.Booked != 7000 || a.PendingDebit != 0 || b.Booked != 3000 || b.PendingCredit != 0 {
		t.Fatalf("after void: a %+v b %+v", a, b)
	}
	for _, p := range m2.Postings {
		if p.BookingSeq != 0 || !p.BookedAt.IsZero() {
			t.Fatalf("a voided posting was booked: %+v", p)
		}
	}
	if err := l.Book("pay2", t0); !errors.Is(err, ErrNotPending) {
		t.Fatalf("booking a voided movement: got %v, want ErrNotPending", err)
	}
	if err := l.Void("pay2"); !errors.Is(err, ErrNotPending) {
		t.Fatalf("voiding twice: got %v", err)
	}
	if err := l.Book("nope", t0); !errors.Is(err, ErrUnknownMovement) {
		t.Fatalf("Book(unknown): got %v", err)
	}
	if err := l.Void("nope"); !errors.Is(err, ErrUnknownMovement) {
		t.Fatalf("Void(unknown): got %v", err)
	}
	// Voided postings stay on the account's list, in creation order.
	ps := l.Postings("acc_a")
	if len(ps) != 3 {
		t.Fatalf("acc_a has %d postings, want 3", len(ps))
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Seq <= ps[i-1].Seq {
			t.Fatalf("postings not in creation order: %d then %d", ps[i-1].Seq, ps[i].Seq)
		}
	}
	if ps[2].Status.String() != "voided" || ps[0].Status.String() != "booked" || Pending.String() != "pending" {
		t.Fatalf("status strings: %s %s", ps[0].Status, ps[2].Status)
	}
	mustVerify(t, l)
}

func TestRunningBalanceFollowsBookingOrder(t *testing.T) {
	l := newLedger(t)
	// Created in the order fund, slow (pending), fast; booked fund, fast, slow.
	mustPost(t, l, "fund", t0, false, Leg{"clearing:pix:BRL", -10000, "BRL"}, Leg{"acc_a", 10000, "BRL"})
	slow := mustPost(t, l, "slow", t0.Add(time.Second), true, Leg{"acc_a", -4000, "BRL"}, Leg{"acc_b", 4000, "BRL"})
	fast := mustPost(t, l, "fast", t0.Add(2*time.Second), false, Leg{"acc_a", -1000, "BRL"}, Leg{"acc_b", 1000, "BRL"})
	if err := l.Book("slow", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	leg := func(m *Movement, acc AccountID) *Posting {
		for _, p := range m.Postings {
			if p.Account == acc {
				return p
			}
		}
		t.Fatalf("no %s leg", acc)
		return nil
	}
	if got := leg(fast, "acc_a").RunningBalance; got != 9000 {
		t.Fatalf("fast running balance %d, want 9000", got)
	}
	if got := leg(slow, "acc_a").RunningBalance; got != 5000 {
		t.Fatalf("slow running balance %d, want 5000 (booked after fast)", got)
	}
	if got := leg(slow, "acc_b").RunningBalance; got != 5000 {
		t.Fatalf("acc_b running balance after slow %d, want 5000", got)
	}
	if leg(slow, "acc_a").BookingSeq <= leg(fast, "acc_a").BookingSeq {
		t.Fatal("booking sequence does not follow booking order")
	}
	if b := balance(t, l, "acc_a"); b.Booked != 5000 {
		t.Fatalf("acc_a %+v", b)
	}
	mustVerify(t, l)
}

func TestVerifyCatchesCorruption(t *testing.T) {
	setup := func(t *testing.T) *Ledger {
		l := newLedger(t)
		mustPost(t, l, "fund", t0, false, Leg{"clearing:pix:BRL", -10000, "BRL"}, Leg{"acc_a", 10000, "BRL"})
		mustPost(t, l, "pay", t0, false, Leg{"acc_a", -2500, "BRL"}, Leg{"acc_b", 2500, "BRL"})
		mustPost(t, l, "hold", t0, true, Leg{"acc_a", -1000, "BRL"}, Leg{"acc_b", 1000, "BRL"})
		mustVerify(t, l)
		return l
	}
	cases := []struct {
		name    string
		corrupt func(l *Ledger)
		want    string
	}{
		{"booked balance drifts", func(l *Ledger) { l.accounts["acc_b"].balance.Booked += 1 }, "acc_b"},
		{"pending debit drifts", func(l *Ledger) { l.accounts["acc_a"].balance.PendingDebit = 0 }, "acc_a"},
		{"pending credit drifts", func(l *Ledger) { l.accounts["acc_b"].balance.PendingCredit++ }, "acc_b"},
		{"a leg's amount changes", func(l *Ledger) { l.movements["pay"].Postings[1].Amount = 2400 }, "pay"},
		{"mixed statuses in a movement", func(l *Ledger) { l.movements["hold"].Postings[1].Status = Booked }, "hold"},
		{"running balance is wrong", func(l *Ledger) { l.movements["pay"].Postings[0].RunningBalance = 1 }, "running balance"},
		{"booking order is scrambled", func(l *Ledger) {
			a := l.movements["fund"].Postings[1]
			b := l.movements["pay"].Postings[0]
			a.BookingSeq, b.BookingSeq = b.BookingSeq, a.BookingSeq
		}, "running balance"},
		{"a posting vanishes from its account", func(l *Ledger) {
			acc := l.accounts["acc_b"]
			acc.postings = acc.postings[:len(acc.postings)-1]
		}, "acc_b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := setup(t)
			tc.corrupt(l)
			err := l.Verify()
			if err == nil {
				t.Fatal("Verify did not notice the corruption")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Verify: %v (want it to mention %q)", err, tc.want)
			}
		})
	}
}

// TestManyMovementsStayConsistent posts a deterministic mix of booked,
// pending, booked-later and voided movements and verifies after each step.
func TestManyMovementsStayConsistent(t *testing.T) {
	l := newLedger(t)
	mustPost(t, l, "fund", t0, false, Leg{"clearing:pix:BRL", -1_000_000, "BRL"}, Leg{"acc_a", 1_000_000, "BRL"})
	var pending []string
	var wantA, wantB int64 = 1_000_000, 0
	for i := range 200 {
		id := "m" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		amount := int64(i*37%500 + 1)
		from, to := AccountID("acc_a"), AccountID("acc_b")
		if i%5 == 0 {
			from, to = to, from
		}
		at := t0.Add(time.Duration(i) * time.Second)
		switch i % 3 {
		case 0:
			mustPost(t, l, id, at, false, Leg{from, -amount, "BRL"}, Leg{to, amount, "BRL"})
			if from == "acc_a" {
				wantA, wantB = wantA-amount, wantB+amount
			} else {
				wantA, wantB = wantA+amount, wantB-amount
			}
		default:
			mustPost(t, l, id, at, true, Leg{from, -amount, "BRL"}, Leg{to, amount, "BRL"})
			pending = append(pending, id)
		}
		if i%7 == 0 && len(pending) > 0 {
			id := pending[0]
			pending = pending[1:]
			m, _ := l.Movement(id)
			if i%2 == 0 {
				if err := l.Void(id); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := l.Book(id, at); err != nil {
					t.Fatal(err)
				}
				for _, p := range m.Postings {
					switch p.Account {
					case "acc_a":
						wantA += p.Amount
					case "acc_b":
						wantB += p.Amount
					}
				}
			}
		}
		mustVerify(t, l)
	}
	if a := balance(t, l, "acc_a"); a.Booked != wantA {
		t.Fatalf("acc_a booked %d, want %d", a.Booked, wantA)
	}
	if b := balance(t, l, "acc_b"); b.Booked != wantB {
		t.Fatalf("acc_b booked %d, want %d", b.Booked, wantB)
	}
}
