package conformance

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// progressRun feeds p the events Execute gives for IK-01, IK-02 and RT-08
// of the sample report, all three started at once.
func progressRun(p *Progress) *Report {
	r := sampleReport()
	ik01, ik02, rt08 := r.Result("IK-01"), r.Result("IK-02"), r.Result("RT-08")
	cases := map[string]*Case{}
	for _, c := range Catalog() {
		cases[c.ID] = c
	}
	p.Event(Event{Started: cases["IK-01"], Done: 0, Total: 3, Running: []string{"IK-01"}})
	p.Event(Event{Started: cases["IK-02"], Done: 0, Total: 3, Running: []string{"IK-01", "IK-02"}})
	p.Event(Event{Started: cases["RT-08"], Done: 0, Total: 3, Running: []string{"IK-01", "IK-02", "RT-08"}})
	p.Event(Event{Finished: ik02, Done: 1, Total: 3, Running: []string{"IK-01", "RT-08"}})
	p.Event(Event{Finished: ik01, Done: 2, Total: 3, Running: []string{"RT-08"}})
	p.Event(Event{Finished: rt08, Done: 3, Total: 3})
	r.Results = []*Result{ik01, ik02, rt08}
	r.Summary = Summarize(r.Results)
	r.Replay = "sandbank conformance run --seed 42 --cases IK-01,IK-02,RT-08"
	return r
}

const progressLines = `‼ IK-02 retries reuse the key (209 ms) — unsafe: POST /v1/payments was sent 2 times, at least once without an Idempotency-Key
✓ IK-01 Idempotency-Key present on unsafe requests (393 ms) — every unsafe request carried its own Idempotency-Key
⚠ RT-08 jitter (1.3 s) — warning: 8 clients' first retries came at the same time
`

func TestProgressPlain(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	var buf bytes.Buffer
	p := NewProgress(&buf, false)
	r := progressRun(p)
	if got := buf.String(); got != progressLines {
		t.Errorf("finished lines:\n%s\nwant:\n%s", got, progressLines)
	}
	buf.Reset()
	p.Summary(r)
	want := `
  case    level   verdict         reason
‼ IK-02   MUST    unsafe          POST /v1/payments was sent 2 times, at least once without an Idem…
⚠ RT-08   SHOULD  warning         8 clients' first retries came at the same time
✓ IK-01   MUST    pass            every unsafe request carried its own Idempotency-Key

3 cases in 10.4 s: 1 unsafe, 1 warning, 1 pass
conformant: no — 1 MUST check failed or was unsafe
seed: 42
replay: sandbank conformance run --seed 42 --cases IK-01,IK-02,RT-08
`
	if got := buf.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("summary line of %d columns: %q", n, line)
		}
	}
}

func TestProgressSummaryOfAConformantRun(t *testing.T) {
	var buf bytes.Buffer
	r := &Report{Seed: 7, DurationMS: 950, Results: []*Result{sampleReport().Result("IK-01"), sampleReport().Result("PG-01")}}
	r.Summary = Summarize(r.Results)
	NewProgress(&buf, false).Summary(r)
	for _, want := range []string{"2 cases in 950 ms: 1 not applicable, 1 pass\n", "conformant: yes\n", "seed: 7\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "replay:") {
		t.Errorf("no replay line without a replay command")
	}

	buf.Reset()
	r = sampleReport()
	NewProgress(&buf, false).Summary(r)
	if want := "conformant: no — 3 MUST checks failed or were unsafe; the suite could not run 1 case\n"; !strings.Contains(buf.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, buf.String())
	}
	// Reasons come out on one line, without control characters.
	if strings.ContainsAny(buf.String(), "\x00\x07\x1b\r") {
		t.Errorf("summary has control characters: %q", buf.String())
	}
}

var ansiRe = regexp.MustCompile("\033\\[[0-9;]*[mK]")

func TestProgressTTY(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Run("colour", func(t *testing.T) {
		var buf bytes.Buffer
		p := NewProgress(&buf, true)
		progressRun(p)
		out := buf.String()
		for _, want := range []string{
			"\r\033[K\033[2m[0/3] running: IK-01\033[0m",
			"\r\033[K\033[2m[0/3] running: IK-01, IK-02, RT-08\033[0m\r\033[K\033[1;35m‼\033[0m \033[1mIK-02\033[0m retries reuse the key (209 ms) — \033[1;35munsafe\033[0m: ",
			"\n\r\033[K\033[2m[1/3] running: IK-01, RT-08\033[0m",
			"\033[32m✓\033[0m",
			"\033[33m⚠\033[0m",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("TTY output lacks %q:\n%q", want, out)
			}
		}
		if !strings.HasSuffix(out, "came at the same time\n") {
			t.Errorf("the status line must be gone when every case is done: %q", out)
		}
		// Without the escapes and the status lines, the same lines as
		// on a pipe.
		plain := regexp.MustCompile(`\r\[[^\r\n]*`).ReplaceAllString(ansiRe.ReplaceAllString(out, ""), "")
		plain = strings.ReplaceAll(plain, "\r", "")
		if plain != progressLines {
			t.Errorf("TTY lines:\n%q\nwant\n%q", plain, progressLines)
		}
	})
	t.Run("NO_COLOR", func(t *testing.T) {
		t.Setenv("NO_COLOR", "1")
		var buf bytes.Buffer
		p := NewProgress(&buf, true)
		progressRun(p)
		out := buf.String()
		if !strings.Contains(out, "\r\033[K[2/3] running: RT-08") {
			t.Errorf("NO_COLOR keeps the status line: %q", out)
		}
		if strings.Contains(out, "m\u2713") || regexp.MustCompile("\033\\[[0-9;]+m").MatchString(out) {
			t.Errorf("NO_COLOR output has colours: %q", out)
		}
	})
	t.Run("width", func(t *testing.T) {
		var buf bytes.Buffer
		p := NewProgress(&buf, true)
		p.Width = 40
		var running []string
		for _, c := range Catalog() {
			running = append(running, c.ID)
		}
		p.Event(Event{Started: Catalog()[0], Done: 0, Total: 27, Running: running})
		line := ansiRe.ReplaceAllString(strings.TrimPrefix(buf.String(), "\r"), "")
		if n := utf8.RuneCountInString(line); n > 39 || !strings.HasPrefix(line, "[0/27] running: IK-01, IK-02") || !strings.HasSuffix(line, "…") {
			t.Errorf("status line %q (%d columns)", line, n)
		}
		buf.Reset()
		p.Summary(&Report{})
		if !strings.HasPrefix(buf.String(), "\r\033[K\n") {
			t.Errorf("Summary must clear the status line first: %q", buf.String())
		}
	})
}

// Event may be called from many goroutines.
func TestProgressConcurrent(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, true)
	p.color = true
	res := sampleReport().Result("IK-01")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := fmt.Sprintf("G%d-%02d", g, i)
				p.Event(Event{Started: &Case{ID: id}, Done: i, Total: 400, Running: []string{id}})
				p.Event(Event{Finished: res, Done: i + 1, Total: 400})
			}
		}()
	}
	wg.Wait()
	// Every finished line is whole.
	out := regexp.MustCompile(`\r\033\[K(\033\[2m[^\033]*\033\[0m)?`).ReplaceAllString(buf.String(), "")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	want := ansiRe.ReplaceAllString(NewProgress(nil, false).finishedLine(res), "")
	for _, l := range lines {
		if ansiRe.ReplaceAllString(l, "") != want {
			t.Fatalf("torn line %q", l)
		}
	}
}
