package pix

import (
	"fmt"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/brcode"
	"github.com/sandbank/sandbank/simulator/domain"
)

// Charges: creation (idempotent by txid), revision, the BR Code, and the
// clock jobs a charge schedules.

// ErrorTxIDConflict is the code of a PUT that reuses a txid with another
// request (the Banco Central's CobOperacaoInvalida); the simulator answers
// it with 409.
const ErrorTxIDConflict = "pix_txid_conflict"

// ValidTxID reports whether s is a txid: 26 to 35 letters and digits.
func ValidTxID(s string) bool { return txidPattern.MatchString(s) }

// Put creates the charge of a kind with a txid, or, when a charge with
// that txid was created by the same request, returns it (created false):
// PUT is idempotent. A txid already used by another request, or by a
// charge of the other kind, is an ErrorTxIDConflict naming the members
// that differ.
func (b *Book) Put(kind, txid string, in ChargeInput) (*Charge, bool, error) {
	if !ValidTxID(txid) {
		return nil, false, domain.InvalidField("invalid_txid", "", "txid %q is not 26 to 35 letters and digits", txid)
	}
	now := b.Clock.Now()
	s, err := b.normalize(kind, in, now)
	if err != nil {
		return nil, false, err
	}
	if ch, ok := b.byTxID[txid]; ok {
		if ch.Kind != kind {
			return nil, false, &domain.Error{Kind: domain.State, Code: ErrorTxIDConflict,
				Message: fmt.Sprintf("txid %s already names a %s; a txid is unique across the tenant's charges", txid, kindNames[ch.Kind])}
		}
		if ch.fingerprint == s.fingerprint() {
			return ch, false, nil
		}
		diff := s.differences(ch.spec)
		return nil, false, &domain.Error{Kind: domain.State, Code: ErrorTxIDConflict, Fields: diff,
			Message: fmt.Sprintf("txid %s was created by a different request (%s differ); repeat that request exactly to read the charge, or use a new txid", txid, fieldNames(diff))}
	}
	ch, err := b.create(txid, s, now)
	return ch, err == nil, err
}

// Create creates an immediate charge under a txid the book draws (35
// letters and digits, from the tenant's seeded faker): POST /cob.
func (b *Book) Create(in ChargeInput) (*Charge, error) {
	now := b.Clock.Now()
	s, err := b.normalize(KindCob, in, now)
	if err != nil {
		return nil, err
	}
	txid := b.fake.Password(true, true, true, false, false, 35)
	for b.byTxID[txid] != nil {
		txid = b.fake.Password(true, true, true, false, false, 35)
	}
	return b.create(txid, s, now)
}

func fieldNames(fs []domain.FieldError) string {
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, strings.TrimPrefix(f.Field, "/"))
	}
	return strings.Join(names, ", ")
}

func (b *Book) create(txid string, s spec, now time.Time) (*Charge, error) {
	var p problems
	_, accountID := b.chave(&p, "/chave", s.Chave)
	if err := p.err("invalid_pix_charge"); err != nil {
		return nil, err
	}
	b.locSeq++
	ch := &Charge{
		Seq: b.nextSeq(), Kind: s.Kind, TxID: txid, Criacao: now, UpdatedAt: now,
		Expiracao: s.Expiracao, DataDeVencimento: s.DataDeVencimento, ValidadeAposVencimento: s.ValidadeAposVencimento,
		Devedor: s.Devedor, Valor: s.Valor, Chave: s.Chave, AccountID: accountID,
		SolicitacaoPagador: s.SolicitacaoPagador, InfoAdicionais: s.InfoAdicionais, Status: StatusAtiva,
		Loc:  Loc{ID: b.locSeq, Location: LocationBase + strings.ReplaceAll(b.fake.UUID(), "-", ""), TipoCob: s.Kind, Criacao: now},
		spec: s, fingerprint: s.fingerprint(),
	}
	code, err := b.brCode(ch)
	if err != nil {
		return nil, err
	}
	ch.PixCopiaECola = code
	b.charges = append(b.charges, ch)
	b.byTxID[txid] = ch
	b.Emit("pix_charge.created", ch)
	b.schedule(ch)
	return ch, nil
}

// schedule queues the charge's expiry and what its magic payer CPF does.
func (b *Book) schedule(ch *Charge) {
	expires := ch.ExpiresAt()
	ch.expiryJob = b.Clock.Schedule(expires, "pix_charge.expire", ch.TxID, func(time.Time) {
		ch.expiryJob = nil
		if ch.Status == StatusAtiva {
			ch.expired = true
			b.Emit("pix_charge.expired", ch)
		}
	})
	switch ch.Devedor.TaxID() {
	case MagicPaysCPF:
		ch.magicJob = b.Clock.Schedule(ch.Criacao.Add(MagicDelay), "pix_charge.magic_payment", ch.TxID, func(at time.Time) {
			ch.magicJob = nil
			b.magicPayment(ch, at)
		})
	case MagicLateCPF:
		ch.magicJob = b.Clock.Schedule(expires.Add(MagicDelay), "pix_charge.magic_payment", ch.TxID, func(at time.Time) {
			ch.magicJob = nil
			b.magicPayment(ch, at)
		})
	}
}

// magicPayment is the magic payer paying the charge from outside: it
// pays what is due if it can, and otherwise the attempt is rejected and
// recorded as a pix_charge.payment_rejected event (the charge does not
// change).
func (b *Book) magicPayment(ch *Charge, at time.Time) {
	d := ch.Devedor
	if ch.Status != StatusAtiva || d == nil || (d.CPF != MagicPaysCPF && d.CPF != MagicLateCPF) {
		return // paid, removed, or no longer the magic payer's
	}
	_, err := b.pay(ch, PaymentInput{Pagador: PersonInput{CPF: d.CPF, Nome: d.Nome}}, at)
	if err != nil {
		b.Emit("pix_charge.payment_rejected", ch)
	}
}

// cancelJobs drops a charge's pending clock jobs once it can no longer be
// paid or expire.
func (b *Book) cancelJobs(ch *Charge) {
	b.Clock.Cancel(ch.expiryJob)
	b.Clock.Cancel(ch.magicJob)
	ch.expiryJob, ch.magicJob = nil, nil
}

// Patch revises an ATIVA charge of a kind. Each member present replaces
// the charge's; revisao counts the revisions. Status can only become
// REMOVIDA_PELO_USUARIO_RECEBEDOR.
func (b *Book) Patch(kind, txid string, in PatchInput) (*Charge, error) {
	ch, err := b.Charge(kind, txid)
	if err != nil {
		return nil, err
	}
	if ch.Status != StatusAtiva {
		return nil, domain.StateError("pix_charge_not_active", "charge %s is %s; only an ATIVA charge can be revised", txid, ch.Status)
	}
	if in.Devedor == nil && in.Valor == nil && in.Chave == nil && in.SolicitacaoPagador == nil && in.InfoAdicionais == nil && in.Status == nil {
		return nil, domain.InvalidField("invalid_pix_charge", "", "nothing to revise: send devedor, valor, chave, solicitacaoPagador, infoAdicionais or status")
	}
	var p problems
	next := *ch
	if in.Devedor != nil {
		next.Devedor = p.person("/devedor", in.Devedor, kind == KindCobv)
	}
	if in.Valor != nil {
		next.Valor = p.valor(kind, in.Valor, ch.DataDeVencimento)
	}
	if in.Chave != nil {
		next.Chave, next.AccountID = b.chave(&p, "/chave", *in.Chave)
	}
	if in.SolicitacaoPagador != nil {
		next.SolicitacaoPagador = p.solicitacao("/solicitacaoPagador", in.SolicitacaoPagador)
	}
	if in.InfoAdicionais != nil {
		next.InfoAdicionais = p.infos("/infoAdicionais", *in.InfoAdicionais)
	}
	remove := false
	if in.Status != nil {
		if *in.Status != StatusRemovidaPeloRecebedor {
			p.add("invalid_status", "/status", "a revision can only set status to %s", StatusRemovidaPeloRecebedor)
		}
		remove = true
	}
	if err := p.err("invalid_pix_charge"); err != nil {
		return nil, err
	}
	code, err := b.brCode(&next)
	if err != nil {
		return nil, err
	}
	now := b.Clock.Now()
	ch.Devedor, ch.Valor, ch.Chave, ch.AccountID = next.Devedor, next.Valor, next.Chave, next.AccountID
	ch.SolicitacaoPagador, ch.InfoAdicionais, ch.PixCopiaECola = next.SolicitacaoPagador, next.InfoAdicionais, code
	if len(ch.InfoAdicionais) == 0 {
		ch.InfoAdicionais = nil
	}
	ch.Revisao++
	ch.UpdatedAt = now
	if remove {
		ch.Status = StatusRemovidaPeloRecebedor
		b.cancelJobs(ch)
		b.Emit("pix_charge.removed", ch)
		return ch, nil
	}
	b.Emit("pix_charge.updated", ch)
	return ch, nil
}

// brCode renders the charge's dynamic BR Code: point of initiation 12,
// the location (merchant account subfield 25), the amount of a cob (a
// cobv's amount depends on the day it is paid, so its code carries none),
// the receiving account holder's name and city, and txid "***" (a dynamic
// code's txid travels in the payload its location serves).
func (b *Book) brCode(ch *Charge) (string, error) {
	name, city := "", ""
	if a, err := b.Bank.Account(ch.AccountID); err == nil {
		if c, err := b.Bank.Customer(a.CustomerID); err == nil {
			name = c.Name
			if c.Address != nil {
				city = c.Address.City
			}
		}
	}
	p := DynamicPayload(ch.Loc.Location, name, city)
	if ch.Kind == KindCob {
		p.Amount = FormatAmount(ch.Valor.Original)
	}
	return brcode.Encode(p)
}

// DynamicPayload is the BR Code payload of a dynamic charge at location,
// for a receiver's name and city (made to fit, see MerchantName and
// MerchantCity).
func DynamicPayload(location, name, city string) brcode.Payload {
	return brcode.Payload{
		PointOfInitiation: brcode.DynamicInitiation, URL: location,
		Name: MerchantName(name), City: MerchantCity(city), TxID: "***",
	}
}

// MerchantName is a receiver's name as field 59 carries it: printable
// ASCII (accents transliterated, other characters dropped), spaces
// collapsed, at most 25 characters; "SANDBANK" if nothing is left.
func MerchantName(s string) string { return fit(s, 25, "SANDBANK") }

// MerchantCity is a receiver's city as field 60 carries it, at most 15
// characters; "SAO PAULO" if it has none.
func MerchantCity(s string) string { return fit(s, 15, "SAO PAULO") }

func fit(s string, limit int, fallback string) string {
	var b strings.Builder
	for _, r := range s {
		t, err := brcode.Transliterate(string(r))
		if err != nil {
			continue
		}
		b.WriteString(t)
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > limit {
		out = strings.TrimRight(out[:limit], " ")
	}
	if out == "" {
		return fallback
	}
	return out
}
