// Package simtest runs a sandbank simulator in-process for tests: a real
// HTTP server on 127.0.0.1 (random port) and a client that speaks to it and
// fails the test whenever a response breaks the OpenAPI contract. Every
// HTTP test of sandbank goes through it, so every response they see is
// validated.
package simtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
)

// Server is a running simulator.
type Server struct {
	*httptest.Server
	Sim *simulator.Server
	t   testing.TB
}

// Start runs a simulator with cfg until the test ends.
func Start(t testing.TB, cfg simulator.Config) *Server {
	t.Helper()
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	ts := httptest.NewUnstartedServer(sim)
	ts.Config.ConnContext = sim.ConnContext
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		sim.Close()
	})
	return &Server{Server: ts, Sim: sim, t: t}
}

var keySeq atomic.Uint64

// NewKey returns a fresh, well-formed test key (a new tenant).
func NewKey(label string) string {
	clean := strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, label)
	return fmt.Sprintf("sk_test_%s%016d", clean, keySeq.Add(1))
}

// Client is an HTTP client for one API key.
type Client struct {
	t      testing.TB
	srv    *Server
	Key    string
	Header http.Header // sent with every request (Authorization is set from Key)
	HTTP   *http.Client
}

// Client returns a client authenticated with key ("" for none).
func (s *Server) Client(key string) *Client {
	return &Client{t: s.t, srv: s, Key: key, Header: http.Header{}, HTTP: s.Server.Client()}
}

// Response is a received response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return map[string]any{"_raw": string(r.Body)}
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// String is the body.
func (r *Response) String() string { return string(r.Body) }

// Do sends a request. body may be nil, a string or []byte (sent as is), or
// any other value (sent as JSON). headers are name, value pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Send(c.Request(method, path, body, headers...))
}

// Send sends a prepared request and validates the response.
func (c *Client) Send(req *http.Request) *Response {
	c.t.Helper()
	r, err := c.Try(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return r
}

// Try sends a prepared request and returns the transport error instead of
// failing the test: faults (resets, hangs, truncated bodies) are meant to
// produce them. A response that did arrive whole is validated.
func (c *Client) Try(req *http.Request) (*Response, error) {
	c.t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if err != nil {
		return r, err
	}
	if vs := c.srv.Violations(req.Method, req.URL.Path, r); len(vs) > 0 {
		c.t.Errorf("%s %s → %d violates the contract: %+v\nbody: %s", req.Method, req.URL.Path, r.Status, vs, body)
	}
	return r, nil
}

// Request builds a request like Do does (body as Do takes it), to Try.
func (c *Client) Request(method, path string, body any, headers ...string) *http.Request {
	c.t.Helper()
	var reader io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		reader, contentType = strings.NewReader(b), "application/json"
	case []byte:
		reader, contentType = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
		reader, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, c.srv.URL+path, reader)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return req
}

// WaitJournal polls the journal until done accepts it (a request a fault
// held finishes its entry after the client has given up), for at most
// 10 s.
func (c *Client) WaitJournal(done func([]map[string]any) bool) []map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries := c.Journal()
		if done(entries) {
			return entries
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the journal never reached the expected state: %v", entries)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Violations checks a response against the contract: the operation's
// declared responses, or for unknown routes the Problem schema.
func (s *Server) Violations(method, path string, r *Response) []openapi.Violation {
	v := s.Sim.Validator()
	op, ok := s.Sim.OperationFor(method, path)
	if ok {
		return v.ValidateResponse(op, r.Status, r.Header, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != openapi.ProblemContentType {
		return []openapi.Violation{{Detail: fmt.Sprintf("an unknown route answered %s, not problem+json", ct)}}
	}
	schema := v.Document().T.Components.Schemas["Problem"].Value
	var val any
	if err := json.Unmarshal(r.Body, &val); err != nil {
		return []openapi.Violation{{Detail: "problem body is not JSON"}}
	}
	return v.ValidateExample(schema, val, false)
}

// Get, Post and Patch are shorthands for Do.
func (c *Client) Get(path string, headers ...string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, headers...)
}

func (c *Client) Post(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Do(http.MethodPost, path, body, headers...)
}

func (c *Client) Patch(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Do(http.MethodPatch, path, body, headers...)
}

// Expect fails the test unless the response has the status.
func (r *Response) Expect(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// Problem is an RFC 9457 problem as sandbank renders it.
type Problem struct {
	Type      string      `json:"type"`
	Title     string      `json:"title"`
	Status    int         `json:"status"`
	Detail    string      `json:"detail"`
	Instance  string      `json:"instance"`
	Code      string      `json:"code"`
	RequestID string      `json:"request_id"`
	Errors    []Violation `json:"errors"`
	// OAuth errors (RFC 6749 §5.2) also carry these.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Violation is one offending field of a problem.
type Violation struct {
	Pointer   string `json:"pointer"`
	Parameter string `json:"parameter"`
	In        string `json:"in"`
	Detail    string `json:"detail"`
}

// Field names the violation: the JSON Pointer of a body field, or
// "in:name" for a parameter (query:limit, header:Idempotency-Key).
func (v Violation) Field() string {
	if v.Parameter != "" {
		return v.In + ":" + v.Parameter
	}
	return v.Pointer
}

// Fields lists the fields the problem names, in order.
func (p Problem) Fields() []string {
	out := make([]string, 0, len(p.Errors))
	for _, v := range p.Errors {
		out = append(out, v.Field())
	}
	return out
}

// Find returns the violation of a field: a pointer, "in:name", or a bare
// parameter name.
func (p Problem) Find(field string) (Violation, bool) {
	for _, v := range p.Errors {
		if v.Field() == field || (v.Parameter != "" && v.Parameter == field) {
			return v, true
		}
	}
	return Violation{}, false
}

// Problem fails the test unless the response is a complete problem with
// the status and code — media type, type URI, title, instance, status
// member, and a request_id equal to the Request-Id header — and returns it.
func (r *Response) Problem(t testing.TB, status int, code string) Problem {
	t.Helper()
	r.Expect(t, status)
	if ct := r.Header.Get("Content-Type"); ct != openapi.ProblemContentType {
		t.Fatalf("Content-Type %q, want %s; body: %s", ct, openapi.ProblemContentType, r.Body)
	}
	var p Problem
	r.Decode(t, &p)
	if p.Code != code {
		t.Fatalf("problem code %q, want %q; body: %s", p.Code, code, r.Body)
	}
	if p.Status != status {
		t.Errorf("problem status member %d, want %d", p.Status, status)
	}
	if p.Type != openapi.ProblemTypeBase+code {
		t.Errorf("problem type %q, want %q", p.Type, openapi.ProblemTypeBase+code)
	}
	if p.Title == "" || p.Instance == "" {
		t.Errorf("problem without title or instance: %s", r.Body)
	}
	// A replayed problem is the stored one: it names the original request.
	id := r.Header.Get("Request-Id")
	if r.Header.Get("Idempotent-Replayed") == "true" {
		id = r.Header.Get("Original-Request")
	}
	if p.RequestID == "" || p.RequestID != id {
		t.Errorf("problem request_id %q, want %q (Request-Id %q, Original-Request %q)", p.RequestID, id, r.Header.Get("Request-Id"), r.Header.Get("Original-Request"))
	}
	return p
}

// ExpectProblem is Problem returning only the fields it names.
func (r *Response) ExpectProblem(t testing.TB, status int, code string) []string {
	t.Helper()
	return r.Problem(t, status, code).Fields()
}

// Journal returns the tenant's whole journal through the admin API.
func (c *Client) Journal() []map[string]any {
	c.t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		path := "/_sandbank/journal?limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page struct {
			Data       []map[string]any `json:"data"`
			HasMore    bool             `json:"has_more"`
			NextCursor string           `json:"next_cursor"`
		}
		c.Get(path).Expect(c.t, http.StatusOK).Decode(c.t, &page)
		out = append(out, page.Data...)
		if !page.HasMore {
			return out
		}
		cursor = page.NextCursor
	}
}
