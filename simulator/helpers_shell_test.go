package simulator_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Helpers of the tests that run the shell blocks of the README and docs/
// (readme_test.go, docs_test.go) with bash and the real curl.

// needTools skips the test when a tool is missing, except in CI, where a
// missing tool fails it (.ci/run installs them). what names what is tested.
func needTools(t *testing.T, what string, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed to test %s (.ci/run installs it)", tool, what)
			}
			t.Skipf("%s is not installed, so %s cannot be tested here", tool, what)
		}
	}
}

var shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// shellBlocks returns the contents of the ```sh blocks of a markdown text.
func shellBlocks(markdown string) []string {
	var out []string
	for _, m := range shellBlock.FindAllStringSubmatch(markdown, -1) {
		out = append(out, m[1])
	}
	return out
}

// runShell runs prelude and then the blocks, as one bash script, against a
// server at url (the blocks' http://127.0.0.1:8080 becomes url), within
// 60 s; it fails the test if the script fails, and returns its output.
func runShell(t *testing.T, what, url, prelude string, blocks []string) (stdout, stderr string) {
	t.Helper()
	var script strings.Builder
	script.WriteString(prelude)
	for _, b := range blocks {
		script.WriteString(strings.ReplaceAll(b, "http://127.0.0.1:8080", url))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s failed: %v\nstderr: %s\nstdout: %s", what, err, errOut.String(), out.String())
	}
	return out.String(), errOut.String()
}
