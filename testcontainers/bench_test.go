package sandbank_test

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// BenchmarkDockerRunToHealthz measures what a user waits for: from
// `docker run` to the first /healthz answered 200 through the published
// port (budget: 1 s), and reports the image's size (budget: 20 MB).
func BenchmarkDockerRunToHealthz(b *testing.B) {
	requireDocker(b)
	b.ReportMetric(float64(inspectImage(b, image).Size)/1e6, "image-MB")
	client := &http.Client{Timeout: time.Second}
	var worst, total time.Duration
	for range b.N {
		b.StopTimer()
		port := freePort(b)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b.StartTimer()
		start := time.Now()
		out, err := exec.CommandContext(ctx, "docker", "run", "-d", "--rm",
			"-p", "127.0.0.1:"+port+":8080", image, "serve", "--addr", ":8080", "--log-level", "warn").Output()
		if err != nil {
			cancel()
			b.Fatalf("docker run: %v", err)
		}
		for {
			resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if ctx.Err() != nil {
				b.Fatal("no /healthz answer within 30 s")
			}
			time.Sleep(time.Millisecond)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		worst, total = max(worst, elapsed), total+elapsed
		_ = exec.CommandContext(ctx, "docker", "rm", "-f", strings.TrimSpace(string(out))).Run()
		cancel()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "mean-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}

func freePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
