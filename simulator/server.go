// Package simulator is sandbank's HTTP server: one request pipeline
// (pipeline.go) that identifies the tenant, validates against the OpenAPI
// contract, applies idempotency, runs the bank's handlers and records every
// request in the tenant's journal. A Server is an http.Handler built from
// one Config, so tests run it in-process and the binary is a thin main.
package simulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/scenarios"
	"github.com/sandbank/sandbank/simulator/checkdigit"
	"github.com/sandbank/sandbank/simulator/clock"
	"github.com/sandbank/sandbank/simulator/money"
	"github.com/sandbank/sandbank/simulator/webhooks"
)

// DefaultClockStart is where every tenant's virtual clock starts unless
// configured otherwise: fixed, so that the same seed gives the same data.
var DefaultClockStart = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// Config is everything a Server needs; the zero value of each field means
// its default.
type Config struct {
	// Seed makes every tenant's data reproducible (with its API key).
	Seed uint64
	// ClockStart is each tenant's initial virtual time.
	ClockStart time.Time
	// ClockMode is frozen (moves only when advanced) or realtime.
	ClockMode clock.Mode
	// MaxBodyBytes bounds request bodies (413 beyond it).
	MaxBodyBytes int64
	// JournalSize is how many requests each tenant's journal keeps.
	JournalSize int
	// MaxTenants bounds memory: beyond it the least recently used tenant is dropped.
	MaxTenants int
	// TokenTTL is the lifetime of OAuth access tokens (virtual time).
	TokenTTL time.Duration
	// IdempotencyProfile is the default profile: "ietf" or "stripe".
	IdempotencyProfile string
	// IdempotencyKey is "optional" or "required" on money-moving POSTs.
	IdempotencyKey string
	// IdempotencyTTL is how long keys are kept (virtual time).
	IdempotencyTTL time.Duration
	// ValidateResponses checks every response against the contract and logs violations.
	ValidateResponses bool
	// Scenarios are active for every tenant (sandbank serve --scenario).
	Scenarios []*scenarios.Scenario
	// MaxHang caps every wait a fault makes (hangs, latency, slow bodies),
	// so no request holds server resources forever.
	MaxHang time.Duration
	// RateLimit switches on a token bucket per tenant: requests per second
	// (0: off) and burst.
	RateLimit      float64
	RateLimitBurst int
	// WebhookWorkers bounds concurrent webhook deliveries.
	WebhookWorkers int
	// WebhookTimeout bounds one delivery attempt.
	WebhookTimeout time.Duration
	// WebhookRetrySpeed compresses the retry schedule (1: real time; 3600:
	// an hour becomes a second), so a test or a demo sees retries at once.
	WebhookRetrySpeed float64
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Version is reported by /healthz.
	Version string
	// Wall is the wall clock (time.Now when nil); tests may replace it.
	Wall func() time.Time
}

func (c *Config) defaults() error {
	if c.ClockStart.IsZero() {
		c.ClockStart = DefaultClockStart
	}
	if c.ClockMode == "" {
		c.ClockMode = clock.Frozen
	}
	if c.ClockMode != clock.Frozen && c.ClockMode != clock.Realtime {
		return fmt.Errorf("clock mode %q: want frozen or realtime", c.ClockMode)
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.JournalSize <= 0 {
		c.JournalSize = 10000
	}
	if c.MaxTenants <= 0 {
		c.MaxTenants = 10000
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = time.Hour
	}
	if c.IdempotencyProfile == "" {
		c.IdempotencyProfile = ProfileIETF
	}
	if c.IdempotencyProfile != ProfileIETF && c.IdempotencyProfile != ProfileStripe {
		return fmt.Errorf("idempotency profile %q: want ietf or stripe", c.IdempotencyProfile)
	}
	if c.IdempotencyKey == "" {
		c.IdempotencyKey = KeyOptional
	}
	if c.IdempotencyKey != KeyOptional && c.IdempotencyKey != KeyRequired {
		return fmt.Errorf("idempotency key setting %q: want optional or required", c.IdempotencyKey)
	}
	if c.IdempotencyTTL <= 0 {
		c.IdempotencyTTL = 24 * time.Hour
	}
	if c.MaxHang <= 0 {
		c.MaxHang = 2 * time.Minute
	}
	if c.RateLimit < 0 {
		return fmt.Errorf("rate limit %v: want requests per second, or 0 for none", c.RateLimit)
	}
	if c.RateLimitBurst <= 0 {
		c.RateLimitBurst = max(1, int(c.RateLimit))
	}
	if c.WebhookWorkers <= 0 {
		c.WebhookWorkers = 8
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 15 * time.Second
	}
	if c.WebhookRetrySpeed <= 0 {
		c.WebhookRetrySpeed = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.Wall == nil {
		c.Wall = time.Now
	}
	return nil
}

// Server is the simulator.
type Server struct {
	cfg       Config
	doc       *openapi.Document
	validator *openapi.Validator
	router    *mux.Router
	opsByPath map[string]map[string]*openapi.Operation
	handlers  map[string]handlerFunc
	tenants   *registry
	tokens    *tokenStore
	log       *slog.Logger
	started   time.Time
	connSeq   atomic.Uint64
	reqSeq    atomic.Uint64
	draining  atomic.Bool
	webhooks  *webhooks.Dispatcher
}

// New builds a server from a config.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		doc:     doc,
		log:     cfg.Logger,
		started: time.Now(),
		tokens:  newTokenStore(),
	}
	s.validator = NewValidator(doc)
	s.tenants = newRegistry(s)
	s.webhooks = webhooks.NewDispatcher(webhooks.Config{
		Workers: cfg.WebhookWorkers, Timeout: cfg.WebhookTimeout, RetrySpeed: cfg.WebhookRetrySpeed,
		MaxResponseBytes: 64 << 10, Now: cfg.Wall, Logger: cfg.Logger,
	})
	s.handlers = s.operationHandlers()
	if err := s.buildRouter(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewValidator is the contract validator with sandbank's domain formats
// (IBAN, ISO 4217) registered.
func NewValidator(doc *openapi.Document) *openapi.Validator {
	return openapi.NewValidator(doc,
		openapi.WithFormat("iban", checkdigit.ValidIBAN),
		openapi.WithFormat("iso4217", func(code string) error {
			if c, ok := money.Lookup(code); !ok || c.Code != code {
				return errors.New("not an ISO 4217 currency code such as BRL, EUR, GBP or USD")
			}
			return nil
		}),
		openapi.WithCurrencyExponent(money.Exponent),
	)
}

// Document is the contract the server serves.
func (s *Server) Document() *openapi.Document { return s.doc }

// Validator is the server's contract validator.
func (s *Server) Validator() *openapi.Validator { return s.validator }

// Config returns the effective configuration.
func (s *Server) Config() Config { return s.cfg }

type connIDKey struct{}

// ConnContext tags each connection with an id so the journal can tell
// retries on a new connection from reuse of a kept-alive one. Install it as
// http.Server.ConnContext.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connIDKey{}, "conn_"+strconv.FormatUint(s.connSeq.Add(1), 10))
}

// HTTPServer wraps the simulator in an http.Server with sane timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ConnContext:       s.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Close stops background work (webhook deliveries and their retries).
func (s *Server) Close() { s.webhooks.Close() }

// Drain marks the server as shutting down: /healthz reports it so load
// balancers stop sending traffic while in-flight requests finish.
func (s *Server) Drain() { s.draining.Store(true) }

// VerifyTenant checks the ledger invariants of a tenant (for tests).
func (s *Server) VerifyTenant(key string) error {
	t, ok := s.tenants.lookup(key)
	if !ok {
		return fmt.Errorf("no tenant for that key")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.bank.Verify(); err != nil {
		return err
	}
	return t.payments.Verify()
}
