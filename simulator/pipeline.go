package simulator

// The request pipeline, in one place. Every request to sandbank takes this
// path, in this order:
//
//	conn → request id → route → auth (key/OAuth → tenant; the journal entry opens)
//	     → rate limit → body → choose a fault → fault (before)
//	     → contract validation → idempotency → handler (under the tenant's lock)
//	     → fault (after commit) → response (validated when configured) → journal
//
// Each step either passes the call on or answers it with an RFC 9457
// problem; nothing below a step runs once it has answered. A fault may
// also take the connection over (a reset, a hang): then nothing is
// written, and the journal records what the client experienced.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator/idempotency"
	"github.com/sandbank/sandbank/simulator/journal"
)

// handlerFunc runs one operation. It is called with the tenant's lock held
// (for tenant operations) and returns the whole response, so that the
// pipeline can store it for idempotent replays, validate it and journal it.
type handlerFunc func(c *call) *response

type response struct {
	status int
	header http.Header
	body   []byte
}

// call is one request on its way through the pipeline.
type call struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	connID    string
	arrived   time.Time     // wall clock
	mono      time.Duration // since the server started

	op     *openapi.Operation
	route  string            // the matched path template, even when the method is wrong
	params map[string]string // path parameters
	tenant *tenant
	cred   *credential
	entry  *journal.Entry

	body     []byte
	bodyHash string
	input    *openapi.ValidatedRequest
	q        url.Values // the query, parsed once (queryValues)

	idemKey     string
	replayed    bool
	resourceID  string // the resource the request created or acted on
	problemCode string
	resp        *response

	decision    *scenarios.Decision // the fault chosen for this request, if any
	fault       *journal.Fault      // what was injected, for the journal
	taken       bool                // a fault wrote (or destroyed) the response itself
	outcome     string              // how the exchange ended when a fault took it
	extraHeader http.Header         // headers every response gets (RateLimit fields)
}

// ServeHTTP is the pipeline.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := s.begin(w, r)
	defer c.recoverPanic()
	c.resp = s.run(c)
	s.finish(c)
}

func (s *Server) run(c *call) *response {
	if resp := s.route(c); resp != nil { // path template and method → operation (404, 405)
		return resp
	}
	if resp := s.identify(c); resp != nil { // credentials → tenant, scopes (401, 403)
		return resp
	}
	if resp := s.rateLimit(c); resp != nil { // the tenant's token bucket, when on (429)
		return resp
	}
	if resp := s.readBody(c); resp != nil { // bounded body (413)
		return resp
	}
	if resp := s.chooseFault(c); resp != nil { // Sandbank-Fault, Sandbank-Scenario, the tenant's scenarios
		return resp
	}
	if resp := s.inject(c, scenarios.Before, nil); resp != nil || c.taken { // nothing applied
		return resp
	}
	if resp := s.validate(c); resp != nil { // the OpenAPI contract (400, 415)
		return resp
	}
	resp := s.execute(c)                            // idempotency, then the handler
	return s.inject(c, scenarios.AfterCommit, resp) // applied and stored; now lose or change the response
}

func (s *Server) begin(w http.ResponseWriter, r *http.Request) *call {
	c := &call{s: s, w: w, r: r, arrived: s.cfg.Wall(), mono: time.Since(s.started)}
	c.connID, _ = r.Context().Value(connIDKey{}).(string)
	if c.connID == "" {
		c.connID = "conn_0"
	}
	c.requestID = fmt.Sprintf("req_srv%013d", s.reqSeq.Add(1)) // replaced by a per-tenant id once the tenant is known
	return c
}

// route finds the operation. Unknown paths are 404 and known paths with
// another method 405 with Allow; both still try to name the tenant so the
// journal shows the client's mistake.
func (s *Server) route(c *call) *response {
	var m mux.RouteMatch
	if s.router.Match(c.r, &m) && m.Route != nil {
		path := m.Route.GetName()
		c.route = path
		if op, ok := s.opsByPath[path][c.r.Method]; ok {
			c.op, c.params = op, m.Vars
			return nil
		}
		allow := strings.Join(s.doc.MethodsFor(path), ", ")
		s.identifyQuietly(c)
		resp := c.problem("method_not_allowed", fmt.Sprintf("%s %s is not an operation; this path supports %s", c.r.Method, path, allow))
		resp.header.Set("Allow", allow)
		return resp
	}
	s.identifyQuietly(c)
	return c.problem("not_found", fmt.Sprintf("no route %s %s; GET /openapi.json lists every operation", c.r.Method, c.r.URL.Path))
}

// identify authenticates, finds (or provisions) the tenant, opens the
// journal entry and checks scopes. Public operations need no credentials.
func (s *Server) identify(c *call) *response {
	if c.op.Public {
		return nil
	}
	cred, resp := c.authenticate()
	if cred != nil {
		c.cred = cred
		if c.tenant == nil {
			t, err := s.tenants.get(cred.key)
			if err != nil {
				return c.problem("internal_error", "provisioning the tenant failed: "+err.Error())
			}
			c.tenant = t
		}
		c.openJournal()
	}
	if resp != nil {
		return resp
	}
	return c.authorize(cred)
}

func (s *Server) identifyQuietly(c *call) {
	if cred, resp := c.authenticate(); cred != nil && resp == nil {
		if t, err := s.tenants.get(cred.key); err == nil {
			c.tenant = t
			c.openJournal()
		}
	}
}

// openJournal records the request's arrival in the tenant's journal.
func (c *call) openJournal() {
	if c.entry != nil || c.tenant == nil {
		return
	}
	c.requestID = c.tenant.nextRequestID()
	c.entry = &journal.Entry{
		RequestID: c.requestID, ConnectionID: c.connID, ArrivedAt: c.arrived, Monotonic: c.mono,
		Method: c.r.Method, Path: c.r.URL.Path, Query: c.r.URL.RawQuery,
		Headers: journal.MaskHeaders(c.r.Header), IdempotencyKey: c.rawIdempotencyKey(),
	}
	c.entry.Route = c.route
	if c.op != nil {
		c.entry.OperationID = c.op.ID
	}
	c.entry.VirtualTime = c.tenant.clock.Now()
	c.tenant.journal.Begin(c.entry)
}

// rawIdempotencyKey is the key as parsed, or the header as sent when it
// does not parse (the journal shows what the client did).
func (c *call) rawIdempotencyKey() string {
	h := c.r.Header.Get("Idempotency-Key")
	if k, err := idempotency.ParseKey(h); err == nil {
		return k
	}
	return h
}

// readBody reads the body within the configured limit and hashes it.
func (s *Server) readBody(c *call) *response {
	limit := s.cfg.MaxBodyBytes
	if c.r.ContentLength > limit {
		return c.problem("payload_too_large", fmt.Sprintf("the body has %d bytes; at most %d are accepted (--max-body-bytes)", c.r.ContentLength, limit))
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return c.problem("payload_too_large", fmt.Sprintf("the body exceeds %d bytes (--max-body-bytes)", limit))
		}
		return c.problem(openapi.CodeValidationFailed, "the request body could not be read: "+err.Error())
	}
	c.body = body
	if len(body) > 0 {
		sum := sha256.Sum256(body)
		c.bodyHash = hex.EncodeToString(sum[:])
	}
	if c.entry != nil {
		c.tenant.journal.Update(c.entry, func(e *journal.Entry) { e.BodySHA256, e.BodyBytes = c.bodyHash, len(body) })
	}
	return nil
}

// validate holds the request to the contract.
func (s *Server) validate(c *call) *response {
	in, rerr := s.validator.ValidateRequest(c.r.Context(), c.op, openapi.RequestInput{Request: c.r, PathParams: c.params, Body: c.body})
	if rerr != nil {
		entry := problemCatalog[rerr.Code]
		return c.problemWith(rerr.Status, rerr.Code, entry.title, rerr.Detail, rerr.Violations)
	}
	c.input = in
	return nil
}

// execute applies the Idempotency-Key layer around the handler: a new key
// runs the handler and stores its response; a retry replays it; a reused
// key with another payload or a duplicate in flight is refused.
func (s *Server) execute(c *call) *response {
	handler := s.handlers[c.op.ID]
	if c.tenant == nil {
		return handler(c)
	}
	if !c.op.HasParameter("header", "Idempotency-Key") {
		s.inject(c, scenarios.InFlight, nil)
		return c.locked(s.duplicated(c, handler))
	}
	t := c.tenant
	settings, now := t.settings.Load(), t.clock.Now()

	header := c.r.Header.Get("Idempotency-Key")
	if header == "" {
		if settings.IdempotencyKey == KeyRequired && c.op.MoneyMovement {
			return c.problem("idempotency_key_required", fmt.Sprintf("%s moves money and this tenant requires an Idempotency-Key (a UUID is a good key); settings.idempotency.key = required", c.op.ID),
				openapi.Violation{Parameter: "Idempotency-Key", In: "header", Detail: "is required"})
		}
		s.inject(c, scenarios.InFlight, nil)
		return c.locked(s.duplicated(c, handler))
	}
	key, err := idempotency.ParseKey(header)
	if err != nil {
		return c.problem("invalid_idempotency_key", err.Error(), openapi.Violation{Parameter: "Idempotency-Key", In: "header", Detail: err.Error()})
	}
	c.idemKey = key
	fp := idempotency.FingerprintOf(c.r.Method, c.r.URL.Path, canonicalBody(c.input.Body))
	rec, outcome := t.idem.Begin(key, fp, c.r.Method, c.r.URL.Path, now)
	switch outcome {
	case idempotency.Replay:
		c.replayed, c.resourceID = true, rec.ResourceID
		return replayOf(rec.Response)
	case idempotency.Mismatch:
		detail := fmt.Sprintf("the Idempotency-Key %q was first used for %s %s with another body; use a new key for a new request", key, rec.Method, rec.Path)
		if settings.IdempotencyProfile == ProfileStripe {
			return c.problem("idempotency_error", detail)
		}
		return c.problem("idempotency_key_mismatch", detail)
	case idempotency.InFlight:
		resp := c.problem("idempotency_key_in_use", fmt.Sprintf("the first request with Idempotency-Key %q is still running; retry it later with the same key", key))
		resp.header.Set("Retry-After", "1")
		return resp
	}
	committed := false
	defer func() {
		if !committed { // the handler panicked: let a retry run
			t.idem.Abort(rec)
		}
	}()
	// An in-flight fault holds the request here: the key is claimed, so a
	// retry with it meets 409 until the operation has run.
	s.inject(c, scenarios.InFlight, nil)
	resp := c.locked(s.duplicated(c, handler))
	// A replay is a new request with its own Request-Id; Original-Request
	// names the request whose response it repeats (as Stripe does).
	stored := resp.header.Clone()
	stored.Set("Original-Request", c.requestID)
	t.idem.Complete(rec, idempotency.Response{Status: resp.status, Header: stored, Body: resp.body}, c.resourceID)
	committed = true
	return resp
}

// duplicated wraps a handler so that a duplicate fault applies the
// operation several times, as a provider without idempotency would: the
// client gets the first response; the journal names every resource made.
func (s *Server) duplicated(c *call, h handlerFunc) handlerFunc {
	d := c.decision
	if d == nil || d.Injection.Copies() < 2 || c.r.Method == http.MethodGet {
		return h
	}
	return func(c *call) *response {
		first := h(c)
		resources := []string{c.resourceID}
		firstID := c.resourceID
		for range d.Injection.Copies() - 1 {
			h(c)
			resources = append(resources, c.resourceID)
		}
		c.resourceID = firstID
		c.recordFault(scenarios.AfterCommit, map[string]any{"resources": resources})
		return first
	}
}

// locked runs a handler under the tenant's lock, after running any clock
// jobs that fell due in realtime mode.
func (c *call) locked(h handlerFunc) *response {
	c.tenant.mu.Lock()
	defer c.tenant.mu.Unlock()
	c.tenant.bank.Clock.CatchUp()
	if d := c.decision; d != nil && scenarios.IsWebhookFault(d.Injection) {
		c.tenant.webhookFault = d
		defer func() { c.tenant.webhookFault = nil }()
	}
	return h(c)
}

func replayOf(stored *idempotency.Response) *response {
	h := stored.Header.Clone()
	h.Set("Idempotent-Replayed", "true")
	return &response{status: stored.Status, header: h, body: stored.Body}
}

// canonicalBody re-encodes a decoded JSON body with sorted keys so the
// fingerprint ignores key order and whitespace.
func canonicalBody(v any) []byte {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// finish writes the response (unless a fault took the connection) and
// completes the journal entry.
func (s *Server) finish(c *call) {
	if c.taken {
		s.complete(c, 0, c.outcome)
		return
	}
	resp := c.resp
	if resp == nil {
		resp = c.problem("internal_error", "no response was produced")
	}
	h := c.w.Header()
	for k, v := range c.extraHeader {
		h[k] = v
	}
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Request-Id", c.requestID)
	if xr := c.r.Header.Get("X-Request-Id"); xr != "" {
		h.Set("X-Request-Id", xr)
	}
	if s.cfg.ValidateResponses && c.op != nil {
		if vs := s.validator.ValidateResponse(c.op, resp.status, resp.header, resp.body); len(vs) > 0 {
			s.log.Warn("response violates the contract", "operation", c.op.ID, "status", resp.status, "violations", vs, "request_id", c.requestID)
		}
	}
	c.w.WriteHeader(resp.status)
	_, werr := c.w.Write(resp.body)
	outcome := journal.Completed
	if werr != nil || c.r.Context().Err() != nil {
		outcome = journal.ClientClosed
	}
	s.complete(c, resp.status, outcome)
}

// complete fills the journal entry in and logs the request.
func (s *Server) complete(c *call, status int, outcome string) {
	if c.tenant != nil && c.entry == nil {
		c.openJournal() // operations that learn their tenant late (POST /oauth/token)
	}
	duration := time.Since(s.started) - c.mono
	if c.entry != nil {
		c.tenant.journal.Update(c.entry, func(e *journal.Entry) {
			e.Status, e.Outcome, e.Replayed = status, outcome, c.replayed
			e.ProblemCode, e.ResourceID, e.Duration = c.problemCode, c.resourceID, duration
			e.BodySHA256, e.BodyBytes = c.bodyHash, len(c.body)
			e.Fault = c.fault
		})
	}
	level := s.logLevel(status)
	if !s.log.Enabled(c.r.Context(), level) { // spare the attributes when nothing logs them
		return
	}
	attrs := []any{"method", c.r.Method, "path", c.r.URL.Path, "status", status, "duration", duration,
		"request_id", c.requestID, "replayed", c.replayed, "code", c.problemCode}
	if c.fault != nil {
		attrs = append(attrs, "fault", c.fault.Type, "phase", c.fault.Phase, "outcome", outcome)
	}
	s.log.Log(c.r.Context(), level, "request", attrs...)
}

// recoverPanic turns a panic into a 500 problem instead of a dropped
// connection, and logs it with the request id.
func (c *call) recoverPanic() {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler { // a fault ended the exchange without a response
			if c.taken {
				c.s.complete(c, 0, c.outcome)
			}
			panic(v)
		}
		c.s.log.Error("panic in handler", "panic", v, "request_id", c.requestID)
		c.resp = c.problem("internal_error", "sandbank hit an internal error; the request id identifies it in the server log")
		c.s.finish(c)
	}
}

// json renders a value as the response body.
func (c *call) json(status int, v any) *response {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return c.problem("internal_error", "encoding the response failed: "+err.Error())
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &response{status: status, header: h, body: buf.Bytes()}
}
