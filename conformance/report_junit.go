package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteJUnit writes the report as JUnit XML, the schema CI test
// reporters (Jenkins, GitLab, GitHub) read: one testsuite, one testcase
// per check in catalog order. A MUST check that failed or was unsafe is a
// failure whose message is the reason; a SHOULD check that did not pass
// (a warning) and a case that does not apply are skipped, so warnings keep
// CI green; a case the suite could not run is an error. Every testcase's
// system-out holds its evidence: each run's plan, adapter outcome and
// attempt timeline.
func (r *Report) WriteJUnit(w io.Writer) error {
	results := rptCatalogOrder(r.Results)
	suite := junitSuite{
		Name: "sandbank conformance", junitCounts: junitCounts{Tests: len(results), Time: junitSeconds(r.DurationMS)},
		Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"seed", strconv.FormatUint(r.Seed, 10)},
			{"target", rptClean(r.Target)},
			{"adapter", rptClean(r.Adapter)},
			{"sandbank_version", rptClean(r.Version)},
			{"replay", rptClean(r.Replay)},
			{"conformant", strconv.FormatBool(r.Summary.Conformant)},
		},
	}
	for _, res := range results {
		tc := junitCase{
			Classname: "sandbank.conformance." + rptClean(rptFamily(res.ID)),
			Name:      rptClean(fmt.Sprintf("%s %s (%s)", res.ID, res.Title, res.Level)),
			Time:      junitSeconds(rptDurationMS(res)),
			SystemOut: junitText{rptEvidence(res)},
		}
		reason := rptOneLine(res.Reason)
		switch rptCategoryOf(res) {
		case rptUnsafe, rptFail:
			suite.Failures++
			tc.Failure = &junitProblem{Message: reason, Type: string(res.Verdict), Text: rptTimeline(res)}
		case rptError:
			suite.Errors++
			tc.Error = &junitProblem{Message: reason, Type: "error", Text: rptTimeline(res)}
		case rptWarning:
			suite.Skipped++
			tc.Skipped = &junitSkipped{Message: "warning: " + reason}
		case rptNotApplicable:
			suite.Skipped++
			tc.Skipped = &junitSkipped{Message: "not applicable: " + reason}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: suite.Name, junitCounts: suite.junitCounts, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Suites []junitSuite `xml:"testsuite"`
}

// junitCounts are the attributes <testsuites> and <testsuite> share.
type junitCounts struct {
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut junitText     `xml:"system-out"`
}

// junitText is text kept readable in the file: a CDATA section, so that
// newlines and quotes stay as they are (the text is clean, and the
// encoder splits any "]]>").
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func junitSeconds(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }

// rptFamily is a case id's family: "IK" for IK-01.
func rptFamily(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// rptEvidence renders a result and its evidence as text: the verdict and
// reason, then per run its plan, the adapter's outcome and one line per
// attempt. The text is clean (rptClean).
func rptEvidence(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s): %s\n", res.ID, res.Title, res.Level, rptCategoryOf(res).name())
	if res.Warning() {
		fmt.Fprintf(&b, "verdict: %s (a SHOULD check: a warning)\n", res.Verdict)
	}
	fmt.Fprintf(&b, "reason: %s\n", res.Reason)
	if res.Standard != "" {
		fmt.Fprintf(&b, "standard: %s\n", res.Standard)
	}
	fmt.Fprintf(&b, "duration: %s\n", rptDuration(rptDurationMS(res)))
	if len(res.Runs) == 0 {
		b.WriteString("\nno runs recorded\n")
	}
	for _, run := range res.Runs {
		fmt.Fprintf(&b, "\nrun \"%s\" (%s)", rptOneLine(run.Name), run.Operation)
		if run.Tenant != "" {
			fmt.Fprintf(&b, ", tenant %s", run.Tenant)
		}
		b.WriteString("\n")
		if run.Plan != "" {
			fmt.Fprintf(&b, "  plan: %s\n", run.Plan)
		}
		fmt.Fprintf(&b, "  adapter: %s\n", rptAdapterOutcome(run.Adapter))
		if run.Adapter.Output != "" {
			fmt.Fprintf(&b, "  output: %s\n", rptOneLine(run.Adapter.Output))
		}
		if run.Adapter.Stderr != "" {
			b.WriteString("  stderr:\n")
			for _, line := range strings.Split(strings.TrimRight(run.Adapter.Stderr, "\n"), "\n") {
				fmt.Fprintf(&b, "    | %s\n", line)
			}
		}
		if len(run.Attempts) == 0 {
			b.WriteString("  no traffic recorded\n")
		}
		for _, a := range run.Attempts {
			fmt.Fprintf(&b, "  %s\n", rptAttemptLine(a))
		}
	}
	return rptClean(b.String())
}

// rptTimeline is the short form of the evidence for a failure's text:
// the reason and every run's attempts.
func rptTimeline(res *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", res.Verdict, res.Reason)
	for _, run := range res.Runs {
		fmt.Fprintf(&b, "run \"%s\" (%s)", rptOneLine(run.Name), run.Operation)
		if run.Plan != "" {
			fmt.Fprintf(&b, ": %s", rptOneLine(run.Plan))
		}
		fmt.Fprintf(&b, "; adapter %s\n", rptAdapterOutcome(run.Adapter))
		for _, a := range run.Attempts {
			fmt.Fprintf(&b, "  %s\n", rptAttemptLine(a))
		}
	}
	return rptClean(b.String())
}

// rptAdapterOutcome renders how an adapter invocation ended:
// "ok, exit 0, 301 ms".
func rptAdapterOutcome(o AdapterOutcome) string {
	status := o.Status
	if status == "" {
		status = "unknown"
	}
	return fmt.Sprintf("%s, exit %d, %s", status, o.ExitCode, rptDuration(o.DurationMS))
}

// rptAttemptLine renders one attempt on one line: offset, request (or
// delivery), key, body hash, fault, answer, duration.
//
//	+312ms POST /v1/payments key=9b2f… body=sha256:f769667136cf… fault=status → 503 (completed) in 1ms
func rptAttemptLine(a Attempt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "+%dms ", a.OffsetMS)
	if a.Kind == "webhook" {
		fmt.Fprintf(&b, "webhook %s %s", a.EventType, a.EventID)
		if a.Delivery > 0 {
			fmt.Fprintf(&b, " delivery=%d", a.Delivery)
		}
	} else {
		b.WriteString(a.Method + " " + a.Path)
		if a.Query != "" {
			b.WriteString("?" + a.Query)
		}
	}
	if a.Key != "" {
		b.WriteString(" key=" + rptShorten(a.Key, 64))
	}
	if a.BodySHA256 != "" {
		b.WriteString(" body=sha256:" + rptShorten(a.BodySHA256, 12))
	}
	if a.Auth != "" {
		b.WriteString(" auth=" + rptAuth(a.Auth))
	}
	if a.Fault != "" {
		b.WriteString(" fault=" + a.Fault)
	}
	b.WriteString(" → ")
	if a.Status > 0 {
		b.WriteString(strconv.Itoa(a.Status))
	} else {
		b.WriteString("no response")
	}
	if a.Outcome != "" {
		b.WriteString(" (" + a.Outcome + ")")
	}
	if a.Problem != "" {
		b.WriteString(" problem=" + a.Problem)
	}
	if a.Replayed {
		b.WriteString(" replayed")
	}
	if a.ResourceID != "" {
		b.WriteString(" " + a.ResourceID)
	}
	fmt.Fprintf(&b, " in %dms", a.DurationMS)
	return rptOneLine(b.String())
}

// rptAuth shortens a masked Authorization header: "Bearer
// at_************z3oj" becomes "Bearer at_…z3oj".
func rptAuth(v string) string {
	var b strings.Builder
	star := false
	for _, c := range v {
		if c == '*' {
			if !star {
				b.WriteString("…")
			}
			star = true
			continue
		}
		star = false
		b.WriteRune(c)
	}
	return b.String()
}

// rptShorten keeps the first n characters of s, marking a cut with "…".
func rptShorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n]) + "…"
}

// rptClean makes text safe for every report: invalid UTF-8 becomes
// U+FFFD, and the characters XML 1.0 does not allow — control characters
// other than tab and newline — are dropped, with DEL and the C1 controls
// (which terminals may act on) and carriage returns.
func rptClean(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < ' ' && c != '\n' && c != '\t' || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rptOneLine is rptClean on one line: newlines and tabs become spaces.
func rptOneLine(s string) string {
	s = rptClean(s)
	if !strings.ContainsAny(s, "\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
