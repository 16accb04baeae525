package openapi

import (
	"bytes"
	"testing"
)

// The embedded JSON must be the YAML, converted: edit the YAML, then run
// `go generate ./openapi` (or `make generate`).
func TestGeneratedJSONIsInSync(t *testing.T) {
	want, err := GenerateJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, specJSON) {
		t.Fatal("openapi/sandbank.json is stale: run `make generate` after editing openapi/sandbank.yaml")
	}
}
