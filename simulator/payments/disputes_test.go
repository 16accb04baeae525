package payments

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
)

// event is an emitted event with the status its resource had then.
type event struct{ typ, id, status string }

// newRecordingProvider is newProvider recording disputes' and payouts'
// events too, with the status each resource had when it was emitted.
func newRecordingProvider(t *testing.T, seed uint64) (*Provider, *[]event) {
	t.Helper()
	clk := clock.New(start, clock.Frozen, nil)
	fake := gofakeit.New(seed)
	b, err := bank.New(clk, fake, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := New(clk, b.Ledger, b, fake, seed)
	var evs []event
	p.Emit = func(typ string, r any) {
		e := event{typ: typ}
		switch x := r.(type) {
		case *Payment:
			e.id, e.status = x.ID, x.Status
		case *Refund:
			e.id, e.status = x.ID, x.Status
		case *Dispute:
			e.id, e.status = x.ID, x.Status
		case *Payout:
			e.id, e.status = x.ID, x.Status
		}
		evs = append(evs, e)
	}
	return p, &evs
}

// checkBooks holds the provider to its invariants: the ledger balances per
// currency (every account summed), and Verify's.
func checkBooks(t *testing.T, p *Provider) {
	t.Helper()
	if err := p.Verify(); err != nil {
		t.Fatal(err)
	}
	sums := map[string]int64{}
	for _, id := range p.Ledger.Accounts() {
		b, _ := p.Ledger.Balance(id)
		sums[b.Currency] += b.Booked + b.Pending()
	}
	for cur, s := range sums {
		if s != 0 {
			t.Fatalf("the ledger's %s accounts sum to %d", cur, s)
		}
	}
}

func eventsOf(evs []event, id string) []string {
	var out []string
	for _, e := range evs {
		if e.id == id {
			out = append(out, e.typ)
		}
	}
	return out
}

func platform(p *Provider, cur string) Balance {
	for _, b := range p.Balances("") {
		if b.Currency == cur {
			return b
		}
	}
	return Balance{}
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a domain error, got %v", err)
	}
	return de.Field
}

func codeOf(t *testing.T, err error) string {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a domain error, got %v", err)
	}
	return de.Code
}

func TestMagicCardDisputeOpensADayAfterCapture(t *testing.T) {
	p, evs := newRecordingProvider(t, 1)
	got, err := pay(t, p, PaymentInput{Card: card("4000000000000259"), Confirm: true, Amount: 10000})
	if err != nil || got.Status != Succeeded {
		t.Fatalf("%v %s", err, got.Status)
	}
	advance(t, p, 24*time.Hour-time.Second)
	if got.DisputeID != "" {
		t.Fatal("the dispute opened early")
	}
	advance(t, p, time.Second)
	d, err := p.Dispute(got.DisputeID)
	if err != nil {
		t.Fatal(err)
	}
	fee := DisputeFee["BRL"]
	if d.Status != DisputeNeedsResponse || d.Reason != "fraudulent" || d.Amount != 10000 || d.Fee != fee ||
		!d.EvidenceDueBy.Equal(d.Created.Add(EvidenceWindow)) || d.LiableRecipientID != "" {
		t.Fatalf("%+v", d)
	}
	// The charge is still pending; the dispute takes from the available balance.
	if b := platform(p, "BRL"); b.Available != -(10000+fee) || b.Pending != 10000-CardFee(10000, "BRL") {
		t.Fatalf("balance after the dispute %+v", b)
	}
	bt, _ := p.BalanceTransaction(d.BalanceTransactions[0])
	if bt.Type != "adjustment" || bt.Amount != -10000 || bt.Fee != fee || bt.Net != -(10000+fee) || bt.Category != "dispute" || bt.Source != d.ID {
		t.Fatalf("%+v", bt)
	}
	if evs := eventsOf(*evs, d.ID); strings.Join(evs, ",") != "dispute.created,dispute.funds_withdrawn" {
		t.Fatalf("events %v", evs)
	}
	// One dispute per payment; and a disputed payment is not refundable.
	if _, err := p.OpenDispute(got.ID, ""); codeOf(t, err) != "payment_already_disputed" {
		t.Fatalf("%v", err)
	}
	if _, err := p.CreateRefund(RefundInput{PaymentID: got.ID, Amount: 100}); codeOf(t, err) != "charge_disputed" {
		t.Fatalf("%v", err)
	}
	checkBooks(t, p)
}

func TestDisputeAmountIsWhatRemainsCaptured(t *testing.T) {
	p, _ := newRecordingProvider(t, 2)
	got, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, CaptureMethod: "manual", Amount: 20000})
	if _, err := p.OpenDispute(got.ID, ""); codeOf(t, err) != "payment_not_disputable" {
		t.Fatalf("an uncaptured payment: %v", err)
	}
	if _, err := p.Capture(got.ID, 15000); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateRefund(RefundInput{PaymentID: got.ID, Amount: 4000}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.OpenDispute(got.ID, "no_such_reason"); fieldOf(t, err) != "/reason" {
		t.Fatalf("%v", err)
	}
	d, err := p.OpenDispute(got.ID, "product_not_received")
	if err != nil || d.Amount != 11000 || d.Reason != "product_not_received" {
		t.Fatalf("%v %+v", err, d)
	}
	full, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true, Amount: 5000})
	_, _ = p.CreateRefund(RefundInput{PaymentID: full.ID})
	if _, err := p.OpenDispute(full.ID, ""); codeOf(t, err) != "payment_not_disputable" {
		t.Fatalf("a fully refunded payment: %v", err)
	}
	if _, err := p.OpenDispute("pay_nope", ""); err == nil {
		t.Fatal("an unknown payment")
	}
	checkBooks(t, p)
}

func TestDisputeOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		evidence map[string]string
		want     string
	}{
		{"magic winning text", map[string]string{"uncategorized_text": WinningEvidence}, DisputeWon},
		{"magic losing text beats a receipt", map[string]string{"uncategorized_text": LosingEvidence, "receipt_url": "https://x.example/r"}, DisputeLost},
		{"receipt", map[string]string{"receipt_url": "https://x.example/r"}, DisputeWon},
		{"tracking number", map[string]string{"shipping_tracking_number": "BR123456789BR"}, DisputeWon},
		{"customer communication", map[string]string{"customer_communication": "Obrigada, chegou!"}, DisputeWon},
		{"a name alone", map[string]string{"customer_name": "Ana Souza", "uncategorized_text": "please"}, DisputeLost},
		{"nothing", map[string]string{}, DisputeLost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, evs := newRecordingProvider(t, 3)
			got, _ := pay(t, p, PaymentInput{Card: card("4000000000000077"), Confirm: true, Amount: 10000})
			before := platform(p, "BRL").Available
			d, err := p.OpenDispute(got.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: tc.evidence, Submit: true}); err != nil {
				t.Fatal(err)
			}
			if d.Status != DisputeUnderReview || !d.SubmittedAt.Equal(p.Now()) {
				t.Fatalf("%s %v", d.Status, d.SubmittedAt)
			}
			advance(t, p, IssuerDecisionAfter-time.Second)
			if d.Status != DisputeUnderReview {
				t.Fatalf("decided early: %s", d.Status)
			}
			advance(t, p, time.Second)
			if d.Status != tc.want {
				t.Fatalf("%s, want %s", d.Status, tc.want)
			}
			// Won: the amount comes back, the fee does not.
			after := platform(p, "BRL").Available
			want := before - 10000 - d.Fee
			events := "dispute.created,dispute.funds_withdrawn,dispute.updated,dispute.closed"
			if tc.want == DisputeWon {
				want += 10000
				events = "dispute.created,dispute.funds_withdrawn,dispute.updated,dispute.funds_reinstated,dispute.closed"
				if len(d.BalanceTransactions) != 2 {
					t.Fatalf("%v", d.BalanceTransactions)
				}
				bt, _ := p.BalanceTransaction(d.BalanceTransactions[1])
				if bt.Amount != 10000 || bt.Fee != 0 || bt.Category != "dispute_reversal" {
					t.Fatalf("%+v", bt)
				}
			}
			if after != want {
				t.Fatalf("available %d, want %d", after, want)
			}
			if got := strings.Join(eventsOf(*evs, d.ID), ","); got != events {
				t.Fatalf("events %s", got)
			}
			// A closed dispute cannot change, or be closed again.
			if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"receipt_url": "x"}}); fieldOf(t, err) != "/evidence/receipt_url" {
				t.Fatalf("%v", err)
			}
			if _, err := p.CloseDispute(d.ID); codeOf(t, err) != "dispute_not_closable" {
				t.Fatalf("%v", err)
			}
			checkBooks(t, p)
		})
	}
}

func TestDisputeEvidenceIsMergedThenLocked(t *testing.T) {
	p, evs := newRecordingProvider(t, 4)
	got, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true})
	d, _ := p.OpenDispute(got.ID, "duplicate")
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"customer_name": "Ana", "product_description": "Tênis"}, Metadata: map[string]string{"case": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"customer_name": "", "receipt_url": "https://x.example/r"}}); err != nil {
		t.Fatal(err)
	}
	if d.Evidence["customer_name"] != "" || d.Evidence["product_description"] != "Tênis" || d.Evidence["receipt_url"] == "" || d.Metadata["case"] != "1" {
		t.Fatalf("merged evidence %v %v", d.Evidence, d.Metadata)
	}
	if d.Status != DisputeNeedsResponse {
		t.Fatal("evidence alone does not submit")
	}
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"shipping_tracking_number": strings.Repeat("9", 101)}}); fieldOf(t, err) != "/evidence/shipping_tracking_number" {
		t.Fatalf("%v", err)
	}
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"favourite_colour": "blue"}}); fieldOf(t, err) != "/evidence/favourite_colour" {
		t.Fatalf("%v", err)
	}
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Submit: true}); err != nil {
		t.Fatal(err)
	}
	_, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"uncategorized_text": WinningEvidence, "customer_email": "a@b.example"}, Submit: true})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "dispute_evidence_locked" || len(de.Fields) != 3 || de.Fields[0].Field != "/evidence/customer_email" ||
		de.Fields[1].Field != "/evidence/uncategorized_text" || de.Fields[2].Field != "/submit" {
		t.Fatalf("%+v", err)
	}
	// Metadata may still change.
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Metadata: map[string]string{"case": "", "owner": "ops"}}); err != nil || d.Metadata["owner"] != "ops" || len(d.Metadata) != 1 {
		t.Fatalf("%v %v", err, d.Metadata)
	}
	if _, err := p.CloseDispute(d.ID); codeOf(t, err) != "dispute_not_closable" {
		t.Fatalf("a dispute under review cannot be accepted: %v", err)
	}
	advance(t, p, IssuerDecisionAfter)
	if d.Status != DisputeWon {
		t.Fatalf("%s", d.Status)
	}
	// Each change is one dispute.updated; the status change is one of them.
	if got := strings.Join(eventsOf(*evs, d.ID), ","); got != "dispute.created,dispute.funds_withdrawn,dispute.updated,dispute.updated,dispute.updated,dispute.updated,dispute.funds_reinstated,dispute.closed" {
		t.Fatalf("events %s", got)
	}
	checkBooks(t, p)
}

func TestDisputeLostWithoutEvidenceOrWhenAccepted(t *testing.T) {
	p, _ := newRecordingProvider(t, 5)
	a, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true})
	b, _ := pay(t, p, PaymentInput{Card: card("4242424242424242"), Confirm: true})
	da, _ := p.OpenDispute(a.ID, "")
	db, _ := p.OpenDispute(b.ID, "")
	// Evidence that is never submitted does not count.
	if _, err := p.UpdateDispute(da.ID, DisputeUpdate{Evidence: map[string]string{"receipt_url": "https://x.example/r"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CloseDispute(db.ID); err != nil || db.Status != DisputeLost {
		t.Fatalf("%v %s", err, db.Status)
	}
	advance(t, p, EvidenceWindow-time.Second)
	if da.Status != DisputeNeedsResponse {
		t.Fatalf("%s", da.Status)
	}
	advance(t, p, time.Second)
	if da.Status != DisputeLost || len(da.BalanceTransactions) != 1 {
		t.Fatalf("%s %v", da.Status, da.BalanceTransactions)
	}
	if _, err := p.UpdateDispute(da.ID, DisputeUpdate{Submit: true}); fieldOf(t, err) != "/submit" {
		t.Fatalf("%v", err)
	}
	if _, err := p.Dispute("dp_nope"); err == nil {
		t.Fatal("an unknown dispute")
	}
	checkBooks(t, p)
}

func TestLiableRecipientBearsTheChargeback(t *testing.T) {
	p, _ := newRecordingProvider(t, 6)
	acct := PayoutAccount{IBAN: "DE89370400440532013000"}
	seller, _ := p.CreateRecipient(RecipientInput{Name: "Seller", PayoutAccount: acct})
	market, _ := p.CreateRecipient(RecipientInput{Name: "Market", PayoutAccount: acct})
	rules := []SplitRule{{RecipientID: seller.ID, Percentage: 8000, Liable: true}, {RecipientID: market.ID, Percentage: 2000, Remainder: true}}
	got, err := pay(t, p, PaymentInput{Card: card("4000000000000077"), Confirm: true, Amount: 10000, Split: rules})
	if err != nil {
		t.Fatal(err)
	}
	sellerBefore := p.Balances(seller.ID)[0].Available
	platformBefore := platform(p, "BRL").Available
	d, err := p.OpenDispute(got.ID, "")
	if err != nil || d.LiableRecipientID != seller.ID {
		t.Fatalf("%v %+v", err, d)
	}
	if after := p.Balances(seller.ID)[0].Available; after != sellerBefore-10000 {
		t.Fatalf("the liable recipient has %d, had %d", after, sellerBefore)
	}
	// The platform is out of the fee only.
	if after := platform(p, "BRL").Available; after != platformBefore-d.Fee {
		t.Fatalf("platform %d, was %d", after, platformBefore)
	}
	var reversals int
	for _, b := range p.AllBalanceTransactions() {
		if b.Source == d.ID && b.Type == "transfer_reversal" {
			reversals++
		}
	}
	if reversals != 2 {
		t.Fatalf("%d transfer_reversal balance transactions, want one on each side", reversals)
	}
	if _, err := p.UpdateDispute(d.ID, DisputeUpdate{Evidence: map[string]string{"uncategorized_text": WinningEvidence}, Submit: true}); err != nil {
		t.Fatal(err)
	}
	advance(t, p, IssuerDecisionAfter)
	if d.Status != DisputeWon || p.Balances(seller.ID)[0].Available != sellerBefore {
		t.Fatalf("%s: the liable recipient has %d, had %d", d.Status, p.Balances(seller.ID)[0].Available, sellerBefore)
	}
	if after := platform(p, "BRL").Available; after != platformBefore-d.Fee {
		t.Fatalf("platform %d after winning, was %d", after, platformBefore)
	}
	checkBooks(t, p)
}

// TestDisputeInvariants runs random payments (split ones with and without
// a liable recipient), refunds, disputes, evidence, acceptances and clock
// advances, and checks after each step that the books hold, and at the end
// what every dispute cost whom: the platform is out of the fee when the
// dispute was won or a liable recipient bore it, of the amount and the fee
// otherwise; the liable recipient is out of the amount when it lost; and a
// dispute never takes more than was captured and not refunded.
func TestDisputeInvariants(t *testing.T) {
	for seed := range uint64(8) {
		p, evs := newRecordingProvider(t, 200+seed)
		rng := rand.New(rand.NewPCG(seed, 3))
		var rcpts []string
		for i := range 2 {
			r, _ := p.CreateRecipient(RecipientInput{Name: fmt.Sprint("R", i), PayoutAccount: PayoutAccount{IBAN: "DE89370400440532013000"}})
			rcpts = append(rcpts, r.ID)
		}
		cards := []string{"4242424242424242", "4000000000000259", "4000000000000077", "4000000000007734"}
		evidence := []map[string]string{{"uncategorized_text": WinningEvidence}, {"uncategorized_text": LosingEvidence},
			{"shipping_tracking_number": "BR1"}, {"customer_name": "Ana"}, {}}
		for step := range 300 {
			pays, disputes := p.AllPayments(), p.AllDisputes()
			switch rng.IntN(8) {
			case 0, 1:
				in := PaymentInput{Card: card(cards[rng.IntN(len(cards))]), Confirm: true, Amount: int64(100 + rng.IntN(50000)),
					Currency: []string{"BRL", "EUR", "GBP", "USD"}[rng.IntN(4)]}
				if rng.IntN(2) == 0 {
					in.Split = []SplitRule{{RecipientID: rcpts[0], Percentage: 6000, Liable: rng.IntN(2) == 0}, {RecipientID: rcpts[1], Percentage: 4000, Remainder: true}}
				}
				_, _ = pay(t, p, in)
			case 2:
				if len(pays) > 0 {
					_, _ = p.CreateRefund(RefundInput{PaymentID: pays[rng.IntN(len(pays))].ID, Amount: int64(rng.IntN(20000))})
				}
			case 3:
				if len(pays) > 0 {
					_, _ = p.OpenDispute(pays[rng.IntN(len(pays))].ID, "")
				}
			case 4, 5:
				if len(disputes) > 0 {
					d := disputes[len(disputes)-1-rng.IntN(min(len(disputes), 3))]
					if rng.IntN(6) == 0 {
						_, _ = p.CloseDispute(d.ID)
					} else {
						_, _ = p.UpdateDispute(d.ID, DisputeUpdate{Evidence: evidence[rng.IntN(len(evidence))], Submit: rng.IntN(3) > 0})
					}
				}
			default:
				advance(t, p, time.Duration(rng.IntN(3*24*3600))*time.Second)
			}
			if err := p.Verify(); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
		}
		advance(t, p, 30*24*time.Hour)
		checkBooks(t, p)
		checkOneEventPerStateChange(t, p, *evs)
		outcomes := map[string]int{}
		for _, d := range p.AllDisputes() {
			outcomes[d.Status]++
			if d.Amount > d.pay.AmountReceived-d.pay.AmountRefunded {
				t.Fatalf("dispute %s of %d; the payment kept %d", d.ID, d.Amount, d.pay.AmountReceived-d.pay.AmountRefunded)
			}
			var platformNet, liableNet int64
			for _, b := range p.AllBalanceTransactions() {
				switch {
				case b.Source != d.ID:
				case b.Owner == "":
					platformNet += b.Net
				case b.Owner == d.LiableRecipientID:
					liableNet += b.Net
				default:
					t.Fatalf("dispute %s moved the money of %s, who is not liable", d.ID, b.Owner)
				}
			}
			wantPlatform, wantLiable := -d.Fee, int64(0)
			switch {
			case d.Status == DisputeLost && d.LiableRecipientID == "":
				wantPlatform = -(d.Amount + d.Fee)
			case d.Status == DisputeLost:
				wantLiable = -d.Amount
			}
			if platformNet != wantPlatform || liableNet != wantLiable {
				t.Fatalf("dispute %s (%s, liable %q): platform %d (want %d), liable %d (want %d)",
					d.ID, d.Status, d.LiableRecipientID, platformNet, wantPlatform, liableNet, wantLiable)
			}
		}
		if outcomes[DisputeWon] == 0 || outcomes[DisputeLost] == 0 {
			t.Fatalf("seed %d: outcomes %v; the sequence should reach both", seed, outcomes)
		}
	}
}
