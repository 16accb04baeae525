// Package webhooks delivers a tenant's events to the endpoints it
// registers: signed (Standard Webhooks, or Stripe-Signature per endpoint),
// retried on a schedule that a setting can compress, recorded attempt by
// attempt, by a bounded pool that never blocks request handling. A Store
// holds one tenant's endpoints and delivery log; the Dispatcher is shared
// by every tenant. The package knows nothing of the tenants' domains or of
// HTTP handlers: it delivers Messages whose payload the caller rendered.
package webhooks

import (
	"log/slog"
	"net/http"
	"time"
)

// Config configures a Dispatcher; the zero value of each field means its
// default.
type Config struct {
	// Workers bounds concurrent deliveries (default 8).
	Workers int
	// Timeout bounds one delivery attempt, from connecting to reading the
	// answer (default 15 s; Standard Webhooks suggests 15–30 s).
	Timeout time.Duration
	// RetrySpeed compresses the retry schedule: 1 is real time, 60 turns
	// minutes into seconds (default 1).
	RetrySpeed float64
	// MaxResponseBytes bounds how much of a receiver's answer is read
	// (default 64 KiB).
	MaxResponseBytes int64
	// Schedule is the wait after each failed attempt (default
	// StandardSchedule); after the last one the delivery gives up.
	Schedule []time.Duration
	// MaxRetryAfter bounds the Retry-After a receiver can ask for, before
	// compression (default 1 h).
	MaxRetryAfter time.Duration
	// MaxHold bounds how long a delivery held for reordering waits for a
	// later event of its resource (default 5 s, real time).
	MaxHold time.Duration
	// Client sends deliveries (a client of its own when nil). Redirects are
	// never followed.
	Client *http.Client
	// Now is the wall clock of signatures and records (time.Now when nil).
	Now func() time.Time
	// OnAttempt, when set, sees every recorded attempt (after Job.Observe).
	OnAttempt func(Attempt)
	Logger    *slog.Logger
}

// StandardSchedule is the Standard Webhooks example schedule: the waits
// after the first, second, … failed attempt (ten attempts in all).
var StandardSchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour,
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.RetrySpeed <= 0 {
		c.RetrySpeed = 1
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 64 << 10
	}
	if c.Schedule == nil {
		c.Schedule = StandardSchedule
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = time.Hour
	}
	if c.MaxHold <= 0 {
		c.MaxHold = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Message is one event on its way to endpoints.
type Message struct {
	// EventID is the webhook-id: the same on every attempt and copy.
	EventID   string
	EventType string
	// ResourceID is the resource the event is about (for holding one event
	// back behind a later one of the same resource).
	ResourceID string
	// Payload is the HTTP body, exactly as signed.
	Payload []byte
}

// Job asks the Dispatcher to deliver a message to one endpoint of a store.
type Job struct {
	Store    *Store
	Endpoint string
	Message  Message
	// Plan, when set, is this delivery's fault plan; otherwise the store's
	// planner (SetPlanner) decides, and without one the delivery is normal.
	Plan *DeliveryPlan
	// Observe, when set, sees every recorded attempt of this delivery (the
	// simulator writes them to the tenant's journal).
	Observe func(Attempt)
}

// Outcomes of an attempt.
const (
	// OutcomeSucceeded: the endpoint answered 2xx.
	OutcomeSucceeded = "succeeded"
	// OutcomeFailed: the attempt failed and another is scheduled (NextRetryAt).
	OutcomeFailed = "failed"
	// OutcomeGaveUp: the attempt failed and it was the last of the schedule.
	OutcomeGaveUp = "gave_up"
	// OutcomeEndpointDisabled: the endpoint answered 410 Gone; it is now
	// disabled and nothing more is sent to it.
	OutcomeEndpointDisabled = "endpoint_disabled"
)

// Attempt is one delivery attempt as recorded: what was sent, what came
// back, and what happens next.
type Attempt struct {
	Seq        uint64
	DeliveryID string
	EventID    string
	EventType  string
	ResourceID string
	EndpointID string
	URL        string
	// Attempt counts from 1 within a delivery; Copy (1..Copies) tells
	// duplicate deliveries of a plan apart.
	Attempt int
	Copy    int
	Copies  int
	Outcome string
	// StatusCode is the endpoint's answer; 0 when none arrived (Error says why).
	StatusCode int
	Error      string
	// TimedOut marks an attempt that got no complete answer within the timeout.
	TimedOut bool
	// ResponseBody is the start of the answer (at most 1 KiB, valid UTF-8).
	ResponseBody string
	Duration     time.Duration
	// RequestHeaders are the headers sent; they never include a secret.
	RequestHeaders http.Header
	BodySHA256     string
	BodyBytes      int
	StartedAt      time.Time // wall clock
	NextRetryAt    time.Time // zero when no retry follows
	// Faults names what a DeliveryPlan did to this attempt; FaultParams
	// gives the details.
	Faults      []string
	FaultParams map[string]any
}

func (a *Attempt) clone() Attempt {
	c := *a
	c.RequestHeaders = a.RequestHeaders.Clone()
	return c
}
