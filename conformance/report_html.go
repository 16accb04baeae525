package conformance

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteHTML writes the report as one self-contained HTML page: inline
// CSS and SVG, no external assets, no JavaScript. A header gives the
// verdict counts, whether the client is conformant, the run's seed,
// target, adapter and duration and the replay command; a table lists the
// cases worst first; then each case (open when it did not pass) shows its
// reason and, for every run, a timeline diagram of the attempts and the
// same attempts as a table.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlPage.Execute(w, newHTMLReport(r))
}

// The page's view: every string in it is clean (rptClean), every
// position computed; the template only escapes and lays out.

type htmlReport struct {
	Status, StatusClass, StatusNote string
	Total                           int
	Counts                          []htmlCount
	Meta                            []htmlMeta
	Replay                          string
	Version                         string
	Cases                           []htmlCase
}

type htmlCount struct {
	Label, Class string
	N            int
}

type htmlMeta struct{ Name, Value string }

type htmlCase struct {
	ID, Anchor, Title, Level, Standard string
	Label, Class, Verdict, Reason      string
	Duration                           string
	Open                               bool
	Runs                               []htmlRun
}

type htmlRun struct {
	Name, Operation, Plan, Tenant string
	Adapter, AdapterClass         string
	Output, Stderr                string
	Timeline                      htmlTimeline
	Attempts                      []htmlAttempt
}

type htmlAttempt struct {
	N                                   int
	Class                               string
	Offset, Took, What, Key, KeyFull    string
	Body, BodyFull, Fault, Answer, Note string
}

// htmlTimeline is one run's diagram: x is time from the run's first
// attempt, one row per attempt, the client's requests and the webhook
// deliveries in lanes of their own.
type htmlTimeline struct {
	Width, Height  int
	GridY1, GridY2 int
	Desc           string
	Empty          bool
	EmptyY         int
	Ticks          []htmlTick
	Lanes          []htmlLane
}

type htmlTick struct {
	X      float64
	Label  string
	Anchor string
}

type htmlLane struct {
	Label  string
	LabelY int
	SepY   int
	Rows   []htmlBar
}

type htmlBar struct {
	Title            string // the tooltip: the attempt's whole line
	Gutter           string // what was sent, left of the plot
	TextY, CY        int
	X, W             float64
	BarY             int
	Class            string
	KeyColor         string // a hue per idempotency key
	NoKey            bool   // an unsafe request without a key
	FaultPath        string // a marker at the start: an injected fault
	Mark, MarkPath   string // x: the server side broke the connection; stop: the client gave up
	Label            string
	LabelX           float64
	Anchor, LabelCls string
}

// Timeline geometry, in SVG user units (≈ CSS pixels).
const (
	tlWidth     = 900
	tlPlotX0    = 236 // the gutter holds the row labels
	tlPlotX1    = 888
	tlTop       = 22
	tlLaneHead  = 14
	tlRow       = 20
	tlBarH      = 12
	tlMinBar    = 3
	tlCharW     = 6.6 // 11px monospace
	tlGutterMax = 31  // characters of the row label
)

func newHTMLReport(r *Report) htmlReport {
	results := rptWorstFirst(r.Results)
	counts := rptCounts(results)
	v := htmlReport{Total: len(results), Replay: rptClean(r.Replay), Version: rptClean(r.Version)}
	switch {
	case r.Summary.Error > 0 || counts[rptError] > 0:
		v.Status, v.StatusClass = "Not conformant", "err"
		v.StatusNote = fmt.Sprintf("the suite could not run %s", rptPlural(counts[rptError], "case"))
		if n := counts[rptFail] + counts[rptUnsafe]; n > 0 {
			v.StatusNote += fmt.Sprintf("; %s failed or %s unsafe", rptPlural(n, "MUST check"), rptWereWas(n))
		}
	case !r.Summary.Conformant:
		n := counts[rptFail] + counts[rptUnsafe]
		v.Status, v.StatusClass = "Not conformant", "bad"
		v.StatusNote = fmt.Sprintf("%s failed or %s unsafe", rptPlural(n, "MUST check"), rptWereWas(n))
	default:
		v.Status, v.StatusClass = "Conformant", "ok"
		v.StatusNote = "every MUST check passed or did not apply"
		if n := counts[rptWarning]; n > 0 {
			v.StatusNote += fmt.Sprintf("; %s", rptPlural(n, "warning"))
		}
	}
	for _, c := range rptCategories {
		label := c.name()
		if c == rptWarning {
			label = "SHOULD warning"
			if counts[c] != 1 {
				label += "s"
			}
		}
		v.Counts = append(v.Counts, htmlCount{Label: label, Class: c.class(), N: counts[c]})
	}
	started := "—"
	if !r.Started.IsZero() {
		started = r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	v.Meta = []htmlMeta{
		{"seed", strconv.FormatUint(r.Seed, 10)},
		{"target", rptClean(r.Target)},
		{"adapter", rptClean(r.Adapter)},
		{"started", started},
		{"duration", rptDuration(r.DurationMS)},
		{"exit status", strconv.Itoa(r.ExitCode())},
	}
	if r.Version != "" {
		v.Meta = append(v.Meta, htmlMeta{"sandbank", rptClean(r.Version)})
	}
	for _, res := range results {
		v.Cases = append(v.Cases, newHTMLCase(res))
	}
	return v
}

func newHTMLCase(res *Result) htmlCase {
	cat := rptCategoryOf(res)
	c := htmlCase{
		ID: rptClean(res.ID), Anchor: "case-" + rptAnchor(res.ID), Title: rptClean(res.Title),
		Level: rptClean(string(res.Level)), Standard: rptClean(res.Standard),
		Label: cat.name(), Class: cat.class(), Verdict: rptClean(string(res.Verdict)),
		Reason: rptClean(res.Reason), Duration: rptDuration(rptDurationMS(res)),
		Open: cat != rptPass && cat != rptNotApplicable,
	}
	if cat == rptWarning {
		c.Verdict += " (a SHOULD check: a warning)"
	}
	for _, run := range res.Runs {
		hr := htmlRun{
			Name: rptClean(run.Name), Operation: rptClean(string(run.Operation)), Plan: rptClean(run.Plan),
			Tenant: rptClean(run.Tenant), Adapter: rptClean(rptAdapterOutcome(run.Adapter)),
			AdapterClass: rptAnchor(run.Adapter.Status),
			Output:       rptClean(run.Adapter.Output), Stderr: rptClean(run.Adapter.Stderr),
			Timeline: newTimeline(run),
		}
		for i, a := range run.Attempts {
			hr.Attempts = append(hr.Attempts, newHTMLAttempt(i+1, a))
		}
		c.Runs = append(c.Runs, hr)
	}
	return c
}

func newHTMLAttempt(n int, a Attempt) htmlAttempt {
	h := htmlAttempt{
		N: n, Class: barClass(a), Offset: fmt.Sprintf("+%d ms", a.OffsetMS), Took: fmt.Sprintf("%d ms", a.DurationMS),
		KeyFull: rptClean(a.Key), Key: rptClean(rptShorten(a.Key, 24)),
		BodyFull: rptClean(a.BodySHA256), Body: rptClean(rptShorten(a.BodySHA256, 12)), Fault: rptClean(a.Fault),
	}
	if a.Kind == "webhook" {
		h.What = rptOneLine(fmt.Sprintf("webhook %s %s", a.EventType, a.EventID))
		if a.Delivery > 0 {
			h.What += fmt.Sprintf(" (delivery %d)", a.Delivery)
		}
	} else {
		h.What = rptOneLine(a.Method + " " + a.Path)
		if a.Query != "" {
			h.What += rptOneLine("?" + a.Query)
		}
	}
	if a.Status > 0 {
		h.Answer = strconv.Itoa(a.Status)
		if a.Outcome != "" && a.Outcome != "completed" {
			h.Answer += ", then " + rptOutcomeWords(a.Outcome)
		}
	} else {
		h.Answer = "no response: " + rptOutcomeWords(a.Outcome)
	}
	var notes []string
	if a.Problem != "" {
		notes = append(notes, a.Problem)
	}
	if a.Replayed {
		notes = append(notes, "replayed")
	}
	if a.ResourceID != "" {
		notes = append(notes, a.ResourceID)
	}
	if a.Auth != "" {
		notes = append(notes, "auth "+rptAuth(a.Auth))
	}
	h.Note = rptOneLine(strings.Join(notes, " · "))
	return h
}

// newTimeline lays out a run's attempts.
func newTimeline(run RunEvidence) htmlTimeline {
	tl := htmlTimeline{Width: tlWidth}
	var requests, webhooks []Attempt
	span := 0.0
	for _, a := range run.Attempts {
		if a.Kind == "webhook" {
			webhooks = append(webhooks, a)
		} else {
			requests = append(requests, a)
		}
		span = math.Max(span, float64(max(a.OffsetMS, 0)+max(a.DurationMS, 0)))
	}
	tl.Desc = rptOneLine(fmt.Sprintf("timeline of run %q: %s over %s", run.Name, rptPlural(len(run.Attempts), "attempt"), rptDuration(int64(span))))
	if len(run.Attempts) == 0 {
		tl.Empty, tl.Height, tl.EmptyY = true, 36, 22
		return tl
	}
	step := niceStep(span, 6)
	axisMax := math.Max(step, math.Ceil(span/step)*step)
	scale := func(ms float64) float64 { return tlPlotX0 + ms/axisMax*(tlPlotX1-tlPlotX0) }
	keys, events := &keyColors{}, &keyColors{}
	y := tlTop
	for _, lane := range []struct {
		label    string
		attempts []Attempt
	}{{"requests", requests}, {"webhook deliveries", webhooks}} {
		if len(lane.attempts) == 0 {
			continue
		}
		l := htmlLane{Label: lane.label, LabelY: y + 10, SepY: y + 1}
		y += tlLaneHead
		for _, a := range lane.attempts {
			l.Rows = append(l.Rows, newBar(a, y, scale, keys, events))
			y += tlRow
		}
		tl.Lanes = append(tl.Lanes, l)
	}
	tl.Height = y + 6
	tl.GridY1, tl.GridY2 = tlTop-4, y+2
	for t := 0.0; t <= axisMax+step/2; t += step {
		tick := htmlTick{X: round1(scale(t)), Label: tickLabel(t, axisMax), Anchor: "middle"}
		switch {
		case t == 0:
			tick.Anchor = "start"
		case t+step > axisMax+step/2:
			tick.Anchor = "end"
		}
		tl.Ticks = append(tl.Ticks, tick)
	}
	return tl
}

// newBar places one attempt in the row at y.
func newBar(a Attempt, y int, scale func(float64) float64, keys, events *keyColors) htmlBar {
	start := float64(max(a.OffsetMS, 0))
	x0, x1 := scale(start), scale(start+float64(max(a.DurationMS, 0)))
	if x1-x0 < tlMinBar { // an instant attempt stays visible, and in the plot
		x1 = math.Min(x0+tlMinBar, tlPlotX1)
		x0 = x1 - tlMinBar
	}
	b := htmlBar{
		Title: rptAttemptLine(a), TextY: y + 14, CY: y + 10, BarY: y + 4,
		X: round1(x0), W: round1(round1(x1) - round1(x0)), Class: barClass(a),
	}
	if a.Kind == "webhook" {
		g := a.EventType
		if a.Delivery > 0 {
			g += " #" + strconv.Itoa(a.Delivery)
		}
		b.Gutter = rptOneLine(rptShorten(g, tlGutterMax))
		if a.EventID != "" {
			b.KeyColor = events.color(a.EventID)
		}
	} else {
		g := a.Method + " " + a.Path
		if a.Query != "" {
			g += "?" + a.Query
		}
		b.Gutter = rptOneLine(rptShorten(g, tlGutterMax))
		switch {
		case a.Key != "":
			b.KeyColor = keys.color(a.Key)
		case a.Method == "POST" && !strings.HasPrefix(a.Path, "/oauth/"):
			b.NoKey = true
		}
	}
	if a.Fault != "" {
		b.FaultPath = fmt.Sprintf("M%.1f %d l-4.5 -6 h9 z", x0, b.BarY+1)
	}
	labelX := x1 + 5
	switch a.Outcome {
	case "connection_reset", "connection_closed", "hung":
		b.Mark = "x"
		b.MarkPath = fmt.Sprintf("M%.1f %d l7 %d m0 -%d l-7 %d", x1+3, b.BarY+1, tlBarH-2, tlBarH-2, tlBarH-2)
		labelX += 11
	case "client_closed":
		b.Mark = "stop"
		b.MarkPath = fmt.Sprintf("M%.1f %d v%d", x1+2, b.BarY-2, tlBarH+4)
		labelX += 5
	}
	// The label goes right of the bar, else inside it, else left of it,
	// wherever it fits whole; when it fits nowhere, it is cut to the
	// widest of the three places.
	b.Label = barLabel(a)
	left := x0 - 5
	if b.FaultPath != "" {
		left -= 4
	}
	places := []struct {
		room   float64
		x      float64
		anchor string
		inside bool
	}{
		{tlWidth - 2 - labelX, labelX, "start", false},
		{b.W - 8, x0 + 4, "start", true},
		{left - tlPlotX0, left, "end", false},
	}
	width := float64(utf8.RuneCountInString(b.Label)) * tlCharW
	best := -1
	for i, p := range places {
		if p.room >= width {
			best = i
			break
		}
		if best < 0 || p.room > places[best].room {
			best = i
		}
	}
	p := places[best]
	if p.room < width {
		b.Label = rptShorten(b.Label, max(int(p.room/tlCharW)-1, 1))
	}
	b.LabelX, b.Anchor = p.x, p.anchor
	if p.inside {
		b.LabelCls = "in"
		if b.Class == "b-gone" || b.Class == "b-flight" || b.Class == "b-4xx" {
			b.LabelCls = "in-dark"
		}
	}
	b.LabelX = round1(b.LabelX)
	return b
}

// barClass colours an attempt by its result: 2xx green, 3xx blue, 4xx
// amber, 5xx and injected failures red; no answer: dark when the server
// side broke the connection, grey (dashed) when the client hung up.
func barClass(a Attempt) string {
	switch a.Outcome {
	case "connection_reset", "connection_closed", "hung":
		return "b-conn"
	case "client_closed":
		return "b-gone"
	case "in_flight":
		return "b-flight"
	}
	switch {
	case a.Status >= 500:
		return "b-err"
	case a.Status >= 400 && a.Fault != "" && a.Kind != "webhook":
		return "b-err"
	case a.Status >= 400:
		return "b-4xx"
	case a.Status >= 300:
		return "b-redir"
	case a.Status >= 200:
		return "b-ok"
	}
	return "b-conn"
}

// barLabel is the text beside a bar: the answer, a short key, the fault.
func barLabel(a Attempt) string {
	var parts []string
	switch {
	case a.Status > 0 && (a.Outcome == "" || a.Outcome == "completed"):
		parts = append(parts, strconv.Itoa(a.Status))
	case a.Status > 0:
		parts = append(parts, strconv.Itoa(a.Status)+", "+rptOutcomeWords(a.Outcome))
	default:
		parts = append(parts, rptOutcomeWords(a.Outcome))
	}
	if a.Replayed {
		parts[0] += " replayed"
	}
	if a.Key != "" {
		parts = append(parts, "key "+rptShorten(a.Key, 8))
	}
	if a.Kind == "webhook" && a.EventID != "" {
		parts = append(parts, rptShorten(a.EventID, 16))
	}
	if a.Fault != "" {
		parts = append(parts, "fault "+a.Fault)
	}
	return rptOneLine(strings.Join(parts, " · "))
}

func rptOutcomeWords(outcome string) string {
	if outcome == "" {
		return "no outcome"
	}
	return strings.ReplaceAll(outcome, "_", " ")
}

// keyColors gives each idempotency key of a run (or each event of its
// deliveries) a colour of its own, in the order they appear, so that
// retries reusing a key show the same colour and a new key a different
// one (and redeliveries of an event the same colour). The palette keeps clear of the
// result colours (green, amber, red, grey); past it, a hue from the key.
type keyColors struct{ seen []string }

var keyPalette = []string{"#1e88e5", "#8e24aa", "#00897b", "#6d4c41", "#d81b60", "#3949ab", "#00acc1", "#827717"}

func (k *keyColors) color(key string) string {
	i := slices.Index(k.seen, key)
	if i < 0 {
		i = len(k.seen)
		k.seen = append(k.seen, key)
	}
	if i < len(keyPalette) {
		return keyPalette[i]
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("hsl(%d,60%%,40%%)", h.Sum32()%360)
}

// niceStep is a tick interval of 1, 2 or 5 × 10ⁿ ms giving about target
// ticks over span.
func niceStep(span float64, target int) float64 {
	raw := span / float64(target)
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// tickLabel renders a tick: milliseconds on short axes, seconds on long.
func tickLabel(ms, axisMax float64) string {
	switch {
	case ms == 0:
		return "0"
	case axisMax < 2000:
		return strconv.FormatFloat(ms, 'f', -1, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', -1, 64) + " s"
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// rptAnchor keeps the characters of s that are safe in an id or a class.
func rptAnchor(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func rptPlural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func rptWereWas(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

var htmlPage = template.Must(template.New("report").Parse(htmlTemplate))

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sandbank conformance: {{.Status}}</title>
<style>
:root{--unsafe:#8e24aa;--fail:#d32f2f;--error:#37474f;--warning:#f9a825;--na:#9e9e9e;--pass:#2e7d32;--line:#e0e0e0;--muted:#666}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:20px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:28px 0 8px}
.banner{border-left:8px solid;padding:14px 18px;border-radius:6px;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.banner.ok{border-color:var(--pass);background:#e8f5e9}
.banner.bad{border-color:var(--fail);background:#ffebee}
.banner.err{border-color:var(--error);background:#eceff1}
.status{font-size:24px;font-weight:700;margin:2px 0}
.banner.ok .status{color:var(--pass)}.banner.bad .status{color:var(--fail)}.banner.err .status{color:var(--error)}
.counts{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:12px 0 8px}
.counts li{border-radius:14px;padding:2px 12px;color:#fff;font-weight:600}
.counts li.zero{opacity:.35}
.stack{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--line);margin:4px 0 0}
.c-unsafe,.badge.v-unsafe{background:var(--unsafe)}.c-fail,.badge.v-fail{background:var(--fail)}.c-error,.badge.v-error{background:var(--error)}
.c-warning,.badge.v-warning{background:var(--warning);color:#212121}.c-na,.badge.v-na{background:var(--na)}.c-pass,.badge.v-pass{background:var(--pass)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:14px 0 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
.replay{margin:10px 0 0}.replay code{display:block;background:#263238;color:#eceff1;padding:8px 10px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;user-select:all}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{font-size:12px;color:var(--muted);font-weight:600}
table.cases td.reason{overflow-wrap:anywhere}
.badge{display:inline-block;min-width:64px;text-align:center;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px;font-weight:700;white-space:nowrap}
.lvl{font-size:12px;color:var(--muted)}
a{color:#1565c0;text-decoration:none}a:hover{text-decoration:underline}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin:6px 0 10px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px;vertical-align:middle}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;background:hsl(200,60%,40%)}
.dot.none{background:none;border:2px solid var(--fail)}
.tri{display:inline-block;width:0;height:0;border-left:5px solid transparent;border-right:5px solid transparent;border-top:7px solid var(--fail)}
details.case{background:#fff;border:1px solid var(--line);border-left:6px solid var(--na);border-radius:6px;margin:8px 0}
details.case.v-unsafe{border-left-color:var(--unsafe)}details.case.v-fail{border-left-color:var(--fail)}details.case.v-error{border-left-color:var(--error)}
details.case.v-warning{border-left-color:var(--warning)}details.case.v-pass{border-left-color:var(--pass)}
details.case>summary{cursor:pointer;padding:8px 12px;list-style-position:outside;margin-left:14px}
details.case>summary b{margin:0 6px}
.body{padding:0 14px 12px}
.reason{margin:4px 0}
.std{color:var(--muted);font-size:12.5px;margin:2px 0}
.run{border-top:1px dashed var(--line);margin-top:10px;padding-top:8px}
.run h4{margin:0 0 2px;font-size:13.5px}
.run p{margin:2px 0;font-size:13px}
.run .adapter.gave_up,.run .adapter.killed,.run .adapter.error{color:#bf360c}
.run pre{background:#f5f5f5;padding:6px 8px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
.run details summary{font-size:12.5px;color:var(--muted);cursor:pointer}
svg.tl{display:block;width:100%;max-width:900px;height:auto;margin:8px 0 4px;background:#fff;border:1px solid #eee;border-radius:4px}
svg.tl text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11px;fill:#333}
svg.tl .tick{fill:var(--muted);font-size:10px}
svg.tl .grid{stroke:#eee;stroke-width:1}
svg.tl .lane{fill:var(--muted);font-size:10px;font-weight:700;letter-spacing:.04em;text-transform:uppercase}
svg.tl .sep{stroke:#ddd;stroke-width:1}
svg.tl text.in{fill:#fff}svg.tl text.in-dark{fill:#212121}
svg.tl .empty{fill:var(--muted);font-style:italic}
svg.tl .nokey{fill:none;stroke:var(--fail);stroke-width:2}
svg.tl .fault{fill:var(--fail)}
svg.tl .mx{stroke:#212121;stroke-width:2;fill:none}
svg.tl .mstop{stroke:#212121;stroke-width:3}
rect.b-ok,.sw.b-ok{fill:#43a047;background:#43a047}
rect.b-redir,.sw.b-redir{fill:#1e88e5;background:#1e88e5}
rect.b-4xx,.sw.b-4xx{fill:#fb8c00;background:#fb8c00}
rect.b-err,.sw.b-err{fill:#e53935;background:#e53935}
rect.b-conn,.sw.b-conn{fill:#37474f;background:#37474f}
rect.b-gone{fill:#cfd8dc;stroke:#546e7a;stroke-width:1;stroke-dasharray:3 2}.sw.b-gone{background:#cfd8dc;border:1px dashed #546e7a}
rect.b-flight{fill:#f5f5f5;stroke:#9e9e9e;stroke-width:1;stroke-dasharray:2 2}.sw.b-flight{background:#f5f5f5;border:1px dashed #9e9e9e}
table.attempts{font-size:12px;margin:4px 0 0}
table.attempts td,table.attempts th{padding:2px 6px}
table.attempts td{white-space:nowrap}
table.cases td.mono{white-space:nowrap}
.scroll{overflow-x:auto}
footer{color:var(--muted);font-size:12px;margin:28px 0 8px}
@media print{details.case{break-inside:avoid}body{background:#fff}}
</style>
</head>
<body>
<main>
<header class="banner {{.StatusClass}}">
<h1>sandbank conformance report</h1>
<p class="status">{{.Status}}</p>
<p>{{.StatusNote}} — {{.Total}} cases.</p>
<ul class="counts">{{range .Counts}}
<li class="c-{{.Class}}{{if not .N}} zero{{end}}">{{.N}} {{.Label}}</li>{{end}}
</ul>
<div class="stack" role="img" aria-label="verdicts">{{range .Counts}}{{if .N}}<span class="c-{{.Class}}" style="flex-grow: {{.N}}" title="{{.N}} {{.Label}}"></span>{{end}}{{end}}</div>
<dl class="meta">{{range .Meta}}
<dt>{{.Name}}</dt><dd>{{.Value}}</dd>{{end}}
</dl>
<div class="replay">Replay this run:<code>{{.Replay}}</code></div>
</header>

<h2>Cases, worst first</h2>
<div class="scroll">
<table class="cases">
<thead><tr><th>case</th><th>title</th><th>level</th><th>verdict</th><th>reason</th><th>time</th></tr></thead>
<tbody>{{range .Cases}}
<tr><td class="mono"><a href="#{{.Anchor}}">{{.ID}}</a></td><td>{{.Title}}</td><td class="lvl">{{.Level}}</td><td><span class="badge v-{{.Class}}" title="{{.Verdict}}">{{.Label}}</span></td><td class="reason">{{.Reason}}</td><td class="mono">{{.Duration}}</td></tr>{{end}}
</tbody>
</table>
</div>

<h2>Evidence</h2>
<div class="legend">
<span><i class="sw b-ok"></i>2xx</span><span><i class="sw b-4xx"></i>4xx</span><span><i class="sw b-err"></i>5xx or injected failure</span>
<span><i class="sw b-conn"></i>✕ connection reset, closed or hung</span><span><i class="sw b-gone"></i>| client hung up (its timeout)</span>
<span><i class="tri"></i>fault injected</span><span><i class="dot"></i>idempotency key, or webhook event (a colour for each within a run)</span><span><i class="dot none"></i>unsafe request without a key</span>
<span>x: time from the run's first attempt · hover a bar for its details</span>
</div>
{{range .Cases}}
<details class="case v-{{.Class}}" id="{{.Anchor}}"{{if .Open}} open{{end}}>
<summary><span class="badge v-{{.Class}}">{{.Label}}</span><b class="mono">{{.ID}}</b>{{.Title}} <span class="lvl">{{.Level}} · {{.Duration}}</span></summary>
<div class="body">
<p class="reason"><strong>{{.Verdict}}:</strong> {{.Reason}}</p>
{{if .Standard}}<p class="std">Standard: {{.Standard}}</p>{{end}}
{{range .Runs}}<div class="run">
<h4>run “{{.Name}}” · <code>{{.Operation}}</code>{{if .Tenant}} · <span class="lvl">tenant <code>{{.Tenant}}</code></span>{{end}}</h4>
{{if .Plan}}<p>{{.Plan}}</p>{{end}}
<p class="adapter {{.AdapterClass}}">adapter: {{.Adapter}}</p>
{{if .Output}}<details><summary>adapter output</summary><pre>{{.Output}}</pre></details>{{end}}
{{if .Stderr}}<details open><summary>adapter stderr</summary><pre>{{.Stderr}}</pre></details>{{end}}
{{with .Timeline}}<svg class="tl" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.Desc}}">
{{if .Empty}}<text class="empty" x="12" y="{{.EmptyY}}">no traffic recorded</text>
{{else}}{{$g := .}}{{range .Ticks}}<line class="grid" x1="{{.X}}" y1="{{$g.GridY1}}" x2="{{.X}}" y2="{{$g.GridY2}}"/><text class="tick" x="{{.X}}" y="12" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{end}}{{range .Lanes}}<line class="sep" x1="0" y1="{{.SepY}}" x2="{{$g.Width}}" y2="{{.SepY}}"/><text class="lane" x="6" y="{{.LabelY}}">{{.Label}}</text>
{{range .Rows}}<g><title>{{.Title}}</title>{{if .KeyColor}}<circle cx="10" cy="{{.CY}}" r="4.5" fill="{{.KeyColor}}"/>{{else if .NoKey}}<circle class="nokey" cx="10" cy="{{.CY}}" r="4"/>{{end}}<text x="20" y="{{.TextY}}">{{.Gutter}}</text><rect class="{{.Class}}" x="{{.X}}" y="{{.BarY}}" width="{{.W}}" height="12" rx="2"/>{{if .FaultPath}}<path class="fault" d="{{.FaultPath}}"/>{{end}}{{if eq .Mark "x"}}<path class="mx" d="{{.MarkPath}}"/>{{else if eq .Mark "stop"}}<path class="mstop" d="{{.MarkPath}}"/>{{end}}<text class="{{.LabelCls}}" x="{{.LabelX}}" y="{{.TextY}}" text-anchor="{{.Anchor}}">{{.Label}}</text></g>
{{end}}{{end}}{{end}}</svg>{{end}}
{{if .Attempts}}<div class="scroll"><table class="attempts">
<thead><tr><th>#</th><th>at</th><th>took</th><th>request</th><th>idempotency key</th><th>body</th><th>fault</th><th>answer</th><th></th></tr></thead>
<tbody>{{range .Attempts}}
<tr><td><i class="sw {{.Class}}"></i> {{.N}}</td><td class="mono">{{.Offset}}</td><td class="mono">{{.Took}}</td><td class="mono">{{.What}}</td><td class="mono" title="{{.KeyFull}}">{{.Key}}</td><td class="mono" title="{{.BodyFull}}">{{.Body}}</td><td>{{.Fault}}</td><td>{{.Answer}}</td><td class="mono">{{.Note}}</td></tr>{{end}}
</tbody>
</table></div>{{end}}
</div>
{{else}}<p class="std">No runs recorded.</p>
{{end}}</div>
</details>
{{end}}
<footer>sandbank conformance{{if .Version}} {{.Version}}{{end}} · the cases and the adapter protocol are described in docs/conformance.md</footer>
</main>
</body>
</html>
`
