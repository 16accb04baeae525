package boletos

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sandbank/sandbank/simulator/checkdigit"
)

// Percentages (a fine, a monthly interest rate) are written as decimal
// strings with at most two decimals, "2.00" or "2.5" or "2", as the
// Banco Central's Pix API writes them, and held as hundredths of a
// percent (basis points): "2.00" is 200. Money is never a float, and
// neither is a rate applied to it.

// MaxPercent is the largest fine or monthly interest rate, 100.00 %.
const MaxPercent = 10_000

// ParsePercent reads a percentage with at most three integer digits and
// two decimals ("2", "2.5", "2.00") as basis points.
func ParsePercent(s string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || !checkdigit.IsDigits(whole) || (dot && (frac == "" || len(frac) > 2 || !checkdigit.IsDigits(frac))) {
		return 0, fmt.Errorf("%q is not a percentage with at most two decimals, such as 2.00", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, nil
}

// FormatPercent writes basis points as a percentage with two decimals.
func FormatPercent(bp int64) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// percentOf is amount × bp / 10 000 × num / den, rounded half up, in
// integer arithmetic (amounts and rates are bounded so nothing overflows:
// 10¹⁰ × 10⁴ × 3 650 < 2⁶³).
func percentOf(amount, bp, num, den int64) int64 {
	d := 10_000 * den
	return (amount*bp*num + d/2) / d
}

// Charges is what a boleto costs on a day: its face amount, less the
// discount up to the discount's date, or plus the fine and the pro-rata
// interest after the due date.
type Charges struct {
	Amount   int64 // the face amount
	Discount int64
	Fine     int64
	Interest int64
	DaysLate int
}

// Total is the amount due.
func (c Charges) Total() int64 { return c.Amount - c.Discount + c.Fine + c.Interest }

// ChargesOn works out what a boleto costs when paid on a São Paulo date.
// On or before the due date: the amount, less the discount when paid on
// or before its date. After it: the amount, plus the fine (a percentage of
// the amount, once) and interest at the monthly rate for each calendar
// day late, a month counting 30 days; each rounded half up to the
// centavo.
func (b *Boleto) ChargesOn(day Date) Charges {
	c := Charges{Amount: b.Amount}
	late := daysBetween(b.DueDate, day)
	if late <= 0 {
		if d := b.Discount; d != nil && !day.After(d.Until) {
			c.Discount = d.Amount
		}
		return c
	}
	c.DaysLate = late
	if f := b.Fine; f != nil {
		c.Fine = percentOf(b.Amount, f.BasisPoints, 1, 1)
	}
	if i := b.Interest; i != nil {
		c.Interest = percentOf(b.Amount, i.MonthlyBasisPoints, int64(late), 30)
	}
	return c
}
