package pix

import (
	"fmt"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/domain"
)

// DevolucaoInput asks for (part of) a received Pix to be returned.
type DevolucaoInput struct {
	Valor     string `json:"valor"`
	Natureza  string `json:"natureza,omitempty"`
	Descricao string `json:"descricao,omitempty"`
}

// Error codes of devoluções (the Banco Central answers both with
// PixDevolucaoInvalida).
const (
	ErrorDevolucaoIDInUse   = "pix_refund_id_in_use"
	ErrorDevolucaoExceeds   = "pix_refund_exceeds_valor"
	MotivoSaldoInsuficiente = "Saldo insuficiente na conta do recebedor para a devolução"
	MaxDescricao            = 140
)

// ValidDevolucaoID reports whether s is a devolução id: 1 to 35 letters
// and digits.
func ValidDevolucaoID(s string) bool { return idPattern.MatchString(s) }

// PutDevolucao asks for a devolução of a received Pix under an id chosen
// by the client. The same id with the same request returns the devolução
// (created false); with another request it is ErrorDevolucaoIDInUse. The
// devoluções of a Pix (but those NAO_REALIZADO) never add up to more than
// its valor. The receiving account's debit is held (pending) while the
// devolução is EM_PROCESSAMENTO; DevolucaoDelay later it is booked
// (DEVOLVIDO) or, if the account could not cover it when it was asked
// for, released (NAO_REALIZADO).
func (b *Book) PutDevolucao(e2eid, id string, in DevolucaoInput) (*Devolucao, bool, error) {
	px, err := b.Received(e2eid)
	if err != nil {
		return nil, false, err
	}
	if !ValidDevolucaoID(id) {
		return nil, false, domain.InvalidField("invalid_devolucao_id", "", "id %q is not 1 to 35 letters and digits", id)
	}
	var p problems
	valor := p.amount("/valor", in.Valor, true)
	natureza := in.Natureza
	if natureza == "" {
		natureza = "ORIGINAL"
	}
	if _, ok := Naturezas[natureza]; !ok {
		p.add("invalid_natureza", "/natureza", "%q is not ORIGINAL, RETIRADA, MED_OPERACIONAL or MED_FRAUDE", natureza)
	}
	if len([]rune(in.Descricao)) > MaxDescricao {
		p.add("invalid_descricao", "/descricao", "has at most %d characters", MaxDescricao)
	}
	if err := p.err("invalid_devolucao"); err != nil {
		return nil, false, err
	}
	fp := fmt.Sprintf("%d|%s|%s", valor, natureza, in.Descricao)
	var returned int64
	for _, d := range px.Devolucoes {
		if d.ID == id {
			if d.fingerprint == fp {
				return d, false, nil
			}
			return nil, false, b.idInUse(px, d, valor, natureza, in.Descricao)
		}
		if d.Status != DevolucaoNaoRealizado {
			returned += d.Valor
		}
	}
	if returned+valor > px.Valor {
		return nil, false, &domain.Error{Kind: domain.Invalid, Code: ErrorDevolucaoExceeds, Field: "/valor",
			Message: fmt.Sprintf("Pix %s received %s and %s of it is already returned or being returned: a devolução of at most %s is possible, not %s",
				px.EndToEndID, FormatAmount(px.Valor), FormatAmount(returned), FormatAmount(px.Valor-returned), FormatAmount(valor))}
	}
	now := b.Clock.Now()
	d := &Devolucao{
		ID: id, RtrID: b.Bank.NewPixReturnID(now), EndToEndID: px.EndToEndID, Valor: valor, Natureza: natureza,
		Descricao: in.Descricao, Solicitacao: now, Status: DevolucaoEmProcessamento, fingerprint: fp,
		fails: b.Bank.PixAvailable(px.AccountID) < valor,
	}
	if _, err := b.Bank.HoldPixReturn(bank.PixMovement{
		AccountID: px.AccountID, Amount: valor, EndToEndID: d.RtrID,
		CounterName: px.Pagador.Nome, CounterTaxID: px.Pagador.TaxID(),
		Description: "Devolução Pix para " + px.Pagador.Nome,
		Source:      bank.SourceRef{Type: "pix_refund", ID: d.RtrID},
	}); err != nil {
		return nil, false, err
	}
	px.Devolucoes = append(px.Devolucoes, d)
	b.Emit("pix_refund.created", d)
	b.Clock.Schedule(now.Add(DevolucaoDelay), "pix_refund.settle", d.RtrID, func(at time.Time) { b.settle(d, at) })
	return d, true, nil
}

func (b *Book) idInUse(px *Pix, d *Devolucao, valor int64, natureza, descricao string) error {
	var fs []domain.FieldError
	if valor != d.Valor {
		fs = append(fs, domain.FieldError{Field: "/valor", Message: fmt.Sprintf("devolução %s is for %s", d.ID, FormatAmount(d.Valor))})
	}
	if natureza != d.Natureza {
		fs = append(fs, domain.FieldError{Field: "/natureza", Message: fmt.Sprintf("devolução %s is %s", d.ID, d.Natureza)})
	}
	if descricao != d.Descricao {
		fs = append(fs, domain.FieldError{Field: "/descricao", Message: fmt.Sprintf("devolução %s says %q", d.ID, d.Descricao)})
	}
	return &domain.Error{Kind: domain.Invalid, Code: ErrorDevolucaoIDInUse, Field: fs[0].Field, Fields: fs,
		Message: fmt.Sprintf("Pix %s already has a devolução %s with another request (%s differ); use a new id for a new devolução", px.EndToEndID, d.ID, fieldNames(fs))}
}

// settle ends a devolução's processing.
func (b *Book) settle(d *Devolucao, at time.Time) {
	if d.Status != DevolucaoEmProcessamento {
		return
	}
	if d.fails {
		_ = b.Bank.VoidPixReturn(d.RtrID)
		d.Status, d.Motivo = DevolucaoNaoRealizado, MotivoSaldoInsuficiente
		b.Emit("pix_refund.failed", d)
		return
	}
	_ = b.Bank.SettlePixReturn(d.RtrID, at)
	d.Status, d.Liquidacao = DevolucaoDevolvido, at
	b.Emit("pix_refund.completed", d)
}
