package webhooks

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("webhooks: the dispatcher is closed")

// Dispatcher delivers events for every tenant. Enqueue never blocks: the
// queue is unbounded and in memory, served by Config.Workers goroutines
// (started on first use); retries and delays wait on one timer goroutine.
type Dispatcher struct {
	cfg    Config
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cond    *sync.Cond
	ready   []*task             // due now, first in first out
	timers  timerHeap           // due later (a delay, a retry, the end of a hold)
	holds   map[holdKey][]*task // held for reordering
	started bool
	closed  bool
	wake    chan struct{}
	wg      sync.WaitGroup
}

// NewDispatcher returns a dispatcher; its goroutines start with the first
// delivery.
func NewDispatcher(cfg Config) *Dispatcher {
	cfg.defaults()
	d := &Dispatcher{cfg: cfg, holds: map[holdKey][]*task{}, wake: make(chan struct{}, 1)}
	d.cond = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.Client != nil {
		c := *cfg.Client
		c.CheckRedirect = noRedirects
		d.client = &c
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.IdleConnTimeout = 64, 8, 30*time.Second
		d.client = &http.Client{Transport: tr, CheckRedirect: noRedirects}
	}
	return d
}

// Config returns the effective configuration.
func (d *Dispatcher) Config() Config { return d.cfg }

// Close stops the workers and timers, aborting attempts in flight;
// pending deliveries and retries are dropped. It returns once every
// goroutine of the dispatcher has ended.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.ready, d.timers, d.holds = nil, nil, nil
	d.cond.Broadcast()
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	d.client.CloseIdleConnections()
}

// task is one delivery (one copy of an event to one endpoint) across its
// attempts.
type task struct {
	job      Job
	gen      uint64 // the store's generation when enqueued
	id       string // Sandbank-Delivery-Id
	copy     int
	copies   int
	plan     DeliveryPlan
	attempts int
	next     *task // the next copy, for sequential copies

	held       bool // waiting in holds
	holdDone   bool // was held and released
	heldSince  time.Time
	heldFor    time.Duration
	releasedBy string

	timerGen int // invalidates timer entries of earlier schedulings
}

type holdKey struct {
	store      *Store
	endpoint   string
	resourceID string
}

func (t *task) holdKey() holdKey {
	return holdKey{t.job.Store, t.job.Endpoint, t.job.Message.ResourceID}
}

// Enqueue schedules the delivery of a message to an endpoint and returns
// its delivery ids (one per copy). It never blocks on delivery: the caller
// may hold a tenant's lock.
func (d *Dispatcher) Enqueue(j Job) ([]string, error) {
	if j.Store == nil {
		return nil, errors.New("webhooks: a job needs a store")
	}
	ep, err := j.Store.Get(j.Endpoint)
	if err != nil {
		return nil, err
	}
	var plan DeliveryPlan
	switch {
	case j.Plan != nil:
		plan = *j.Plan
	default:
		if p := j.Store.plannerFor(); p != nil {
			plan = p(j.Message, ep)
		}
	}
	if err := plan.Check(); err != nil {
		return nil, err
	}
	copies := max(plan.Copies, 1)
	tasks := make([]*task, copies)
	ids := make([]string, copies)
	for i := range tasks {
		gen, id := j.Store.newDelivery(ep.ID, j.Message.EventID)
		tasks[i] = &task{job: j, gen: gen, id: id, copy: i + 1, copies: copies, plan: plan}
		ids[i] = id
		if i > 0 && !plan.Concurrent {
			tasks[i-1].next = tasks[i]
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	d.startLocked()
	at := time.Now().Add(plan.Delay)
	for i, t := range tasks {
		if i > 0 && !plan.Concurrent {
			break // started by the previous copy
		}
		d.scheduleLocked(t, at)
	}
	return ids, nil
}

func (d *Dispatcher) startLocked() {
	if d.started {
		return
	}
	d.started = true
	d.wg.Add(d.cfg.Workers + 1)
	for range d.cfg.Workers {
		go d.work()
	}
	go d.timerLoop()
}

// scheduleLocked makes a task due at a time.
func (d *Dispatcher) scheduleLocked(t *task, at time.Time) {
	t.timerGen++
	if !at.After(time.Now()) {
		d.readyLocked(t)
		return
	}
	heap.Push(&d.timers, &timerEntry{at: at, t: t, gen: t.timerGen})
	if d.timers[0].t == t {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// readyLocked queues a due task, or holds it back for reordering.
func (d *Dispatcher) readyLocked(t *task) {
	if t.plan.HoldForReorder && !t.holdDone && t.attempts == 0 {
		t.held, t.heldSince = true, time.Now()
		k := t.holdKey()
		d.holds[k] = append(d.holds[k], t)
		t.timerGen++
		heap.Push(&d.timers, &timerEntry{at: t.heldSince.Add(d.cfg.MaxHold), t: t, gen: t.timerGen})
		select {
		case d.wake <- struct{}{}:
		default:
		}
		return
	}
	d.ready = append(d.ready, t)
	d.cond.Signal()
}

// releaseLocked ends a task's hold.
func (d *Dispatcher) releaseLocked(t *task, by string) {
	k := t.holdKey()
	list := d.holds[k]
	for i, x := range list {
		if x == t {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(d.holds, k)
	} else {
		d.holds[k] = list
	}
	t.held, t.holdDone, t.releasedBy, t.heldFor = false, true, by, time.Since(t.heldSince)
	t.timerGen++
	d.readyLocked(t)
}

func (d *Dispatcher) work() {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		for len(d.ready) == 0 && !d.closed {
			d.cond.Wait()
		}
		if d.closed {
			d.mu.Unlock()
			return
		}
		t := d.ready[0]
		d.ready[0] = nil
		d.ready = d.ready[1:]
		d.mu.Unlock()
		d.run(t)
	}
}

func (d *Dispatcher) timerLoop() {
	defer d.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			return
		}
		now := time.Now()
		for len(d.timers) > 0 && !d.timers[0].at.After(now) {
			e := heap.Pop(&d.timers).(*timerEntry)
			if e.gen != e.t.timerGen {
				continue // rescheduled or released since
			}
			if e.t.held {
				d.releaseLocked(e.t, "timeout")
			} else {
				d.readyLocked(e.t)
			}
		}
		wait := time.Hour
		if len(d.timers) > 0 {
			wait = d.timers[0].at.Sub(now)
		}
		d.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-d.wake:
		case <-d.ctx.Done():
			return
		}
	}
}

// run makes one attempt of a task and decides what follows.
func (d *Dispatcher) run(t *task) {
	ep, ok := t.job.Store.live(t.job.Endpoint, t.gen)
	if !ok { // deleted, disabled or reset since: dropped
		d.after(t, nil)
		return
	}
	t.attempts++
	a, retryIn, disable := d.attempt(t, ep)
	if d.ctx.Err() != nil {
		return // closing: nothing more is recorded
	}
	if retryIn >= 0 {
		a.NextRetryAt = d.cfg.Now().Add(retryIn)
	}
	if t.job.Store.record(&a, t.gen, disable) {
		switch a.Outcome {
		case OutcomeGaveUp:
			d.cfg.Logger.Warn("webhook delivery gave up", "delivery", a.DeliveryID, "event", a.EventID, "endpoint", a.EndpointID, "attempts", a.Attempt)
		case OutcomeEndpointDisabled:
			d.cfg.Logger.Warn("webhook endpoint disabled (410 Gone)", "endpoint", a.EndpointID, "url", a.URL)
		}
		if t.job.Observe != nil {
			t.job.Observe(a.clone())
		}
		if d.cfg.OnAttempt != nil {
			d.cfg.OnAttempt(a.clone())
		}
	}
	d.after(t, func() {
		if retryIn >= 0 {
			d.scheduleLocked(t, time.Now().Add(retryIn))
		}
	})
}

// after releases what waited on a task's attempt: deliveries of other
// events of the same resource held for reordering, and the next copy.
func (d *Dispatcher) after(t *task, then func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if t.job.Message.ResourceID != "" {
		for _, h := range append([]*task(nil), d.holds[t.holdKey()]...) {
			if h.job.Message.EventID != t.job.Message.EventID {
				d.releaseLocked(h, t.job.Message.EventID)
			}
		}
	}
	if t.next != nil && t.attempts <= 1 {
		next := t.next
		t.next = nil
		d.scheduleLocked(next, time.Now())
	}
	if then != nil {
		then()
	}
}

// attempt sends one request. It returns the attempt, the wait before the
// next one (-1: none) and, for 410 Gone, the reason to disable the endpoint.
func (d *Dispatcher) attempt(t *task, ep Endpoint) (a Attempt, retryIn time.Duration, disable string) {
	m, plan := t.job.Message, t.plan
	now := d.cfg.Now()
	a = Attempt{
		DeliveryID: t.id, EventID: m.EventID, EventType: m.EventType, ResourceID: m.ResourceID,
		EndpointID: ep.ID, URL: ep.URL, Attempt: t.attempts, Copy: t.copy, Copies: t.copies, StartedAt: now,
	}
	fault := func(name string, params ...any) {
		a.Faults = append(a.Faults, name)
		if a.FaultParams == nil {
			a.FaultParams = map[string]any{}
		}
		for i := 0; i+1 < len(params); i += 2 {
			a.FaultParams[params[i].(string)] = params[i+1]
		}
	}
	if t.copies > 1 {
		fault(FaultDuplicate, "copy", t.copy, "copies", t.copies, "concurrent", plan.Concurrent)
	}
	if plan.Delay > 0 && t.attempts == 1 {
		fault(FaultDelayed, "delay_ms", plan.Delay.Milliseconds())
	}
	if t.holdDone && t.attempts == 1 {
		fault(FaultHeldForReorder, "held_ms", t.heldFor.Milliseconds(), "released_by", t.releasedBy)
	}

	body, header, err := d.sign(ep, m, plan, now, fault)
	header.Set(HeaderDeliveryID, t.id)
	header.Set(HeaderDeliveryAttempt, strconv.Itoa(t.attempts))
	a.RequestHeaders = header
	if err != nil { // cannot happen with secrets sandbank made
		a.Error, a.Outcome = "signing failed: "+err.Error(), OutcomeGaveUp
		return a, -1, ""
	}
	sum := sha256.Sum256(body)
	a.BodySHA256, a.BodyBytes = hex.EncodeToString(sum[:]), len(body)

	status, respHeader, excerpt, sendErr, took := d.send(ep.URL, header, body)
	a.StatusCode, a.ResponseBody, a.Duration = status, excerpt, took
	if sendErr != nil {
		a.Error, a.TimedOut = describe(sendErr, d.cfg.Timeout)
	}

	failed := true
	switch {
	case sendErr != nil:
	case t.attempts <= plan.FailFirst:
		fault(FaultFailFirst, "fail_first", plan.FailFirst)
		a.Error = fmt.Sprintf("treated as failed by the delivery plan (attempt %d of the first %d fail)", t.attempts, plan.FailFirst)
	case status >= 200 && status < 300:
		failed = false
	case status == http.StatusGone:
		a.Outcome = OutcomeEndpointDisabled
		a.Error = "the endpoint answered 410 Gone: it is disabled and nothing more is sent to it"
		return a, -1, fmt.Sprintf("the endpoint answered 410 Gone at %s", now.UTC().Format(time.RFC3339))
	case status >= 300 && status < 400:
		a.Error = fmt.Sprintf("the endpoint answered %d: redirects are not followed, so a 3xx is a failure", status)
	}
	if !failed {
		a.Outcome = OutcomeSucceeded
		return a, -1, ""
	}
	if t.attempts > len(d.cfg.Schedule) {
		a.Outcome = OutcomeGaveUp
		return a, -1, ""
	}
	wait := d.cfg.Schedule[t.attempts-1]
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if ra, ok := retryAfter(respHeader.Get("Retry-After"), now); ok {
			wait = max(wait, min(ra, d.cfg.MaxRetryAfter))
		}
	}
	a.Outcome = OutcomeFailed
	return a, time.Duration(float64(wait) / d.cfg.RetrySpeed), ""
}

// sign builds the body and headers of an attempt, applying the plan's
// timestamp and signature faults.
func (d *Dispatcher) sign(ep Endpoint, m Message, plan DeliveryPlan, now time.Time, fault func(string, ...any)) ([]byte, http.Header, error) {
	body := m.Payload
	ts := now.Add(-plan.StaleBy)
	switch {
	case plan.StaleBy > 0:
		fault(FaultStaleTimestamp, "stale_by_s", plan.StaleBy.Seconds())
	case plan.StaleBy < 0:
		fault(FaultFutureStamp, "ahead_by_s", -plan.StaleBy.Seconds())
	}
	secrets := ep.Secrets(now)
	if plan.BadSignature != "" {
		fault(FaultBadSignature, "bad_signature", plan.BadSignature)
	}
	if plan.BadSignature == BadSignatureWrongSecret {
		secrets = []string{wrongSecret(ep.ID)}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	var name, sig string
	var err error
	if ep.SignatureScheme == SchemeStripe {
		name = HeaderStripeSignature
		sig, err = SignStripe(secrets, ts, body)
		if plan.BadSignature == BadSignatureEmpty {
			sig = "t=" + strconv.FormatInt(ts.Unix(), 10) + ",v1="
		}
	} else {
		name = HeaderWebhookSignature
		h.Set(HeaderWebhookID, m.EventID)
		h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
		sig, err = SignStandard(secrets, m.EventID, ts, body)
		if plan.BadSignature == BadSignatureEmpty {
			sig = "v1,"
		}
	}
	if err != nil {
		return nil, h, err
	}
	if plan.BadSignature != BadSignatureMissing {
		h.Set(name, sig)
	}
	if plan.BadSignature == BadSignatureTamperedBody {
		body = tamper(body)
	}
	return body, h, nil
}

// send posts a delivery within the timeout, reading at most
// MaxResponseBytes of the answer.
func (d *Dispatcher) send(target string, header http.Header, body []byte) (status int, respHeader http.Header, excerpt string, err error, took time.Duration) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.Timeout)
	defer cancel()
	respHeader = http.Header{}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, respHeader, "", err, 0
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, respHeader, "", err, time.Since(start)
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBytes))
	took = time.Since(start)
	if len(data) > 1024 {
		data = data[:1024]
	}
	excerpt = strings.ToValidUTF8(string(data), "")
	if rerr != nil && ctx.Err() != nil { // the answer did not arrive whole in time
		return resp.StatusCode, resp.Header, excerpt, rerr, took
	}
	return resp.StatusCode, resp.Header, excerpt, nil, took
}

// describe turns a transport error into a short message, and tells a
// timeout.
func describe(err error, timeout time.Duration) (string, bool) {
	if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
		return fmt.Sprintf("timeout: no complete answer within %s", timeout), true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error(), false
}

// retryAfter parses Retry-After: delay-seconds or an HTTP-date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<30)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// wrongSecret is a well-formed secret that is not the endpoint's.
func wrongSecret(endpointID string) string {
	sum := sha256.Sum256([]byte("sandbank-wrong-secret:" + endpointID))
	return SecretPrefix + base64.StdEncoding.EncodeToString(sum[:secretBytes])
}

// tamper changes one byte of a body after it was signed: a character of
// the event id, so that the body is still the same JSON shape.
func tamper(body []byte) []byte {
	out := bytes.Clone(body)
	if i := bytes.Index(out, []byte(`"id":"`)); i >= 0 {
		if j := bytes.IndexByte(out[i+6:], '"'); j > 0 {
			k := i + 6 + j - 1
			if out[k] == 'A' {
				out[k] = 'B'
			} else {
				out[k] = 'A'
			}
			return out
		}
	}
	if len(out) > 0 {
		out[len(out)/2] ^= 0x01
	}
	return out
}

// deliveryID names one delivery: deterministic for the same endpoint,
// event and position in the store's sequence.
func deliveryID(endpointID, eventID string, n uint64) string {
	sum := sha256.Sum256([]byte(endpointID + ":" + eventID + ":" + strconv.FormatUint(n, 10)))
	buf := make([]byte, 0, 20)
	buf = append(buf, "whd_"...)
	for _, b := range sum[:16] {
		buf = append(buf, idAlphabet[int(b)%len(idAlphabet)])
	}
	return string(buf)
}

type timerEntry struct {
	at    time.Time
	t     *task
	gen   int
	index int
}

type timerHeap []*timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	e := x.(*timerEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return e
}
