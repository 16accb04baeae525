package simulator

import (
	"errors"
	"net/http"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/pix"
)

// Pix charges (cob, cobv), received Pix and devoluções, in the Banco
// Central's dialect: its field names, its statuses, amounts as decimal
// strings, and optional members left out rather than null. Lists use
// sandbank's envelope (data, has_more, next_cursor).

func (s *Server) pixHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"listPixCobs":     s.listPixCharges(pix.KindCob),
		"createPixCob":    s.createPixCob,
		"getPixCob":       s.getPixCharge(pix.KindCob),
		"putPixCob":       s.putPixCharge(pix.KindCob),
		"updatePixCob":    s.updatePixCharge(pix.KindCob),
		"listPixCobvs":    s.listPixCharges(pix.KindCobv),
		"getPixCobv":      s.getPixCharge(pix.KindCobv),
		"putPixCobv":      s.putPixCharge(pix.KindCobv),
		"updatePixCobv":   s.updatePixCharge(pix.KindCobv),
		"listPix":         s.listPix,
		"getPix":          s.getPix,
		"putPixDevolucao": s.putPixDevolucao,
		"getPixDevolucao": s.getPixDevolucao,
		"payPixCob":       s.payPixCob,
	}
}

func init() {
	events.RegisterTypes(
		"pix_charge.created", "pix_charge.updated", "pix_charge.completed", "pix_charge.removed",
		"pix_charge.expired", "pix_charge.payment_rejected",
		"pix.received",
		"pix_refund.created", "pix_refund.completed", "pix_refund.failed",
	)
	registerView(func(ch *pix.Charge) (string, any) { return ch.TxID, viewPixCharge(ch) })
	registerView(func(p *pix.Pix) (string, any) { return p.EndToEndID, viewPix(p) })
	registerView(func(d *pix.Devolucao) (string, any) { return d.RtrID, viewPixDevolucao(d) })
}

// pixError renders an error of the Pix book: a txid reused with another
// request is a 409 naming the members that differ.
func (c *call) pixError(err error) *response {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == pix.ErrorTxIDConflict {
		return c.problemWith(http.StatusConflict, de.Code, "The txid is already used by another charge", de.Message, fieldViolations(de.Fields))
	}
	return c.domainError(err)
}

func chargePath(ch *pix.Charge) string { return "/v1/pix/" + ch.Kind + "/" + ch.TxID }

func (s *Server) putPixCharge(kind string) handlerFunc {
	return func(c *call) *response {
		var in pix.ChargeInput
		if resp := c.decode(&in); resp != nil {
			return resp
		}
		ch, created, err := c.tenant.pix.Put(kind, c.params["txid"], in)
		if err != nil {
			return c.pixError(err)
		}
		c.resourceID = ch.TxID
		if created {
			return c.created(chargePath(ch), viewPixCharge(ch))
		}
		return c.json(http.StatusOK, viewPixCharge(ch))
	}
}

func (s *Server) createPixCob(c *call) *response {
	var in pix.ChargeInput
	if resp := c.decode(&in); resp != nil {
		return resp
	}
	ch, err := c.tenant.pix.Create(in)
	if err != nil {
		return c.pixError(err)
	}
	c.resourceID = ch.TxID
	return c.created(chargePath(ch), viewPixCharge(ch))
}

func (s *Server) getPixCharge(kind string) handlerFunc {
	return func(c *call) *response {
		ch, err := c.tenant.pix.Charge(kind, c.params["txid"])
		if err != nil {
			return c.pixError(err)
		}
		c.resourceID = ch.TxID
		return c.json(http.StatusOK, viewPixCharge(ch))
	}
}

func (s *Server) updatePixCharge(kind string) handlerFunc {
	return func(c *call) *response {
		var in pix.PatchInput
		if resp := c.decode(&in); resp != nil {
			return resp
		}
		ch, err := c.tenant.pix.Patch(kind, c.params["txid"], in)
		if err != nil {
			return c.pixError(err)
		}
		c.resourceID = ch.TxID
		return c.json(http.StatusOK, viewPixCharge(ch))
	}
}

// taxIDFilter reads the cpf and cnpj filters, which exclude each other.
func (c *call) taxIDFilter() (cpf, cnpj string, resp *response) {
	cpf, cnpj = c.query("cpf"), c.query("cnpj")
	if cpf != "" && cnpj != "" {
		return "", "", c.problem(openapi.CodeValidationFailed, "filter by cpf or by cnpj, not both",
			openapi.Violation{Parameter: "cnpj", In: "query", Detail: "cannot be combined with cpf"})
	}
	return cpf, cnpj, nil
}

// periodFilter reads inicio and fim, which must be in order.
func (c *call) periodFilter() (inicio, fim time.Time, resp *response) {
	inicio, fim = c.queryTime("inicio"), c.queryTime("fim")
	if !inicio.IsZero() && !fim.IsZero() && fim.Before(inicio) {
		return inicio, fim, c.problem(openapi.CodeValidationFailed, "fim is before inicio",
			openapi.Violation{Parameter: "fim", In: "query", Detail: "must not be before inicio"})
	}
	return inicio, fim, nil
}

func (s *Server) listPixCharges(kind string) handlerFunc {
	return func(c *call) *response {
		before, limit, resp := c.page(kind)
		if resp != nil {
			return resp
		}
		cpf, cnpj, resp := c.taxIDFilter()
		if resp != nil {
			return resp
		}
		inicio, fim, resp := c.periodFilter()
		if resp != nil {
			return resp
		}
		f := pix.ChargeFilter{Kind: kind, Inicio: inicio, Fim: fim, Status: c.query("status"), CPF: cpf, CNPJ: cnpj}
		return c.json(http.StatusOK, listOf(c.tenant.pix.Charges(f, before, limit), kind, viewPixCharge))
	}
}

func (s *Server) payPixCob(c *call) *response {
	var in pix.PaymentInput
	if resp := c.decode(&in); resp != nil {
		return resp
	}
	px, err := c.tenant.pix.Pay(c.params["txid"], in)
	if err != nil {
		return c.pixError(err)
	}
	c.resourceID = px.EndToEndID
	return c.created("/v1/pix/"+px.EndToEndID, viewPix(px))
}

func (s *Server) getPix(c *call) *response {
	px, err := c.tenant.pix.Received(c.params["e2eid"])
	if err != nil {
		return c.pixError(err)
	}
	c.resourceID = px.EndToEndID
	return c.json(http.StatusOK, viewPix(px))
}

func (s *Server) listPix(c *call) *response {
	before, limit, resp := c.page("pix")
	if resp != nil {
		return resp
	}
	inicio, fim, resp := c.periodFilter()
	if resp != nil {
		return resp
	}
	f := pix.PixFilter{Inicio: inicio, Fim: fim, TxID: c.query("txid")}
	return c.json(http.StatusOK, listOf(c.tenant.pix.ReceivedPix(f, before, limit), "pix", viewPix))
}

func (s *Server) putPixDevolucao(c *call) *response {
	var in pix.DevolucaoInput
	if resp := c.decode(&in); resp != nil {
		return resp
	}
	d, created, err := c.tenant.pix.PutDevolucao(c.params["e2eid"], c.params["id"], in)
	if err != nil {
		return c.pixError(err)
	}
	c.resourceID = d.RtrID
	if created {
		return c.created("/v1/pix/"+d.EndToEndID+"/devolucao/"+d.ID, viewPixDevolucao(d))
	}
	return c.json(http.StatusOK, viewPixDevolucao(d))
}

func (s *Server) getPixDevolucao(c *call) *response {
	d, err := c.tenant.pix.Devolucao(c.params["e2eid"], c.params["id"])
	if err != nil {
		return c.pixError(err)
	}
	c.resourceID = d.RtrID
	return c.json(http.StatusOK, viewPixDevolucao(d))
}

// --- views ---------------------------------------------------------------------

type pixCalendarioView struct {
	Criacao                time.Time `json:"criacao"`
	Expiracao              *int64    `json:"expiracao,omitempty"`
	DataDeVencimento       string    `json:"dataDeVencimento,omitempty"`
	ValidadeAposVencimento *int64    `json:"validadeAposVencimento,omitempty"`
}

type pixLocView struct {
	ID       int64     `json:"id"`
	Location string    `json:"location"`
	TipoCob  string    `json:"tipoCob"`
	Criacao  time.Time `json:"criacao"`
}

// A person, a rule and a desconto are shown as they are sent: the views
// reuse the request types.

func viewPixPerson(p *pix.Person) *pix.PersonInput {
	if p == nil {
		return nil
	}
	v := pix.PersonInput(*p)
	return &v
}

func viewPixRule(r *pix.Rule) *pix.RuleInput {
	if r == nil {
		return nil
	}
	return &pix.RuleInput{Modalidade: r.Modalidade, ValorPerc: pix.FormatAmount(r.ValorPerc)}
}

// pixValorView is pix.ValorInput but for the order of its members
// (desconto before abatimento).
type pixValorView struct {
	Original            string             `json:"original"`
	ModalidadeAlteracao *int               `json:"modalidadeAlteracao,omitempty"`
	Multa               *pix.RuleInput     `json:"multa,omitempty"`
	Juros               *pix.RuleInput     `json:"juros,omitempty"`
	Desconto            *pix.DescontoInput `json:"desconto,omitempty"`
	Abatimento          *pix.RuleInput     `json:"abatimento,omitempty"`
}

type pixChargeView struct {
	Calendario         pixCalendarioView   `json:"calendario"`
	TxID               string              `json:"txid"`
	Revisao            int                 `json:"revisao"`
	Loc                pixLocView          `json:"loc"`
	Location           string              `json:"location"`
	Status             string              `json:"status"`
	Expirada           bool                `json:"expirada"`
	Devedor            *pix.PersonInput    `json:"devedor,omitempty"`
	Valor              pixValorView        `json:"valor"`
	Chave              string              `json:"chave"`
	SolicitacaoPagador string              `json:"solicitacaoPagador,omitempty"`
	InfoAdicionais     []pix.InfoAdicional `json:"infoAdicionais,omitempty"`
	PixCopiaECola      string              `json:"pixCopiaECola"`
	Pix                []pixView           `json:"pix"`
}

func viewPixCharge(ch *pix.Charge) pixChargeView {
	v := pixChargeView{
		Calendario: pixCalendarioView{Criacao: ch.Criacao},
		TxID:       ch.TxID, Revisao: ch.Revisao,
		Loc:      pixLocView(ch.Loc),
		Location: ch.Loc.Location, Status: ch.Status, Expirada: ch.Expirada(),
		Devedor:            viewPixPerson(ch.Devedor),
		Valor:              pixValorView{Original: pix.FormatAmount(ch.Valor.Original)},
		Chave:              ch.Chave,
		SolicitacaoPagador: ch.SolicitacaoPagador, InfoAdicionais: ch.InfoAdicionais,
		PixCopiaECola: ch.PixCopiaECola, Pix: []pixView{},
	}
	switch ch.Kind {
	case pix.KindCob:
		exp, mod := ch.Expiracao, ch.Valor.ModalidadeAlteracao
		v.Calendario.Expiracao, v.Valor.ModalidadeAlteracao = &exp, &mod
	case pix.KindCobv:
		validade := ch.ValidadeAposVencimento
		v.Calendario.DataDeVencimento = ch.DataDeVencimento.Format(time.DateOnly)
		v.Calendario.ValidadeAposVencimento = &validade
		val := ch.Valor
		v.Valor.Multa, v.Valor.Juros, v.Valor.Abatimento = viewPixRule(val.Multa), viewPixRule(val.Juros), viewPixRule(val.Abatimento)
		if d := val.Desconto; d != nil {
			v.Valor.Desconto = &pix.DescontoInput{Modalidade: d.Modalidade, DescontoDataFixa: []pix.DescontoDataInput{}}
			for _, step := range d.Datas {
				v.Valor.Desconto.DescontoDataFixa = append(v.Valor.Desconto.DescontoDataFixa,
					pix.DescontoDataInput{Data: step.Data.Format(time.DateOnly), ValorPerc: pix.FormatAmount(step.ValorPerc)})
			}
		}
	}
	for _, p := range ch.Pix {
		v.Pix = append(v.Pix, viewPix(p))
	}
	return v
}

type pixAmountView struct {
	Valor string `json:"valor"`
}

type pixComponentsView struct {
	Original   pixAmountView  `json:"original"`
	Multa      *pixAmountView `json:"multa,omitempty"`
	Juros      *pixAmountView `json:"juros,omitempty"`
	Abatimento *pixAmountView `json:"abatimento,omitempty"`
	Desconto   *pixAmountView `json:"desconto,omitempty"`
}

func pixAmountOf(v int64) *pixAmountView {
	if v == 0 {
		return nil
	}
	return &pixAmountView{pix.FormatAmount(v)}
}

type pixView struct {
	EndToEndID       string             `json:"endToEndId"`
	TxID             string             `json:"txid"`
	Valor            string             `json:"valor"`
	ComponentesValor *pixComponentsView `json:"componentesValor,omitempty"`
	Chave            string             `json:"chave"`
	Horario          time.Time          `json:"horario"`
	Pagador          pix.PersonInput    `json:"pagador"`
	InfoPagador      string             `json:"infoPagador,omitempty"`
	Devolucoes       []pixDevolucaoView `json:"devolucoes"`
}

func viewPix(p *pix.Pix) pixView {
	v := pixView{
		EndToEndID: p.EndToEndID, TxID: p.TxID, Valor: pix.FormatAmount(p.Valor), Chave: p.Chave, Horario: p.Horario,
		Pagador: pix.PersonInput(p.Pagador), InfoPagador: p.InfoPagador, Devolucoes: []pixDevolucaoView{},
	}
	if p.Kind == pix.KindCobv {
		c := p.ComponentesValor
		v.ComponentesValor = &pixComponentsView{
			Original: pixAmountView{pix.FormatAmount(c.Original)}, Multa: pixAmountOf(c.Multa),
			Juros: pixAmountOf(c.Juros), Abatimento: pixAmountOf(c.Abatimento), Desconto: pixAmountOf(c.Desconto),
		}
	}
	for _, d := range p.Devolucoes {
		v.Devolucoes = append(v.Devolucoes, viewPixDevolucao(d))
	}
	return v
}

type pixHorarioView struct {
	Solicitacao time.Time  `json:"solicitacao"`
	Liquidacao  *time.Time `json:"liquidacao,omitempty"`
}

type pixDevolucaoView struct {
	ID        string         `json:"id"`
	RtrID     string         `json:"rtrId"`
	Valor     string         `json:"valor"`
	Natureza  string         `json:"natureza"`
	Descricao string         `json:"descricao,omitempty"`
	Horario   pixHorarioView `json:"horario"`
	Status    string         `json:"status"`
	Motivo    string         `json:"motivo,omitempty"`
}

func viewPixDevolucao(d *pix.Devolucao) pixDevolucaoView {
	return pixDevolucaoView{
		ID: d.ID, RtrID: d.RtrID, Valor: pix.FormatAmount(d.Valor), Natureza: d.Natureza, Descricao: d.Descricao,
		Horario: pixHorarioView{Solicitacao: d.Solicitacao, Liquidacao: timePtr(d.Liquidacao)},
		Status:  d.Status, Motivo: d.Motivo,
	}
}
