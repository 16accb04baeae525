package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Pagination and rate limits.

// statement picks the BRL account with the longest statement and grows it
// to at least n lines (inbound credits), returning its id.
func statement(ctx context.Context, r *TenantRun, n int) (string, []string, error) {
	var page struct {
		Data []account `json:"data"`
	}
	if err := r.t.do(ctx, "GET", "/v1/accounts?limit=100&currency=BRL", nil, 200, &page); err != nil {
		return "", nil, err
	}
	if len(page.Data) == 0 {
		return "", nil, fmt.Errorf("the tenant has no BRL account")
	}
	best, bestIDs := "", []string(nil)
	for _, a := range page.Data {
		ids, err := r.t.transactionIDs(ctx, a.ID)
		if err != nil {
			return "", nil, err
		}
		if len(ids) > len(bestIDs) || best == "" {
			best, bestIDs = a.ID, ids
		}
	}
	for len(bestIDs) < n {
		for range n - len(bestIDs) {
			if err := r.t.credit(ctx, best, 100, "BRL"); err != nil {
				return "", nil, err
			}
		}
		ids, err := r.t.transactionIDs(ctx, best)
		if err != nil {
			return "", nil, err
		}
		bestIDs = ids
	}
	return best, bestIDs, nil
}

// shortestStatement picks the BRL account with the fewest lines (at least two).
func shortestStatement(ctx context.Context, r *TenantRun) (string, int, error) {
	var page struct {
		Data []account `json:"data"`
	}
	if err := r.t.do(ctx, "GET", "/v1/accounts?limit=100&currency=BRL", nil, 200, &page); err != nil {
		return "", 0, err
	}
	best, lines := "", 0
	for _, a := range page.Data {
		ids, err := r.t.transactionIDs(ctx, a.ID)
		if err != nil {
			return "", 0, err
		}
		if len(ids) >= 2 && (best == "" || len(ids) < lines) {
			best, lines = a.ID, len(ids)
		}
	}
	if best == "" {
		return "", 0, fmt.Errorf("the tenant has no BRL account with two statement lines")
	}
	return best, lines, nil
}

var pg01 = &Case{
	ID: "PG-01", Title: "pagination follows the cursor to the end", Level: Must,
	Standard: "cursor pagination (Stripe starting_after/has_more; RFC 8288 Link)",
	Needs:    []Operation{OpListTransactions},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		acct, snapshot, err := statement(ctx, r, 250)
		if err != nil {
			return suiteError(err)
		}
		// The second page waits a second; meanwhile new lines are booked.
		if err := r.Arm(ctx, rule("listAccountTransactions", 2, "latency=1s")); err != nil {
			return suiteError(err)
		}
		mark, err := r.Mark(ctx)
		if err != nil {
			return suiteError(err)
		}
		inserted := make(chan error, 1)
		go func() { inserted <- insertDuringWalk(ctx, h, r, acct, mark) }()
		o := r.Perform(ctx, "walk", fmt.Sprintf("%d statement lines, pages of 100; while the second page is served 3 new lines are booked", len(snapshot)),
			OpListTransactions, ListInput{AccountID: acct, PageSize: 100}, h.limit())
		if err := <-inserted; err != nil && !o.NotImplemented() {
			return suiteError(err)
		}
		if o.NotImplemented() {
			return notApplicable("the adapter does not implement list_transactions")
		}
		if o.Err != nil {
			return fail("the walk failed: %v", o.Err)
		}
		var got ListOutput
		if err := jsonInto(o.Output, &got); err != nil {
			return fail("list_transactions printed %q, not {\"ids\": [...]}", truncate(string(o.Output), 200))
		}
		pages := o.Attempts("listAccountTransactions")
		for _, p := range pages {
			if strings.Contains(p.Query, "offset=") || strings.Contains(p.Query, "page=") {
				return fail("the client paged with offsets (%s?%s); only the cursor is stable while lines are added", p.Path, p.Query)
			}
		}
		seen := map[string]bool{}
		for _, id := range got.IDs {
			if seen[id] {
				return fail("the walk returned %s twice", id)
			}
			seen[id] = true
		}
		missing := 0
		for _, id := range snapshot {
			if !seen[id] {
				missing++
			}
		}
		if missing > 0 {
			return fail("the walk returned %d ids in %d requests; %d of the %d lines that existed when it started are missing (it must follow next_cursor until has_more is false)", len(got.IDs), len(pages), missing, len(snapshot))
		}
		extra := len(got.IDs) - len(snapshot)
		if extra > 0 && !slices.Equal(got.IDs[extra:], snapshot) {
			return fail("the walk returned lines that were not in the statement")
		}
		return pass("%d lines in %d pages, each once, while 3 new lines were booked during the walk", len(snapshot), len(pages))
	},
}

// insertDuringWalk waits for the walk's first page, then books three lines
// (the second page is held a second meanwhile).
func insertDuringWalk(ctx context.Context, h *Harness, r *TenantRun, acct string, mark int64) error {
	deadline := time.Now().Add(h.limit())
	for time.Now().Before(deadline) && ctx.Err() == nil {
		as, err := r.Journal(ctx, mark) // from the mark: a few entries, not the statement's setup
		if err != nil {
			return err
		}
		pages := ofOperation(as, "listAccountTransactions")
		if len(pages) >= 2 || len(pages) == 1 && pages[0].Outcome != "in_flight" {
			for range 3 {
				if err := r.t.credit(ctx, acct, 100, "BRL"); err != nil {
					return err
				}
			}
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil // the client never listed: judged by the case
}

var rl01 = &Case{
	ID: "RL-01", Title: "RateLimit: no request before the window resets", Level: Should,
	Standard: "draft-ietf-httpapi-ratelimit-headers (RateLimit, RateLimit-Policy)",
	Needs:    []Operation{OpListTransactions},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		acct, lines, err := shortestStatement(ctx, r)
		if err != nil {
			return suiteError(err)
		}
		pageSize := min(100, max(1, (lines+1)/2)) // two pages (three at most)
		// One request per 5 s: the first page's answer says r=0;t=5.
		if err := r.t.settings(ctx, map[string]any{"rate_limit": map[string]any{"requests_per_second": 0.2, "burst": 1}}); err != nil {
			return suiteError(err)
		}
		o := r.Perform(ctx, "walk", `a rate limit of one request per 5 s: each answer carries RateLimit: "default";r=0;t=5`,
			OpListTransactions, ListInput{AccountID: acct, PageSize: pageSize}, h.limit())
		if o.NotImplemented() {
			return notApplicable("the adapter does not implement list_transactions")
		}
		pages := o.Attempts("listAccountTransactions")
		if len(pages) < 2 {
			return notApplicable("the client made a single request")
		}
		g := gap(pages[0], pages[1])
		if pages[1].Status == 429 || g < 4900*time.Millisecond {
			return fail(`the answer said RateLimit: "default";r=0;t=5 and the client sent its next request %s later (%s)`, ms(g), answer(pages[1]))
		}
		return pass("the client waited %s for the window to reset", ms(g))
	},
}
