package sandbank_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// image is the image under test: `make docker` builds it from this tree
// before any test runs, under the tag the README's example uses.
const image = "sandbank:dev"

// noDocker, when set, says why the container tests skip. Under CI=true
// they never skip: TestMain fails instead.
var noDocker string

func TestMain(m *testing.M) {
	if err := dockerReady(); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintf(os.Stderr, "FAIL: the container tests need Docker, and CI is set (.ci/run starts dockerd): %v\n", err)
			os.Exit(1)
		}
		noDocker = fmt.Sprintf("Docker is not available (%v): the image and testcontainers tests are skipped", err)
		fmt.Fprintln(os.Stderr, "sandbank/testcontainers:", noDocker)
	} else if err := buildImage(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: building %s with make docker: %v\n", image, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// dockerReady checks, within 20 s, that the Docker daemon answers both
// the docker CLI (make docker builds with it) and testcontainers-go (so
// that testcontainers.SkipIfProviderIsNotHealthy cannot skip under CI).
func dockerReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker info: %v: %s", err, bytes.TrimSpace(out))
	}
	provider, err := testcontainers.ProviderDefault.GetProvider()
	if err != nil {
		return fmt.Errorf("testcontainers: %w", err)
	}
	defer provider.Close()
	if err := provider.Health(ctx); err != nil {
		return fmt.Errorf("testcontainers: %w", err)
	}
	return nil
}

// buildImage builds the image offline, as a developer does: make docker,
// from the repository root (FROM scratch around a host-built binary).
func buildImage() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", "..", "docker", "IMAGE="+image)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v:\n%s", err, out)
	}
	return nil
}

// requireDocker skips the test when Docker is not available (never under
// CI: TestMain has failed the run already).
func requireDocker(t testing.TB) {
	t.Helper()
	if noDocker != "" {
		t.Skip(noDocker)
	}
}

// testContext bounds a container test.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// api is a small JSON client for one tenant of a running sandbank.
type api struct {
	t       testing.TB
	ctx     context.Context
	baseURL string
	key     string
}

// answer is one response: its status, headers and body.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a *api) do(method, path, body string, headers ...string) answer {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.ctx, method, a.baseURL+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// expect fails the test unless the answer has the status, and decodes the
// body into v (if not nil).
func (r answer) expect(t testing.TB, status int, v any) answer {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("decoding %s: %v", r.Body, err)
		}
	}
	return r
}
