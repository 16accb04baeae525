package sandbank_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tcexec "github.com/testcontainers/testcontainers-go/exec"
)

// imageSizeBudget is the most the image may weigh, uncompressed (20 MB).
const imageSizeBudget = 20_000_000

// imageConfig is what `docker image inspect` says of an image.
type imageConfig struct {
	Size   int64
	Config struct {
		User         string
		ExposedPorts map[string]struct{}
		Entrypoint   []string
		Cmd          []string
		Labels       map[string]string
		StopSignal   string
		Healthcheck  struct{ Test []string }
	}
}

func inspectImage(t testing.TB, name string) imageConfig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "image", "inspect", name).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", name, err)
	}
	var images []imageConfig
	if err := json.Unmarshal(out, &images); err != nil || len(images) != 1 {
		t.Fatalf("docker image inspect %s: %v: %s", name, err, out)
	}
	return images[0]
}

// The image is what the issue asks for: small, non-root, port 8080, the
// binary as entrypoint, serve as command, labelled, with a health check
// that works without a shell, and CA roots for https webhooks.
func TestImage(t *testing.T) {
	requireDocker(t)
	img := inspectImage(t, image)
	c := img.Config
	if img.Size > imageSizeBudget {
		t.Errorf("the image is %.1f MB, over the 20 MB budget", float64(img.Size)/1e6)
	}
	t.Logf("image size %.1f MB", float64(img.Size)/1e6)
	if c.User != "65532:65532" {
		t.Errorf("user %q, want the non-root 65532:65532", c.User)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}
	if !slices.Equal(c.Entrypoint, []string{"/sandbank"}) || !slices.Equal(c.Cmd, []string{"serve", "--addr", ":8080"}) {
		t.Errorf("entrypoint %q, cmd %q", c.Entrypoint, c.Cmd)
	}
	if !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/sandbank", "healthcheck"}) {
		t.Errorf("health check %q", c.Healthcheck.Test)
	}
	for _, label := range []string{"version", "revision", "source"} {
		if c.Labels["org.opencontainers.image."+label] == "" {
			t.Errorf("no org.opencontainers.image.%s label: %v", label, c.Labels)
		}
	}

	// Inside a running container: the health check command answers, the
	// user exists, and the CA roots are there.
	ctx := testContext(t)
	ctr := run(t, ctx)
	code, out, err := ctr.Exec(ctx, []string{"/sandbank", "healthcheck"}, tcexec.Multiplexed())
	if err != nil || code != 0 {
		b, _ := io.ReadAll(out)
		t.Errorf("the HEALTHCHECK command in the container: exit %d, %v: %s", code, err, b)
	}
	for path, want := range map[string]string{
		"/etc/passwd":                        "sandbank:x:65532:65532:",
		"/etc/group":                         "sandbank:x:65532:",
		"/etc/ssl/certs/ca-certificates.crt": "-----BEGIN CERTIFICATE-----",
	} {
		r, err := ctr.CopyFileFromContainer(ctx, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not contain %q", path, want)
		}
	}
}

// dockerfileStage is what a Dockerfile's final stage says, instruction by
// instruction (build arguments and COPY sources aside).
type dockerfileStage struct {
	From, User, Expose, StopSignal, Healthcheck, Entrypoint, Cmd string
	Labels                                                       []string // key=value, in order
	CopiedTo                                                     []string // destinations, in order
}

// finalStage reads the last stage of a Dockerfile, joining continued lines.
func finalStage(t *testing.T, path string) dockerfileStage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	var cont strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if l, ok := strings.CutSuffix(line, "\\"); ok {
			cont.WriteString(l + " ")
			continue
		}
		cont.WriteString(line)
		lines = append(lines, cont.String())
		cont.Reset()
	}
	var st dockerfileStage
	label := regexp.MustCompile(`([\w.-]+)=("[^"]*"|\S+)`)
	for _, line := range lines {
		instr, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			st = dockerfileStage{From: rest} // a new stage: only the last counts
		case "USER":
			st.User = rest
		case "EXPOSE":
			st.Expose = rest
		case "STOPSIGNAL":
			st.StopSignal = rest
		case "HEALTHCHECK":
			st.Healthcheck = rest
		case "ENTRYPOINT":
			st.Entrypoint = rest
		case "CMD":
			st.Cmd = rest
		case "LABEL":
			for _, m := range label.FindAllStringSubmatch(rest, -1) {
				st.Labels = append(st.Labels, m[1]+"="+m[2])
			}
		case "COPY":
			fields := strings.Fields(rest)
			st.CopiedTo = append(st.CopiedTo, fields[len(fields)-1])
		}
	}
	return st
}

// Dockerfile (from source, needs a registry) and Dockerfile.local (from a
// host-built binary) must build the same image: same base, user, port,
// signal, health check, entrypoint, command, labels and files.
func TestDockerfilesAgree(t *testing.T) {
	fromSource := finalStage(t, "../Dockerfile")
	local := finalStage(t, "../Dockerfile.local")
	if !reflect.DeepEqual(fromSource, local) {
		t.Fatalf("the final stages differ:\nDockerfile:       %+v\nDockerfile.local: %+v", fromSource, local)
	}
	if fromSource.From != "scratch" || fromSource.User != "65532:65532" || len(fromSource.Labels) < 3 {
		t.Fatalf("final stage %+v", fromSource)
	}
	// Both write the same passwd line for that user: the Dockerfile in its
	// build stage, the Makefile for Dockerfile.local.
	dockerfile, _ := os.ReadFile("../Dockerfile")
	makefile, _ := os.ReadFile("../Makefile")
	passwd := regexp.MustCompile(`sandbank:x:65532:65532:[^'"\n]*`)
	if a, b := passwd.Find(dockerfile), passwd.Find(makefile); a == nil || string(a) != string(b) {
		t.Fatalf("passwd lines differ: Dockerfile %q, Makefile %q", a, b)
	}
}
