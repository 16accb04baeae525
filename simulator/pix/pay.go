package pix

import (
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/domain"
)

// PaymentInput is a simulated payer paying a charge (the sandbox's pay
// operation): the amount ("" pays what is due) and who pays.
type PaymentInput struct {
	Valor       string      `json:"valor,omitempty"`
	Pagador     PersonInput `json:"pagador"`
	InfoPagador string      `json:"infoPagador,omitempty"`
}

// MaxInfoPagador is the longest message a payer can send with a Pix.
const MaxInfoPagador = 140

// Pay pays a charge (cob or cobv) from outside the bank: the charge
// becomes CONCLUIDA, a Pix is recorded, and the account that owns the
// charge's key gets a booked credit.
func (b *Book) Pay(txid string, in PaymentInput) (*Pix, error) {
	ch, err := b.AnyCharge(txid)
	if err != nil {
		return nil, err
	}
	return b.pay(ch, in, b.Clock.Now())
}

func (b *Book) pay(ch *Charge, in PaymentInput, now time.Time) (*Pix, error) {
	switch {
	case ch.Status == StatusConcluida:
		return nil, domain.StateError("pix_charge_already_paid", "charge %s is CONCLUIDA: it was paid by Pix %s", ch.TxID, ch.Pix[0].EndToEndID)
	case ch.Status != StatusAtiva:
		return nil, domain.StateError("pix_charge_removed", "charge %s is %s and can no longer be paid", ch.TxID, ch.Status)
	case ch.expired || !now.Before(ch.ExpiresAt()):
		return nil, domain.StateError("pix_charge_expired", "charge %s expired at %s and can no longer be paid (it stays ATIVA)", ch.TxID, ch.ExpiresAt().UTC().Format(time.RFC3339))
	}
	var p problems
	payer := p.person("/pagador", &in.Pagador, false)
	if len([]rune(in.InfoPagador)) > MaxInfoPagador {
		p.add("invalid_info_pagador", "/infoPagador", "has at most %d characters", MaxInfoPagador)
	}
	due := ch.Due(now)
	amount := due.Total()
	if in.Valor != "" {
		v := p.amount("/valor", in.Valor, true)
		switch {
		case v <= 0:
		case ch.Valor.ModalidadeAlteracao == 1:
			amount = v
			due = Components{Original: v}
		case v != amount:
			p.add("pix_amount_mismatch", "/valor", "charge %s asks for %s today and does not let the payer change it (valor.modalidadeAlteracao is 0)", ch.TxID, FormatAmount(amount))
		}
	}
	if err := p.err("invalid_payment"); err != nil {
		return nil, err
	}
	e2e := b.Bank.NewPixEndToEndID(now)
	line, err := b.Bank.CreditPix(bank.PixMovement{
		AccountID: ch.AccountID, Amount: amount, EndToEndID: e2e,
		CounterName: payer.Nome, CounterTaxID: payer.TaxID(),
		Description: "Pix recebido de " + payer.Nome,
		Source:      bank.SourceRef{Type: "pix", ID: e2e},
	})
	if err != nil {
		return nil, err
	}
	px := &Pix{
		Seq: b.nextSeq(), EndToEndID: e2e, TxID: ch.TxID, Kind: ch.Kind, Valor: amount, ComponentesValor: due,
		Chave: ch.Chave, AccountID: ch.AccountID, Horario: now, Pagador: *payer,
		InfoPagador: in.InfoPagador, TransactionID: line.ID,
	}
	b.pixes = append(b.pixes, px)
	b.byE2E[e2e] = px
	ch.Pix = append(ch.Pix, px)
	ch.Status = StatusConcluida
	ch.UpdatedAt = now
	b.cancelJobs(ch)
	b.Emit("pix.received", px)
	b.Emit("pix_charge.completed", ch)
	return px, nil
}
