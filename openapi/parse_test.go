package openapi

import (
	"context"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestParseDocumentMatchesLoader: the parallel parse builds the same
// document as kin-openapi's own loader, for both embedded documents.
func TestParseDocumentMatchesLoader(t *testing.T) {
	for name, data := range map[string][]byte{"sandbank.json": specJSON, "sandbank.lean.json": specLeanJSON} {
		want, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			t.Fatal(name, err)
		}
		got, err := parseDocument(data)
		if err != nil {
			t.Fatal(name, err)
		}
		wantJSON, _ := want.MarshalJSON()
		gotJSON, _ := got.MarshalJSON()
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: the parallel parse differs from LoadFromData", name)
		}
	}
}

// TestLeanDocumentIsTheContractWithoutExamples: the document the server
// runs on is the served one minus its examples — a valid OpenAPI document
// with the same operations, and no example left.
func TestLeanDocumentIsTheContractWithoutExamples(t *testing.T) {
	lean, full := MustLoad(), MustLoadWithExamples()
	if err := lean.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := func(d *Document) (out []string) {
		for _, op := range d.Operations() {
			out = append(out, op.Method+" "+op.Path+" "+op.ID)
		}
		return out
	}
	if !slices.Equal(ids(lean), ids(full)) {
		t.Fatalf("the lean document's operations differ:\n%v\n%v", ids(lean), ids(full))
	}
	examples := 0
	for _, op := range full.Operations() {
		if rb := op.Op.RequestBody; rb != nil && rb.Value.Content.Get("application/json") != nil && rb.Value.Content.Get("application/json").Example != nil {
			examples++
		}
		if rb := mustOp(t, lean, op.ID).Op.RequestBody; rb != nil {
			if m := rb.Value.Content.Get("application/json"); m != nil && (m.Example != nil || len(m.Examples) > 0) {
				t.Errorf("%s: the lean document kept a request example", op.ID)
			}
		}
	}
	if examples == 0 {
		t.Fatal("the full document has no request examples")
	}
	// A property named like a keyword is data, not an example: it stays.
	doc := map[string]any{"properties": map[string]any{"example": map[string]any{"type": "string", "example": "x"}}}
	stripExamples(doc, false)
	prop, ok := doc["properties"].(map[string]any)["example"].(map[string]any)
	if !ok || prop["example"] != nil || prop["type"] != "string" {
		t.Fatalf("stripExamples: %v", doc)
	}
}

func mustOp(t *testing.T, d *Document, id string) *Operation {
	t.Helper()
	op, ok := d.Operation(id)
	if !ok {
		t.Fatalf("no operation %s", id)
	}
	return op
}

// BenchmarkParseDocument: the start-up parse (lean, parallel) against
// kin-openapi's loader on the full document.
func BenchmarkParseDocument(b *testing.B) {
	b.Run("loader/full", func(b *testing.B) {
		for b.Loop() {
			if _, err := openapi3.NewLoader().LoadFromData(specJSON); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel/lean", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseDocument(specLeanJSON); err != nil {
				b.Fatal(err)
			}
		}
	})
}
