package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// binary builds wellknown once for the package's tests, with go build, so
// that they run the program as a user does, signals and exit statuses
// included.
func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary many times")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "wellknown-bin-"); binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "wellknown"), ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "wellknown")
}

// removingBinary removes the binary once every test has run.
type removingBinary struct{ m *testing.M }

func (r removingBinary) Run() int {
	defer func() {
		if binDir != "" {
			os.RemoveAll(binDir)
		}
	}()
	return r.m.Run()
}
