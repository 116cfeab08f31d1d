package peers

import (
	"os"
	"testing"
)

// Server returns the address of a real server that .ci/run starts (an S3,
// GCS or Azure Blob emulator), from the environment variable env. Absent,
// the test is skipped with how to start it, or fails when CI=true: the
// claim that deploy works against that store must not silently go
// untested.
func Server(t testing.TB, env, how string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	msg := env + " is not set; " + how
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true)")
	}
	t.Skip(msg)
	return ""
}
