package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fixedNow is the wall clock of these tests.
var fixedNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func nowFunc() time.Time { return fixedNow }

// faultServer serves every request by injecting one fault, as the
// simulator does, and reports each exchange once the fault is done.
type faultServer struct {
	url  string
	done chan *Exchange
}

// serveFault starts a server whose handler builds an Exchange (setup may
// change it: phase, committed response, MaxHang), calls Inject and, unless
// the fault took the connection, writes the (possibly replaced) response.
func serveFault(t *testing.T, f Fault, setup func(x *Exchange)) *faultServer {
	t.Helper()
	fs := &faultServer{done: make(chan *Exchange, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := &Exchange{W: w, R: r, Phase: Before, Header: http.Header{"Request-Id": {"req_test_1"}},
			MaxHang: 5 * time.Second, Rand: rand.New(rand.NewPCG(1, 2)), Now: nowFunc}
		if setup != nil {
			setup(x)
		}
		defer func() { fs.done <- x }()
		f.Inject(x)
		if x.Taken() {
			return
		}
		resp := x.Response
		if resp == nil {
			resp = &Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"ok":true}` + "\n")}
		}
		for k, v := range x.Header {
			w.Header()[k] = v
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	}))
	t.Cleanup(srv.Close)
	fs.url = srv.URL
	return fs
}

// exchange waits (bounded) for the server side of the exchange to finish.
func (fs *faultServer) exchange(t *testing.T) *Exchange {
	t.Helper()
	select {
	case x := <-fs.done:
		return x
	case <-time.After(10 * time.Second):
		t.Fatal("the fault did not finish")
		return nil
	}
}

// client is a fresh client that never reuses connections (so the
// transport never retries on a reused one).
func client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

// committed is a response the handler committed (phase after_commit).
func committed() *Response {
	return &Response{Status: http.StatusCreated,
		Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/v1/transfers/tr_1"}},
		Body:   []byte(`{"id":"tr_1","object":"transfer","amount":1000,"currency":"BRL","status":"pending","description":"a transfer body long enough to cut"}` + "\n")}
}

func TestResetInject(t *testing.T) {
	for _, phase := range []Phase{Before, AfterCommit} {
		fs := serveFault(t, &Reset{}, func(x *Exchange) {
			x.Phase = phase
			if phase == AfterCommit {
				x.Response = committed()
			}
		})
		resp, err := client(5*time.Second).Post(fs.url+"/v1/transfers", "application/json", strings.NewReader(`{"amount":1}`))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: got a response %d", phase, resp.StatusCode)
		}
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("%s: want connection reset by peer, got %v", phase, err)
		}
		if x := fs.exchange(t); !x.Taken() || x.Outcome() != OutcomeConnectionReset {
			t.Fatalf("%s: outcome %q taken %v", phase, x.Outcome(), x.Taken())
		}
	}
}

func TestCloseInject(t *testing.T) {
	fs := serveFault(t, &Close{}, nil)
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want EOF (an empty reply), got %v", err)
	}
	if x := fs.exchange(t); x.Outcome() != OutcomeConnectionClosed {
		t.Fatalf("outcome %q", x.Outcome())
	}
}

func TestFaultsWithoutHijackAbort(t *testing.T) {
	// A ResponseWriter that cannot be hijacked: the fault aborts the handler
	// (http.ErrAbortHandler), still recording its outcome.
	for _, c := range []struct {
		f       Fault
		outcome string
	}{
		{&Reset{}, OutcomeConnectionReset},
		{&Close{}, OutcomeConnectionClosed},
		{&Hang{}, OutcomeHung},
		{&Malformed{Mode: "truncated"}, OutcomeConnectionClosed},
		{&SlowBody{}, OutcomeClientClosed},
	} {
		x := &Exchange{W: httptest.NewRecorder(), R: httptest.NewRequest("GET", "/v1/accounts", nil)}
		func() {
			defer func() {
				if p := recover(); p != http.ErrAbortHandler {
					t.Errorf("%T: panic %v, want http.ErrAbortHandler", c.f, p)
				}
			}()
			c.f.Inject(x)
		}()
		if !x.Taken() || x.Outcome() != c.outcome {
			t.Errorf("%T: outcome %q", c.f, x.Outcome())
		}
	}
}

func TestHangForADuration(t *testing.T) {
	fs := serveFault(t, &Hang{Duration: Duration(50 * time.Millisecond)}, nil)
	start := time.Now()
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF after the hang, got %v", err)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Fatalf("the hang lasted %v, less than 50ms", elapsed)
	}
	x := fs.exchange(t)
	if x.Outcome() != OutcomeHung {
		t.Fatalf("outcome %q", x.Outcome())
	}
	if held, _ := x.Params["held_ms"].(int64); held < 50 {
		t.Fatalf("held_ms %v", x.Params["held_ms"])
	}
	if _, ok := x.Params["headers_sent"]; ok {
		t.Fatal("headers_sent recorded without headers")
	}
}

func TestHangThenReset(t *testing.T) {
	fs := serveFault(t, &Hang{Duration: Duration(20 * time.Millisecond), Then: "reset"}, nil)
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err == nil {
		resp.Body.Close()
		t.Fatal("got a response")
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want a reset after the hang, got %v", err)
	}
	if x := fs.exchange(t); x.Outcome() != OutcomeHung {
		t.Fatalf("outcome %q", x.Outcome())
	}
}

func TestHangUntilTheClientGivesUp(t *testing.T) {
	// No duration: the hang lasts until the client's timeout (100ms). With a
	// cap far away, or with no cap at all.
	for _, maxHang := range []time.Duration{time.Minute, 0} {
		fs := serveFault(t, &Hang{}, func(x *Exchange) { x.MaxHang = maxHang })
		start := time.Now()
		resp, err := client(100 * time.Millisecond).Get(fs.url + "/v1/accounts")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("MaxHang %v: got a response", maxHang)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("MaxHang %v: want the client's timeout, got %v", maxHang, err)
		}
		if time.Since(start) < 100*time.Millisecond {
			t.Fatal("the client gave up early")
		}
		x := fs.exchange(t)
		if x.Outcome() != OutcomeClientClosed {
			t.Fatalf("MaxHang %v: outcome %q, want %q", maxHang, x.Outcome(), OutcomeClientClosed)
		}
		if held, _ := x.Params["held_ms"].(int64); held < 50 {
			t.Fatalf("MaxHang %v: held_ms %v", maxHang, x.Params["held_ms"])
		}
	}
}

func TestHangWithHeaders(t *testing.T) {
	for _, phase := range []Phase{Before, AfterCommit} {
		fs := serveFault(t, &Hang{Duration: Duration(30 * time.Millisecond), Headers: true}, func(x *Exchange) {
			x.Phase = phase
			if phase == AfterCommit {
				x.Response = committed()
			}
		})
		resp, err := client(5 * time.Second).Get(fs.url + "/v1/transfers")
		if err != nil {
			t.Fatalf("%s: the status and headers must arrive: %v", phase, err)
		}
		wantStatus, wantLen := http.StatusOK, int64(len(`{"id":"unknown","object":"unknown","status":"processing"}`+"\n"))
		if phase == AfterCommit {
			wantStatus, wantLen = http.StatusCreated, int64(len(committed().Body))
			if resp.Header.Get("Location") != "/v1/transfers/tr_1" {
				t.Errorf("%s: committed headers lost: %v", phase, resp.Header)
			}
		}
		if resp.StatusCode != wantStatus || resp.ContentLength != wantLen ||
			resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Request-Id") != "req_test_1" ||
			resp.Header.Get("Date") != fixedNow.Format(http.TimeFormat) {
			t.Errorf("%s: %d %d %v", phase, resp.StatusCode, resp.ContentLength, resp.Header)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != 0 {
			t.Fatalf("%s: reading the body must fail: %q %v", phase, body, err)
		}
		x := fs.exchange(t)
		if x.Outcome() != OutcomeHung || x.Params["headers_sent"] != true {
			t.Fatalf("%s: outcome %q params %v", phase, x.Outcome(), x.Params)
		}
	}
}

func TestHangCappedByMaxHang(t *testing.T) {
	// A 10s hang capped at 50ms: the server gives up first (hung), long
	// before the client's 5s timeout would (client_closed).
	fs := serveFault(t, &Hang{Duration: Duration(10 * time.Second)}, func(x *Exchange) { x.MaxHang = 50 * time.Millisecond })
	_, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF when the cap ends the hang, got %v", err)
	}
	x := fs.exchange(t)
	if x.Outcome() != OutcomeHung {
		t.Fatalf("outcome %q", x.Outcome())
	}
	if held, _ := x.Params["held_ms"].(int64); held < 50 || held >= 5000 {
		t.Fatalf("held_ms %v", x.Params["held_ms"])
	}
}

func TestExchangeWait(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	x := &Exchange{R: r}
	if !x.Wait(0) || !x.Wait(-time.Second) {
		t.Fatal("a wait of nothing completes")
	}
	start := time.Now()
	if !x.Wait(20 * time.Millisecond) {
		t.Fatal("Wait(20ms)")
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("Wait returned early")
	}
	x.MaxHang = 10 * time.Millisecond
	if !x.Wait(time.Hour) {
		t.Fatal("a capped wait completes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x = &Exchange{R: r.WithContext(ctx)}
	if x.Wait(time.Hour) {
		t.Fatal("Wait must stop when the client goes away")
	}
	// Record makes its map.
	x.Record("a", 1)
	if x.Params["a"] != 1 {
		t.Fatal(x.Params)
	}
}

func TestRawHead(t *testing.T) {
	x := &Exchange{Header: http.Header{"Request-Id": {"req_1"}}, Now: nowFunc}
	resp := &Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"999"}, "Request-Id": {"stale"}}}
	want := "HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 5\r\nContent-Type: application/json\r\n" +
		"Date: Mon, 02 Mar 2026 12:00:00 GMT\r\nRequest-Id: req_1\r\n\r\n"
	if got := string(x.rawHead(resp, 5)); got != want {
		t.Fatalf("rawHead:\n%q\nwant\n%q", got, want)
	}
	if got := string(x.rawHead(resp, -1)); strings.Contains(got, "Content-Length") {
		t.Fatalf("contentLength -1 leaves it out: %q", got)
	}
}

func TestLatencyFixed(t *testing.T) {
	l := &Latency{Duration: Duration(30 * time.Millisecond)}
	x := &Exchange{R: httptest.NewRequest("GET", "/", nil), Rand: rand.New(rand.NewPCG(1, 1))}
	start := time.Now()
	l.Inject(x)
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("latency returned early")
	}
	if x.Taken() || x.Response != nil || x.Params["delay_ms"] != 30.0 {
		t.Fatalf("taken %v response %v params %v", x.Taken(), x.Response, x.Params)
	}
}

func TestLatencyDraws(t *testing.T) {
	uniform := &Latency{Min: Duration(time.Second), Max: Duration(2 * time.Second)}
	lognormal := &Latency{Median: Duration(250 * time.Millisecond), Sigma: 0.6}
	// MaxHang caps the waits, so the seconds drawn cost milliseconds; the
	// recorded delay is the one drawn.
	inject := func(l *Latency, seed uint64) float64 {
		x := &Exchange{R: httptest.NewRequest("GET", "/", nil), Rand: rand.New(rand.NewPCG(seed, seed)), MaxHang: time.Millisecond}
		l.Inject(x)
		if x.Taken() {
			t.Fatal("latency took the exchange")
		}
		return x.Params["delay_ms"].(float64)
	}
	for seed := uint64(1); seed <= 5; seed++ {
		// Uniform: in range, and exactly the seeded stream's draw.
		got := inject(uniform, seed)
		if got < 1000 || got >= 2000 {
			t.Fatalf("uniform draw %vms outside [1000, 2000)", got)
		}
		want := time.Second + time.Duration(rand.New(rand.NewPCG(seed, seed)).Int64N(int64(time.Second)))
		if got != float64(want.Microseconds())/1000 {
			t.Fatalf("uniform draw %v, want %v", got, want)
		}
		if again := inject(uniform, seed); again != got {
			t.Fatalf("same seed, different draws: %v %v", got, again)
		}
		// Log-normal: median × e^(σ·N), N from the seeded stream.
		got = inject(lognormal, seed)
		n := rand.New(rand.NewPCG(seed, seed)).NormFloat64()
		want = time.Duration(float64(250*time.Millisecond) * math.Exp(0.6*n))
		if got != float64(want.Microseconds())/1000 || got <= 0 {
			t.Fatalf("log-normal draw %v, want %v", got, want)
		}
		if again := inject(lognormal, seed); again != got {
			t.Fatal("same seed, different log-normal draws")
		}
	}
	if inject(uniform, 1) == inject(uniform, 2) {
		t.Fatal("different seeds drew the same delay")
	}

	// Over many draws: the uniform stays in range and spreads over it; the
	// log-normal's median is near 250ms.
	x := &Exchange{Rand: rand.New(rand.NewPCG(7, 7))}
	var us, ls []time.Duration
	for range 4001 {
		us = append(us, uniform.draw(x))
		ls = append(ls, lognormal.draw(x))
	}
	slices.Sort(us)
	slices.Sort(ls)
	if us[0] < time.Second || us[len(us)-1] >= 2*time.Second || us[0] > 1010*time.Millisecond || us[len(us)-1] < 1990*time.Millisecond {
		t.Fatalf("uniform spread %v..%v", us[0], us[len(us)-1])
	}
	if med := ls[len(ls)/2]; med < 230*time.Millisecond || med > 270*time.Millisecond {
		t.Fatalf("log-normal median %v", med)
	}
	if ls[0] <= 0 || ls[len(ls)-1] < time.Second {
		t.Fatalf("log-normal range %v..%v (σ=0.6 has a long tail)", ls[0], ls[len(ls)-1])
	}
}

func TestLatencyClientGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := &Exchange{R: httptest.NewRequest("GET", "/", nil).WithContext(ctx)}
	(&Latency{Duration: Duration(time.Hour)}).Inject(x)
	if !x.Taken() || x.Outcome() != OutcomeClientClosed {
		t.Fatalf("outcome %q", x.Outcome())
	}
}

func TestLatencyOverAConnection(t *testing.T) {
	fs := serveFault(t, &Latency{Duration: Duration(40 * time.Millisecond)}, nil)
	start := time.Now()
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"ok":true}`+"\n" || time.Since(start) < 40*time.Millisecond {
		t.Fatalf("%d %q after %v", resp.StatusCode, body, time.Since(start))
	}
	if x := fs.exchange(t); x.Taken() || x.Params["delay_ms"] != 40.0 {
		t.Fatalf("%v %v", x.Taken(), x.Params)
	}
}

// injectResponse runs a status-like fault on a request to path.
func injectResponse(t *testing.T, f Fault, path string) (*Exchange, *Response) {
	t.Helper()
	x := &Exchange{R: httptest.NewRequest("POST", path, nil), Header: http.Header{"Request-Id": {"req_9"}}, Now: nowFunc}
	f.Inject(x)
	if x.Taken() || x.Response == nil {
		t.Fatalf("%T did not replace the response", f)
	}
	return x, x.Response
}

func TestStatusDefaultProblems(t *testing.T) {
	for _, c := range []struct {
		code        int
		problem     string
		title       string
		withoutBody bool
	}{
		{500, "internal_error", "Internal error", false},
		{502, "bad_gateway", "Bad gateway", false},
		{503, "service_unavailable", "The service is temporarily unavailable", false},
		{504, "gateway_timeout", "Gateway timeout", false},
		{429, "rate_limited", "Too many requests", false},
		{408, "request_timeout", "Request timeout", false},
		{409, "conflict", "Conflict", false},
		{418, "injected_error", "I'm a teapot", false},
		{599, "injected_error", "", false},
		{200, "", "", true},
		{204, "", "", true},
	} {
		x, resp := injectResponse(t, &Status{Code: c.code}, "/v1/transfers")
		if resp.Status != c.code || x.Params["status"] != c.code {
			t.Fatalf("%d: status %d params %v", c.code, resp.Status, x.Params)
		}
		if c.withoutBody {
			if resp.Body != nil || resp.Header.Get("Content-Type") != "" {
				t.Errorf("%d: a success has no default body: %q %v", c.code, resp.Body, resp.Header)
			}
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%d: Content-Type %q", c.code, ct)
		}
		var p map[string]any
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			t.Fatalf("%d: body %q: %v", c.code, resp.Body, err)
		}
		want := map[string]any{
			"type": "https://sandbank.dev/problems/" + c.problem, "title": c.title, "status": float64(c.code),
			"code": c.problem, "instance": "/v1/transfers", "request_id": "req_9",
			"detail": "sandbank injected this response (a fault from a scenario or a Sandbank-Fault header)",
		}
		for k, v := range want {
			if p[k] != v {
				t.Errorf("%d: %s = %v, want %v", c.code, k, p[k], v)
			}
		}
		if !strings.HasSuffix(string(resp.Body), "}\n") {
			t.Errorf("%d: body ends %q", c.code, resp.Body)
		}
	}
}

func TestStatusCustomHeadersAndBody(t *testing.T) {
	_, resp := injectResponse(t, &Status{Code: 402, Body: "no money", Headers: map[string]string{"X-Reason": "funds", "Content-Type": "text/x-custom"}}, "/v1/x")
	if string(resp.Body) != "no money" || resp.Header.Get("X-Reason") != "funds" || resp.Header.Get("Content-Type") != "text/x-custom" {
		t.Fatalf("string body: %q %v", resp.Body, resp.Header)
	}
	_, resp = injectResponse(t, &Status{Code: 200, Body: "plain"}, "/v1/x")
	if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("string body type: %v", resp.Header)
	}
	// A JSON body as the loader reads it from YAML.
	sc := mustParse(t, `name: b
rules:
  - fault:
      type: status
      code: 200
      body: {id: pay_1, amount: 10, tags: [a], ok: true}
`)
	_, resp = injectResponse(t, sc.Rules[0].Fault.Fault, "/v1/x")
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("JSON body type: %v", resp.Header)
	}
	var got map[string]any
	if err := json.Unmarshal(resp.Body, &got); err != nil || !sameJSON(got, map[string]any{"id": "pay_1", "amount": 10, "tags": []any{"a"}, "ok": true}) {
		t.Fatalf("JSON body %q: %v", resp.Body, err)
	}
	// An unmarshalable body degrades to {}.
	_, resp = injectResponse(t, &Status{Code: 200, Body: map[string]any{"f": func() {}}}, "/v1/x")
	if string(resp.Body) != "{}\n" {
		t.Fatalf("unmarshalable body: %q", resp.Body)
	}
}

func TestStatusRetryAfter(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Second: "2", 1500 * time.Millisecond: "2", time.Millisecond: "1", 60 * time.Second: "60", 0: "",
	} {
		_, resp := injectResponse(t, &Status{Code: 503, RetryAfter: Duration(d)}, "/")
		if got := resp.Header.Get("Retry-After"); got != want {
			t.Errorf("retry_after %v: Retry-After %q, want %q", d, got, want)
		}
	}
	_, resp := injectResponse(t, &Status{Code: 503, RetryAfter: Duration(3 * time.Second), RetryAfterFormat: "date"}, "/")
	got := resp.Header.Get("Retry-After")
	if got != "Mon, 02 Mar 2026 12:00:03 GMT" {
		t.Fatalf("Retry-After date %q", got)
	}
	if at, err := http.ParseTime(got); err != nil || !at.Equal(fixedNow.Add(3*time.Second)) {
		t.Fatalf("Retry-After is not an HTTP-date 3s ahead: %v %v", at, err)
	}
	// Now is in any zone; the date is GMT.
	x := &Exchange{R: httptest.NewRequest("GET", "/", nil), Now: func() time.Time { return fixedNow.In(time.FixedZone("BRT", -3*3600)) }}
	(&Status{Code: 503, RetryAfter: Duration(time.Second), RetryAfterFormat: "date"}).Inject(x)
	if got := x.Response.Header.Get("Retry-After"); got != "Mon, 02 Mar 2026 12:00:01 GMT" {
		t.Fatalf("Retry-After %q", got)
	}
}

func TestStatusOverAConnection(t *testing.T) {
	f := mustCompact(t, "503;retry-after=2").Fault
	fs := serveFault(t, f, nil)
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(body), `"code":"service_unavailable"`) ||
		resp.Header.Get("Request-Id") != "req_test_1" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	fs.exchange(t)
}

func TestRateLimitInject(t *testing.T) {
	x, resp := injectResponse(t, &RateLimit{}, "/v1/accounts")
	if resp.Status != 429 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %v", resp.Status, resp.Header)
	}
	checkHeaders(t, "default", resp.Header, map[string]string{
		"Retry-After":      "1",
		"RateLimit-Policy": `"default";q=100;w=60`,
		"RateLimit":        `"default";r=0;t=1`,
	})
	if x.Params["retry_after"] != "1" {
		t.Errorf("params %v", x.Params)
	}
	var p map[string]any
	if err := json.Unmarshal(resp.Body, &p); err != nil || p["code"] != "rate_limited" || p["status"] != 429.0 || p["detail"] != "rate limit exceeded: retry after 1s" {
		t.Fatalf("body %s", resp.Body)
	}

	_, resp = injectResponse(t, &RateLimit{RetryAfter: Duration(1500 * time.Millisecond), Limit: 5, Window: Duration(10 * time.Second)}, "/")
	checkHeaders(t, "custom", resp.Header, map[string]string{
		"Retry-After":      "2",
		"RateLimit-Policy": `"default";q=5;w=10`,
		"RateLimit":        `"default";r=0;t=2`,
	})

	_, resp = injectResponse(t, &RateLimit{RetryAfter: Duration(3 * time.Second), RetryAfterFormat: "date"}, "/")
	if got := resp.Header.Get("Retry-After"); got != "Mon, 02 Mar 2026 12:00:03 GMT" || resp.Header.Get("RateLimit") != `"default";r=0;t=3` {
		t.Fatalf("date: %v", resp.Header)
	}

	// The library's rate_limit=2s.
	_, resp = injectResponse(t, mustCompact(t, "rate_limit=2s").Fault, "/")
	if resp.Header.Get("Retry-After") != "2" || resp.Header.Get("RateLimit") != `"default";r=0;t=2` || resp.Header.Get("RateLimit-Policy") != `"default";q=100;w=60` {
		t.Fatalf("rate_limit=2s: %v", resp.Header)
	}
}

// checkHeaders reports every header of want that h does not hold.
func checkHeaders(t *testing.T, what string, h http.Header, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestSetRateLimitFields(t *testing.T) {
	h := http.Header{}
	SetRateLimitFields(h, 10, 1500*time.Millisecond, 3, 200*time.Millisecond)
	if h.Get("RateLimit-Policy") != `"default";q=10;w=2` || h.Get("RateLimit") != `"default";r=3;t=1` {
		t.Fatal(h)
	}
}

func TestMalformedInvalidJSON(t *testing.T) {
	for _, phase := range []Phase{Before, AfterCommit} {
		fs := serveFault(t, &Malformed{Mode: "invalid_json"}, func(x *Exchange) {
			x.Phase = phase
			if phase == AfterCommit {
				x.Response = committed()
			}
		})
		resp, err := client(5*time.Second).Post(fs.url+"/v1/transfers", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: the body must arrive whole: %v", phase, err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || json.Valid(body) || len(body) == 0 {
			t.Fatalf("%s: %d %v %q", phase, resp.StatusCode, resp.Header, body)
		}
		if phase == AfterCommit && (!strings.HasPrefix(string(committed().Body), string(body)) || resp.Header.Get("Location") != "/v1/transfers/tr_1") {
			t.Fatalf("invalid_json cuts the committed body and keeps its headers: %q %v", body, resp.Header)
		}
		if x := fs.exchange(t); x.Taken() || x.Params["mode"] != "invalid_json" {
			t.Fatalf("%v %v", x.Taken(), x.Params)
		}
	}
	for _, body := range []string{"", "1", "{}", "[]", `"s"`, `{"a":[1,2,3]}`} {
		if b := brokenJSON([]byte(body)); json.Valid(b) || len(b) == 0 {
			t.Errorf("brokenJSON(%q) = %q is valid", body, b)
		}
	}
}

func TestMalformedTruncatedAndWrongLength(t *testing.T) {
	full := committed().Body
	for _, c := range []struct {
		f                  *Malformed
		declared, sent     int
		mode               string
		defaultModeApplied bool
	}{
		{&Malformed{Mode: "truncated"}, len(full), len(full) / 2, "truncated", false},
		{&Malformed{}, len(full), len(full) / 2, "truncated", true},
		{&Malformed{Mode: "wrong_length"}, len(full) + 64, len(full), "wrong_length", false},
		{&Malformed{Mode: "wrong_length", ExtraBytes: 3}, len(full) + 3, len(full), "wrong_length", false},
	} {
		fs := serveFault(t, c.f, func(x *Exchange) { x.Phase, x.Response = AfterCommit, committed() })
		resp, err := client(5*time.Second).Post(fs.url+"/v1/transfers", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatalf("%s: the headers must arrive: %v", c.mode, err)
		}
		if resp.StatusCode != 201 || resp.ContentLength != int64(c.declared) {
			t.Errorf("%s: %d Content-Length %d, want %d", c.mode, resp.StatusCode, resp.ContentLength, c.declared)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: reading the body: %v, want unexpected EOF", c.mode, err)
		}
		if string(body) != string(full[:c.sent]) {
			t.Errorf("%s: got %d bytes %q, want the first %d", c.mode, len(body), body, c.sent)
		}
		x := fs.exchange(t)
		if x.Outcome() != OutcomeConnectionClosed || x.Params["mode"] != c.mode ||
			x.Params["declared_length"] != c.declared || x.Params["sent_length"] != c.sent {
			t.Errorf("%s: outcome %q params %v", c.mode, x.Outcome(), x.Params)
		}
	}
}

func TestSlowBody(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 12)) // 120 bytes
	fs := serveFault(t, &SlowBody{BytesPerSecond: 1000}, func(x *Exchange) {
		x.Phase = AfterCommit
		x.Response = &Response{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: body}
	})
	start := time.Now()
	resp, err := client(5 * time.Second).Get(fs.url + "/v1/accounts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
		t.Fatalf("%d Content-Length %d", resp.StatusCode, resp.ContentLength)
	}
	var got []byte
	pieces := 0
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			pieces++
			got = append(got, buf[:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	if string(got) != string(body) {
		t.Fatalf("body %q", got)
	}
	if pieces < 3 {
		t.Fatalf("the body came in %d pieces; a slow body trickles", pieces)
	}
	// 120 bytes at 1000 B/s: the last byte is due after 119ms.
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		t.Fatalf("120 bytes at 1000 B/s took only %v", elapsed)
	}
	x := fs.exchange(t)
	if x.Outcome() != OutcomeCompleted || x.Params["sent_bytes"] != len(body) || x.Params["bytes_per_second"] != 1000 {
		t.Fatalf("outcome %q params %v", x.Outcome(), x.Params)
	}
}

func TestSlowBodyCappedByMaxHang(t *testing.T) {
	body := []byte(strings.Repeat("x", 100))
	fs := serveFault(t, &SlowBody{BytesPerSecond: 20}, func(x *Exchange) {
		x.Phase, x.MaxHang = AfterCommit, 100*time.Millisecond
		x.Response = &Response{Status: 200, Body: body}
	})
	resp, err := client(5 * time.Second).Get(fs.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) == 0 || len(got) >= len(body) {
		t.Fatalf("a body slower than the cap is cut: %d bytes, %v", len(got), err)
	}
	x := fs.exchange(t)
	if x.Outcome() != OutcomeHung || x.Params["sent_bytes"] != len(got) {
		t.Fatalf("outcome %q params %v (client got %d)", x.Outcome(), x.Params, len(got))
	}
}

func TestSlowBodyDefaultRate(t *testing.T) {
	// No rate: 100 B/s. A body-less exchange gets the plausible response.
	fs := serveFault(t, &SlowBody{}, func(x *Exchange) { x.MaxHang = 0 })
	resp, err := client(5 * time.Second).Get(fs.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !json.Valid(got) || resp.ContentLength != int64(len(got)) {
		t.Fatalf("%q %v", got, err)
	}
	if x := fs.exchange(t); x.Params["bytes_per_second"] != 100 || x.Outcome() != OutcomeCompleted {
		t.Fatalf("%v %q", x.Params, x.Outcome())
	}
}

func TestDuplicateInject(t *testing.T) {
	for _, c := range []struct {
		d    *Duplicate
		want int
	}{{&Duplicate{}, 2}, {&Duplicate{Count: 2}, 2}, {&Duplicate{Count: 5}, 5}} {
		if c.d.Copies() != c.want {
			t.Errorf("Copies() = %d, want %d", c.d.Copies(), c.want)
		}
		resp := committed()
		x := &Exchange{R: httptest.NewRequest("POST", "/v1/transfers", nil), Response: resp}
		c.d.Inject(x)
		if x.Taken() || x.Response != resp || x.Params["copies"] != c.want {
			t.Errorf("duplicate must leave the response alone and record copies: %v %v", x.Taken(), x.Params)
		}
	}
	var f Fault = &Duplicate{Count: 3}
	if d, ok := f.(Duplicator); !ok || d.Copies() != 3 {
		t.Fatal("Duplicate is a Duplicator")
	}
}

func TestPhaseLimits(t *testing.T) {
	for _, c := range []struct {
		f    Fault
		want []Phase
	}{
		{&SlowBody{}, []Phase{AfterCommit}},
		{&Duplicate{}, []Phase{AfterCommit}},
		{&Reset{}, []Phase{Before, AfterCommit}},
		{&Hang{}, []Phase{Before, AfterCommit}},
		{&Malformed{}, []Phase{Before, AfterCommit}},
	} {
		if got := allowedPhases(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%T: %v", c.f, got)
		}
	}
}

func TestTokenBucket(t *testing.T) {
	now := fixedNow
	clock := func() time.Time { return now }
	b := NewTokenBucket(2, 3, clock) // 2 per second, burst 3

	if limit, window := b.Policy(); limit != 3 || window != 1500*time.Millisecond {
		t.Fatalf("Policy() = %d, %v", limit, window)
	}
	// The burst: three at once, remaining 2, 1, 0; the wait until full grows.
	for i, want := range []struct {
		remaining int
		wait      time.Duration
	}{{2, 500 * time.Millisecond}, {1, time.Second}, {0, 1500 * time.Millisecond}} {
		ok, remaining, wait := b.Take()
		if !ok || remaining != want.remaining || wait != want.wait {
			t.Fatalf("take %d: %v %d %v, want ok %d %v", i+1, ok, remaining, wait, want.remaining, want.wait)
		}
	}
	// Refused: the next token is 500ms away.
	if ok, remaining, wait := b.Take(); ok || remaining != 0 || wait != 500*time.Millisecond {
		t.Fatalf("refusal: %v %d %v", ok, remaining, wait)
	}
	now = now.Add(250 * time.Millisecond)
	if ok, _, wait := b.Take(); ok || wait != 250*time.Millisecond {
		t.Fatalf("half a token later: %v %v", ok, wait)
	}
	now = now.Add(250 * time.Millisecond)
	if ok, remaining, _ := b.Take(); !ok || remaining != 0 {
		t.Fatalf("a token refilled: %v %d", ok, remaining)
	}
	// A long pause refills to the burst, never beyond.
	now = now.Add(time.Hour)
	for i := range 3 {
		if ok, remaining, _ := b.Take(); !ok || remaining != 2-i {
			t.Fatalf("after a pause, take %d: %v %d", i+1, ok, remaining)
		}
	}
	if ok, _, _ := b.Take(); ok {
		t.Fatal("the bucket holds at most its burst")
	}

	// A burst below 1 is 1; a nil clock is the wall clock.
	b = NewTokenBucket(1, 0, nil)
	if limit, window := b.Policy(); limit != 1 || window != time.Second {
		t.Fatalf("Policy() = %d, %v", limit, window)
	}
	if ok, _, _ := b.Take(); !ok {
		t.Fatal("first take")
	}
	if ok, _, wait := b.Take(); ok || wait <= 0 || wait > time.Second {
		t.Fatalf("second take: %v %v", ok, wait)
	}
}

func TestTokenBucketConcurrent(t *testing.T) {
	now := fixedNow
	b := NewTokenBucket(1, 50, func() time.Time { return now }) // the clock never moves
	results := make(chan bool, 200)
	for range 8 {
		go func() {
			for range 25 {
				ok, _, _ := b.Take()
				results <- ok
			}
		}()
	}
	allowed := 0
	for range 200 {
		if <-results {
			allowed++
		}
	}
	if allowed != 50 {
		t.Fatalf("%d allowed, want the burst of 50", allowed)
	}
}

// Guard against a silent change of the vocabulary the journal uses.
func TestOutcomeNames(t *testing.T) {
	got := strings.Join([]string{OutcomeCompleted, OutcomeClientClosed, OutcomeConnectionReset, OutcomeConnectionClosed, OutcomeHung}, ",")
	if got != "completed,client_closed,connection_reset,connection_closed,hung" {
		t.Fatal(got)
	}
	if AfterCommit != "after_commit" || Before != "before" {
		t.Fatal("phase names")
	}
}
