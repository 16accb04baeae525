package simulator

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/clock"
)

// MaxClockAdvance bounds one advance, so a typo cannot queue years of work.
const MaxClockAdvance = 366 * 24 * time.Hour

type clockView struct {
	Object      string     `json:"object"`
	Now         time.Time  `json:"now"`
	Mode        string     `json:"mode"`
	PendingJobs int        `json:"pending_jobs"`
	NextJobAt   *time.Time `json:"next_job_at"`
}

type ranView struct {
	At         time.Time `json:"at"`
	Job        string    `json:"job"`
	ResourceID string    `json:"resource_id"`
}

func viewClock(clk *clock.Clock) clockView {
	v := clockView{Object: "clock", Now: clk.Now(), Mode: string(clk.Mode()), PendingJobs: clk.Pending()}
	if at, ok := clk.NextAt(); ok {
		v.NextJobAt = &at
	}
	return v
}

func (s *Server) getClock(c *call) *response {
	return c.json(http.StatusOK, viewClock(c.tenant.bank.Clock))
}

func (s *Server) advanceClock(c *call) *response {
	var req struct {
		By string `json:"by"`
		To string `json:"to"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	clk := c.tenant.bank.Clock
	now := clk.Now()
	var target time.Time
	field := "/to" // the member that moves the clock
	switch {
	case req.By != "" && req.To != "":
		return c.problem(openapi.CodeValidationFailed, "send either by or to, not both", openapi.Violation{Pointer: "/to", In: "body", Detail: "cannot be combined with by"})
	case req.By == "" && req.To == "":
		return c.problem(openapi.CodeValidationFailed, "say how far to move the clock", openapi.Violation{Pointer: "/by", In: "body", Detail: "send by (a duration such as 2s or PT1H) or to (an instant)"})
	case req.By != "":
		field = "/by"
		d, err := ParseDuration(req.By)
		if err != nil {
			return c.problem(openapi.CodeValidationFailed, err.Error(), openapi.Violation{Pointer: "/by", In: "body", Detail: err.Error()})
		}
		if d <= 0 {
			return c.problem(openapi.CodeValidationFailed, "the clock only moves forward", openapi.Violation{Pointer: "/by", In: "body", Detail: "must be a positive duration"})
		}
		target = now.Add(d)
	default:
		t, err := time.Parse(time.RFC3339Nano, req.To)
		if err != nil || !t.After(now) {
			detail := fmt.Sprintf("must be an instant after the clock's now (%s)", now.Format(time.RFC3339))
			return c.problem(openapi.CodeValidationFailed, detail, openapi.Violation{Pointer: "/to", In: "body", Detail: detail})
		}
		target = t
	}
	if target.Sub(now) > MaxClockAdvance {
		detail := fmt.Sprintf("one advance may move the clock at most %d days", int(MaxClockAdvance.Hours()/24))
		return c.problem(openapi.CodeValidationFailed, detail, openapi.Violation{Pointer: field, In: "body", Detail: detail})
	}
	ran, err := clk.AdvanceTo(target)
	if err != nil {
		return c.problem(openapi.CodeValidationFailed, err.Error())
	}
	out := struct {
		clockView
		Ran []ranView `json:"ran"`
	}{viewClock(clk), []ranView{}}
	for _, r := range ran {
		out.Ran = append(out.Ran, ranView{r.At, r.Name, r.ResourceID})
	}
	return c.json(http.StatusOK, out)
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseDuration accepts Go durations ("90s", "1h30m") and ISO 8601
// durations without years and months ("PT1H30M", "P1D", "P2W").
func ParseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") { // "PT", "P1DT": a T needs a time part after it
		return 0, fmt.Errorf("%q is not a duration: use 90s, 1h30m, PT1H30M or P1D", s)
	}
	// Each part and their sum must fit in a time.Duration: an overflow
	// would wrap around to a short (or negative) duration.
	tooLong := fmt.Errorf("%q is too long a duration", s)
	var d time.Duration
	add := func(x time.Duration) bool {
		if x > math.MaxInt64-d {
			return false
		}
		d += x
		return true
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute}
	for i, u := range units {
		if m[i+1] != "" {
			n, err := strconv.ParseInt(m[i+1], 10, 64)
			if err != nil || n > 100000 || n > math.MaxInt64/int64(u) || !add(time.Duration(n)*u) {
				return 0, tooLong
			}
		}
	}
	if m[5] != "" {
		secs, err := strconv.ParseFloat(m[5], 64)
		if err != nil || secs > 1e9 || !add(time.Duration(secs*float64(time.Second))) {
			return 0, tooLong
		}
	}
	return d, nil
}

func (s *Server) createInboundTransfer(c *call) *response {
	var req struct {
		AccountID string `json:"account_id"`
		Amount    int64  `json:"amount"`
		Currency  string `json:"currency"`
		Rail      string `json:"rail"`
		Debtor    *struct {
			Name    string `json:"name"`
			TaxID   string `json:"tax_id"`
			Account string `json:"account"`
		} `json:"debtor"`
		Description string `json:"description"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	in := bank.InboundInput{AccountID: req.AccountID, Amount: req.Amount, Currency: req.Currency, Rail: req.Rail, Description: req.Description}
	if d := req.Debtor; d != nil {
		in.DebtorName, in.DebtorTaxID, in.DebtorAcct = d.Name, d.TaxID, d.Account
	}
	line, err := c.tenant.bank.ReceiveInbound(in)
	if err != nil {
		return c.domainError(err)
	}
	c.resourceID = line.Source.ID
	return c.created("/v1/accounts/"+line.AccountID+"/transactions", viewTransaction(line))
}
