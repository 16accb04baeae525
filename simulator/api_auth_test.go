package simulator_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/simtest"
)

const apiFormType = "application/x-www-form-urlencoded"

// apiTokenForm is the client-credentials form for a key.
func apiTokenForm(key, scope string) url.Values {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {simulator.OAuthClientID(key)}, "client_secret": {key}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return form
}

// apiTokenResponse is a successful POST /oauth/token.
type apiTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// apiToken gets an access token for a key with the given scopes ("" for all).
func apiToken(t testing.TB, srv *simtest.Server, key, scope string) string {
	t.Helper()
	r := srv.Client("").Post("/oauth/token", apiTokenForm(key, scope).Encode(), "Content-Type", apiFormType)
	var tok apiTokenResponse
	apiJSON(t, r, http.StatusOK, &tok)
	if !strings.HasPrefix(tok.AccessToken, "at_") {
		t.Fatalf("access token %q", tok.AccessToken)
	}
	return tok.AccessToken
}

// apiBearer is a client that authenticates with an access token.
func apiBearer(srv *simtest.Server, token string) *simtest.Client {
	c := srv.Client("")
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

func apiBasic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

var apiPathParam = regexp.MustCompile(`\{([^}]+)\}`)

// apiIDPrefix is the prefix ("acc_", "trf_", …) an operation's path
// parameter must carry, read from its schema's pattern; a parameter that is
// a name rather than an id (a scenario's {name}) is its own kind.
func apiIDPrefix(t testing.TB, op *openapi.Operation, name string) string {
	t.Helper()
	var params []*openapi3.Parameter
	for _, p := range op.Item.Parameters {
		params = append(params, p.Value)
	}
	for _, p := range op.Op.Parameters {
		params = append(params, p.Value)
	}
	for _, p := range params {
		if p.In == "path" && p.Name == name && p.Schema != nil && p.Schema.Value != nil {
			if m := regexp.MustCompile(`^\^([a-z]+_)`).FindStringSubmatch(p.Schema.Value.Pattern); m != nil {
				return m[1]
			}
			if name == "name" {
				return "name"
			}
			// An id without a prefix (the Banco Central's txid, e2eid) is of
			// the kind "<collection>.<name>", such as cob.txid.
			collection, _, _ := strings.Cut(op.Path, "/{"+name+"}")
			return collection[strings.LastIndex(collection, "/")+1:] + "." + name
		}
	}
	t.Fatalf("%s: cannot tell what kind of id {%s} is (no ^prefix_ pattern)", op.ID, name)
	return ""
}

// apiConcretePath fills an operation's path template with ids by prefix;
// missing kinds get a well-formed id that exists nowhere.
func apiConcretePath(t testing.TB, op *openapi.Operation, ids map[string]string) string {
	t.Helper()
	return apiPathParam.ReplaceAllStringFunc(op.Path, func(m string) string {
		prefix := apiIDPrefix(t, op, m[1:len(m)-1])
		if id, ok := ids[prefix]; ok {
			return id
		}
		if prefix == "name" {
			return "no-such-scenario"
		}
		return prefix + "doesnotexist0000"
	})
}

func TestAuthPublicOperationsNeedNoCredentials(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	anon := srv.Client("")
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		if !op.Public || op.Method != http.MethodGet {
			continue
		}
		if r := anon.Get(op.Path); r.Status != http.StatusOK {
			t.Errorf("GET %s without credentials: %d %s", op.Path, r.Status, r.Body)
		}
	}
}

func TestAuthMissingCredentials(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	anon := srv.Client("")
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		if op.Public {
			continue
		}
		r := anon.Do(op.Method, apiConcretePath(t, op, nil), nil)
		p := apiProblem(t, r, http.StatusUnauthorized, "missing_credentials")
		if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="sandbank"` {
			t.Errorf("%s: WWW-Authenticate %q", op.ID, got)
		}
		if !strings.Contains(p.Detail, "sk_test_") {
			t.Errorf("%s: detail %q does not say what to send", op.ID, p.Detail)
		}
	}
}

func TestAuthMalformedKeys(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	good := simtest.NewKey("good")
	cases := []struct{ name, header, detail string }{
		{"too short", "Bearer sk_test_abc123", "16 to 128"},
		{"15 characters", "Bearer sk_test_" + strings.Repeat("a", 15), "16 to 128"},
		{"129 characters", "Bearer sk_test_" + strings.Repeat("a", 129), "16 to 128"},
		{"bad characters", "Bearer sk_test_abcd-efgh_ijkl.mnop", "letters and digits"},
		{"live key", "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc", "never a live one"},
		{"publishable key", "Bearer pk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_"},
		{"no value", "Bearer", "sk_test_"},
		{"key with a suffix", "Bearer " + good + " extra", "sk_test_"},
		{"unknown scheme", "Token " + good, `unsupported authorization scheme "Token"`},
		{"digest", `Digest username="x"`, "use Bearer"},
		{"bare key", good, "unsupported authorization scheme"},
		{"basic not base64", "Basic !!!", "not base64"},
		{"basic with a non-key user", apiBasic("admin", "secret"), "user name must be a test key"},
		{"basic with a live key", apiBasic("sk_live_4eC39HqLyjWDarjtT1zdp7dc", ""), "user name must be a test key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.Client("").Get("/v1/accounts", "Authorization", tc.header)
			p := apiProblem(t, r, http.StatusUnauthorized, "invalid_api_key")
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q, want it to mention %q", p.Detail, tc.detail)
			}
			www := r.Header.Get("WWW-Authenticate")
			if !strings.HasPrefix(www, "Bearer ") || !strings.Contains(www, `realm="sandbank"`) || !strings.Contains(www, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", www)
			}
		})
	}
	// The boundaries of a well-formed key, and a case-insensitive scheme.
	for _, h := range []string{
		"Bearer sk_test_" + strings.Repeat("b", 16),
		"Bearer sk_test_" + strings.Repeat("c", 128),
		"bearer " + good,
		"BEARER  " + good,
	} {
		if r := srv.Client("").Get("/v1/accounts", "Authorization", h); r.Status != http.StatusOK {
			t.Errorf("%q: %d %s", h, r.Status, r.Body)
		}
	}
}

func TestAuthBasicWithKeyAsUser(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("basic")
	bearer := apiTenant(t, srv.Client(key))
	for _, h := range []string{
		apiBasic(key, ""),
		apiBasic(key, "ignored-password"),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(key)),
		"basic " + base64.StdEncoding.EncodeToString([]byte(key+":")),
	} {
		c := srv.Client("")
		c.Header.Set("Authorization", h)
		info := apiTenant(t, c)
		if info.Seed != bearer.Seed || info.Key != bearer.Key {
			t.Errorf("%q reached tenant %s/%s, want %s/%s", h, info.Key, info.Seed, bearer.Key, bearer.Seed)
		}
		if got, want := apiListIDs(t, c, "/v1/accounts"), apiListIDs(t, srv.Client(key), "/v1/accounts"); !slices.Equal(got, want) {
			t.Errorf("Basic sees accounts %v, Bearer %v", got, want)
		}
	}
}

func TestAuthOAuthTokenWithFormCredentials(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("oauthform")
	r := srv.Client("").Post("/oauth/token", apiTokenForm(key, "").Encode(), "Content-Type", apiFormType)
	var tok apiTokenResponse
	apiJSON(t, r, http.StatusOK, &tok)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != strings.Join(simulator.AllScopes, " ") || !regexp.MustCompile(`^at_[0-9A-Za-z]{16}$`).MatchString(tok.AccessToken) {
		t.Fatalf("token %+v", tok)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	// The token reaches the key's tenant.
	c := apiBearer(srv, tok.AccessToken)
	if got, want := apiListIDs(t, c, "/v1/accounts"), apiListIDs(t, srv.Client(key), "/v1/accounts"); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("token sees %v, key sees %v", got, want)
	}
	if apiTenant(t, c).Seed != apiTenant(t, srv.Client(key)).Seed {
		t.Fatal("the token reaches another tenant")
	}
	// Each request gets a new token; both stay valid.
	other := apiToken(t, srv, key, "")
	if other == tok.AccessToken {
		t.Fatal("two token requests returned the same token")
	}
	apiJSON(t, apiBearer(srv, other).Get("/v1/accounts"), http.StatusOK, nil)
	apiJSON(t, c.Get("/v1/accounts"), http.StatusOK, nil)
}

func TestAuthOAuthTokenTTLIsConfigurable(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{TokenTTL: 10 * time.Minute})
	key := simtest.NewKey("ttl")
	var tok apiTokenResponse
	apiJSON(t, srv.Client("").Post("/oauth/token", apiTokenForm(key, "").Encode(), "Content-Type", apiFormType), http.StatusOK, &tok)
	if tok.ExpiresIn != 600 {
		t.Fatalf("expires_in %d, want 600", tok.ExpiresIn)
	}
	advance(t, srv.Client(key), "10m")
	apiProblem(t, apiBearer(srv, tok.AccessToken).Get("/v1/accounts"), http.StatusUnauthorized, "invalid_token")
}

func TestAuthOAuthBasicClientAuthentication(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("oauthbasic")
	r := srv.Client("").Post("/oauth/token", "grant_type=client_credentials&scope=accounts%3Aread",
		"Content-Type", apiFormType, "Authorization", apiBasic(simulator.OAuthClientID(key), key))
	var tok apiTokenResponse
	apiJSON(t, r, http.StatusOK, &tok)
	if tok.Scope != "accounts:read" || tok.TokenType != "Bearer" {
		t.Fatalf("%+v", tok)
	}
	apiJSON(t, apiBearer(srv, tok.AccessToken).Get("/v1/accounts"), http.StatusOK, nil)
}

func TestAuthOAuthErrors(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("oautherr")
	other := simtest.NewKey("oautherrother")
	id := simulator.OAuthClientID(key)
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	cases := []struct {
		name          string
		body          string
		authorization string
		status        int
		code          string
	}{
		{"both Basic and body", form("grant_type", "client_credentials", "client_id", id, "client_secret", key), apiBasic(id, key), 400, "invalid_request"},
		{"Basic and a body secret only", form("grant_type", "client_credentials", "client_secret", key), apiBasic(id, key), 400, "invalid_request"},
		{"wrong secret", form("grant_type", "client_credentials", "client_id", id, "client_secret", other), "", 401, "invalid_client"},
		{"mismatched id", form("grant_type", "client_credentials", "client_id", simulator.OAuthClientID(other), "client_secret", key), "", 401, "invalid_client"},
		{"malformed secret", form("grant_type", "client_credentials", "client_id", "ci_test_short", "client_secret", "sk_test_short"), "", 401, "invalid_client"},
		{"missing secret", form("grant_type", "client_credentials", "client_id", id), "", 401, "invalid_client"},
		{"missing id", form("grant_type", "client_credentials", "client_secret", key), "", 401, "invalid_client"},
		{"Basic with a wrong secret", form("grant_type", "client_credentials"), apiBasic(id, other), 401, "invalid_client"},
		{"unsupported grant type", form("grant_type", "password", "client_id", id, "client_secret", key), "", 400, "unsupported_grant_type"},
		{"empty grant type", form("grant_type", "", "client_id", id, "client_secret", key), "", 400, "unsupported_grant_type"},
		{"unknown scope", form("grant_type", "client_credentials", "client_id", id, "client_secret", key, "scope", "accounts:read bitcoin:write"), "", 400, "invalid_scope"},
		{"scope with another case", form("grant_type", "client_credentials", "client_id", id, "client_secret", key, "scope", "ACCOUNTS:READ"), "", 400, "invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{"Content-Type", apiFormType}
			if tc.authorization != "" {
				headers = append(headers, "Authorization", tc.authorization)
			}
			r := srv.Client("").Post("/oauth/token", tc.body, headers...)
			p := apiProblem(t, r, tc.status, tc.code)
			if p.Error != tc.code || p.ErrorDescription == "" || p.ErrorDescription != p.Detail {
				t.Errorf("RFC 6749 members: error %q error_description %q (detail %q)", p.Error, p.ErrorDescription, p.Detail)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") != `Basic realm="sandbank"` {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
			// The secret never comes back in an error.
			if strings.Contains(string(r.Body), key) || strings.Contains(string(r.Body), other) {
				t.Errorf("the error echoes a secret: %s", r.Body)
			}
		})
	}
}

func TestAuthScopeRestrictsOperations(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("scoped")
	var tok apiTokenResponse
	apiJSON(t, srv.Client("").Post("/oauth/token", apiTokenForm(key, "accounts:read").Encode(), "Content-Type", apiFormType), http.StatusOK, &tok)
	if tok.Scope != "accounts:read" {
		t.Fatalf("scope %q", tok.Scope)
	}
	c := apiBearer(srv, tok.AccessToken)
	accounts := apiListIDs(t, c, "/v1/accounts")
	r := c.Post("/v1/transfers", apiTEDTransfer(accounts[0], 100))
	p := apiProblem(t, r, http.StatusForbidden, "insufficient_scope")
	www := r.Header.Get("WWW-Authenticate")
	if !strings.Contains(www, `error="insufficient_scope"`) || !strings.Contains(www, `scope="transfers:write"`) || !strings.Contains(www, `realm="sandbank"`) {
		t.Errorf("WWW-Authenticate %q", www)
	}
	if !strings.Contains(p.Detail, "transfers:write") || !strings.Contains(p.Detail, "accounts:read") {
		t.Errorf("detail %q", p.Detail)
	}
	// Nothing happened, and the refusal is in the tenant's journal.
	if n := apiTenant(t, srv.Client(key)).Counts.Transfers; n != 0 {
		t.Fatalf("%d transfers after a refused create", n)
	}
	if e := journalEntry(t, srv.Client(key), r); e["status"] != 403.0 || e["problem_code"] != "insufficient_scope" || e["operation_id"] != "createTransfer" {
		t.Fatalf("journal %v", e)
	}
	// Scopes are checked before the body: an invalid body is still a 403.
	apiProblem(t, c.Post("/v1/transfers", "{not json"), http.StatusForbidden, "insufficient_scope")
}

// TestAuthScopesOnEveryOperation walks the contract: for each operation
// that needs credentials, a token without its scope is refused with 403 and
// a token with only its scope gets past authorization.
func TestAuthScopesOnEveryOperation(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("everyscope")
	ids := map[string]string{
		"acc_": apiListIDs(t, srv.Client(key), "/v1/accounts")[0],
		"cus_": apiListIDs(t, srv.Client(key), "/v1/customers")[0],
	}
	checked := 0
	for _, op := range openapi.MustLoadWithExamples().Operations() {
		if op.Public {
			continue
		}
		if len(op.Scopes) == 0 {
			t.Errorf("%s needs credentials but declares no OAuth scope: any token could call it", op.ID)
			continue
		}
		for _, s := range op.Scopes {
			if !slices.Contains(simulator.AllScopes, s) {
				t.Errorf("%s declares scope %q, which no token can hold", op.ID, s)
			}
		}
		var lacking []string
		for _, s := range simulator.AllScopes {
			if !slices.Contains(op.Scopes, s) {
				lacking = append(lacking, s)
			}
		}
		path := apiConcretePath(t, op, ids)
		var body any
		if op.BodyRequired {
			body = "{}"
		}
		r := apiBearer(srv, apiToken(t, srv, key, strings.Join(lacking, " "))).Do(op.Method, path, body)
		apiProblem(t, r, http.StatusForbidden, "insufficient_scope")
		if www := r.Header.Get("WWW-Authenticate"); !strings.Contains(www, `error="insufficient_scope"`) || !strings.Contains(www, strings.Join(op.Scopes, " ")) {
			t.Errorf("%s: WWW-Authenticate %q", op.ID, www)
		}
		r = apiBearer(srv, apiToken(t, srv, key, strings.Join(op.Scopes, " "))).Do(op.Method, path, body)
		if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
			t.Errorf("%s with scope %v: %d %s", op.ID, op.Scopes, r.Status, r.Body)
		}
		checked++
	}
	if checked < len(srv.Sim.HandledOperations())-4 {
		t.Fatalf("only %d operations checked", checked)
	}
}

func TestAuthTokenExpiresOnTheTenantClock(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("expiry")
	admin := srv.Client(key)
	tok := apiToken(t, srv, key, "accounts:read")
	c := apiBearer(srv, tok)
	apiJSON(t, c.Get("/v1/accounts"), http.StatusOK, nil)

	advance(t, admin, "59m59s")
	apiJSON(t, c.Get("/v1/accounts"), http.StatusOK, nil)

	advance(t, admin, "1s") // exactly one hour after issue
	r := c.Get("/v1/accounts")
	p := apiProblem(t, r, http.StatusUnauthorized, "invalid_token")
	www := r.Header.Get("WWW-Authenticate")
	if !strings.HasPrefix(www, "Bearer ") || !strings.Contains(www, `error="invalid_token"`) || !strings.Contains(www, "expired") {
		t.Errorf("WWW-Authenticate %q", www)
	}
	if !strings.Contains(p.Detail, "expired at 2026-03-02T13:00:00Z") {
		t.Errorf("detail %q", p.Detail)
	}
	// The refusal lands in the token's tenant's journal, with the token masked.
	e := journalEntry(t, admin, r)
	if e["status"] != 401.0 || e["problem_code"] != "invalid_token" || e["path"] != "/v1/accounts" || e["operation_id"] != "listAccounts" {
		t.Fatalf("journal entry %v", e)
	}
	headers, _ := e["headers"].(map[string]any)
	auth, _ := headers["Authorization"].([]any)
	if len(auth) != 1 || auth[0] != "Bearer at_************"+tok[len(tok)-4:] {
		t.Errorf("journaled Authorization %v", auth)
	}
	raw, _ := json.Marshal(admin.Journal())
	if strings.Contains(string(raw), tok) {
		t.Error("the journal holds the whole access token")
	}
	// Another tenant's clock does not expire it: a fresh token works again.
	apiJSON(t, apiBearer(srv, apiToken(t, srv, key, "")).Get("/v1/accounts"), http.StatusOK, nil)
}

func TestAuthUnknownToken(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	for _, tok := range []string{"at_doesnotexist0000", "at_", "at_Qm9uZEphbWVzQm9uZEphbWVzMDA3"} {
		r := srv.Client("").Get("/v1/accounts", "Authorization", "Bearer "+tok)
		apiProblem(t, r, http.StatusUnauthorized, "invalid_token")
		if www := r.Header.Get("WWW-Authenticate"); !strings.Contains(www, `error="invalid_token"`) {
			t.Errorf("WWW-Authenticate %q", www)
		}
	}
}

func TestAuthResetRevokesTokens(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("revoke")
	other := simtest.NewKey("revokeother")
	tok := apiToken(t, srv, key, "")
	otherTok := apiToken(t, srv, other, "")
	apiJSON(t, apiBearer(srv, tok).Get("/v1/accounts"), http.StatusOK, nil)

	apiJSON(t, srv.Client(key).Post("/_sandbank/reset", nil), http.StatusOK, nil)
	apiProblem(t, apiBearer(srv, tok).Get("/v1/accounts"), http.StatusUnauthorized, "invalid_token")
	// Another tenant's tokens survive.
	apiJSON(t, apiBearer(srv, otherTok).Get("/v1/accounts"), http.StatusOK, nil)
	// A new token works; a reset made with a token revokes that token too.
	tok2 := apiToken(t, srv, key, "admin")
	apiJSON(t, apiBearer(srv, tok2).Post("/_sandbank/reset", nil), http.StatusOK, nil)
	apiProblem(t, apiBearer(srv, tok2).Get("/_sandbank/tenant"), http.StatusUnauthorized, "invalid_token")
}

func TestAuthTokenRequestIsJournaled(t *testing.T) {
	srv := simtest.Start(t, simulator.Config{})
	key := simtest.NewKey("tokenjournal")
	admin := srv.Client(key)

	body := apiTokenForm(key, "accounts:read").Encode()
	r := srv.Client("").Post("/oauth/token", body, "Content-Type", apiFormType)
	apiJSON(t, r, http.StatusOK, nil)
	e := journalEntry(t, admin, r) // found by the response's Request-Id
	sum := sha256.Sum256([]byte(body))
	if e["operation_id"] != "createToken" || e["route"] != "/oauth/token" || e["status"] != 200.0 || e["method"] != "POST" ||
		e["body_sha256"] != hex.EncodeToString(sum[:]) || e["body_bytes"] != float64(len(body)) || e["outcome"] != "completed" {
		t.Fatalf("journal entry %v", e)
	}

	// With HTTP Basic: the header is masked.
	basic := apiBasic(simulator.OAuthClientID(key), key)
	r = srv.Client("").Post("/oauth/token", "grant_type=client_credentials", "Content-Type", apiFormType, "Authorization", basic)
	apiJSON(t, r, http.StatusOK, nil)
	e = journalEntry(t, admin, r)
	headers, _ := e["headers"].(map[string]any)
	auth, _ := headers["Authorization"].([]any)
	if len(auth) != 1 || auth[0] != "Basic ************"+basic[len(basic)-4:] {
		t.Errorf("journaled Authorization %v", auth)
	}

	// A refused request of a known client is journaled too, under the id it answered with.
	r = srv.Client("").Post("/oauth/token", apiTokenForm(key, "everything").Encode(), "Content-Type", apiFormType)
	p := apiProblem(t, r, http.StatusBadRequest, "invalid_scope")
	e = journalEntry(t, admin, r)
	if e["problem_code"] != "invalid_scope" || e["request_id"] != p.RequestID {
		t.Fatalf("journal entry %v", e)
	}

	// No secret anywhere in the journal.
	raw, _ := json.Marshal(admin.Journal())
	for _, secret := range []string{key, strings.TrimPrefix(basic, "Basic "), url.QueryEscape(key)} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the journal holds %q", secret)
		}
	}
	// Requests of unknown clients belong to no tenant.
	before := len(admin.Journal())
	r = srv.Client("").Post("/oauth/token", apiTokenForm(simtest.NewKey("stranger"), "").Encode(), "Content-Type", apiFormType)
	apiJSON(t, r, http.StatusOK, nil)
	if after := len(admin.Journal()); after != before+1 { // +1: the journal read itself
		t.Fatalf("another client's token request reached this journal: %d → %d entries", before, after)
	}
}
