//go:build !unix

package peers

import "os/exec"

// ownGroup: without process groups, killGroup stops cmd alone.
func ownGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
