package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sandbank/sandbank/simulator/bank"
)

// AllScopes are the OAuth scopes; an API key holds all of them.
var AllScopes = []string{
	"customers:read", "customers:write", "accounts:read", "accounts:write",
	"transfers:read", "transfers:write", "sandbox", "admin", "payments:read", "payments:write",
	"events:read", "webhooks:read", "webhooks:write",
	"boletos:read", "boletos:write",
	"pix:read", "pix:write",
	"payouts:read", "payouts:write", "disputes:read", "disputes:write", "reports:read",
}

// credential is what a request authenticated with.
type credential struct {
	key    string   // the tenant's API key
	token  string   // the access token, when OAuth was used
	scopes []string // nil for an API key (all scopes)
}

// OAuthClientID derives the OAuth client id of a test key: ci_test_ and the
// first 24 hex digits of SHA-256("sandbank-oauth-client:" + key). The
// client secret is the key itself; the id is a hash so that showing it
// (in logs, in a CI job's output) does not show the key.
func OAuthClientID(key string) string {
	sum := sha256.Sum256([]byte("sandbank-oauth-client:" + key))
	return "ci_test_" + hex.EncodeToString(sum[:12])
}

// authenticate reads the Authorization header. It returns the credential
// or a problem: 401 for missing, malformed, unknown or expired
// credentials, with WWW-Authenticate as RFC 6750 asks.
func (c *call) authenticate() (*credential, *response) {
	h := c.r.Header.Get("Authorization")
	if h == "" {
		resp := c.problem("missing_credentials", "send Authorization: Bearer sk_test_<16 or more letters and digits>, or an OAuth access token from POST /oauth/token")
		resp.header.Set("WWW-Authenticate", `Bearer realm="sandbank"`)
		return nil, resp
	}
	scheme, value, _ := strings.Cut(h, " ")
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return nil, c.invalidKey("the Basic credentials are not base64")
		}
		user, _, _ := strings.Cut(string(raw), ":")
		if !testKey.MatchString(user) {
			return nil, c.invalidKey("with Basic authentication, the user name must be a test key (sk_test_…)")
		}
		return &credential{key: user}, nil
	case "bearer":
		if testKey.MatchString(value) {
			return &credential{key: value}, nil
		}
		if strings.HasPrefix(value, "at_") {
			return c.s.tokens.authenticate(c, value)
		}
		if strings.HasPrefix(value, "sk_live_") {
			return nil, c.invalidKey("sandbank is a sandbox: use a test key (sk_test_…), never a live one")
		}
		return nil, c.invalidKey("a test key is sk_test_ followed by 16 to 128 letters and digits")
	}
	return nil, c.invalidKey(fmt.Sprintf("unsupported authorization scheme %q: use Bearer", scheme))
}

func (c *call) invalidKey(detail string) *response {
	resp := c.problem("invalid_api_key", detail)
	resp.header.Set("WWW-Authenticate", `Bearer realm="sandbank", error="invalid_token", error_description="invalid API key"`)
	return resp
}

// authorize checks that the credential holds one of the operation's scopes.
func (c *call) authorize(cred *credential) *response {
	if cred.scopes == nil || len(c.op.Scopes) == 0 {
		return nil
	}
	for _, need := range c.op.Scopes {
		if slices.Contains(cred.scopes, need) {
			return nil
		}
	}
	need := strings.Join(c.op.Scopes, " ")
	resp := c.problem("insufficient_scope", fmt.Sprintf("%s needs the scope %q; the token has %q", c.op.ID, need, strings.Join(cred.scopes, " ")))
	resp.header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="sandbank", error="insufficient_scope", scope=%q`, need))
	return resp
}

// tokenStore holds issued access tokens. Expiry is judged against the
// owning tenant's virtual clock, so advancing the clock expires tokens.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]*token
}

type token struct {
	key       string
	scopes    []string
	expiresAt time.Time // virtual
}

func newTokenStore() *tokenStore { return &tokenStore{tokens: map[string]*token{}} }

func (ts *tokenStore) issue(value, key string, scopes []string, expires time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tokens[value] = &token{key: key, scopes: scopes, expiresAt: expires}
}

func (ts *tokenStore) get(value string) (*token, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[value]
	return t, ok
}

func (ts *tokenStore) revokeTenant(key string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for v, t := range ts.tokens {
		if t.key == key {
			delete(ts.tokens, v)
		}
	}
}

// authenticate resolves a token. An expired token still names its tenant,
// so the 401 lands in that tenant's journal (token-refresh checks read it).
func (ts *tokenStore) authenticate(c *call, value string) (*credential, *response) {
	tok, ok := ts.get(value)
	if !ok {
		resp := c.problem("invalid_token", "unknown access token; get one from POST /oauth/token")
		resp.header.Set("WWW-Authenticate", `Bearer realm="sandbank", error="invalid_token", error_description="unknown token"`)
		return nil, resp
	}
	cred := &credential{key: tok.key, token: value, scopes: tok.scopes}
	t, err := c.s.tenants.get(tok.key)
	if err != nil {
		return nil, c.problem("internal_error", err.Error())
	}
	now := t.clock.Now()
	if !now.Before(tok.expiresAt) {
		// Journal the refusal in the token's tenant, and open the entry
		// now so that the problem carries the journal's request id.
		c.tenant = t
		c.openJournal()
		resp := c.problem("invalid_token", fmt.Sprintf("the access token expired at %s (virtual time %s)", tok.expiresAt.Format(time.RFC3339), now.Format(time.RFC3339)))
		resp.header.Set("WWW-Authenticate", `Bearer realm="sandbank", error="invalid_token", error_description="the access token expired"`)
		return cred, resp
	}
	return cred, nil
}

// createToken is POST /oauth/token (client credentials grant). Errors carry
// RFC 6749's "error" member alongside the problem details.
func (s *Server) createToken(c *call) *response {
	form := c.input.Form
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if user, pass, ok := c.r.BasicAuth(); ok {
		if id != "" || secret != "" {
			return c.oauthError("invalid_request", "send the client credentials either with HTTP Basic or in the body, not both")
		}
		id, secret = user, pass
	}
	if id == "" || secret == "" {
		resp := c.oauthError("invalid_client", "client_id and client_secret are required (HTTP Basic or form fields)")
		resp.header.Set("WWW-Authenticate", `Basic realm="sandbank"`)
		return resp
	}
	if !testKey.MatchString(secret) || OAuthClientID(secret) != id {
		resp := c.oauthError("invalid_client", "unknown client_id or wrong client_secret: the client_secret is your test key, and GET /_sandbank/tenant shows its client_id")
		resp.header.Set("WWW-Authenticate", `Basic realm="sandbank"`)
		return resp
	}
	t, err := s.tenants.get(secret)
	if err != nil {
		return c.problem("internal_error", err.Error())
	}
	// The client is known: journal the request in its tenant from here on,
	// under the tenant's request id (the response and any problem carry it).
	c.tenant = t
	c.openJournal()
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		return c.oauthError("unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported: use client_credentials", gt))
	}
	scopes := AllScopes
	if raw := strings.TrimSpace(form.Get("scope")); raw != "" {
		scopes = strings.Fields(raw)
		for _, sc := range scopes {
			if !slices.Contains(AllScopes, sc) {
				return c.oauthError("invalid_scope", fmt.Sprintf("unknown scope %q; known scopes: %s", sc, strings.Join(AllScopes, " ")))
			}
		}
	}
	t.mu.Lock()
	value := bank.NewID(t.bank.Faker(), "at")
	t.mu.Unlock()
	now := t.clock.Now()
	s.tokens.issue(value, secret, scopes, now.Add(s.cfg.TokenTTL))
	resp := c.json(http.StatusOK, map[string]any{
		"access_token": value, "token_type": "Bearer",
		"expires_in": int64(s.cfg.TokenTTL / time.Second), "scope": strings.Join(scopes, " "),
	})
	resp.header.Set("Cache-Control", "no-store")
	return resp
}

func (c *call) oauthError(code, detail string) *response {
	entry := problemCatalog[code]
	p := c.newProblem(entry.status, code, entry.title, detail)
	p.Extra = map[string]any{"error": code, "error_description": detail}
	resp := c.problemResponse(p)
	resp.header.Set("Cache-Control", "no-store")
	return resp
}
