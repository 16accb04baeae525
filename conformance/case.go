package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sandbank/sandbank/simulator/journal"
)

// Case is one check of the suite: what it is, which operations it needs,
// and Check, which arms its fault plan, has the adapter perform its
// operations through the harness, and judges the evidence. A case reads as
// a short script; the harness records every run it makes.
type Case struct {
	ID       string
	Title    string
	Level    Level
	Standard string
	Needs    []Operation
	Check    func(ctx context.Context, h *Harness) Judgement
}

// Judgement is a case's verdict and the sentence that explains it.
type Judgement struct {
	Verdict Verdict
	Reason  string
}

func pass(format string, a ...any) Judgement { return Judgement{Pass, fmt.Sprintf(format, a...)} }
func fail(format string, a ...any) Judgement { return Judgement{Fail, fmt.Sprintf(format, a...)} }
func notApplicable(format string, a ...any) Judgement {
	return Judgement{NotApplicable, fmt.Sprintf(format, a...)}
}
func suiteError(err error) Judgement {
	return Judgement{Error, "the suite could not run the case: " + err.Error()}
}

// Harness is what a case works with: fresh tenants, the adapter, the
// evidence it collects.
type Harness struct {
	suite  *Suite
	c      *Case
	mu     sync.Mutex
	runs   []RunEvidence
	tenant int // numbers the case's tenants
}

// Options of the suite a case may read.
func (h *Harness) Options() *Options { return &h.suite.opts }

// Tenant provisions a fresh tenant for the case.
func (h *Harness) Tenant(ctx context.Context) (*TenantRun, error) {
	h.mu.Lock()
	h.tenant++
	n := h.tenant
	h.mu.Unlock()
	key := newKey(h.suite.opts.Seed, h.c.ID, n)
	t := newTenant(h.suite.baseURL, key)
	caseName := h.c.ID
	if n > 1 {
		caseName += "/" + strconv.Itoa(n)
	}
	dir, err := os.MkdirTemp(h.suite.stateDir, caseName[:min(len(caseName), 5)]+"-*")
	if err != nil {
		return nil, err
	}
	clientID, err := t.clientID(ctx)
	if err != nil {
		return nil, err
	}
	env := Env{BaseURL: h.suite.baseURL, APIKey: key, Case: caseName, StateDir: dir,
		ClientID: clientID, ClientSecret: key, TokenURL: h.suite.baseURL + "/oauth/token"}
	return &TenantRun{h: h, t: t, Env: env}, nil
}

// TenantRun is one tenant of a case: the suite's handle on it and the
// adapter's environment.
type TenantRun struct {
	h   *Harness
	t   *tenant
	Env Env

	mu   sync.Mutex
	last int64 // the newest journal entry seen
}

// Arm activates a fault plan (scenario rules in YAML) for the tenant.
func (r *TenantRun) Arm(ctx context.Context, rules string) error {
	return r.t.arm(ctx, "conformance", "name: conformance\nrules:\n"+rules)
}

// Disarm removes the fault plan (none armed is fine).
func (r *TenantRun) Disarm(ctx context.Context) error {
	var apiErr *apiError
	if err := r.t.disarm(ctx, "conformance"); err != nil && !(errors.As(err, &apiErr) && apiErr.Status == 404) {
		return err
	}
	return nil
}

// Rearm replaces the fault plan; no rules disarms it.
func (r *TenantRun) Rearm(ctx context.Context, rules string) error {
	if rules == "" {
		return r.Disarm(ctx)
	}
	return r.Arm(ctx, rules)
}

// lastID is the newest journal entry's id (read from where the last look
// ended, so that a long journal is not read again and again).
func (r *TenantRun) lastID(ctx context.Context) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	es, err := r.t.journal(ctx, r.last)
	if err != nil {
		return 0, err
	}
	if len(es) > 0 {
		r.last = es[len(es)-1].ID
	}
	return r.last, nil
}

// Outcome is what an adapter invocation produced.
type Outcome struct {
	Evidence *RunEvidence
	Output   []byte
	Err      error // nil, ErrNotImplemented, a *GaveUpError, or the deadline
}

// NotImplemented reports that the adapter does not support the operation.
func (o *Outcome) NotImplemented() bool { return errors.Is(o.Err, ErrNotImplemented) }

// GaveUp reports that the client gave up (the adapter failed) or was
// stopped at the deadline.
func (o *Outcome) GaveUp() bool { return o.Err != nil && !o.NotImplemented() }

// Killed reports that the adapter was still running at the deadline.
func (o *Outcome) Killed() bool { return o.Evidence.Adapter.Status == "killed" }

// Attempts are the client's requests to one operation in this run.
func (o *Outcome) Attempts(operationID string) []Attempt {
	return ofOperation(o.Evidence.Attempts, operationID)
}

// Perform has the adapter perform op with input, within limit, then
// records the run's evidence: the journal entries it caused.
func (r *TenantRun) Perform(ctx context.Context, name, plan string, op Operation, input any, limit time.Duration) *Outcome {
	raw, err := json.Marshal(input)
	if err != nil {
		panic(err) // inputs are the suite's own values
	}
	mark, err := r.lastID(ctx)
	ev := &RunEvidence{Name: name, Operation: op, Plan: plan, Tenant: journal.MaskCredential(r.Env.APIKey)}
	if err != nil {
		ev.Adapter.Status = "error"
		return &Outcome{Evidence: r.h.record(ev), Err: err}
	}
	out, perr, outcome := r.invoke(ctx, op, raw, limit)
	ev.Adapter = outcome
	o := &Outcome{Evidence: ev, Output: out, Err: perr}
	ev.Attempts = r.settle(ctx, mark)
	r.h.record(ev)
	return o
}

// invoke runs the adapter once, bounded by limit.
func (r *TenantRun) invoke(ctx context.Context, op Operation, input []byte, limit time.Duration) ([]byte, error, AdapterOutcome) {
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	started := time.Now()
	out, err := r.h.suite.adapter.Perform(actx, r.Env, op, input)
	return out, err, adapterOutcome(out, err, actx.Err() != nil, time.Since(started))
}

func adapterOutcome(out []byte, err error, deadline bool, took time.Duration) AdapterOutcome {
	a := AdapterOutcome{Status: "ok", DurationMS: took.Milliseconds(), Output: truncate(string(out), 2000)}
	var gaveUp *GaveUpError
	var notRunnable *NotRunnableError
	switch {
	case err == nil:
	case errors.Is(err, ErrNotImplemented):
		a.Status = "not_implemented"
	case errors.As(err, &notRunnable):
		a.Status, a.ExitCode, a.Stderr = "error", notRunnable.ExitCode, truncate(notRunnable.Error(), 2000)
	case deadline:
		a.Status = "killed"
	case errors.As(err, &gaveUp):
		a.Status, a.ExitCode, a.Stderr = "gave_up", gaveUp.ExitCode, truncate(gaveUp.Stderr, 2000)
	default:
		a.Status, a.Stderr = "gave_up", truncate(err.Error(), 2000)
	}
	return a
}

// settle waits (bounded) until none of the client's requests after mark
// is still in flight, and returns the run's timeline.
func (r *TenantRun) settle(ctx context.Context, mark int64) []Attempt {
	var es []entry
	var err error
	poll(ctx, r.h.suite.opts.SettleLimit, 100*time.Millisecond, func() bool {
		if es, err = r.t.journal(ctx, mark); err != nil {
			return true
		}
		return !slices.ContainsFunc(es, func(e entry) bool { return !e.fromSuite() && e.Outcome == "in_flight" })
	})
	if err != nil {
		return nil
	}
	return attempts(es)
}

// poll calls done every interval until it reports true, limit passes or
// ctx ends; it reports whether done did. The suite watches other processes
// (the adapter, sandbank's journal), so polling, bounded, is how it waits.
func poll(ctx context.Context, limit, interval time.Duration, done func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(interval):
		}
	}
}

// Journal returns the timeline of everything after mark (for cases that
// watch deliveries arrive).
func (r *TenantRun) Journal(ctx context.Context, mark int64) ([]Attempt, error) {
	es, err := r.t.journal(ctx, mark)
	if err != nil {
		return nil, err
	}
	return attempts(es), nil
}

func (h *Harness) record(ev *RunEvidence) *RunEvidence {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.runs = append(h.runs, *ev)
	return ev
}

// Receiver is the adapter's webhook receiver, registered as an endpoint
// of the tenant.
type Receiver struct {
	run        *TenantRun
	EndpointID string
	Secret     string
	stop       context.CancelFunc
	done       chan error
}

// Receiver starts serve_webhooks on a free local port, registered for
// events; with rotate, the endpoint's secret is rotated first and the
// receiver is given the old one (which stays valid an hour): deliveries
// then carry two signatures, only the last of which it can verify.
func (r *TenantRun) Receiver(ctx context.Context, events []string, rotate bool) (*Receiver, *Outcome, error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/webhooks", port)
	id, secret, err := r.t.endpoint(ctx, url, events)
	if err != nil {
		return nil, nil, err
	}
	if rotate {
		if err := r.t.rotate(ctx, id); err != nil {
			return nil, nil, err
		}
	}
	rctx, stop := context.WithCancel(ctx)
	rc := &Receiver{run: r, EndpointID: id, Secret: secret, stop: stop, done: make(chan error, 1)}
	input, _ := json.Marshal(WebhookInput{Port: port, Path: "/webhooks", Secret: secret, Scheme: "standard"})
	go func() {
		_, err := r.h.suite.adapter.Perform(rctx, r.Env, OpServeWebhooks, input)
		rc.done <- err
	}()
	// Wait until it listens, it fails, or a bound passes.
	var exited bool
	var exitErr error
	listening := poll(ctx, r.h.suite.opts.ReceiverStartLimit, 100*time.Millisecond, func() bool {
		select {
		case exitErr = <-rc.done:
			exited = true
			return true
		default:
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	switch {
	case exited:
		stop()
		ev := &RunEvidence{Name: "receiver", Operation: OpServeWebhooks, Tenant: journal.MaskCredential(r.Env.APIKey), Adapter: adapterOutcome(nil, exitErr, false, 0)}
		if exitErr == nil {
			exitErr = errors.New("serve_webhooks returned before it was stopped")
			ev.Adapter.Status = "gave_up"
		}
		r.h.record(ev)
		return nil, &Outcome{Evidence: ev, Err: exitErr}, nil
	case !listening:
		stop()
		<-rc.done
		return nil, nil, fmt.Errorf("serve_webhooks did not listen on 127.0.0.1:%d within %s", port, r.h.suite.opts.ReceiverStartLimit)
	}
	return rc, nil, nil
}

// Close stops the receiver and removes its endpoint (pending redeliveries
// go with it).
func (rc *Receiver) Close(ctx context.Context) {
	_ = rc.run.t.deleteEndpoint(ctx, rc.EndpointID)
	rc.stop()
	select {
	case <-rc.done:
	case <-time.After(5 * time.Second):
	}
}

// Processed asks the adapter what its receiver acted on.
func (r *TenantRun) Processed(ctx context.Context) (Processed, *Outcome) {
	o := r.Perform(ctx, "processed events", "", OpProcessedEvents, struct{}{}, 30*time.Second)
	var p Processed
	if o.Err == nil {
		if err := json.Unmarshal(o.Output, &p); err != nil {
			o.Err = fmt.Errorf("processed_events printed %q, not {\"events\": [...]}: %v", truncate(string(o.Output), 200), err)
		}
	}
	return p, o
}

// WaitDeliveries polls the journal after mark until done accepts the
// delivery attempts seen so far, or limit passes.
func (r *TenantRun) WaitDeliveries(ctx context.Context, mark int64, limit time.Duration, done func([]Attempt) bool) []Attempt {
	var ds []Attempt
	poll(ctx, limit, 100*time.Millisecond, func() bool {
		as, err := r.Journal(ctx, mark)
		ds = deliveries(as)
		return err == nil && done(ds)
	})
	return ds
}

// Mark is the journal position before the suite's next action.
func (r *TenantRun) Mark(ctx context.Context) (int64, error) { return r.lastID(ctx) }

// handedOut are the ports freePort gave receivers in this process (suites
// may run side by side, as in the suite's own tests).
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort finds a port for a receiver to listen on. The port is free
// when found but only taken when the adapter listens, later: it is never
// handed out twice, so that one case's receiver cannot be mistaken for
// another's (the suite only sees that something listens).
func freePort() (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port, nil
		}
	}
	return 0, errors.New("no port left for a receiver")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// stateDir is where runs keep their adapters' state.
func newStateDir() (string, error) { return os.MkdirTemp("", "sandbank-conformance-") }
