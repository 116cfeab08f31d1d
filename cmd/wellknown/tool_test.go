package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The cache trusts the build ID to change with the code: it must be the
// one the go command stamped, as go tool buildid reads it.
func TestBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got := buildID(exe); got != want || got == "" {
		t.Fatalf("buildID = %q, go tool buildid says %q", got, want)
	}
	if got := toolID(); got != "go-build-id "+want {
		t.Errorf("toolID = %q", got)
	}
}
