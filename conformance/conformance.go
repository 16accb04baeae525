// Package conformance grades a client integration of sandbank's API — in
// any language — from the traffic it actually sends. A case arms a fault
// plan on a fresh tenant, has the user's adapter perform an operation with
// the user's real client code, and judges the tenant's journal: the
// idempotency keys, retries, backoff, Retry-After, timeouts, token
// refreshes, pagination and webhook handling it shows. Every verdict
// carries its evidence (the attempt timeline) and one sentence saying why.
// The checks are those of reference/conformance-checks.md; the adapter
// protocol is documented in docs/conformance.md.
package conformance

import (
	"strings"
	"time"
)

// Verdict is the outcome of one case.
type Verdict string

const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	// Unsafe: an unsafe request was retried without an idempotency key —
	// a duplicate-charge risk, worse than a failure.
	Unsafe Verdict = "unsafe"
	// NotApplicable: the adapter does not implement an operation the case
	// needs (or the client does not use the feature the case tests).
	NotApplicable Verdict = "not_applicable"
	// Error: the suite itself could not run the case.
	Error Verdict = "error"
)

// severity orders verdicts from worst to best, for reports.
func (v Verdict) severity() int {
	switch v {
	case Unsafe:
		return 0
	case Fail:
		return 1
	case Error:
		return 2
	case NotApplicable:
		return 4
	case Pass:
		return 5
	}
	return 3
}

// Level says whether a check decides conformance (MUST) or only warns (SHOULD).
type Level string

const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Result is one case's verdict with its evidence.
type Result struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Level    Level         `json:"level"`
	Standard string        `json:"standard"`
	Verdict  Verdict       `json:"verdict"`
	Reason   string        `json:"reason"`
	Runs     []RunEvidence `json:"runs"`
	Started  time.Time     `json:"started_at"`
	Duration time.Duration `json:"-"`
	// DurationMS is Duration for the JSON report.
	DurationMS int64 `json:"duration_ms"`
}

// Blocking reports whether the result makes the run non-conformant: a
// MUST check that failed or was unsafe. (A SHOULD failure is a warning;
// an error is the suite's, reported apart.)
func (r *Result) Blocking() bool {
	return r.Level == Must && (r.Verdict == Fail || r.Verdict == Unsafe)
}

// Warning reports a SHOULD check that did not pass.
func (r *Result) Warning() bool {
	return r.Level == Should && (r.Verdict == Fail || r.Verdict == Unsafe)
}

// RunEvidence is one adapter operation of a case and the traffic it caused.
type RunEvidence struct {
	Name      string    `json:"name"`
	Operation Operation `json:"operation"`
	// Plan says, in words, what the suite armed for this run.
	Plan     string         `json:"plan"`
	Tenant   string         `json:"tenant"`
	Attempts []Attempt      `json:"attempts"`
	Adapter  AdapterOutcome `json:"adapter"`
}

// AdapterOutcome is how the adapter's invocation ended.
type AdapterOutcome struct {
	// Status: ok, gave_up (a non-zero exit: the client gave up),
	// not_implemented, killed (still running at the case's deadline) or
	// error (could not be started).
	Status     string `json:"status"`
	ExitCode   int    `json:"exit_code"`
	Output     string `json:"output,omitempty"`
	Stderr     string `json:"stderr,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// Attempt is one request the client sent (or one webhook delivery attempt
// sandbank made to its receiver), as the journal recorded it.
type Attempt struct {
	Kind        string `json:"kind"` // request or webhook
	OffsetMS    int64  `json:"offset_ms"`
	DurationMS  int64  `json:"duration_ms"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query,omitempty"`
	OperationID string `json:"operation_id,omitempty"`
	Key         string `json:"idempotency_key,omitempty"`
	BodySHA256  string `json:"body_sha256,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Auth        string `json:"authorization,omitempty"` // masked
	Fault       string `json:"fault,omitempty"`
	Status      int    `json:"status"`
	Outcome     string `json:"outcome"`
	Replayed    bool   `json:"replayed,omitempty"`
	Problem     string `json:"problem,omitempty"`
	ResourceID  string `json:"resource_id,omitempty"`
	EventID     string `json:"event_id,omitempty"`
	EventType   string `json:"event_type,omitempty"`
	Delivery    int    `json:"delivery_attempt,omitempty"`

	// arrived and ended are on the server's monotonic clock.
	arrived, ended         time.Duration
	arrivedWall, endedWall time.Time
	retryAfter             string // the Retry-After a fault sent, if any
}

// Report is a whole run of the suite.
type Report struct {
	Version    string    `json:"sandbank_version"`
	Seed       uint64    `json:"seed"`
	Target     string    `json:"target"`
	Adapter    string    `json:"adapter"`
	Started    time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Summary    Summary   `json:"summary"`
	Results    []*Result `json:"cases"`
	// Replay is the command line that runs the same cases with the same seed.
	Replay string `json:"replay"`
}

// Summary counts verdicts; Conformant says every MUST check passed (or
// did not apply) and the suite had no errors.
type Summary struct {
	Total         int  `json:"total"`
	Pass          int  `json:"pass"`
	Fail          int  `json:"fail"`
	Unsafe        int  `json:"unsafe"`
	NotApplicable int  `json:"not_applicable"`
	Error         int  `json:"error"`
	Warnings      int  `json:"warnings"`
	Conformant    bool `json:"conformant"`
}

// Summarize counts the verdicts of results.
func Summarize(results []*Result) Summary {
	s := Summary{Total: len(results), Conformant: true}
	for _, r := range results {
		switch r.Verdict {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
		case Unsafe:
			s.Unsafe++
		case NotApplicable:
			s.NotApplicable++
		case Error:
			s.Error++
			s.Conformant = false
		}
		if r.Blocking() {
			s.Conformant = false
		}
		if r.Warning() {
			s.Warnings++
		}
	}
	return s
}

// ExitCode is the CLI's exit status for a report: 0 conformant, 1 a MUST
// check failed (or was unsafe), 2 the suite could not run a case.
func (r *Report) ExitCode() int {
	switch {
	case r.Summary.Error > 0:
		return 2
	case !r.Summary.Conformant:
		return 1
	}
	return 0
}

// Result returns the result of a case by id, or nil.
func (r *Report) Result(id string) *Result {
	for _, res := range r.Results {
		if strings.EqualFold(res.ID, id) {
			return res
		}
	}
	return nil
}
