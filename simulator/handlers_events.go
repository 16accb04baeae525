package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/journal"
	"github.com/sandbank/sandbank/simulator/webhooks"
)

// The events API (the tenant's event log) and the webhook endpoints its
// events are delivered to. Secrets are shown when an endpoint is created
// and when its secret is rotated, never otherwise: reads show a
// secret_hint (prefix and last four characters).

func (s *Server) eventHandlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"listEvents":                  s.listEvents,
		"getEvent":                    s.getEvent,
		"resendEvent":                 s.resendEvent,
		"listWebhookEndpoints":        s.listWebhookEndpoints,
		"createWebhookEndpoint":       s.createWebhookEndpoint,
		"getWebhookEndpoint":          s.getWebhookEndpoint,
		"updateWebhookEndpoint":       s.updateWebhookEndpoint,
		"deleteWebhookEndpoint":       s.deleteWebhookEndpoint,
		"rotateWebhookEndpointSecret": s.rotateWebhookEndpointSecret,
		"listWebhookDeliveries":       s.listWebhookDeliveries,
	}
}

// --- events --------------------------------------------------------------------

func (s *Server) listEvents(c *call) *response {
	before, limit, resp := c.page("evt")
	if resp != nil {
		return resp
	}
	list, more := c.tenant.events.List(events.Filter{Type: c.query("type"), ResourceID: c.query("resource_id")}, before, limit)
	page := domain.Page[*events.Event]{Items: list, HasMore: more}
	if more {
		page.Next = list[len(list)-1].Seq
	}
	return c.json(http.StatusOK, listOf(page, "evt", viewEvent))
}

func (c *call) event() (*events.Event, *response) {
	id := c.params["id"]
	ev, ok := c.tenant.events.Get(id)
	if !ok {
		return nil, c.problemWith(http.StatusNotFound, "resource_missing", "No such resource", "no such event: "+id, nil)
	}
	c.resourceID = ev.ID
	return ev, nil
}

func (s *Server) getEvent(c *call) *response {
	ev, resp := c.event()
	if resp != nil {
		return resp
	}
	return c.json(http.StatusOK, viewEvent(ev))
}

type resendView struct {
	Object     string                  `json:"object"`
	EventID    string                  `json:"event_id"`
	Deliveries []scheduledDeliveryView `json:"deliveries"`
}

type scheduledDeliveryView struct {
	DeliveryID string `json:"delivery_id"`
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
}

func (s *Server) resendEvent(c *call) *response {
	ev, resp := c.event()
	if resp != nil {
		return resp
	}
	var req struct {
		EndpointID string `json:"endpoint_id"`
	}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	store := c.tenant.webhooks
	var targets []webhooks.Endpoint
	if req.EndpointID != "" {
		ep, err := store.Get(req.EndpointID)
		if err != nil {
			return c.fieldProblem("resource_missing", "/endpoint_id", "no such webhook endpoint: "+req.EndpointID)
		}
		if ep.Status != webhooks.StatusEnabled {
			return c.fieldProblem("endpoint_disabled", "/endpoint_id", fmt.Sprintf("webhook endpoint %s is disabled (%s); enable it first", ep.ID, ep.DisabledReason))
		}
		if !ep.Subscribed(ev.Type) {
			return c.fieldProblem("endpoint_not_subscribed", "/endpoint_id",
				fmt.Sprintf("webhook endpoint %s does not subscribe to %s (its enabled_events are %s)", ep.ID, ev.Type, strings.Join(ep.EnabledEvents, ", ")))
		}
		targets = []webhooks.Endpoint{ep}
	} else {
		targets = store.Subscribers(ev.Type)
	}
	out := resendView{Object: "event_resend", EventID: ev.ID, Deliveries: []scheduledDeliveryView{}}
	msg := eventMessage(ev)
	for _, ep := range targets {
		for _, id := range s.deliver(c.tenant, ep.ID, msg) {
			out.Deliveries = append(out.Deliveries, scheduledDeliveryView{DeliveryID: id, EndpointID: ep.ID, URL: ep.URL})
		}
	}
	return c.json(http.StatusAccepted, out)
}

// --- webhook endpoints -----------------------------------------------------------

type webhookEndpointView struct {
	ID                      string            `json:"id"`
	Object                  string            `json:"object"`
	URL                     string            `json:"url"`
	Description             *string           `json:"description"`
	EnabledEvents           []string          `json:"enabled_events"`
	Status                  string            `json:"status"`
	DisabledReason          *string           `json:"disabled_reason"`
	SignatureScheme         string            `json:"signature_scheme"`
	SecretHint              string            `json:"secret_hint"`
	PreviousSecretExpiresAt *time.Time        `json:"previous_secret_expires_at"`
	CreatedAt               time.Time         `json:"created_at"`
	UpdatedAt               time.Time         `json:"updated_at"`
	Metadata                map[string]string `json:"metadata"`
}

// webhookEndpointSecretView is the endpoint with its secret: only the
// answers to create and rotate_secret carry it.
type webhookEndpointSecretView struct {
	webhookEndpointView
	Secret string `json:"secret"`
}

func viewWebhookEndpoint(ep webhooks.Endpoint, wall time.Time) webhookEndpointView {
	v := webhookEndpointView{
		ID: ep.ID, Object: "webhook_endpoint", URL: ep.URL, Description: strPtr(ep.Description),
		EnabledEvents: ep.EnabledEvents, Status: ep.Status, DisabledReason: strPtr(ep.DisabledReason),
		SignatureScheme: ep.SignatureScheme, SecretHint: journal.MaskCredential(ep.Secret),
		CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt, Metadata: orEmpty(ep.Metadata),
	}
	if until := ep.PreviousValidUntil(wall); !until.IsZero() {
		u := until.UTC().Truncate(time.Second)
		v.PreviousSecretExpiresAt = &u
	}
	return v
}

func (s *Server) withSecret(ep webhooks.Endpoint) webhookEndpointSecretView {
	return webhookEndpointSecretView{viewWebhookEndpoint(ep, s.cfg.Wall()), ep.Secret}
}

// webhookError renders an error of the webhook store.
func (c *call) webhookError(err error) *response {
	var we *webhooks.Error
	if !errors.As(err, &we) {
		return c.problem("internal_error", "sandbank failed to handle this request: "+err.Error())
	}
	if we.NotFound {
		return c.problemWith(http.StatusNotFound, we.Code, "No such resource", we.Message, nil)
	}
	if we.Field == "" {
		return c.problemWith(http.StatusBadRequest, we.Code, "The request cannot be carried out", we.Message, nil)
	}
	return c.fieldProblem(we.Code, we.Field, we.Message)
}

// fieldProblem is a 400 naming one body field.
func (c *call) fieldProblem(code, pointer, detail string) *response {
	return c.problemWith(http.StatusBadRequest, code, "The request cannot be carried out", detail,
		[]openapi.Violation{{Pointer: pointer, In: "body", Detail: detail}})
}

func (s *Server) createWebhookEndpoint(c *call) *response {
	var req struct {
		URL             string            `json:"url"`
		EnabledEvents   []string          `json:"enabled_events"`
		Description     string            `json:"description"`
		SignatureScheme string            `json:"signature_scheme"`
		Metadata        map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if err := domain.CheckMetadata(req.Metadata); err != nil {
		return c.domainError(err)
	}
	ep, err := c.tenant.webhooks.Create(webhooks.EndpointInput{
		URL: req.URL, EnabledEvents: req.EnabledEvents, Description: req.Description,
		SignatureScheme: req.SignatureScheme, Metadata: req.Metadata,
	}, c.tenant.clock.Now(), c.tenant.bank.Faker())
	if err != nil {
		return c.webhookError(err)
	}
	c.resourceID = ep.ID
	return c.created("/v1/webhook_endpoints/"+ep.ID, s.withSecret(ep))
}

func (s *Server) listWebhookEndpoints(c *call) *response {
	before, limit, resp := c.page("we")
	if resp != nil {
		return resp
	}
	list, next := c.tenant.webhooks.List(before, limit)
	wall := s.cfg.Wall()
	page := domain.Page[webhooks.Endpoint]{Items: list, HasMore: next > 0, Next: next}
	return c.json(http.StatusOK, listOf(page, "we", func(ep webhooks.Endpoint) webhookEndpointView { return viewWebhookEndpoint(ep, wall) }))
}

func (s *Server) getWebhookEndpoint(c *call) *response {
	ep, err := c.tenant.webhooks.Get(c.params["id"])
	if err != nil {
		return c.webhookError(err)
	}
	c.resourceID = ep.ID
	return c.json(http.StatusOK, viewWebhookEndpoint(ep, s.cfg.Wall()))
}

func (s *Server) updateWebhookEndpoint(c *call) *response {
	var req struct {
		URL             *string           `json:"url"`
		EnabledEvents   []string          `json:"enabled_events"`
		Description     *string           `json:"description"`
		SignatureScheme *string           `json:"signature_scheme"`
		Status          *string           `json:"status"`
		Metadata        map[string]string `json:"metadata"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if err := domain.CheckMetadata(req.Metadata); err != nil {
		return c.domainError(err)
	}
	ep, err := c.tenant.webhooks.Update(c.params["id"], webhooks.EndpointUpdate{
		URL: req.URL, EnabledEvents: req.EnabledEvents, Description: req.Description,
		SignatureScheme: req.SignatureScheme, Status: req.Status, Metadata: req.Metadata,
	}, c.tenant.clock.Now())
	if err != nil {
		return c.webhookError(err)
	}
	c.resourceID = ep.ID
	return c.json(http.StatusOK, viewWebhookEndpoint(ep, s.cfg.Wall()))
}

func (s *Server) deleteWebhookEndpoint(c *call) *response {
	id := c.params["id"]
	if err := c.tenant.webhooks.Delete(id); err != nil {
		return c.webhookError(err)
	}
	c.resourceID = id
	return &response{status: http.StatusNoContent, header: http.Header{}}
}

func (s *Server) rotateWebhookEndpointSecret(c *call) *response {
	req := struct {
		ExpirePreviousIn *int64 `json:"expire_previous_in"`
	}{}
	if resp := c.decodeOptional(&req); resp != nil {
		return resp
	}
	keep := 24 * time.Hour
	if req.ExpirePreviousIn != nil {
		keep = time.Duration(*req.ExpirePreviousIn) * time.Second
	}
	ep, err := c.tenant.webhooks.Rotate(c.params["id"], keep, s.cfg.Wall(), c.tenant.clock.Now(), c.tenant.bank.Faker())
	if err != nil {
		return c.webhookError(err)
	}
	c.resourceID = ep.ID
	return c.json(http.StatusOK, s.withSecret(ep))
}

// --- delivery log ------------------------------------------------------------------

type webhookDeliveryAttemptView struct {
	Object         string            `json:"object"`
	DeliveryID     string            `json:"delivery_id"`
	EventID        string            `json:"event_id"`
	EventType      string            `json:"event_type"`
	EndpointID     string            `json:"endpoint_id"`
	URL            string            `json:"url"`
	Attempt        int               `json:"attempt"`
	Copy           int               `json:"copy"`
	Outcome        string            `json:"outcome"`
	StatusCode     *int              `json:"status_code"`
	Error          *string           `json:"error"`
	DurationMS     int64             `json:"duration_ms"`
	RequestHeaders map[string]string `json:"request_headers"`
	ResponseBody   *string           `json:"response_body"`
	Faults         []string          `json:"faults"`
	CreatedAt      time.Time         `json:"created_at"`
	NextRetryAt    *time.Time        `json:"next_retry_at"`
}

func viewWebhookAttempt(a webhooks.Attempt) webhookDeliveryAttemptView {
	v := webhookDeliveryAttemptView{
		Object: "webhook_attempt", DeliveryID: a.DeliveryID, EventID: a.EventID, EventType: a.EventType,
		EndpointID: a.EndpointID, URL: a.URL, Attempt: a.Attempt, Copy: max(a.Copy, 1), Outcome: a.Outcome,
		Error: strPtr(a.Error), DurationMS: a.Duration.Milliseconds(), RequestHeaders: map[string]string{},
		Faults: append([]string{}, a.Faults...), CreatedAt: a.StartedAt.UTC(), NextRetryAt: timePtr(a.NextRetryAt.UTC()),
	}
	if a.StatusCode != 0 {
		code := a.StatusCode
		v.StatusCode = &code
		body := a.ResponseBody
		v.ResponseBody = &body
	}
	for k, vals := range a.RequestHeaders {
		v.RequestHeaders[k] = strings.Join(vals, ", ")
	}
	return v
}

func (s *Server) listWebhookDeliveries(c *call) *response {
	before, limit, resp := c.page("wha")
	if resp != nil {
		return resp
	}
	list, next, err := c.tenant.webhooks.Attempts(c.params["id"], before, limit)
	if err != nil {
		return c.webhookError(err)
	}
	c.resourceID = c.params["id"]
	page := domain.Page[webhooks.Attempt]{Items: list, HasMore: next > 0, Next: next}
	return c.json(http.StatusOK, listOf(page, "wha", viewWebhookAttempt))
}
