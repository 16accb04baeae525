package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sandbank/sandbank/openapi"
)

// Cursors are opaque to clients: base64url("<kind>:<sequence>"). The kind
// stops a cursor of one list from being used on another.
func encodeCursor(kind string, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatUint(seq, 10)))
}

func decodeCursor(kind, cursor string) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	k, n, ok := strings.Cut(string(raw), ":")
	if !ok || k != kind {
		return 0, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	return seq, err == nil && seq > 0
}

// page reads limit and cursor for a list of the given kind.
func (c *call) page(kind string) (before uint64, limit int, resp *response) {
	q := c.queryValues()
	limit = 20
	if l := q.Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l) // validated by the contract (1..100)
	}
	if cur := q.Get("cursor"); cur != "" {
		seq, ok := decodeCursor(kind, cur)
		if !ok {
			return 0, 0, c.problem("invalid_cursor", "use the next_cursor of a previous page of this same list",
				openapi.Violation{Parameter: "cursor", In: "query", Detail: "is not a cursor of this list"})
		}
		before = seq
	}
	return before, limit, nil
}

// decode reads the validated JSON body into a request struct.
func (c *call) decode(v any) *response {
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return c.problem(openapi.CodeValidationFailed, "the body does not fit this operation: "+err.Error())
	}
	return nil
}

// decodeOptional decodes the body of an operation whose body is optional,
// when one was sent.
func (c *call) decodeOptional(v any) *response {
	if len(bytes.TrimSpace(c.body)) == 0 { // the contract lets an optional body be blank
		return nil
	}
	return c.decode(v)
}

// queryValues is the request's query, parsed on first use: the fault
// step and the handler read it several times.
func (c *call) queryValues() url.Values {
	if c.q == nil {
		c.q = c.r.URL.Query()
	}
	return c.q
}

// query returns a query parameter.
func (c *call) query(name string) string { return c.queryValues().Get(name) }

// queryTime parses a date-or-date-time filter (already validated).
func (c *call) queryTime(name string) time.Time {
	v := c.query(name)
	if v == "" {
		return time.Time{}
	}
	t, _ := openapi.ParseDateOrDateTime(v)
	return t
}

// created renders a 201 with the resource's Location.
func (c *call) created(location string, v any) *response {
	resp := c.json(http.StatusCreated, v)
	resp.header.Set("Location", location)
	return resp
}
