package conformance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// CheckReportsForTest validates the three reports written for r: the JSON
// against the documented schema, the JUnit XML against its counts and
// messages, the HTML for self-containment and one timeline per run. The
// end-to-end test (package conformance_test) uses it too.
func CheckReportsForTest(t testing.TB, r *Report, jsonOut, junitOut, htmlOut []byte) {
	t.Helper()
	checkJSON(t, r, jsonOut)
	checkJUnit(t, r, junitOut)
	checkHTML(t, r, htmlOut)
}

// The documented JSON schema (docs/conformance.md), in order.
var (
	docReportKeys  = []string{"sandbank_version", "seed", "target", "adapter", "started_at", "duration_ms", "summary", "cases", "replay"}
	docSummaryKeys = []string{"total", "pass", "fail", "unsafe", "not_applicable", "error", "warnings", "conformant"}
	docCaseKeys    = []string{"id", "title", "level", "standard", "verdict", "reason", "started_at", "duration_ms", "runs"}
	docRunKeys     = []string{"name", "operation", "plan", "tenant", "adapter", "attempts"}
	// Optional keys may be left out, the others keep this order.
	docAdapterKeys = []string{"status", "exit_code", "output", "stderr", "duration_ms"}
	docAttemptKeys = []string{"kind", "offset_ms", "duration_ms", "method", "path", "query", "operation_id", "idempotency_key",
		"body_sha256", "content_type", "authorization", "fault", "status", "outcome", "replayed", "problem", "resource_id",
		"event_id", "event_type", "delivery_attempt"}
	docAdapterRequired = []string{"status", "exit_code", "duration_ms"}
	docAttemptRequired = []string{"kind", "offset_ms", "duration_ms", "method", "path", "status", "outcome"}
)

// objectKeys lists the keys of a JSON object in the order they appear.
func objectKeys(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %.80s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkKeys asserts keys are an ordered subsequence of want holding every
// required one.
func checkKeys(t testing.TB, what string, keys, want, required []string) {
	t.Helper()
	i := 0
	for _, k := range keys {
		for i < len(want) && want[i] != k {
			i++
		}
		if i == len(want) {
			t.Errorf("%s: keys %v are not in the documented order %v (or %q is undocumented)", what, keys, want, k)
			return
		}
	}
	for _, k := range required {
		if !slices.Contains(keys, k) {
			t.Errorf("%s: key %q missing (keys %v)", what, k, keys)
		}
	}
}

func checkJSON(t testing.TB, r *Report, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		t.Fatalf("JSON report is not valid JSON")
	}
	if m := regexp.MustCompile(`:\s*null`).Find(data); m != nil {
		t.Errorf("JSON report has a null: %s", data)
	}
	if !bytes.Contains(data, []byte("\n  \"")) {
		t.Errorf("JSON report is not indented")
	}
	checkKeys(t, "report", objectKeys(t, data), docReportKeys, docReportKeys)
	var doc struct {
		Summary json.RawMessage   `json:"summary"`
		Cases   []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "summary", objectKeys(t, doc.Summary), docSummaryKeys, docSummaryKeys)
	var ids []string
	for _, c := range doc.Cases {
		checkKeys(t, "case", objectKeys(t, c), docCaseKeys, docCaseKeys)
		var cs struct {
			ID   string            `json:"id"`
			Runs []json.RawMessage `json:"runs"`
		}
		if err := json.Unmarshal(c, &cs); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cs.ID)
		for _, run := range cs.Runs {
			checkKeys(t, cs.ID+" run", objectKeys(t, run), docRunKeys, docRunKeys)
			var rs struct {
				Adapter  json.RawMessage   `json:"adapter"`
				Attempts []json.RawMessage `json:"attempts"`
			}
			if err := json.Unmarshal(run, &rs); err != nil {
				t.Fatal(err)
			}
			checkKeys(t, cs.ID+" adapter", objectKeys(t, rs.Adapter), docAdapterKeys, docAdapterRequired)
			for _, a := range rs.Attempts {
				checkKeys(t, cs.ID+" attempt", objectKeys(t, a), docAttemptKeys, docAttemptRequired)
			}
		}
	}
	var want []string
	for _, res := range rptCatalogOrder(r.Results) {
		want = append(want, res.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("JSON cases %v, want catalog order %v", ids, want)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Seed != r.Seed || back.Replay != r.Replay || back.Summary != r.Summary || !back.Started.Equal(r.Started) {
		t.Errorf("JSON report does not round-trip: %+v", back)
	}
}

// The JUnit XML as a CI reporter reads it.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Time       string `xml:"time,attr"`
		Timestamp  string `xml:"timestamp,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut *string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t testing.TB, data []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit report does not parse: %v\n%s", err, data)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("JUnit report has %d testsuites, want 1", len(doc.Suites))
	}
	return doc
}

func checkJUnit(t testing.TB, r *Report, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("JUnit report lacks the XML declaration")
	}
	doc := parseJUnit(t, data)
	s := doc.Suites[0]
	results := rptCatalogOrder(r.Results)
	failures, errs, skipped := 0, 0, 0
	for _, res := range results {
		switch {
		case res.Blocking():
			failures++
		case res.Verdict == Error:
			errs++
		case res.Warning(), res.Verdict == NotApplicable:
			skipped++
		}
	}
	if s.Name != "sandbank conformance" || s.Tests != len(results) || s.Failures != failures || s.Errors != errs || s.Skipped != skipped {
		t.Errorf("JUnit suite %q tests=%d failures=%d errors=%d skipped=%d, want tests=%d failures=%d errors=%d skipped=%d",
			s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(results), failures, errs, skipped)
	}
	if doc.Tests != s.Tests || doc.Failures != s.Failures || doc.Errors != s.Errors || doc.Skipped != s.Skipped {
		t.Errorf("JUnit testsuites counts differ from the testsuite's")
	}
	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	for _, name := range []string{"seed", "target", "adapter", "sandbank_version", "replay"} {
		if _, ok := props[name]; !ok {
			t.Errorf("JUnit property %s missing", name)
		}
	}
	if len(s.Cases) != len(results) {
		t.Fatalf("JUnit has %d testcases, want %d", len(s.Cases), len(results))
	}
	for i, res := range results {
		tc := s.Cases[i]
		if want := "sandbank.conformance." + rptFamily(res.ID); tc.Classname != want {
			t.Errorf("%s: classname %q, want %q", res.ID, tc.Classname, want)
		}
		if !strings.HasPrefix(tc.Name, res.ID+" ") || !strings.HasSuffix(tc.Name, "("+string(res.Level)+")") {
			t.Errorf("%s: testcase name %q", res.ID, tc.Name)
		}
		if tc.SystemOut == nil || !strings.Contains(*tc.SystemOut, res.ID) {
			t.Errorf("%s: no evidence in system-out", res.ID)
		} else {
			for _, run := range res.Runs {
				for _, a := range run.Attempts {
					if line := rptAttemptLine(a); !strings.Contains(*tc.SystemOut, line) {
						t.Errorf("%s: system-out lacks the attempt %q", res.ID, line)
					}
				}
			}
		}
		reason := rptOneLine(res.Reason)
		switch {
		case res.Blocking():
			if tc.Failure == nil || tc.Failure.Message != reason || tc.Failure.Type != string(res.Verdict) || tc.Error != nil || tc.Skipped != nil {
				t.Errorf("%s: want a failure %q of type %s, got %+v", res.ID, reason, res.Verdict, tc)
			}
		case res.Verdict == Error:
			if tc.Error == nil || tc.Error.Message != reason || tc.Failure != nil || tc.Skipped != nil {
				t.Errorf("%s: want an error %q, got %+v", res.ID, reason, tc)
			}
		case res.Warning():
			if tc.Skipped == nil || tc.Skipped.Message != "warning: "+reason || tc.Failure != nil || tc.Error != nil {
				t.Errorf("%s: want skipped as a warning, got %+v", res.ID, tc)
			}
		case res.Verdict == NotApplicable:
			if tc.Skipped == nil || tc.Skipped.Message != "not applicable: "+reason || tc.Failure != nil || tc.Error != nil {
				t.Errorf("%s: want skipped as not applicable, got %+v", res.ID, tc)
			}
		default:
			if tc.Failure != nil || tc.Error != nil || tc.Skipped != nil {
				t.Errorf("%s: a pass must be plain, got %+v", res.ID, tc)
			}
		}
	}
}

var (
	svgRe      = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
	caseLinkRe = regexp.MustCompile(`<td class="mono"><a href="#case-([^"]+)">`)
	// References that would load something from elsewhere, or run code.
	externalRe = regexp.MustCompile(`(?i)(\b(src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(https?:|//|data:|javascript:))|url\s*\(|@import|<(script|link|iframe|img|object|embed|base)\b|\son[a-z]+\s*=`)
)

func checkHTML(t testing.TB, r *Report, data []byte) {
	t.Helper()
	page := string(data)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
		t.Errorf("HTML report is not a whole page")
	}
	if !utf8.Valid(data) {
		t.Errorf("HTML report is not valid UTF-8")
	}
	for i, c := range page {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f {
			t.Errorf("HTML report has control character %U at %d", c, i)
			break
		}
	}
	if m := externalRe.FindString(page); m != "" {
		t.Errorf("HTML report refers to something outside it or runs code: %q", m)
	}
	runs := 0
	for _, res := range r.Results {
		runs += len(res.Runs)
	}
	if n := strings.Count(page, "<svg"); n != runs {
		t.Errorf("HTML report has %d <svg, want one per run (%d)", n, runs)
	}
	if n := strings.Count(page, "</svg>"); n != runs {
		t.Errorf("HTML report has %d </svg>, want %d", n, runs)
	}
	// Each diagram is well-formed XML, and what it draws stays in its box.
	for _, svg := range svgRe.FindAllString(page, -1) {
		checkSVG(t, svg)
	}
	var ids, want []string
	for _, m := range caseLinkRe.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	for _, res := range rptWorstFirst(r.Results) {
		want = append(want, rptAnchor(res.ID))
		if !strings.Contains(page, `id="case-`+rptAnchor(res.ID)+`"`) {
			t.Errorf("HTML report has no section for %s", res.ID)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("HTML cases table %v, want worst first %v", ids, want)
	}
	if !strings.Contains(page, r.Replay) && !strings.Contains(page, htmlEscape(rptClean(r.Replay))) {
		t.Errorf("HTML report lacks the replay command")
	}
}

type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []svgNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func checkSVG(t testing.TB, svg string) {
	t.Helper()
	var root svgNode
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Errorf("timeline is not well-formed: %v\n%s", err, svg)
		return
	}
	width := attrFloat(root, "width")
	var walk func(n svgNode, inRow bool)
	walk = func(n svgNode, inRow bool) {
		switch n.XMLName.Local {
		case "rect":
			x, w := attrFloat(n, "x"), attrFloat(n, "width")
			if x < tlPlotX0-0.05 || x+w > tlPlotX1+0.05 || w < tlMinBar {
				t.Errorf("bar x=%g width=%g outside the plot [%d, %d] or too thin", x, w, tlPlotX0, tlPlotX1)
			}
		case "text":
			x := attrFloat(n, "x")
			if x < 0 || x > width {
				t.Errorf("label %q at x=%g outside the diagram", n.Text, x)
			}
			if !inRow {
				break
			}
			// A row's texts: the gutter label, and the bar's label,
			// which stays within the plot.
			w := float64(utf8.RuneCountInString(n.Text)) * tlCharW
			switch anchor := attrString(n, "text-anchor"); {
			case x == 20 && x+w > tlPlotX0:
				t.Errorf("gutter label %q runs into the plot", n.Text)
			case x != 20 && anchor == "start" && x+w > width:
				t.Errorf("label %q at x=%g runs off the diagram (%g)", n.Text, x, x+w)
			case anchor == "end" && x-w < tlPlotX0-1:
				t.Errorf("label %q ending at x=%g runs into the gutter (%g)", n.Text, x, x-w)
			}
		}
		for _, c := range n.Nodes {
			walk(c, inRow || n.XMLName.Local == "g")
		}
	}
	walk(root, false)
}

func attrFloat(n svgNode, name string) float64 {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			var f float64
			if err := json.Unmarshal([]byte(a.Value), &f); err == nil {
				return f
			}
		}
	}
	return -1
}

func attrString(n svgNode, name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}
