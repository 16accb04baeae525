package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/journal"
	"github.com/sandbank/sandbank/simulator/webhooks"
)

// onEvent is called for every event a tenant's domain emits (under the
// tenant's lock): it queues a delivery to each enabled endpoint of the
// tenant subscribed to the event's type. Queuing never blocks; the
// dispatcher's workers do the sending.
func (s *Server) onEvent(t *tenant, ev *events.Event) {
	endpoints := t.webhooks.Subscribers(ev.Type)
	if len(endpoints) == 0 {
		return
	}
	msg := eventMessage(ev)
	for _, ep := range endpoints {
		s.deliver(t, ep.ID, msg)
	}
}

// deliver queues one delivery of a message to one of the tenant's
// endpoints, and returns its delivery ids.
func (s *Server) deliver(t *tenant, endpointID string, msg webhooks.Message) []string {
	job := webhooks.Job{Store: t.webhooks, Endpoint: endpointID, Message: msg}
	// The request's own webhook fault wins; otherwise the tenant's
	// scenarios decide, rule by rule, as they do for requests.
	d := t.webhookFault
	if d == nil {
		d = t.faults.DecideWebhook(msg.EventType)
	}
	if d != nil {
		var plan scenarios.WebhookPlan
		d.Injection.Fault.(scenarios.WebhookFault).PlanDelivery(&plan)
		dp := webhooks.DeliveryPlan(plan)
		job.Plan = &dp
	}
	job.Observe = s.journalWebhook(t, d)
	ids, err := s.webhooks.Enqueue(job)
	if err != nil && !errors.Is(err, webhooks.ErrClosed) {
		s.log.Warn("queuing a webhook delivery failed", "event", msg.EventID, "endpoint", endpointID, "err", err)
	}
	return ids
}

// eventView is an event as the API shows it and as deliveries carry it.
type eventView struct {
	ID        string          `json:"id"`
	Object    string          `json:"object"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

func viewEvent(ev *events.Event) eventView {
	return eventView{ID: ev.ID, Object: "event", Type: ev.Type, CreatedAt: ev.Created, Data: ev.Data}
}

// eventPayload renders an event as a delivery's body: the bytes GET
// /v1/events/{id} answers, without the final newline.
func eventPayload(ev *events.Event) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as call.json renders it
	if err := enc.Encode(viewEvent(ev)); err != nil {
		return nil // the data was rendered from a view: cannot fail
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func eventMessage(ev *events.Event) webhooks.Message {
	return webhooks.Message{EventID: ev.ID, EventType: ev.Type, ResourceID: ev.ResourceID, Payload: eventPayload(ev)}
}

// journalWebhook writes each delivery attempt to the tenant's journal:
// kind webhook, POST to the endpoint's path, the headers sent (they carry
// signatures, never the secret), the status, how it ended and why.
func (s *Server) journalWebhook(t *tenant, d *scenarios.Decision) func(webhooks.Attempt) {
	return func(a webhooks.Attempt) {
		path, query := "/", ""
		if u, err := url.Parse(a.URL); err == nil {
			if u.Path != "" {
				path = u.Path
			}
			query = u.RawQuery
		}
		outcome := journal.Completed
		if a.StatusCode == 0 {
			outcome = transportOutcome(a)
		}
		e := &journal.Entry{
			Kind: journal.KindWebhook, RequestID: a.DeliveryID, ArrivedAt: a.StartedAt,
			Monotonic: time.Since(s.started) - a.Duration, VirtualTime: t.clock.Now(),
			Method: http.MethodPost, Path: path, Query: query, Headers: a.RequestHeaders.Clone(),
			BodySHA256: a.BodySHA256, BodyBytes: a.BodyBytes, Status: a.StatusCode, Outcome: outcome,
			ResourceID: a.ResourceID, Duration: a.Duration,
			Webhook: &journal.WebhookAttempt{
				EventID: a.EventID, EventType: a.EventType, EndpointID: a.EndpointID, URL: a.URL,
				Attempt: a.Attempt, Error: a.Error,
			},
		}
		if len(a.Faults) > 0 {
			params := map[string]any{"faults": a.Faults}
			maps.Copy(params, a.FaultParams)
			e.Fault = &journal.Fault{Type: "webhook_" + strings.Join(a.Faults, "+"), Phase: "before", Params: params}
			if d != nil { // name the scenario rule (or header) behind the plan
				maps.Copy(params, d.Injection.Params)
				e.Fault.Scenario, e.Fault.Rule, e.Fault.Type = d.Scenario, d.Rule, d.Injection.Type
			}
		}
		t.journal.Begin(e)
	}
}

// transportOutcome names, in the journal's terms, how an attempt without
// an answer ended: the receiver hung past the timeout, closed the
// connection, or could not be reached (refused, reset, unknown host).
func transportOutcome(a webhooks.Attempt) string {
	switch {
	case a.TimedOut:
		return journal.Hung
	case strings.Contains(a.Error, "EOF"):
		return journal.ConnectionClosed
	default:
		return journal.ConnectionReset
	}
}
