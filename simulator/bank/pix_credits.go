package bank

import (
	"time"

	"github.com/sandbank/sandbank/simulator/ledger"
)

// What the Pix charges (package pix) need of the bank: finding the account
// a Pix key points to, crediting a received Pix, and holding, booking or
// releasing the debit of a devolução. Every movement is a balanced pair of
// postings between the customer's account and the Pix clearing account,
// with a statement line on the customer's side.

// PixKeyAccount finds the tenant's account a Pix key belongs to. It
// returns the key as DICT stores it, whether the key is well formed, and
// the account (nil when no account of the tenant has that key).
func (b *Bank) PixKeyAccount(key string) (account *Account, normalized string, wellFormed bool) {
	norm, _, ok := normalizePixKey(key)
	if !ok {
		return nil, "", false
	}
	return b.pixKeys[pixKeyIndex(norm)], norm, true
}

// PixAvailable is the amount an account can send now (booked, less
// pending debits, plus the credit line).
func (b *Bank) PixAvailable(accountID string) int64 {
	a, ok := b.accountByID[accountID]
	if !ok {
		return 0
	}
	return b.available(a)
}

// NewPixEndToEndID draws the id of a Pix (pacs.008): E, the ISPB, the
// minute (yyyyMMddHHmm, UTC) and 11 letters and digits — 32 characters.
func (b *Bank) NewPixEndToEndID(at time.Time) string { return b.pixEndToEndID(at) }

// NewPixReturnID draws the id of a devolução (pacs.004): D, the ISPB of
// the bank returning the money (sandbank's), the minute and 11 letters and
// digits — 32 characters.
func (b *Bank) NewPixReturnID(at time.Time) string {
	return "D" + BRISPB + at.UTC().Format("200601021504") + b.fake.Password(true, true, true, false, false, 11)
}

// PixMovement describes one Pix movement on a customer's account.
type PixMovement struct {
	AccountID string
	Amount    int64 // positive, in centavos
	// EndToEndID is the Pix's (credit) or the devolução's rtrId (debit);
	// it also names the ledger movement.
	EndToEndID   string
	CounterName  string // the payer of a credit, the receiver of a devolução
	CounterTaxID string
	Description  string
	Source       SourceRef
}

// CreditPix books a received Pix: the Pix clearing account pays the
// account, and the account's statement shows a booked credit.
func (b *Bank) CreditPix(m PixMovement) (*Transaction, error) {
	return b.pixMovement(m, +1, false)
}

// HoldPixReturn records the debit of a devolução as pending: the money
// leaves the account's available balance at once and its booked balance
// when SettlePixReturn books it (or never, if VoidPixReturn releases it).
func (b *Bank) HoldPixReturn(m PixMovement) (*Transaction, error) {
	return b.pixMovement(m, -1, true)
}

// SettlePixReturn books a devolução's pending debit.
func (b *Bank) SettlePixReturn(returnID string, at time.Time) error {
	return b.book(pixMovementID(returnID), at)
}

// VoidPixReturn releases a devolução's pending debit.
func (b *Bank) VoidPixReturn(returnID string) error {
	return b.void(pixMovementID(returnID))
}

func pixMovementID(e2e string) string { return "pix:" + e2e }

func (b *Bank) pixMovement(m PixMovement, sign int64, pending bool) (*Transaction, error) {
	a, ok := b.accountByID[m.AccountID]
	if !ok {
		return nil, missingRef("account", "/account_id", m.AccountID)
	}
	if a.Currency != "BRL" {
		return nil, invalid("rail_currency_mismatch", "/chave", "Pix carries BRL, and account %s holds %s", a.ID, a.Currency)
	}
	if a.Status != "active" {
		return nil, &Error{Kind: State, Code: "account_not_active", Message: "account " + a.ID + " is " + a.Status}
	}
	if m.Amount <= 0 {
		return nil, invalid("invalid_amount", "/valor", "a Pix moves a positive amount, not %d centavos", m.Amount)
	}
	legs := []ledger.Leg{
		{Account: b.systemAccount("clearing:"+RailPix, a.Currency), Amount: -sign * m.Amount, Currency: a.Currency},
		{Account: ledger.AccountID(a.ID), Amount: sign * m.Amount, Currency: a.Currency},
	}
	category := "transfer_in"
	if sign < 0 {
		category = "transfer_out"
	}
	src := m.Source
	if _, err := b.post(pixMovementID(m.EndToEndID), b.Now(), pending, legs, func(string) Details {
		return Details{
			Type: RailPix, Description: m.Description, Category: category,
			Counterparty: &Counterparty{Name: m.CounterName, TaxID: m.CounterTaxID},
			EndToEndID:   m.EndToEndID, Source: &src,
		}
	}); err != nil {
		return nil, err
	}
	return a.transactions[len(a.transactions)-1], nil
}
