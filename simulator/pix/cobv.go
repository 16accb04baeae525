package pix

import (
	"math/big"
	"time"
)

// How much a due-date charge (cobv) asks for on a given day. sandbank
// supports the simple forms of the Banco Central's rules, all counted in
// calendar days in Brasília and on valor.original:
//
//	abatimento 1: a fixed amount off          2: a percentage off
//	desconto   1: a fixed amount off until each date   2: a percentage off until each date
//	multa      1: a fixed fine after the due date      2: a percentage fine
//	juros      1: an amount per day late   2: a percentage per day late   3: a percentage per month late (÷ 30 per day)
//
// Percentages and amounts are rounded half up to the centavo.

// mulDivRound is a·b·c / d rounded half up, without overflow.
func mulDivRound(a, b, c, d int64) int64 {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	n.Mul(n, big.NewInt(c))
	n.Add(n, big.NewInt(d/2))
	n.Quo(n, big.NewInt(d))
	if !n.IsInt64() {
		return 1<<62 - 1
	}
	return n.Int64()
}

// percentOf is p hundredths of a percent of amount (p = 250 is 2.50%).
func percentOf(amount, p int64) int64 { return mulDivRound(amount, p, 1, 10000) }

// ruleAmount is what an abatimento or a multa takes or adds.
func ruleAmount(r *Rule, original int64) int64 {
	if r.Modalidade == 1 {
		return r.ValorPerc
	}
	return percentOf(original, r.ValorPerc)
}

func discountAmount(modalidade int, valorPerc, original int64) int64 {
	if modalidade == 1 {
		return valorPerc
	}
	return percentOf(original, valorPerc)
}

// Due is what a charge asks for when paid at an instant, with its parts.
func (ch *Charge) Due(at time.Time) Components {
	c := Components{Original: ch.Valor.Original}
	if ch.Kind != KindCobv {
		return c
	}
	v := ch.Valor
	day := civilDate(at)
	if v.Abatimento != nil {
		c.Abatimento = ruleAmount(v.Abatimento, v.Original)
	}
	if day.After(ch.DataDeVencimento) {
		late := int64(day.Sub(ch.DataDeVencimento) / (24 * time.Hour))
		if v.Multa != nil {
			c.Multa = ruleAmount(v.Multa, v.Original)
		}
		if j := v.Juros; j != nil {
			switch j.Modalidade {
			case 1:
				c.Juros = j.ValorPerc * late
			case 2:
				c.Juros = mulDivRound(v.Original, j.ValorPerc, late, 10000)
			case 3:
				c.Juros = mulDivRound(v.Original, j.ValorPerc, late, 10000*30)
			}
		}
	} else if d := v.Desconto; d != nil {
		for _, step := range d.Datas {
			if !day.After(step.Data) {
				c.Desconto = discountAmount(d.Modalidade, step.ValorPerc, v.Original)
				break
			}
		}
	}
	return c
}

// Total is the amount the components add up to.
func (c Components) Total() int64 {
	return c.Original - c.Abatimento - c.Desconto + c.Multa + c.Juros
}
