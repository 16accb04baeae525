package bank

import (
	"time"

	"github.com/sandbank/sandbank/simulator/ledger"
)

// What the payment provider (package payments) needs of the bank when it
// pays out into one of the tenant's own accounts: the money arrives through
// the payout clearing account and lands as a booked statement line whose
// source is the payout.

// PayoutClearingAccount is the ledger account a payout reaches the bank
// through: the provider pays into it from its in-transit account, and
// CreditPayout credits the customer's account from it, so it nets to zero
// once both sides have posted.
func PayoutClearingAccount(currency string) ledger.AccountID {
	return ledger.AccountID("sys:clearing:payout:" + currency)
}

// payoutRail is how a payout reaches an account in each currency (the
// statement line's type).
var payoutRail = map[string]string{"BRL": RailPix, "EUR": "sepa", "GBP": "fps", "USD": "ach"}

// PayoutSender is the counterparty a payout's statement line shows.
const PayoutSender = "sandbank Payments"

// payoutMovement is the ledger movement of a payout's credit: one per
// payout, so that a payout cannot land twice.
func payoutMovement(payoutID string) string { return "payout:" + payoutID }

// CreditPayout books a payout's arrival in one of the tenant's accounts at
// at: the payout clearing account pays the account, and the statement shows
// a booked credit (type pix, sepa, fps or ach by currency) whose source is
// the payout. It fails without moving money when the account cannot take
// it: unknown, in another currency, or not active.
func (b *Bank) CreditPayout(accountID string, amount int64, currency, payoutID, description string, at time.Time) (*Transaction, error) {
	a, ok := b.accountByID[accountID]
	if !ok {
		return nil, missingRef("account", "/destination/account_id", accountID)
	}
	if a.Currency != currency {
		return nil, invalid("currency_mismatch", "/currency", "account %s holds %s, not %s", a.ID, a.Currency, currency)
	}
	if a.Status != "active" {
		return nil, &Error{Kind: State, Code: "account_not_active", Message: "account " + a.ID + " is " + a.Status}
	}
	if amount <= 0 {
		return nil, invalid("invalid_amount", "/amount", "a payout credits a positive amount, not %d", amount)
	}
	rail := payoutRail[currency]
	e2e := ""
	if rail == RailPix {
		e2e = b.pixEndToEndID(at)
	}
	if description == "" {
		description = "Payout " + payoutID
	}
	legs := []ledger.Leg{
		{Account: b.systemAccount("clearing:payout", currency), Amount: -amount, Currency: currency},
		{Account: ledger.AccountID(a.ID), Amount: amount, Currency: currency},
	}
	if _, err := b.post(payoutMovement(payoutID), at, false, legs, func(string) Details {
		return Details{
			Type: rail, Description: description, Category: "transfer_in",
			Counterparty: &Counterparty{Name: PayoutSender},
			EndToEndID:   e2e, Source: &SourceRef{Type: "payout", ID: payoutID},
		}
	}); err != nil {
		return nil, err
	}
	return a.transactions[len(a.transactions)-1], nil
}
