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

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// TestDocWalkthroughs runs the shell blocks of each area's page in docs/
// (from its walkthrough on, when it has one) with bash, curl and jq against
// a server started like `make run`, and checks that no command met a 5xx
// or a dead connection and that every id the page shows in an example
// answer is one the commands really produced: the pages cannot rot.
func TestDocWalkthroughs(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed to test the docs' walkthroughs (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed; the docs' walkthroughs are not tested here", tool)
		}
	}
	for _, doc := range []struct {
		file, from string
		realIDs    bool // the page's example answers come from these very commands
	}{
		{"payments.md", "## Walkthrough with curl", true},
		{"boletos.md", "## Walkthrough with curl", true},
		{"pix.md", "", false},
		{"webhooks.md", "", false},
	} {
		t.Run(doc.file, func(t *testing.T) {
			raw, err := os.ReadFile("../docs/" + doc.file)
			if err != nil {
				t.Fatal(err)
			}
			page := string(raw)
			if doc.from != "" {
				i := strings.Index(page, doc.from)
				if i < 0 {
					t.Fatalf("no %q in %s", doc.from, doc.file)
				}
				page = page[i:]
			}
			blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(page, -1)
			if len(blocks) == 0 {
				t.Fatalf("no shell blocks in %s", doc.file)
			}
			srv := simtest.Start(t, simulator.Config{Seed: 42})
			var script strings.Builder
			script.WriteString("set -euo pipefail\nexport SANDBANK=" + srv.URL + " KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc\n")
			// Each curl reports its status on stderr, so that pipes into jq see only the body.
			script.WriteString("curl() { command curl -w '%{stderr}@@status %{http_code}\\n' \"$@\"; }\n")
			for _, b := range blocks {
				script.WriteString(strings.ReplaceAll(b[1], "http://127.0.0.1:8080", srv.URL))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("the walkthrough failed: %v\nstderr: %s\nstdout: %s", err, stderr.String(), stdout.String())
			}
			out := stdout.String()
			statuses := regexp.MustCompile(`@@status (\d{3})`).FindAllStringSubmatch(stderr.String(), -1)
			if len(statuses) == 0 {
				t.Fatal("no curl ran")
			}
			for i, s := range statuses {
				if s[1] == "000" || s[1] >= "500" {
					t.Errorf("request %d answered %s:\n%s", i+1, s[1], out)
				}
			}
			if !doc.realIDs {
				return
			}
			// Ids in the page's example answers (not in the commands).
			answers := regexp.MustCompile("(?s)```(?:json|text|csv)\n(.*?)```").FindAllStringSubmatch(page, -1)
			for _, a := range answers {
				for _, id := range regexp.MustCompile(`\b[a-z]{2,4}_[0-9A-Za-z]{16}\b`).FindAllString(a[1], -1) {
					if !strings.Contains(out, id) {
						t.Errorf("%s shows %s, which the walkthrough's commands did not produce", doc.file, id)
					}
				}
			}
		})
	}
}
