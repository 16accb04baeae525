// Package openapi is sandbank's contract: the OpenAPI 3.0.3 document every
// request and response is held to, embedded in the binary and loaded once,
// an index of its operations (method, path template, required scopes, whether
// it moves money), and a validator built on kin-openapi that turns every
// violation into an RFC 9457 problem naming the offending field. It knows
// nothing of tenants, handlers or faults; the simulator drives it.
package openapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:generate go run ./internal/gen

// The contract is written as parts in src/*.yaml; `go generate` merges them
// into sandbank.yaml (served at /openapi.yaml), sandbank.json (served at
// /openapi.json) and sandbank.lean.json, the JSON without its examples,
// which start-up parses (JSON is faster to parse than YAML, and validation
// needs no examples). A test fails if the generated files drift from the
// parts.
var (
	//go:embed sandbank.yaml
	specYAML []byte
	//go:embed sandbank.json
	specJSON []byte
	//go:embed sandbank.lean.json
	specLeanJSON []byte
)

// Document is the loaded contract and an index of its operations.
type Document struct {
	T          *openapi3.T
	yaml       []byte
	json       []byte
	operations map[string]*Operation
	ordered    []*Operation
	paths      []string
}

// Operation is one method on one path template of the document, with the
// facts the request pipeline needs about it precomputed.
type Operation struct {
	ID     string
	Method string
	// Path is the template, for example /v1/transfers/{id}.
	Path string
	Op   *openapi3.Operation
	Item *openapi3.PathItem
	// Public operations need no credentials (health, the document, token issuance).
	Public bool
	// Scopes are the OAuth scopes a token needs; an API key has them all.
	Scopes []string
	// MoneyMovement marks operations that move money: the idempotency
	// setting "required" applies to them (x-sandbank-money-movement).
	MoneyMovement bool
	// BodyContentTypes lists the media types the request body may have; empty
	// when the operation takes no body.
	BodyContentTypes []string
	BodyRequired     bool
	Tags             []string
	// OAuthErrors marks operations whose errors must also carry RFC 6749's
	// "error" member (x-sandbank-error-style: oauth), such as the token endpoint.
	OAuthErrors bool
}

var (
	loadOnce             = sync.OnceValues(func() (*Document, error) { return load(specLeanJSON) })
	loadWithExamplesOnce = sync.OnceValues(func() (*Document, error) { return load(specJSON) })
)

// Load returns the embedded document, parsed once per process, without
// its examples (the served documents keep them): everything the server
// needs, in two thirds of the start-up time.
func Load() (*Document, error) { return loadOnce() }

// LoadWithExamples is Load with the examples of every schema, parameter
// and media type, for the tests and tools that read them.
func LoadWithExamples() (*Document, error) { return loadWithExamplesOnce() }

// MustLoadWithExamples is LoadWithExamples for callers that cannot
// proceed without the contract.
func MustLoadWithExamples() *Document {
	d, err := LoadWithExamples()
	if err != nil {
		panic(err)
	}
	return d
}

// MustLoad is Load for callers that cannot proceed without the contract.
func MustLoad() *Document {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

func load(data []byte) (*Document, error) {
	// Loading allocates about 12 MB of short-lived garbage in a still small
	// heap; not collecting during it at all shortens start-up noticeably.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	t, err := parseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse sandbank.json: %w", err)
	}
	d := &Document{T: t, yaml: specYAML, json: specJSON, operations: map[string]*Operation{}}
	for _, path := range t.Paths.InMatchingOrder() {
		item := t.Paths.Value(path)
		d.paths = append(d.paths, path)
		for method, op := range item.Operations() {
			o, err := newOperation(t, path, method, item, op)
			if err != nil {
				return nil, err
			}
			if _, dup := d.operations[o.ID]; dup {
				return nil, fmt.Errorf("openapi: duplicate operationId %q", o.ID)
			}
			d.operations[o.ID] = o
			d.ordered = append(d.ordered, o)
		}
	}
	sort.Slice(d.ordered, func(i, j int) bool {
		if d.ordered[i].Path != d.ordered[j].Path {
			return d.ordered[i].Path < d.ordered[j].Path
		}
		return d.ordered[i].Method < d.ordered[j].Method
	})
	sort.Strings(d.paths)
	return d, nil
}

func newOperation(t *openapi3.T, path, method string, item *openapi3.PathItem, op *openapi3.Operation) (*Operation, error) {
	if op.OperationID == "" {
		return nil, fmt.Errorf("openapi: %s %s has no operationId", method, path)
	}
	o := &Operation{ID: op.OperationID, Method: method, Path: path, Op: op, Item: item, Tags: op.Tags}
	security := t.Security
	if op.Security != nil {
		security = *op.Security
	}
	if len(security) == 0 {
		o.Public = true
	}
	for _, req := range security {
		for _, scopes := range req {
			o.Scopes = append(o.Scopes, scopes...)
		}
	}
	if v, ok := op.Extensions["x-sandbank-money-movement"].(bool); ok {
		o.MoneyMovement = v
	}
	if v, ok := op.Extensions["x-sandbank-error-style"].(string); ok {
		o.OAuthErrors = v == "oauth"
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		o.BodyRequired = rb.Value.Required
		for ct := range rb.Value.Content {
			o.BodyContentTypes = append(o.BodyContentTypes, ct)
		}
		sort.Strings(o.BodyContentTypes)
	}
	return o, nil
}

// YAML is the merged document (served at /openapi.yaml).
func (d *Document) YAML() []byte { return d.yaml }

// JSON is the document as JSON (served at /openapi.json).
func (d *Document) JSON() []byte { return d.json }

// Operation looks an operation up by its operationId.
func (d *Document) Operation(id string) (*Operation, bool) {
	o, ok := d.operations[id]
	return o, ok
}

// Operations lists every operation, ordered by path then method.
func (d *Document) Operations() []*Operation { return slices.Clone(d.ordered) }

// Paths lists every path template.
func (d *Document) Paths() []string { return slices.Clone(d.paths) }

// MethodsFor lists the methods a path template supports, for an Allow header.
func (d *Document) MethodsFor(path string) []string {
	var methods []string
	for _, o := range d.ordered {
		if o.Path == path {
			methods = append(methods, o.Method)
		}
	}
	sort.Strings(methods)
	return methods
}

// Validate checks the document itself against the OpenAPI 3.0 rules.
// It is slow-ish and run by tests, not at start-up.
func (d *Document) Validate(ctx context.Context) error {
	return d.T.Validate(ctx, openapi3.DisableExamplesValidation())
}

// AcceptsContentType reports whether the operation takes a body of the given
// Content-Type header value (parameters such as charset are ignored).
func (o *Operation) AcceptsContentType(header string) (string, bool) {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(header, ";", 2)[0]))
	for _, ct := range o.BodyContentTypes {
		if ct == mt {
			return ct, true
		}
	}
	return mt, false
}

// HasParameter reports whether the operation declares a parameter.
func (o *Operation) HasParameter(in, name string) bool {
	for _, p := range o.parameters() {
		if p.In == in && p.Name == name {
			return true
		}
	}
	return false
}

func (o *Operation) parameters() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, ref := range o.Item.Parameters {
		out = append(out, ref.Value)
	}
	for _, ref := range o.Op.Parameters {
		out = append(out, ref.Value)
	}
	return out
}

// ResponseContent returns the schema declared for a status and media type,
// falling back to the "default" response.
func (o *Operation) ResponseContent(status int) (*openapi3.Response, bool) {
	if o.Op.Responses == nil {
		return nil, false
	}
	if r := o.Op.Responses.Status(status); r != nil && r.Value != nil {
		return r.Value, true
	}
	if r := o.Op.Responses.Default(); r != nil && r.Value != nil {
		return r.Value, true
	}
	return nil, false
}

// StatusText is http.StatusText with a fallback for unusual codes.
func StatusText(code int) string {
	if s := http.StatusText(code); s != "" {
		return s
	}
	return fmt.Sprintf("Status %d", code)
}
