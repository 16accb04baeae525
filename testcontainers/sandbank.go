// Package sandbank is the testcontainers-go module for sandbank: it starts
// the sandbank image in Docker from a Go test, waits until it answers
// /healthz, and gives each test its own tenant (a fresh test key) and the
// tenant's request journal.
//
//	ctr, err := sandbank.Run(ctx, "sandbank:dev", sandbank.WithSeed(42))
//	defer testcontainers.TerminateContainer(ctr)
//	baseURL, err := ctr.BaseURL(ctx)
//	key := ctr.NewTenant()
//
// It lives in its own Go module (github.com/sandbank/sandbank/testcontainers)
// so that the simulator's module does not depend on testcontainers-go, and it
// imports nothing of the simulator: it speaks HTTP to the image.
package sandbank

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Port is the port sandbank listens on inside the container.
const Port = "8080/tcp"

// scenarioDir is where WithScenario copies scenario files in the container.
const scenarioDir = "/scenarios"

// Container is a running sandbank.
type Container struct {
	testcontainers.Container
}

// Run starts the sandbank image img (for example "sandbank:dev", built by
// `make docker`) and returns once it answers GET /healthz with 200. The
// image's command is `serve --addr :8080`; options add flags and SANDBANK_*
// environment variables to it, and any testcontainers.ContainerCustomizer
// (testcontainers.WithEnv, testcontainers.WithCmdArgs, …) applies too.
//
// On an error the container may still have been created: terminate it
// anyway (testcontainers.TerminateContainer accepts nil).
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		// The image's command, spelt out: WithCmdArgs appends to it, and a
		// request's command replaces the image's rather than extending it.
		testcontainers.WithCmd("serve", "--addr", ":8080"),
		testcontainers.WithWaitStrategy(
			wait.ForHTTP("/healthz").WithPort(Port).
				WithPollInterval(50 * time.Millisecond).
				WithStartupTimeout(30 * time.Second),
		),
	}
	moduleOpts = append(moduleOpts, opts...)

	ctr, err := testcontainers.Run(ctx, img, moduleOpts...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr}
	}
	if err != nil {
		return c, fmt.Errorf("run sandbank: %w", err)
	}
	return c, nil
}

// WithSeed sets the seed of every tenant's data (--seed): with the same
// seed and key, a tenant always gets the same customers, accounts and ids.
func WithSeed(seed uint64) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"SANDBANK_SEED": strconv.FormatUint(seed, 10)})
}

// WithIdempotencyProfile selects how a reused Idempotency-Key with another
// payload is answered (--idempotency-profile): "ietf" (422) or "stripe"
// (400 idempotency_error).
func WithIdempotencyProfile(profile string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"SANDBANK_IDEMPOTENCY_PROFILE": profile})
}

// WithWebhookRetrySpeed compresses the webhook retry schedule
// (--webhook-retry-speed): 60 turns minutes into seconds.
func WithWebhookRetrySpeed(factor float64) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if !(factor > 0) {
			return fmt.Errorf("sandbank.WithWebhookRetrySpeed(%v): want a factor above 0", factor)
		}
		return testcontainers.WithEnv(map[string]string{
			"SANDBANK_WEBHOOK_RETRY_SPEED": strconv.FormatFloat(factor, 'g', -1, 64),
		})(req)
	}
}

// WithScenario activates a scenario for every tenant (--scenario): a YAML
// or JSON scenario file, or a directory of them, on the host. It is copied
// into the container. Repeatable; for a scenario of the built-in library,
// use WithLibraryScenario.
func WithScenario(hostPath string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		info, err := os.Stat(hostPath)
		if err != nil {
			return fmt.Errorf("sandbank.WithScenario: %w", err)
		}
		abs, err := filepath.Abs(hostPath)
		if err != nil {
			return fmt.Errorf("sandbank.WithScenario: %w", err)
		}
		// One directory per call, so two files of the same name never clash.
		dir := path.Join(scenarioDir, strconv.Itoa(countScenarios(req.Cmd)+1))
		target := path.Join(dir, filepath.Base(abs))
		var files []testcontainers.ContainerFile
		if info.IsDir() {
			target = dir
			entries, err := os.ReadDir(abs)
			if err != nil {
				return fmt.Errorf("sandbank.WithScenario: %w", err)
			}
			for _, e := range entries {
				if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
					files = append(files, scenarioFile(filepath.Join(abs, e.Name()), path.Join(dir, e.Name())))
				}
			}
			if len(files) == 0 {
				return fmt.Errorf("sandbank.WithScenario: %s holds no *.yaml, *.yml or *.json files", hostPath)
			}
		} else {
			files = append(files, scenarioFile(abs, target))
		}
		if err := testcontainers.WithFiles(files...)(req); err != nil {
			return err
		}
		return testcontainers.WithCmdArgs("--scenario", target)(req)
	}
}

// WithLibraryScenario activates a scenario of the built-in library for
// every tenant (--scenario NAME), for example "commit-then-reset";
// `sandbank scenario list` lists them.
func WithLibraryScenario(name string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithCmdArgs("--scenario", name)
}

// scenarioFile is a scenario file as the container's non-root user can
// read it, whatever its mode on the host.
func scenarioFile(hostPath, containerPath string) testcontainers.ContainerFile {
	return testcontainers.ContainerFile{HostFilePath: hostPath, ContainerFilePath: containerPath, FileMode: 0o644}
}

func countScenarios(cmd []string) int {
	n := 0
	for _, arg := range cmd {
		if arg == "--scenario" {
			n++
		}
	}
	return n
}

// BaseURL is the URL of the sandbank API from the host, such as
// "http://127.0.0.1:32771".
func (c *Container) BaseURL(ctx context.Context) (string, error) {
	return c.PortEndpoint(ctx, Port, "http")
}

// NewTenant returns a fresh random test key: every key is its own private
// bank, provisioned on first use, so tests that each take one never see
// each other's data.
func (c *Container) NewTenant() string {
	return "sk_test_" + rand.Text() // 26 letters and digits
}
