package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ExitNotImplemented is the exit status by which an executable adapter says
// it does not implement an operation.
const ExitNotImplemented = 3

// Exec is an executable adapter: `COMMAND <operation>` with the Env in its
// environment and the input on stdin; it prints the result on stdout and
// exits 0, exits ExitNotImplemented for an operation it does not support,
// or exits with another non-zero status when the client gave up. The
// command is run by /bin/sh, so it may be `node adapter.js` or a path.
type Exec struct {
	Command string
	// Stderr, when set, receives the adapter's standard error as it runs
	// (it is also kept, in part, as evidence).
	Stderr func(op Operation, line string)
}

// GaveUpError is an adapter that exited with a non-zero status: its client
// gave up on the operation.
type GaveUpError struct {
	ExitCode int
	Stderr   string
}

func (e *GaveUpError) Error() string {
	return withStderr(fmt.Sprintf("the adapter exited with status %d", e.ExitCode), e.Stderr)
}

// NotRunnableError is an adapter command the shell could not run: exit
// status 126 (not executable) or 127 (not found). That is the set-up's
// fault, not the client's, so the case's verdict is error.
type NotRunnableError struct {
	ExitCode int
	Stderr   string
}

func (e *NotRunnableError) Error() string {
	return withStderr(fmt.Sprintf("the adapter command could not be run (exit status %d)", e.ExitCode), e.Stderr)
}

// withStderr appends the last line of an adapter's standard error, where
// a failing command says why.
func withStderr(msg, stderr string) string {
	s := strings.TrimSpace(stderr)
	if s == "" {
		return msg
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return msg + ": " + s
}

// Bounds on what is kept of an adapter's output.
const (
	maxOutput = 1 << 20
	maxStderr = 4 << 10
)

// Perform runs the command for one operation.
func (a *Exec) Perform(ctx context.Context, env Env, op Operation, input []byte) ([]byte, error) {
	cmd := exec.Command("/bin/sh", "-c", a.Command+` "$@"`, "adapter", string(op))
	cmd.Env = append(os.Environ(), env.Vars()...)
	cmd.Stdin = bytes.NewReader(input)
	var stdout limitedBuffer
	stdout.limit = maxOutput
	stderr := &tailBuffer{limit: maxStderr}
	if a.Stderr != nil {
		stderr.line = func(l string) { a.Stderr(op, l) }
	}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("conformance: cannot start the adapter %q: %w", a.Command, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// Stop the adapter and whatever it started: SIGTERM to its process
		// group, SIGKILL if it is still there two seconds later.
		terminate(cmd)
		select {
		case err = <-done:
		case <-time.After(2 * time.Second):
			kill(cmd)
			err = <-done
		}
		if op == OpServeWebhooks {
			return nil, nil // stopping the receiver is how it ends
		}
		return nil, fmt.Errorf("%w (the adapter was stopped: %v)", ctx.Err(), err)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case errors.As(err, &exit) && exit.ExitCode() == ExitNotImplemented:
		return nil, ErrNotImplemented
	case errors.As(err, &exit) && (exit.ExitCode() == 126 || exit.ExitCode() == 127):
		return nil, &NotRunnableError{ExitCode: exit.ExitCode(), Stderr: stderr.String()}
	case errors.As(err, &exit):
		return nil, &GaveUpError{ExitCode: exit.ExitCode(), Stderr: stderr.String()}
	}
	return nil, err
}

// limitedBuffer keeps at most limit bytes.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// tailBuffer keeps the last limit bytes, and hands each complete line to
// line when set.
type tailBuffer struct {
	buf     []byte
	limit   int
	pending []byte
	line    func(string)
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.limit {
		b.buf = b.buf[len(b.buf)-b.limit:]
	}
	if b.line != nil {
		b.pending = append(b.pending, p...)
		for {
			i := bytes.IndexByte(b.pending, '\n')
			if i < 0 {
				break
			}
			b.line(string(b.pending[:i]))
			b.pending = b.pending[i+1:]
		}
	}
	return len(p), nil
}

func (b *tailBuffer) String() string { return string(b.buf) }
