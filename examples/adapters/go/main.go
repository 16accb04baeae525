// Command go-adapter is an example adapter for sandbank's client
// conformance suite (docs/conformance.md), written the way an application
// would write its own payment-provider client: the standard library, plus
// the Standard Webhooks library to verify webhooks.
//
//	go build -o go-adapter ./examples/adapters/go
//	sandbank conformance run --adapter ./go-adapter
//
// The suite runs `go-adapter <operation>` once per operation, with the
// operation's input (JSON) on stdin and SANDBANK_* in the environment; it
// prints the result (JSON) on stdout. Exit status 0: done; 3: not
// implemented; anything else: the client gave up.
//
// To grade YOUR client, replace the Client below (everything between the
// two "your client" markers) with calls into your own code, keeping its
// real retry policy, timeouts and key handling.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-adapter <operation> < input.json")
		os.Exit(2)
	}
	// The suite stops serve_webhooks (and anything that overruns) with SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	c := &Client{
		BaseURL:      os.Getenv("SANDBANK_BASE_URL"),
		ClientID:     os.Getenv("SANDBANK_CLIENT_ID"),
		ClientSecret: os.Getenv("SANDBANK_CLIENT_SECRET"),
		TokenURL:     os.Getenv("SANDBANK_TOKEN_URL"),
	}
	in := json.NewDecoder(os.Stdin)
	var out any
	var err error
	switch op := os.Args[1]; op {
	case "create_payment":
		var p struct {
			Amount      int64  `json:"amount"`
			Currency    string `json:"currency"`
			Description string `json:"description"`
			Card        Card   `json:"card"`
		}
		if err = in.Decode(&p); err == nil {
			out, err = c.CreatePayment(ctx, p.Amount, p.Currency, p.Description, p.Card)
		}
	case "create_transfer":
		var p struct {
			AccountID   string `json:"account_id"`
			Amount      int64  `json:"amount"`
			Currency    string `json:"currency"`
			PixKey      string `json:"pix_key"`
			Description string `json:"description"`
		}
		if err = in.Decode(&p); err == nil {
			out, err = c.CreateTransfer(ctx, p.AccountID, p.Amount, p.Currency, p.PixKey, p.Description)
		}
	case "create_refund":
		var p struct {
			PaymentID string `json:"payment_id"`
			Amount    int64  `json:"amount"`
		}
		if err = in.Decode(&p); err == nil {
			out, err = c.CreateRefund(ctx, p.PaymentID, p.Amount)
		}
	case "get_payment":
		var p struct {
			ID string `json:"id"`
		}
		if err = in.Decode(&p); err == nil {
			out, err = c.GetPayment(ctx, p.ID)
		}
	case "list_transactions":
		var p struct {
			AccountID string `json:"account_id"`
			PageSize  int    `json:"page_size"`
		}
		if err = in.Decode(&p); err == nil {
			var ids []string
			ids, err = c.ListTransactions(ctx, p.AccountID, p.PageSize)
			out = map[string]any{"ids": ids}
		}
	case "serve_webhooks":
		var p struct {
			Port   int    `json:"port"`
			Path   string `json:"path"`
			Secret string `json:"secret"`
		}
		if err = in.Decode(&p); err == nil {
			err = serveWebhooks(ctx, c, p.Port, p.Path, p.Secret)
		}
	case "processed_events":
		out, err = processedEvents()
	default:
		fmt.Fprintf(os.Stderr, "operation %q is not implemented\n", op)
		os.Exit(3) // not implemented: the cases that need it are "not applicable"
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gave up:", err)
		os.Exit(1) // the client gave up: the suite judges the traffic, not this status
	}
	if out != nil {
		json.NewEncoder(os.Stdout).Encode(out)
	}
}

// ---- your client: replace from here ------------------------------------

// Client is a small sandbank API client: OAuth client credentials, one
// Idempotency-Key per operation, retries with exponential backoff and
// jitter, Retry-After, a timeout on every attempt.
type Client struct {
	BaseURL                          string
	ClientID, ClientSecret, TokenURL string

	mu        sync.Mutex // the webhook receiver calls it from several goroutines
	token     string     // the current access token
	notBefore time.Time  // RateLimit said the window is used up until then
}

// The retry policy.
const (
	attemptTimeout = 2 * time.Second        // per attempt, the body included
	baseDelay      = 500 * time.Millisecond // first backoff; doubles...
	maxDelay       = 8 * time.Second        // ...up to this
	maxFailures    = 5                      // failed attempts before giving up
	maxRetryAfter  = 10 * time.Second       // a longer Retry-After: give up rather than hang
	deadline       = 30 * time.Second       // for the whole operation, retries included
)

// httpc bounds each attempt as a whole: connect, headers and body.
var httpc = &http.Client{Timeout: attemptTimeout}

// APIError is an answer the client does not retry (or the last one).
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// do sends one logical request — retrying it as a whole — and decodes the
// final 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	var payload []byte
	if body != nil {
		// Marshalled once: every retry sends the very same bytes.
		payload, _ = json.Marshal(body)
	}
	// One key per operation, created BEFORE the first attempt and reused on
	// every retry: that is what lets the server recognise a retry of a
	// payment it already made (after a timeout, a reset...) and answer with
	// that payment instead of charging twice.
	key := ""
	if method == http.MethodPost {
		key = newIdempotencyKey()
	}
	failures, refreshed := 0, false
	for {
		c.mu.Lock()
		notBefore := c.notBefore
		c.mu.Unlock()
		if err := sleep(ctx, time.Until(notBefore)); err != nil {
			return err
		}
		var resp *http.Response
		var raw []byte
		token, err := c.accessToken(ctx)
		if err == nil {
			resp, raw, err = c.send(ctx, method, path, payload, key, token)
		}
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return err // past the deadline, or stopped
		case err != nil:
			// A network error or a timeout: the request may or may not have
			// been applied. Retrying is safe because of the key.
			failures++
		case resp.StatusCode/100 == 2:
			c.noteRateLimit(resp.Header)
			if out == nil {
				return nil
			}
			return json.Unmarshal(raw, out)
		case resp.StatusCode == http.StatusUnauthorized && !refreshed &&
			strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`):
			// The access token expired: get a new one, once, and replay
			// (same key, same body). This is not a failure.
			refreshed = true
			c.forgetToken(token)
			continue
		case !retryable(resp.StatusCode):
			// 400, 401, 402, 403, 404, 422...: the same request will get the
			// same answer. Retrying only adds load (and, for a decline,
			// looks like card testing).
			return &APIError{resp.StatusCode, string(raw)}
		default:
			var ok bool
			if wait, ok = retryAfter(resp.Header); !ok {
				return &APIError{resp.StatusCode, "Retry-After too long: " + resp.Header.Get("Retry-After")}
			}
			// 409: the first request with this key is still running. That
			// is not a failure: wait for it (within the deadline), and the
			// retry gets its result.
			if resp.StatusCode != http.StatusConflict {
				failures++
			}
		}
		if failures == maxFailures {
			if err != nil {
				return err
			}
			return &APIError{resp.StatusCode, string(raw)}
		}
		if wait == 0 {
			wait = backoff(max(failures, 1))
		}
		if err := sleep(ctx, wait); err != nil {
			return err // the wait would go past the deadline
		}
	}
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, method, path string, payload []byte, key, token string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(payload))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body) // a stalled body hits the timeout too
	return resp, raw, err
}

// retryable: conflicts (a request with this key is still in flight), rate
// limits and server errors are worth another try; other 4xx are not.
func retryable(status int) bool {
	switch status {
	case 409, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// retryAfter reads Retry-After (seconds or an HTTP-date): the wait it asks
// for, and false when that is longer than the client is willing to wait.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return max(d, 0), d <= maxRetryAfter
}

// noteRateLimit: `RateLimit: "default";r=0;t=5` says no request is left in
// the window, which resets in 5 s; the next request waits until then.
func (c *Client) noteRateLimit(h http.Header) {
	var remaining, reset = -1, 0
	for _, part := range strings.Split(h.Get("RateLimit"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "r="); ok {
			remaining, _ = strconv.Atoi(v)
		} else if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			reset, _ = strconv.Atoi(v)
		}
	}
	if remaining == 0 && time.Duration(reset)*time.Second <= maxRetryAfter {
		c.mu.Lock()
		c.notBefore = time.Now().Add(time.Duration(reset) * time.Second)
		c.mu.Unlock()
	}
}

// backoff is the wait after the nth failure: exponential with "equal
// jitter" (half fixed, half random), so that clients that failed together
// do not all retry together.
func backoff(n int) time.Duration {
	d := min(baseDelay<<(n-1), maxDelay)
	return d/2 + mrand.N(d/2+1)
}

// sleep waits d, or gives up at once when the context would end first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
		return context.DeadlineExceeded
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newIdempotencyKey: 128 random bits.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// accessToken returns the current access token, or gets one with the
// client credentials grant.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := httpc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&t) != nil || t.AccessToken == "" {
		return "", fmt.Errorf("the token endpoint answered %d", resp.StatusCode)
	}
	c.token = t.AccessToken
	return c.token, nil
}

// forgetToken drops an expired token (unless another request has already
// replaced it).
func (c *Client) forgetToken(expired string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == expired {
		c.token = ""
	}
}

// The API calls.

type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
}

type Created struct {
	ID string `json:"id"`
}

type Payment struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func (c *Client) CreatePayment(ctx context.Context, amount int64, currency, description string, card Card) (Created, error) {
	var out Created
	err := c.do(ctx, http.MethodPost, "/v1/payments", map[string]any{
		"amount": amount, "currency": currency, "confirm": true, "description": description,
		"payment_method_data": map[string]any{"type": "card", "card": card},
	}, &out)
	return out, err
}

func (c *Client) CreateTransfer(ctx context.Context, accountID string, amount int64, currency, pixKey, description string) (Created, error) {
	var out Created
	err := c.do(ctx, http.MethodPost, "/v1/transfers", map[string]any{
		"rail": "pix", "debtor_account_id": accountID, "amount": amount, "currency": currency,
		"creditor": map[string]any{"pix_key": pixKey}, "description": description,
	}, &out)
	return out, err
}

func (c *Client) CreateRefund(ctx context.Context, paymentID string, amount int64) (Created, error) {
	var out Created
	err := c.do(ctx, http.MethodPost, "/v1/refunds", map[string]any{"payment_id": paymentID, "amount": amount}, &out)
	return out, err
}

func (c *Client) GetPayment(ctx context.Context, id string) (Payment, error) {
	var out Payment
	err := c.do(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(id), nil, &out)
	return out, err
}

// ListTransactions walks every page with the cursor (never offsets: lines
// booked during the walk would shift them).
func (c *Client) ListTransactions(ctx context.Context, accountID string, pageSize int) ([]string, error) {
	ids := []string{}
	cursor := ""
	for {
		var page struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			HasMore    bool   `json:"has_more"`
			NextCursor string `json:"next_cursor"`
		}
		path := fmt.Sprintf("/v1/accounts/%s/transactions?limit=%d", url.PathEscape(accountID), pageSize)
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return ids, err
		}
		for _, t := range page.Data {
			ids = append(ids, t.ID)
		}
		if !page.HasMore {
			return ids, nil
		}
		cursor = page.NextCursor
	}
}

// ---- your client: replace up to here -----------------------------------

// The webhook receiver. It keeps what it did in a file in
// SANDBANK_STATE_DIR, because processed_events runs in another process.

type state struct {
	Events    []string          `json:"events"`    // one entry per time an event was acted on
	Resources map[string]string `json:"resources"` // payment → the status we now believe it has
}

var (
	mu       sync.Mutex
	current  = state{Events: []string{}, Resources: map[string]string{}}
	claimed  = map[string]bool{} // webhook-ids being or already processed
	stateDir = os.Getenv("SANDBANK_STATE_DIR")
)

// save writes the state atomically (a temporary file, then a rename), so
// that processed_events never reads a half-written file. Call with mu held.
func save() error {
	raw, _ := json.Marshal(current)
	tmp := filepath.Join(stateDir, "webhooks.json.tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(stateDir, "webhooks.json"))
}

func serveWebhooks(ctx context.Context, c *Client, port int, path, secret string) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		// Verify BEFORE parsing or acting: the signature (any of the
		// space-separated v1 signatures may match, which is how a secret
		// rotation works) and the timestamp (at most 5 minutes off, either
		// way: an old delivery replayed by an attacker is rejected).
		if err := wh.Verify(body, r.Header); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var ev struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "not an event", http.StatusBadRequest)
			return
		}
		// Deduplicate by webhook-id: deliveries are at-least-once, so the
		// same event can come twice (a retry after a lost 2xx), or several
		// times at once. A duplicate is acknowledged (2xx) and ignored.
		id := r.Header.Get("webhook-id")
		mu.Lock()
		dup := claimed[id]
		claimed[id] = true
		mu.Unlock()
		if dup {
			w.WriteHeader(http.StatusOK)
			return
		}
		// Act. Events may arrive out of order (payment.succeeded before
		// payment.created), so do not derive the state from the event:
		// re-read the payment and record what the API says now.
		status := ""
		if strings.HasPrefix(ev.Type, "payment.") {
			p, err := c.GetPayment(r.Context(), ev.Data.ID)
			if err != nil {
				mu.Lock()
				delete(claimed, id) // not processed: let the redelivery try again
				mu.Unlock()
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
			status = p.Status
		}
		mu.Lock()
		current.Events = append(current.Events, ev.ID)
		if status != "" {
			current.Resources[ev.Data.ID] = status
		}
		err = save()
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done() // SIGTERM: the suite is done with the receiver
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// processedEvents reports what the receiver (another process) recorded.
func processedEvents() (state, error) {
	s := state{Events: []string{}, Resources: map[string]string{}}
	raw, err := os.ReadFile(filepath.Join(stateDir, "webhooks.json"))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil // nothing processed yet
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(raw, &s)
}
