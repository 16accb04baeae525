// Package pix is a tenant's Pix charges (cobranças, with the Central
// Bank's field names and BR Codes) and devoluções, paid into the tenant's
// own accounts. An immediate charge (cob) or a due-date charge (cobv) is
// created under a txid, carries a dynamic "Pix copia e cola" BR Code, and
// is ATIVA until it is paid (CONCLUIDA) or removed. Expiry is derived, as
// the Banco Central specifies: an expired charge stays ATIVA and can no
// longer be paid. A payment credits the account that owns the charge's
// Pix key through the bank's ledger; a devolução debits it back, pending
// while EM_PROCESSAMENTO. Everything that happens later (expiry, the magic
// payer CPFs, settling a devolução) runs on the tenant's virtual clock.
// It knows nothing of HTTP; it is not safe for concurrent use (the tenant
// holds a lock).
package pix

import (
	"fmt"
	"regexp"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
)

// Charge statuses (CobrancaStatus). Expiry is not one of them.
const (
	StatusAtiva                   = "ATIVA"
	StatusConcluida               = "CONCLUIDA"
	StatusRemovidaPeloRecebedor   = "REMOVIDA_PELO_USUARIO_RECEBEDOR"
	StatusRemovidaPeloPSP         = "REMOVIDA_PELO_PSP"
	KindCob                       = "cob"  // immediate charge
	KindCobv                      = "cobv" // due-date charge
	DefaultExpiracao              = 86400  // seconds a cob can be paid, unless it says otherwise
	DefaultValidadeAposVencimento = 30     // days a cobv can still be paid after its due date
)

// Devolução statuses.
const (
	DevolucaoEmProcessamento = "EM_PROCESSAMENTO"
	DevolucaoDevolvido       = "DEVOLVIDO"
	DevolucaoNaoRealizado    = "NAO_REALIZADO"
)

// Natureza of a devolução, with the pacs.004 reason code it travels as.
var Naturezas = map[string]string{
	"ORIGINAL":        "MD06",
	"RETIRADA":        "SL02",
	"MED_OPERACIONAL": "BE08",
	"MED_FRAUDE":      "FR01",
}

// The reference's magic payer CPFs (devedor.cpf of a charge).
const (
	// MagicPaysCPF pays the charge by itself MagicDelay after it is created.
	MagicPaysCPF = "00000000191"
	// MagicLateCPF tries to pay MagicDelay after the charge expired: the
	// attempt is rejected and the charge stays ATIVA (expired).
	MagicLateCPF = "00000000272"
	MagicDelay   = 5 * time.Second
)

// DevolucaoDelay is how long a devolução stays EM_PROCESSAMENTO.
const DevolucaoDelay = 3 * time.Second

// LocationBase is where sandbank's dynamic BR Codes point (without the
// scheme, as the BR Code carries it). The location is an identifier: it
// does not resolve.
const LocationBase = "pix.sandbank.dev/qr/v2/"

// Book is one tenant's Pix charges, received Pix and devoluções.
type Book struct {
	Clock *clock.Clock
	Bank  *bank.Bank
	Emit  events.Emitter
	fake  *gofakeit.Faker

	seq     uint64 // orders charges and received Pix for cursor pagination
	locSeq  int64
	charges []*Charge
	byTxID  map[string]*Charge
	pixes   []*Pix
	byE2E   map[string]*Pix
}

// New returns an empty book crediting the tenant's bank.
func New(clk *clock.Clock, b *bank.Bank, fake *gofakeit.Faker) *Book {
	return &Book{Clock: clk, Bank: b, Emit: events.Nop, fake: fake, byTxID: map[string]*Charge{}, byE2E: map[string]*Pix{}}
}

func (b *Book) nextSeq() uint64 {
	b.seq++
	return b.seq
}

// Charge is a cobrança: immediate (cob) or with a due date (cobv).
type Charge struct {
	Seq     uint64
	Kind    string // KindCob | KindCobv
	TxID    string
	Revisao int
	Criacao time.Time
	// Expiracao is, for a cob, how many seconds after Criacao it can be paid.
	Expiracao int64
	// DataDeVencimento is, for a cobv, its due date (midnight in Brasília);
	// it can be paid until the end of ValidadeAposVencimento days after it.
	DataDeVencimento       time.Time
	ValidadeAposVencimento int64
	Devedor                *Person
	Valor                  Valor
	Chave                  string // as DICT stores it
	AccountID              string // the account that owns Chave
	SolicitacaoPagador     string
	InfoAdicionais         []InfoAdicional
	Status                 string
	Loc                    Loc
	PixCopiaECola          string
	Pix                    []*Pix
	UpdatedAt              time.Time

	expired     bool   // the expiry job ran (while ATIVA)
	spec        spec   // what created it, for PUT idempotency
	fingerprint string // of spec
	expiryJob   *clock.Job
	magicJob    *clock.Job
}

// Loc is the payload location a dynamic BR Code points to.
type Loc struct {
	ID       int64
	Location string
	TipoCob  string // cob | cobv
	Criacao  time.Time
}

// Person is a charge's devedor or a payment's pagador. Exactly one of CPF
// and CNPJ is set (digits, or digits and letters for the alphanumeric
// CNPJ); the address fields belong to the devedor of a cobv.
type Person struct {
	CPF, CNPJ, Nome                    string
	Email, Logradouro, Cidade, UF, CEP string
}

// TaxID is the person's CPF or CNPJ.
func (p *Person) TaxID() string {
	if p == nil {
		return ""
	}
	if p.CPF != "" {
		return p.CPF
	}
	return p.CNPJ
}

// InfoAdicional is a name/value pair shown to the payer.
type InfoAdicional struct {
	Nome  string `json:"nome"`
	Valor string `json:"valor"`
}

// Valor is a charge's amount, in centavos, and for a cobv the rules that
// change it with the payment date.
type Valor struct {
	Original int64
	// ModalidadeAlteracao 1 lets the payer change the amount (cob only).
	ModalidadeAlteracao int
	Multa, Juros        *Rule
	Abatimento          *Rule
	Desconto            *Desconto
}

// Rule is a multa, juros or abatimento: a modalidade and its value, in
// centavos (fixed amounts) or hundredths of a percent (percentages).
type Rule struct {
	Modalidade int
	ValorPerc  int64
}

// Desconto is a discount until fixed dates.
type Desconto struct {
	Modalidade int // 1: fixed amount, 2: percentage, until each date
	Datas      []DescontoData
}

// DescontoData is one step of a desconto: its value applies to a payment
// made on or before Data.
type DescontoData struct {
	Data      time.Time // midnight in Brasília
	ValorPerc int64
}

// Expirada reports whether the charge can no longer be paid because its
// time ran out. It is derived (the Banco Central has no such status): an
// expired charge is still ATIVA; a paid or removed one is never expirada.
func (ch *Charge) Expirada() bool { return ch.Status == StatusAtiva && ch.expired }

// ExpiresAt is the instant the charge stops being payable: criacao +
// expiracao for a cob; for a cobv, the end (in Brasília) of the last day
// of validadeAposVencimento.
func (ch *Charge) ExpiresAt() time.Time {
	if ch.Kind == KindCobv {
		return ch.DataDeVencimento.AddDate(0, 0, int(ch.ValidadeAposVencimento)+1)
	}
	return ch.Criacao.Add(time.Duration(ch.Expiracao) * time.Second)
}

// Pix is a Pix received by one of the tenant's accounts, paying a charge.
type Pix struct {
	Seq              uint64
	EndToEndID       string
	TxID             string
	Kind             string // of the charge it paid
	Valor            int64
	ComponentesValor Components
	Chave            string
	AccountID        string
	Horario          time.Time
	Pagador          Person
	InfoPagador      string
	Devolucoes       []*Devolucao
	TransactionID    string // the credit on the receiving account's statement
}

// Components explain a cobv payment: original − abatimento − desconto +
// multa + juros.
type Components struct {
	Original, Multa, Juros, Abatimento, Desconto int64
}

// Devolucao returns (part of) a received Pix to its payer.
type Devolucao struct {
	ID          string
	RtrID       string
	EndToEndID  string // the Pix it returns
	Valor       int64
	Natureza    string
	Descricao   string
	Solicitacao time.Time
	Liquidacao  time.Time // zero until DEVOLVIDO
	Status      string
	Motivo      string

	fingerprint string
	fails       bool // the account could not cover it when requested
}

// Lookups -------------------------------------------------------------------

var (
	txidPattern = regexp.MustCompile(`^[a-zA-Z0-9]{26,35}$`)
	idPattern   = regexp.MustCompile(`^[a-zA-Z0-9]{1,35}$`)
)

var kindNames = map[string]string{KindCob: "immediate Pix charge (cob)", KindCobv: "due-date Pix charge (cobv)"}

// Charge returns the charge of a kind with a txid.
func (b *Book) Charge(kind, txid string) (*Charge, error) {
	if ch, ok := b.byTxID[txid]; ok && ch.Kind == kind {
		return ch, nil
	}
	return nil, domain.NotFoundError(kindNames[kind], txid)
}

// AnyCharge returns the charge with a txid, of either kind.
func (b *Book) AnyCharge(txid string) (*Charge, error) {
	if ch, ok := b.byTxID[txid]; ok {
		return ch, nil
	}
	return nil, domain.NotFoundError("Pix charge", txid)
}

// Received returns a received Pix by its endToEndId.
func (b *Book) Received(e2eid string) (*Pix, error) {
	if p, ok := b.byE2E[e2eid]; ok {
		return p, nil
	}
	return nil, domain.NotFoundError("Pix", e2eid)
}

// Devolucao returns a devolução of a received Pix.
func (b *Book) Devolucao(e2eid, id string) (*Devolucao, error) {
	p, err := b.Received(e2eid)
	if err != nil {
		return nil, err
	}
	for _, d := range p.Devolucoes {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, domain.NotFoundError("devolução", fmt.Sprintf("%s of Pix %s", id, e2eid))
}

// ChargeFilter narrows a charge list. Inicio and Fim bound
// calendario.criacao (both inclusive, zero: unbounded).
type ChargeFilter struct {
	Kind      string
	Inicio    time.Time
	Fim       time.Time
	Status    string
	CPF, CNPJ string
}

// Charges lists charges of a kind, newest first.
func (b *Book) Charges(f ChargeFilter, before uint64, limit int) domain.Page[*Charge] {
	return domain.Paginate(b.charges, func(ch *Charge) uint64 { return ch.Seq }, before, limit, func(ch *Charge) bool {
		return ch.Kind == f.Kind && inRange(ch.Criacao, f.Inicio, f.Fim) &&
			(f.Status == "" || ch.Status == f.Status) &&
			(f.CPF == "" || (ch.Devedor != nil && ch.Devedor.CPF == f.CPF)) &&
			(f.CNPJ == "" || (ch.Devedor != nil && ch.Devedor.CNPJ == f.CNPJ))
	})
}

// PixFilter narrows the list of received Pix. Inicio and Fim bound horario
// (both inclusive, zero: unbounded).
type PixFilter struct {
	Inicio, Fim time.Time
	TxID        string
}

// ReceivedPix lists received Pix, newest first.
func (b *Book) ReceivedPix(f PixFilter, before uint64, limit int) domain.Page[*Pix] {
	return domain.Paginate(b.pixes, func(p *Pix) uint64 { return p.Seq }, before, limit, func(p *Pix) bool {
		return inRange(p.Horario, f.Inicio, f.Fim) && (f.TxID == "" || p.TxID == f.TxID)
	})
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}
