package simulator

import (
	"crypto/sha256"
	"encoding/binary"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator/bank"
	"github.com/sandbank/sandbank/simulator/boletos"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/events"
	"github.com/sandbank/sandbank/simulator/fakedata"
	"github.com/sandbank/sandbank/simulator/idempotency"
	"github.com/sandbank/sandbank/simulator/journal"
	"github.com/sandbank/sandbank/simulator/payments"
	"github.com/sandbank/sandbank/simulator/pix"
	"github.com/sandbank/sandbank/simulator/webhooks"
)

// Idempotency settings.
const (
	ProfileIETF   = "ietf"
	ProfileStripe = "stripe"
	KeyOptional   = "optional"
	KeyRequired   = "required"
)

// testKey is a well-formed test API key: any such key is its own tenant.
var testKey = regexp.MustCompile(`^sk_test_[A-Za-z0-9]{16,128}$`)

// Settings are a tenant's switches, changed through the admin API.
type Settings struct {
	IdempotencyProfile string
	IdempotencyKey     string
	// RateLimit is requests per second of the tenant's token bucket (0: off).
	RateLimit      float64
	RateLimitBurst int
	// Payments are the provider's risk and decline switches.
	Payments payments.Settings
}

// tenant is one API key's private sandbox. mu serialises everything that
// touches the bank (handlers, clock jobs); the clock's time, the settings,
// the journal and the idempotency store can be read without it, so that
// recording an arrival or refusing a duplicate never waits for a running
// handler.
type tenant struct {
	key       string
	seed      uint64
	createdAt time.Time

	mu sync.Mutex // guards the domains (and the clock's job queue)
	domains
	// webhookFault, under mu, is the webhook fault of the request being
	// handled (a Sandbank-Fault header or a rule matching the request):
	// it shapes the deliveries of the events the request causes.
	webhookFault *scenarios.Decision
	// clock outlives resets, so its Now can be read without mu.
	clock    *clock.Clock
	settings atomic.Pointer[Settings]

	idem     *idempotency.Store
	journal  *journal.Journal
	events   *events.Log
	webhooks *webhooks.Store
	faults   *scenarios.Set
	limiter  atomic.Pointer[scenarios.TokenBucket] // nil: no rate limit
	requests atomic.Uint64                         // numbers the tenant's requests for request ids
	lastUsed atomic.Int64
}

// tenantSeed derives a tenant's seed from the server seed and its key.
func tenantSeed(serverSeed uint64, key string) uint64 {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], serverSeed)
	h.Write(b[:])
	h.Write([]byte(key))
	seed := binary.BigEndian.Uint64(h.Sum(nil)[:8])
	if seed == 0 { // gofakeit treats 0 as "random"
		seed = 1
	}
	return seed
}

// domains are a tenant's bank and payment provider, sharing one ledger,
// one clock and one seeded faker.
type domains struct {
	bank     *bank.Bank
	payments *payments.Provider
	pix      *pix.Book
	boletos  *boletos.Book
}

// newDomains builds a tenant's domains in their seeded starting state on clk.
func (s *Server) newDomains(seed uint64, clk *clock.Clock) (domains, error) {
	fake := gofakeit.New(seed)
	data, err := fakedata.Generate(fake, s.cfg.ClockStart)
	if err != nil {
		return domains{}, err
	}
	b, err := bank.New(clk, fake, data)
	if err != nil {
		return domains{}, err
	}
	return domains{
		bank:     b,
		payments: payments.New(clk, b.Ledger, b, fake, seed),
		pix:      pix.New(clk, b, fake),
		boletos:  boletos.New(clk, b, fake),
	}, nil
}

// setEmitter routes every domain's events to the tenant's log.
func (d domains) setEmitter(e events.Emitter) {
	d.bank.Emit, d.payments.Emit, d.pix.Emit, d.boletos.Emit = e, e, e, e
}

func (s *Server) defaultSettings() *Settings {
	return &Settings{
		IdempotencyProfile: s.cfg.IdempotencyProfile, IdempotencyKey: s.cfg.IdempotencyKey,
		RateLimit: s.cfg.RateLimit, RateLimitBurst: s.cfg.RateLimitBurst,
		Payments: payments.DefaultSettings(),
	}
}

// applySettings puts settings in force.
func (s *Server) applySettings(t *tenant, st *Settings) {
	t.settings.Store(st)
	t.payments.Settings = st.Payments
	if st.RateLimit > 0 {
		t.limiter.Store(scenarios.NewTokenBucket(st.RateLimit, st.RateLimitBurst, s.cfg.Wall))
	} else {
		t.limiter.Store(nil)
	}
}

func (s *Server) provision(key string) (*tenant, error) {
	seed := tenantSeed(s.cfg.Seed, key)
	clk := clock.New(s.cfg.ClockStart, s.cfg.ClockMode, s.cfg.Wall)
	d, err := s.newDomains(seed, clk)
	if err != nil {
		return nil, err
	}
	t := &tenant{
		key: key, seed: seed, createdAt: s.cfg.Wall(), domains: d, clock: clk,
		idem:     idempotency.NewStore(s.cfg.IdempotencyTTL, 100_000),
		journal:  journal.New(s.cfg.JournalSize),
		faults:   scenarios.NewSet(key, s.cfg.Seed, s.cfg.Scenarios),
		events:   events.NewLog(),
		webhooks: webhooks.NewStore(),
	}
	d.setEmitter(s.emitter(t))
	s.applySettings(t, s.defaultSettings())
	s.log.Info("tenant provisioned", "key", journal.MaskCredential(key), "seed", seed)
	return t, nil
}

// reset puts a tenant back in its seeded state. The caller holds t.mu.
func (s *Server) reset(t *tenant, keep *journal.Entry) error {
	t.clock.Reset(s.cfg.ClockStart)
	d, err := s.newDomains(t.seed, t.clock)
	if err != nil {
		return err
	}
	t.domains = d
	d.setEmitter(s.emitter(t))
	t.events.Reset()
	t.webhooks.Reset()
	s.applySettings(t, s.defaultSettings())
	t.faults.Reset(s.cfg.Scenarios) // in place, like the journal
	t.idem.Reset()                  // in place: the pipeline reads t.idem without t.mu
	t.journal.Reset(keep)
	t.requests.Store(0)
	s.tokens.revokeTenant(t.key)
	return nil
}

// nextRequestID numbers a tenant's requests deterministically, so that the
// same sequence of requests gives the same request ids.
func (t *tenant) nextRequestID() string {
	n := t.requests.Add(1)
	h := sha256.Sum256([]byte(strconv.FormatUint(t.seed, 10) + ":" + strconv.FormatUint(n, 10)))
	return "req_" + base62(h[:16])
}

func base62(b []byte) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := make([]byte, 0, 16)
	for i := 0; i < len(b) && len(out) < 16; i++ {
		out = append(out, alphabet[int(b[i])%62])
	}
	return string(out)
}

// registry maps keys to tenants, provisioning them on first use and
// dropping the least recently used beyond the configured bound.
type registry struct {
	s     *Server
	mu    sync.Mutex
	slots map[string]*slot
}

type slot struct {
	once  sync.Once
	err   error
	ready atomic.Pointer[tenant] // set once provisioned; read by eviction
}

func newRegistry(s *Server) *registry { return &registry{s: s, slots: map[string]*slot{}} }

// get returns the key's tenant, provisioning it on first use. Provisioning
// runs outside the registry lock so that other tenants are not held up.
func (r *registry) get(key string) (*tenant, error) {
	r.mu.Lock()
	sl, ok := r.slots[key]
	if !ok {
		sl = &slot{}
		r.slots[key] = sl
		r.evictLocked(key)
	}
	r.mu.Unlock()
	sl.once.Do(func() {
		t, err := r.s.provision(key)
		sl.err = err
		if err == nil {
			sl.ready.Store(t)
		}
	})
	if sl.err != nil {
		r.mu.Lock()
		if r.slots[key] == sl {
			delete(r.slots, key)
		}
		r.mu.Unlock()
		return nil, sl.err
	}
	t := sl.ready.Load()
	t.lastUsed.Store(time.Now().UnixNano())
	return t, nil
}

// lookup returns an existing tenant without provisioning one.
func (r *registry) lookup(key string) (*tenant, bool) {
	r.mu.Lock()
	sl, ok := r.slots[key]
	r.mu.Unlock()
	if !ok {
		return nil, false
	}
	t := sl.ready.Load()
	return t, t != nil
}

func (r *registry) evictLocked(except string) {
	for len(r.slots) > r.s.cfg.MaxTenants {
		var oldestKey string
		var oldest int64
		for k, sl := range r.slots {
			t := sl.ready.Load()
			if k == except || t == nil {
				continue
			}
			if lu := t.lastUsed.Load(); oldestKey == "" || lu < oldest {
				oldestKey, oldest = k, lu
			}
		}
		if oldestKey == "" {
			return
		}
		delete(r.slots, oldestKey)
		r.s.tokens.revokeTenant(oldestKey)
		r.s.log.Warn("tenant evicted (max tenants reached)", "key", journal.MaskCredential(oldestKey))
	}
}
