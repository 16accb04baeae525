package simulator

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/sandbank/sandbank/simulator/domain"
	"github.com/sandbank/sandbank/simulator/journal"
)

// The admin API (/_sandbank): the calling tenant's journal, reset, facts and
// settings. Nothing here can see another tenant.

func (s *Server) getJournal(c *call) *response {
	q := c.queryValues()
	limit := 20
	if l := q.Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l)
	}
	var after int64
	if cur := q.Get("cursor"); cur != "" {
		seq, ok := decodeCursor("jrn", cur)
		if !ok {
			return c.problem("invalid_cursor", "use the next_cursor of a previous journal page")
		}
		after = int64(seq)
	}
	if a := q.Get("after_id"); a != "" { // validated by the contract: an integer ≥ 0
		n, _ := strconv.ParseInt(a, 10, 64)
		after = max(after, n)
	}
	f := journal.Filter{Method: q.Get("method"), Path: q.Get("path"), IdempotencyKey: q.Get("idempotency_key"), Kind: q.Get("kind")}
	if since := q.Get("since"); since != "" {
		f.Since, _ = time.Parse(time.RFC3339Nano, since)
	}
	entries, more := c.tenant.journal.Query(f, after, limit)
	page := domain.Page[journal.Entry]{Items: entries, HasMore: more}
	if more {
		page.Next = uint64(entries[len(entries)-1].ID)
	}
	return c.json(http.StatusOK, listOf(page, "jrn", viewJournalEntry))
}

func (s *Server) resetTenant(c *call) *response {
	if err := s.reset(c.tenant, c.entry); err != nil {
		return c.problem("internal_error", "resetting the tenant failed: "+err.Error())
	}
	// The reset request is entry 1 of the fresh journal, and request ids
	// restart with it: give it the first id, so that the ids that follow
	// (2, 3, …) never repeat its old one within the journal.
	if c.entry != nil {
		c.requestID = c.tenant.nextRequestID()
		c.tenant.journal.Update(c.entry, func(e *journal.Entry) { e.RequestID = c.requestID })
	}
	return c.json(http.StatusOK, s.viewTenant(c.tenant))
}

func (s *Server) getTenant(c *call) *response {
	return c.json(http.StatusOK, s.viewTenant(c.tenant))
}

type tenantView struct {
	Object        string    `json:"object"`
	Key           string    `json:"key"`
	Seed          string    `json:"seed"`
	OAuthClientID string    `json:"oauth_client_id"`
	CreatedAt     time.Time `json:"created_at"`
	Clock         time.Time `json:"clock"`
	Counts        struct {
		Customers       int `json:"customers"`
		Accounts        int `json:"accounts"`
		Transactions    int `json:"transactions"`
		Transfers       int `json:"transfers"`
		JournalEntries  int `json:"journal_entries"`
		IdempotencyKeys int `json:"idempotency_keys"`
	} `json:"counts"`
}

// viewTenant describes a tenant; the caller holds its lock.
func (s *Server) viewTenant(t *tenant) tenantView {
	v := tenantView{
		Object: "tenant", Key: journal.MaskCredential(t.key), Seed: strconv.FormatUint(t.seed, 10),
		OAuthClientID: OAuthClientID(t.key), CreatedAt: t.createdAt.UTC().Truncate(time.Second), Clock: t.clock.Now(),
	}
	n := t.bank.Counts()
	v.Counts.Customers, v.Counts.Accounts, v.Counts.Transactions, v.Counts.Transfers = n.Customers, n.Accounts, n.Transactions, n.Transfers
	v.Counts.JournalEntries, v.Counts.IdempotencyKeys = t.journal.Len(), t.idem.Len()
	return v
}

type settingsView struct {
	Object      string `json:"object"`
	Idempotency struct {
		Profile    string `json:"profile"`
		Key        string `json:"key"`
		TTLSeconds int64  `json:"ttl_seconds"`
	} `json:"idempotency"`
	RateLimit struct {
		RequestsPerSecond float64 `json:"requests_per_second"`
		Burst             int     `json:"burst"`
	} `json:"rate_limit"`
	Payments struct {
		Risk struct {
			TimeoutMS    int64  `json:"timeout_ms"`
			OnTimeout    string `json:"on_timeout"`
			OfflineLimit int64  `json:"offline_limit"`
		} `json:"risk"`
		AmountDeclines bool `json:"amount_declines"`
	} `json:"payments"`
}

func (s *Server) viewSettings(t *tenant) settingsView {
	v := settingsView{Object: "settings"}
	st := t.settings.Load()
	v.Idempotency.Profile, v.Idempotency.Key = st.IdempotencyProfile, st.IdempotencyKey
	v.Idempotency.TTLSeconds = int64(t.idem.TTL() / time.Second)
	v.RateLimit.RequestsPerSecond, v.RateLimit.Burst = st.RateLimit, st.RateLimitBurst
	r := st.Payments.Risk
	v.Payments.Risk.TimeoutMS, v.Payments.Risk.OnTimeout, v.Payments.Risk.OfflineLimit = r.Timeout.Milliseconds(), r.OnTimeout, r.OfflineLimit
	v.Payments.AmountDeclines = st.Payments.AmountDeclines
	return v
}

func (s *Server) getSettings(c *call) *response {
	return c.json(http.StatusOK, s.viewSettings(c.tenant))
}

func (s *Server) updateSettings(c *call) *response {
	var req struct {
		Idempotency *struct {
			Profile string `json:"profile"`
			Key     string `json:"key"`
		} `json:"idempotency"`
		RateLimit *struct {
			RequestsPerSecond *float64 `json:"requests_per_second"`
			Burst             *int     `json:"burst"`
		} `json:"rate_limit"`
		Payments *struct {
			AmountDeclines *bool `json:"amount_declines"`
			Risk           *struct {
				TimeoutMS    *int64  `json:"timeout_ms"`
				OnTimeout    *string `json:"on_timeout"`
				OfflineLimit *int64  `json:"offline_limit"`
			} `json:"risk"`
		} `json:"payments"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	st := *c.tenant.settings.Load()
	if i := req.Idempotency; i != nil {
		if i.Profile != "" {
			st.IdempotencyProfile = i.Profile
		}
		if i.Key != "" {
			st.IdempotencyKey = i.Key
		}
	}
	if rl := req.RateLimit; rl != nil {
		if rl.RequestsPerSecond != nil {
			st.RateLimit = *rl.RequestsPerSecond
			if rl.Burst == nil { // as with --rate-limit: the burst defaults to a second's worth
				st.RateLimitBurst = max(1, int(math.Ceil(st.RateLimit)))
			}
		}
		if rl.Burst != nil {
			st.RateLimitBurst = *rl.Burst
		}
	}
	if pm := req.Payments; pm != nil {
		if pm.AmountDeclines != nil {
			st.Payments.AmountDeclines = *pm.AmountDeclines
		}
		if r := pm.Risk; r != nil {
			if r.TimeoutMS != nil {
				st.Payments.Risk.Timeout = time.Duration(*r.TimeoutMS) * time.Millisecond
			}
			if r.OnTimeout != nil {
				st.Payments.Risk.OnTimeout = *r.OnTimeout
			}
			if r.OfflineLimit != nil {
				st.Payments.Risk.OfflineLimit = *r.OfflineLimit
			}
		}
	}
	s.applySettings(c.tenant, &st)
	return c.json(http.StatusOK, s.viewSettings(c.tenant))
}
