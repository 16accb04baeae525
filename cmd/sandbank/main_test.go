package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the sandbank executable built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sandbank-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sandbank")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building sandbank:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type process struct {
	cmd   *exec.Cmd
	addr  string
	lines chan string     // stderr, line by line, until it closes
	log   strings.Builder // the lines waitLog has read
	// listening is the "sandbank listening" log line.
	listening map[string]any
	done      chan error
}

// startServe runs `sandbank serve` and waits until its log says it listens.
func startServe(t testing.TB, env []string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr, "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, addr: addr, lines: make(chan string, 1000), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() { p.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	p.listening = p.waitLog(t, "sandbank listening")
	return p
}

// waitLog reads log lines until one contains want.
func (p *process) waitLog(t testing.TB, want string) map[string]any {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("sandbank exited before logging %q", want)
			}
			p.log.WriteString(line + "\n")
			if strings.Contains(line, want) {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("log line is not JSON: %s", line)
				}
				return m
			}
		case <-timeout:
			t.Fatalf("no log line %q; got:\n%s", want, p.log.String())
		}
	}
}

func TestServeAnswersAndStopsCleanlyOnSIGTERM(t *testing.T) {
	p := startServe(t, nil, "--seed", "42")
	resp, err := http.Get("http://" + p.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	// A request is logged as structured JSON.
	req, _ := http.NewRequest(http.MethodGet, "http://"+p.addr+"/v1/accounts", nil)
	req.Header.Set("Authorization", "Bearer sk_test_cmdtestcmdtest000001")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("accounts: %v %v", err, resp)
	}
	resp.Body.Close()
	line := p.waitLog(t, `"path":"/v1/accounts"`)
	if line["status"] != float64(200) || line["level"] != "INFO" {
		t.Fatalf("request log %v", line)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitLog(t, "shutting down")
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("sandbank did not exit 0 on SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("sandbank did not stop on SIGTERM")
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	// SANDBANK_SEED and --seed give the same data; the flag wins over the environment.
	fetch := func(p *process) string {
		req, _ := http.NewRequest(http.MethodGet, "http://"+p.addr+"/v1/customers?limit=1", nil)
		req.Header.Set("Authorization", "Bearer sk_test_envtestenvtest000001")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	byFlag := fetch(startServe(t, nil, "--seed", "7"))
	byEnv := fetch(startServe(t, []string{"SANDBANK_SEED=7"}))
	flagWins := fetch(startServe(t, []string{"SANDBANK_SEED=8"}, "--seed", "7"))
	other := fetch(startServe(t, []string{"SANDBANK_SEED=8"}))
	if byFlag != byEnv || byFlag != flagWins {
		t.Fatal("SANDBANK_SEED=7 and --seed 7 must give the same data, and the flag must win")
	}
	if byFlag == other {
		t.Fatal("seed 8 gave the same data as seed 7")
	}
}

func TestCommands(t *testing.T) {
	if out, _, code := sandbankRun(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "sandbank ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if out, _, code := sandbankRun(t, nil, "spec"); code != 0 || !strings.Contains(out, "\nopenapi: 3.0.3\n") {
		t.Fatalf("spec: %d %.40q", code, out)
	}
	if out, _, code := sandbankRun(t, nil, "spec", "--format", "json"); code != 0 || !json.Valid([]byte(out)) {
		t.Fatalf("spec json: %d %.40q", code, out)
	}
	if _, errOut, code := sandbankRun(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if _, errOut, code := sandbankRun(t, nil, "serve", "--clock", "sideways"); code != 2 || !strings.Contains(errOut, "frozen or realtime") {
		t.Fatalf("bad flag value: %d %q", code, errOut)
	}
	if _, errOut, code := sandbankRun(t, []string{"SANDBANK_MAX_BODY_BYTES=lots"}, "serve"); code != 2 || !strings.Contains(errOut, "SANDBANK_MAX_BODY_BYTES") {
		t.Fatalf("bad environment value: %d %q", code, errOut)
	}
	// healthcheck: unhealthy when nothing listens, healthy against a server.
	if _, _, code := sandbankRun(t, nil, "healthcheck", "--addr", freeAddr(t), "--timeout", "500ms"); code != 1 {
		t.Fatalf("healthcheck with no server: exit %d", code)
	}
	p := startServe(t, nil)
	if out, _, code := sandbankRun(t, nil, "healthcheck", "--addr", p.addr); code != 0 || !strings.Contains(out, "healthy") {
		t.Fatalf("healthcheck: %d %q", code, out)
	}
	if _, _, code := sandbankRun(t, []string{"SANDBANK_ADDR=" + p.addr}, "healthcheck"); code != 0 {
		t.Fatalf("healthcheck with SANDBANK_ADDR: %d", code)
	}
}

// BenchmarkStartupToHealthz measures a cold `sandbank serve` until its
// first answered /healthz (budget: 50 ms on this machine).
func BenchmarkStartupToHealthz(b *testing.B) {
	client := &http.Client{Timeout: time.Second}
	var worst time.Duration
	for range b.N {
		addr := freeAddr(b)
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, binary, "serve", "--addr", addr, "--log-level", "error")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := client.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("no /healthz answer within 10 s")
			}
			time.Sleep(200 * time.Microsecond)
		}
		elapsed := time.Since(start)
		worst = max(worst, elapsed)
		cancel()
		_ = cmd.Wait()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}
