package conformance

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// nasty is a reason (and stderr) no report may break on: markup, an
// ampersand, quotes, control characters (NUL, BEL, an ANSI escape) and
// bytes that are not UTF-8, and the end of a CDATA section.
const nasty = "<script>alert(\"x&y\")</script> it's \x00\x07\x1b[31mred\x1b[0m \xff\xfe bytes ]]> & more"

// nastyClean is nasty as the reports must carry it: control characters
// dropped, invalid bytes as U+FFFD.
const nastyClean = "<script>alert(\"x&y\")</script> it's [31mred[0m \uFFFD\uFFFD bytes ]]> & more"

const (
	keyA = "3f9a1c2e-7b4d-4e8a-9c1f-2a6b5d4e3c21"
	keyB = "77d0c0de-1111-4e8a-9c1f-2a6b5d4e3c21"
	sha  = "f769667136cf0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293"
)

var t0 = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

func req(offset, dur int64, method, path, key string, status int, outcome, fault string) Attempt {
	a := Attempt{Kind: "request", OffsetMS: offset, DurationMS: dur, Method: method, Path: path, Key: key,
		Status: status, Outcome: outcome, Fault: fault}
	if method == "POST" {
		a.BodySHA256, a.ContentType, a.OperationID = sha, "application/json", "createPayment"
	}
	return a
}

func hook(offset, dur int64, event, typ string, delivery, status int, outcome string) Attempt {
	return Attempt{Kind: "webhook", OffsetMS: offset, DurationMS: dur, Method: "POST", Path: "/webhooks",
		EventID: event, EventType: typ, Delivery: delivery, Status: status, Outcome: outcome}
}

// sampleReport has every verdict kind, MUST and SHOULD, request and
// webhook attempts, and nasty strings; its results are out of catalog
// order.
func sampleReport() *Report {
	ok := AdapterOutcome{Status: "ok", Output: `{"id":"pay_1"}`, DurationMS: 301}
	results := []*Result{
		{ID: "WH-01", Title: "valid deliveries are acknowledged", Level: Must, Standard: "Standard Webhooks v1",
			Verdict: Pass, Reason: "2 signed deliveries answered 2xx and processed once each", Started: t0, DurationMS: 443,
			Runs: []RunEvidence{{Name: "deliveries", Operation: OpProcessedEvents, Plan: "a payment's events, signed", Tenant: "sk_test_…9f3a",
				Adapter: ok, Attempts: []Attempt{
					req(0, 2, "POST", "/v1/payments", "", 201, "completed", ""),
					hook(40, 3, "evt_5yuf7bUQnZbXXVJk", "payment.created", 1, 204, "completed"),
					hook(44, 12, "evt_fgd8UCZ112EpCuFP", "payment.succeeded", 1, 500, "completed"),
					hook(900, 0, "evt_fgd8UCZ112EpCuFP", "payment.succeeded", 2, 0, "connection_closed"),
				}}}},
		{ID: "IK-01", Title: "Idempotency-Key present on unsafe requests", Level: Must, Standard: "IETF draft-ietf-httpapi-idempotency-key-header",
			Verdict: Pass, Reason: "every unsafe request carried its own Idempotency-Key", Started: t0, DurationMS: 393,
			Runs: []RunEvidence{{Name: "two payments", Operation: OpCreatePayment, Plan: "the tenant requires keys", Tenant: "sk_test_…0001",
				Adapter: ok, Attempts: []Attempt{
					{Kind: "request", Method: "POST", Path: "/oauth/token", Status: 200, Outcome: "completed", BodySHA256: sha},
					req(3, 1, "POST", "/v1/payments", keyA, 201, "completed", ""),
					req(10, 1, "POST", "/v1/payments", keyB, 201, "completed", ""),
				}}}},
		{ID: "IK-02", Title: "retries reuse the key", Level: Must, Verdict: Unsafe,
			Reason: "POST /v1/payments was sent 2 times, at least once without an Idempotency-Key", Started: t0, Duration: 209 * time.Millisecond,
			Runs: []RunEvidence{{Name: "commit, then reset", Operation: OpCreatePayment, Plan: "the first POST /v1/payments is applied, then reset",
				Adapter: ok, Attempts: []Attempt{
					req(0, 450, "POST", "/v1/payments", "", 0, "connection_reset", "reset (after_commit)"),
					req(452, 1, "POST", "/v1/payments", "", 201, "completed", ""),
				}}}},
		{ID: "RA-01", Title: "Retry-After in seconds", Level: Must, Standard: "RFC 9110 §10.2.3", Verdict: Fail,
			Reason: nasty, Started: t0, DurationMS: 583,
			Runs: []RunEvidence{{Name: nasty, Operation: OpCreatePayment, Plan: nasty,
				Adapter: AdapterOutcome{Status: "gave_up", ExitCode: 1, Stderr: "line 1\n" + nasty + "\n", DurationMS: 300},
				Attempts: []Attempt{
					req(0, 1, "POST", "/v1/payments", keyA, 503, "completed", "status"),
					req(275, 2, "POST", "/v1/payments", keyA, 201, "completed", ""),
				}}}},
		{ID: "RT-08", Title: "jitter", Level: Should, Verdict: Fail, Reason: "8 clients' first retries came at the same time",
			Started: t0, DurationMS: 1268,
			Runs: []RunEvidence{
				{Name: "client 1", Operation: OpCreatePayment, Adapter: ok, Attempts: []Attempt{req(0, 1, "POST", "/v1/payments", keyA, 503, "completed", "status"), req(1, 1, "POST", "/v1/payments", keyA, 201, "completed", "")}},
				{Name: "client 2", Operation: OpCreatePayment, Adapter: ok, Attempts: []Attempt{req(0, 1, "POST", "/v1/payments", keyB, 503, "completed", "status"), req(1, 1, "POST", "/v1/payments", keyB, 201, "completed", "")}},
			}},
		{ID: "RL-01", Title: "rate limit respected", Level: Should, Verdict: Unsafe, Reason: "sent twice without a key",
			Started: t0, DurationMS: 10401,
			Runs: []RunEvidence{{Name: "payments", Operation: OpCreatePayment, Adapter: ok, Attempts: []Attempt{
				req(0, 1, "POST", "/v1/payments", "", 429, "completed", "status"),
				req(5001, 1, "POST", "/v1/payments", "", 201, "completed", ""),
			}}}},
		{ID: "PG-01", Title: "every page is read", Level: Must, Verdict: NotApplicable,
			Reason: "the adapter does not implement list_transactions", Started: t0, DurationMS: 5},
		{ID: "AU-01", Title: "token refresh", Level: Must, Verdict: Error, Reason: "the suite could not run the case: " + nasty,
			Started: t0, DurationMS: 12,
			Runs: []RunEvidence{{Name: "token", Operation: OpCreatePayment, Adapter: AdapterOutcome{Status: "error"}}}},
		{ID: "TO-01", Title: "client timeout", Level: Must, Verdict: Fail, Reason: "the client waited 90 s for an answer that never came",
			Started: t0, DurationMS: 2846,
			Runs: []RunEvidence{
				{Name: "no response", Operation: OpCreatePayment, Plan: "never answered", Adapter: AdapterOutcome{Status: "killed", DurationMS: 3000},
					Attempts: []Attempt{
						req(0, 2000, "POST", "/v1/payments", keyA, 0, "hung", "hang"),
						req(2100, 900, "POST", "/v1/payments", keyA, 0, "in_flight", ""),
					}},
				{Name: "stalled body", Operation: OpCreatePayment, Plan: "headers, then the body stalls", Adapter: ok,
					Attempts: []Attempt{
						req(0, 1000, "POST", "/v1/payments", keyB, 200, "client_closed", "stall"),
						{Kind: "request", OffsetMS: 1194, Method: "GET", Path: "/v1/payments/pay_kRJ3D6dOTqSSd5Lr", Query: "expand=<b>&x=\"1\"",
							Status: 404, Outcome: "completed", Problem: "resource_missing", Auth: "Bearer at_************z3oj"},
						req(1300, 0, "POST", "/v1/payments", keyB, 409, "completed", ""),
						req(1400, 3, "POST", "/v1/payments", keyB, 201, "completed", ""),
					}},
			}},
	}
	results[3].Runs[0].Attempts[1].Replayed = true // RA-01's retry
	results[3].Runs[0].Attempts[1].ResourceID = "pay_B1tNQdEKGZxSJawE"
	return &Report{
		Version: "v0.9.0 <dev>", Seed: 42, Target: "in-process (http://127.0.0.1:41234)", Adapter: "./my-adapter --flag='a&b'",
		Started: t0, DurationMS: 10412, Summary: Summarize(results), Results: results,
		Replay: "sandbank conformance run --seed 42 --cases IK-01,IK-02,RA-01,RT-08,TO-01,AU-01,WH-01,PG-01,RL-01",
	}
}

func writeAll(t *testing.T, r *Report) (jsonOut, junitOut, htmlOut []byte) {
	t.Helper()
	var j, x, h bytes.Buffer
	if err := r.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJUnit(&x); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	return j.Bytes(), x.Bytes(), h.Bytes()
}

func TestReports(t *testing.T) {
	r := sampleReport()
	j, x, h := writeAll(t, r)
	CheckReportsForTest(t, r, j, x, h)
}

func TestReportsOfAnEmptyRun(t *testing.T) {
	r := &Report{Summary: Summarize(nil)}
	j, x, h := writeAll(t, r)
	CheckReportsForTest(t, r, j, x, h)
	if !bytes.Contains(j, []byte(`"cases": []`)) {
		t.Errorf("no cases must be written []:\n%s", j)
	}
}

// The reporters never change the report.
func TestReportsLeaveTheReportAlone(t *testing.T) {
	r := sampleReport()
	before := sampleReport()
	writeAll(t, r)
	var buf bytes.Buffer
	p := NewProgress(&buf, false)
	p.Summary(r)
	if !reflect.DeepEqual(r, before) {
		t.Error("writing the reports changed the report")
	}
}

func TestJSONRoundTrips(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"runs": []`, `"attempts": []`, `"sandbank_version": "v0.9.0 <dev>"`, `"not_applicable": 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// What the round trip should give: catalog order, durations in ms,
	// empty lists, text as valid UTF-8.
	want := sampleReport()
	want.Results = rptCatalogOrder(want.Results)
	for _, res := range want.Results {
		res.DurationMS, res.Duration = rptDurationMS(res), 0
		res.Reason = validUTF8(res.Reason)
		if res.Runs == nil {
			res.Runs = []RunEvidence{}
		}
		for i := range res.Runs {
			run := &res.Runs[i]
			run.Name, run.Plan, run.Adapter.Stderr = validUTF8(run.Name), validUTF8(run.Plan), validUTF8(run.Adapter.Stderr)
			if run.Attempts == nil {
				run.Attempts = []Attempt{}
			}
		}
	}
	if !reflect.DeepEqual(&back, want) {
		gotJ, _ := json.Marshal(&back)
		wantJ, _ := json.Marshal(want)
		t.Errorf("round trip differs:\n got %s\nwant %s", gotJ, wantJ)
	}
	if got := back.Result("RA-01").Reason; !strings.Contains(got, "<script>alert(\"x&y\")</script>") || !strings.Contains(got, "\x1b[31m") {
		t.Errorf("JSON must carry the reason as it was (escaped), got %q", got)
	}
}

// validUTF8 is what encoding/json makes of s: each invalid byte a U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// The JSON mirrors must carry every field of the types they mirror.
func TestJSONMirrorsReportTypes(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if typ.Field(i).IsExported() && name != "-" {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, pair := range [][2]any{{Report{}, jsonReport{}}, {Result{}, jsonResult{}}, {RunEvidence{}, jsonRun{}}} {
		if a, b := tags(pair[0]), tags(pair[1]); !slices.Equal(a, b) {
			t.Errorf("%T has JSON fields %v, its report mirror %T has %v: update report_json.go", pair[0], a, pair[1], b)
		}
	}
}

func TestJUnit(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := r.WriteJUnit(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x00", "\x07", "\x1b", "\xff"} {
		if strings.Contains(out, bad) {
			t.Errorf("JUnit has the character %q", bad)
		}
	}
	doc := parseJUnit(t, buf.Bytes())
	s := doc.Suites[0]
	if s.Tests != 9 || s.Failures != 3 || s.Errors != 1 || s.Skipped != 3 {
		t.Errorf("counts: tests=%d failures=%d errors=%d skipped=%d, want 9 3 1 3", s.Tests, s.Failures, s.Errors, s.Skipped)
	}
	if s.Time != "10.412" || s.Timestamp != "2026-05-04T12:00:00" {
		t.Errorf("time=%q timestamp=%q", s.Time, s.Timestamp)
	}
	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	if props["seed"] != "42" || props["adapter"] != "./my-adapter --flag='a&b'" || props["sandbank_version"] != "v0.9.0 <dev>" ||
		props["target"] != r.Target || props["replay"] != r.Replay {
		t.Errorf("properties %v", props)
	}
	byID := map[string]int{}
	var ids []string
	for i, tc := range s.Cases {
		id, _, _ := strings.Cut(tc.Name, " ")
		byID[id] = i
		ids = append(ids, id)
	}
	if want := []string{"IK-01", "IK-02", "RT-08", "RA-01", "TO-01", "AU-01", "WH-01", "PG-01", "RL-01"}; !slices.Equal(ids, want) {
		t.Errorf("testcases %v, want catalog order %v", ids, want)
	}
	ik01 := s.Cases[byID["IK-01"]]
	if ik01.Classname != "sandbank.conformance.IK" || ik01.Name != "IK-01 Idempotency-Key present on unsafe requests (MUST)" || ik01.Time != "0.393" {
		t.Errorf("IK-01 testcase %q %q %q", ik01.Classname, ik01.Name, ik01.Time)
	}
	ra01 := s.Cases[byID["RA-01"]]
	if ra01.Failure == nil || ra01.Failure.Message != nastyClean || ra01.Failure.Type != "fail" {
		t.Fatalf("RA-01 failure %+v", ra01.Failure)
	}
	for _, want := range []string{"+0ms POST /v1/payments key=" + keyA + " body=sha256:f769667136cf… fault=status → 503 (completed) in 1ms",
		"+275ms POST /v1/payments key=" + keyA} {
		if !strings.Contains(ra01.Failure.Text, want) || !strings.Contains(*ra01.SystemOut, want) {
			t.Errorf("RA-01 failure text and system-out must hold %q:\n%s\n%s", want, ra01.Failure.Text, *ra01.SystemOut)
		}
	}
	for _, want := range []string{"adapter: gave_up, exit 1, 300 ms", "    | line 1\n    | " + nastyClean + "\n", "plan: " + nastyClean} {
		if !strings.Contains(*ra01.SystemOut, want) {
			t.Errorf("RA-01 system-out lacks %q:\n%s", want, *ra01.SystemOut)
		}
	}
	if ik02 := s.Cases[byID["IK-02"]]; ik02.Failure == nil || ik02.Failure.Type != "unsafe" || ik02.Time != "0.209" {
		t.Errorf("IK-02: %+v", ik02)
	}
	if rt08 := s.Cases[byID["RT-08"]]; rt08.Skipped == nil || rt08.Skipped.Message != "warning: 8 clients' first retries came at the same time" {
		t.Errorf("RT-08: %+v", rt08)
	}
	if rl01 := s.Cases[byID["RL-01"]]; rl01.Skipped == nil || !strings.HasPrefix(rl01.Skipped.Message, "warning: ") {
		t.Errorf("RL-01 (SHOULD, unsafe) must be a warning: %+v", rl01)
	}
	if pg01 := s.Cases[byID["PG-01"]]; pg01.Skipped == nil || pg01.Skipped.Message != "not applicable: the adapter does not implement list_transactions" ||
		!strings.Contains(*pg01.SystemOut, "no runs recorded") {
		t.Errorf("PG-01: %+v", pg01)
	}
	if au01 := s.Cases[byID["AU-01"]]; au01.Error == nil || au01.Error.Message != "the suite could not run the case: "+nastyClean {
		t.Errorf("AU-01: %+v", au01)
	}
	wh01 := *s.Cases[byID["WH-01"]].SystemOut
	for _, want := range []string{"+40ms webhook payment.created evt_5yuf7bUQnZbXXVJk delivery=1 → 204 (completed) in 3ms",
		"+900ms webhook payment.succeeded evt_fgd8UCZ112EpCuFP delivery=2 → no response (connection_closed) in 0ms"} {
		if !strings.Contains(wh01, want) {
			t.Errorf("WH-01 system-out lacks %q:\n%s", want, wh01)
		}
	}
	to01 := *s.Cases[byID["TO-01"]].SystemOut
	if want := `+1194ms GET /v1/payments/pay_kRJ3D6dOTqSSd5Lr?expand=<b>&x="1" auth=Bearer at_…z3oj → 404 (completed) problem=resource_missing in 0ms`; !strings.Contains(to01, want) {
		t.Errorf("TO-01 system-out lacks %q:\n%s", want, to01)
	}
}

func TestHTML(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Fatal("HTML has a <script")
	}
	if n := strings.Count(page, "<svg"); n != 10 {
		t.Errorf("%d timelines, want 10 (one per run)", n)
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&amp;y&#34;)&lt;/script&gt; it&#39;s [31mred[0m \uFFFD\uFFFD bytes ]]&gt; &amp; more", // the reason, escaped
		"Not conformant", "3 MUST checks failed or were unsafe", "./my-adapter --flag=&#39;a&amp;b&#39;", "v0.9.0 &lt;dev&gt;",
		"10.4 s", r.Replay, "webhook deliveries", "no traffic recorded", ">2026-05-04 12:00:00 UTC<",
		`class="badge v-warning"`, `class="badge v-unsafe"`, `class="badge v-error"`, `class="badge v-na"`, `class="badge v-pass"`,
		"connection reset", "client closed", "fault status", "key 3f9a1c2e", "201 replayed",
		`<details class="case v-fail" id="case-RA-01" open>`, `<details class="case v-pass" id="case-IK-01">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// TO-01's second run: one key throughout, the first colour.
	to01 := page[strings.Index(page, `id="case-TO-01"`):]
	to01 = to01[strings.Index(to01, "stalled body"):]
	to01 = to01[:strings.Index(to01, "</svg>")]
	if n := strings.Count(to01, `fill="`+keyPalette[0]+`"`); n != 3 {
		t.Errorf("TO-01's key shown %d times in its colour, want 3", n)
	}
	// The unsafe requests without a key are marked.
	if n := strings.Count(page, `class="nokey"`); n != 5 {
		t.Errorf("%d requests marked as sent without a key, want 5", n)
	}
	if len(page) > 200_000 {
		t.Errorf("HTML is %d bytes", len(page))
	}
}

func TestTimelineScale(t *testing.T) {
	for _, c := range []struct {
		span float64
		step float64
	}{{0, 1}, {5, 1}, {60, 10}, {450, 100}, {1169, 200}, {4400, 1000}, {10401, 2000}, {86_400_000, 20_000_000}} {
		if got := niceStep(c.span, 6); got != c.step {
			t.Errorf("niceStep(%g) = %g, want %g", c.span, got, c.step)
		}
	}
	for _, c := range []struct {
		ms, max float64
		want    string
	}{{0, 1000, "0"}, {200, 1200, "200 ms"}, {500, 3000, "0.5 s"}, {2000, 10000, "2 s"}} {
		if got := tickLabel(c.ms, c.max); got != c.want {
			t.Errorf("tickLabel(%g, %g) = %q, want %q", c.ms, c.max, got, c.want)
		}
	}
	tl := newTimeline(RunEvidence{Attempts: []Attempt{
		req(0, 0, "POST", "/v1/payments", keyA, 503, "completed", "status"),
		req(1169, 0, "POST", "/v1/payments", keyA, 201, "completed", ""),
		hook(1170, 5, "evt_1", "payment.created", 1, 200, "completed"),
	}})
	if len(tl.Lanes) != 2 || len(tl.Lanes[0].Rows) != 2 || len(tl.Lanes[1].Rows) != 1 {
		t.Fatalf("lanes %+v", tl.Lanes)
	}
	first, last := tl.Lanes[0].Rows[0], tl.Lanes[1].Rows[0]
	if first.X != tlPlotX0 || first.W != tlMinBar || first.Class != "b-err" || first.FaultPath == "" {
		t.Errorf("first bar %+v", first)
	}
	if last.Class != "b-ok" || last.X+last.W > tlPlotX1 || last.Anchor != "end" {
		t.Errorf("last bar %+v", last)
	}
	if labels := []string{tl.Ticks[0].Label, tl.Ticks[len(tl.Ticks)-1].Label}; labels[0] != "0" || labels[1] != "1200 ms" {
		t.Errorf("ticks %+v", tl.Ticks)
	}
}

func TestKeyColors(t *testing.T) {
	k := &keyColors{}
	a, b := k.color(keyA), k.color(keyB)
	if a != keyPalette[0] || b != keyPalette[1] || k.color(keyA) != a {
		t.Errorf("key colours %s %s", a, b)
	}
	for i := range 20 {
		if c := k.color(strings.Repeat("k", i+1)); c == "" || i+2 < len(keyPalette) && c != keyPalette[i+2] {
			t.Errorf("key %d: colour %q", i, c)
		}
	}
}

// A label that fits nowhere is cut to the widest place.
func TestTimelineLabelsFit(t *testing.T) {
	long := strings.Repeat("k", 200)
	tl := newTimeline(RunEvidence{Attempts: []Attempt{
		req(0, 5000, "POST", "/v1/payments", keyA, 201, "client_closed", "latency (in_flight) "+long),
		req(2500, 0, "POST", "/v1/payments", keyA, 0, "connection_reset", "reset "+long),
		hook(5000, 0, "evt_"+long, "payment.succeeded", 3, 0, "hung"),
	}})
	for _, row := range append(tl.Lanes[0].Rows, tl.Lanes[1].Rows...) {
		w := float64(utf8.RuneCountInString(row.Label)) * tlCharW
		if !strings.HasSuffix(row.Label, "…") {
			t.Errorf("label %q not cut", row.Label)
		}
		if row.Anchor == "start" && row.LabelX+w > tlWidth || row.Anchor == "end" && row.LabelX-w < tlPlotX0 {
			t.Errorf("label %q at %g (%s) does not fit", row.Label, row.LabelX, row.Anchor)
		}
	}
	if row := tl.Lanes[0].Rows[0]; row.LabelCls != "in-dark" || row.Mark != "stop" {
		t.Errorf("a long light bar holds its label in dark text: %+v", row)
	}
	if row := tl.Lanes[0].Rows[1]; row.Mark != "x" {
		t.Errorf("a reset is marked x: %+v", row)
	}
	if row := tl.Lanes[1].Rows[0]; row.Mark != "x" || row.KeyColor != keyPalette[0] || row.Gutter != "payment.succeeded #3" {
		t.Errorf("a hung delivery: %+v", row)
	}
	var buf bytes.Buffer
	r := &Report{Results: []*Result{{ID: "RT-01", Level: Must, Verdict: Pass, Runs: []RunEvidence{{Attempts: []Attempt{
		req(0, 5000, "POST", "/v1/payments", keyA, 201, "client_closed", "latency (in_flight) "+long),
		req(2500, 0, "POST", "/v1/payments", keyA, 0, "connection_reset", "reset "+long),
		hook(5000, 0, "evt_"+long, "payment.succeeded", 3, 0, "hung"),
	}}}}}}
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, r, buf.Bytes())
}

func TestBarClass(t *testing.T) {
	for _, c := range []struct {
		a    Attempt
		want string
	}{
		{Attempt{Status: 201, Outcome: "completed"}, "b-ok"},
		{Attempt{Status: 302, Outcome: "completed"}, "b-redir"},
		{Attempt{Status: 409, Outcome: "completed"}, "b-4xx"},
		{Attempt{Kind: "request", Status: 429, Outcome: "completed", Fault: "status"}, "b-err"},
		{Attempt{Kind: "webhook", Status: 400, Outcome: "completed", Fault: "forged"}, "b-4xx"},
		{Attempt{Status: 503, Outcome: "completed"}, "b-err"},
		{Attempt{Outcome: "connection_reset"}, "b-conn"},
		{Attempt{Outcome: "connection_closed"}, "b-conn"},
		{Attempt{Outcome: "hung"}, "b-conn"},
		{Attempt{Status: 200, Outcome: "client_closed"}, "b-gone"},
		{Attempt{Outcome: "in_flight"}, "b-flight"},
	} {
		if got := barClass(c.a); got != c.want {
			t.Errorf("barClass(%+v) = %s, want %s", c.a, got, c.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text → ok":       "plain text → ok",
		nasty:                   nastyClean,
		"a\r\nb\tc":             "a\nb\tc",
		"\u0085C1\u009b[2J":     "C1[2J",
		"bad \xc3\x28 sequence": "bad \uFFFD( sequence",
	} {
		if got := rptClean(in); got != want {
			t.Errorf("rptClean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := rptOneLine("a\n  b\tc"); got != "a b c" {
		t.Errorf("rptOneLine = %q", got)
	}
}

func TestWorstFirst(t *testing.T) {
	var ids []string
	for _, r := range rptWorstFirst(sampleReport().Results) {
		ids = append(ids, r.ID)
	}
	if want := []string{"IK-02", "RA-01", "TO-01", "AU-01", "RT-08", "RL-01", "PG-01", "IK-01", "WH-01"}; !slices.Equal(ids, want) {
		t.Errorf("worst first: %v, want %v", ids, want)
	}
}
