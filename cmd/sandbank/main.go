// Command sandbank is the one CLI of sandbank: it serves the simulator,
// prints its contract and version, and checks a running server's health.
// Every flag can also be set as a SANDBANK_* environment variable (for
// --max-body-bytes, SANDBANK_MAX_BODY_BYTES); a flag on the command line
// wins over the environment.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// version and commit are set at build time with -ldflags "-X main.version=…".
var (
	version = "dev"
	commit  = ""
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "run the simulator", serve},
		{"scenario", "check scenario files, list the built-in library and the fault types", scenarioCmd},
		{"conformance", "grade a client integration: idempotency, retries, timeouts, webhooks", conformanceCmd},
		{"spec", "print the OpenAPI document", spec},
		{"version", "print the version", printVersion},
		{"healthcheck", "exit 0 when a running sandbank answers /healthz", healthcheck},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sandbank: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sandbank: a bank and payment-provider simulator, fault injector and client conformance judge.")
	fmt.Fprintln(w, "\nUsage: sandbank <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sandbank <command> -h' for a command's flags; each flag is also SANDBANK_<FLAG> in the environment.")
}

// parseFlags parses a command's flags, taking defaults from SANDBANK_*
// environment variables for flags not given on the command line.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "SANDBANK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, e)
			}
		}
	})
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return err
}

func versionString() string {
	v, c := version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
	}
	if len(c) > 12 {
		c = c[:12]
	}
	if c != "" {
		return v + " (" + c + ")"
	}
	return v
}

func printVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	fmt.Fprintln(stdout, "sandbank", versionString())
	return 0
}
