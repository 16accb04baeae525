//go:build unix

package conformance

import (
	"os/exec"
	"syscall"
)

// The adapter runs in its own process group, so that stopping it stops
// whatever it started (a node process under a shell, a receiver).
func setProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

func terminate(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

func kill(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
