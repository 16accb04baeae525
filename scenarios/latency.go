package scenarios

import (
	"errors"
	"math"
	"time"
)

// Latency delays the exchange: before the handler (phase before) or
// before the response is written (after_commit). The delay is fixed
// (duration), uniform (min..max) or log-normal (median, sigma).
type Latency struct {
	Duration Duration `yaml:"duration"`
	Min      Duration `yaml:"min"`
	Max      Duration `yaml:"max"`
	Median   Duration `yaml:"median"`
	Sigma    float64  `yaml:"sigma"`
}

func init() {
	Register(&FaultType{
		Name: "latency", Primary: "duration", DefaultPhase: Before,
		Summary: "delay the request (fixed duration, uniform min..max, or log-normal median and sigma)",
		New:     func() Fault { return &Latency{} },
	})
}

// Validate checks that exactly one distribution is described.
func (l *Latency) Validate() error {
	modes := 0
	if l.Duration > 0 {
		modes++
	}
	if l.Min > 0 || l.Max > 0 {
		modes++
		if l.Max <= l.Min {
			return errors.New("max must be greater than min")
		}
	}
	if l.Median > 0 || l.Sigma != 0 {
		modes++
		if l.Median <= 0 || l.Sigma <= 0 || l.Sigma > 3 {
			return errors.New("a log-normal latency needs median > 0 and 0 < sigma ≤ 3")
		}
	}
	if modes != 1 {
		return errors.New("give exactly one of duration, min and max, or median and sigma")
	}
	return nil
}

// draw picks this exchange's delay from the rule's seeded stream.
func (l *Latency) draw(x *Exchange) time.Duration {
	switch {
	case l.Duration > 0:
		return l.Duration.D()
	case l.Max > 0:
		return l.Min.D() + time.Duration(x.Rand.Int64N(int64(l.Max-l.Min)))
	default:
		return time.Duration(float64(l.Median) * math.Exp(l.Sigma*x.Rand.NormFloat64()))
	}
}

// Phases: latency is the one fault that can hold a request in flight.
func (*Latency) Phases() []Phase { return []Phase{Before, InFlight, AfterCommit} }

// Inject waits, then lets the exchange go on. In flight, the wait runs
// to its end even if the client leaves: the provider goes on working on
// the operation it has accepted.
func (l *Latency) Inject(x *Exchange) {
	d := l.draw(x)
	x.Record("delay_ms", float64(d.Microseconds())/1000)
	if x.Phase == InFlight {
		x.Pause(d)
		return
	}
	if !x.Wait(d) {
		x.Take(OutcomeClientClosed)
	}
}
