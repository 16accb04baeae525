package conformance

import (
	"fmt"
	"testing"
	"time"
)

// Option adjusts the suite's Options for Run.
type Option func(*Options)

// WithSeed sets the seed (tenants and fault draws).
func WithSeed(seed uint64) Option { return func(o *Options) { o.Seed = seed } }

// WithCases selects cases by id or pattern ("IK-*,RT-0?").
func WithCases(pattern string) Option { return func(o *Options) { o.Cases = pattern } }

// WithTarget uses a running sandbank instead of an in-process one.
func WithTarget(baseURL string) Option { return func(o *Options) { o.Target = baseURL } }

// WithLimits sets the waits of the timing cases: how long a client may
// wait on a hang (TO-01, RT-02), how long IK-05 holds a request, how long
// a client told Retry-After: 86400 may wait (RA-03).
func WithLimits(hang, inFlightHold, retryAfter time.Duration) Option {
	return func(o *Options) { o.HangLimit, o.InFlightHold, o.RetryAfterLimit = hang, inFlightHold, retryAfter }
}

// WithOptions changes any option.
func WithOptions(f func(*Options)) Option { return f }

// Run runs the suite from go test: every case becomes a subtest, which
// fails when a MUST check fails or is unsafe, is skipped when the case does
// not apply, and logs SHOULD warnings; each logs its evidence. It returns
// the report (for writing it out, say).
func Run(t *testing.T, adapter Adapter, opts ...Option) *Report {
	t.Helper()
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	if o.Adapter == "" {
		o.Adapter = fmt.Sprintf("%T", adapter)
	}
	report, err := Execute(t.Context(), adapter, o)
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	for _, res := range report.Results {
		t.Run(res.ID, func(t *testing.T) {
			t.Log(rptEvidence(res))
			switch {
			case res.Blocking():
				t.Errorf("%s %s (%s): %s: %s", res.ID, res.Title, res.Level, res.Verdict, res.Reason)
			case res.Verdict == Error:
				t.Errorf("%s: the suite could not run the case: %s", res.ID, res.Reason)
			case res.Warning():
				t.Logf("warning: %s (%s): %s", res.ID, res.Level, res.Reason)
			case res.Verdict == NotApplicable:
				t.Skipf("not applicable: %s", res.Reason)
			}
		})
	}
	t.Logf("conformance: seed %d; replay with: %s", report.Seed, report.Replay)
	return report
}
