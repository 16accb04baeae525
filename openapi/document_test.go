package openapi

import "testing"

// The served files must be the parts, merged: edit openapi/src/*.yaml, then
// run `go generate ./openapi` (or `make generate`).
func TestGeneratedDocumentIsInSync(t *testing.T) {
	if err := upToDate("."); err != nil {
		t.Fatal(err)
	}
}
