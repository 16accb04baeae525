package payments

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Magic external payout destinations (valid IBANs ending 0101 and 0202).
const (
	ibanNoAccount     = "DE83370400440532010101"
	ibanAccountClosed = "DE23370400440532020202"
	ibanGood          = "DE89370400440532013000"
)

// instantFunds makes an available balance: cards of 4000000000000077 are
// available at once.
func instantFunds(t *testing.T, p *Provider, amount int64, cur string) *Payment {
	t.Helper()
	got, err := pay(t, p, PaymentInput{Card: card("4000000000000077"), Confirm: true, Amount: amount, Currency: cur})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// ownAccount opens an account of the tenant in a currency.
func ownAccount(t *testing.T, p *Provider, cur string) *bank.Account {
	t.Helper()
	c, err := p.Bank.CreateCustomer(bank.CustomerInput{Type: "individual", Name: "Ana Souza", Email: "ana@example.com",
		TaxID: bank.TaxID{Type: "br_cpf", Value: "111.444.777-35"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Bank.OpenAccount(bank.AccountInput{CustomerID: c.ID, Currency: cur})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSweepPayoutIntoAnExternalAccount(t *testing.T) {
	p, evs := newRecordingProvider(t, 21)
	instantFunds(t, p, 10000, "BRL")
	instantFunds(t, p, 25000, "BRL")
	instantFunds(t, p, 5000, "EUR")
	refunded := instantFunds(t, p, 3000, "BRL")
	if _, err := p.CreateRefund(RefundInput{PaymentID: refunded.ID, Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	avail := platform(p, "BRL").Available
	po, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{IBAN: ibanGood}, Description: "Repasse"})
	if err != nil {
		t.Fatal(err)
	}
	// The payout is the net of what it sweeps: three charges and a refund.
	var sum int64
	for _, b := range p.AllBalanceTransactions() {
		if b.PayoutID == po.ID {
			sum += b.Net
		}
	}
	if po.Amount != avail || sum != po.Amount || len(po.BalanceTransactions) != 4 || !po.Automatic || po.Status != PayoutPending {
		t.Fatalf("payout %+v, its balance transactions sum to %d, available was %d", po, sum, avail)
	}
	if b := platform(p, "BRL"); b.Available != 0 {
		t.Fatalf("after the payout %+v", b)
	}
	if b := platform(p, "EUR"); b.Available == 0 {
		t.Fatal("a BRL payout took EUR")
	}
	own, _ := p.BalanceTransaction(po.BalanceTransactionID)
	if own.Type != "payout" || own.Amount != -po.Amount || own.PayoutID != "" || own.Category != "payout" {
		t.Fatalf("%+v", own)
	}
	// Nothing left to sweep.
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{IBAN: ibanGood}}); fieldOf(t, err) != "/amount" {
		t.Fatalf("%v", err)
	}
	// pending → in_transit a minute later → paid at 09:00 UTC the next business day.
	if want := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC); !po.ArrivalDate.Equal(want) {
		t.Fatalf("arrival %v, want %v", po.ArrivalDate, want)
	}
	advance(t, p, PayoutInTransitAfter)
	if po.Status != PayoutInTransit {
		t.Fatalf("%s", po.Status)
	}
	if _, err := p.CancelPayout(po.ID); codeOf(t, err) != "payout_not_cancelable" {
		t.Fatalf("%v", err)
	}
	advance(t, p, po.ArrivalDate.Sub(p.Now()))
	if po.Status != PayoutPaid {
		t.Fatalf("%s", po.Status)
	}
	if b, _ := p.Ledger.Balance(ledger.AccountID("sys:external_payouts:BRL")); b.Booked != po.Amount {
		t.Fatalf("external payouts %+v", b)
	}
	if b, _ := p.Ledger.Balance(inTransitAccount("BRL")); b.Booked != 0 {
		t.Fatalf("in transit %+v", b)
	}
	if got := strings.Join(eventsOf(*evs, po.ID), ","); got != "payout.created,payout.in_transit,payout.paid" {
		t.Fatalf("events %s", got)
	}
	if _, err := p.FailPayout(po.ID, ""); codeOf(t, err) != "payout_not_failable" {
		t.Fatalf("%v", err)
	}
	checkBooks(t, p)
}

func TestPayoutIntoTheTenantsOwnAccount(t *testing.T) {
	p, _ := newRecordingProvider(t, 22)
	acc := ownAccount(t, p, "BRL")
	eur := ownAccount(t, p, "EUR")
	instantFunds(t, p, 40000, "BRL")
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{AccountID: eur.ID}}); fieldOf(t, err) != "/destination/account_id" {
		t.Fatalf("an EUR account for a BRL payout: %v", err)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{AccountID: "acc_nope"}}); fieldOf(t, err) != "/destination/account_id" {
		t.Fatalf("%v", err)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL"}); fieldOf(t, err) != "/destination" {
		t.Fatalf("a platform payout without a destination: %v", err)
	}
	po, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{AccountID: acc.ID}, Method: PayoutInstant})
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != PayoutInTransit || !po.ArrivalDate.Equal(p.Now().Add(InstantPayoutArrival)) {
		t.Fatalf("an instant payout: %s %v", po.Status, po.ArrivalDate)
	}
	advance(t, p, InstantPayoutArrival)
	if po.Status != PayoutPaid {
		t.Fatalf("%s", po.Status)
	}
	bal, _ := p.Bank.Balances(acc.ID)
	if bal.Booked != po.Amount {
		t.Fatalf("the account holds %+v, the payout was %d", bal, po.Amount)
	}
	page, _ := p.Bank.Transactions(acc.ID, bank.TransactionFilter{}, 0, 10)
	line := page.Items[0]
	if line.Amount() != po.Amount || line.Status() != "booked" || line.Source == nil || line.Source.Type != "payout" || line.Source.ID != po.ID || line.Type != "pix" {
		t.Fatalf("statement line %+v", line)
	}
	if b, _ := p.Ledger.Balance(bank.PayoutClearingAccount("BRL")); b.Booked != 0 {
		t.Fatalf("the payout clearing account does not net to zero: %+v", b)
	}
	// An account that closed meanwhile refuses the payout: it fails, and the money comes back.
	instantFunds(t, p, 5000, "BRL")
	po2, _ := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{AccountID: acc.ID}})
	acc.Status = "closed"
	advance(t, p, 48*time.Hour)
	if po2.Status != PayoutFailed || po2.FailureCode != "account_closed" || platform(p, "BRL").Available != po2.Amount {
		t.Fatalf("%s %s, available %d", po2.Status, po2.FailureCode, platform(p, "BRL").Available)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{AccountID: acc.ID}}); codeOf(t, err) != "account_not_active" {
		t.Fatalf("a payout to a closed account: %v", err)
	}
	checkBooks(t, p)
	if err := p.Bank.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestMagicPayoutDestinationsFailAndTheMoneyIsSweptAgain(t *testing.T) {
	for _, tc := range []struct {
		dest PayoutAccount
		code string
	}{
		{PayoutAccount{IBAN: ibanNoAccount}, "no_account"},
		{PayoutAccount{IBAN: ibanAccountClosed}, "account_closed"},
		{PayoutAccount{SortCode: "200000", AccountNumber: "55550101"}, "no_account"},
		{PayoutAccount{BankCode: "341", Branch: "1234", AccountNumber: "990202"}, "account_closed"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			p, evs := newRecordingProvider(t, 23)
			instantFunds(t, p, 10000, "BRL")
			po, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &tc.dest})
			if err != nil {
				t.Fatal(err)
			}
			advance(t, p, po.ArrivalDate.Sub(p.Now())-time.Second)
			if po.Status != PayoutInTransit {
				t.Fatalf("before arrival: %s", po.Status)
			}
			advance(t, p, time.Second)
			if po.Status != PayoutFailed || po.FailureCode != tc.code || po.FailureMsg == "" {
				t.Fatalf("%s %s", po.Status, po.FailureCode)
			}
			if got := strings.Join(eventsOf(*evs, po.ID), ","); got != "payout.created,payout.in_transit,payout.failed" {
				t.Fatalf("events %s", got)
			}
			// The money is back, as a payout_failure that the next sweep carries.
			if b := platform(p, "BRL"); b.Available != po.Amount {
				t.Fatalf("%+v", b)
			}
			again, err := p.CreatePayout(PayoutInput{Currency: "BRL", Destination: &PayoutAccount{IBAN: ibanGood}})
			if err != nil || again.Amount != po.Amount || len(again.BalanceTransactions) != 1 {
				t.Fatalf("%v %+v", err, again)
			}
			if b, _ := p.BalanceTransaction(again.BalanceTransactions[0]); b.Type != "payout_failure" || b.Category != "payout_reversal" {
				t.Fatalf("%+v", b)
			}
			checkBooks(t, p)
		})
	}
}

func TestManualPayoutsCancelAndSandboxFailures(t *testing.T) {
	p, evs := newRecordingProvider(t, 24)
	instantFunds(t, p, 10000, "USD")
	avail := platform(p, "USD").Available
	dest := &PayoutAccount{IBAN: ibanGood}
	if _, err := p.CreatePayout(PayoutInput{Currency: "USD", Amount: avail + 1, Destination: dest}); codeOf(t, err) != "balance_insufficient" {
		t.Fatalf("%v", err)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "USD", Amount: 100, Destination: dest, Method: "overnight"}); fieldOf(t, err) != "/method" {
		t.Fatalf("%v", err)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "JPY", Amount: 100, Destination: dest}); fieldOf(t, err) != "/currency" {
		t.Fatalf("%v", err)
	}
	manual, err := p.CreatePayout(PayoutInput{Currency: "USD", Amount: 3000, Destination: dest})
	if err != nil || manual.Automatic || len(manual.BalanceTransactions) != 0 {
		t.Fatalf("%v %+v", err, manual)
	}
	// A later sweep takes what the manual payout left.
	canceled, err := p.CreatePayout(PayoutInput{Currency: "USD", Destination: dest})
	if err != nil || canceled.Amount != avail-3000 {
		t.Fatalf("%v %+v (available was %d)", err, canceled, avail)
	}
	if _, err := p.CancelPayout(canceled.ID); err != nil || canceled.Status != PayoutCanceled {
		t.Fatalf("%v %s", err, canceled.Status)
	}
	if platform(p, "USD").Available != avail-3000 {
		t.Fatal("a canceled payout's money comes back")
	}
	if _, err := p.CancelPayout(canceled.ID); codeOf(t, err) != "payout_not_cancelable" {
		t.Fatalf("%v", err)
	}
	if _, err := p.FailPayout(manual.ID, "no_such_code"); fieldOf(t, err) != "/failure_code" {
		t.Fatalf("%v", err)
	}
	if _, err := p.FailPayout(manual.ID, "account_frozen"); err != nil || manual.Status != PayoutFailed || manual.FailureCode != "account_frozen" {
		t.Fatalf("%v %+v", err, manual)
	}
	if platform(p, "USD").Available != avail {
		t.Fatal("a failed payout's money comes back")
	}
	// Everything is swept again: the failure, the cancel, the charge and the manual payout net out.
	last, err := p.CreatePayout(PayoutInput{Currency: "USD", Destination: dest})
	if err != nil || last.Amount != avail {
		t.Fatalf("%v %+v", err, last)
	}
	advance(t, p, PayoutInTransitAfter)
	if _, err := p.FailPayout(last.ID, ""); err != nil || last.FailureCode != "could_not_process" {
		t.Fatalf("an in-transit payout fails too: %v %+v", err, last)
	}
	advance(t, p, 72*time.Hour) // the canceled jobs do not run
	for _, po := range []*Payout{manual, canceled, last} {
		want := map[string]string{manual.ID: "payout.created,payout.failed", canceled.ID: "payout.created,payout.canceled",
			last.ID: "payout.created,payout.in_transit,payout.failed"}[po.ID]
		if got := strings.Join(eventsOf(*evs, po.ID), ","); got != want {
			t.Fatalf("%s events %s, want %s", po.ID, got, want)
		}
	}
	if _, err := p.Payout("po_nope"); err == nil {
		t.Fatal("an unknown payout")
	}
	checkBooks(t, p)
}

func TestRecipientPayoutsAndArrivalDays(t *testing.T) {
	p, _ := newRecordingProvider(t, 25)
	r, _ := p.CreateRecipient(RecipientInput{Name: "Seller", PayoutAccount: PayoutAccount{IBAN: ibanGood}})
	if _, err := pay(t, p, PaymentInput{Card: card("4000000000000077"), Confirm: true, Amount: 10000,
		Split: []SplitRule{{RecipientID: r.ID, Percentage: 10000}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreatePayout(PayoutInput{Currency: "BRL", RecipientID: "rcp_nope"}); fieldOf(t, err) != "/recipient_id" {
		t.Fatalf("%v", err)
	}
	po, err := p.CreatePayout(PayoutInput{Currency: "BRL", RecipientID: r.ID})
	if err != nil || po.Destination.IBAN != ibanGood || po.Amount != 10000-CardFee(10000, "BRL") || p.Balances(r.ID)[0].Available != 0 {
		t.Fatalf("%v %+v", err, po)
	}
	if platform(p, "BRL").Available != 0 {
		t.Fatal("the recipient's payout took the platform's money")
	}
	if page := p.Payouts(PayoutFilter{RecipientID: r.ID}, 0, 10); len(page.Items) != 1 {
		t.Fatalf("%d payouts of the recipient", len(page.Items))
	}
	// A standard payout made on Friday arrives on Monday.
	for _, tc := range []struct{ now, want string }{
		{"2026-03-06T15:00:00Z", "2026-03-09T09:00:00Z"}, {"2026-03-07T08:00:00Z", "2026-03-09T09:00:00Z"},
		{"2026-03-02T23:59:00Z", "2026-03-03T09:00:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := payoutArrival(now, PayoutStandard).Format(time.RFC3339); got != tc.want {
			t.Errorf("created %s: arrives %s, want %s", tc.now, got, tc.want)
		}
	}
	checkBooks(t, p)
}

// TestProviderInvariantsWithDisputesAndPayouts runs random sequences of
// payments (split ones with a liable recipient among them), captures,
// refunds, disputes and their evidence, payouts of every kind, their
// cancellations and failures, and clock advances, and checks after each
// step: the ledger balances per currency, balances equal their balance
// transactions, refunds never exceed captures, split outputs equal the net,
// every swept payout equals the net of its balance transactions; and at
// the end that each state change was exactly one event.
func TestProviderInvariantsWithDisputesAndPayouts(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			p, evs := newRecordingProvider(t, 100+seed)
			rng := rand.New(rand.NewPCG(seed, 7))
			currencies := []string{"BRL", "EUR", "GBP", "USD"}
			accounts := map[string]string{}
			for _, cur := range currencies {
				accounts[cur] = ownAccount(t, p, cur).ID
			}
			dests := []PayoutAccount{{IBAN: ibanGood}, {IBAN: ibanNoAccount}, {IBAN: ibanAccountClosed}, {SortCode: "200000", AccountNumber: "12345678"}}
			var rcpts []string
			for i := range 3 {
				r, _ := p.CreateRecipient(RecipientInput{Name: fmt.Sprint("R", i), PayoutAccount: dests[rng.IntN(len(dests))]})
				rcpts = append(rcpts, r.ID)
			}
			cards := []string{"4242424242424242", "4000000000000077", "4000000000000259", "4000000000007734", "4000000000009235", "4000000000000002"}
			evidence := []map[string]string{
				{"uncategorized_text": WinningEvidence}, {"uncategorized_text": LosingEvidence}, {"receipt_url": "https://x.example/r"},
				{"customer_name": "Ana"}, {"shipping_tracking_number": ""},
			}
			for step := range 400 {
				pays, disputes, payouts := p.AllPayments(), p.AllDisputes(), p.AllPayouts()
				cur := currencies[rng.IntN(len(currencies))]
				switch rng.IntN(12) {
				case 0, 1, 2:
					in := PaymentInput{Card: card(cards[rng.IntN(len(cards))]), Confirm: true, Amount: int64(500 + rng.IntN(80000)), Currency: cur}
					if rng.IntN(4) == 0 {
						in.CaptureMethod = "manual"
					}
					if rng.IntN(3) == 0 {
						in.Split = []SplitRule{{RecipientID: rcpts[0], Percentage: 3000, Liable: rng.IntN(2) == 0}, {RecipientID: rcpts[1], Percentage: 7000, Remainder: true}}
					}
					_, _ = pay(t, p, in)
				case 3:
					if len(pays) > 0 {
						x := pays[rng.IntN(len(pays))]
						_, _ = p.Capture(x.ID, int64(rng.IntN(int(x.Amount)+1)))
					}
				case 4:
					if len(pays) > 0 {
						_, _ = p.CreateRefund(RefundInput{PaymentID: pays[rng.IntN(len(pays))].ID, Amount: int64(rng.IntN(30000))})
					}
				case 5:
					if len(pays) > 0 {
						_, _ = p.OpenDispute(pays[rng.IntN(len(pays))].ID, DisputeReasons[rng.IntN(len(DisputeReasons))])
					}
				case 6:
					if len(disputes) > 0 {
						d := disputes[len(disputes)-1] // the latest, most likely still open
						if rng.IntN(2) == 0 {
							d = disputes[rng.IntN(len(disputes))]
						}
						if rng.IntN(5) == 0 {
							_, _ = p.CloseDispute(d.ID)
						} else {
							_, _ = p.UpdateDispute(d.ID, DisputeUpdate{Evidence: evidence[rng.IntN(len(evidence))], Submit: rng.IntN(2) == 0})
						}
					}
				case 7, 8:
					in := PayoutInput{Currency: cur, Method: []string{PayoutStandard, PayoutInstant}[rng.IntN(2)]}
					if rng.IntN(3) == 0 {
						in.RecipientID = rcpts[rng.IntN(len(rcpts))]
					} else if rng.IntN(2) == 0 {
						in.Destination = &PayoutAccount{AccountID: accounts[cur]}
					} else {
						d := dests[rng.IntN(len(dests))]
						in.Destination = &d
					}
					if rng.IntN(3) == 0 {
						in.Amount = int64(1 + rng.IntN(20000))
					}
					_, _ = p.CreatePayout(in)
				case 9:
					if len(payouts) > 0 {
						po := payouts[len(payouts)-1]
						if rng.IntN(2) == 0 {
							po = payouts[rng.IntN(len(payouts))]
						}
						if rng.IntN(2) == 0 {
							_, _ = p.CancelPayout(po.ID)
						} else {
							_, _ = p.FailPayout(po.ID, PayoutFailureCodeList()[rng.IntN(len(PayoutFailureCodes))])
						}
					}
				default:
					advance(t, p, time.Duration(rng.IntN(4*24*3600))*time.Second)
				}
				if err := p.Verify(); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			}
			advance(t, p, 30*24*time.Hour) // everything settles
			checkBooks(t, p)
			if err := p.Bank.Verify(); err != nil {
				t.Fatal(err)
			}
			checkOneEventPerStateChange(t, p, *evs)
			if len(p.AllDisputes()) == 0 || len(p.AllPayouts()) == 0 {
				t.Fatalf("the sequence made %d disputes and %d payouts", len(p.AllDisputes()), len(p.AllPayouts()))
			}
		})
	}
}

// checkOneEventPerStateChange: each payment, dispute and payout emitted
// exactly one status event per status it reached, showing that status;
// the money events of disputes come once each.
func checkOneEventPerStateChange(t *testing.T, p *Provider, evs []event) {
	t.Helper()
	statusEvents := map[string][]string{} // resource id → statuses its status events showed
	moneyEvents := map[string][]string{}
	for _, e := range evs {
		switch {
		case strings.HasPrefix(e.typ, "payment.") && e.typ != "payment.risk_fallback_applied",
			strings.HasPrefix(e.typ, "payout."),
			e.typ == "dispute.created" || e.typ == "dispute.closed":
			statusEvents[e.id] = append(statusEvents[e.id], e.status)
		case e.typ == "dispute.updated":
			// An evidence update is a dispute.updated too; the submission is
			// the one that shows a new status.
			if s := statusEvents[e.id]; len(s) == 0 || s[len(s)-1] != e.status {
				statusEvents[e.id] = append(statusEvents[e.id], e.status)
			}
		case e.typ == "dispute.funds_withdrawn" || e.typ == "dispute.funds_reinstated":
			moneyEvents[e.id] = append(moneyEvents[e.id], e.typ)
		}
	}
	for _, x := range p.AllPayments() {
		if !slices.Equal(statusEvents[x.ID], x.StatusHistory) {
			t.Fatalf("payment %s: events showed %v, statuses %v", x.ID, statusEvents[x.ID], x.StatusHistory)
		}
	}
	for _, po := range p.AllPayouts() {
		if !slices.Equal(statusEvents[po.ID], po.StatusHistory) {
			t.Fatalf("payout %s: events showed %v, statuses %v", po.ID, statusEvents[po.ID], po.StatusHistory)
		}
	}
	for _, d := range p.AllDisputes() {
		if !slices.Equal(statusEvents[d.ID], d.StatusHistory) {
			t.Fatalf("dispute %s: events showed %v, statuses %v", d.ID, statusEvents[d.ID], d.StatusHistory)
		}
		want := []string{"dispute.funds_withdrawn"}
		if d.Status == DisputeWon {
			want = append(want, "dispute.funds_reinstated")
		}
		if !slices.Equal(moneyEvents[d.ID], want) {
			t.Fatalf("dispute %s (%s): money events %v", d.ID, d.Status, moneyEvents[d.ID])
		}
		if d.Status == DisputeNeedsResponse || d.Status == DisputeUnderReview {
			t.Fatalf("dispute %s is still %s a month later", d.ID, d.Status)
		}
	}
}
