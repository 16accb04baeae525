// Package payments is the payment-provider side of a tenant: cards
// tokenized into payment methods, payments that move through Stripe-like
// states (authorization, 3-D Secure, risk checks with a timeout fallback,
// capture, cancellation), refunds, split rules paying recipients, disputes,
// payouts, and the balance transactions that make every cent traceable.
// Every movement of money is a balanced set of ledger postings; every
// state change is one event. It knows nothing of HTTP; the tenant's lock
// serialises it.
package payments

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/ledger"
)

// Provider is one tenant's payment provider.
type Provider struct {
	Clock  *clock.Clock
	Ledger *ledger.Ledger
	Bank   *bank.Bank // payouts can land in the tenant's own accounts
	Emit   events.Emitter
	// Settings are the tenant's risk and decline switches.
	Settings Settings

	fake          *gofakeit.Faker
	pepper        []byte // makes card fingerprints per tenant
	seq           uint64
	methods       []*PaymentMethod
	methodByID    map[string]*PaymentMethod
	payments      []*Payment
	paymentByID   map[string]*Payment
	refunds       []*Refund
	refundByID    map[string]*Refund
	bts           []*BalanceTransaction
	btByID        map[string]*BalanceTransaction
	recipients    []*Recipient
	recipientByID map[string]*Recipient
	disputes      []*Dispute
	disputeByID   map[string]*Dispute
	payouts       []*Payout
	payoutByID    map[string]*Payout
}

// Settings are a tenant's provider switches (PATCH /_sandbank/settings).
type Settings struct {
	Risk RiskSettings
	// AmountDeclines opts into Braintree's test amounts: 2000.00–2999.99
	// (in major units) decline with the amount as the processor code.
	AmountDeclines bool
}

// RiskSettings configure the fraud check and what happens when it times out.
type RiskSettings struct {
	Timeout time.Duration
	// OnTimeout is allow, review or decline.
	OnTimeout string
	// OfflineLimit is the largest amount (minor units) approved without a
	// risk verdict under the allow policy.
	OfflineLimit int64
}

// Risk policies for a fraud check that times out.
const (
	RiskAllow   = "allow"
	RiskReview  = "review"
	RiskDecline = "decline"
)

// DefaultSettings are a new tenant's settings.
func DefaultSettings() Settings {
	return Settings{Risk: RiskSettings{Timeout: 2 * time.Second, OnTimeout: RiskAllow, OfflineLimit: 50000}}
}

// New returns an empty provider sharing the tenant's clock, ledger and
// faker; seed makes card fingerprints stable per tenant.
func New(clk *clock.Clock, led *ledger.Ledger, b *bank.Bank, fake *gofakeit.Faker, seed uint64) *Provider {
	pepper := make([]byte, 8)
	binary.BigEndian.PutUint64(pepper, seed)
	return &Provider{
		Clock: clk, Ledger: led, Bank: b, Emit: events.Nop, Settings: DefaultSettings(), fake: fake, pepper: pepper,
		methodByID: map[string]*PaymentMethod{}, paymentByID: map[string]*Payment{}, refundByID: map[string]*Refund{},
		btByID: map[string]*BalanceTransaction{}, recipientByID: map[string]*Recipient{},
		disputeByID: map[string]*Dispute{}, payoutByID: map[string]*Payout{},
	}
}

func (p *Provider) nextSeq() uint64 {
	p.seq++
	return p.seq
}

func (p *Provider) newID(prefix string) string { return domain.NewID(p.fake, prefix) }

// Now is the tenant's virtual time.
func (p *Provider) Now() time.Time { return p.Clock.Now() }

// fingerprint identifies a card number within the tenant without revealing it.
func (p *Provider) fingerprint(pan string) string {
	m := hmac.New(sha256.New, p.pepper)
	m.Write([]byte(pan))
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := m.Sum(nil)
	out := make([]byte, 16)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}

// PaymentCurrencies are the currencies payments are accepted in.
var PaymentCurrencies = map[string]bool{"BRL": true, "EUR": true, "GBP": true, "USD": true}

// feeSchedule is the provider's card pricing per currency: basis points
// of the amount plus a fixed part in minor units.
var feeSchedule = map[string]struct{ bps, fixed int64 }{
	"BRL": {399, 39}, "USD": {290, 30}, "EUR": {150, 25}, "GBP": {150, 20},
}

// CardFee is the fee on a captured card amount (rounded half up).
func CardFee(amount int64, currency string) int64 {
	f := feeSchedule[currency]
	return (amount*f.bps+5000)/10000 + f.fixed
}

// DisputeFee is what the provider charges when a dispute is opened.
var DisputeFee = map[string]int64{"BRL": 1500, "USD": 1500, "EUR": 1500, "GBP": 1500}

// AvailableAfter is how long card funds stay pending.
const AvailableAfter = 2 * 24 * time.Hour

// Ledger accounts of the provider side, per currency.
func networkAccount(cur string) ledger.AccountID { return ledger.AccountID("sys:card_network:" + cur) }
func feeAccount(cur string) ledger.AccountID     { return ledger.AccountID("sys:provider_fees:" + cur) }
func inTransitAccount(cur string) ledger.AccountID {
	return ledger.AccountID("prov:payouts_in_transit:" + cur)
}

// balanceAccounts are an owner's pending and available ledger accounts:
// the platform's ("") or a recipient's.
func balanceAccounts(owner, cur string) (pending, available ledger.AccountID) {
	if owner == "" {
		return ledger.AccountID("prov:pending:" + cur), ledger.AccountID("prov:available:" + cur)
	}
	return ledger.AccountID("rcpt:" + owner + ":pending:" + cur), ledger.AccountID("rcpt:" + owner + ":available:" + cur)
}

// open makes sure ledger accounts exist before a movement names them.
func (p *Provider) open(cur string, ids ...ledger.AccountID) {
	for _, id := range ids {
		_ = p.Ledger.Open(id, cur)
	}
}

// post records a balanced movement of the provider.
func (p *Provider) post(at time.Time, legs ...ledger.Leg) (*ledger.Movement, error) {
	for _, l := range legs {
		p.open(l.Currency, l.Account)
	}
	return p.Ledger.Post(p.newID("mov"), at, false, legs...)
}

// Balance is an owner's pending and available amounts in a currency.
type Balance struct {
	Currency           string
	Available, Pending int64
}

// Balances returns the platform's (owner "") or a recipient's balance per currency.
func (p *Provider) Balances(owner string) []Balance {
	var out []Balance
	for _, cur := range bank.AccountCurrencies {
		pend, avail := balanceAccounts(owner, cur)
		pb, _ := p.Ledger.Balance(pend)
		ab, _ := p.Ledger.Balance(avail)
		out = append(out, Balance{Currency: cur, Available: ab.Booked, Pending: pb.Booked})
	}
	return out
}
