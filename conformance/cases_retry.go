package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sandbank/sandbank/simulator/journal"
)

// Retries: what is retried, how often, how soon, and what is not.

// maxAttempts is the most attempts of one operation the suite accepts
// under a persistent failure.
const maxAttempts = 10

// minFirstGap is the shortest acceptable first backoff.
const minFirstGap = 100 * time.Millisecond

// retried runs one payment under a fault plan and returns its attempts:
// in tenant r, or in a fresh one when r is nil.
func retried(ctx context.Context, h *Harness, r *TenantRun, name, plan, rules string, limit time.Duration) (*Outcome, []Attempt, *Judgement) {
	if r == nil {
		var err error
		if r, err = h.Tenant(ctx); err != nil {
			j := suiteError(err)
			return nil, nil, &j
		}
	}
	if err := r.Rearm(ctx, rules); err != nil {
		j := suiteError(err)
		return nil, nil, &j
	}
	o := r.Perform(ctx, name, plan, OpCreatePayment, paymentInput(h.c.ID, 2000), limit)
	if o.NotImplemented() {
		j := notApplicable("the adapter does not implement create_payment")
		return nil, nil, &j
	}
	return o, o.Attempts("createPayment"), nil
}

// sameKeyRetry judges a run where one retry is expected.
func sameKeyRetry(as []Attempt, what string) Judgement {
	if len(as) < 2 {
		return fail("the client gave up after %s (%s); nothing was applied, a retry was safe", what, answer(as[0]))
	}
	if as[1].Key != as[0].Key {
		return fail("the retry after %s used another Idempotency-Key (%q, first %q)", what, as[1].Key, as[0].Key)
	}
	return pass("the client retried %s after %s, with the same key", ms(gap(as[0], as[1])), what)
}

var rt01 = &Case{
	ID: "RT-01", Title: "retry after a connection reset", Level: Must,
	Standard: "RFC 9110 §9.2.2 (retrying idempotent requests); draft-ietf-httpapi-idempotency-key-header",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		_, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments is read, then the connection is reset (TCP RST), nothing applied",
			rule("createPayment", 1, "reset"), h.limit())
		if j != nil {
			return *j
		}
		if len(as) == 0 {
			return fail("the client sent no payment request")
		}
		return sameKeyRetry(as, "a connection reset")
	},
}

var rt02 = &Case{
	ID: "RT-02", Title: "retry after the client's own timeout", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header; Stripe (retries with the same key)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		hang := h.Options().HangLimit
		_, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments never gets an answer (the server stalls until the client gives up)",
			rule("createPayment", 1, "hang"), hang+h.limit())
		if j != nil {
			return *j
		}
		if len(as) == 0 {
			return fail("the client sent no payment request")
		}
		if as[0].Outcome != "client_closed" {
			return fail("the client never gave up on the stalled request (it waited %s, until the server's cap); without a timeout it cannot retry", ms(time.Duration(as[0].DurationMS)*time.Millisecond))
		}
		return sameKeyRetry(as, fmt.Sprintf("its own timeout (%s)", ms(time.Duration(as[0].DurationMS)*time.Millisecond)))
	},
}

var rt03 = &Case{
	ID: "RT-03", Title: "retry 500, 502, 503 and 504", Level: Must,
	Standard: "RFC 9110 §15.6; Stripe, Adyen retry guidance",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		var notes []string
		for _, code := range []string{"500", "502", "503", "504"} {
			_, as, j := retried(ctx, h, r, code, "the first POST /v1/payments is answered "+code+" with a problem+json body",
				rule("createPayment", 1, code), h.limit())
			if j != nil {
				return *j
			}
			if len(as) < 2 {
				return fail("the client did not retry a %s (nothing was applied; a retry was safe)", code)
			}
			notes = append(notes, fmt.Sprintf("%s → %d attempts", code, len(as)))
		}
		return pass("retried each: %s", strings.Join(notes, ", "))
	},
}

var rt04 = &Case{
	ID: "RT-04", Title: "retry 429", Level: Must,
	Standard: "RFC 6585 §4",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		_, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments is answered 429 with Retry-After: 1",
			rule("createPayment", 1, "rate_limit=1s"), h.limit())
		if j != nil {
			return *j
		}
		if len(as) < 2 {
			return fail("the client did not retry the 429 (too many requests is a reason to wait, not to give up)")
		}
		return pass("retried the 429 after %s", ms(gap(as[0], as[1])))
	},
}

var rt05 = &Case{
	ID: "RT-05", Title: "no retry on 4xx", Level: Must,
	Standard: "RFC 9110 §15.5 (the request must change before it is repeated)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		type variant struct {
			name, plan, rules string
			op                Operation
			input             any
			operationID       string
		}
		problem := func(code int, problem, title string) string {
			return fmt.Sprintf(`{type: status, code: %d, body: {type: "https://sandbank.dev/problems/%s", title: %q, status: %d, code: %s}}`, code, problem, title, code, problem)
		}
		ruleRaw := func(fault string) string {
			return fmt.Sprintf("  - match: { operation: createPayment }\n    nth: 1\n    fault: %s\n", fault)
		}
		declined := paymentInput("RT-05", 2000)
		declined.Card.Number = "4000000000000002"
		variants := []variant{
			{"400", "POST /v1/payments is answered 400 (a validation error)", ruleRaw(problem(400, "validation_error", "The request is invalid")), OpCreatePayment, paymentInput("RT-05", 2000), "createPayment"},
			{"401", "POST /v1/payments is answered 401 (an invalid API key; no token to refresh)", ruleRaw(problem(401, "invalid_api_key", "The API key is not valid")), OpCreatePayment, paymentInput("RT-05", 2000), "createPayment"},
			{"402", "a card that is declined (402 card_declined)", "", OpCreatePayment, declined, "createPayment"},
			{"403", "POST /v1/payments is answered 403 (insufficient scope)", ruleRaw(problem(403, "insufficient_scope", "The credential lacks a scope")), OpCreatePayment, paymentInput("RT-05", 2000), "createPayment"},
			{"404", "GET /v1/payments/{id} of a payment that does not exist", "", OpGetPayment, GetInput{ID: "pay_doesnotexist00000"}, "getPayment"},
			{"422", "POST /v1/payments is answered 422 (the key was used with another body)", ruleRaw(problem(422, "idempotency_key_mismatch", "The Idempotency-Key was used with another request")), OpCreatePayment, paymentInput("RT-05", 2000), "createPayment"},
		}
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		var skipped []string
		for _, v := range variants {
			if err := r.Rearm(ctx, v.rules); err != nil {
				return suiteError(err)
			}
			o := r.Perform(ctx, v.name, v.plan, v.op, v.input, h.limit())
			if o.NotImplemented() {
				if v.op == OpCreatePayment {
					return notApplicable("the adapter does not implement create_payment")
				}
				skipped = append(skipped, v.name+" ("+string(v.op)+" not implemented)")
				continue
			}
			as := o.Attempts(v.operationID)
			if len(as) > 1 {
				return fail("the client retried a %s %d times; a 4xx will fail again until the request changes", v.name, len(as)-1)
			}
		}
		msg := "each 4xx (400, 401, 402, 403, 404, 422) was sent once and not retried"
		if len(skipped) > 0 {
			msg += "; skipped: " + strings.Join(skipped, ", ")
		}
		return pass("%s", msg)
	},
}

var rt06 = &Case{
	ID: "RT-06", Title: "bounded attempts under a persistent failure", Level: Must,
	Standard: "Stripe, AWS and Google retry guidance (cap attempts and total time)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		limit := h.limit()
		o, as, j := retried(ctx, h, nil, "payment", "every POST /v1/payments is answered 503", always("createPayment", "503"), limit)
		if j != nil {
			return *j
		}
		switch {
		case len(as) > maxAttempts:
			return fail("the client made %d attempts against a persistent 503; at most %d expected", len(as), maxAttempts)
		case o.Killed():
			return fail("the client was still retrying after %s (%d attempts): it must give up in bounded time", ms(limit), len(as))
		case o.Err == nil:
			return fail("the adapter reported success although every attempt was answered 503")
		}
		total := time.Duration(0)
		if len(as) > 0 {
			total = as[len(as)-1].ended - as[0].arrived
		}
		return pass("the client gave up after %d attempts in %s", len(as), ms(total))
	},
}

var rt07 = &Case{
	ID: "RT-07", Title: "exponential backoff", Level: Must,
	Standard: "AWS Architecture Blog, Exponential Backoff and Jitter; Google Cloud retry strategy",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		_, as, j := retried(ctx, h, nil, "payment", "the first four POST /v1/payments are answered 503",
			steps("createPayment", "503", "503", "503", "503", "pass"), h.limit())
		if j != nil {
			return *j
		}
		if len(as) < 3 {
			return notApplicable("the client retried fewer than two times, so the growth of its backoff cannot be judged")
		}
		gs := gaps(as)
		if gs[0] < minFirstGap {
			return fail("the first retry came %s after the 503; a backoff starts at %s or more (gaps: %s)", ms(gs[0]), ms(minFirstGap), gapList(gs))
		}
		growth := float64(gs[len(gs)-1]) / float64(gs[0])
		// ×2 per retry, less what full jitter and a loaded machine can take.
		want := math.Max(1.3, math.Pow(2, float64(len(gs)-1))/4)
		if growth < want {
			return fail("the gaps between attempts (%s) grew ×%.1f over %d retries; exponential backoff (×2 each, jitter allowed) grows at least ×%.1f", gapList(gs), growth, len(gs), want)
		}
		return pass("the gaps grew exponentially: %s (×%.1f)", gapList(gs), growth)
	},
}

var rt08 = &Case{
	ID: "RT-08", Title: "jitter between clients", Level: Should,
	Standard: "AWS Architecture Blog, Exponential Backoff and Jitter",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		// K clients at once in one tenant, each told apart by its
		// payment's description; each gets two 503s.
		k := h.Options().JitterRuns
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		var rules strings.Builder
		inputs := make([]PaymentInput, k)
		for i := range k {
			inputs[i] = paymentInput(fmt.Sprintf("RT-08 client %d", i+1), 2000)
			fmt.Fprintf(&rules, "  - match: { operation: createPayment, body: { /description: %q } }\n    steps: [\"503\", \"503\", pass]\n", inputs[i].Description)
		}
		if err := r.Arm(ctx, rules.String()); err != nil {
			return suiteError(err)
		}
		mark, err := r.Mark(ctx)
		if err != nil {
			return suiteError(err)
		}
		var wg sync.WaitGroup
		var notImplemented atomic.Bool
		for i := range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				raw, _ := json.Marshal(inputs[i])
				if _, err, _ := r.invoke(ctx, OpCreatePayment, raw, h.limit()); errors.Is(err, ErrNotImplemented) {
					notImplemented.Store(true)
				}
			}()
		}
		wg.Wait()
		if notImplemented.Load() {
			return notApplicable("the adapter does not implement create_payment")
		}
		all := r.settle(ctx, mark)
		h.record(&RunEvidence{Name: fmt.Sprintf("%d clients", k), Operation: OpCreatePayment, Tenant: journal.MaskCredential(r.Env.APIKey),
			Plan: fmt.Sprintf("%d clients at once; each one's first two POST /v1/payments are answered 503", k), Attempts: all,
			Adapter: AdapterOutcome{Status: "ok"}})
		var sample []float64
		for _, as := range byClient(ofOperation(all, "createPayment")) {
			if len(as) >= 2 {
				sample = append(sample, float64(gap(as[0], as[1])))
			}
		}
		if len(sample) < k/2 {
			return notApplicable("only %d of %d clients retried", len(sample), k)
		}
		mean, cv := coefficientOfVariation(sample)
		if time.Duration(mean) < minFirstGap {
			return fail("%d clients retried %s after a 503 on average: with no backoff, clients that failed together retry together", len(sample), ms(time.Duration(mean)))
		}
		if cv <= 0.05 {
			return fail("%d clients retried after %s on average with a coefficient of variation of %.3f: without jitter, clients that failed together retry together", len(sample), ms(time.Duration(mean)), cv)
		}
		return pass("%d clients' first retries spread with a coefficient of variation of %.2f (mean %s)", len(sample), cv, ms(time.Duration(mean)))
	},
}

// byClient groups attempts made by the same client: those that share an
// Idempotency-Key or a body are one client's (a client may change either
// between retries, rarely both).
func byClient(as []Attempt) [][]Attempt {
	parent := make([]int, len(as))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	first := map[string]int{}
	for i, a := range as {
		for _, id := range []string{"key:" + a.Key, "body:" + a.BodySHA256} {
			if id == "key:" || id == "body:" {
				continue
			}
			if j, ok := first[id]; ok {
				parent[find(i)] = find(j)
			} else {
				first[id] = i
			}
		}
	}
	groups := map[int][]Attempt{}
	var order []int
	for i, a := range as {
		root := find(i)
		if _, ok := groups[root]; !ok {
			order = append(order, root)
		}
		groups[root] = append(groups[root], a)
	}
	out := make([][]Attempt, 0, len(order))
	for _, root := range order {
		out = append(out, groups[root])
	}
	return out
}

func coefficientOfVariation(xs []float64) (mean, cv float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(v / float64(len(xs)))
	if mean <= 0 {
		return mean, 0
	}
	return mean, sd / mean
}

func gapList(gs []time.Duration) string {
	var s []string
	for _, g := range gs {
		s = append(s, ms(g))
	}
	return strings.Join(s, ", ")
}

// Retry-After.

// honoured judges the wait after a response carrying Retry-After.
func honoured(as []Attempt, header string) Judgement {
	if len(as) < 2 {
		return notApplicable("the client did not retry, so its wait cannot be judged (see RT-03)")
	}
	wait, ok := parseRetryAfter(as[0].retryAfter, as[0].endedWall)
	if !ok {
		return Judgement{Error, fmt.Sprintf("the suite could not read the Retry-After it sent (%q)", as[0].retryAfter)}
	}
	waited := as[1].arrivedWall.Sub(as[0].endedWall)
	if waited+50*time.Millisecond < wait {
		return fail("the client retried %s after a 503 with Retry-After: %s; it had to wait %s", ms(waited), header, ms(wait))
	}
	return pass("the client waited %s after Retry-After: %s (%s asked)", ms(waited), header, ms(wait))
}

var ra01 = &Case{
	ID: "RA-01", Title: "Retry-After in seconds", Level: Must,
	Standard: "RFC 9110 §10.2.3; RFC 6585",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		_, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments is answered 503 with Retry-After: 3",
			rule("createPayment", 1, "status=503;retry_after=3"), h.limit())
		if j != nil {
			return *j
		}
		return honoured(as, "3")
	},
}

var ra02 = &Case{
	ID: "RA-02", Title: "Retry-After as an HTTP-date", Level: Must,
	Standard: "RFC 9110 §10.2.3, §5.6.7 (IMF-fixdate)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		_, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments is answered 503 with Retry-After as an HTTP-date 3 s ahead",
			rule("createPayment", 1, "status=503;retry_after=3;retry_after_format=date"), h.limit())
		if j != nil {
			return *j
		}
		if len(as) > 0 {
			return honoured(as, as[0].retryAfter)
		}
		return fail("the client sent no payment request")
	},
}

var ra03 = &Case{
	ID: "RA-03", Title: "an excessive Retry-After is capped or given up on", Level: Must,
	Standard: "RFC 9110 §10.2.3 (the client decides how long it will wait)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		limit := h.Options().RetryAfterLimit
		o, as, j := retried(ctx, h, nil, "payment", "the first POST /v1/payments is answered 503 with Retry-After: 86400 (a day)",
			rule("createPayment", 1, "status=503;retry_after=86400"), limit)
		if j != nil {
			return *j
		}
		switch {
		case o.Killed():
			return fail("the client was still waiting %s after Retry-After: 86400; it must give up or cap the wait", ms(limit))
		case len(as) >= 2:
			return pass("the client capped the wait: it retried after %s", ms(gap(as[0], as[1])))
		}
		return pass("the client gave up at once on Retry-After: 86400")
	},
}

// Timeouts and tokens.

var to01 = &Case{
	ID: "TO-01", Title: "the client gives up on a request that never answers", Level: Must,
	Standard: "every HTTP client needs a timeout (connect, headers, body)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		hang := h.Options().HangLimit
		variants := []struct{ name, fault, plan string }{
			{"no response", "hang", "the first POST /v1/payments is read and never answered"},
			{"stalled body", "hang;headers", "the first POST /v1/payments gets its status and headers, then the body stalls"},
		}
		// Both at once, each in its own tenant: each may take the whole limit.
		judgements := make([]Judgement, len(variants))
		var wg sync.WaitGroup
		for i, v := range variants {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, as, j := retried(ctx, h, nil, v.name, v.plan, rule("createPayment", 1, v.fault), hang+h.limit())
				switch {
				case j != nil:
					judgements[i] = *j
				case len(as) == 0:
					judgements[i] = fail("the client sent no payment request")
				default:
					took := time.Duration(as[0].DurationMS) * time.Millisecond
					if as[0].Outcome != "client_closed" || took > hang {
						judgements[i] = fail("%s: the client waited %s without giving up (the limit is %s); it has no timeout for this", v.name, ms(took), ms(hang))
					} else {
						judgements[i] = pass("%s: gave up after %s", v.name, ms(took))
					}
				}
			}()
		}
		wg.Wait()
		var notes []string
		for _, j := range judgements {
			if j.Verdict != Pass {
				return j
			}
			notes = append(notes, j.Reason)
		}
		return pass("%s", strings.Join(notes, "; "))
	},
}

var au01 = &Case{
	ID: "AU-01", Title: "an expired token is refreshed once", Level: Must,
	Standard: "RFC 6750 §3.1 (invalid_token); RFC 6749 §4.4",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		expired := "  - match: { operation: createPayment }\n    nth: 1\n    fault: {type: status, code: 401, headers: {WWW-Authenticate: 'Bearer error=\"invalid_token\", error_description=\"The access token expired\"'}, body: {type: \"https://sandbank.dev/problems/invalid_token\", title: \"The access token is not valid\", status: 401, code: invalid_token}}\n"
		if err := r.Arm(ctx, expired); err != nil {
			return suiteError(err)
		}
		o := r.Perform(ctx, "expired token", "the first POST /v1/payments is answered 401 with WWW-Authenticate: Bearer error=\"invalid_token\"", OpCreatePayment, paymentInput("AU-01", 2100), h.limit())
		if o.NotImplemented() {
			return notApplicable("the adapter does not implement create_payment")
		}
		all := o.Evidence.Attempts
		pays := ofOperation(all, "createPayment")
		tokens := ofOperation(all, "createToken")
		if len(pays) == 0 {
			return fail("the client sent no payment request")
		}
		if len(tokens) == 0 && strings.Contains(pays[0].Auth, "sk_test_") {
			return notApplicable("the client authenticates with its API key, not with OAuth access tokens")
		}
		refreshes := 0
		for _, t := range tokens {
			if t.arrived > pays[0].arrived {
				refreshes++
			}
		}
		switch {
		case len(pays) < 2:
			return fail("after 401 invalid_token the client did not get a new token and replay the request")
		case refreshes != 1:
			return fail("after 401 invalid_token the client asked for %d new tokens; exactly one expected", refreshes)
		case len(pays) > 2:
			return fail("after the refresh the client sent the payment %d more times; one replay expected", len(pays)-1)
		case pays[1].Auth == pays[0].Auth:
			return fail("the replay carried the same Authorization as the refused request")
		case pays[1].Key != pays[0].Key:
			return fail("the replay used another Idempotency-Key (%q, first %q)", pays[1].Key, pays[0].Key)
		}
		// A 403 is not a token problem: no refresh, no retry.
		if err := r.Arm(ctx, "  - match: { operation: createPayment }\n    nth: 1\n    fault: {type: status, code: 403, body: {type: \"https://sandbank.dev/problems/insufficient_scope\", title: \"The credential lacks a scope\", status: 403, code: insufficient_scope}}\n"); err != nil {
			return suiteError(err)
		}
		o = r.Perform(ctx, "forbidden", "the first POST /v1/payments is answered 403 insufficient_scope", OpCreatePayment, paymentInput("AU-01 403", 2200), h.limit())
		forbidden := o.Attempts("createPayment")
		if len(forbidden) == 0 {
			return fail("the client sent no payment request")
		}
		for _, t := range ofOperation(o.Evidence.Attempts, "createToken") {
			if t.arrived > forbidden[0].ended { // a token fetched before is the client's own business
				return fail("after a 403 the client asked for a new token; a 403 is not an expired token")
			}
		}
		if n := len(forbidden); n > 1 {
			return fail("after a 403 the client sent the payment %d times", n)
		}
		return pass("one token request after 401 invalid_token, one replay with the new token and the same key; no refresh on 403")
	},
}
