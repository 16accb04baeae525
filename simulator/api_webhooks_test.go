package simulator_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
	"github.com/sandbank/sandbank/simulator/webhooks"
)

// Webhooks through real HTTP: endpoints registered through the API, events
// caused through the API, deliveries received by httptest receivers and
// verified with the official Standard Webhooks library. Tests synchronise
// on what the receivers get (channels) and on bounded polls of the API;
// none asserts after a sleep.

const whWait = 10 * time.Second

// whHit is one delivery a receiver got.
type whHit struct {
	n      int
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

func (h whHit) id() string { return h.header.Get("webhook-id") }

// whReceiver reports every request on a channel before answering it with
// answer (200 when nil).
type whReceiver struct {
	*httptest.Server
	hits   chan whHit
	n      atomic.Int64
	answer func(h whHit, w http.ResponseWriter, r *http.Request)
}

func whNewReceiver(t *testing.T, answer func(h whHit, w http.ResponseWriter, r *http.Request)) *whReceiver {
	t.Helper()
	rc := &whReceiver{hits: make(chan whHit, 1000), answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := whHit{n: int(rc.n.Add(1)), path: r.URL.Path, header: r.Header.Clone(), body: body, at: time.Now()}
		rc.hits <- h
		if rc.answer != nil {
			rc.answer(h, w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *whReceiver) next(t *testing.T) whHit {
	t.Helper()
	select {
	case h := <-rc.hits:
		return h
	case <-time.After(whWait):
		t.Fatalf("receiver %s: no delivery within %s", rc.URL, whWait)
		return whHit{}
	}
}

func (rc *whReceiver) collect(t *testing.T, n int) []whHit {
	t.Helper()
	out := make([]whHit, 0, n)
	for range n {
		out = append(out, rc.next(t))
	}
	return out
}

type whEndpointJSON struct {
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
	Secret                  string            `json:"secret"`
}

type whAttemptJSON struct {
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

type whEventJSON struct {
	ID        string          `json:"id"`
	Object    string          `json:"object"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// whCreate registers an endpoint and checks the 201.
func whCreate(t *testing.T, c *simtest.Client, body map[string]any) whEndpointJSON {
	t.Helper()
	var ep whEndpointJSON
	expectCreated(t, c.Post("/v1/webhook_endpoints", body), "/v1/webhook_endpoints/", &ep)
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Status != "enabled" || ep.Object != "webhook_endpoint" {
		t.Fatalf("endpoint %+v", ep)
	}
	return ep
}

// whEndpoint registers rc (at /hooks) for the given events.
func whEndpoint(t *testing.T, c *simtest.Client, rc *whReceiver, events ...string) whEndpointJSON {
	t.Helper()
	return whCreate(t, c, map[string]any{"url": rc.URL + "/hooks", "enabled_events": events})
}

// whVerify checks a Standard Webhooks delivery with the official library.
func whVerify(t *testing.T, secret string, h whHit) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(h.body, h.header); err != nil {
		t.Fatalf("the official library rejects the delivery: %v\nheaders %v", err, h.header)
	}
}

// whCustomer creates a customer (one event, customer.created) and returns
// that event's id.
func whCustomer(t *testing.T, c *simtest.Client) string {
	t.Helper()
	cust := createCustomer(t, c, individualBody("111.444.777-35"))
	var page listPage[whEventJSON]
	expectOK(t, c.Get("/v1/events?resource_id="+cust.ID), &page)
	if len(page.Data) != 1 || page.Data[0].Type != "customer.created" {
		t.Fatalf("events of a new customer: %+v", page.Data)
	}
	return page.Data[0].ID
}

// whAttempts polls an endpoint's delivery log until it holds n attempts.
func whAttempts(t *testing.T, c *simtest.Client, endpointID string, n int) []whAttemptJSON {
	t.Helper()
	deadline := time.Now().Add(whWait)
	for {
		list := walk[whAttemptJSON](t, c, "/v1/webhook_endpoints/"+endpointID+"/deliveries", "", 100, nil)
		if len(list) >= n {
			if len(list) > n {
				t.Fatalf("%d attempts, want %d: %+v", len(list), n, list)
			}
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d attempts recorded, want %d", len(list), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// whEventsSince lists the tenant's events newer than the event id after
// ("" for all), oldest first.
func whEventsSince(t *testing.T, c *simtest.Client, after string) []whEventJSON {
	t.Helper()
	all := walk[whEventJSON](t, c, "/v1/events", "", 100, nil)
	var out []whEventJSON
	for _, ev := range all {
		if ev.ID == after {
			break
		}
		out = append(out, ev)
	}
	slices.Reverse(out)
	return out
}

func whNewestEvent(t *testing.T, c *simtest.Client) string {
	t.Helper()
	var page listPage[whEventJSON]
	expectOK(t, c.Get("/v1/events?limit=1"), &page)
	if len(page.Data) == 0 {
		return ""
	}
	return page.Data[0].ID
}

func fastWebhooks(t *testing.T) *simtest.Server {
	t.Helper()
	return simtest.Start(t, simulator.Config{Seed: bankSeed, WebhookRetrySpeed: 1000})
}

func TestWebhooksDeliverEveryStateChange(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whevery"))
	debtor := freshAccount(t, c, "BRL", 100_000)
	creditor := freshAccount(t, c, "BRL", 0)
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "*")
	before := whNewestEvent(t, c)

	tr := createTransfer(t, c, transferBody("internal", debtor.ID, "BRL", 1234, map[string]any{"account_id": creditor.ID}))
	want := whEventsSince(t, c, before)
	var types []string
	for _, ev := range want {
		types = append(types, ev.Type)
	}
	for _, typ := range []string{"transfer.created", "transfer.accepted", "transfer.processing", "transfer.settled", "transaction.created"} {
		if !slices.Contains(types, typ) {
			t.Fatalf("an internal transfer (%v) made events %v: no %s", tr.statuses(), types, typ)
		}
	}
	got := map[string]whHit{}
	for _, h := range rc.collect(t, len(want)) {
		whVerify(t, ep.Secret, h)
		if _, dup := got[h.id()]; dup {
			t.Fatalf("event %s delivered twice", h.id())
		}
		got[h.id()] = h
		if h.path != "/hooks" || h.header.Get("Content-Type") != "application/json" || h.header.Get("User-Agent") != "sandbank-webhooks/1" {
			t.Errorf("delivery %s: path %s headers %v", h.id(), h.path, h.header)
		}
	}
	for _, ev := range want {
		h, ok := got[ev.ID]
		if !ok {
			t.Fatalf("event %s (%s) was not delivered", ev.ID, ev.Type)
		}
		// The body is exactly what GET /v1/events/{id} answers.
		r := c.Get("/v1/events/"+ev.ID).Expect(t, http.StatusOK)
		if !bytes.Equal(h.body, bytes.TrimSuffix(r.Body, []byte("\n"))) {
			t.Fatalf("delivery of %s:\n%s\nGET:\n%s", ev.ID, h.body, r.Body)
		}
	}
	// The last transfer event carries the transfer as GET shows it now.
	var settled whEventJSON
	for _, ev := range want {
		if ev.Type == "transfer.settled" {
			settled = ev
		}
	}
	whSameJSON(t, settled.Data, c.Get("/v1/transfers/"+tr.ID).Expect(t, http.StatusOK).Body)
	attempts := whAttempts(t, c, ep.ID, len(want))
	for _, a := range attempts {
		if a.Outcome != "succeeded" || a.Attempt != 1 || a.StatusCode == nil || *a.StatusCode != 200 || a.ResponseBody == nil || *a.ResponseBody != "ok" {
			t.Fatalf("attempt %+v", a)
		}
	}
}

// whSameJSON compares two JSON documents by value.
func whSameJSON(t *testing.T, a, b []byte) {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	if !bytes.Equal(xa, ya) {
		t.Fatalf("JSON differs:\n%s\n%s", xa, ya)
	}
}

func TestWebhooksFilterByEnabledEventsAndSkipDisabledEndpoints(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whfilter"))
	debtor := freshAccount(t, c, "BRL", 100_000)
	creditor := freshAccount(t, c, "BRL", 0)
	settled, lines, off := whNewReceiver(t, nil), whNewReceiver(t, nil), whNewReceiver(t, nil)
	epSettled := whEndpoint(t, c, settled, "transfer.settled")
	epLines := whEndpoint(t, c, lines, "transaction.*", "customer.created")
	epOff := whEndpoint(t, c, off, "*")
	var upd whEndpointJSON
	expectOK(t, c.Post("/v1/webhook_endpoints/"+epOff.ID, map[string]any{"status": "disabled"}), &upd)
	if upd.Status != "disabled" || upd.DisabledReason == nil {
		t.Fatalf("disabled endpoint %+v", upd)
	}
	before := whNewestEvent(t, c)
	createTransfer(t, c, transferBody("internal", debtor.ID, "BRL", 500, map[string]any{"account_id": creditor.ID}))
	var wantSettled, wantLines []string
	for _, ev := range whEventsSince(t, c, before) {
		switch {
		case ev.Type == "transfer.settled":
			wantSettled = append(wantSettled, ev.ID)
		case strings.HasPrefix(ev.Type, "transaction."):
			wantLines = append(wantLines, ev.ID)
		}
	}
	if len(wantSettled) != 1 || len(wantLines) < 2 {
		t.Fatalf("events: settled %v lines %v", wantSettled, wantLines)
	}
	gotIDs := func(hits []whHit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.id())
		}
		slices.Sort(out)
		return out
	}
	slices.Sort(wantLines)
	if got := gotIDs(settled.collect(t, 1)); !slices.Equal(got, wantSettled) {
		t.Fatalf("transfer.settled endpoint got %v, want %v", got, wantSettled)
	}
	if got := gotIDs(lines.collect(t, len(wantLines))); !slices.Equal(got, wantLines) {
		t.Fatalf("transaction.* endpoint got %v, want %v", got, wantLines)
	}
	whAttempts(t, c, epSettled.ID, 1)
	whAttempts(t, c, epLines.ID, len(wantLines))
	// The disabled endpoint was never queued anything.
	if n := off.n.Load(); n != 0 {
		t.Fatalf("the disabled endpoint got %d deliveries", n)
	}
	whAttempts(t, c, epOff.ID, 0)
	for _, e := range c.Journal() {
		if w, _ := e["webhook"].(map[string]any); w != nil && w["endpoint_id"] == epOff.ID {
			t.Fatalf("journal entry for the disabled endpoint: %v", e)
		}
	}
}

func TestWebhooksRetryAfterErrorsAndTimeouts(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64 // the wall clock moves 2 s per delivery, so timestamps differ
	srv := simtest.Start(t, simulator.Config{
		Seed: bankSeed, WebhookRetrySpeed: 1000, WebhookTimeout: 200 * time.Millisecond,
		Wall: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
	})
	c := srv.Client(simtest.NewKey("whretry"))
	rc := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) {
		offset.Add(int64(2 * time.Second))
		switch h.n {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			<-r.Context().Done() // hang past the timeout
		default:
			io.WriteString(w, "ok")
		}
	})
	ep := whEndpoint(t, c, rc, "customer.created")
	evID := whCustomer(t, c)
	hits := rc.collect(t, 3)
	stamps := map[string]bool{}
	for i, h := range hits {
		if h.id() != evID || h.header.Get("Sandbank-Delivery-Attempt") != strconv.Itoa(i+1) || h.header.Get("Sandbank-Delivery-Id") != hits[0].header.Get("Sandbank-Delivery-Id") {
			t.Fatalf("attempt %d: %v", i+1, h.header)
		}
		whVerify(t, ep.Secret, h)
		stamps[h.header.Get("webhook-timestamp")] = true
	}
	if len(stamps) != 3 {
		t.Fatalf("webhook-timestamps %v: each attempt is signed when it is made", stamps)
	}
	attempts := whAttempts(t, c, ep.ID, 3) // newest first
	a3, a2, a1 := attempts[0], attempts[1], attempts[2]
	if a1.Attempt != 1 || a1.Outcome != "failed" || a1.StatusCode == nil || *a1.StatusCode != 500 || a1.NextRetryAt == nil {
		t.Errorf("attempt 1: %+v", a1)
	}
	if a2.Attempt != 2 || a2.Outcome != "failed" || a2.StatusCode != nil || a2.Error == nil || !strings.Contains(*a2.Error, "timeout") || a2.NextRetryAt == nil || a2.DurationMS < 200 {
		t.Errorf("attempt 2: %+v", a2)
	}
	if a3.Attempt != 3 || a3.Outcome != "succeeded" || *a3.StatusCode != 200 || a3.NextRetryAt != nil || a3.Error != nil {
		t.Errorf("attempt 3: %+v", a3)
	}
	for _, a := range attempts {
		if a.DeliveryID != a1.DeliveryID || a.EventID != evID || a.EventType != "customer.created" || a.EndpointID != ep.ID {
			t.Errorf("attempt %+v", a)
		}
	}
	// The journal has each attempt, as the receiver experienced it.
	var outcomes []string
	for _, e := range whJournal(t, c) {
		outcomes = append(outcomes, e["outcome"].(string)+":"+strconv.Itoa(int(e["status"].(float64))))
	}
	if !slices.Equal(outcomes, []string{"completed:500", "hung:0", "completed:200"}) {
		t.Fatalf("journal outcomes %v", outcomes)
	}
}

// whJournal is the tenant's webhook journal entries, oldest first.
func whJournal(t *testing.T, c *simtest.Client) []map[string]any {
	t.Helper()
	var page struct {
		Data []map[string]any `json:"data"`
	}
	expectOK(t, c.Get("/_sandbank/journal?kind=webhook&limit=100"), &page)
	return page.Data
}

func TestWebhooksGiveUpAfterTheStandardSchedule(t *testing.T) {
	t.Parallel()
	// A million times faster: 5 s → 5 µs, 24 h → 86 ms.
	srv := simtest.Start(t, simulator.Config{Seed: bankSeed, WebhookRetrySpeed: 1e6})
	c := srv.Client(simtest.NewKey("whgiveup"))
	rc := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	ep := whEndpoint(t, c, rc, "customer.created")
	evID := whCustomer(t, c)
	for _, h := range rc.collect(t, 10) {
		if h.id() != evID {
			t.Fatalf("delivery of %s", h.id())
		}
	}
	attempts := whAttempts(t, c, ep.ID, 10)
	slices.Reverse(attempts)
	for i, a := range attempts {
		if a.Attempt != i+1 {
			t.Fatalf("attempt %d is number %d", i+1, a.Attempt)
		}
		if i == 9 {
			if a.Outcome != "gave_up" || a.NextRetryAt != nil {
				t.Fatalf("last attempt %+v", a)
			}
			continue
		}
		min := webhooks.StandardSchedule[i] / 1_000_000
		if a.Outcome != "failed" || a.NextRetryAt == nil || a.NextRetryAt.Sub(a.CreatedAt) < min {
			t.Fatalf("attempt %d: %+v, want the next retry at least %s later", i+1, a, min)
		}
	}
	var got whEndpointJSON
	expectOK(t, c.Get("/v1/webhook_endpoints/"+ep.ID), &got)
	if got.Status != "enabled" {
		t.Fatal("giving up on one event does not disable the endpoint")
	}
}

func TestWebhooksGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whgone"))
	gone := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	fine := whNewReceiver(t, nil)
	epGone := whEndpoint(t, c, gone, "customer.created")
	whEndpoint(t, c, fine, "customer.created")
	whCustomer(t, c)
	gone.next(t)
	fine.next(t)
	attempts := whAttempts(t, c, epGone.ID, 1)
	if a := attempts[0]; a.Outcome != "endpoint_disabled" || *a.StatusCode != 410 || a.NextRetryAt != nil {
		t.Fatalf("attempt %+v", a)
	}
	var ep whEndpointJSON
	expectOK(t, c.Get("/v1/webhook_endpoints/"+epGone.ID), &ep)
	if ep.Status != "disabled" || ep.DisabledReason == nil || !strings.Contains(*ep.DisabledReason, "410") {
		t.Fatalf("after 410: %+v", ep)
	}
	// The next event goes to the other endpoint only.
	second := whCustomer(t, c)
	if h := fine.next(t); h.id() != second {
		t.Fatalf("delivery of %s", h.id())
	}
	if n := gone.n.Load(); n != 1 {
		t.Fatalf("the disabled endpoint got %d deliveries", n)
	}
	// Re-enabling clears the reason; deliveries resume.
	expectOK(t, c.Post("/v1/webhook_endpoints/"+epGone.ID, map[string]any{"status": "enabled"}), &ep)
	if ep.Status != "enabled" || ep.DisabledReason != nil {
		t.Fatalf("re-enabled: %+v", ep)
	}
	third := whCustomer(t, c)
	if h := gone.next(t); h.id() != third {
		t.Fatalf("delivery of %s", h.id())
	}
}

func TestWebhooksRedirectIsAFailure(t *testing.T) {
	t.Parallel()
	srv := startBank(t) // real-time retries: the next one is 5 s away
	c := srv.Client(simtest.NewKey("whredirect"))
	rc := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
	})
	ep := whEndpoint(t, c, rc, "customer.created")
	whCustomer(t, c)
	a := whAttempts(t, c, ep.ID, 1)[0]
	if a.Outcome != "failed" || *a.StatusCode != 301 || a.Error == nil || !strings.Contains(*a.Error, "redirect") || a.NextRetryAt == nil {
		t.Fatalf("attempt %+v", a)
	}
	if rc.n.Load() != 1 {
		t.Fatal("the redirect was followed")
	}
}

func TestWebhooksResend(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whresend"))
	r1, r2, r3 := whNewReceiver(t, nil), whNewReceiver(t, nil), whNewReceiver(t, nil)
	ep1 := whEndpoint(t, c, r1, "customer.*")
	ep2 := whEndpoint(t, c, r2, "*")
	ep3 := whEndpoint(t, c, r3, "account.*")
	evID := whCustomer(t, c)
	first1, first2 := r1.next(t), r2.next(t)

	type resendJSON struct {
		Object     string `json:"object"`
		EventID    string `json:"event_id"`
		Deliveries []struct {
			DeliveryID string `json:"delivery_id"`
			EndpointID string `json:"endpoint_id"`
			URL        string `json:"url"`
		} `json:"deliveries"`
	}
	// To every subscribed, enabled endpoint.
	var all resendJSON
	r := c.Post("/v1/events/"+evID+"/resend", nil, "Idempotency-Key", "resend-all").Expect(t, http.StatusAccepted)
	r.Decode(t, &all)
	if all.Object != "event_resend" || all.EventID != evID || len(all.Deliveries) != 2 {
		t.Fatalf("resend: %s", r.Body)
	}
	again1, again2 := r1.next(t), r2.next(t)
	for _, pair := range [][2]whHit{{first1, again1}, {first2, again2}} {
		if pair[1].id() != evID || pair[1].header.Get("Sandbank-Delivery-Id") == pair[0].header.Get("Sandbank-Delivery-Id") {
			t.Fatalf("a resend is a new delivery of the same event: %v", pair[1].header)
		}
		if !bytes.Equal(pair[0].body, pair[1].body) {
			t.Fatal("a resend carries another body")
		}
	}
	whVerify(t, ep1.Secret, again1)
	whVerify(t, ep2.Secret, again2)
	// The same request again is a replay: nothing new is scheduled.
	replay := c.Post("/v1/events/"+evID+"/resend", nil, "Idempotency-Key", "resend-all").Expect(t, http.StatusAccepted)
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, r.Body) {
		t.Fatalf("replay: %s", replay.Body)
	}
	// To one endpoint.
	var one resendJSON
	c.Post("/v1/events/"+evID+"/resend", map[string]any{"endpoint_id": ep2.ID}).Expect(t, http.StatusAccepted).Decode(t, &one)
	if len(one.Deliveries) != 1 || one.Deliveries[0].EndpointID != ep2.ID {
		t.Fatalf("resend to one: %+v", one)
	}
	if h := r2.next(t); h.id() != evID {
		t.Fatalf("delivery %s", h.id())
	}
	// Each endpoint logs exactly its deliveries: ep1 two, ep2 three (the
	// replay scheduled nothing), ep3 none.
	whAttempts(t, c, ep1.ID, 2)
	whAttempts(t, c, ep2.ID, 3)
	whAttempts(t, c, ep3.ID, 0)
	// Refusals name the field.
	expectViolation(t, c.Post("/v1/events/"+evID+"/resend", map[string]any{"endpoint_id": ep3.ID}), "endpoint_not_subscribed", "/endpoint_id")
	expectViolation(t, c.Post("/v1/events/"+evID+"/resend", map[string]any{"endpoint_id": "we_doesnotexist0000"}), "resource_missing", "/endpoint_id")
	expectViolation(t, c.Post("/v1/events/"+evID+"/resend", map[string]any{"endpoint_id": "nope"}), "validation_failed", "/endpoint_id")
	expectOK(t, c.Post("/v1/webhook_endpoints/"+ep1.ID, map[string]any{"status": "disabled"}), nil)
	expectViolation(t, c.Post("/v1/events/"+evID+"/resend", map[string]any{"endpoint_id": ep1.ID}), "endpoint_disabled", "/endpoint_id")
	p := expectProblem(t, c.Post("/v1/events/evt_doesnotexist0000/resend", nil), http.StatusNotFound, "resource_missing")
	if !strings.HasPrefix(p.Detail, "no such event") {
		t.Fatalf("detail %q", p.Detail)
	}
	if r3.n.Load() != 0 {
		t.Fatal("the account.* endpoint got a customer event")
	}
}

func TestWebhooksSecretRotation(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64
	wall := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	srv := simtest.Start(t, simulator.Config{Seed: bankSeed, Wall: wall})
	c := srv.Client(simtest.NewKey("whrotate"))
	rc := whNewReceiver(t, nil)
	ep := whEndpoint(t, c, rc, "customer.created")
	s1 := ep.Secret
	whCustomer(t, c)
	h := rc.next(t)
	if n := len(strings.Fields(h.header.Get("webhook-signature"))); n != 1 {
		t.Fatalf("%d signatures before a rotation", n)
	}
	whVerify(t, s1, h)

	var rotated whEndpointJSON
	expectOK(t, c.Post("/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", map[string]any{"expire_previous_in": 60}), &rotated)
	s2 := rotated.Secret
	if s2 == s1 || !strings.HasPrefix(s2, "whsec_") || rotated.SecretHint == ep.SecretHint || !strings.HasSuffix(s2, rotated.SecretHint[len(rotated.SecretHint)-4:]) {
		t.Fatalf("rotated: %+v (was %s)", rotated, s1)
	}
	if rotated.PreviousSecretExpiresAt == nil || rotated.PreviousSecretExpiresAt.Sub(wall()).Abs() > 62*time.Second || rotated.PreviousSecretExpiresAt.Sub(wall()) < 55*time.Second {
		t.Fatalf("previous secret expires at %v", rotated.PreviousSecretExpiresAt)
	}
	// During the overlap: two signatures, each verifying with its secret.
	whCustomer(t, c)
	h = rc.next(t)
	tokens := strings.Fields(h.header.Get("webhook-signature"))
	if len(tokens) != 2 {
		t.Fatalf("during the overlap: %q", h.header.Get("webhook-signature"))
	}
	whVerify(t, s1, h)
	whVerify(t, s2, h)
	for i, secret := range []string{s2, s1} {
		alone := h
		alone.header = h.header.Clone()
		alone.header.Set("webhook-signature", tokens[i])
		whVerify(t, secret, alone)
		wh, _ := standardwebhooks.NewWebhook([]string{s1, s2}[i])
		if err := wh.Verify(alone.body, alone.header); err == nil {
			t.Fatalf("token %d verifies with the other secret", i)
		}
	}
	// After the overlap: only the new secret.
	offset.Store(int64(61 * time.Second))
	whCustomer(t, c)
	h = rc.next(t)
	if n := len(strings.Fields(h.header.Get("webhook-signature"))); n != 1 {
		t.Fatalf("%d signatures after the overlap", n)
	}
	whVerify(t, s2, h)
	wh, _ := standardwebhooks.NewWebhook(s1)
	if err := wh.Verify(h.body, h.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Fatalf("the expired secret: %v", err)
	}
	var got whEndpointJSON
	expectOK(t, c.Get("/v1/webhook_endpoints/"+ep.ID), &got)
	if got.PreviousSecretExpiresAt != nil || got.Secret != "" {
		t.Fatalf("after the overlap: %+v", got)
	}
	// The default overlap is a day; 0 retires the previous secret at once.
	expectOK(t, c.Post("/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", nil), &rotated)
	if d := rotated.PreviousSecretExpiresAt.Sub(wall()); d < 23*time.Hour || d > 25*time.Hour {
		t.Fatalf("default overlap %s", d)
	}
	expectOK(t, c.Post("/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", map[string]any{"expire_previous_in": 0}), &rotated)
	whCustomer(t, c)
	h = rc.next(t)
	if n := len(strings.Fields(h.header.Get("webhook-signature"))); n != 2 { // the new one and the day-long previous one (s3 retired)
		t.Fatalf("%d signatures", n)
	}
	whVerify(t, rotated.Secret, h)
	expectViolation(t, c.Post("/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", map[string]any{"expire_previous_in": -1}), "validation_failed", "/expire_previous_in")
	expectProblem(t, c.Post("/v1/webhook_endpoints/we_doesnotexist0000/rotate_secret", nil), http.StatusNotFound, "resource_missing")
}

func TestWebhooksStripeSignatureScheme(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whstripe"))
	rc := whNewReceiver(t, nil)
	ep := whCreate(t, c, map[string]any{"url": rc.URL, "enabled_events": []string{"customer.created"}, "signature_scheme": "stripe"})
	if ep.SignatureScheme != "stripe" {
		t.Fatalf("scheme %q", ep.SignatureScheme)
	}
	whCustomer(t, c)
	h := rc.next(t)
	if h.header.Get("webhook-signature") != "" {
		t.Fatal("a Stripe-scheme delivery carries a Standard Webhooks signature")
	}
	// Stripe's way, by hand: HMAC-SHA256 keyed with the secret's bytes over "t.body".
	sig := h.header.Get("Stripe-Signature")
	var ts string
	var v1 []string
	for _, kv := range strings.Split(sig, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = append(v1, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		t.Fatalf("Stripe-Signature %q: timestamp", sig)
	}
	m := hmac.New(sha256.New, []byte(ep.Secret))
	m.Write([]byte(ts + "."))
	m.Write(h.body)
	if len(v1) != 1 || !hmac.Equal([]byte(v1[0]), []byte(hex.EncodeToString(m.Sum(nil)))) {
		t.Fatalf("Stripe-Signature %q does not match HMAC-SHA256(secret, t.body)", sig)
	}
	if err := webhooks.VerifyStripe(sig, h.body, ep.Secret, time.Now(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	// Switched to Standard Webhooks, the same endpoint signs the other way.
	expectOK(t, c.Post("/v1/webhook_endpoints/"+ep.ID, map[string]any{"signature_scheme": "standard_webhooks"}), nil)
	whCustomer(t, c)
	whVerify(t, ep.Secret, rc.next(t))
}

func TestWebhookEndpointValidation(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("whvalid"))
	ok := []string{"*"}
	for _, tc := range []struct {
		name     string
		body     map[string]any
		code, at string
	}{
		{"ftp", map[string]any{"url": "ftp://example.com/hooks", "enabled_events": ok}, "invalid_url", "/url"},
		{"no host", map[string]any{"url": "http://", "enabled_events": ok}, "invalid_url", "/url"},
		{"relative", map[string]any{"url": "/hooks", "enabled_events": ok}, "invalid_url", "/url"},
		{"credentials", map[string]any{"url": "https://user:secret@example.com/hooks", "enabled_events": ok}, "invalid_url", "/url"},
		{"fragment", map[string]any{"url": "https://example.com/hooks#x", "enabled_events": ok}, "invalid_url", "/url"},
		{"too long", map[string]any{"url": "https://example.com/" + strings.Repeat("a", 2030), "enabled_events": ok}, "validation_failed", "/url"},
		{"no url", map[string]any{"enabled_events": ok}, "validation_failed", "/url"},
		{"no events", map[string]any{"url": "https://example.com"}, "validation_failed", "/enabled_events"},
		{"empty events", map[string]any{"url": "https://example.com", "enabled_events": []string{}}, "validation_failed", "/enabled_events"},
		{"unknown event", map[string]any{"url": "https://example.com", "enabled_events": []string{"transfer.exploded"}}, "invalid_event_type", "/enabled_events/0"},
		{"unknown prefix", map[string]any{"url": "https://example.com", "enabled_events": []string{"transfer.*", "nothing.*"}}, "invalid_event_type", "/enabled_events/1"},
		{"bad filter", map[string]any{"url": "https://example.com", "enabled_events": []string{"Transfer Settled"}}, "validation_failed", "/enabled_events/0"},
		{"scheme", map[string]any{"url": "https://example.com", "enabled_events": ok, "signature_scheme": "hmac"}, "validation_failed", "/signature_scheme"},
		{"metadata key", map[string]any{"url": "https://example.com", "enabled_events": ok, "metadata": map[string]string{strings.Repeat("k", 41): "v"}}, "invalid_metadata", "/metadata/" + strings.Repeat("k", 41)},
		{"unknown field", map[string]any{"url": "https://example.com", "enabled_events": ok, "secret": "whsec_mine"}, "validation_failed", "/secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectViolation(t, c.Post("/v1/webhook_endpoints", tc.body), tc.code, tc.at)
		})
	}
	if ids := apiListIDs(t, c, "/v1/webhook_endpoints"); len(ids) != 0 {
		t.Fatalf("refused requests created %v", ids)
	}
	ep := whCreate(t, c, map[string]any{"url": "https://example.com/hooks", "enabled_events": ok})
	for _, tc := range []struct {
		body     map[string]any
		code, at string
	}{
		{map[string]any{"url": "gopher://example.com"}, "invalid_url", "/url"},
		{map[string]any{"status": "paused"}, "validation_failed", "/status"},
		{map[string]any{"enabled_events": []string{"nope.nope"}}, "invalid_event_type", "/enabled_events/0"},
	} {
		expectViolation(t, c.Post("/v1/webhook_endpoints/"+ep.ID, tc.body), tc.code, tc.at)
	}
	expectProblem(t, c.Post("/v1/webhook_endpoints/"+ep.ID, map[string]any{}), http.StatusBadRequest, "validation_failed")
	expectProblem(t, c.Post("/v1/webhook_endpoints/we_doesnotexist0000", map[string]any{"status": "enabled"}), http.StatusNotFound, "resource_missing")
	expectProblem(t, c.Get("/v1/webhook_endpoints/nope"), http.StatusBadRequest, "validation_failed")
}

func TestWebhookEndpointsLifecycle(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	c := srv.Client(simtest.NewKey("whlife"))
	var created []whEndpointJSON
	for i := range 5 {
		created = append(created, whCreate(t, c, map[string]any{
			"url": "https://example.com/hooks/" + strconv.Itoa(i), "enabled_events": []string{"transfer.*"},
			"description": "endpoint " + strconv.Itoa(i), "metadata": map[string]string{"i": strconv.Itoa(i)},
		}))
	}
	first := created[0]
	if first.SignatureScheme != "standard_webhooks" || first.Description == nil || *first.Description != "endpoint 0" || first.Metadata["i"] != "0" ||
		!first.CreatedAt.Equal(clockStart) || first.SecretHint != "whsec_************"+first.Secret[len(first.Secret)-4:] {
		t.Fatalf("created %+v", first)
	}
	// Reads never show the secret.
	r := c.Get("/v1/webhook_endpoints/" + first.ID)
	var got whEndpointJSON
	expectOK(t, r, &got)
	if strings.Contains(r.String(), `"secret"`) || strings.Contains(r.String(), first.Secret) {
		t.Fatalf("GET shows the secret: %s", r.Body)
	}
	got.Secret = first.Secret
	if !reflectEqualJSON(t, got, first) {
		t.Fatalf("GET %+v\ncreate %+v", got, first)
	}
	// Newest first, page by page.
	list := walk[whEndpointJSON](t, c, "/v1/webhook_endpoints", "", 2, nil)
	if len(list) != 5 || list[0].ID != created[4].ID || list[4].ID != first.ID {
		t.Fatalf("list %v", ids(list, func(e whEndpointJSON) string { return e.ID }))
	}
	for _, e := range list {
		if e.Secret != "" {
			t.Fatal("a list shows a secret")
		}
	}
	// Update.
	advance(t, c, "1m")
	var upd whEndpointJSON
	expectOK(t, c.Post("/v1/webhook_endpoints/"+first.ID, map[string]any{
		"url": "https://example.org/new", "enabled_events": []string{"*"}, "description": "renamed", "metadata": map[string]string{"team": "ops"},
	}), &upd)
	if upd.URL != "https://example.org/new" || upd.EnabledEvents[0] != "*" || *upd.Description != "renamed" || upd.Metadata["team"] != "ops" ||
		!upd.UpdatedAt.Equal(clockStart.Add(time.Minute)) || !upd.CreatedAt.Equal(clockStart) || upd.SecretHint != first.SecretHint {
		t.Fatalf("updated %+v", upd)
	}
	// Delete.
	c.Do(http.MethodDelete, "/v1/webhook_endpoints/"+first.ID, nil).Expect(t, http.StatusNoContent)
	expectProblem(t, c.Get("/v1/webhook_endpoints/"+first.ID), http.StatusNotFound, "resource_missing")
	expectProblem(t, c.Do(http.MethodDelete, "/v1/webhook_endpoints/"+first.ID, nil), http.StatusNotFound, "resource_missing")
	expectProblem(t, c.Get("/v1/webhook_endpoints/"+first.ID+"/deliveries"), http.StatusNotFound, "resource_missing")
	if n := len(apiListIDs(t, c, "/v1/webhook_endpoints")); n != 4 {
		t.Fatalf("%d endpoints after a delete", n)
	}
	// An idempotent create replays the same endpoint, secret included.
	body := map[string]any{"url": "https://example.com/once", "enabled_events": []string{"*"}}
	a := c.Post("/v1/webhook_endpoints", body, "Idempotency-Key", "create-once").Expect(t, http.StatusCreated)
	b := c.Post("/v1/webhook_endpoints", body, "Idempotency-Key", "create-once").Expect(t, http.StatusCreated)
	if b.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(a.Body, b.Body) {
		t.Fatalf("replay %s", b.Body)
	}
	if n := len(apiListIDs(t, c, "/v1/webhook_endpoints")); n != 5 {
		t.Fatalf("%d endpoints after an idempotent create", n)
	}
	// A reset forgets endpoints and events.
	expectOK(t, c.Post("/_sandbank/reset", nil), nil)
	if n := len(apiListIDs(t, c, "/v1/webhook_endpoints")); n != 0 {
		t.Fatalf("%d endpoints after a reset", n)
	}
	if n := len(apiListIDs(t, c, "/v1/events")); n != 0 {
		t.Fatalf("%d events after a reset", n)
	}
}

func reflectEqualJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestWebhooksDeliveryLogAndJournal(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	c := srv.Client(simtest.NewKey("whlog"))
	rc := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) {
		if h.n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "try later")
			return
		}
		io.WriteString(w, "thanks")
	})
	ep := whCreate(t, c, map[string]any{"url": rc.URL + "/hooks?source=sandbank", "enabled_events": []string{"customer.created"}})
	evID := whCustomer(t, c)
	hits := rc.collect(t, 2)
	attempts := whAttempts(t, c, ep.ID, 2)
	// Page by page too.
	if paged := walk[whAttemptJSON](t, c, "/v1/webhook_endpoints/"+ep.ID+"/deliveries", "", 1, nil); len(paged) != 2 || paged[0].Attempt != 2 || paged[1].Attempt != 1 {
		t.Fatalf("paged %+v", paged)
	}
	for i, a := range []whAttemptJSON{attempts[1], attempts[0]} {
		sent := hits[i]
		if a.Object != "webhook_attempt" || a.Attempt != i+1 || a.Copy != 1 || a.EventID != evID || a.EventType != "customer.created" ||
			a.EndpointID != ep.ID || a.URL != ep.URL || a.DeliveryID != sent.header.Get("Sandbank-Delivery-Id") || len(a.Faults) != 0 {
			t.Fatalf("attempt %d: %+v", i+1, a)
		}
		for _, name := range []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "Content-Type", "User-Agent", "Sandbank-Delivery-Id", "Sandbank-Delivery-Attempt"} {
			if a.RequestHeaders[name] != sent.header.Get(name) {
				t.Errorf("attempt %d: header %s recorded %q, sent %q", i+1, name, a.RequestHeaders[name], sent.header.Get(name))
			}
		}
		if time.Since(a.CreatedAt).Abs() > time.Minute {
			t.Errorf("created_at %s is not wall time", a.CreatedAt)
		}
	}
	if a := attempts[1]; *a.StatusCode != 503 || *a.ResponseBody != "try later" || a.NextRetryAt == nil || a.Outcome != "failed" {
		t.Fatalf("first attempt %+v", a)
	}
	if a := attempts[0]; *a.StatusCode != 200 || *a.ResponseBody != "thanks" || a.NextRetryAt != nil || a.Outcome != "succeeded" {
		t.Fatalf("second attempt %+v", a)
	}
	entries := whJournal(t, c)
	if len(entries) != 2 {
		t.Fatalf("%d webhook journal entries", len(entries))
	}
	for i, e := range entries {
		w := e["webhook"].(map[string]any)
		sum := sha256.Sum256(hits[i].body)
		headers := e["headers"].(map[string]any)
		if e["kind"] != "webhook" || e["method"] != "POST" || e["path"] != "/hooks" || e["query"] != "source=sandbank" ||
			e["body_sha256"] != hex.EncodeToString(sum[:]) || int(e["body_bytes"].(float64)) != len(hits[i].body) || e["resource_id"] == nil ||
			w["event_id"] != evID || w["event_type"] != "customer.created" || w["endpoint_id"] != ep.ID || w["url"] != ep.URL || int(w["attempt"].(float64)) != i+1 ||
			e["request_id"] != hits[i].header.Get("Sandbank-Delivery-Id") {
			t.Fatalf("journal entry %d: %v", i+1, e)
		}
		if sig, _ := headers["Webhook-Signature"].([]any); len(sig) != 1 || sig[0] != hits[i].header.Get("Webhook-Signature") {
			t.Fatalf("journal headers %v", headers)
		}
	}
	// The secret appears nowhere but in the create response.
	secretBody := strings.TrimPrefix(ep.Secret, "whsec_")
	for _, path := range []string{"/_sandbank/journal?limit=100", "/v1/webhook_endpoints/" + ep.ID + "/deliveries", "/v1/webhook_endpoints/" + ep.ID, "/v1/webhook_endpoints", "/v1/events?limit=100"} {
		if body := c.Get(path).Expect(t, http.StatusOK).String(); strings.Contains(body, secretBody) {
			t.Fatalf("GET %s shows the secret", path)
		}
	}
}

func TestWebhooksTenantIsolation(t *testing.T) {
	t.Parallel()
	srv := fastWebhooks(t)
	a, b := srv.Client(simtest.NewKey("whtenantA")), srv.Client(simtest.NewKey("whtenantB"))
	ra, rb := whNewReceiver(t, nil), whNewReceiver(t, nil)
	epA := whEndpoint(t, a, ra, "*")
	epB := whEndpoint(t, b, rb, "*")
	evA := whCustomer(t, a)
	if h := ra.next(t); h.id() != evA {
		t.Fatalf("A got %s", h.id())
	}
	whAttempts(t, a, epA.ID, 1)
	// B neither sees nor touches A's endpoint or event.
	for _, path := range []string{"/v1/webhook_endpoints", "/v1/events?limit=100"} {
		if body := b.Get(path).Expect(t, http.StatusOK).String(); strings.Contains(body, epA.ID) || strings.Contains(body, evA) {
			t.Fatalf("B's %s mentions A's endpoint or event", path)
		}
	}
	for _, r := range []*simtest.Response{
		b.Get("/v1/webhook_endpoints/" + epA.ID),
		b.Post("/v1/webhook_endpoints/"+epA.ID, map[string]any{"status": "disabled"}),
		b.Post("/v1/webhook_endpoints/"+epA.ID+"/rotate_secret", nil),
		b.Get("/v1/webhook_endpoints/" + epA.ID + "/deliveries"),
		b.Do(http.MethodDelete, "/v1/webhook_endpoints/"+epA.ID, nil),
		b.Get("/v1/events/" + evA),
		b.Post("/v1/events/"+evA+"/resend", nil),
	} {
		expectProblem(t, r, http.StatusNotFound, "resource_missing")
	}
	// B cannot send its own events to A's endpoint either.
	evB := whCustomer(t, b)
	expectViolation(t, b.Post("/v1/events/"+evB+"/resend", map[string]any{"endpoint_id": epA.ID}), "resource_missing", "/endpoint_id")
	if h := rb.next(t); h.id() != evB {
		t.Fatalf("B got %s", h.id())
	}
	whAttempts(t, b, epB.ID, 1)
	whAttempts(t, a, epA.ID, 1) // A's endpoint still enabled, with its one delivery
	if ra.n.Load() != 1 || rb.n.Load() != 1 {
		t.Fatalf("A's receiver got %d, B's %d", ra.n.Load(), rb.n.Load())
	}
	var got whEndpointJSON
	expectOK(t, a.Get("/v1/webhook_endpoints/"+epA.ID), &got)
	if got.Status != "enabled" || got.SecretHint != epA.SecretHint {
		t.Fatalf("B changed A's endpoint: %+v", got)
	}
}

func TestWebhooksNeverDelayRequests(t *testing.T) {
	t.Parallel()
	srv := simtest.Start(t, simulator.Config{Seed: bankSeed, WebhookWorkers: 1, WebhookTimeout: time.Minute})
	c := srv.Client(simtest.NewKey("whhang"))
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	rc := whNewReceiver(t, func(h whHit, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	whEndpoint(t, c, rc, "*")
	whCustomer(t, c)
	rc.next(t) // the only delivery worker now hangs on the receiver
	// A watchdog frees the receiver if the API got stuck behind it, so the
	// test fails instead of hanging.
	stuck := time.AfterFunc(whWait, free)
	defer stuck.Stop()
	start := time.Now()
	debtor := freshAccount(t, c, "BRL", 100_000)
	for range 10 {
		createTransfer(t, c, apiTEDTransfer(debtor.ID, 100))
	}
	advance(t, c, "1h") // settles them: more events
	select {
	case <-release:
		t.Fatalf("the API waited for the hanging receiver (%s)", time.Since(start))
	default:
	}
	if n := rc.n.Load(); n != 1 {
		t.Fatalf("the receiver got %d deliveries while the only worker hung", n)
	}
	free()
	rc.next(t) // deliveries resume
}

func TestWebhooksOAuthScopes(t *testing.T) {
	t.Parallel()
	srv := startBank(t)
	key := simtest.NewKey("whscopes")
	read := apiBearer(srv, apiToken(t, srv, key, "events:read"))
	hooksRead := apiBearer(srv, apiToken(t, srv, key, "webhooks:read"))
	write := apiBearer(srv, apiToken(t, srv, key, "webhooks:write"))
	body := map[string]any{"url": "https://example.com/hooks", "enabled_events": []string{"*"}}
	read.Get("/v1/events").Expect(t, http.StatusOK)
	expectProblem(t, read.Get("/v1/webhook_endpoints"), http.StatusForbidden, "insufficient_scope")
	expectProblem(t, read.Post("/v1/webhook_endpoints", body), http.StatusForbidden, "insufficient_scope")
	hooksRead.Get("/v1/webhook_endpoints").Expect(t, http.StatusOK)
	expectProblem(t, hooksRead.Post("/v1/webhook_endpoints", body), http.StatusForbidden, "insufficient_scope")
	expectProblem(t, write.Get("/v1/events"), http.StatusForbidden, "insufficient_scope")
	var ep whEndpointJSON
	expectCreated(t, write.Post("/v1/webhook_endpoints", body), "/v1/webhook_endpoints/", &ep)
	hooksRead.Get("/v1/webhook_endpoints/"+ep.ID+"/deliveries").Expect(t, http.StatusOK)
}
