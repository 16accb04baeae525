package simulator_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

// TestDocWalkthroughs runs the shell blocks of each area's page in docs/
// (from its walkthrough on, when it has one) with bash, curl and jq against
// a server started like `make run`, and checks that no command met a 5xx
// or a dead connection and that every id the page shows in an example
// answer is one the commands really produced: the pages cannot rot.
func TestDocWalkthroughs(t *testing.T) {
	needTools(t, "the docs' walkthroughs", "bash", "curl", "jq")
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
			blocks := shellBlocks(page)
			if len(blocks) == 0 {
				t.Fatalf("no shell blocks in %s", doc.file)
			}
			srv := simtest.Start(t, simulator.Config{Seed: 42})
			prelude := "set -euo pipefail\nexport SANDBANK=" + srv.URL + " KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc\n" +
				// Each curl reports its status on stderr, so that pipes into jq see only the body.
				"curl() { command curl -w '%{stderr}@@status %{http_code}\\n' \"$@\"; }\n"
			out, stderr := runShell(t, "the walkthrough", srv.URL, prelude, blocks)
			statuses := regexp.MustCompile(`@@status (\d{3})`).FindAllStringSubmatch(stderr, -1)
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
