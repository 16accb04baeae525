package pix

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/money"
)

// The requests, as the Banco Central's API spells them. Amounts are
// decimal strings ("123.45"), which are formatting only: they are parsed
// into centavos at once and never computed on.

// ChargeInput creates a charge (PUT or POST /cob, PUT /cobv).
type ChargeInput struct {
	Calendario         *CalendarioInput `json:"calendario,omitempty"`
	Devedor            *PersonInput     `json:"devedor,omitempty"`
	Valor              *ValorInput      `json:"valor,omitempty"`
	Chave              string           `json:"chave"`
	SolicitacaoPagador *string          `json:"solicitacaoPagador,omitempty"`
	InfoAdicionais     []InfoAdicional  `json:"infoAdicionais,omitempty"`
}

// CalendarioInput is expiracao (cob) or dataDeVencimento and
// validadeAposVencimento (cobv).
type CalendarioInput struct {
	Expiracao              *int64 `json:"expiracao,omitempty"`
	DataDeVencimento       string `json:"dataDeVencimento,omitempty"`
	ValidadeAposVencimento *int64 `json:"validadeAposVencimento,omitempty"`
}

// PersonInput is a devedor or a pagador.
type PersonInput struct {
	CPF        string `json:"cpf,omitempty"`
	CNPJ       string `json:"cnpj,omitempty"`
	Nome       string `json:"nome"`
	Email      string `json:"email,omitempty"`
	Logradouro string `json:"logradouro,omitempty"`
	Cidade     string `json:"cidade,omitempty"`
	UF         string `json:"uf,omitempty"`
	CEP        string `json:"cep,omitempty"`
}

// ValorInput is the amount and, for a cobv, its rules.
type ValorInput struct {
	Original            string         `json:"original"`
	ModalidadeAlteracao *int           `json:"modalidadeAlteracao,omitempty"`
	Multa               *RuleInput     `json:"multa,omitempty"`
	Juros               *RuleInput     `json:"juros,omitempty"`
	Abatimento          *RuleInput     `json:"abatimento,omitempty"`
	Desconto            *DescontoInput `json:"desconto,omitempty"`
}

// RuleInput is a multa, juros or abatimento.
type RuleInput struct {
	Modalidade int    `json:"modalidade"`
	ValorPerc  string `json:"valorPerc"`
}

// DescontoInput is a discount until fixed dates.
type DescontoInput struct {
	Modalidade       int                 `json:"modalidade"`
	DescontoDataFixa []DescontoDataInput `json:"descontoDataFixa"`
}

// DescontoDataInput is one step of a desconto.
type DescontoDataInput struct {
	Data      string `json:"data"`
	ValorPerc string `json:"valorPerc"`
}

// PatchInput revises a charge: each member present replaces the charge's
// (devedor and valor as a whole); status can only remove it.
type PatchInput struct {
	Devedor            *PersonInput     `json:"devedor,omitempty"`
	Valor              *ValorInput      `json:"valor,omitempty"`
	Chave              *string          `json:"chave,omitempty"`
	SolicitacaoPagador *string          `json:"solicitacaoPagador,omitempty"`
	InfoAdicionais     *[]InfoAdicional `json:"infoAdicionais,omitempty"`
	Status             *string          `json:"status,omitempty"`
}

// Limits of the Banco Central's API.
const (
	MaxSolicitacaoPagador = 140
	MaxInfoAdicionais     = 50
	maxNome               = 200
)

// BRT is Brasília time (UTC−3, no daylight saving since 2019): the zone
// due dates, fines and interest are counted in.
var BRT = time.FixedZone("BRT", -3*60*60)

// civilDate is the date of an instant in Brasília, as midnight there.
func civilDate(t time.Time) time.Time {
	y, m, d := t.In(BRT).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, BRT)
}

// spec is a validated, normalized creation request: what makes two PUTs of
// a txid "the same request".
type spec struct {
	Kind                   string
	Expiracao              int64     `json:",omitempty"`
	DataDeVencimento       time.Time `json:",omitzero"`
	ValidadeAposVencimento int64     `json:",omitempty"`
	Devedor                *Person
	Valor                  Valor
	Chave                  string
	SolicitacaoPagador     string
	InfoAdicionais         []InfoAdicional
}

func (s spec) fingerprint() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// differences names the members of a creation request that differ from
// the one that created a charge.
func (s spec) differences(o spec) []domain.FieldError {
	var out []domain.FieldError
	same := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	for _, m := range []struct {
		pointer string
		a, b    any
	}{
		{"/calendario", []any{s.Expiracao, s.DataDeVencimento, s.ValidadeAposVencimento}, []any{o.Expiracao, o.DataDeVencimento, o.ValidadeAposVencimento}},
		{"/devedor", s.Devedor, o.Devedor},
		{"/valor", s.Valor, o.Valor},
		{"/chave", s.Chave, o.Chave},
		{"/solicitacaoPagador", s.SolicitacaoPagador, o.SolicitacaoPagador},
		{"/infoAdicionais", s.InfoAdicionais, o.InfoAdicionais},
	} {
		if !same(m.a, m.b) {
			out = append(out, domain.FieldError{Field: m.pointer, Message: "differs from the request that created the charge with this txid"})
		}
	}
	return out
}

// problems collects a request's invalid fields.
type problems []domain.FieldError

func (p *problems) add(code, field, format string, args ...any) {
	*p = append(*p, domain.FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// err is nil without problems; else an invalid-input error naming each
// field, whose code is the problem's own when there is one.
func (p problems) err(code string) error {
	if len(p) == 0 {
		return nil
	}
	if len(p) == 1 && p[0].Code != "" {
		code = p[0].Code
	}
	return &domain.Error{Kind: domain.Invalid, Code: code, Field: p[0].Field, Message: p[0].Message, Fields: p}
}

var (
	amountPattern = regexp.MustCompile(`^[0-9]{1,10}\.[0-9]{2}$`)
	cpfPattern    = regexp.MustCompile(`^[0-9]{11}$`)
	cnpjPattern   = regexp.MustCompile(`^[0-9A-Z]{14}$`)
	ufPattern     = regexp.MustCompile(`^[A-Z]{2}$`)
	cepPattern    = regexp.MustCompile(`^[0-9]{8}$`)
)

// ParseAmount reads a Pix amount ("123.45": 1 to 10 digits, a point and
// two decimals) into centavos.
func ParseAmount(s string) (int64, error) {
	if !amountPattern.MatchString(s) {
		if _, err := money.ParseDecimal(s, "BRL"); errors.Is(err, money.ErrPrecision) {
			return 0, fmt.Errorf("%q has more than 2 decimal places; write amounts like \"123.45\"", s)
		}
		return 0, fmt.Errorf("%q is not an amount like \"123.45\" (1 to 10 digits, a point and 2 decimals)", s)
	}
	return money.ParseDecimal(s, "BRL")
}

// FormatAmount renders centavos as a Pix amount ("123.45").
func FormatAmount(centavos int64) string {
	s, _ := money.FormatMinor(centavos, "BRL")
	return s
}

func (p *problems) amount(field, s string, positive bool) int64 {
	v, err := ParseAmount(s)
	if err != nil {
		p.add("invalid_amount", field, "%v", err)
		return 0
	}
	if positive && v <= 0 {
		p.add("invalid_amount", field, "must be more than 0.00")
	}
	return v
}

func parseDate(s string) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, s, BRT)
	return d, err == nil
}

// person validates a devedor or pagador: a name and exactly one of a CPF
// and a CNPJ with valid check digits. full allows the address fields (the
// devedor of a cobv).
func (p *problems) person(at string, in *PersonInput, full bool) *Person {
	out := &Person{CPF: in.CPF, CNPJ: in.CNPJ, Nome: strings.TrimSpace(in.Nome)}
	switch {
	case in.CPF != "" && in.CNPJ != "":
		p.add("invalid_tax_id", at+"/cnpj", "send a cpf or a cnpj, not both")
	case in.CPF == "" && in.CNPJ == "":
		p.add("invalid_tax_id", at+"/cpf", "a cpf (11 digits) or a cnpj (14 characters) is required")
	case in.CPF != "" && (!cpfPattern.MatchString(in.CPF) || !checkdigit.ValidCPF(in.CPF)):
		p.add("invalid_tax_id", at+"/cpf", "%q is not a valid CPF: 11 digits, the last two check digits (for example 12345678909)", in.CPF)
	case in.CNPJ != "" && (!cnpjPattern.MatchString(in.CNPJ) || !checkdigit.ValidCNPJ(in.CNPJ)):
		p.add("invalid_tax_id", at+"/cnpj", "%q is not a valid CNPJ: 14 characters, the last two check digits (for example 12345678000195)", in.CNPJ)
	}
	if out.Nome == "" {
		p.add("invalid_nome", at+"/nome", "is required")
	} else if len([]rune(out.Nome)) > maxNome {
		p.add("invalid_nome", at+"/nome", "has at most %d characters", maxNome)
	}
	address := in.Email != "" || in.Logradouro != "" || in.Cidade != "" || in.UF != "" || in.CEP != ""
	if !full {
		if address {
			p.add("invalid_devedor", at, "email, logradouro, cidade, uf and cep belong to the devedor of a due-date charge (cobv)")
		}
		return out
	}
	out.Email, out.Logradouro, out.Cidade, out.UF, out.CEP = in.Email, in.Logradouro, in.Cidade, in.UF, in.CEP
	if in.UF != "" && !ufPattern.MatchString(in.UF) {
		p.add("invalid_devedor", at+"/uf", "%q is not a state (UF) such as SP", in.UF)
	}
	if in.CEP != "" && !cepPattern.MatchString(in.CEP) {
		p.add("invalid_devedor", at+"/cep", "%q is not a CEP of 8 digits such as 01310200", in.CEP)
	}
	return out
}

func (p *problems) infos(at string, in []InfoAdicional) []InfoAdicional {
	if len(in) > MaxInfoAdicionais {
		p.add("invalid_info_adicionais", at, "at most %d items", MaxInfoAdicionais)
	}
	for i, info := range in {
		if strings.TrimSpace(info.Nome) == "" {
			p.add("invalid_info_adicionais", fmt.Sprintf("%s/%d/nome", at, i), "is required")
		}
		if strings.TrimSpace(info.Valor) == "" {
			p.add("invalid_info_adicionais", fmt.Sprintf("%s/%d/valor", at, i), "is required")
		}
	}
	return append([]InfoAdicional(nil), in...)
}

func (p *problems) solicitacao(at string, s *string) string {
	if s == nil {
		return ""
	}
	if len([]rune(*s)) > MaxSolicitacaoPagador {
		p.add("invalid_solicitacao_pagador", at, "has at most %d characters", MaxSolicitacaoPagador)
	}
	return *s
}

// chave finds the account a charge's key belongs to: it must be a key of
// one of the tenant's active BRL accounts.
func (b *Book) chave(p *problems, at, key string) (string, string) {
	a, norm, ok := b.Bank.PixKeyAccount(key)
	switch {
	case !ok:
		p.add("invalid_pix_key", at, "%q is not a Pix key: use a CPF, a CNPJ, an e-mail, a phone number (+5511987654321) or a random key (UUID)", key)
	case a == nil:
		p.add("pix_key_not_found", at, "no account of this tenant has the Pix key %q; GET /v1/accounts lists each account's pix_keys", key)
	case a.Status != "active":
		p.add("pix_key_not_found", at, "the Pix key %q belongs to account %s, which is %s", key, a.ID, a.Status)
	default:
		return norm, a.ID
	}
	return "", ""
}

// valor validates the valor of a charge of a kind; vencimento bounds a
// cobv's discount dates.
func (p *problems) valor(kind string, in *ValorInput, vencimento time.Time) Valor {
	v := Valor{Original: p.amount("/valor/original", in.Original, true)}
	if in.ModalidadeAlteracao != nil {
		if kind != KindCob {
			p.add("invalid_valor", "/valor/modalidadeAlteracao", "only an immediate charge (cob) lets the payer change the amount")
		}
		if m := *in.ModalidadeAlteracao; m != 0 && m != 1 {
			p.add("invalid_valor", "/valor/modalidadeAlteracao", "is 0 (the amount is fixed) or 1 (the payer may change it)")
		}
		v.ModalidadeAlteracao = *in.ModalidadeAlteracao
	}
	rules := in.Multa != nil || in.Juros != nil || in.Abatimento != nil || in.Desconto != nil
	if kind != KindCobv {
		if rules {
			p.add("invalid_valor", "/valor", "multa, juros, abatimento and desconto belong to due-date charges (cobv)")
		}
		return v
	}
	v.Multa = p.rule("/valor/multa", in.Multa, "multa", 2)
	v.Juros = p.rule("/valor/juros", in.Juros, "juros", 3)
	v.Abatimento = p.rule("/valor/abatimento", in.Abatimento, "abatimento", 2)
	if d := in.Desconto; d != nil {
		v.Desconto = &Desconto{Modalidade: d.Modalidade}
		if d.Modalidade != 1 && d.Modalidade != 2 {
			p.add("invalid_valor", "/valor/desconto/modalidade", "sandbank supports 1 (a fixed amount until each date) and 2 (a percentage until each date)")
		}
		if n := len(d.DescontoDataFixa); n < 1 || n > 3 {
			p.add("invalid_valor", "/valor/desconto/descontoDataFixa", "1 to 3 dates with their discount")
		}
		var last time.Time
		for i, step := range d.DescontoDataFixa {
			at := fmt.Sprintf("/valor/desconto/descontoDataFixa/%d", i)
			date, ok := parseDate(step.Data)
			switch {
			case !ok:
				p.add("invalid_valor", at+"/data", "%q is not a date such as 2026-03-20", step.Data)
			case !vencimento.IsZero() && date.After(vencimento):
				p.add("invalid_valor", at+"/data", "a discount date must be on or before dataDeVencimento (%s)", vencimento.Format(time.DateOnly))
			case !last.IsZero() && !date.After(last):
				p.add("invalid_valor", at+"/data", "the dates must increase")
			}
			last = date
			value := p.amount(at+"/valorPerc", step.ValorPerc, true)
			if d.Modalidade == 2 && value > 10000 {
				p.add("invalid_valor", at+"/valorPerc", "a percentage is at most 100.00")
			}
			v.Desconto.Datas = append(v.Desconto.Datas, DescontoData{Data: date, ValorPerc: value})
		}
	}
	if v.Original > 0 {
		// The largest reduction must leave something to pay.
		var off int64
		if v.Abatimento != nil {
			off += ruleAmount(v.Abatimento, v.Original)
		}
		if v.Desconto != nil {
			var most int64
			for _, step := range v.Desconto.Datas {
				most = max(most, discountAmount(v.Desconto.Modalidade, step.ValorPerc, v.Original))
			}
			off += most
		}
		if off >= v.Original {
			p.add("invalid_valor", "/valor", "abatimento and desconto (%s) would leave nothing of the original %s to pay", FormatAmount(off), FormatAmount(v.Original))
		}
	}
	return v
}

// rule validates a multa (modalidades 1, 2), juros (1, 2, 3) or
// abatimento (1, 2): 1 is a fixed amount; 2 a percentage (per day, for
// juros); 3 a percentage per month (juros).
func (p *problems) rule(at string, in *RuleInput, name string, maxModalidade int) *Rule {
	if in == nil {
		return nil
	}
	r := &Rule{Modalidade: in.Modalidade}
	if in.Modalidade < 1 || in.Modalidade > maxModalidade {
		p.add("invalid_valor", at+"/modalidade", "sandbank supports %s modalidades 1 to %d (see docs/pix.md)", name, maxModalidade)
	}
	r.ValorPerc = p.amount(at+"/valorPerc", in.ValorPerc, true)
	if in.Modalidade >= 2 && r.ValorPerc > 10000 {
		p.add("invalid_valor", at+"/valorPerc", "a percentage is at most 100.00")
	}
	return r
}

// normalize validates a creation request for a charge of a kind.
func (b *Book) normalize(kind string, in ChargeInput, now time.Time) (spec, error) {
	var p problems
	s := spec{Kind: kind}
	cal := in.Calendario
	if cal == nil {
		cal = &CalendarioInput{}
	}
	switch kind {
	case KindCob:
		s.Expiracao = DefaultExpiracao
		if cal.Expiracao != nil {
			s.Expiracao = *cal.Expiracao
			if s.Expiracao < 1 || s.Expiracao > 2147483647 {
				p.add("invalid_calendario", "/calendario/expiracao", "is a number of seconds from 1 to 2147483647")
			}
		}
		if cal.DataDeVencimento != "" || cal.ValidadeAposVencimento != nil {
			p.add("invalid_calendario", "/calendario", "an immediate charge (cob) has expiracao; dataDeVencimento and validadeAposVencimento belong to cobv")
		}
		if in.Devedor != nil {
			s.Devedor = p.person("/devedor", in.Devedor, false)
		}
	case KindCobv:
		s.ValidadeAposVencimento = DefaultValidadeAposVencimento
		if cal.Expiracao != nil {
			p.add("invalid_calendario", "/calendario/expiracao", "a due-date charge (cobv) has dataDeVencimento and validadeAposVencimento, not expiracao")
		}
		if cal.ValidadeAposVencimento != nil {
			s.ValidadeAposVencimento = *cal.ValidadeAposVencimento
			if s.ValidadeAposVencimento < 0 || s.ValidadeAposVencimento > 3650 {
				p.add("invalid_calendario", "/calendario/validadeAposVencimento", "is a number of days from 0 to 3650")
			}
		}
		switch d, ok := parseDate(cal.DataDeVencimento); {
		case cal.DataDeVencimento == "":
			p.add("invalid_calendario", "/calendario/dataDeVencimento", "is required")
		case !ok:
			p.add("invalid_calendario", "/calendario/dataDeVencimento", "%q is not a date such as 2026-03-31", cal.DataDeVencimento)
		case d.Before(civilDate(now)):
			p.add("invalid_calendario", "/calendario/dataDeVencimento", "%s is in the past (today is %s in Brasília)", cal.DataDeVencimento, civilDate(now).Format(time.DateOnly))
		default:
			s.DataDeVencimento = d
		}
		if in.Devedor == nil {
			p.add("invalid_devedor", "/devedor", "is required for a due-date charge (cobv)")
		} else {
			s.Devedor = p.person("/devedor", in.Devedor, true)
		}
	}
	if in.Valor == nil {
		p.add("invalid_valor", "/valor", "is required")
	} else {
		s.Valor = p.valor(kind, in.Valor, s.DataDeVencimento)
	}
	s.Chave, _ = b.chave(&p, "/chave", in.Chave)
	s.SolicitacaoPagador = p.solicitacao("/solicitacaoPagador", in.SolicitacaoPagador)
	s.InfoAdicionais = p.infos("/infoAdicionais", in.InfoAdicionais)
	if len(s.InfoAdicionais) == 0 {
		s.InfoAdicionais = nil
	}
	return s, p.err("invalid_pix_charge")
}
