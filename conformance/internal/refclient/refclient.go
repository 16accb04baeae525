// Package refclient is the conformance suite's reference client: a small
// sandbank API client written the way the suite expects (a key per
// operation, exponential backoff with jitter, Retry-After, timeouts, one
// token refresh, cursor pagination, a verifying and deduplicating webhook
// receiver) — and, with a Flaw, broken in exactly one way. The suite's
// tests run it to prove that each verdict is deserved.
package refclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sandbank/sandbank/conformance"
)

// Flaw is one deliberate mistake.
type Flaw string

const (
	None                Flaw = ""
	NoKey               Flaw = "no_key"                 // sends no Idempotency-Key
	NewKeyPerRetry      Flaw = "new_key_per_retry"      // a fresh key on every attempt
	NoBackoff           Flaw = "no_backoff"             // retries at once
	IgnoresRetryAfter   Flaw = "ignores_retry_after"    // backs off as if there were no Retry-After
	RetriesClientErrors Flaw = "retries_client_errors"  // retries 4xx like 5xx
	RetriesForever      Flaw = "retries_forever"        // no bound on attempts
	NoTimeout           Flaw = "no_timeout"             // waits for an answer forever
	ChangesBody         Flaw = "changes_body"           // each retry sends another body
	AcceptsForged       Flaw = "accepts_forged"         // does not verify webhook signatures
	ProcessesDuplicates Flaw = "processes_duplicates"   // acts on every delivery of an event
	StopsAfterFirstPage Flaw = "stops_after_first_page" // reads one page only
)

// Flaws lists every flaw.
var Flaws = []Flaw{NoKey, NewKeyPerRetry, NoBackoff, IgnoresRetryAfter, RetriesClientErrors, RetriesForever,
	NoTimeout, ChangesBody, AcceptsForged, ProcessesDuplicates, StopsAfterFirstPage}

// Client is the reference client.
type Client struct {
	conformance.Unimplemented
	Flaw Flaw
	// Timeout bounds one attempt (default 2 s).
	Timeout time.Duration
	// BaseDelay is the first backoff (default 500 ms); it doubles, with
	// equal jitter, up to MaxDelay (default 8 s).
	BaseDelay, MaxDelay time.Duration
	// MaxAttempts bounds attempts (default 5).
	MaxAttempts int
	// MaxRetryAfter is the longest Retry-After it will honour; beyond, it
	// gives up (default 10 s).
	MaxRetryAfter time.Duration
	// APIKeyAuth sends the API key itself instead of OAuth access tokens.
	APIKeyAuth bool

	once   sync.Once // fills the zero fields, once: cases share the client
	mu     sync.Mutex
	tokens map[string]string // API key → access token
	tr     *http.Transport
}

// transport is the client's connection pool, one per Client as an
// application would have.
func (c *Client) transport() *http.Transport {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr == nil {
		c.tr = &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	}
	return c.tr
}

func (c *Client) defaults() {
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = 500 * time.Millisecond
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = 8 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 5
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = 10 * time.Second
	}
}

// apiError is an answer the client does not retry, or the last one.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// request is one logical operation, retried as a whole.
type request struct {
	method, path string
	body         any
	unsafe       bool // carries an Idempotency-Key
}

// do performs a request with retries and decodes the final 2xx answer.
func (c *Client) do(ctx context.Context, env conformance.Env, rq request, out any) error {
	c.once.Do(c.defaults)
	httpc := &http.Client{Timeout: c.Timeout, Transport: c.transport()}
	if c.Flaw == NoTimeout {
		httpc.Timeout = 0
	}
	key := newKey()
	refreshed := false
	for attempt := 1; ; attempt++ {
		if c.Flaw == NewKeyPerRetry {
			key = newKey()
		}
		body := rq.body
		if c.Flaw == ChangesBody && attempt > 1 {
			body = withRetryNote(body, attempt)
		}
		resp, raw, err := c.send(ctx, httpc, env, rq, key, body)
		if err == nil && resp.StatusCode/100 == 2 {
			c.respectRateLimit(ctx, resp.Header)
			if out != nil {
				return json.Unmarshal(raw, out)
			}
			return nil
		}
		if err == nil && resp.StatusCode == http.StatusUnauthorized && strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) && !c.APIKeyAuth && !refreshed {
			// The token expired: get a new one, once, and replay.
			refreshed = true
			c.forgetToken(env)
			attempt--
			continue
		}
		var wait time.Duration
		if err == nil {
			if !c.retryable(resp.StatusCode) {
				return &apiError{Status: resp.StatusCode, Body: string(raw)}
			}
			var giveUp bool
			wait, giveUp = c.retryAfter(resp.Header)
			if giveUp {
				return &apiError{Status: resp.StatusCode, Body: "Retry-After too long: " + resp.Header.Get("Retry-After")}
			}
		} else if ctx.Err() != nil {
			return err
		}
		if attempt >= c.MaxAttempts && c.Flaw != RetriesForever {
			if err != nil {
				return err
			}
			return &apiError{Status: resp.StatusCode, Body: string(raw)}
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

func (c *Client) send(ctx context.Context, httpc *http.Client, env conformance.Env, rq request, key string, body any) (*http.Response, []byte, error) {
	var rd io.Reader
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
		// Not a *bytes.Reader: net/http would then replay the request by
		// itself on a reset reused connection (it has an Idempotency-Key),
		// below this client's retry loop — and the suite judges this loop.
		rd = io.MultiReader(bytes.NewReader(raw))
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, env.BaseURL+rq.path, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.ContentLength = int64(len(raw))
	}
	auth, err := c.authorization(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("User-Agent", "sandbank-refclient/1 ("+string(c.Flaw)+")")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.unsafe && c.Flaw != NoKey {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, nil, err // a stalled or broken body is a failed attempt
	}
	return resp, answer, nil
}

func (c *Client) retryable(status int) bool {
	switch status {
	case 409, 429, 500, 502, 503, 504:
		return true
	}
	return c.Flaw == RetriesClientErrors && status/100 == 4
}

// retryAfter reads Retry-After: the wait it asks for, and whether it is
// too long to honour.
func (c *Client) retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	if d > c.MaxRetryAfter {
		return 0, true
	}
	if c.Flaw == IgnoresRetryAfter {
		return 0, false
	}
	return max(d, 0), false
}

// respectRateLimit waits when the answer says the window is used up
// (RateLimit: "default";r=0;t=5).
func (c *Client) respectRateLimit(ctx context.Context, h http.Header) {
	v := h.Get("RateLimit")
	if !strings.Contains(v, ";r=0;") && !strings.HasSuffix(v, ";r=0") {
		return
	}
	if i := strings.Index(v, ";t="); i >= 0 {
		if n, err := strconv.Atoi(strings.SplitN(v[i+3:], ";", 2)[0]); err == nil && time.Duration(n)*time.Second <= c.MaxRetryAfter {
			sleep(ctx, time.Duration(n)*time.Second)
		}
	}
}

// backoff is the wait before attempt+1: exponential, with equal jitter.
func (c *Client) backoff(attempt int) time.Duration {
	if c.Flaw == NoBackoff {
		return 0
	}
	d := time.Duration(float64(c.BaseDelay) * math.Pow(2, float64(attempt-1)))
	d = min(d, c.MaxDelay)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func withRetryNote(body any, attempt int) any {
	raw, _ := json.Marshal(body)
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return body
	}
	m["description"] = fmt.Sprintf("%v (attempt %d)", m["description"], attempt)
	return m
}

// Authentication: OAuth client credentials, one token cached per tenant.

func (c *Client) authorization(ctx context.Context, env conformance.Env) (string, error) {
	if c.APIKeyAuth {
		return "Bearer " + env.APIKey, nil
	}
	c.mu.Lock()
	tok := c.tokens[env.APIKey]
	c.mu.Unlock()
	if tok != "" {
		return "Bearer " + tok, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {env.ClientID}, "client_secret": {env.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "sandbank-refclient/1")
	resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: c.transport()}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&t) != nil || t.AccessToken == "" {
		return "", fmt.Errorf("token endpoint answered %d", resp.StatusCode)
	}
	c.mu.Lock()
	if c.tokens == nil {
		c.tokens = map[string]string{}
	}
	c.tokens[env.APIKey] = t.AccessToken
	c.mu.Unlock()
	return "Bearer " + t.AccessToken, nil
}

func (c *Client) forgetToken(env conformance.Env) {
	c.mu.Lock()
	delete(c.tokens, env.APIKey)
	c.mu.Unlock()
}

// The operations.

func (c *Client) CreatePayment(ctx context.Context, env conformance.Env, in conformance.PaymentInput) (conformance.Created, error) {
	var out conformance.Created
	err := c.do(ctx, env, request{method: http.MethodPost, path: "/v1/payments", unsafe: true, body: map[string]any{
		"amount": in.Amount, "currency": in.Currency, "confirm": true, "description": in.Description,
		"payment_method_data": map[string]any{"type": "card", "card": in.Card},
	}}, &out)
	return out, err
}

func (c *Client) CreateTransfer(ctx context.Context, env conformance.Env, in conformance.TransferInput) (conformance.Created, error) {
	var out conformance.Created
	err := c.do(ctx, env, request{method: http.MethodPost, path: "/v1/transfers", unsafe: true, body: map[string]any{
		"rail": "pix", "debtor_account_id": in.AccountID, "amount": in.Amount, "currency": in.Currency,
		"creditor": map[string]any{"pix_key": in.PixKey}, "description": in.Description,
	}}, &out)
	return out, err
}

func (c *Client) CreateRefund(ctx context.Context, env conformance.Env, in conformance.RefundInput) (conformance.Created, error) {
	var out conformance.Created
	err := c.do(ctx, env, request{method: http.MethodPost, path: "/v1/refunds", unsafe: true, body: in}, &out)
	return out, err
}

func (c *Client) GetPayment(ctx context.Context, env conformance.Env, in conformance.GetInput) (conformance.PaymentOutput, error) {
	var out conformance.PaymentOutput
	err := c.do(ctx, env, request{method: http.MethodGet, path: "/v1/payments/" + url.PathEscape(in.ID)}, &out)
	return out, err
}

func (c *Client) ListTransactions(ctx context.Context, env conformance.Env, in conformance.ListInput) (conformance.ListOutput, error) {
	var out conformance.ListOutput
	cursor := ""
	for {
		var page struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			HasMore    bool   `json:"has_more"`
			NextCursor string `json:"next_cursor"`
		}
		path := fmt.Sprintf("/v1/accounts/%s/transactions?limit=%d", url.PathEscape(in.AccountID), in.PageSize)
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.do(ctx, env, request{method: http.MethodGet, path: path}, &page); err != nil {
			return out, err
		}
		for _, d := range page.Data {
			out.IDs = append(out.IDs, d.ID)
		}
		if !page.HasMore || c.Flaw == StopsAfterFirstPage {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
