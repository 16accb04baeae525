// Package webhooks delivers a tenant's events to the endpoints it
// registers: signed (Standard Webhooks, or Stripe-Signature per endpoint),
// retried on a schedule that a setting can compress, recorded attempt by
// attempt, by a bounded pool that never blocks request handling.
package webhooks

import (
	"log/slog"
	"net/http"
	"time"
)

// Config configures a Dispatcher.
type Config struct {
	// Workers bounds concurrent deliveries.
	Workers int
	// Timeout bounds one delivery attempt (Standard Webhooks suggests 15–30 s).
	Timeout time.Duration
	// RetrySpeed compresses the retry schedule: 1 is real time, 60 turns
	// minutes into seconds.
	RetrySpeed float64
	// MaxResponseBytes bounds how much of a receiver's answer is read.
	MaxResponseBytes int64
	Client           *http.Client
	Now              func() time.Time
	Logger           *slog.Logger
}

// Dispatcher delivers events for every tenant.
type Dispatcher struct {
	cfg Config
}

// NewDispatcher starts a dispatcher.
func NewDispatcher(cfg Config) *Dispatcher { return &Dispatcher{cfg: cfg} }

// Close stops the workers; pending retries are dropped.
func (d *Dispatcher) Close() {}

// Store is one tenant's webhook endpoints and their deliveries.
type Store struct{}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{} }

// Reset forgets every endpoint and delivery.
func (s *Store) Reset() {}
