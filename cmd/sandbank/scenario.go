package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sandbank/sandbank/scenarios"
)

// scenarioFlag collects --scenario values: a file, a directory of *.yaml
// files, or the name of a library scenario. Repeatable; from the
// environment (SANDBANK_SCENARIO) a comma-separated list.
type scenarioFlag []string

func (f *scenarioFlag) String() string { return strings.Join(*f, ",") }

func (f *scenarioFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*f = append(*f, part)
		}
	}
	return nil
}

// loadScenarios resolves --scenario values into scenarios, reporting every
// problem of every file.
func loadScenarios(values []string) ([]*scenarios.Scenario, error) {
	var out []*scenarios.Scenario
	var problems []string
	names := map[string]string{}
	add := func(sc *scenarios.Scenario, from string) {
		if prev, dup := names[sc.Name]; dup {
			problems = append(problems, fmt.Sprintf("%s: scenario %q is also in %s", from, sc.Name, prev))
			return
		}
		names[sc.Name] = from
		out = append(out, sc)
	}
	for _, v := range values {
		files, err := scenarioFiles(v)
		if err != nil {
			if sc, ok := scenarios.LibraryScenario(v); ok {
				add(sc, "library")
				continue
			}
			problems = append(problems, fmt.Sprintf("--scenario %s: neither a file, a directory, nor a library scenario (sandbank scenario list)", v))
			continue
		}
		for _, f := range files {
			sc, err := scenarios.LoadFile(f)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			add(sc, f)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

// scenarioFiles expands a file or a directory into scenario files.
func scenarioFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	for _, pattern := range []string{"*.yaml", "*.yml", "*.json"} {
		m, _ := filepath.Glob(filepath.Join(path, pattern))
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no *.yaml, *.yml or *.json files", path)
	}
	return files, nil
}

// scenarioCmd is `sandbank scenario lint|list|show`.
func scenarioCmd(args []string, stdout, stderr io.Writer) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: sandbank scenario lint FILE...   check scenario files (exit 1 on any problem)")
		fmt.Fprintln(stderr, "       sandbank scenario list           list the built-in library")
		fmt.Fprintln(stderr, "       sandbank scenario show NAME      print a library scenario")
		fmt.Fprintln(stderr, "       sandbank scenario faults         list the fault types")
	}
	if len(args) == 0 {
		usage()
		return 2
	}
	switch args[0] {
	case "lint":
		fs := flag.NewFlagSet("scenario lint", flag.ContinueOnError)
		fs.SetOutput(stderr)
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, "sandbank scenario lint: name at least one file or directory")
			return 2
		}
		bad := 0
		for _, arg := range fs.Args() {
			files, err := scenarioFiles(arg)
			if err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", arg, err)
				bad++
				continue
			}
			for _, f := range files {
				sc, err := scenarios.LoadFile(f)
				if err != nil {
					fmt.Fprintln(stderr, err)
					bad++
					continue
				}
				rules := "rules"
				if len(sc.Rules) == 1 {
					rules = "rule"
				}
				fmt.Fprintf(stdout, "%s: ok (%s, %d %s)\n", f, sc.Name, len(sc.Rules), rules)
			}
		}
		if bad > 0 {
			return 1
		}
		return 0
	case "list":
		for _, sc := range scenarios.Library() {
			fmt.Fprintf(stdout, "%-22s %s\n", sc.Name, oneLine(sc.Description))
		}
		return 0
	case "show":
		if len(args) != 2 {
			usage()
			return 2
		}
		data, err := scenarios.LibrarySource(args[1])
		if err != nil {
			fmt.Fprintln(stderr, "sandbank scenario show:", err)
			return 1
		}
		_, _ = stdout.Write(data)
		return 0
	case "faults":
		for _, ft := range scenarios.FaultTypes() {
			fmt.Fprintf(stdout, "%-11s %-15s %s\n", ft.Name, "("+string(ft.DefaultPhase)+")", ft.Summary)
		}
		return 0
	}
	usage()
	return 2
}

func oneLine(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 110 {
		return string(r[:107]) + "..."
	}
	return string(r)
}
