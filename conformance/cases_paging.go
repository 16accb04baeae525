package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Pagination and rate limits.

// brlStatement is one BRL account and its statement's line ids.
type brlStatement struct {
	account string
	lines   []string
}

// brlStatements reads the statement of every BRL account of the tenant.
func brlStatements(ctx context.Context, r *TenantRun) ([]brlStatement, error) {
	var page struct {
		Data []account `json:"data"`
	}
	if err := r.t.do(ctx, "GET", "/v1/accounts?limit=100&currency=BRL", nil, 200, &page); err != nil {
		return nil, err
	}
	out := make([]brlStatement, 0, len(page.Data))
	for _, a := range page.Data {
		ids, err := r.t.transactionIDs(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, brlStatement{a.ID, ids})
	}
	return out, nil
}

// statement picks the BRL account with the longest statement and grows it
// to at least n lines (inbound credits), returning its id.
func statement(ctx context.Context, r *TenantRun, n int) (string, []string, error) {
	all, err := brlStatements(ctx, r)
	if err != nil {
		return "", nil, err
	}
	if len(all) == 0 {
		return "", nil, fmt.Errorf("the tenant has no BRL account")
	}
	best := slices.MaxFunc(all, func(a, b brlStatement) int { return len(a.lines) - len(b.lines) })
	for len(best.lines) < n {
		for range n - len(best.lines) {
			if err := r.t.credit(ctx, best.account, 100, "BRL"); err != nil {
				return "", nil, err
			}
		}
		if best.lines, err = r.t.transactionIDs(ctx, best.account); err != nil {
			return "", nil, err
		}
	}
	return best.account, best.lines, nil
}

// shortestStatement picks the BRL account with the fewest lines (at least two).
func shortestStatement(ctx context.Context, r *TenantRun) (string, int, error) {
	all, err := brlStatements(ctx, r)
	if err != nil {
		return "", 0, err
	}
	all = slices.DeleteFunc(all, func(s brlStatement) bool { return len(s.lines) < 2 })
	if len(all) == 0 {
		return "", 0, fmt.Errorf("the tenant has no BRL account with two statement lines")
	}
	best := slices.MinFunc(all, func(a, b brlStatement) int { return len(a.lines) - len(b.lines) })
	return best.account, len(best.lines), nil
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
	var err error
	started := poll(ctx, h.limit(), 20*time.Millisecond, func() bool {
		var as []Attempt
		if as, err = r.Journal(ctx, mark); err != nil { // from the mark: a few entries, not the statement's setup
			return true
		}
		pages := ofOperation(as, "listAccountTransactions")
		return len(pages) >= 2 || len(pages) == 1 && pages[0].Outcome != "in_flight"
	})
	if err != nil || !started {
		return err // not started: the client never listed, judged by the case
	}
	for range 3 {
		if err := r.t.credit(ctx, acct, 100, "BRL"); err != nil {
			return err
		}
	}
	return nil
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
