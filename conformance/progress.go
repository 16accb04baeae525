package conformance

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"
)

// Progress prints a run's progress for the CLI: one line per case as it
// finishes and, on a terminal, a status line that counts and names the
// cases still running; then Summary prints the table of verdicts. Pass
// Event as Options.Progress. It is safe for concurrent use.
type Progress struct {
	// Width bounds the status line and the summary's rows, in columns
	// (default 100).
	Width int

	mu     sync.Mutex
	w      io.Writer
	tty    bool
	color  bool
	status bool // the status line is on screen
}

// NewProgress prints to w; tty says w is a terminal: then the status line
// updates in place and verdicts are coloured (unless NO_COLOR is set). On
// anything else only the finished cases' lines are printed.
func NewProgress(w io.Writer, tty bool) *Progress {
	return &Progress{Width: 100, w: w, tty: tty, color: tty && os.Getenv("NO_COLOR") == ""}
}

// Event is told as cases start and finish.
func (p *Progress) Event(ev Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Finished != nil {
		p.clearStatus()
		fmt.Fprintln(p.w, p.finishedLine(ev.Finished))
	}
	if !p.tty {
		return
	}
	if ev.Done < ev.Total {
		p.showStatus(ev)
	} else {
		p.clearStatus()
	}
}

// Summary prints the verdicts worst first, the counts, whether the client
// is conformant, the seed and the command that replays the run.
func (p *Progress) Summary(r *Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	if r == nil {
		return
	}
	results := rptWorstFirst(r.Results)
	width := p.width()
	var b strings.Builder
	b.WriteString("\n")
	const idW, levelW, verdictW = 6, 6, 14
	prefix := 2 + idW + 2 + levelW + 2 + verdictW + 2
	fmt.Fprintf(&b, "%s\n", p.paint("2", fmt.Sprintf("  %-*s  %-*s  %-*s  %s", idW, "case", levelW, "level", verdictW, "verdict", "reason")))
	for _, res := range results {
		cat := rptCategoryOf(res)
		reason := rptShorten(rptOneLine(res.Reason), max(width-prefix-1, 20))
		fmt.Fprintf(&b, "%s %-*s  %-*s  %s  %s\n",
			p.paint(progressColors[cat], progressMarkers[cat]), idW, rptOneLine(res.ID), levelW, rptOneLine(string(res.Level)),
			p.paint(progressColors[cat], fmt.Sprintf("%-*s", verdictW, cat.name())), reason)
	}
	counts := rptCounts(results)
	var parts []string
	for _, c := range rptCategories {
		if n := counts[c]; n > 0 {
			name := c.name()
			if c == rptWarning && n > 1 {
				name = "warnings"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	fmt.Fprintf(&b, "\n%s in %s", rptPlural(len(results), "case"), rptDuration(r.DurationMS))
	if len(parts) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "conformant: %s\n", p.conformance(r, counts))
	fmt.Fprintf(&b, "seed: %d\n", r.Seed)
	if r.Replay != "" {
		fmt.Fprintf(&b, "replay: %s\n", rptOneLine(r.Replay))
	}
	io.WriteString(p.w, b.String())
}

func (p *Progress) conformance(r *Report, counts map[rptCategory]int) string {
	blocking := counts[rptFail] + counts[rptUnsafe]
	var why []string
	if blocking > 0 {
		why = append(why, fmt.Sprintf("%s failed or %s unsafe", rptPlural(blocking, "MUST check"), rptWereWas(blocking)))
	}
	if n := counts[rptError]; n > 0 {
		why = append(why, fmt.Sprintf("the suite could not run %s", rptPlural(n, "case")))
	}
	if r.Summary.Conformant && r.Summary.Error == 0 && len(why) == 0 {
		return p.paint("1;32", "yes")
	}
	s := p.paint("1;31", "no")
	if len(why) > 0 {
		s += " — " + strings.Join(why, "; ")
	}
	return s
}

// finishedLine is a finished case: marker, id, title, duration, reason.
func (p *Progress) finishedLine(res *Result) string {
	cat := rptCategoryOf(res)
	line := fmt.Sprintf("%s %s %s (%s) — ", p.paint(progressColors[cat], progressMarkers[cat]),
		p.paint("1", rptOneLine(res.ID)), rptOneLine(res.Title), rptDuration(rptDurationMS(res)))
	if cat != rptPass {
		line += p.paint(progressColors[cat], cat.name()) + ": "
	}
	return line + rptOneLine(res.Reason)
}

// showStatus draws the status line: "[12/27] running: RT-06, TO-01, …".
func (p *Progress) showStatus(ev Event) {
	s := fmt.Sprintf("[%d/%d]", ev.Done, ev.Total)
	if len(ev.Running) > 0 {
		s += " running: " + strings.Join(ev.Running, ", ")
	}
	s = rptOneLine(s)
	if utf8.RuneCountInString(s) > p.width()-1 {
		s = rptShorten(s, p.width()-2)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", p.paint("2", s))
	p.status = true
}

func (p *Progress) clearStatus() {
	if p.status {
		io.WriteString(p.w, "\r\033[K")
		p.status = false
	}
}

func (p *Progress) width() int {
	if p.Width <= 0 {
		return 100
	}
	return max(p.Width, 40)
}

// paint colours s with an SGR code when colours are on.
func (p *Progress) paint(code, s string) string {
	if !p.color || code == "" {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

var progressMarkers = map[rptCategory]string{
	rptUnsafe: "‼", rptFail: "✗", rptError: "!", rptWarning: "⚠", rptNotApplicable: "–", rptPass: "✓",
}

var progressColors = map[rptCategory]string{
	rptUnsafe: "1;35", rptFail: "1;31", rptError: "1;36", rptWarning: "33", rptNotApplicable: "90", rptPass: "32",
}
