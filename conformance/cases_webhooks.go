package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sandbank/sandbank/simulator/journal"
)

// Webhooks: the adapter's receiver (serve_webhooks) gets deliveries of
// the tenant's payment events, some of them forged, stale, duplicated,
// out of order or redelivered; processed_events says what it acted on.

// paymentEvents are the events the receivers subscribe to.
var paymentEvents = []string{"payment.created", "payment.succeeded"}

// webhookCase wraps the common part: a tenant with a receiver. body
// causes and judges deliveries; mark is the journal position after setup.
func webhookCase(rotate bool, body func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement) func(context.Context, *Harness) Judgement {
	return func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		rc, failed, err := r.Receiver(ctx, paymentEvents, rotate)
		if err != nil {
			return suiteError(err)
		}
		if failed != nil {
			if failed.NotImplemented() {
				return notApplicable("the adapter does not implement serve_webhooks")
			}
			return fail("the webhook receiver did not start: %v", failed.Err)
		}
		defer rc.Close(context.WithoutCancel(ctx))
		mark, err := r.Mark(ctx)
		if err != nil {
			return suiteError(err)
		}
		j := body(ctx, h, r, rc, mark)
		// The evidence: every delivery attempt and every request the
		// receiver made, whatever the verdict.
		if as, err := r.Journal(ctx, mark); err == nil {
			r.h.record(&RunEvidence{Name: "deliveries", Operation: OpServeWebhooks, Tenant: journal.MaskCredential(r.Env.APIKey),
				Plan: "the suite created payments; sandbank delivered their events to the receiver", Attempts: as,
				Adapter: AdapterOutcome{Status: "ok"}})
		}
		return j
	}
}

// trigger creates a payment with the suite's own request (its events are
// delivered to the receiver) and returns it with its events, oldest first;
// fault, when set, is a Sandbank-Fault for those deliveries.
func trigger(ctx context.Context, r *TenantRun, fault string) (payment string, events []string, err error) {
	var headers []string
	if fault != "" {
		headers = []string{"Sandbank-Fault", fault}
	}
	if payment, err = r.t.payment(ctx, 1234, headers...); err != nil {
		return "", nil, err
	}
	events, err = eventsOf(ctx, r, payment)
	return payment, events, err
}

// unacknowledged is the first delivery of one of events that the receiver
// did not acknowledge (2xx).
func unacknowledged(ds []Attempt, events []string) (Attempt, bool) {
	for _, d := range ds {
		if slices.Contains(events, d.EventID) && !d.succeeded() {
			return d, true
		}
	}
	return Attempt{}, false
}

// eventsOf lists the events of a payment (oldest first) through the API.
func eventsOf(ctx context.Context, r *TenantRun, paymentID string) ([]string, error) {
	var page struct {
		Data []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"data"`
	}
	if err := r.t.do(ctx, "GET", "/v1/events?limit=100&resource_id="+paymentID, nil, 200, &page); err != nil {
		return nil, err
	}
	var out []string
	for i := len(page.Data) - 1; i >= 0; i-- {
		if slices.Contains(paymentEvents, page.Data[i].Type) {
			out = append(out, page.Data[i].ID)
		}
	}
	return out, nil
}

// processedOnce checks that each event was acted on exactly once.
func processedOnce(p Processed, events []string) (string, bool) {
	for _, ev := range events {
		n := 0
		for _, got := range p.Events {
			if got == ev {
				n++
			}
		}
		if n != 1 {
			return fmt.Sprintf("event %s was processed %d times; exactly once expected", ev, n), false
		}
	}
	return "", true
}

// processed asks the adapter what it processed; a judgement when it cannot say.
func processed(ctx context.Context, r *TenantRun) (Processed, *Judgement) {
	p, o := r.Processed(ctx)
	switch {
	case o.NotImplemented():
		j := notApplicable("the adapter does not implement processed_events")
		return p, &j
	case o.Err != nil:
		j := fail("processed_events failed: %v", o.Err)
		return p, &j
	}
	return p, nil
}

// settled waits until each of the events has at least want finished
// delivery attempts (copies and redeliveries count).
func settled(ctx context.Context, h *Harness, r *TenantRun, mark int64, events []string, want int) []Attempt {
	return r.WaitDeliveries(ctx, mark, h.Options().WebhookAckLimit+5*time.Second, func(ds []Attempt) bool {
		for _, ev := range events {
			n := 0
			for _, d := range attemptsOf(ds, ev) {
				if d.Outcome != "in_flight" {
					n++
				}
			}
			if n < want {
				return false
			}
		}
		return true
	})
}

func attemptsOf(ds []Attempt, event string) []Attempt {
	var out []Attempt
	for _, d := range ds {
		if d.EventID == event {
			out = append(out, d)
		}
	}
	return out
}

var wh01 = &Case{
	ID: "WH-01", Title: "valid deliveries are acknowledged", Level: Must,
	Standard: "Standard Webhooks v1 (signature scheme and test vectors)",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		_, evs, err := trigger(ctx, r, "")
		if err != nil {
			return suiteError(err)
		}
		ds := settled(ctx, h, r, mark, evs, 1)
		limit := h.Options().WebhookAckLimit
		for _, ev := range evs {
			as := attemptsOf(ds, ev)
			if len(as) == 0 {
				return Judgement{Error, fmt.Sprintf("sandbank made no delivery of %s", ev)}
			}
			a := as[0]
			if !a.succeeded() {
				return fail("a correctly signed delivery of %s (%s) was answered %s; 2xx expected", ev, a.EventType, answer(a))
			}
			if took := time.Duration(a.DurationMS) * time.Millisecond; took > limit {
				return fail("the receiver took %s to answer a delivery; at most %s", ms(took), ms(limit))
			}
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		if why, ok := processedOnce(p, evs); !ok {
			return fail("%s", why)
		}
		return pass("%d signed deliveries answered 2xx and processed once each", len(evs))
	}),
}

var wh02 = &Case{
	ID: "WH-02", Title: "forged and tampered deliveries are rejected", Level: Must,
	Standard: "Standard Webhooks v1 (verify before acting)",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		modes := []string{"wrong_secret", "tampered_body", "missing", "empty"}
		forged := map[string]string{} // event → mode
		var all []string
		for _, mode := range modes {
			_, evs, err := trigger(ctx, r, "webhook_bad_signature="+mode)
			if err != nil {
				return suiteError(err)
			}
			for _, ev := range evs {
				forged[ev] = mode
			}
			all = append(all, evs...)
		}
		// One genuine delivery: a receiver that rejects everything proves nothing.
		_, genuine, err := trigger(ctx, r, "")
		if err != nil {
			return suiteError(err)
		}
		all = append(all, genuine...)
		ds := settled(ctx, h, r, mark, all, 1)
		for ev, mode := range forged {
			as := attemptsOf(ds, ev)
			if len(as) > 0 && as[0].succeeded() {
				return fail("a delivery with a %s signature was answered %d: a forged event was accepted", strings.ReplaceAll(mode, "_", " "), as[0].Status)
			}
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		for _, ev := range p.Events {
			if mode, ok := forged[ev]; ok {
				return fail("the receiver acted on event %s, whose delivery had a %s signature", ev, strings.ReplaceAll(mode, "_", " "))
			}
		}
		for _, ev := range genuine {
			if as := attemptsOf(ds, ev); len(as) == 0 || !as[0].succeeded() {
				return fail("the receiver rejected the genuine delivery too, so its rejections prove nothing (see WH-01)")
			}
		}
		return pass("deliveries signed with a wrong secret, with a tampered body, without a signature and with an empty one were all rejected and not acted on")
	}),
}

var wh03 = &Case{
	ID: "WH-03", Title: "stale and future timestamps are rejected", Level: Must,
	Standard: "Standard Webhooks v1 (timestamp tolerance, 5 minutes)",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		// 310 s, not 301: timestamps are whole seconds and the delivery takes
		// time, so 301 s ahead can arrive as 300 s ahead, inside the tolerance.
		variants := map[string]string{"webhook_stale_timestamp=310s": "310 s in the past", "webhook_stale_timestamp=310s;future": "310 s in the future"}
		stale := map[string]string{}
		var all []string
		for fault, what := range variants {
			_, evs, err := trigger(ctx, r, fault)
			if err != nil {
				return suiteError(err)
			}
			for _, ev := range evs {
				stale[ev] = what
			}
			all = append(all, evs...)
		}
		ds := settled(ctx, h, r, mark, all, 1)
		for ev, what := range stale {
			if as := attemptsOf(ds, ev); len(as) > 0 && as[0].succeeded() {
				return fail("a delivery signed with a timestamp %s was answered %d; outside the 5-minute tolerance it must be rejected (replay protection)", what, as[0].Status)
			}
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		for _, ev := range p.Events {
			if what, ok := stale[ev]; ok {
				return fail("the receiver acted on event %s, delivered with a timestamp %s", ev, what)
			}
		}
		return pass("deliveries with timestamps 310 s in the past and in the future were rejected")
	}),
}

var wh04 = &Case{
	ID: "WH-04", Title: "a rotated secret: any of several signatures may match", Level: Must,
	Standard: "Standard Webhooks v1 (space-separated signatures during rotation)",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(true, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		_, evs, err := trigger(ctx, r, "")
		if err != nil {
			return suiteError(err)
		}
		ds := settled(ctx, h, r, mark, evs, 1)
		for _, ev := range evs {
			if as := attemptsOf(ds, ev); len(as) == 0 || !as[0].succeeded() {
				a := Attempt{Outcome: "no delivery"}
				if len(as) > 0 {
					a = as[0]
				}
				return fail("after a secret rotation deliveries carry two signatures (the new secret's, then the old one's); the receiver, which has the old secret, answered %s", answer(a))
			}
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		if why, ok := processedOnce(p, evs); !ok {
			return fail("%s", why)
		}
		return pass("deliveries signed with the new and the old secret were accepted by a receiver holding the old one")
	}),
}

var wh05 = &Case{
	ID: "WH-05", Title: "duplicate deliveries are processed once", Level: Must,
	Standard: "Standard Webhooks v1 (webhook-id for idempotency); Stripe",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		var all []string
		copies := map[string]int{}
		for _, v := range []struct {
			fault  string
			copies int
		}{{"webhook_duplicate=2", 2}, {"webhook_duplicate=3;concurrent", 3}} {
			_, evs, err := trigger(ctx, r, v.fault)
			if err != nil {
				return suiteError(err)
			}
			for _, ev := range evs {
				copies[ev] = v.copies
			}
			all = append(all, evs...)
		}
		var ds []Attempt
		for _, ev := range all {
			ds = settled(ctx, h, r, mark, []string{ev}, copies[ev])
		}
		if d, ok := unacknowledged(ds, all); ok {
			return fail("a duplicate delivery of %s was answered %s; a duplicate is acknowledged (2xx) and ignored", d.EventID, answer(d))
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		if why, ok := processedOnce(p, all); !ok {
			return fail("%s", why)
		}
		return pass("events delivered twice in turn and three times at once were acknowledged each time and processed once")
	}),
}

var wh06 = &Case{
	ID: "WH-06", Title: "out-of-order events leave the right state", Level: Must,
	Standard: "Stripe (events are not guaranteed in order); Standard Webhooks",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		if err := r.Arm(ctx, "  - match: { event: payment.created }\n    fault: webhook_out_of_order\n"); err != nil {
			return suiteError(err)
		}
		pay, evs, err := trigger(ctx, r, "")
		if err != nil {
			return suiteError(err)
		}
		ds := settled(ctx, h, r, mark, evs, 1)
		if d, ok := unacknowledged(ds, evs); ok {
			return fail("the out-of-order delivery of %s (%s) was answered %s; both events must be acknowledged", d.EventID, d.EventType, answer(d))
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		if p.Resources == nil {
			return notApplicable("processed_events reports no resources, so the state the receiver ended with cannot be checked")
		}
		if got := p.Resources[pay]; got != "succeeded" {
			return fail("payment.succeeded arrived before payment.created, and the receiver ended with the payment %q; it is succeeded (re-read it, or compare the events' created time)", got)
		}
		return pass("payment.succeeded arrived before payment.created; both were acknowledged and the receiver ended with the payment succeeded")
	}),
}

var wh07 = &Case{
	ID: "WH-07", Title: "redeliveries after a failure are processed once", Level: Must,
	Standard: "Standard Webhooks v1 (retry schedule); Stripe",
	Needs:    []Operation{OpServeWebhooks, OpProcessedEvents},
	Check: webhookCase(false, func(ctx context.Context, h *Harness, r *TenantRun, rc *Receiver, mark int64) Judgement {
		if err := r.Arm(ctx, "  - match: { event: payment.succeeded }\n    fault: { type: webhook_fail, attempts: 2 }\n"); err != nil {
			return suiteError(err)
		}
		_, evs, err := trigger(ctx, r, "")
		if err != nil {
			return suiteError(err)
		}
		settled(ctx, h, r, mark, evs, 1)
		ds := settled(ctx, h, r, mark, evs[len(evs)-1:], 3) // payment.succeeded: two failed, one more
		if d, ok := unacknowledged(ds, evs); ok {
			return fail("delivery attempt %d of %s was answered %s", d.Delivery, d.EventID, answer(d))
		}
		p, j := processed(ctx, r)
		if j != nil {
			return *j
		}
		if why, ok := processedOnce(p, evs); !ok {
			return fail("%s (sandbank counted its first two deliveries as failed and redelivered it)", why)
		}
		return pass("an event delivered three times (two attempts counted as failed) was processed once")
	}),
}
