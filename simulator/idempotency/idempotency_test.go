package idempotency

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func TestParseKeyAccepts(t *testing.T) {
	long := strings.Repeat("k", MaxKeyLength)
	cases := []struct{ header, want string }{
		{"4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70", "4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70"},
		{`"4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70"`, "4f1c2a7e-9b1d-4c55-8f0e-2d6a1b9c3e70"},
		{"  order-1029  ", "order-1029"},                                           // surrounding whitespace is not part of the key
		{`"with space, comma; and semicolon"`, "with space, comma; and semicolon"}, // a quoted string may hold them
		{`"say \"hi\""`, `say "hi"`},
		{`"back\\slash"`, `back\slash`},
		{`"\\\""`, `\"`},
		{"a!#$%&'*+-.^_`|~:/?=@[]{}()<>", "a!#$%&'*+-.^_`|~:/?=@[]{}()<>"},
		{long, long},
		{`"` + long + `"`, long},
		{`"` + strings.Repeat("q", MaxKeyLength-1) + `\\"`, strings.Repeat("q", MaxKeyLength-1) + `\`}, // 255 after unescaping
	}
	for _, tc := range cases {
		got, err := ParseKey(tc.header)
		if err != nil || got != tc.want {
			t.Errorf("ParseKey(%q) = %q, %v; want %q", tc.header, got, err, tc.want)
		}
	}
	// The bare and quoted forms of a key are the same key.
	bare, _ := ParseKey("abc-123")
	quoted, _ := ParseKey(`"abc-123"`)
	if bare != quoted {
		t.Errorf("bare %q and quoted %q differ", bare, quoted)
	}
}

func TestParseKeyRejects(t *testing.T) {
	cases := []struct{ name, header, mention string }{
		{"empty", "", "empty"},
		{"only spaces", "   ", "empty"},
		{"empty quoted", `""`, "empty"},
		{"lone quote", `"`, "double quote"},
		{"unterminated", `"abc`, "double quote"},
		{"unescaped quote inside", `"a"b"`, "double quote"},
		{"bad escape", `"a\nb"`, "escaped"},
		{"trailing backslash", `"abc\"`, "escaped"},
		{"dangling escape", `"abc\\\"`, "escaped"},
		{"control char quoted", "\"a\x01b\"", "printable ASCII"},
		{"tab quoted", "\"a\tb\"", "printable ASCII"},
		{"non-ASCII quoted", `"chave-ação"`, "printable ASCII"},
		{"DEL quoted", "\"a\x7fb\"", "printable ASCII"},
		{"comma bare", "a,b", "','"},
		{"semicolon bare", "a;b", "';'"},
		{"space bare", "a b", "' '"},
		{"tab bare", "a\tb", `'\t'`},
		{"control bare", "a\x00b", `'\x00'`},
		{"quote inside bare", `a"b`, `'"'`},
		{"non-ASCII bare", "ação", "not allowed"},
		{"too long bare", strings.Repeat("k", MaxKeyLength+1), "256 characters"},
		{"too long quoted", `"` + strings.Repeat("k", MaxKeyLength+1) + `"`, "256 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.header)
			if err == nil {
				t.Fatalf("ParseKey(%q) = %q, want an error", tc.header, got)
			}
			if got != "" {
				t.Fatalf("ParseKey returned %q with its error", got)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestFingerprintOf(t *testing.T) {
	base := FingerprintOf("POST", "/v1/transfers", []byte(`{"amount":1}`))
	if base != FingerprintOf("POST", "/v1/transfers", []byte(`{"amount":1}`)) {
		t.Fatal("fingerprints of identical requests differ")
	}
	for name, fp := range map[string]Fingerprint{
		"method":            FingerprintOf("PUT", "/v1/transfers", []byte(`{"amount":1}`)),
		"path":              FingerprintOf("POST", "/v1/customers", []byte(`{"amount":1}`)),
		"body":              FingerprintOf("POST", "/v1/transfers", []byte(`{"amount":2}`)),
		"no body":           FingerprintOf("POST", "/v1/transfers", nil),
		"field boundaries":  FingerprintOf("POST", "/v1/transfers{", []byte(`"amount":1}`)),
		"method boundaries": FingerprintOf("POS", "T/v1/transfers", []byte(`{"amount":1}`)),
	} {
		if fp == base {
			t.Errorf("changing the %s does not change the fingerprint", name)
		}
	}
}

func resp(status int, body string) Response {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return Response{Status: status, Header: h, Body: []byte(body)}
}

func TestBeginOutcomes(t *testing.T) {
	s := NewStore(DefaultTTL, 100)
	if s.TTL() != 24*time.Hour {
		t.Fatalf("TTL %v", s.TTL())
	}
	fp := FingerprintOf("POST", "/v1/transfers", []byte(`{"amount":1}`))
	other := FingerprintOf("POST", "/v1/transfers", []byte(`{"amount":2}`))

	r, out := s.Begin("k1", fp, "POST", "/v1/transfers", t0)
	if out != Proceed || r == nil || r.Response != nil || r.Key != "k1" || r.Method != "POST" || r.Path != "/v1/transfers" || !r.CreatedAt.Equal(t0) {
		t.Fatalf("first Begin: %v %+v", out, r)
	}
	if s.Len() != 1 {
		t.Fatalf("Len %d", s.Len())
	}

	// While the first request runs, a duplicate is in flight.
	r2, out := s.Begin("k1", fp, "POST", "/v1/transfers", t0.Add(time.Second))
	if out != InFlight || r2 != r {
		t.Fatalf("duplicate in flight: %v", out)
	}
	// A different payload with the same key is a mismatch, even in flight.
	if _, out := s.Begin("k1", other, "POST", "/v1/transfers", t0); out != Mismatch {
		t.Fatalf("mismatch in flight: %v", out)
	}

	s.Complete(r, resp(201, `{"id":"trf_1"}`), "trf_1")
	r3, out := s.Begin("k1", fp, "POST", "/v1/transfers", t0.Add(time.Minute))
	if out != Replay || r3.Response == nil || r3.Response.Status != 201 || string(r3.Response.Body) != `{"id":"trf_1"}` || r3.ResourceID != "trf_1" {
		t.Fatalf("replay: %v %+v", out, r3)
	}
	if r3.Response.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("stored header lost: %v", r3.Response.Header)
	}
	// Replays do not refresh the key's age.
	if !r3.CreatedAt.Equal(t0) {
		t.Fatalf("CreatedAt moved to %v", r3.CreatedAt)
	}

	r4, out := s.Begin("k1", other, "POST", "/v1/transfers", t0.Add(time.Minute))
	if out != Mismatch || r4.Method != "POST" || r4.Path != "/v1/transfers" {
		t.Fatalf("mismatch after completion: %v %+v", out, r4)
	}
	// A different operation with the same key is a mismatch too.
	cancelFP := FingerprintOf("POST", "/v1/transfers/trf_1/cancel", nil)
	if _, out := s.Begin("k1", cancelFP, "POST", "/v1/transfers/trf_1/cancel", t0); out != Mismatch {
		t.Fatalf("same key on another path: %v", out)
	}
	// Error responses are stored and replayed like any other.
	re, out := s.Begin("k2", other, "POST", "/v1/transfers", t0)
	if out != Proceed {
		t.Fatal(out)
	}
	s.Complete(re, resp(500, `{"code":"internal_error"}`), "")
	if r, out := s.Begin("k2", other, "POST", "/v1/transfers", t0); out != Replay || r.Response.Status != 500 {
		t.Fatalf("stored 500 not replayed: %v", out)
	}
	if s.Len() != 2 {
		t.Fatalf("Len %d, want 2", s.Len())
	}
}

func TestAbortLetsARetryRun(t *testing.T) {
	s := NewStore(time.Hour, 10)
	fp := FingerprintOf("POST", "/x", nil)
	r, _ := s.Begin("k", fp, "POST", "/x", t0)
	s.Abort(r)
	if s.Len() != 0 {
		t.Fatalf("Len %d after Abort", s.Len())
	}
	// A retry with another payload is not a mismatch: nothing was stored.
	other := FingerprintOf("POST", "/x", []byte("{}"))
	r2, out := s.Begin("k", other, "POST", "/x", t0)
	if out != Proceed {
		t.Fatalf("after Abort: %v, want Proceed", out)
	}
	// Aborting a stale record must not drop the live one.
	s.Abort(r)
	if _, out := s.Begin("k", other, "POST", "/x", t0); out != InFlight {
		t.Fatalf("stale Abort dropped the live record: %v", out)
	}
	s.Complete(r2, resp(200, "{}"), "")
	if _, out := s.Begin("k", other, "POST", "/x", t0); out != Replay {
		t.Fatalf("%v", out)
	}
	// Expiry walks past the aborted record without tripping on it.
	if _, out := s.Begin("k", other, "POST", "/x", t0.Add(time.Hour)); out != Proceed {
		t.Fatalf("after TTL: %v", out)
	}
}

func TestTTLExpiresAtExactly24Hours(t *testing.T) {
	s := NewStore(0, 10) // 0 means the default TTL
	if s.TTL() != DefaultTTL {
		t.Fatalf("TTL %v", s.TTL())
	}
	fp := FingerprintOf("POST", "/v1/transfers", []byte("a"))
	other := FingerprintOf("POST", "/v1/transfers", []byte("b"))
	r, _ := s.Begin("k", fp, "POST", "/v1/transfers", t0)
	s.Complete(r, resp(201, "first"), "trf_1")

	if _, out := s.Begin("k", fp, "POST", "/v1/transfers", t0.Add(24*time.Hour-time.Nanosecond)); out != Replay {
		t.Fatalf("1 ns before 24 h: %v, want Replay", out)
	}
	if _, out := s.Begin("k", other, "POST", "/v1/transfers", t0.Add(24*time.Hour-time.Nanosecond)); out != Mismatch {
		t.Fatalf("1 ns before 24 h with another payload: %v, want Mismatch", out)
	}
	// At exactly 24 h the key is forgotten: another payload starts afresh.
	r2, out := s.Begin("k", other, "POST", "/v1/transfers", t0.Add(24*time.Hour))
	if out != Proceed || r2 == r || !r2.CreatedAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("at 24 h: %v, want Proceed with a new record", out)
	}
	if s.Len() != 1 {
		t.Fatalf("Len %d", s.Len())
	}
}

func TestTTLExpiryIsPerKeyAndSkipsInFlight(t *testing.T) {
	s := NewStore(time.Hour, 100)
	fp := FingerprintOf("POST", "/x", nil)
	for i := range 4 {
		r, _ := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0.Add(time.Duration(i)*10*time.Minute))
		s.Complete(r, resp(200, "{}"), "")
	}
	inflight, _ := s.Begin("running", fp, "POST", "/x", t0.Add(45*time.Minute))
	// At t0+65m, k0 (t0) and k1 (t0+10m) are older than an hour.
	if _, out := s.Begin("probe", fp, "POST", "/x", t0.Add(70*time.Minute)); out != Proceed {
		t.Fatal(out)
	}
	for i, want := range []Outcome{Proceed, Proceed, Replay, Replay} {
		r, out := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0.Add(70*time.Minute))
		if out != want {
			t.Fatalf("k%d at +70m: %v, want %v", i, out, want)
		}
		if out == Proceed {
			s.Complete(r, resp(200, "{}"), "")
		}
	}
	// An in-flight key never expires under its own request.
	if _, out := s.Begin("running", fp, "POST", "/x", t0.Add(10*time.Hour)); out != InFlight {
		t.Fatalf("in-flight key after 10 h: %v, want InFlight", out)
	}
	s.Complete(inflight, resp(201, "{}"), "")
}

func TestEvictionBound(t *testing.T) {
	s := NewStore(DefaultTTL, 3)
	fp := FingerprintOf("POST", "/x", nil)
	for i := range 6 {
		r, out := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0.Add(time.Duration(i)*time.Second))
		if out != Proceed {
			t.Fatalf("k%d: %v", i, out)
		}
		s.Complete(r, resp(200, fmt.Sprint(i)), "")
		if s.Len() > 3 {
			t.Fatalf("Len %d exceeds the bound", s.Len())
		}
	}
	// The newest three are kept; the oldest were evicted.
	for i := 3; i < 6; i++ {
		r, out := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0.Add(time.Minute))
		if out != Replay || string(r.Response.Body) != fmt.Sprint(i) {
			t.Fatalf("k%d: %v, want Replay", i, out)
		}
	}
	if _, out := s.Begin("k0", fp, "POST", "/x", t0.Add(time.Minute)); out != Proceed {
		t.Fatalf("evicted k0: %v, want Proceed", out)
	}
}

func TestEvictionNeverDropsInFlightKeys(t *testing.T) {
	s := NewStore(DefaultTTL, 2)
	fp := FingerprintOf("POST", "/x", nil)
	var recs []*Record
	for i := range 4 {
		r, out := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0)
		if out != Proceed {
			t.Fatal(out)
		}
		recs = append(recs, r)
	}
	// All four are in flight: none may be dropped, or a duplicate would run twice.
	for i := range 4 {
		if _, out := s.Begin(fmt.Sprintf("k%d", i), fp, "POST", "/x", t0); out != InFlight {
			t.Fatalf("k%d: %v, want InFlight", i, out)
		}
	}
	for _, r := range recs {
		s.Complete(r, resp(200, "{}"), "")
	}
	// The next new key brings the store back within its bound.
	r, _ := s.Begin("k4", fp, "POST", "/x", t0)
	s.Complete(r, resp(200, "{}"), "")
	if s.Len() != 2 {
		t.Fatalf("Len %d, want 2 (k3 and k4)", s.Len())
	}
	if _, out := s.Begin("k4", fp, "POST", "/x", t0); out != Replay {
		t.Fatalf("the newest key was evicted: %v", out)
	}
}

func TestConcurrentDuplicatesProceedOnce(t *testing.T) {
	s := NewStore(DefaultTTL, 1000)
	fp := FingerprintOf("POST", "/v1/transfers", []byte("x"))
	var proceeded, inflight, replayed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, out := s.Begin("dup", fp, "POST", "/v1/transfers", t0)
			switch out {
			case Proceed:
				proceeded.Add(1)
				s.Complete(r, resp(201, "once"), "trf_1")
			case InFlight:
				inflight.Add(1)
			case Replay:
				replayed.Add(1)
				if string(r.Response.Body) != "once" {
					t.Errorf("replayed %q", r.Response.Body)
				}
			default:
				t.Errorf("unexpected outcome %v", out)
			}
		}()
	}
	close(start)
	wg.Wait()
	if proceeded.Load() != 1 {
		t.Fatalf("%d requests proceeded, want exactly 1", proceeded.Load())
	}
	if proceeded.Load()+inflight.Load()+replayed.Load() != 32 {
		t.Fatal("outcomes do not add up")
	}
}

// TestInFlightKeyDoesNotBlockExpiryOfLaterKeys: a request that is still
// running (a hung handler, a slow client) must not keep every key created
// after it alive past the TTL.
func TestInFlightKeyDoesNotBlockExpiryOfLaterKeys(t *testing.T) {
	s := NewStore(time.Hour, 100)
	fp := FingerprintOf("POST", "/x", []byte("a"))
	other := FingerprintOf("POST", "/x", []byte("b"))
	hung, _ := s.Begin("hung", fp, "POST", "/x", t0)
	r, _ := s.Begin("done", fp, "POST", "/x", t0.Add(time.Second))
	s.Complete(r, resp(201, "{}"), "")

	later := t0.Add(time.Second + time.Hour)
	if _, out := s.Begin("done", other, "POST", "/x", later); out != Proceed {
		t.Fatalf("a completed key past its TTL: %v, want Proceed (expired)", out)
	}
	if _, out := s.Begin("hung", fp, "POST", "/x", later); out != InFlight {
		t.Fatalf("the in-flight key: %v, want InFlight", out)
	}
	// Once the hung request completes, its key expires like any other.
	s.Complete(hung, resp(201, "{}"), "")
	if _, out := s.Begin("hung", other, "POST", "/x", later); out != Proceed {
		t.Fatalf("the completed, old key: %v, want Proceed", out)
	}
	if s.Len() != 2 { // the two new records
		t.Fatalf("Len %d", s.Len())
	}
}

func TestResetForgetsEveryKey(t *testing.T) {
	s := NewStore(time.Hour, 10)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	fp := FingerprintOf("POST", "/v1/transfers", []byte(`{}`))
	done, _ := s.Begin("done", fp, "POST", "/v1/transfers", now)
	s.Complete(done, Response{Status: 201}, "trf_1")
	flying, _ := s.Begin("flying", fp, "POST", "/v1/transfers", now)
	s.Reset()
	if s.Len() != 0 {
		t.Fatalf("%d keys after Reset", s.Len())
	}
	s.Complete(flying, Response{Status: 201}, "trf_2") // the request in flight finishes
	for _, key := range []string{"done", "flying"} {
		if _, out := s.Begin(key, fp, "POST", "/v1/transfers", now); out != Proceed {
			t.Fatalf("key %q after Reset: outcome %v, want Proceed", key, out)
		}
	}
}
