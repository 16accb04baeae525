package boletocode

import (
	"fmt"
	"time"
)

// The fator de vencimento counts days from factorBase. It reached 9999 on
// 2025-02-21 and restarted at 1000 the next day (as if counted from
// 2022-05-29); it will restart at 1000 every 9000 days from then on.
var factorBase = time.Date(1997, 10, 7, 0, 0, 0, 0, time.UTC)

const (
	firstCycleEnd = 9999 // days from factorBase to 2025-02-21
	cycleStart    = 1000 // the factor a new cycle starts at
	cycleLen      = 9000 // days in every cycle after the first
	maxFactor     = 9999
)

// dayNumber is the calendar date of t, in t's own location, as days since
// 1970-01-01. Midnight UTC is a whole number of days from the epoch, so the
// division is exact.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func dateOfDay(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// DueFactor returns the fator de vencimento of a due date: the days since
// 1997-10-07 up to 9999 (2025-02-21), then 1000 on 2025-02-22, 1001 the
// day after, and so on, restarting at 1000 every 9000 days. Only the
// calendar date of due, in its own location, counts. Dates on or before
// 1997-10-07 are errors: the factor would be 0, which means "no due date",
// or negative.
func DueFactor(due time.Time) (int, error) {
	days := dayNumber(due) - dayNumber(factorBase)
	switch {
	case days <= 0:
		return 0, fmt.Errorf("boletocode: due date %s is not after 1997-10-07, where the fator de vencimento starts", due.Format(time.DateOnly))
	case days <= firstCycleEnd:
		return int(days), nil
	default:
		return cycleStart + int((days-firstCycleEnd-1)%cycleLen), nil
	}
}

// DueDate returns the due date a fator de vencimento stands for, at
// midnight UTC; factor 0 (no due date) and factors outside 0..9999 give the
// zero Time. A factor of 1000 or more names one date in every cycle
// (2000-07-03, 2025-02-22, 2049-10-14, …), so DueDate picks the one
// nearest to around — normally the time the boleto is being paid or
// checked, which is never far from its due date — and the earlier one when
// two are equally near.
func DueDate(factor int, around time.Time) time.Time {
	if factor <= 0 || factor > maxFactor {
		return time.Time{}
	}
	base := dayNumber(factorBase)
	target := dayNumber(clampYear(around))
	best := base + int64(factor) // the first cycle, 1997-2025
	if factor >= cycleStart {
		// The date in the second cycle, then the cycles on either side of
		// target.
		first := base + firstCycleEnd + 1 + int64(factor-cycleStart)
		k := max((target-first)/cycleLen, 0)
		for _, c := range []int64{first + k*cycleLen, first + (k+1)*cycleLen} {
			if abs(c-target) < abs(best-target) {
				best = c
			}
		}
	}
	return dateOfDay(best)
}

// clampYear keeps around within years 1..9999 so that day arithmetic
// cannot overflow.
func clampYear(t time.Time) time.Time {
	switch y := t.Year(); {
	case y < 1:
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	case y > 9999:
		return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
