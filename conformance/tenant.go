package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// userAgent marks the suite's own requests (setup, arming, reading the
// journal), so that the evidence holds only the client's traffic.
const userAgent = "sandbank-conformance"

// tenant is the suite's handle on one case's tenant: it sets resources
// up, arms faults and reads the journal through the API, never through
// the simulator's internals (a --target server is a black box).
type tenant struct {
	base string
	key  string
	http *http.Client
}

func newTenant(base, key string) *tenant {
	return &tenant{base: strings.TrimRight(base, "/"), key: key, http: suiteHTTP}
}

// suiteHTTP is the suite's own client, shared by every case: it keeps
// enough idle connections for all of them, so polling the journal does
// not churn through ephemeral ports.
var suiteHTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second,
}}

// apiError is an unexpected answer to one of the suite's own requests.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s → %d %s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// do sends one request and decodes a JSON answer into out (when not nil);
// a status other than want is an error. headers are name, value pairs.
func (t *tenant) do(ctx context.Context, method, path string, body any, want int, out any, headers ...string) error {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string: // YAML
		rd, contentType = strings.NewReader(b), "application/yaml"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+t.key)
	req.Header.Set("User-Agent", userAgent)
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return &apiError{Method: method, Path: path, Status: resp.StatusCode, Body: string(raw)}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// arm activates a scenario (YAML) for the tenant.
func (t *tenant) arm(ctx context.Context, name, yaml string) error {
	return t.do(ctx, http.MethodPut, "/_sandbank/scenarios/"+name, yaml, http.StatusOK, nil)
}

func (t *tenant) disarm(ctx context.Context, name string) error {
	return t.do(ctx, http.MethodDelete, "/_sandbank/scenarios/"+name, nil, http.StatusNoContent, nil)
}

func (t *tenant) settings(ctx context.Context, patch map[string]any) error {
	return t.do(ctx, http.MethodPatch, "/_sandbank/settings", patch, http.StatusOK, nil)
}

// account is one of the tenant's accounts.
type account struct {
	ID       string `json:"id"`
	Currency string `json:"currency"`
}

// transactionIDs walks an account's statement, all pages.
func (t *tenant) transactionIDs(ctx context.Context, accountID string) ([]string, error) {
	var ids []string
	err := walk(ctx, t, "/v1/accounts/"+accountID+"/transactions?limit=100", func(line struct {
		ID string `json:"id"`
	}) {
		ids = append(ids, line.ID)
	})
	return ids, err
}

// walk reads a list from its first page to its last, in the envelope every
// list uses, handing each item to each.
func walk[T any](ctx context.Context, t *tenant, path string, each func(T)) error {
	cursor := ""
	for {
		var page struct {
			Data       []T    `json:"data"`
			HasMore    bool   `json:"has_more"`
			NextCursor string `json:"next_cursor"`
		}
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := t.do(ctx, http.MethodGet, p, nil, http.StatusOK, &page); err != nil {
			return err
		}
		for _, item := range page.Data {
			each(item)
		}
		if !page.HasMore {
			return nil
		}
		cursor = page.NextCursor
	}
}

// credit books an inbound transfer on an account (a new statement line).
func (t *tenant) credit(ctx context.Context, accountID string, amount int64, currency string) error {
	return t.do(ctx, http.MethodPost, "/v1/sandbox/inbound_transfers", map[string]any{
		"account_id": accountID, "amount": amount, "currency": currency, "rail": "pix",
		"debtor": map[string]any{"name": "Conformance Suite"},
	}, http.StatusCreated, nil)
}

// payment creates a succeeded card payment with the suite's own request
// (headers may carry a Sandbank-Fault for the deliveries of its events).
func (t *tenant) payment(ctx context.Context, amount int64, headers ...string) (string, error) {
	var p Created
	err := t.do(ctx, http.MethodPost, "/v1/payments", map[string]any{
		"amount": amount, "currency": "BRL", "confirm": true, "description": "conformance suite",
		"payment_method_data": map[string]any{"type": "card", "card": map[string]any{"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}},
	}, http.StatusCreated, &p, headers...)
	return p.ID, err
}

// endpoint registers a webhook endpoint and returns its id and secret.
func (t *tenant) endpoint(ctx context.Context, url string, events []string) (id, secret string, err error) {
	var ep struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	err = t.do(ctx, http.MethodPost, "/v1/webhook_endpoints", map[string]any{"url": url, "enabled_events": events,
		"description": "sandbank conformance suite"}, http.StatusCreated, &ep)
	return ep.ID, ep.Secret, err
}

// rotate gives an endpoint a new secret, the old one valid for an hour more.
func (t *tenant) rotate(ctx context.Context, id string) error {
	return t.do(ctx, http.MethodPost, "/v1/webhook_endpoints/"+id+"/rotate_secret", map[string]any{"expire_previous_in": 3600}, http.StatusOK, nil)
}

func (t *tenant) deleteEndpoint(ctx context.Context, id string) error {
	return t.do(ctx, http.MethodDelete, "/v1/webhook_endpoints/"+id, nil, http.StatusOK, nil)
}

// clientID is the tenant's OAuth client id.
func (t *tenant) clientID(ctx context.Context) (string, error) {
	var info struct {
		ClientID string `json:"oauth_client_id"`
	}
	err := t.do(ctx, http.MethodGet, "/_sandbank/tenant", nil, http.StatusOK, &info)
	return info.ClientID, err
}

// journal reads the tenant's journal entries after the entry id after.
func (t *tenant) journal(ctx context.Context, after int64) ([]entry, error) {
	var out []entry
	err := walk(ctx, t, fmt.Sprintf("/_sandbank/journal?limit=100&after_id=%d", after), func(e entry) { out = append(out, e) })
	return out, err
}

// newKey derives a case's API key from the run's seed, so that a replay
// with the same seed provisions the same tenants.
func newKey(seed uint64, caseID string, run int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("sandbank-conformance:%d:%s:%d", seed, caseID, run)))
	return "sk_test_conf" + hex.EncodeToString(sum[:])[:20]
}
