package scenarios

import (
	"math"
	"sync"
	"time"
)

// TokenBucket is a real rate limiter (switched on per tenant): burst
// tokens, refilled at rate per second. Unlike the rate_limit fault, it
// refuses only when a client really sends too fast.
type TokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewTokenBucket returns a full bucket. now is the wall clock (time.Now
// when nil).
func NewTokenBucket(rate float64, burst int, now func() time.Time) *TokenBucket {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	if rate <= 0 {
		rate = 1e-9 // effectively: the burst, then nothing (a zero rate would divide by zero)
	}
	return &TokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

// Take spends a token if there is one. It returns whether it did, the
// whole tokens left, and how long until the next token (when refused) or
// until the bucket is full again (when allowed).
func (b *TokenBucket) Take() (ok bool, remaining int, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false, 0, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	}
	b.tokens--
	return true, int(b.tokens), time.Duration((b.burst - b.tokens) / b.rate * float64(time.Second))
}

// Policy is the bucket's quota and the window in which it refills fully.
func (b *TokenBucket) Policy() (limit int, window time.Duration) {
	return int(b.burst), time.Duration(b.burst / b.rate * float64(time.Second))
}
