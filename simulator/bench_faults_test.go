package simulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sandbank/sandbank/simulator"
)

// BenchmarkLatencyAccuracy measures how exactly a latency fault is served
// under load: 1000 requests paced at 500 per second, each asking for
// 200 ms, on a real listener. It reports the error of the delay the client
// observed (minus the same request's time without the fault), at the median,
// p99 and worst. Budget: p99 within ±5 ms on this 2-core machine. Run it
// with -benchtime 1x: each iteration is a whole 2-second run.
func BenchmarkLatencyAccuracy(b *testing.B) {
	const (
		rate     = 500
		requests = 1000
		want     = 200 * time.Millisecond
	)
	sim, err := simulator.New(simulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(sim)
	ts.Config.ConnContext = sim.ConnContext
	ts.Start()
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	get := func(fault string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/sandbox/clock", nil)
		req.Header.Set("Authorization", "Bearer sk_test_latencyaccuracy00001")
		if fault != "" {
			req.Header.Set("Sandbank-Fault", fault)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start)
	}
	get("") // provision the tenant, warm the connection pool
	var errs []float64
	for range b.N {
		// The same paced load without the fault: the cost of a request itself.
		base := paced(rate, requests, func() time.Duration { return get("") })
		slices.Sort(base)
		overhead := base[len(base)/2]
		got := paced(rate, requests, func() time.Duration { return get("latency=200ms") })
		for _, d := range got {
			errs = append(errs, float64(d-want-overhead)/float64(time.Millisecond))
		}
	}
	abs := make([]float64, len(errs))
	for i, e := range errs {
		abs[i] = max(e, -e)
	}
	slices.Sort(abs)
	b.ReportMetric(abs[len(abs)/2], "p50-err-ms")
	b.ReportMetric(abs[len(abs)*99/100], "p99-err-ms")
	b.ReportMetric(abs[len(abs)-1], "max-err-ms")
}

// paced starts n calls at rate per second and returns their durations.
func paced(rate, n int, call func() time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		wg.Go(func() { out[i] = call() })
	}
	wg.Wait()
	return out
}
