package scenarios

import (
	"errors"
	"time"
)

// Webhook faults act on the delivery of events to the tenant's endpoints
// instead of on requests: a rule whose fault is one of them matches
// events (match.event), and the dispatcher delivers as the plan says.

// WebhookPlan is how one event is delivered to one endpoint. The zero
// plan is a normal delivery.
type WebhookPlan struct {
	Copies         int           // deliver the event this many times
	Concurrent     bool          // … at once rather than one after another
	Delay          time.Duration // wait before the first attempt
	FailFirst      int           // treat the first N attempts as failed, whatever the answer
	StaleBy        time.Duration // sign with a timestamp this far in the past (negative: future)
	BadSignature   string        // wrong_secret, tampered_body, missing or empty
	HoldForReorder bool          // deliver after the resource's next event
}

// WebhookFault is a fault that shapes deliveries.
type WebhookFault interface {
	PlanDelivery(*WebhookPlan)
}

// webhookOnly is embedded by webhook faults: they never touch a request.
type webhookOnly struct{}

// Inject does nothing: a webhook fault acts on deliveries.
func (webhookOnly) Inject(*Exchange) {}

// WebhookDuplicate delivers an event count times, in turn or concurrently.
type WebhookDuplicate struct {
	webhookOnly
	Count      int  `yaml:"count"`
	Concurrent bool `yaml:"concurrent"`
}

// WebhookDelay holds an event back before its first attempt.
type WebhookDelay struct {
	webhookOnly
	Duration Duration `yaml:"duration"`
}

// WebhookOutOfOrder delivers an event after the next event of the same
// resource (payment.succeeded before payment.created).
type WebhookOutOfOrder struct{ webhookOnly }

// WebhookFail fails the first attempts, so the event is redelivered.
type WebhookFail struct {
	webhookOnly
	Attempts int `yaml:"attempts"`
}

// WebhookStaleTimestamp signs with a timestamp outside the receiver's tolerance.
type WebhookStaleTimestamp struct {
	webhookOnly
	By     Duration `yaml:"by"`
	Future bool     `yaml:"future"`
}

// WebhookBadSignature sends a signature a receiver must reject.
type WebhookBadSignature struct {
	webhookOnly
	Mode string `yaml:"mode"`
}

func init() {
	for _, ft := range []*FaultType{
		{Name: "webhook_duplicate", Primary: "count", Summary: "deliver an event count times (default 2), one after another or concurrently", New: func() Fault { return &WebhookDuplicate{} }},
		{Name: "webhook_delay", Primary: "duration", Summary: "hold an event back before its first delivery attempt (default 5 s)", New: func() Fault { return &WebhookDelay{} }},
		{Name: "webhook_out_of_order", Summary: "deliver an event after the next event of the same resource", New: func() Fault { return &WebhookOutOfOrder{} }},
		{Name: "webhook_fail", Primary: "attempts", Summary: "treat the first attempts (default 3) as failed, so the event is redelivered", New: func() Fault { return &WebhookFail{} }},
		{Name: "webhook_stale_timestamp", Primary: "by", Summary: "sign with a timestamp outside the tolerance (default 301 s in the past; future: true for ahead)", New: func() Fault { return &WebhookStaleTimestamp{} }},
		{Name: "webhook_bad_signature", Primary: "mode", Summary: "send a signature a receiver must reject: wrong_secret, tampered_body, missing or empty", New: func() Fault { return &WebhookBadSignature{} }},
	} {
		Register(ft) // DefaultPhase: before
	}
}

// PlanDelivery implementations.

func (f *WebhookDuplicate) PlanDelivery(p *WebhookPlan) {
	p.Copies, p.Concurrent = max(f.Count, 2), f.Concurrent
}

func (f *WebhookDelay) PlanDelivery(p *WebhookPlan) {
	p.Delay = f.Duration.D()
	if p.Delay == 0 {
		p.Delay = 5 * time.Second
	}
}

func (*WebhookOutOfOrder) PlanDelivery(p *WebhookPlan) { p.HoldForReorder = true }

func (f *WebhookFail) PlanDelivery(p *WebhookPlan) {
	p.FailFirst = f.Attempts
	if p.FailFirst == 0 {
		p.FailFirst = 3
	}
}

func (f *WebhookStaleTimestamp) PlanDelivery(p *WebhookPlan) {
	by := f.By.D()
	if by == 0 {
		by = 301 * time.Second
	}
	if f.Future {
		by = -by
	}
	p.StaleBy = by
}

func (f *WebhookBadSignature) PlanDelivery(p *WebhookPlan) {
	p.BadSignature = f.Mode
	if p.BadSignature == "" {
		p.BadSignature = "wrong_secret"
	}
}

// Validate checks each webhook fault's parameters.

func (f *WebhookDuplicate) Validate() error {
	if f.Count < 0 || f.Count == 1 || f.Count > 10 {
		return errors.New("count: want 2 to 10")
	}
	return nil
}

func (f *WebhookFail) Validate() error {
	if f.Attempts < 0 || f.Attempts > 9 {
		return errors.New("attempts: want 1 to 9")
	}
	return nil
}

func (f *WebhookBadSignature) Validate() error {
	switch f.Mode {
	case "", "wrong_secret", "tampered_body", "missing", "empty":
		return nil
	}
	return errors.New("mode: want wrong_secret, tampered_body, missing or empty")
}

// IsWebhookFault reports whether an injection acts on deliveries.
func IsWebhookFault(in *Injection) bool {
	if in == nil {
		return false
	}
	_, ok := in.Fault.(WebhookFault)
	return ok
}

// RiskTimeout makes the fraud check of a payment time out, so the tenant's
// risk.on_timeout policy decides: a fault that knows what the API means.
// delay, when set, is how long the request waits first, as a real fraud
// check that does not answer makes the payment call slow.
type RiskTimeout struct {
	Delay Duration `yaml:"delay"`
}

func init() {
	Register(&FaultType{
		Name: "risk_timeout", Primary: "delay", DefaultPhase: Before,
		Summary: "make the payment's fraud check time out (the tenant's risk.on_timeout policy decides); delay waits first",
		New:     func() Fault { return &RiskTimeout{} },
	})
}

// Phases: it changes how the operation runs, so it acts before it.
func (*RiskTimeout) Phases() []Phase { return []Phase{Before} }

// Inject waits the delay; the payment provider sees the fault and times out.
func (r *RiskTimeout) Inject(x *Exchange) {
	if r.Delay > 0 {
		x.Record("delay_ms", r.Delay.D().Milliseconds())
		if !x.Wait(r.Delay.D()) {
			x.Take(OutcomeClientClosed)
		}
	}
}
