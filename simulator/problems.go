package simulator

import (
	"errors"
	"net/http"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator/domain"
)

// problemCatalog gives each stable error code its status and title. A
// client can rely on the code; the detail explains the particular case.
var problemCatalog = map[string]struct {
	status int
	title  string
}{
	openapi.CodeValidationFailed:     {400, "The request does not match the API contract"},
	openapi.CodeMalformedJSON:        {400, "The request body is not valid JSON"},
	openapi.CodeUnsupportedMediaType: {415, "Unsupported media type"},
	"payload_too_large":              {413, "The request body is too large"},
	"not_found":                      {404, "No such route"},
	"method_not_allowed":             {405, "Method not allowed on this route"},
	"missing_credentials":            {401, "Authentication required"},
	"invalid_api_key":                {401, "Invalid API key"},
	"invalid_token":                  {401, "Invalid or expired access token"},
	"insufficient_scope":             {403, "The access token lacks the scope this operation needs"},
	"resource_missing":               {404, "No such resource"},
	"invalid_state":                  {400, "The resource cannot do that in its current state"},
	"invalid_cursor":                 {400, "The cursor is not valid for this list"},
	"idempotency_key_required":       {400, "This operation requires an Idempotency-Key"},
	"invalid_idempotency_key":        {400, "The Idempotency-Key header is not valid"},
	"idempotency_key_mismatch":       {422, "The Idempotency-Key was already used with a different request"},
	"idempotency_error":              {400, "Keys for idempotent requests can only be used with the same parameters they were first used with"},
	"idempotency_key_in_use":         {409, "A request with this Idempotency-Key is still being processed"},
	"invalid_request":                {400, "The OAuth request is not valid"},
	"invalid_client":                 {401, "Client authentication failed"},
	"unsupported_grant_type":         {400, "Unsupported grant type"},
	"invalid_scope":                  {400, "Invalid scope"},
	"internal_error":                 {500, "Internal error"},
	"rate_limited":                   {429, "Too many requests"},
	"invalid_fault":                  {400, "The Sandbank-Fault header is not a fault"},
	"unknown_scenario":               {400, "No such scenario"},
	"invalid_scenario":               {400, "The scenario is not valid"},
}

// problem builds the response for a catalogued code.
func (c *call) problem(code, detail string, violations ...openapi.Violation) *response {
	entry, ok := problemCatalog[code]
	if !ok {
		entry.status, entry.title = http.StatusBadRequest, "Invalid request"
	}
	return c.problemWith(entry.status, code, entry.title, detail, violations)
}

func (c *call) problemWith(status int, code, title, detail string, violations []openapi.Violation) *response {
	p := c.newProblem(status, code, title, detail)
	p.Errors = violations
	return c.problemResponse(p)
}

func (c *call) newProblem(status int, code, title, detail string) *openapi.Problem {
	return &openapi.Problem{Title: title, Status: status, Detail: detail, Code: code, Instance: c.r.URL.Path, RequestID: c.requestID}
}

// oauthErrorCodes maps sandbank's codes to RFC 6749 §5.2 error codes for
// operations with the OAuth error style.
var oauthErrorCodes = map[string]string{
	"invalid_request": "invalid_request", "invalid_client": "invalid_client",
	"unsupported_grant_type": "unsupported_grant_type", "invalid_scope": "invalid_scope",
}

func (c *call) problemResponse(p *openapi.Problem) *response {
	if c.op != nil && c.op.OAuthErrors && p.Extra["error"] == nil && p.Status < 500 {
		code, ok := oauthErrorCodes[p.Code]
		if !ok {
			code = "invalid_request" // malformed, wrong media type, too large: all invalid requests to OAuth
		}
		if p.Extra == nil {
			p.Extra = map[string]any{}
		}
		p.Extra["error"], p.Extra["error_description"] = code, p.Detail
	}
	body, err := p.MarshalJSON()
	if err != nil { // cannot happen for these plain values; never 5xx silently
		body = []byte(`{"type":"about:blank","title":"Internal error","status":500,"code":"internal_error"}`)
		p.Status = http.StatusInternalServerError
	}
	h := http.Header{}
	h.Set("Content-Type", openapi.ProblemContentType)
	c.problemCode = p.Code
	return &response{status: p.Status, header: h, body: body}
}

// domainError renders an error from the bank.
func (c *call) domainError(err error) *response {
	var be *domain.Error
	if !errors.As(err, &be) {
		c.s.log.Error("handler failed", "err", err, "request_id", c.requestID)
		return c.problem("internal_error", "sandbank failed to handle this request: "+err.Error())
	}
	switch be.Kind {
	case domain.NotFound:
		return c.problemWith(http.StatusNotFound, be.Code, "No such resource", be.Message, nil)
	case domain.State:
		return c.problemWith(http.StatusBadRequest, be.Code, "The resource cannot do that in its current state", be.Message, nil)
	case domain.Declined:
		p := c.newProblem(http.StatusPaymentRequired, be.Code, "The payment was declined", be.Message)
		p.Extra = be.Extra
		if be.Field != "" { // a card number that cannot be right names its field
			p.Errors = []openapi.Violation{{Pointer: be.Field, In: "body", Detail: be.Message}}
		}
		return c.problemResponse(p)
	}
	vs := fieldViolations(be.Fields)
	if len(vs) == 0 && be.Field != "" {
		vs = []openapi.Violation{{Pointer: be.Field, In: "body", Detail: be.Message}}
	}
	return c.problemWith(http.StatusBadRequest, be.Code, "The request cannot be carried out", be.Message, vs)
}

// fieldViolations names the body fields of a domain error.
func fieldViolations(fields []domain.FieldError) []openapi.Violation {
	var vs []openapi.Violation
	for _, f := range fields {
		vs = append(vs, openapi.Violation{Pointer: f.Field, In: "body", Detail: f.Message})
	}
	return vs
}
