package conformance

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Idempotency keys: present, reused on retry, distinct per operation,
// paired with an unchanged body, and patient with a request in flight.

var ik01 = &Case{
	ID: "IK-01", Title: "Idempotency-Key present on unsafe requests", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header §2; Stripe; UK Open Banking",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		// The tenant requires keys, as a real provider may: a request
		// without one is refused (400 idempotency_key_required).
		if err := r.t.settings(ctx, map[string]any{"idempotency": map[string]any{"key": "required"}}); err != nil {
			return suiteError(err)
		}
		plan := "no fault; the tenant requires an Idempotency-Key on money-moving POSTs"
		first := r.Perform(ctx, "first payment", plan, OpCreatePayment, paymentInput("IK-01", 1500), h.limit())
		if first.NotImplemented() {
			return notApplicable("the adapter does not implement create_payment")
		}
		second := r.Perform(ctx, "second payment", plan, OpCreatePayment, paymentInput("IK-01 second", 2500), h.limit())
		runs := []*Outcome{first, second}
		ops := []string{"createPayment", "createPayment"}
		if id := createdID(first); id != "" {
			refund := r.Perform(ctx, "refund", plan, OpCreateRefund, RefundInput{PaymentID: id, Amount: 500}, h.limit())
			if !refund.NotImplemented() {
				runs, ops = append(runs, refund), append(ops, "createRefund")
			}
		}
		seen := map[string]string{}
		for i, o := range runs {
			as := o.Attempts(ops[i])
			if len(as) == 0 {
				return fail("the %s sent no %s request", o.Evidence.Name, ops[i])
			}
			for _, a := range as {
				switch {
				case a.Key == "":
					return fail("%s (%s) was sent without an Idempotency-Key (answered %s)", a.Method+" "+a.Path, o.Evidence.Name, answer(a))
				case len(a.Key) > 255:
					return fail("the Idempotency-Key of %s is %d characters long; 255 at most", o.Evidence.Name, len(a.Key))
				}
			}
			key := as[0].Key
			if bits := keyEntropy(key); bits < 64 {
				return fail("the Idempotency-Key %q carries about %.0f bits of randomness; at least 64 are needed (a UUID v4 has 122)", key, bits)
			}
			if other, ok := seen[key]; ok {
				return fail("the %s and the %s used the same Idempotency-Key %q", other, o.Evidence.Name, key)
			}
			seen[key] = o.Evidence.Name
		}
		return pass("every unsafe request carried its own Idempotency-Key, each with at least 64 bits of randomness (%d operations)", len(runs))
	},
}

// keyEntropy estimates the randomness of a key from its length and the
// kinds of characters it uses (a UUID's dashes carry none).
func keyEntropy(key string) float64 {
	var digit, lower, upper, other bool
	n := 0
	for _, r := range key {
		switch {
		case r == '-' && len(key) == 36: // UUID punctuation
			continue
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		default:
			other = true
		}
		n++
	}
	alphabet := 0
	if digit {
		alphabet += 10
	}
	if lower {
		alphabet += 26
	}
	if upper {
		alphabet += 26
	}
	if other {
		alphabet += 4
	}
	if isHex(key) {
		alphabet = 16
	}
	if alphabet < 2 {
		return 0
	}
	return float64(n) * math.Log2(float64(alphabet))
}

func isHex(s string) bool {
	s = strings.ReplaceAll(s, "-", "")
	for _, r := range strings.ToLower(s) {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return s != ""
}

var ik02 = &Case{
	ID: "IK-02", Title: "the same key on every retry; one resource", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header; Stripe",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		variants := []struct{ name, fault, plan string }{
			{"commit, then reset", "reset;phase=after_commit", "the first POST /v1/payments is applied, then its connection is reset before the response"},
			{"503 before commit", "503", "the first POST /v1/payments is answered 503 without being applied"},
		}
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		var notes []string
		for i, v := range variants {
			if err := r.Arm(ctx, rule("createPayment", 1, v.fault)); err != nil {
				return suiteError(err)
			}
			o := r.Perform(ctx, v.name, v.plan, OpCreatePayment, paymentInput("IK-02", 1500+int64(i)), h.limit())
			if o.NotImplemented() {
				return notApplicable("the adapter does not implement create_payment")
			}
			as := o.Attempts("createPayment")
			if len(as) < 2 {
				return notApplicable("after %q the client did not retry, so key reuse cannot be judged (see RT-01, RT-03)", v.name)
			}
			if ks := keys(as); len(ks) != 1 {
				return fail("%s: the retries used %d different Idempotency-Keys (%s); each was a new payment to the provider", v.name, len(ks), quoteList(ks))
			}
			created := resources(as)
			if len(created) != 1 {
				return fail("%s: %d payments were created (%s); exactly one expected", v.name, len(created), strings.Join(created, ", "))
			}
			if v.fault != "503" && !anyReplayed(as) {
				return fail("%s: no retry got the stored response (Idempotent-Replayed: true)", v.name)
			}
			notes = append(notes, fmt.Sprintf("%s: %d attempts, one key, one payment", v.name, len(as)))
		}
		return pass("%s", strings.Join(notes, "; "))
	},
}

var ik03 = &Case{
	ID: "IK-03", Title: "distinct operations get distinct keys", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header §2.2 (422 on reuse); Stripe (400 idempotency_error)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		a := r.Perform(ctx, "payment A", "no fault", OpCreatePayment, paymentInput("IK-03 A", 1100), h.limit())
		if a.NotImplemented() {
			return notApplicable("the adapter does not implement create_payment")
		}
		b := r.Perform(ctx, "payment B", "no fault", OpCreatePayment, paymentInput("IK-03 B", 2200), h.limit())
		all := append(a.Attempts("createPayment"), b.Attempts("createPayment")...)
		if len(keys(all)) == 1 && keys(all)[0] == "" {
			return notApplicable("the client sends no Idempotency-Key at all (see IK-01)")
		}
		bodies := map[string]string{}
		for _, at := range all {
			if at.Key == "" {
				continue
			}
			if prev, ok := bodies[at.Key]; ok && prev != at.BodySHA256 {
				return fail("the Idempotency-Key %q was sent with two different bodies (two different payments); the provider refuses the second (%s)", at.Key, answer(at))
			}
			bodies[at.Key] = at.BodySHA256
		}
		// A refused reuse must not be retried unchanged.
		for i, at := range all {
			if at.Problem == "idempotency_key_mismatch" || at.Problem == "idempotency_error" {
				if i+1 < len(all) && all[i+1].Key == at.Key {
					return fail("after %s the client retried with the same key", answer(at))
				}
			}
		}
		return pass("two different payments were sent with two different keys")
	},
}

var ik04 = &Case{
	ID: "IK-04", Title: "the same body on every retry", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header §2.2 (the fingerprint)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		if err := r.Arm(ctx, steps("createPayment", "503", "503", "pass")); err != nil {
			return suiteError(err)
		}
		o := r.Perform(ctx, "payment", "the first two POST /v1/payments are answered 503", OpCreatePayment, paymentInput("IK-04", 1800), h.limit())
		if o.NotImplemented() {
			return notApplicable("the adapter does not implement create_payment")
		}
		as := o.Attempts("createPayment")
		if len(as) < 2 {
			return notApplicable("the client did not retry the 503, so its retries' bodies cannot be compared (see RT-03)")
		}
		for i, a := range as[1:] {
			if a.BodySHA256 != as[0].BodySHA256 {
				return fail("attempt %d sent another body than attempt 1 (SHA-256 %.12s… vs %.12s…): a retry must repeat the request exactly", i+2, a.BodySHA256, as[0].BodySHA256)
			}
			if a.ContentType != as[0].ContentType {
				return fail("attempt %d sent Content-Type %q, attempt 1 %q", i+2, a.ContentType, as[0].ContentType)
			}
		}
		return pass("%d attempts sent the same body (SHA-256 %.12s…) and Content-Type", len(as), as[0].BodySHA256)
	},
}

var ik05 = &Case{
	ID: "IK-05", Title: "a concurrent duplicate waits for the original", Level: Must,
	Standard: "draft-ietf-httpapi-idempotency-key-header §2.6 (409 for a request in flight)",
	Needs:    []Operation{OpCreatePayment},
	Check: func(ctx context.Context, h *Harness) Judgement {
		r, err := h.Tenant(ctx)
		if err != nil {
			return suiteError(err)
		}
		hold := h.Options().InFlightHold
		fault := fmt.Sprintf("latency=%dms;phase=in_flight", hold.Milliseconds())
		if err := r.Arm(ctx, rule("createPayment", 1, fault)); err != nil {
			return suiteError(err)
		}
		plan := fmt.Sprintf("the first POST /v1/payments is held %s with its key claimed; a duplicate meanwhile gets 409", ms(hold))
		o := r.Perform(ctx, "payment", plan, OpCreatePayment, paymentInput("IK-05", 1900), hold+h.limit())
		if o.NotImplemented() {
			return notApplicable("the adapter does not implement create_payment")
		}
		as := o.Attempts("createPayment")
		if ks := keys(as); len(ks) > 1 {
			return fail("the client sent the payment with %d different keys (%s) while the first was still running: %d payments", len(ks), quoteList(ks), len(resources(as)))
		}
		for _, a := range as {
			if a.Problem == "idempotency_key_mismatch" || a.Problem == "idempotency_error" {
				return fail("a retry sent another body with the same key and was refused (%s): a retry must repeat the request exactly", answer(a))
			}
		}
		conflict := -1
		for i, a := range as {
			if a.Status == 409 {
				conflict = i
				break
			}
		}
		if conflict < 0 {
			return notApplicable("the client did not send the payment again while the first attempt was held (%s); its timeout is longer", ms(hold))
		}
		first := resources(as)
		for _, a := range as[conflict+1:] {
			if a.succeeded() && a.Replayed {
				if len(first) == 1 && a.ResourceID == first[0] {
					return pass("after 409 the client retried %s later with the same key and got the original payment (%s, replayed)", ms(gap(as[conflict], a)), a.ResourceID)
				}
			}
		}
		if len(as) == conflict+1 {
			return fail("the client gave up on the 409 (a request with its key was still running); it should have retried later with the same key")
		}
		return fail("after the 409 the client never got the original payment back (%d attempts)", len(as))
	},
}

// Helpers for judging.

func createdID(o *Outcome) string {
	var c Created
	if o.Err == nil && jsonInto(o.Output, &c) == nil {
		return c.ID
	}
	return ""
}

func resources(as []Attempt) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range as {
		if a.ResourceID != "" && !seen[a.ResourceID] && (a.Status/100 == 2 || a.Status == 0) {
			seen[a.ResourceID] = true
			out = append(out, a.ResourceID)
		}
	}
	return out
}

func anyReplayed(as []Attempt) bool {
	for _, a := range as {
		if a.Replayed {
			return true
		}
	}
	return false
}

func answer(a Attempt) string {
	if !a.answered() {
		return strings.ReplaceAll(a.Outcome, "_", " ")
	}
	if a.Problem != "" {
		return fmt.Sprintf("%d %s", a.Status, a.Problem)
	}
	return fmt.Sprint(a.Status)
}

func quoteList(ss []string) string {
	var q []string
	for _, s := range ss {
		if s == "" {
			q = append(q, "none")
		} else {
			q = append(q, fmt.Sprintf("%q", s))
		}
	}
	return strings.Join(q, ", ")
}
