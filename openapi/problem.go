package openapi

import (
	"bytes"
	"encoding/json"
	"sort"
)

// ProblemContentType is the RFC 9457 media type of every sandbank error.
const ProblemContentType = "application/problem+json"

// ProblemTypeBase prefixes each problem's stable code to form its type URI.
const ProblemTypeBase = "https://sandbank.dev/problems/"

// Problem is an RFC 9457 problem details object with sandbank's extension
// members: a stable machine-readable Code, the RequestID, and for
// validation failures one Violation per offending field.
type Problem struct {
	Type      string
	Title     string
	Status    int
	Detail    string
	Instance  string
	Code      string
	RequestID string
	Errors    []Violation
	// Extra holds further extension members (for example OAuth's "error").
	Extra map[string]any
}

// Violation names one offending field and says what is wrong with it.
// Pointer is a JSON Pointer into the body; Parameter names a path, query or
// header parameter.
type Violation struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	In        string `json:"in,omitempty"`
	Detail    string `json:"detail"`
	Code      string `json:"code,omitempty"`
}

// MarshalJSON writes the standard members first, then the extensions.
func (p *Problem) MarshalJSON() ([]byte, error) {
	type std struct {
		Type      string      `json:"type"`
		Title     string      `json:"title"`
		Status    int         `json:"status"`
		Detail    string      `json:"detail,omitempty"`
		Instance  string      `json:"instance,omitempty"`
		Code      string      `json:"code"`
		RequestID string      `json:"request_id,omitempty"`
		Errors    []Violation `json:"errors,omitempty"`
	}
	typ := p.Type
	if typ == "" {
		typ = ProblemTypeBase + p.Code
	}
	base, err := json.Marshal(std{typ, p.Title, p.Status, p.Detail, p.Instance, p.Code, p.RequestID, p.Errors})
	if err != nil || len(p.Extra) == 0 {
		return base, err
	}
	// Append the extension members after the standard ones, sorted so the
	// body is stable. A standard member's name is never taken by an
	// extension, even when the standard member is omitted.
	names := make([]string, 0, len(p.Extra))
	for name := range p.Extra {
		if !standardMembers[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	buf := bytes.NewBuffer(base[:len(base)-1]) // base without its closing brace
	for _, name := range names {
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(p.Extra[name])
		if err != nil {
			return nil, err
		}
		buf.WriteByte(',')
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// standardMembers are the RFC 9457 members and sandbank's own; Extra cannot
// override them.
var standardMembers = map[string]bool{
	"type": true, "title": true, "status": true, "detail": true, "instance": true,
	"code": true, "request_id": true, "errors": true,
}

// Error makes a Problem usable as an error inside the server.
func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Code + ": " + p.Detail
	}
	return p.Code
}
