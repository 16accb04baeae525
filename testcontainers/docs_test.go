package sandbank_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's testcontainers example is readme_example_test.go from its
// import block on, so the example in the README compiles and runs.
func TestReadmeShowsTheExample(t *testing.T) {
	src, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	example := string(src[strings.Index(string(src), "import ("):])
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		if strings.Contains(block[1], example) {
			return
		}
	}
	t.Fatalf("no ```go block of README.md holds readme_example_test.go from its import block on:\n%s", example)
}
