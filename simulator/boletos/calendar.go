package boletos

import "time"

// SaoPaulo is the time zone boletos live in: America/Sao_Paulo, which has
// been UTC−3 all year since Brazil dropped daylight saving time in 2019.
// A fixed zone keeps sandbank free of the host's time zone database.
var SaoPaulo = time.FixedZone("BRT", -3*60*60)

// Settlement rules (Transfeera's: "paid before 13:30 settles the same
// day, otherwise D+1"). The day's settlement runs at SettlementHour.
const (
	CutoffHour, CutoffMinute = 13, 30
	SettlementHour           = 17
)

// Date is a calendar date, held as its midnight UTC.
type Date = time.Time

// dateOf is the São Paulo calendar date of an instant.
func dateOf(t time.Time) Date {
	y, m, d := t.In(SaoPaulo).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) { return time.Parse(time.DateOnly, s) }

// at is the instant a São Paulo wall-clock time on a date.
func at(d Date, hour, minute int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, SaoPaulo).UTC()
}

// daysBetween counts calendar days from a to b (negative when b is before a).
func daysBetween(a, b Date) int {
	return int(b.Sub(a).Hours() / 24)
}

func addDays(d Date, n int) Date { return d.AddDate(0, 0, n) }

// businessDay reports whether a date is a weekday. Brazilian bank holidays
// are not simulated.
func businessDay(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func nextBusinessDay(d Date) Date {
	d = addDays(d, 1)
	for !businessDay(d) {
		d = addDays(d, 1)
	}
	return d
}

// SettlementDate is when a boleto paid at an instant settles: the same
// day when it is paid on a business day before 13:30 São Paulo time,
// otherwise the next business day.
func SettlementDate(paidAt time.Time) Date {
	day := dateOf(paidAt)
	if businessDay(day) && paidAt.Before(at(day, CutoffHour, CutoffMinute)) {
		return day
	}
	return nextBusinessDay(day)
}

// settlementInstant is when the settlement of a date runs.
func settlementInstant(d Date) time.Time { return at(d, SettlementHour, 0) }
