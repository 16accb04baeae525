package conformance

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sandbank/sandbank/simulator"
)

// Options configure a run of the suite. The zero value of each field
// means its default (see defaults).
type Options struct {
	// Target is the base URL of a running sandbank; empty starts one in
	// process on 127.0.0.1.
	Target string
	// Seed derives every case's tenant (its data and fault draws): the
	// same seed replays a run exactly.
	Seed uint64
	// Cases selects cases: comma-separated ids or patterns (IK-*, RT-0?).
	Cases string
	// Parallel bounds how many cases run at once (0: all of them).
	Parallel int
	// OperationLimit bounds one adapter invocation (default 60 s).
	OperationLimit time.Duration
	// HangLimit is how long a client may take to give up on a request
	// that never answers (TO-01, RT-02; default 90 s).
	HangLimit time.Duration
	// InFlightHold is how long IK-05 holds the first request with its key
	// claimed (default 15 s): a client that times out sooner retries into
	// a 409.
	InFlightHold time.Duration
	// RetryAfterLimit is how long a client told "Retry-After: 86400" may
	// wait before giving up or retrying (RA-03; default 60 s).
	RetryAfterLimit time.Duration
	// WebhookAckLimit is how long a receiver may take to answer a
	// delivery (WH-01; default 15 s).
	WebhookAckLimit time.Duration
	// JitterRuns is how many clients RT-08 runs in parallel (default 20).
	JitterRuns int
	// SettleLimit bounds the wait for a run's last requests to finish
	// (default 10 s).
	SettleLimit time.Duration
	// ReceiverStartLimit bounds the wait for serve_webhooks to listen
	// (default 15 s).
	ReceiverStartLimit time.Duration
	// Progress, when set, is told as cases start and finish.
	Progress func(Event)
	// Version and Adapter are written into the report.
	Version, Adapter string
}

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.OperationLimit, 60*time.Second)
	set(&o.HangLimit, 90*time.Second)
	set(&o.InFlightHold, 15*time.Second)
	set(&o.RetryAfterLimit, 60*time.Second)
	set(&o.WebhookAckLimit, 15*time.Second)
	set(&o.SettleLimit, 10*time.Second)
	set(&o.ReceiverStartLimit, 15*time.Second)
	if o.JitterRuns <= 0 {
		o.JitterRuns = 20
	}
}

// Event reports progress: a case started or finished.
type Event struct {
	Started  *Case   // set when a case starts
	Finished *Result // set when a case finishes
	Done     int
	Total    int
	Running  []string // the cases running now
}

// Suite runs cases against an adapter.
type Suite struct {
	opts     Options
	adapter  Adapter
	baseURL  string
	stateDir string
}

// Select returns the cases a pattern names (all for ""), in catalog order.
func Select(pattern string) ([]*Case, error) {
	if strings.TrimSpace(pattern) == "" {
		return Catalog(), nil
	}
	var out []*Case
	for _, p := range strings.Split(pattern, ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		matched := false
		for _, c := range Catalog() {
			if ok, err := path.Match(p, c.ID); err != nil {
				return nil, fmt.Errorf("case pattern %q: %v", p, err)
			} else if ok {
				matched = true
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
		if !matched {
			return nil, fmt.Errorf("no case matches %q (the cases are %s)", p, strings.Join(caseIDs(), ", "))
		}
	}
	slices.SortFunc(out, func(a, b *Case) int { return catalogIndex(a.ID) - catalogIndex(b.ID) })
	return out, nil
}

// Execute runs the selected cases with the adapter and returns the report.
func Execute(ctx context.Context, adapter Adapter, opts Options) (*Report, error) {
	opts.defaults()
	cases, err := Select(opts.Cases)
	if err != nil {
		return nil, err
	}
	s := &Suite{opts: opts, adapter: adapter}
	if s.stateDir, err = newStateDir(); err != nil {
		return nil, err
	}
	defer os.RemoveAll(s.stateDir)
	if opts.Target != "" {
		s.baseURL = strings.TrimRight(opts.Target, "/")
		if err := ping(ctx, s.baseURL); err != nil {
			return nil, err
		}
	} else {
		stop, base, err := s.startSimulator()
		if err != nil {
			return nil, err
		}
		defer stop()
		s.baseURL = base
	}
	started := time.Now()
	report := &Report{Version: opts.Version, Seed: opts.Seed, Target: s.baseURL, Adapter: opts.Adapter, Started: started.UTC()}
	if opts.Target == "" {
		report.Target = "in-process (" + s.baseURL + ")"
	}
	results := make([]*Result, len(cases))
	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = len(cases)
	}
	sem := make(chan struct{}, parallel)
	var mu sync.Mutex
	var running []string
	done := 0
	progress := func(ev Event) {
		if opts.Progress == nil {
			return
		}
		ev.Done, ev.Total, ev.Running = done, len(cases), slices.Clone(running)
		opts.Progress(ev)
	}
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			mu.Lock()
			running = append(running, c.ID)
			progress(Event{Started: c})
			mu.Unlock()
			res := s.runCase(ctx, c)
			mu.Lock()
			results[i] = res
			running = slices.DeleteFunc(running, func(id string) bool { return id == c.ID })
			done++
			progress(Event{Finished: res})
			mu.Unlock()
		}()
	}
	wg.Wait()
	report.Results = results
	report.DurationMS = time.Since(started).Milliseconds()
	report.Summary = Summarize(results)
	report.Replay = fmt.Sprintf("sandbank conformance run --seed %d --cases %s", opts.Seed, strings.Join(idsOf(results, func(r *Result) bool { return true }), ","))
	return report, ctx.Err()
}

// runCase runs one case, turning a panic or a cancelled run into an error
// verdict, and applies the unsafe-retry rule to whatever it recorded.
func (s *Suite) runCase(ctx context.Context, c *Case) (res *Result) {
	h := &Harness{suite: s, c: c}
	res = &Result{ID: c.ID, Title: c.Title, Level: c.Level, Standard: c.Standard, Started: time.Now().UTC()}
	defer func() {
		if p := recover(); p != nil {
			res.Verdict, res.Reason = Error, fmt.Sprintf("the suite failed while running the case: %v", p)
		}
		res.Duration = time.Since(res.Started)
		res.DurationMS = res.Duration.Milliseconds()
		h.mu.Lock()
		res.Runs = h.runs
		h.mu.Unlock()
	}()
	j := c.Check(ctx, h)
	h.mu.Lock()
	for _, run := range h.runs {
		if run.Adapter.Status == "error" && run.Adapter.Stderr != "" {
			j = Judgement{Error, run.Adapter.Stderr}
			break
		}
	}
	h.mu.Unlock()
	if ctx.Err() != nil && j.Verdict != Error {
		j = Judgement{Error, "the run was cancelled: " + ctx.Err().Error()}
	}
	if u, ok := unsafeRetry(h.runs); ok && j.Verdict != Error {
		j = u
	}
	res.Verdict, res.Reason = j.Verdict, j.Reason
	return res
}

// moneyOperations are the unsafe operations a retry without a key would
// duplicate.
var moneyOperations = map[string]string{"createPayment": "payment", "createTransfer": "transfer", "createRefund": "refund"}

// unsafeRetry finds, in any run, an unsafe request sent more than once
// (the same operation with the same body) without an idempotency key.
func unsafeRetry(runs []RunEvidence) (Judgement, bool) {
	for _, run := range runs {
		for op, noun := range moneyOperations {
			byBody := map[string][]Attempt{}
			var bodies []string
			for _, a := range ofOperation(run.Attempts, op) {
				if _, ok := byBody[a.BodySHA256]; !ok {
					bodies = append(bodies, a.BodySHA256)
				}
				byBody[a.BodySHA256] = append(byBody[a.BodySHA256], a)
			}
			for _, body := range bodies {
				if j, ok := unsafeAttempts(byBody[body], noun); ok {
					return j, true
				}
			}
		}
	}
	return Judgement{}, false
}

func unsafeAttempts(as []Attempt, noun string) (Judgement, bool) {
	if len(as) < 2 {
		return Judgement{}, false
	}
	for _, a := range as {
		if a.Key != "" {
			continue
		}
		created := map[string]bool{}
		for _, b := range as {
			if b.ResourceID != "" {
				created[b.ResourceID] = true
			}
		}
		return Judgement{Unsafe, fmt.Sprintf("%s %s was sent %d times, at least once without an Idempotency-Key: a retry like that can charge twice (%s created)",
			a.Method, a.Path, len(as), plural(len(created), noun))}, true
	}
	return Judgement{}, false
}

// startSimulator serves an in-process sandbank on 127.0.0.1 for the run,
// with its hang cap just above the suite's and webhook retries compressed.
func (s *Suite) startSimulator() (stop func(), base string, err error) {
	sim, err := simulator.New(simulator.Config{
		Seed: s.opts.Seed, MaxHang: s.opts.HangLimit + 5*time.Second, WebhookRetrySpeed: 600,
		Version: s.opts.Version,
	})
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sim.Close()
		return nil, "", err
	}
	srv := sim.HTTPServer(ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
		sim.Close()
	}, "http://" + ln.Addr().String(), nil
}

// ping checks that the target answers /healthz.
func ping(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("--target %q: %v", base, err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("the target %s does not answer: %v", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the target %s answers /healthz with %d", base, resp.StatusCode)
	}
	return nil
}

func idsOf(results []*Result, keep func(*Result) bool) []string {
	var out []string
	for _, r := range results {
		if r != nil && keep(r) {
			out = append(out, r.ID)
		}
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun + " was"
	}
	return fmt.Sprintf("%d %ss were", n, noun)
}
