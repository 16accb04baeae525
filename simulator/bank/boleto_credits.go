package bank

import (
	"fmt"
	"time"

	"github.com/sandbank/sandbank/simulator/ledger"
)

// BoletoCredit is a boleto's payment on its way to the beneficiary: money
// the payer's bank sends through the boleto clearing (compensação), or, for
// a hybrid boleto paid with its Pix code, through Pix.
type BoletoCredit struct {
	AccountID   string // the beneficiary account
	BoletoID    string
	Amount      int64
	Currency    string
	PayerName   string
	PayerTaxID  string
	NossoNumero string // as printed, "09/00000000042-P"
	// Pix says the payer used the hybrid boleto's BR Code: a Pix credit,
	// booked at once, with an end-to-end id. Otherwise the credit is a
	// pending boleto line that SettleBoletoCredit books.
	Pix bool
}

// boletoMovement is the ledger movement of a boleto's payment: one per
// boleto, so that a boleto cannot be credited twice.
func boletoMovement(boletoID string) string { return "boleto:" + boletoID }

// CreditBoleto posts a boleto's payment to the beneficiary's account at
// the bank's now and returns the statement line: a pending credit of type
// boleto (clearing:boleto → account) until SettleBoletoCredit books it, or
// for Pix a booked credit of type pix (clearing:pix → account).
func (b *Bank) CreditBoleto(in BoletoCredit) (*Transaction, error) {
	a, ok := b.accountByID[in.AccountID]
	if !ok {
		return nil, missingRef("account", "/account_id", in.AccountID)
	}
	if in.Currency != a.Currency {
		return nil, fmt.Errorf("bank: boleto %s in %s cannot credit %s account %s", in.BoletoID, in.Currency, a.Currency, a.ID)
	}
	if in.Amount <= 0 {
		return nil, fmt.Errorf("bank: boleto %s credit of %d", in.BoletoID, in.Amount)
	}
	now := b.Now()
	typ, rail, e2e := "boleto", "clearing:boleto", ""
	if in.Pix {
		typ, rail, e2e = "pix", "clearing:pix", b.pixEndToEndID(now)
	}
	legs := []ledger.Leg{
		{Account: b.systemAccount(rail, a.Currency), Amount: -in.Amount, Currency: a.Currency},
		{Account: ledger.AccountID(a.ID), Amount: in.Amount, Currency: a.Currency},
	}
	_, err := b.post(boletoMovement(in.BoletoID), now, !in.Pix, legs, func(string) Details {
		return Details{
			Type: typ, Description: "Liquidação boleto " + in.NossoNumero, Category: "sales",
			Counterparty: &Counterparty{Name: in.PayerName, TaxID: in.PayerTaxID},
			EndToEndID:   e2e, Source: &SourceRef{Type: "boleto", ID: in.BoletoID},
		}
	})
	if err != nil {
		return nil, err
	}
	return a.transactions[len(a.transactions)-1], nil
}

// SettleBoletoCredit books a boleto's pending credit at the given instant.
func (b *Bank) SettleBoletoCredit(boletoID string, at time.Time) error {
	return b.book(boletoMovement(boletoID), at)
}
