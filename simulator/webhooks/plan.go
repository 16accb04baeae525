package webhooks

import (
	"fmt"
	"time"
)

// Bad-signature modes of a DeliveryPlan.
const (
	BadSignatureWrongSecret  = "wrong_secret"  // signed with a secret that is not the endpoint's
	BadSignatureTamperedBody = "tampered_body" // signed, then one byte of the body changed
	BadSignatureMissing      = "missing"       // no signature header at all
	BadSignatureEmpty        = "empty"         // a signature header with no signature ("v1,")
)

// Fault names recorded on attempts (Attempt.Faults) for a plan's effects.
const (
	FaultDuplicate      = "duplicate"
	FaultDelayed        = "delayed"
	FaultFailFirst      = "fail_first"
	FaultStaleTimestamp = "stale_timestamp"
	FaultFutureStamp    = "future_timestamp"
	FaultBadSignature   = "bad_signature"
	FaultHeldForReorder = "held_for_reorder"
)

// DeliveryPlan is what the scenario engine does to one delivery, so that
// a receiver meets duplicates, delays, retries, bad signatures and events
// out of order. The zero plan is a normal delivery.
type DeliveryPlan struct {
	// Copies delivers the event this many times (the same webhook-id each
	// time): all at once when Concurrent, else each copy after the
	// previous one's first attempt. 0 and 1 mean once.
	Copies     int
	Concurrent bool
	// Delay holds the first attempt back (real time, not compressed by
	// the retry speed).
	Delay time.Duration
	// FailFirst treats the first N attempts of each copy as failed,
	// whatever the receiver answers, so that they are retried.
	FailFirst int
	// StaleBy signs with a timestamp this far in the past (in the future
	// when negative): 301s is outside the usual 5-minute tolerance.
	StaleBy time.Duration
	// BadSignature spoils the signature: "", wrong_secret, tampered_body,
	// missing or empty.
	BadSignature string
	// HoldForReorder holds the event back until the endpoint has been sent
	// a later event of the same resource, so the two arrive out of order;
	// it is released anyway after Config.MaxHold.
	HoldForReorder bool
}

// Planner decides the plan of one delivery (the event and the endpoint it
// goes to). It is called by Enqueue, so it must not block.
type Planner func(m Message, ep Endpoint) DeliveryPlan

// IsZero reports whether the plan is a normal delivery.
func (p DeliveryPlan) IsZero() bool { return p == DeliveryPlan{} }

// Check reports a plan that cannot be carried out.
func (p DeliveryPlan) Check() error {
	switch p.BadSignature {
	case "", BadSignatureWrongSecret, BadSignatureTamperedBody, BadSignatureMissing, BadSignatureEmpty:
	default:
		return fmt.Errorf("webhooks: unknown bad-signature mode %q (want %s, %s, %s or %s)", p.BadSignature,
			BadSignatureWrongSecret, BadSignatureTamperedBody, BadSignatureMissing, BadSignatureEmpty)
	}
	if p.Copies < 0 || p.Copies > maxCopies {
		return fmt.Errorf("webhooks: copies %d: want 1 to %d", p.Copies, maxCopies)
	}
	if p.FailFirst < 0 || p.Delay < 0 {
		return fmt.Errorf("webhooks: negative fail_first or delay")
	}
	return nil
}

// maxCopies bounds duplicates of one delivery.
const maxCopies = 20
