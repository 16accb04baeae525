// Command refadapter is the reference client as an executable adapter of
// the conformance suite's protocol: `refadapter <operation>`, the input
// on stdin, SANDBANK_* in the environment; REFCLIENT_FLAW picks a flaw.
// The suite's tests build it to exercise the executable path.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sandbank/sandbank/conformance"
	"github.com/sandbank/sandbank/conformance/internal/refclient"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: refadapter <operation>")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	env := conformance.Env{
		BaseURL: os.Getenv("SANDBANK_BASE_URL"), APIKey: os.Getenv("SANDBANK_API_KEY"), Case: os.Getenv("SANDBANK_CASE"),
		StateDir: os.Getenv("SANDBANK_STATE_DIR"), ClientID: os.Getenv("SANDBANK_CLIENT_ID"),
		ClientSecret: os.Getenv("SANDBANK_CLIENT_SECRET"), TokenURL: os.Getenv("SANDBANK_TOKEN_URL"),
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	adapter := conformance.ClientAdapter(&refclient.Client{Flaw: refclient.Flaw(os.Getenv("REFCLIENT_FLAW"))})
	out, err := adapter.Perform(ctx, env, conformance.Operation(os.Args[1]), input)
	switch {
	case errors.Is(err, conformance.ErrNotImplemented):
		os.Exit(conformance.ExitNotImplemented)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}
