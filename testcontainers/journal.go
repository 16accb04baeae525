package sandbank

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// JournalEntry is one request a tenant's client sent, or one webhook
// delivery attempt sandbank made, as GET /_sandbank/journal reports it.
// Fields the API sends as null are zero here.
type JournalEntry struct {
	ID             int64               `json:"id"`   // position in the tenant's journal, from 1
	Kind           string              `json:"kind"` // "request" or "webhook"
	Webhook        *JournalWebhook     `json:"webhook"`
	RequestID      string              `json:"request_id"`
	ConnectionID   string              `json:"connection_id"`
	ArrivedAt      time.Time           `json:"arrived_at"`   // wall clock
	VirtualTime    time.Time           `json:"virtual_time"` // the tenant's clock
	Method         string              `json:"method"`
	Path           string              `json:"path"`
	Query          string              `json:"query"`
	Route          string              `json:"route"` // the path template that matched
	OperationID    string              `json:"operation_id"`
	Headers        map[string][]string `json:"headers"` // secrets masked
	BodySHA256     string              `json:"body_sha256"`
	BodyBytes      int64               `json:"body_bytes"`
	IdempotencyKey string              `json:"idempotency_key"`
	Status         int                 `json:"status"`  // 0: no response was sent
	Outcome        string              `json:"outcome"` // completed, connection_reset, hung, …
	Replayed       bool                `json:"replayed"`
	ProblemCode    string              `json:"problem_code"`
	ResourceID     string              `json:"resource_id"` // what a successful request created or acted on
	DurationMicros int64               `json:"duration_us"`
	Fault          *InjectedFault      `json:"fault"`
}

// JournalWebhook says which event a webhook delivery attempt carried to
// which endpoint.
type JournalWebhook struct {
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
	Attempt    int    `json:"attempt"`
	Error      string `json:"error"`
}

// InjectedFault is the fault sandbank injected into a request.
type InjectedFault struct {
	Scenario string         `json:"scenario"` // empty for a Sandbank-Fault header
	Rule     string         `json:"rule"`
	Type     string         `json:"type"`
	Phase    string         `json:"phase"` // before, in_flight or after_commit
	Params   map[string]any `json:"params"`
}

// Journal returns the journal of the tenant of key, oldest first, every
// page of it. The journal records its own reads too: earlier Journal calls
// appear in it.
func (c *Container) Journal(ctx context.Context, key string) ([]JournalEntry, error) {
	base, err := c.BaseURL(ctx)
	if err != nil {
		return nil, err
	}
	var entries []JournalEntry
	cursor := ""
	for {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Data       []JournalEntry `json:"data"`
			HasMore    bool           `json:"has_more"`
			NextCursor string         `json:"next_cursor"`
		}
		if err := getJSON(ctx, base+"/_sandbank/journal?"+q.Encode(), key, &page); err != nil {
			return nil, fmt.Errorf("sandbank journal: %w", err)
		}
		entries = append(entries, page.Data...)
		if !page.HasMore || page.NextCursor == "" {
			return entries, nil
		}
		cursor = page.NextCursor
	}
}

// apiClient bounds every call the module makes, whatever the context.
var apiClient = &http.Client{Timeout: 30 * time.Second}

func getJSON(ctx context.Context, u, key string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := apiClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.500s", req.URL.Path, resp.Status, body)
	}
	return json.Unmarshal(body, into)
}
