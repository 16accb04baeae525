package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sandbank/sandbank/openapi"
	"github.com/sandbank/sandbank/simulator"
	"github.com/sandbank/sandbank/simulator/clock"
)

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (\":8080\" for every interface)")
	seed := fs.Uint64("seed", 0, "seed for every tenant's data (with its API key)")
	clockStart := fs.String("clock-start", simulator.DefaultClockStart.Format(time.RFC3339), "each tenant's initial virtual time (RFC 3339)")
	clockMode := fs.String("clock", "frozen", "virtual clock mode: frozen (moves only when advanced) or realtime (also follows the wall clock)")
	maxBody := fs.Int64("max-body-bytes", 1<<20, "largest request body accepted (413 beyond)")
	journalSize := fs.Int("journal-size", 10000, "requests kept in each tenant's journal")
	maxTenants := fs.Int("max-tenants", 10000, "tenants kept in memory (least recently used dropped beyond)")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "lifetime of OAuth access tokens (virtual time)")
	idemProfile := fs.String("idempotency-profile", "ietf", "idempotency profile: ietf (mismatch 422) or stripe (mismatch 400 idempotency_error)")
	idemKey := fs.String("idempotency-key", "optional", "Idempotency-Key on money-moving POSTs: optional or required")
	idemTTL := fs.Duration("idempotency-ttl", 24*time.Hour, "how long idempotency keys are kept (virtual time)")
	validateResponses := fs.Bool("validate-responses", false, "check every response against the contract and log violations")
	logFormat := fs.String("log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "how long SIGTERM waits for in-flight requests")
	var scenarioValues scenarioFlag
	fs.Var(&scenarioValues, "scenario", "a scenario for every tenant: a YAML file, a directory of them, or a library name (repeatable)")
	maxHang := fs.Duration("max-hang", 2*time.Minute, "the longest any fault may hold a request (hangs, latency, slow bodies)")
	rateLimit := fs.Float64("rate-limit", 0, "a token bucket per tenant: requests per second (0: off)")
	rateLimitBurst := fs.Int("rate-limit-burst", 0, "the token bucket's size (default: the rate, at least 1)")
	webhookRetrySpeed := fs.Float64("webhook-retry-speed", 1, "compress the webhook retry schedule: 60 turns minutes into seconds")
	webhookTimeout := fs.Duration("webhook-timeout", 15*time.Second, "how long one webhook delivery attempt may take")
	webhookWorkers := fs.Int("webhook-workers", 8, "concurrent webhook deliveries")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "sandbank serve:", err)
		return 2
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "sandbank serve:", err)
		return 2
	}
	start, err := time.Parse(time.RFC3339, *clockStart)
	if err != nil {
		fmt.Fprintf(stderr, "sandbank serve: --clock-start %q: want RFC 3339, such as 2026-03-02T12:00:00Z\n", *clockStart)
		return 2
	}
	ver := versionString()
	active, err := loadScenarios(scenarioValues)
	if err != nil {
		fmt.Fprintln(stderr, "sandbank serve: bad --scenario:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	sim, err := simulator.New(simulator.Config{
		Seed: *seed, ClockStart: start, ClockMode: clock.Mode(*clockMode), MaxBodyBytes: *maxBody,
		JournalSize: *journalSize, MaxTenants: *maxTenants, TokenTTL: *tokenTTL,
		IdempotencyProfile: *idemProfile, IdempotencyKey: *idemKey, IdempotencyTTL: *idemTTL,
		ValidateResponses: *validateResponses, Logger: logger, Version: ver,
		Scenarios: active, MaxHang: *maxHang, RateLimit: *rateLimit, RateLimitBurst: *rateLimitBurst,
		WebhookRetrySpeed: *webhookRetrySpeed, WebhookTimeout: *webhookTimeout, WebhookWorkers: *webhookWorkers,
	})
	if err != nil {
		fmt.Fprintln(stderr, "sandbank serve:", err)
		return 2
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "sandbank serve:", err)
		return 1
	}
	srv := sim.HTTPServer(*addr)
	var names []string
	for _, sc := range active {
		names = append(names, sc.Name)
	}
	logger.Info("sandbank listening", "addr", "http://"+ln.Addr().String(), "seed", *seed, "clock", *clockMode,
		"scenarios", names, "version", ver)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		logger.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests", "timeout", *shutdownTimeout)
	sim.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("in-flight requests did not finish in time", "err", err)
		_ = srv.Close()
	}
	logger.Info("stopped")
	return 0
}

// newLogger logs text on a terminal and JSON otherwise (for log shippers).
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "auto":
		if isCharDevice(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want auto, text or json", format)
}

func spec(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "yaml", "yaml or json")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	doc, err := openapi.Load()
	if err != nil {
		fmt.Fprintln(stderr, "sandbank spec:", err)
		return 1
	}
	switch *format {
	case "yaml":
		_, _ = stdout.Write(doc.YAML())
	case "json":
		_, _ = stdout.Write(doc.JSON())
		fmt.Fprintln(stdout)
	default:
		fmt.Fprintf(stderr, "sandbank spec: --format %q: want yaml or json\n", *format)
		return 2
	}
	return 0
}

// healthcheck is for container HEALTHCHECKs: the final image has no shell
// or curl, so the binary checks itself.
func healthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the running sandbank")
	timeout := fs.Duration("timeout", 2*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	host := *addr
	if strings.HasPrefix(host, ":") {
		host = "127.0.0.1" + host
	}
	client := &http.Client{Timeout: *timeout}
	resp, err := client.Get("http://" + host + "/healthz")
	if err != nil {
		fmt.Fprintln(stderr, "unhealthy:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "unhealthy: /healthz answered", resp.Status)
		return 1
	}
	fmt.Fprintln(stdout, "healthy")
	return 0
}
