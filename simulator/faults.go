package simulator

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator/journal"
)

// The pipeline's fault steps: the tenant's rate limiter, choosing a fault
// (a Sandbank-Fault header, a Sandbank-Scenario activation, the tenant's
// scenarios), and injecting it before the handler or after the commit.

// Control headers a client (or a test) may send with any request.
const (
	HeaderFault    = "Sandbank-Fault"
	HeaderScenario = "Sandbank-Scenario"
)

// rateLimit spends a token of the tenant's bucket, when it has one. The
// admin API is exempt, so that a limited tenant can always be reconfigured.
func (s *Server) rateLimit(c *call) *response {
	if c.tenant == nil || isAdmin(c.op) {
		return nil
	}
	bucket := c.tenant.limiter.Load()
	if bucket == nil {
		return nil
	}
	ok, remaining, wait := bucket.Take()
	limit, window := bucket.Policy()
	if ok {
		c.extraHeader = http.Header{}
		scenarios.SetRateLimitFields(c.extraHeader, limit, window, remaining, wait)
		return nil
	}
	resp := c.problem("rate_limited", fmt.Sprintf("the tenant's rate limit (%d requests, refilled at %g per second) is exhausted; retry after %s", limit, c.tenant.settings.Load().RateLimit, wait.Round(1e6)))
	seconds := max(1, int((wait+999_999_999)/1e9))
	resp.header.Set("Retry-After", fmt.Sprint(seconds))
	scenarios.SetRateLimitFields(resp.header, limit, window, 0, wait)
	return resp
}

// chooseFault decides what fault, if any, this request gets: a
// Sandbank-Fault header wins; otherwise the tenant's scenarios (after
// activating one named by Sandbank-Scenario) decide.
func (s *Server) chooseFault(c *call) *response {
	if h := c.r.Header.Get(HeaderFault); h != "" {
		in, err := scenarios.ParseCompact(h)
		if err != nil || in == nil {
			detail := "pass is not a fault"
			if err != nil {
				detail = err.Error()
			}
			return c.problem("invalid_fault", detail, openapi.Violation{Parameter: HeaderFault, In: "header", Detail: detail})
		}
		c.decision = &scenarios.Decision{Scenario: "", Rule: HeaderFault, Injection: in, Rand: newRand(c.requestID)}
		return nil
	}
	// Scenarios act on the API, not on the admin API that controls them
	// (a rule without a match must not lock a test out of its journal).
	if c.tenant == nil || isAdmin(c.op) {
		return nil
	}
	if name := c.r.Header.Get(HeaderScenario); name != "" {
		sc, ok := scenarios.LibraryScenario(name)
		if !ok {
			detail := fmt.Sprintf("no library scenario %q; GET /_sandbank/scenario_library lists them", name)
			return c.problem("unknown_scenario", detail, openapi.Violation{Parameter: HeaderScenario, In: "header", Detail: detail})
		}
		c.tenant.faults.ActivateOnce(sc, "header")
	}
	c.decision = c.tenant.faults.Decide(&scenarios.Request{
		Method: c.r.Method, Path: c.r.URL.Path, Route: c.route, Operation: c.op.ID,
		Header: c.r.Header, Query: c.queryValues(), Body: c.body, Tenant: c.tenant.key,
	})
	return nil
}

// inject runs the chosen fault if it acts in this phase. It returns the
// response to send instead, or nil to go on; c.taken says the fault wrote
// (or destroyed) the response itself.
func (s *Server) inject(c *call, phase scenarios.Phase, resp *response) *response {
	d := c.decision
	if d == nil || d.Injection.Phase != phase || d.Injection.Copies() > 1 {
		return resp
	}
	x := &scenarios.Exchange{
		W: c.w, R: c.r, Phase: phase, MaxHang: s.cfg.MaxHang, Rand: d.Rand, Now: s.cfg.Wall,
		Header: http.Header{"Request-Id": {c.requestID}},
	}
	if resp != nil {
		x.Response = &scenarios.Response{Status: resp.status, Header: resp.header, Body: resp.body}
	}
	c.recordFault(phase, nil)
	func() {
		defer func() {
			// A fault that cannot take the connection aborts the handler;
			// record what happened before the panic goes on.
			if x.Taken() {
				c.taken, c.outcome = true, x.Outcome()
				c.recordFault(phase, x.Params)
			}
		}()
		d.Injection.Fault.Inject(x)
	}()
	c.recordFault(phase, x.Params)
	if x.Taken() {
		return nil
	}
	if x.Response == nil {
		return resp
	}
	return &response{status: x.Response.Status, header: x.Response.Header, body: x.Response.Body}
}

// recordFault notes the injected fault on the journal entry.
func (c *call) recordFault(phase scenarios.Phase, drawn map[string]any) {
	d := c.decision
	params := maps.Clone(d.Injection.Params)
	if params == nil {
		params = map[string]any{}
	}
	maps.Copy(params, drawn)
	c.fault = &journal.Fault{Scenario: d.Scenario, Rule: d.Rule, Type: d.Injection.Type, Phase: string(phase), Params: params}
}

// newRand seeds the draws of a header-injected fault from the request id,
// which the tenant's request order determines.
func newRand(seed string) *rand.Rand {
	h := sha256.Sum256([]byte(seed))
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
}

// isAdmin tells sandbank's own control plane (/_sandbank) from the API.
func isAdmin(op *openapi.Operation) bool { return strings.HasPrefix(op.Path, "/_sandbank/") }
