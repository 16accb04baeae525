package payments

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
)

var start = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

type recorded struct {
	typ string
	id  string
}

// newProvider returns a provider on an empty bank, recording its events.
func newProvider(t *testing.T) (*Provider, *[]recorded) {
	t.Helper()
	clk := clock.New(start, clock.Frozen, nil)
	fake := gofakeit.New(7)
	b, err := bank.New(clk, fake, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := New(clk, b.Ledger, b, fake, 7)
	var evs []recorded
	p.Emit = func(typ string, r any) {
		id := ""
		switch x := r.(type) {
		case *Payment:
			id = x.ID
		case *Refund:
			id = x.ID
		case *PaymentMethod:
			id = x.ID
		case *Recipient:
			id = x.ID
		}
		evs = append(evs, recorded{typ, id})
	}
	return p, &evs
}

func card(number string) *PaymentMethodInput {
	return &PaymentMethodInput{Card: CardInput{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: "123"}}
}

func pay(t *testing.T, p *Provider, in PaymentInput) (*Payment, error) {
	t.Helper()
	if in.Currency == "" {
		in.Currency = "BRL"
	}
	if in.Amount == 0 {
		in.Amount = 10000
	}
	return p.CreatePayment(in)
}

func advance(t *testing.T, p *Provider, d time.Duration) {
	t.Helper()
	if _, err := p.Clock.AdvanceTo(p.Clock.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

func declineOf(t *testing.T, err error) (string, string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.Declined {
		t.Fatalf("want a decline, got %v", err)
	}
	return de.Code, de.Extra["decline_code"].(string)
}

func TestMagicCards(t *testing.T) {
	for _, tc := range []struct {
		number, status, code, decline string
	}{
		{"4242424242424242", Succeeded, "", ""},
		{"5555555555554444", Succeeded, "", ""},
		{"4000000000000002", RequiresPaymentMethod, "card_declined", "generic_decline"},
		{"4000000000009995", RequiresPaymentMethod, "card_declined", "insufficient_funds"},
		{"4000000000009987", RequiresPaymentMethod, "card_declined", "lost_card"},
		{"4000000000009979", RequiresPaymentMethod, "card_declined", "stolen_card"},
		{"4000000000000069", RequiresPaymentMethod, "expired_card", "expired_card"},
		{"4000000000000127", RequiresPaymentMethod, "incorrect_cvc", "incorrect_cvc"},
		{"4000000000000119", RequiresPaymentMethod, "processing_error", "processing_error"},
		{"4100000000000019", RequiresPaymentMethod, "card_declined", "fraudulent"},
		{"4000002760003184", RequiresAction, "", ""},
		{"4000000000009235", RequiresCapture, "", ""},
		{"4000000000007726", Processing, "", ""},
	} {
		t.Run(tc.number, func(t *testing.T) {
			p, _ := newProvider(t)
			got, err := pay(t, p, PaymentInput{Card: card(tc.number), Confirm: true})
			if tc.code != "" {
				code, decline := declineOf(t, err)
				if code != tc.code || decline != tc.decline {
					t.Fatalf("declined %s/%s, want %s/%s", code, decline, tc.code, tc.decline)
				}
				if got.LastError == nil || got.LastError.DeclineCode != tc.decline {
					t.Fatalf("last error %+v", got.LastError)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.status {
				t.Fatalf("status %s, want %s", got.Status, tc.status)
			}
			if err := p.Ledger.Verify(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("Luhn failure at tokenization", func(t *testing.T) {
		p, _ := newProvider(t)
		_, err := p.CreatePaymentMethod(*card("4242424242424241"), "/card")
		if code, _ := declineOf(t, err); code != "incorrect_number" {
			t.Fatalf("code %s", code)
		}
	})
	t.Run("holder names", func(t *testing.T) {
		for name, decline := range map[string]string{"NOT_ENOUGH_BALANCE": "insufficient_funds", "CARD_EXPIRED": "expired_card", "BLOCK_CARD": "pickup_card", "ISSUER_UNAVAILABLE": "issuer_not_available"} {
			p, _ := newProvider(t)
			in := card("4242424242424242")
			in.Card.HolderName = name
			if _, d := declineOf(t, func() error { _, err := pay(t, p, PaymentInput{Card: in, Confirm: true}); return err }()); d != decline {
				t.Errorf("%s: %s, want %s", name, d, decline)
			}
		}
	})
}

func TestThreeDSecure(t *testing.T) {
	p, _ := newProvider(t)
	got, err := pay(t, p, PaymentInput{Card: card("4000002760003184"), Confirm: true})
	if err != nil || got.NextAction == nil || got.NextAction.RedirectURL == "" {
		t.Fatalf("%v %+v", err, got)
	}
	got, err = p.CompleteThreeDS(got.ID, true)
	if err != nil || got.Status != Succeeded {
		t.Fatalf("after 3DS: %v %s", err, got.Status)
	}
	failed, _ := pay(t, p, PaymentInput{Card: card("4000002760003184"), Confirm: true})
	if _, err := p.CompleteThreeDS(failed.ID, false); err == nil || failed.Status != RequiresPaymentMethod {
		t.Fatalf("failed 3DS: %v %s", err, failed.Status)
	}
	if _, err := p.CompleteThreeDS(failed.ID, true); err == nil {
		t.Fatal("3DS applies only in requires_action")
	}
}

func TestRiskTimeoutPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy       string
		amount       int64
		status, code string
	}{
		{RiskAllow, 40000, Succeeded, ""},
		{RiskAllow, 60000, RequiresPaymentMethod, "try_again_later"},
		{RiskReview, 60000, RequiresCapture, ""},
		{RiskDecline, 1000, RequiresPaymentMethod, "try_again_later"},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.policy, tc.amount), func(t *testing.T) {
			p, evs := newProvider(t)
			p.Settings.Risk.OnTimeout = tc.policy
			got, err := pay(t, p, PaymentInput{Card: card("4000000000007718"), Confirm: true, Amount: tc.amount})
			if tc.code != "" {
				if _, d := declineOf(t, err); d != tc.code {
					t.Fatalf("decline %s", d)
				}
			}
			if got.Status != tc.status || !got.Risk.FallbackApplied || got.Risk.Policy != tc.policy || got.Risk.Outcome == "authorized" {
				t.Fatalf("%s %+v", got.Status, got.Risk)
			}
			n := 0
			for _, e := range *evs {
				if e.typ == "payment.risk_fallback_applied" && e.id == got.ID {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d risk_fallback_applied events", n)
			}
		})
	}
}

func TestCaptureCancelAndExpiry(t *testing.T) {
	p, _ := newProvider(t)
	got, err := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, CaptureMethod: "manual", Amount: 20000})
	if err != nil || got.Status != RequiresCapture || got.AmountCapturable != 20000 {
		t.Fatalf("%v %+v", err, got)
	}
	if _, err := p.Capture(got.ID, 25000); err == nil {
		t.Fatal("capturing more than authorized")
	}
	if _, err := p.Capture(got.ID, 15000); err != nil || got.Status != Succeeded || got.AmountReceived != 15000 || got.Fee != CardFee(15000, "BRL") {
		t.Fatalf("partial capture: %v %+v", err, got)
	}
	if _, err := p.Cancel(got.ID, ""); err == nil {
		t.Fatal("a captured payment cannot be canceled")
	}
	held, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, CaptureMethod: "manual"})
	advance(t, p, AuthorizationValidity)
	if held.Status != Canceled || held.CancellationReason != "automatic" {
		t.Fatalf("an uncaptured authorization expires: %s %s", held.Status, held.CancellationReason)
	}
}

func TestBalanceBecomesAvailable(t *testing.T) {
	p, _ := newProvider(t)
	got, err := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, Amount: 10000})
	if err != nil {
		t.Fatal(err)
	}
	net := 10000 - CardFee(10000, "BRL")
	b := p.Balances("")[0]
	if b.Pending != net || b.Available != 0 {
		t.Fatalf("after capture %+v", b)
	}
	advance(t, p, AvailableAfter)
	b = p.Balances("")[0]
	if b.Pending != 0 || b.Available != net {
		t.Fatalf("after %v %+v", AvailableAfter, b)
	}
	instant, _ := pay(t, p, PaymentInput{Card: card("4000000000000077"), Confirm: true, Amount: 10000})
	if b2 := p.Balances("")[0]; b2.Available != 2*net {
		t.Fatalf("instant funds: %+v (%s)", b2, instant.ID)
	}
	_ = got
}

func TestRefunds(t *testing.T) {
	p, evs := newProvider(t)
	got, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, Amount: 10000})
	r1, err := p.CreateRefund(RefundInput{PaymentID: got.ID, Amount: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateRefund(RefundInput{PaymentID: got.ID, Amount: 7001}); err == nil {
		t.Fatal("refunds may not exceed what was captured")
	}
	r2, err := p.CreateRefund(RefundInput{PaymentID: got.ID})
	if err != nil || r2.Amount != 7000 || got.AmountRefunded != 10000 {
		t.Fatalf("the rest: %v %+v", err, r2)
	}
	if _, err := p.CreateRefund(RefundInput{PaymentID: got.ID}); err == nil {
		t.Fatal("nothing left to refund")
	}
	advance(t, p, RefundSettleAfter)
	if r1.Status != RefundSucceeded || r2.Status != RefundSucceeded {
		t.Fatalf("%s %s", r1.Status, r2.Status)
	}
	// The magic card's refunds fail, and the money comes back.
	bad, _ := pay(t, p, PaymentInput{Card: card("4000000000007734"), Confirm: true, Amount: 5000})
	before := p.Balances("")[0].Available
	r3, _ := p.CreateRefund(RefundInput{PaymentID: bad.ID, Amount: 2000})
	if p.Balances("")[0].Available != before-2000 {
		t.Fatal("a refund leaves the available balance at once")
	}
	advance(t, p, RefundSettleAfter)
	if r3.Status != RefundFailed || bad.AmountRefunded != 0 || p.Balances("")[0].Available != before {
		t.Fatalf("failed refund: %s, refunded %d", r3.Status, bad.AmountRefunded)
	}
	if err := p.Ledger.Verify(); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range *evs {
		count[e.typ]++
	}
	if count["refund.created"] != 3 || count["refund.succeeded"] != 2 || count["refund.failed"] != 1 {
		t.Fatalf("events %v", count)
	}
}

func TestSplits(t *testing.T) {
	p, _ := newProvider(t)
	acct := PayoutAccount{BankCode: "341", Branch: "1", AccountNumber: "123"}
	a, _ := p.CreateRecipient(RecipientInput{Name: "A", PayoutAccount: acct})
	b, _ := p.CreateRecipient(RecipientInput{Name: "B", PayoutAccount: acct})
	c, _ := p.CreateRecipient(RecipientInput{Name: "C", PayoutAccount: acct})
	rules := []SplitRule{{RecipientID: a.ID, Percentage: 3333}, {RecipientID: b.ID, Percentage: 3333}, {RecipientID: c.ID, Percentage: 3334, Remainder: true}}
	got, err := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, Amount: 10001, Split: rules})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, o := range got.Split {
		sum += o.Amount
	}
	if net := got.AmountReceived - got.Fee; sum != net {
		t.Fatalf("split outputs sum to %d, net is %d", sum, net)
	}
	if !got.Split[2].Liable {
		t.Fatal("the remainder taker is liable by default")
	}
	// Bad rules.
	for name, rules := range map[string][]SplitRule{
		"not 100%":        {{RecipientID: a.ID, Percentage: 5000}, {RecipientID: b.ID, Percentage: 4000, Remainder: true}},
		"two remainders":  {{RecipientID: a.ID, Percentage: 5000, Remainder: true}, {RecipientID: b.ID, Percentage: 5000, Remainder: true}},
		"no remainder":    {{RecipientID: a.ID, Percentage: 5000}, {RecipientID: b.ID, Percentage: 5000}},
		"mixed":           {{RecipientID: a.ID, Amount: 5000}, {RecipientID: b.ID, Percentage: 5000, Remainder: true}},
		"flat not amount": {{RecipientID: a.ID, Amount: 5000}, {RecipientID: b.ID, Amount: 4000, Remainder: true}},
		"unknown":         {{RecipientID: "rcp_nope", Percentage: 10000}},
		"duplicate":       {{RecipientID: a.ID, Percentage: 5000}, {RecipientID: a.ID, Percentage: 5000, Remainder: true}},
	} {
		if _, err := pay(t, p, PaymentInput{Card: card("4242424242424242"), Amount: 10000, Split: rules}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A refund takes back pro rata.
	r, err := p.CreateRefund(RefundInput{PaymentID: got.ID, Amount: 5000})
	if err != nil || len(r.Reversals) != 3 {
		t.Fatalf("%v %+v", err, r)
	}
	if err := p.Ledger.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestProviderInvariants runs random payments, captures, cancellations,
// refunds and clock advances, and checks the invariants after each step:
// the ledger balances, refunds never exceed captures, split outputs equal
// the net, and each status change is exactly one event.
func TestProviderInvariants(t *testing.T) {
	for seed := range uint64(5) {
		p, evs := newProvider(t)
		rng := rand.New(rand.NewPCG(seed, 1))
		acct := PayoutAccount{IBAN: "DE89370400440532013000"}
		var rcpts []string
		for i := range 3 {
			r, _ := p.CreateRecipient(RecipientInput{Name: fmt.Sprint("R", i), PayoutAccount: acct})
			rcpts = append(rcpts, r.ID)
		}
		cards := []string{"4242424242424242", "4000000000000002", "4000000000009235", "4000000000007734", "4000000000000077", "4000000000007718", "4000002760003184", "4000000000007726"}
		for range 300 {
			var all []*Payment
			all = append(all, p.payments...)
			switch rng.IntN(6) {
			case 0, 1:
				in := PaymentInput{Card: card(cards[rng.IntN(len(cards))]), Confirm: true, Amount: int64(100 + rng.IntN(100000)),
					Currency: []string{"BRL", "EUR", "GBP", "USD"}[rng.IntN(4)]}
				if rng.IntN(2) == 0 {
					in.CaptureMethod = "manual"
				}
				if rng.IntN(3) == 0 {
					in.Split = []SplitRule{{RecipientID: rcpts[0], Percentage: 2500}, {RecipientID: rcpts[1], Percentage: 7500, Remainder: true}}
				}
				_, _ = pay(t, p, in)
			case 2:
				if len(all) > 0 {
					x := all[rng.IntN(len(all))]
					_, _ = p.Capture(x.ID, int64(rng.IntN(int(x.Amount)+1)))
				}
			case 3:
				if len(all) > 0 {
					_, _ = p.CreateRefund(RefundInput{PaymentID: all[rng.IntN(len(all))].ID, Amount: int64(rng.IntN(50000))})
				}
			case 4:
				if len(all) > 0 {
					x := all[rng.IntN(len(all))]
					if x.Status == RequiresAction {
						_, _ = p.CompleteThreeDS(x.ID, rng.IntN(2) == 0)
					} else {
						_, _ = p.Cancel(x.ID, "")
					}
				}
			case 5:
				advance(t, p, time.Duration(rng.IntN(3*24*3600))*time.Second)
			}
			if err := p.Ledger.Verify(); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		statusEvents := map[string]int{}
		for _, e := range *evs {
			if e.typ != "payment.risk_fallback_applied" && len(e.typ) > 8 && e.typ[:8] == "payment." {
				statusEvents[e.id]++
			}
		}
		for _, x := range p.payments {
			var refunded int64
			for _, r := range p.refunds {
				if r.PaymentID == x.ID && r.Status != RefundFailed {
					refunded += r.Amount
				}
			}
			if refunded > x.AmountReceived || refunded != x.AmountRefunded {
				t.Fatalf("payment %s: refunded %d (counted %d) of %d captured", x.ID, refunded, x.AmountRefunded, x.AmountReceived)
			}
			if len(x.Split) > 0 {
				var sum int64
				for _, o := range x.Split {
					sum += o.Amount
				}
				if sum != x.AmountReceived-x.Fee {
					t.Fatalf("payment %s: split %d, net %d", x.ID, sum, x.AmountReceived-x.Fee)
				}
			}
			if statusEvents[x.ID] != len(x.StatusHistory) {
				t.Fatalf("payment %s: %d status events for %d changes %v", x.ID, statusEvents[x.ID], len(x.StatusHistory), x.StatusHistory)
			}
		}
	}
}
