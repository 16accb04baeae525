package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Validator checks requests and responses against the document. Formats are
// injected so that the contract does not depend on the domain's check-digit
// code; CurrencyExponent lets amount errors explain minor units precisely.
type Validator struct {
	doc              *Document
	formats          map[string]openapi3.StringFormatValidator
	currencyExponent func(code string) (int, bool)
	requestOpts      []openapi3.SchemaValidationOption
	responseOpts     []openapi3.SchemaValidationOption
	paramOpts        *openapi3filter.Options
}

// ValidatorOption configures a Validator.
type ValidatorOption func(*Validator)

// WithFormat registers a string format validator (for example "iban").
func WithFormat(name string, check func(string) error) ValidatorOption {
	return func(v *Validator) { v.formats[name] = openapi3.NewCallbackValidator(check) }
}

// WithCurrencyExponent lets amount errors say how many decimals a currency has.
func WithCurrencyExponent(f func(code string) (int, bool)) ValidatorOption {
	return func(v *Validator) { v.currencyExponent = f }
}

// NewValidator builds a validator for the document. Generic formats (email,
// uuid, date-or-date-time) are built in; domain formats come as options.
func NewValidator(doc *Document, opts ...ValidatorOption) *Validator {
	v := &Validator{doc: doc, formats: map[string]openapi3.StringFormatValidator{}}
	v.formats["email"] = openapi3.NewCallbackValidator(checkEmail)
	v.formats["uuid"] = openapi3.NewCallbackValidator(checkUUID)
	v.formats["date-or-date-time"] = openapi3.NewCallbackValidator(func(s string) error {
		_, err := ParseDateOrDateTime(s)
		return err
	})
	for _, o := range opts {
		o(v)
	}
	common := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.WithStringFormatValidators(v.formats)}
	v.requestOpts = append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}, common...)
	v.responseOpts = append([]openapi3.SchemaValidationOption{openapi3.VisitAsResponse()}, common...)
	v.paramOpts = &openapi3filter.Options{
		MultiError:              true,
		SkipSettingDefaults:     true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
		SchemaValidationOptions: common,
	}
	return v
}

// Document returns the document the validator checks against.
func (v *Validator) Document() *Document { return v.doc }

// RequestInput is what ValidateRequest needs of a request: the raw body has
// already been read (and size-limited) by the caller.
type RequestInput struct {
	Request    *http.Request
	PathParams map[string]string
	Body       []byte
}

// ValidatedRequest is the outcome of a successful validation: the decoded
// body (json.Number for numbers) for handlers that want it.
type ValidatedRequest struct {
	Body any
	// Form holds a form-encoded body's fields.
	Form url.Values
}

// Failure codes of request validation (also the Problem codes).
const (
	CodeValidationFailed     = "validation_failed"
	CodeMalformedJSON        = "malformed_json"
	CodeUnsupportedMediaType = "unsupported_media_type"
)

// RequestError is a request that does not match the contract: Code is one
// of the Code* constants, Status its HTTP status.
type RequestError struct {
	Status     int
	Code       string
	Detail     string
	Violations []Violation
}

func (e *RequestError) Error() string { return e.Code + ": " + e.Detail }

// ValidateRequest checks the parameters and body of a request for an
// operation. It returns every violation it finds, not only the first.
func (v *Validator) ValidateRequest(ctx context.Context, op *Operation, in RequestInput) (*ValidatedRequest, *RequestError) {
	var violations []Violation
	// A pair that cannot be decoded ("limit=%zz", "a=1;b=2") is an error;
	// URL.Query would drop it silently and return a default page.
	query, qerr := url.ParseQuery(in.Request.URL.RawQuery)
	if qerr != nil {
		for _, pair := range strings.Split(in.Request.URL.RawQuery, "&") {
			if _, err := url.ParseQuery(pair); err != nil {
				name, _, _ := strings.Cut(pair, "=")
				violations = append(violations, Violation{Parameter: name, In: "query", Detail: fmt.Sprintf("cannot be decoded (%v): percent-encode the query string", err)})
			}
		}
	}

	// Unknown query parameters are errors: a typo such as "limt" must not
	// silently return a default page. So is a repeated one that takes a
	// single value ("status=ACSP&status=RJCT" would silently mean ACSP).
	var unknown []string
	for name := range query {
		if !op.HasParameter("query", name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		violations = append(violations, Violation{Parameter: name, In: "query", Detail: fmt.Sprintf("unknown query parameter %q", name)})
	}
	for _, p := range op.parameters() {
		if n := len(query[p.Name]); p.In == "query" && n > 1 && (p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is("array")) {
			violations = append(violations, Violation{Parameter: p.Name, In: "query", Detail: fmt.Sprintf("appears %d times; it takes one value", n)})
		}
	}

	input := &openapi3filter.RequestValidationInput{
		Request:     in.Request,
		PathParams:  in.PathParams,
		QueryParams: query,
		Route:       &routers.Route{Spec: v.doc.T, Path: op.Path, PathItem: op.Item, Method: op.Method, Operation: op.Op},
		Options:     v.paramOpts,
	}
	for _, p := range op.parameters() {
		if err := openapi3filter.ValidateParameter(ctx, input, p); err != nil {
			violations = append(violations, parameterViolations(p, err)...)
		}
	}

	out := &ValidatedRequest{}
	body := bytes.TrimSpace(in.Body)
	switch {
	case len(op.BodyContentTypes) == 0:
		// Tolerate the "{}" many clients send with every POST.
		if len(body) > 0 && !bytes.Equal(body, []byte("{}")) {
			violations = append(violations, Violation{Pointer: "", In: "body", Detail: "this operation takes no request body"})
		}
	case len(body) == 0:
		if op.BodyRequired {
			violations = append(violations, Violation{Pointer: "", In: "body", Detail: "a request body is required (" + strings.Join(op.BodyContentTypes, " or ") + ")"})
		}
	default:
		mt, ok := op.AcceptsContentType(in.Request.Header.Get("Content-Type"))
		if !ok {
			got := mt
			if got == "" {
				got = "no Content-Type"
			}
			return nil, &RequestError{
				Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMediaType,
				Detail: fmt.Sprintf("this operation accepts %s, got %s", strings.Join(op.BodyContentTypes, " or "), got),
			}
		}
		media := op.Op.RequestBody.Value.Content.Get(mt)
		var value any
		switch mt {
		case "application/json":
			// Decode the body as sent, so that line and column match the client's bytes.
			val, err := DecodeJSON(in.Body)
			if err != nil {
				return nil, &RequestError{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: err.Error()}
			}
			value = val
		case "application/x-www-form-urlencoded":
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, &RequestError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Detail: "the form body cannot be parsed: " + err.Error()}
			}
			out.Form = form
			fields := map[string]any{}
			for k, vals := range form {
				fields[k] = vals[0]
				if len(vals) > 1 {
					violations = append(violations, Violation{Pointer: "/" + escapePointer(k), In: "body", Detail: fmt.Sprintf("field %q appears %d times", k, len(vals))})
				}
			}
			value = fields
		default:
			value = string(body)
		}
		out.Body = value
		if media != nil && media.Schema != nil && media.Schema.Value != nil {
			schema := media.Schema.Value
			if err := schema.VisitJSON(value, v.requestOpts...); err != nil {
				violations = append(violations, v.schemaViolations(err, value)...)
			}
			violations = append(violations, v.checkMinorUnits(schema, value, "")...)
		}
	}
	if len(violations) > 0 {
		violations = dedupe(violations)
		detail := "1 problem in the request"
		if len(violations) > 1 {
			detail = fmt.Sprintf("%d problems in the request", len(violations))
		}
		return nil, &RequestError{Status: http.StatusBadRequest, Code: CodeValidationFailed, Detail: detail, Violations: violations}
	}
	return out, nil
}

// ValidateResponse checks a response against the operation's declared
// responses: the status must be declared (or covered by "default"), the
// media type must match, and a JSON body must match its schema.
func (v *Validator) ValidateResponse(op *Operation, status int, header http.Header, body []byte) []Violation {
	resp, ok := op.ResponseContent(status)
	if !ok {
		return []Violation{{Detail: fmt.Sprintf("status %d is not declared for %s", status, op.ID)}}
	}
	if len(resp.Content) == 0 {
		if len(body) > 0 {
			return []Violation{{Detail: fmt.Sprintf("status %d of %s declares no body, got %d bytes", status, op.ID, len(body))}}
		}
		return nil
	}
	ct := header.Get("Content-Type")
	media := resp.Content.Get(ct)
	if media == nil {
		return []Violation{{Detail: fmt.Sprintf("Content-Type %q is not declared for status %d of %s", ct, status, op.ID)}}
	}
	if media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	mt := strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}
	value, err := DecodeJSON(body)
	if err != nil {
		return []Violation{{Detail: "the response body is not JSON: " + err.Error()}}
	}
	if err := media.Schema.Value.VisitJSON(value, v.responseOpts...); err != nil {
		return v.schemaViolations(err, value)
	}
	return nil
}

// ValidateExample checks an example value against a schema, as a request
// (asRequest) or a response.
func (v *Validator) ValidateExample(schema *openapi3.Schema, example any, asRequest bool) []Violation {
	// Round-trip through JSON so numbers become json.Number as on the wire.
	raw, err := json.Marshal(example)
	if err != nil {
		return []Violation{{Detail: "example cannot be encoded: " + err.Error()}}
	}
	value, err := DecodeJSON(raw)
	if err != nil {
		return []Violation{{Detail: err.Error()}}
	}
	opts := v.responseOpts
	if asRequest {
		opts = v.requestOpts
	}
	if err := schema.VisitJSON(value, opts...); err != nil {
		return v.schemaViolations(err, value)
	}
	if asRequest {
		return v.checkMinorUnits(schema, value, "")
	}
	return nil
}

// DecodeJSON decodes one JSON value with numbers kept as json.Number, and
// describes syntax errors by line and column.
func DecodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return nil, describeJSONError(body, err)
	}
	// Only whitespace may follow the value; point at the first byte that is not.
	end := dec.InputOffset()
	rest := body[end:]
	if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
		line, col := lineCol(body, end+int64(len(rest)-len(trimmed)))
		return nil, fmt.Errorf("unexpected data after the JSON value at line %d, column %d", line, col)
	}
	return value, nil
}

func describeJSONError(body []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the offending byte too; name that byte's position.
		line, col := lineCol(body, max(syn.Offset-1, 0))
		return fmt.Errorf("the body is not valid JSON: %s at line %d, column %d", syn.Error(), line, col)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("the body is not valid JSON: it ends unexpectedly after %d bytes", len(body))
	}
	return fmt.Errorf("the body is not valid JSON: %v", err)
}

// lineCol gives the 1-based line and column (in characters, not bytes) of
// the byte at offset.
func lineCol(body []byte, offset int64) (int, int) {
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	line, col := 1, 1
	for _, b := range body[:offset] {
		switch {
		case b == '\n':
			line++
			col = 1
		case b&0xC0 != 0x80: // not a UTF-8 continuation byte
			col++
		}
	}
	return line, col
}

var propertyReason = regexp.MustCompile(`^property "(.*)" is (missing|unsupported)$`)

// schemaViolations flattens kin-openapi's nested errors into one violation
// per offending field, with a JSON Pointer and a readable detail.
func (v *Validator) schemaViolations(err error, root any) []Violation {
	var out []Violation
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) && isMulti(err) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			// An allOf failure wraps the real ones, which carry full pointers.
			var inner openapi3.MultiError
			if se.SchemaField == "allOf" && se.Origin != nil && errors.As(se.Origin, &inner) && len(inner) > 0 {
				walk(inner)
				return
			}
			out = append(out, v.schemaViolation(se, root))
			return
		}
		out = append(out, Violation{In: "body", Detail: err.Error()})
	}
	walk(err)
	return out
}

func isMulti(err error) bool {
	_, ok := err.(openapi3.MultiError)
	return ok
}

func (v *Validator) schemaViolation(se *openapi3.SchemaError, root any) Violation {
	path := se.JSONPointer()
	detail := se.Reason
	if m := propertyReason.FindStringSubmatch(se.Reason); m != nil {
		// kin-openapi puts a missing property in the path, but not an unknown one.
		if len(path) == 0 || path[len(path)-1] != m[1] {
			path = append(path, m[1])
		}
		if m[2] == "missing" {
			detail = "is required"
		} else {
			detail = "is not a known field"
		}
	}
	// oneOf/anyOf failures carry the interesting errors inside their origin.
	if se.Origin != nil && detail == "" {
		detail = se.Origin.Error()
	}
	if detail == "" {
		detail = fmt.Sprintf("does not match the schema (%s)", se.SchemaField)
	}
	if se.SchemaField == "type" && isMoney(se.Schema) {
		detail = v.minorUnitsDetail(root, path)
	}
	return Violation{Pointer: pointer(path), In: "body", Detail: detail}
}

func isMoney(s *openapi3.Schema) bool {
	if s == nil {
		return false
	}
	b, _ := s.Extensions["x-sandbank-money"].(bool)
	return b
}

// checkMinorUnits finds amounts written with a fraction or exponent
// ("10.50", "1.05e3", even "1050.0"): amounts are integer minor units, and
// kin-openapi accepts integral floats such as 1050.0.
func (v *Validator) checkMinorUnits(schema *openapi3.Schema, value any, at string) []Violation {
	var out []Violation
	var walk func(s *openapi3.Schema, val any, path []string)
	walk = func(s *openapi3.Schema, val any, path []string) {
		if s == nil {
			return
		}
		for _, sub := range s.AllOf {
			walk(sub.Value, val, path)
		}
		switch x := val.(type) {
		case json.Number:
			if isMoney(s) && strings.ContainsAny(string(x), ".eE") {
				out = append(out, Violation{Pointer: pointer(path), In: "body", Detail: v.minorUnitsDetail(value, path)})
			}
		case map[string]any:
			for name, prop := range s.Properties {
				if child, ok := x[name]; ok && prop.Value != nil {
					walk(prop.Value, child, append(path[:len(path):len(path)], name))
				}
			}
		case []any:
			if s.Items != nil {
				for i, item := range x {
					walk(s.Items.Value, item, append(path[:len(path):len(path)], strconv.Itoa(i)))
				}
			}
		}
	}
	walk(schema, value, nil)
	_ = at
	return out
}

// minorUnitsDetail explains minor units using the sibling currency's exponent.
func (v *Validator) minorUnitsDetail(root any, path []string) string {
	field := "amount"
	if len(path) > 0 {
		field = path[len(path)-1]
	}
	currency := ""
	if parent, ok := lookup(root, path[:max(len(path)-1, 0)]).(map[string]any); ok {
		currency, _ = parent["currency"].(string)
	}
	exp, known := 2, false
	if v.currencyExponent != nil && currency != "" {
		exp, known = v.currencyExponent(currency)
	}
	if !known {
		return fmt.Sprintf("%s is an integer number of minor units of the currency (for a currency with 2 decimal places, 10.50 is sent as 1050)", field)
	}
	if exp == 0 {
		return fmt.Sprintf("%s is an integer number of minor units; %s has no decimal places, so 1000 %s is sent as 1000", field, currency, currency)
	}
	example := "10." + strings.Repeat("5", exp)
	minor := "10" + strings.Repeat("5", exp)
	return fmt.Sprintf("%s is an integer number of minor units; %s has %d decimal places, so %s %s is sent as %s", field, currency, exp, example, currency, minor)
}

func lookup(root any, path []string) any {
	cur := root
	for _, p := range path {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	return cur
}

func parameterViolations(p *openapi3.Parameter, err error) []Violation {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil {
		var me openapi3.MultiError
		if errors.As(re.Err, &me) && isMulti(re.Err) {
			var out []Violation
			for _, e := range me {
				out = append(out, Violation{Parameter: p.Name, In: p.In, Detail: parameterDetail(e)})
			}
			return out
		}
		return []Violation{{Parameter: p.Name, In: p.In, Detail: parameterDetail(re.Err)}}
	}
	if re != nil && re.Reason != "" {
		return []Violation{{Parameter: p.Name, In: p.In, Detail: re.Reason}}
	}
	return []Violation{{Parameter: p.Name, In: p.In, Detail: err.Error()}}
}

func parameterDetail(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) && se.Reason != "" {
		return se.Reason
	}
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	if errors.Is(err, openapi3filter.ErrInvalidRequired) {
		return "is required"
	}
	return err.Error()
}

func pointer(path []string) string {
	if len(path) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(escapePointer(p))
	}
	return b.String()
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func dedupe(vs []Violation) []Violation {
	seen := map[Violation]bool{}
	out := vs[:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
