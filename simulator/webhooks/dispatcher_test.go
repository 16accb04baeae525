package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The dispatcher, through its API, against real HTTP receivers. Tests
// synchronise on what the receiver gets and on the attempts observed,
// never on sleeps; every wait is bounded.

const wait = 10 * time.Second

// hit is one request a receiver got.
type hit struct {
	n      int
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is an httptest server that reports every request on a channel
// (before answering it) and answers with answer (200 when nil).
type receiver struct {
	*httptest.Server
	hits     chan hit
	n        atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
	answer   func(h hit, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(h hit, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{hits: make(chan hit, 10000), answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in := rc.inFlight.Add(1)
		defer rc.inFlight.Add(-1)
		for {
			m := rc.maxIn.Load()
			if in <= m || rc.maxIn.CompareAndSwap(m, in) {
				break
			}
		}
		body, _ := io.ReadAll(r.Body)
		h := hit{n: int(rc.n.Add(1)), path: r.URL.Path, header: r.Header.Clone(), body: body, at: time.Now()}
		rc.hits <- h
		if rc.answer != nil {
			rc.answer(h, w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) next(t *testing.T) hit {
	t.Helper()
	select {
	case h := <-rc.hits:
		return h
	case <-time.After(wait):
		t.Fatalf("no delivery within %s", wait)
		return hit{}
	}
}

// observer collects attempts on a channel.
type observer chan Attempt

func (o observer) observe(a Attempt) { o <- a }

func (o observer) next(t *testing.T) Attempt {
	t.Helper()
	select {
	case a := <-o:
		return a
	case <-time.After(wait):
		t.Fatalf("no attempt recorded within %s", wait)
		return Attempt{}
	}
}

func newDispatcher(t *testing.T, cfg Config) *Dispatcher {
	t.Helper()
	d := NewDispatcher(cfg)
	t.Cleanup(d.Close)
	return d
}

// fixture is a store with one endpoint pointing at a receiver.
type fixture struct {
	store *Store
	ep    Endpoint
	obs   observer
}

func newFixture(t *testing.T, rc *receiver, in EndpointInput) *fixture {
	t.Helper()
	if in.URL == "" {
		in.URL = rc.URL + "/hook"
	}
	if in.EnabledEvents == nil {
		in.EnabledEvents = []string{"*"}
	}
	s := NewStore()
	ep, err := s.Create(in, virtualNow, seeded())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: s, ep: ep, obs: make(observer, 1000)}
}

var msgSeq atomic.Int64

func message(resource string) Message {
	id := fmt.Sprintf("evt_%016d", msgSeq.Add(1))
	payload, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": "transfer.settled", "data": map[string]any{"id": resource}})
	return Message{EventID: id, EventType: "transfer.settled", ResourceID: resource, Payload: payload}
}

func (f *fixture) enqueue(t *testing.T, d *Dispatcher, m Message, plan *DeliveryPlan) []string {
	t.Helper()
	ids, err := d.Enqueue(Job{Store: f.store, Endpoint: f.ep.ID, Message: m, Plan: plan, Observe: f.obs.observe})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// verify checks a Standard Webhooks delivery with the official library.
func verify(t *testing.T, secret string, h hit) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(h.body, h.header); err != nil {
		t.Fatalf("the official library rejects delivery %d: %v (headers %v)", h.n, err, h.header)
	}
}

// steppingClock is a wall clock that moves a second on every reading, so
// that two attempts never share a webhook-timestamp.
func steppingClock() func() time.Time {
	var n atomic.Int64
	start := time.Now()
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}

func TestDeliveryIsSignedAndRecorded(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	d := newDispatcher(t, Config{})
	f := newFixture(t, rc, EndpointInput{})
	m := message("trf_1")
	ids := f.enqueue(t, d, m, nil)
	h := rc.next(t)
	verify(t, f.ep.Secret, h)
	if !bytes.Equal(h.body, m.Payload) || h.path != "/hook" {
		t.Fatalf("body %s path %s", h.body, h.path)
	}
	for name, want := range map[string]string{
		"webhook-id": m.EventID, "Content-Type": "application/json", "User-Agent": "sandbank-webhooks/1",
		"Sandbank-Delivery-Id": ids[0], "Sandbank-Delivery-Attempt": "1",
	} {
		if got := h.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if ts, _ := strconv.ParseInt(h.header.Get("webhook-timestamp"), 10, 64); time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		t.Errorf("webhook-timestamp %d is not now", ts)
	}
	a := f.obs.next(t)
	if a.Outcome != OutcomeSucceeded || a.StatusCode != 204 || a.Attempt != 1 || a.DeliveryID != ids[0] || a.EventID != m.EventID ||
		!a.NextRetryAt.IsZero() || a.Error != "" || a.BodyBytes != len(m.Payload) || len(a.Faults) != 0 {
		t.Fatalf("attempt %+v", a)
	}
	if a.RequestHeaders.Get("Webhook-Signature") != h.header.Get("Webhook-Signature") {
		t.Error("the recorded headers are not the ones sent")
	}
	if strings.Contains(fmt.Sprint(a.RequestHeaders), strings.TrimPrefix(f.ep.Secret, "whsec_")) {
		t.Error("the recorded headers carry the secret")
	}
	page, _, _ := f.store.Attempts(f.ep.ID, 0, 10)
	if len(page) != 1 || page[0].DeliveryID != ids[0] {
		t.Fatalf("delivery log %+v", page)
	}
}

func TestRetriesKeepTheIDAndSignAfresh(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		if h.n <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	d := newDispatcher(t, Config{RetrySpeed: 1000, Now: steppingClock()})
	f := newFixture(t, rc, EndpointInput{})
	m := message("trf_1")
	ids := f.enqueue(t, d, m, nil)
	var stamps []string
	for i := 1; i <= 3; i++ {
		h := rc.next(t)
		if h.header.Get("webhook-id") != m.EventID || h.header.Get("Sandbank-Delivery-Id") != ids[0] || h.header.Get("Sandbank-Delivery-Attempt") != strconv.Itoa(i) {
			t.Fatalf("attempt %d headers %v", i, h.header)
		}
		wh, _ := standardwebhooks.NewWebhook(f.ep.Secret)
		if err := wh.VerifyIgnoringTimestamp(h.body, h.header); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		stamps = append(stamps, h.header.Get("webhook-timestamp"))
	}
	if stamps[0] == stamps[1] || stamps[1] == stamps[2] {
		t.Fatalf("timestamps %v: each attempt is signed at its own time", stamps)
	}
	for i, want := range []string{OutcomeFailed, OutcomeFailed, OutcomeSucceeded} {
		a := f.obs.next(t)
		if a.Attempt != i+1 || a.Outcome != want || (want == OutcomeFailed) == a.NextRetryAt.IsZero() {
			t.Fatalf("attempt %d: %+v", i+1, a)
		}
		if want == OutcomeFailed && a.StatusCode != 500 {
			t.Fatalf("status %d", a.StatusCode)
		}
	}
}

func TestGivesUpAfterTheSchedule(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	// 50 s, 100 s, 150 s compressed 1000 times: 50, 100 and 150 ms.
	schedule := []time.Duration{50 * time.Second, 100 * time.Second, 150 * time.Second}
	d := newDispatcher(t, Config{RetrySpeed: 1000, Schedule: schedule})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	var at []time.Time
	for range 4 {
		at = append(at, rc.next(t).at)
	}
	for i := 1; i < 4; i++ {
		if gap, min := at[i].Sub(at[i-1]), schedule[i-1]/1000; gap < min {
			t.Errorf("attempt %d came %s after the previous one, before the schedule's %s", i+1, gap, min)
		}
	}
	for i := 1; i <= 4; i++ {
		a := f.obs.next(t)
		want := OutcomeFailed
		if i == 4 {
			want = OutcomeGaveUp
		}
		if a.Attempt != i || a.Outcome != want || a.StatusCode != 503 {
			t.Fatalf("attempt %d: %+v", i, a)
		}
		if i < 4 {
			if wait := a.NextRetryAt.Sub(a.StartedAt); wait < schedule[i-1]/1000 {
				t.Errorf("attempt %d: next retry %s after it started, want at least %s", i, wait, schedule[i-1]/1000)
			}
		} else if !a.NextRetryAt.IsZero() {
			t.Error("the last attempt announces a retry")
		}
	}
	// Nothing is left to send.
	if n := d.pending(); n != 0 {
		t.Fatalf("%d deliveries still pending after giving up", n)
	}
}

// pending counts deliveries queued, waiting on a timer or held.
func (d *Dispatcher) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.ready)
	for _, e := range d.timers {
		if e.gen == e.t.timerGen {
			n++
		}
	}
	return n
}

func TestStandardScheduleAndDefaults(t *testing.T) {
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}
	if !slices.Equal(StandardSchedule, want) {
		t.Fatalf("schedule %v", StandardSchedule)
	}
	cfg := NewDispatcher(Config{}).Config()
	if cfg.Timeout != 15*time.Second || cfg.RetrySpeed != 1 || !slices.Equal(cfg.Schedule, want) || cfg.Workers != 8 || cfg.MaxResponseBytes != 64<<10 {
		t.Fatalf("defaults %+v", cfg)
	}
}

func TestTimeoutIsAFailureAndRetried(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		if h.n == 1 {
			<-r.Context().Done() // hang until sandbank gives up on the attempt
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	d := newDispatcher(t, Config{RetrySpeed: 1000, Timeout: 150 * time.Millisecond})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	a := f.obs.next(t)
	if a.Outcome != OutcomeFailed || a.StatusCode != 0 || !a.TimedOut || !strings.Contains(a.Error, "timeout") || a.Duration < 150*time.Millisecond {
		t.Fatalf("timed-out attempt %+v", a)
	}
	if a = f.obs.next(t); a.Outcome != OutcomeSucceeded || a.Attempt != 2 {
		t.Fatalf("retry %+v", a)
	}
}

func TestGoneDisablesTheEndpointAndStops(t *testing.T) {
	gone := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	fine := newReceiver(t, nil)
	d := newDispatcher(t, Config{Workers: 1, RetrySpeed: 1000})
	f := newFixture(t, gone, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	a := f.obs.next(t)
	if a.Outcome != OutcomeEndpointDisabled || a.StatusCode != 410 || !a.NextRetryAt.IsZero() {
		t.Fatalf("attempt %+v", a)
	}
	ep, _ := f.store.Get(f.ep.ID)
	if ep.Status != StatusDisabled || !strings.Contains(ep.DisabledReason, "410") {
		t.Fatalf("endpoint after 410: %+v", ep)
	}
	// A later event for it is dropped: with one worker, it is handled
	// before the delivery to another endpoint enqueued after it.
	f.enqueue(t, d, message("trf_2"), nil)
	other, _ := f.store.Create(EndpointInput{URL: fine.URL, EnabledEvents: []string{"*"}}, virtualNow, seeded())
	if other.ID == f.ep.ID {
		t.Fatal("two endpoints with one id")
	}
	if _, err := d.Enqueue(Job{Store: f.store, Endpoint: other.ID, Message: message("trf_2")}); err != nil {
		t.Fatal(err)
	}
	fine.next(t)
	if n := gone.n.Load(); n != 1 {
		t.Fatalf("the disabled endpoint got %d requests", n)
	}
	if d.pending() != 0 {
		t.Fatal("a delivery to the disabled endpoint is still pending", d.debugPending())
	}
}

func TestRedirectIsAFailureAndNotFollowed(t *testing.T) {
	var followed atomic.Int64
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	d := newDispatcher(t, Config{Schedule: []time.Duration{}})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	a := f.obs.next(t)
	if a.Outcome != OutcomeGaveUp || a.StatusCode != 302 || !strings.Contains(a.Error, "redirect") {
		t.Fatalf("attempt %+v", a)
	}
	if followed.Load() != 0 || rc.n.Load() != 1 {
		t.Fatal("the redirect was followed")
	}
}

func TestRetryAfterIsHonouredAndBounded(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		switch h.n {
		case 1:
			w.Header().Set("Retry-After", "200") // 200 s, compressed: 200 ms
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", "999999") // bounded by MaxRetryAfter
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	d := newDispatcher(t, Config{RetrySpeed: 1000, Schedule: []time.Duration{time.Second, time.Second}, MaxRetryAfter: 300 * time.Second})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	first, second := rc.next(t), rc.next(t)
	if gap := second.at.Sub(first.at); gap < 200*time.Millisecond {
		t.Fatalf("retried %s after a Retry-After of 200 s at speed 1000", gap)
	}
	third := rc.next(t)
	if gap := third.at.Sub(second.at); gap < 300*time.Millisecond || gap > 5*time.Second {
		t.Fatalf("retried %s after a Retry-After bounded to 300 s at speed 1000", gap)
	}
	if a := f.obs.next(t); a.NextRetryAt.Sub(a.StartedAt) < 200*time.Millisecond {
		t.Fatalf("first attempt's next retry %s", a.NextRetryAt.Sub(a.StartedAt))
	}
}

func TestStripeSchemeDelivery(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{})
	f := newFixture(t, rc, EndpointInput{SignatureScheme: SchemeStripe})
	m := message("trf_1")
	f.enqueue(t, d, m, nil)
	h := rc.next(t)
	sig := h.header.Get("Stripe-Signature")
	if sig == "" || h.header.Get("webhook-signature") != "" || h.header.Get("webhook-id") != "" {
		t.Fatalf("headers %v", h.header)
	}
	if err := VerifyStripe(sig, h.body, f.ep.Secret, time.Now(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestRotationSignsWithBothSecretsUntilExpiry(t *testing.T) {
	rc := newReceiver(t, nil)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	d := newDispatcher(t, Config{Now: clock})
	f := newFixture(t, rc, EndpointInput{})
	old := f.ep.Secret
	ep, err := f.store.Rotate(f.ep.ID, 2*time.Second, clock(), virtualNow, seeded())
	if err != nil {
		t.Fatal(err)
	}
	f.enqueue(t, d, message("trf_1"), nil)
	h := rc.next(t)
	tokens := strings.Fields(h.header.Get("webhook-signature"))
	if len(tokens) != 2 {
		t.Fatalf("during the overlap: %q", h.header.Get("webhook-signature"))
	}
	verify(t, ep.Secret, h)
	verify(t, old, h)
	only := func(tok string) hit {
		c := h
		c.header = h.header.Clone()
		c.header.Set("webhook-signature", tok)
		return c
	}
	verify(t, ep.Secret, only(tokens[0]))
	verify(t, old, only(tokens[1]))
	offset.Store(int64(3 * time.Second)) // past the overlap
	f.enqueue(t, d, message("trf_2"), nil)
	h = rc.next(t)
	if tokens := strings.Fields(h.header.Get("webhook-signature")); len(tokens) != 1 {
		t.Fatalf("after the overlap: %q", h.header.Get("webhook-signature"))
	}
	verify(t, ep.Secret, h)
	wh, _ := standardwebhooks.NewWebhook(old)
	if err := wh.Verify(h.body, h.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Fatalf("the expired secret: %v", err)
	}
}

func TestResponseReadIsBounded(t *testing.T) {
	writeErr := make(chan error, 1)
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range 256 { // 256 MiB, far beyond any socket buffer
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	})
	d := newDispatcher(t, Config{MaxResponseBytes: 4096})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	a := f.obs.next(t)
	if a.Outcome != OutcomeSucceeded || len(a.ResponseBody) != 1024 {
		t.Fatalf("attempt %s, %d bytes of answer kept", a.Outcome, len(a.ResponseBody))
	}
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("the receiver wrote 256 MiB: sandbank read it all")
		}
	case <-time.After(wait):
		t.Fatal("the receiver is still writing")
	}
}

func TestEnqueueNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	d := newDispatcher(t, Config{Workers: 1})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_0"), nil)
	rc.next(t) // the only worker now hangs on the receiver
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5000 {
			if _, err := d.Enqueue(Job{Store: f.store, Endpoint: f.ep.ID, Message: message(fmt.Sprint("trf_", i))}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Enqueue blocked while the worker hangs")
	}
	if n := d.pending(); n != 5000 {
		t.Fatalf("%d deliveries queued, want 5000", n)
	}
}

func TestCloseStopsEverythingPromptly(t *testing.T) {
	hang := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	fail := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	before := runtime.NumGoroutine()
	for range 5 {
		d := NewDispatcher(Config{Workers: 4, Timeout: time.Minute})
		fh, ff := newFixture(t, hang, EndpointInput{}), newFixture(t, fail, EndpointInput{})
		fh.enqueue(t, d, message("trf_1"), nil)
		ff.enqueue(t, d, message("trf_2"), nil)
		hang.next(t)
		ff.obs.next(t) // failed; a retry waits 5 s on the timer
		fh.enqueue(t, d, message("trf_3"), &DeliveryPlan{Delay: time.Hour})
		start := time.Now()
		d.Close()
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("Close took %s with an attempt hanging", took)
		}
		if _, err := d.Enqueue(Job{Store: ff.store, Endpoint: ff.ep.ID, Message: message("trf_4")}); !errors.Is(err, ErrClosed) {
			t.Fatalf("Enqueue after Close: %v", err)
		}
		d.Close() // twice is fine
	}
	// Every goroutine of the dispatchers (workers, timers, connections) ends.
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after closing:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNoGoroutinesUntilTheFirstDelivery(t *testing.T) {
	before := runtime.NumGoroutine()
	ds := make([]*Dispatcher, 50)
	for i := range ds {
		ds[i] = NewDispatcher(Config{Workers: 16})
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines for 50 idle dispatchers", after-before)
	}
	for _, d := range ds {
		d.Close()
	}
}

func TestDeletedOrResetEndpointsGetNothingMore(t *testing.T) {
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	fine := newReceiver(t, nil)
	d := newDispatcher(t, Config{Workers: 1, RetrySpeed: 100})
	// A retry pending (after 5 s / 100 = 50 ms) when the endpoint is deleted.
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), nil)
	f.obs.next(t)
	if err := f.store.Delete(f.ep.ID); err != nil {
		t.Fatal(err)
	}
	// A delivery delayed 30 ms when its store is reset.
	g := newFixture(t, rc, EndpointInput{})
	g.enqueue(t, d, message("trf_2"), &DeliveryPlan{Delay: 30 * time.Millisecond})
	g.store.Reset()
	// A delivery due after both: when it arrives, both were dropped.
	h := newFixture(t, fine, EndpointInput{})
	h.enqueue(t, d, message("trf_3"), &DeliveryPlan{Delay: 200 * time.Millisecond})
	fine.next(t)
	if n := rc.n.Load(); n != 1 {
		t.Fatalf("the deleted and reset endpoints got %d requests, want only the first", n)
	}
	if d.pending() != 0 {
		t.Fatal("deliveries still pending")
	}
}

// --- every field of a DeliveryPlan ---------------------------------------------------

func TestPlanCopiesSequential(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{Workers: 8})
	f := newFixture(t, rc, EndpointInput{})
	m := message("trf_1")
	ids := f.enqueue(t, d, m, &DeliveryPlan{Copies: 3})
	if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
		t.Fatalf("delivery ids %v", ids)
	}
	seen := map[string]bool{}
	for range 3 {
		h := rc.next(t)
		verify(t, f.ep.Secret, h)
		if h.header.Get("webhook-id") != m.EventID {
			t.Fatal("a copy has another webhook-id")
		}
		seen[h.header.Get("Sandbank-Delivery-Id")] = true
	}
	if len(seen) != 3 {
		t.Fatalf("delivery ids seen %v", seen)
	}
	if rc.maxIn.Load() != 1 {
		t.Fatalf("%d copies were in flight at once; sequential copies go one after another", rc.maxIn.Load())
	}
	for range 3 {
		if a := f.obs.next(t); !slices.Contains(a.Faults, FaultDuplicate) || a.Copies != 3 || a.FaultParams["concurrent"] != false {
			t.Fatalf("attempt %+v", a)
		}
	}
}

func TestPlanCopiesConcurrent(t *testing.T) {
	const copies = 4
	var arrived sync.WaitGroup
	arrived.Add(copies)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	rc := newReceiver(t, func(h hit, w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		select { // answer only once every copy is in flight together
		case <-all:
		case <-time.After(wait):
			w.WriteHeader(http.StatusTeapot)
		}
	})
	d := newDispatcher(t, Config{Workers: copies})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), &DeliveryPlan{Copies: copies, Concurrent: true})
	for range copies {
		if a := f.obs.next(t); a.Outcome != OutcomeSucceeded {
			t.Fatalf("copy %d: %+v (the copies were not in flight at once)", a.Copy, a)
		}
	}
	if rc.maxIn.Load() != copies {
		t.Fatalf("%d in flight at once", rc.maxIn.Load())
	}
}

func TestPlanDelay(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{})
	f := newFixture(t, rc, EndpointInput{})
	start := time.Now()
	f.enqueue(t, d, message("trf_1"), &DeliveryPlan{Delay: 150 * time.Millisecond})
	if got := rc.next(t).at.Sub(start); got < 150*time.Millisecond {
		t.Fatalf("delivered after %s, want at least 150ms", got)
	}
	if a := f.obs.next(t); !slices.Contains(a.Faults, FaultDelayed) || a.FaultParams["delay_ms"] != int64(150) {
		t.Fatalf("attempt %+v", a)
	}
}

func TestPlanFailFirst(t *testing.T) {
	rc := newReceiver(t, nil) // always 200
	d := newDispatcher(t, Config{RetrySpeed: 1000})
	f := newFixture(t, rc, EndpointInput{})
	f.enqueue(t, d, message("trf_1"), &DeliveryPlan{FailFirst: 2})
	for i := 1; i <= 3; i++ {
		a := f.obs.next(t)
		failed := i <= 2
		if a.Attempt != i || a.StatusCode != 200 || (a.Outcome == OutcomeFailed) != failed || slices.Contains(a.Faults, FaultFailFirst) != failed {
			t.Fatalf("attempt %d: %+v", i, a)
		}
	}
	if rc.n.Load() != 3 {
		t.Fatalf("%d requests", rc.n.Load())
	}
}

func TestPlanStaleTimestamp(t *testing.T) {
	for _, c := range []struct {
		by    time.Duration
		want  error
		fault string
	}{
		{301 * time.Second, standardwebhooks.ErrMessageTooOld, FaultStaleTimestamp},
		{-301 * time.Second, standardwebhooks.ErrMessageTooNew, FaultFutureStamp},
	} {
		t.Run(c.fault, func(t *testing.T) {
			rc := newReceiver(t, nil)
			d := newDispatcher(t, Config{})
			f := newFixture(t, rc, EndpointInput{})
			f.enqueue(t, d, message("trf_1"), &DeliveryPlan{StaleBy: c.by})
			h := rc.next(t)
			wh, _ := standardwebhooks.NewWebhook(f.ep.Secret)
			if err := wh.Verify(h.body, h.header); !errors.Is(err, c.want) {
				t.Fatalf("Verify: %v, want %v", err, c.want)
			}
			if err := wh.VerifyIgnoringTimestamp(h.body, h.header); err != nil {
				t.Fatalf("the signature itself is good: %v", err)
			}
			if a := f.obs.next(t); !slices.Contains(a.Faults, c.fault) {
				t.Fatalf("faults %v", a.Faults)
			}
		})
	}
}

func TestPlanBadSignatures(t *testing.T) {
	for _, c := range []struct {
		mode string
		want error
	}{
		{BadSignatureWrongSecret, standardwebhooks.ErrNoMatchingSignature},
		{BadSignatureTamperedBody, standardwebhooks.ErrNoMatchingSignature},
		{BadSignatureMissing, standardwebhooks.ErrRequiredHeaders},
		{BadSignatureEmpty, standardwebhooks.ErrNoMatchingSignature},
	} {
		t.Run(c.mode, func(t *testing.T) {
			rc := newReceiver(t, nil)
			d := newDispatcher(t, Config{})
			f := newFixture(t, rc, EndpointInput{})
			m := message("trf_1")
			f.enqueue(t, d, m, &DeliveryPlan{BadSignature: c.mode})
			h := rc.next(t)
			wh, _ := standardwebhooks.NewWebhook(f.ep.Secret)
			if err := wh.Verify(h.body, h.header); !errors.Is(err, c.want) {
				t.Fatalf("Verify: %v, want %v", err, c.want)
			}
			switch c.mode {
			case BadSignatureTamperedBody:
				if len(h.body) != len(m.Payload) || bytes.Equal(h.body, m.Payload) || !json.Valid(h.body) {
					t.Fatalf("tampered body %s (sent %s)", h.body, m.Payload)
				}
				diff := 0
				for i := range h.body {
					if h.body[i] != m.Payload[i] {
						diff++
					}
				}
				if diff != 1 {
					t.Fatalf("%d bytes changed", diff)
				}
				if err := wh.Verify(m.Payload, h.header); err != nil {
					t.Fatalf("the signature is of the original body: %v", err)
				}
			case BadSignatureEmpty:
				if got := h.header.Get("webhook-signature"); got != "v1," {
					t.Fatalf("signature %q", got)
				}
			case BadSignatureWrongSecret:
				if got := h.header.Get("webhook-signature"); !strings.HasPrefix(got, "v1,") || len(got) != 47 {
					t.Fatalf("signature %q", got)
				}
			}
			if a := f.obs.next(t); !slices.Contains(a.Faults, FaultBadSignature) || a.FaultParams["bad_signature"] != c.mode {
				t.Fatalf("attempt %+v", a)
			}
		})
	}
	// The Stripe scheme has the same faults.
	for _, mode := range []string{BadSignatureWrongSecret, BadSignatureTamperedBody, BadSignatureMissing, BadSignatureEmpty} {
		t.Run("stripe_"+mode, func(t *testing.T) {
			rc := newReceiver(t, nil)
			d := newDispatcher(t, Config{})
			f := newFixture(t, rc, EndpointInput{SignatureScheme: SchemeStripe})
			f.enqueue(t, d, message("trf_1"), &DeliveryPlan{BadSignature: mode})
			h := rc.next(t)
			if err := VerifyStripe(h.header.Get("Stripe-Signature"), h.body, f.ep.Secret, time.Now(), 5*time.Minute); err == nil {
				t.Fatal("a bad Stripe signature verified")
			}
		})
	}
	if _, err := NewDispatcher(Config{}).Enqueue(Job{Store: NewStore(), Endpoint: "we_x", Plan: &DeliveryPlan{BadSignature: "rot13"}}); err == nil {
		t.Fatal("an unknown endpoint or bad plan was queued")
	}
}

func TestPlanHoldForReorder(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{})
	f := newFixture(t, rc, EndpointInput{})
	first, second := message("trf_1"), message("trf_1")
	f.enqueue(t, d, first, &DeliveryPlan{HoldForReorder: true})
	f.enqueue(t, d, second, nil)
	if h := rc.next(t); h.header.Get("webhook-id") != second.EventID {
		t.Fatalf("the later event should arrive first, got %s", h.header.Get("webhook-id"))
	}
	if h := rc.next(t); h.header.Get("webhook-id") != first.EventID {
		t.Fatalf("then the held one, got %s", h.header.Get("webhook-id"))
	}
	f.obs.next(t)
	if a := f.obs.next(t); a.EventID != first.EventID || !slices.Contains(a.Faults, FaultHeldForReorder) || a.FaultParams["released_by"] != second.EventID {
		t.Fatalf("held attempt %+v", a)
	}
}

func TestPlanHoldIsBounded(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{MaxHold: 100 * time.Millisecond})
	f := newFixture(t, rc, EndpointInput{})
	start := time.Now()
	f.enqueue(t, d, message("trf_1"), &DeliveryPlan{HoldForReorder: true})
	// An event of another resource does not release it.
	f.enqueue(t, d, message("trf_2"), nil)
	if h := rc.next(t); !strings.Contains(string(h.body), "trf_2") {
		t.Fatalf("first delivery %s", h.body)
	}
	h := rc.next(t)
	if !strings.Contains(string(h.body), "trf_1") || h.at.Sub(start) < 100*time.Millisecond {
		t.Fatalf("the held event arrived after %s: %s", h.at.Sub(start), h.body)
	}
	f.obs.next(t)
	if a := f.obs.next(t); a.FaultParams["released_by"] != "timeout" {
		t.Fatalf("held attempt %+v", a)
	}
}

func TestStorePlannerDecides(t *testing.T) {
	rc := newReceiver(t, nil)
	d := newDispatcher(t, Config{})
	f := newFixture(t, rc, EndpointInput{})
	var asked atomic.Int64
	f.store.SetPlanner(func(m Message, ep Endpoint) DeliveryPlan {
		asked.Add(1)
		if ep.ID != f.ep.ID {
			t.Errorf("planner asked about %s", ep.ID)
		}
		return DeliveryPlan{StaleBy: 400 * time.Second}
	})
	f.enqueue(t, d, message("trf_1"), nil)
	h := rc.next(t)
	wh, _ := standardwebhooks.NewWebhook(f.ep.Secret)
	if err := wh.Verify(h.body, h.header); !errors.Is(err, standardwebhooks.ErrMessageTooOld) || asked.Load() != 1 {
		t.Fatalf("the store's planner was not used: %v", err)
	}
	// An explicit plan wins over the planner.
	f.enqueue(t, d, message("trf_2"), &DeliveryPlan{})
	verify(t, f.ep.Secret, rc.next(t))
}

func (d *Dispatcher) debugPending() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "ready %d;", len(d.ready))
	for _, t := range d.ready {
		fmt.Fprintf(&b, " %s %s attempts %d;", t.job.Endpoint, t.job.Message.EventID, t.attempts)
	}
	for _, e := range d.timers {
		fmt.Fprintf(&b, " timer %v gen %d/%d held %v attempts %d;", time.Until(e.at), e.gen, e.t.timerGen, e.t.held, e.t.attempts)
	}
	return b.String()
}
