package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sandbank/sandbank/conformance"
)

// conformanceCmd is `sandbank conformance run|list`: the client
// conformance suite (docs/conformance.md).
func conformanceCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "Usage: sandbank conformance run --adapter CMD [flags]   grade a client integration")
		fmt.Fprintln(stderr, "       sandbank conformance list                        list the cases")
		fmt.Fprintln(stderr, "\nThe adapter protocol and the cases: docs/conformance.md.")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "run":
		return conformanceRun(args[1:], stdout, stderr)
	case "list":
		for _, c := range conformance.Catalog() {
			fmt.Fprintf(stdout, "%-6s %-6s %s\n", c.ID, c.Level, c.Title)
		}
		return 0
	}
	fmt.Fprintf(stderr, "sandbank conformance: unknown subcommand %q (want run or list)\n", args[0])
	return 2
}

func conformanceRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	adapter := fs.String("adapter", "", "the adapter command, run by /bin/sh as `CMD <operation>` (required)")
	target := fs.String("target", "", "base URL of a running sandbank (default: start one in process on 127.0.0.1)")
	cases := fs.String("cases", "", "cases to run: ids or patterns, comma-separated (IK-*,RT-0?); default all")
	parallel := fs.Int("parallel", 0, "cases at once (0: all)")
	seed := fs.Uint64("seed", 1, "seed for the cases' tenants and fault draws; the same seed replays a run")
	opLimit := fs.Duration("operation-limit", 60*time.Second, "bound on one adapter invocation")
	hangLimit := fs.Duration("hang-limit", 90*time.Second, "TO-01, RT-02: how long a client may wait for an answer that never comes")
	hold := fs.Duration("in-flight-hold", 15*time.Second, "IK-05: how long the first request is held with its key claimed")
	raLimit := fs.Duration("retry-after-limit", 60*time.Second, "RA-03: how long a client told Retry-After: 86400 may wait")
	ackLimit := fs.Duration("webhook-ack-limit", 15*time.Second, "WH-01: how long a receiver may take to answer a delivery")
	jitterRuns := fs.Int("jitter-runs", 20, "RT-08: clients run in parallel to measure jitter")
	jsonOut := fs.String("json", "", "write the JSON report to this file")
	junitOut := fs.String("junit", "", "write a JUnit XML report to this file")
	htmlOut := fs.String("html", "", "write a self-contained HTML report to this file")
	verbose := fs.Bool("verbose", false, "pass the adapter's standard error through, prefixed with the case")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *adapter == "" {
		fmt.Fprintln(stderr, "sandbank conformance run: --adapter is required (see docs/conformance.md for the protocol)")
		return 2
	}
	if _, err := conformance.Select(*cases); err != nil {
		fmt.Fprintln(stderr, "sandbank conformance run:", err)
		return 2
	}
	exec := &conformance.Exec{Command: *adapter}
	if *verbose {
		exec.Stderr = func(op conformance.Operation, line string) { fmt.Fprintf(stderr, "  [%s] %s\n", op, line) }
	}
	progress := conformance.NewProgress(stdout, isTerminal(stdout))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	report, err := conformance.Execute(ctx, exec, conformance.Options{
		Target: *target, Seed: *seed, Cases: *cases, Parallel: *parallel,
		OperationLimit: *opLimit, HangLimit: *hangLimit, InFlightHold: *hold, RetryAfterLimit: *raLimit,
		WebhookAckLimit: *ackLimit, JitterRuns: *jitterRuns,
		Progress: progress.Event, Version: versionString(), Adapter: *adapter,
	})
	if report == nil {
		fmt.Fprintln(stderr, "sandbank conformance run:", err)
		return 2
	}
	progress.Summary(report)
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{*jsonOut, report.WriteJSON}, {*junitOut, report.WriteJUnit}, {*htmlOut, report.WriteHTML}} {
		if out.path == "" {
			continue
		}
		if err := writeReport(out.path, out.write); err != nil {
			fmt.Fprintln(stderr, "sandbank conformance run:", err)
			return 2
		}
		fmt.Fprintln(stdout, "wrote", out.path)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sandbank conformance run:", err)
		return 2
	}
	return report.ExitCode()
}

func writeReport(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// isTerminal reports whether w is a terminal (for the live progress line
// and colours).
func isTerminal(w io.Writer) bool {
	return !strings.EqualFold(os.Getenv("TERM"), "dumb") && isCharDevice(w)
}

// isCharDevice reports whether w is a file that is a character device (a
// terminal, whatever TERM says).
func isCharDevice(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
