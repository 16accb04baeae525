package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// WriteJSON writes the report as the JSON document docs/conformance.md
// describes: indented, fields in the documented order, cases in catalog
// order, and empty lists as [] (never null).
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		Version: r.Version, Seed: r.Seed, Target: r.Target, Adapter: r.Adapter,
		Started: r.Started, DurationMS: r.DurationMS, Summary: r.Summary,
		Cases: []jsonResult{}, Replay: r.Replay,
	}
	for _, res := range rptCatalogOrder(r.Results) {
		out.Cases = append(out.Cases, newJSONResult(res))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// The JSON report's shapes. They mirror Report, Result and RunEvidence
// field for field, in the order the documented schema shows (the reason
// and timing of a case before its runs, a run's adapter outcome before
// its attempts); TestJSONMirrorsReportTypes keeps them in step.

type jsonReport struct {
	Version    string       `json:"sandbank_version"`
	Seed       uint64       `json:"seed"`
	Target     string       `json:"target"`
	Adapter    string       `json:"adapter"`
	Started    time.Time    `json:"started_at"`
	DurationMS int64        `json:"duration_ms"`
	Summary    Summary      `json:"summary"`
	Cases      []jsonResult `json:"cases"`
	Replay     string       `json:"replay"`
}

type jsonResult struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Level      Level     `json:"level"`
	Standard   string    `json:"standard"`
	Verdict    Verdict   `json:"verdict"`
	Reason     string    `json:"reason"`
	Started    time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Runs       []jsonRun `json:"runs"`
}

type jsonRun struct {
	Name      string         `json:"name"`
	Operation Operation      `json:"operation"`
	Plan      string         `json:"plan"`
	Tenant    string         `json:"tenant"`
	Adapter   AdapterOutcome `json:"adapter"`
	Attempts  []Attempt      `json:"attempts"`
}

func newJSONResult(res *Result) jsonResult {
	out := jsonResult{
		ID: res.ID, Title: res.Title, Level: res.Level, Standard: res.Standard,
		Verdict: res.Verdict, Reason: res.Reason, Started: res.Started,
		DurationMS: rptDurationMS(res), Runs: []jsonRun{},
	}
	for _, run := range res.Runs {
		attempts := run.Attempts
		if attempts == nil {
			attempts = []Attempt{}
		}
		out.Runs = append(out.Runs, jsonRun{
			Name: run.Name, Operation: run.Operation, Plan: run.Plan, Tenant: run.Tenant,
			Adapter: run.Adapter, Attempts: attempts,
		})
	}
	return out
}

// What the reporters share: the order of cases, the category a verdict
// falls in, durations.

// rptCategory is how the reports group a result, worst first; it is the
// order of Verdict.severity, with a SHOULD check that did not pass in
// the warnings' slot.
type rptCategory int

const (
	rptUnsafe rptCategory = iota
	rptFail
	rptError
	rptWarning
	rptNotApplicable
	rptPass
)

// rptCategories lists the categories worst first.
var rptCategories = []rptCategory{rptUnsafe, rptFail, rptError, rptWarning, rptNotApplicable, rptPass}

func rptCategoryOf(r *Result) rptCategory {
	if r.Warning() {
		return rptWarning
	}
	return rptCategory(r.Verdict.severity())
}

// name is the category as the reports write it.
func (c rptCategory) name() string {
	switch c {
	case rptUnsafe:
		return "unsafe"
	case rptFail:
		return "fail"
	case rptError:
		return "error"
	case rptWarning:
		return "warning"
	case rptNotApplicable:
		return "not applicable"
	}
	return "pass"
}

// class is the category as a CSS class name.
func (c rptCategory) class() string {
	switch c {
	case rptNotApplicable:
		return "na"
	}
	return c.name()
}

// rptCounts counts results by category.
func rptCounts(results []*Result) map[rptCategory]int {
	n := map[rptCategory]int{}
	for _, r := range results {
		if r != nil {
			n[rptCategoryOf(r)]++
		}
	}
	return n
}

// rptCatalogOrder returns the results (nil ones dropped) in catalog
// order; ids outside the catalog keep their order, after the others.
func rptCatalogOrder(results []*Result) []*Result {
	out := make([]*Result, 0, len(results))
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *Result) int {
		ia, ib := catalogIndex(a.ID), catalogIndex(b.ID)
		switch {
		case ia < ib:
			return -1
		case ia > ib:
			return 1
		}
		return 0
	})
	return out
}

// rptWorstFirst returns the results sorted worst first (unsafe, fail,
// error, warnings, not applicable, pass), in catalog order within each.
func rptWorstFirst(results []*Result) []*Result {
	out := rptCatalogOrder(results)
	slices.SortStableFunc(out, func(a, b *Result) int { return int(rptCategoryOf(a)) - int(rptCategoryOf(b)) })
	return out
}

// rptDurationMS is a result's duration in milliseconds (DurationMS, or
// Duration when only that was set).
func rptDurationMS(r *Result) int64 {
	if r.DurationMS == 0 && r.Duration > 0 {
		return r.Duration.Milliseconds()
	}
	return r.DurationMS
}

// rptDuration renders milliseconds for people: "393 ms", "3.4 s".
func rptDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", ms)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
