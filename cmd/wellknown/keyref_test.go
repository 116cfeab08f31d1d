package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// An unreachable KMS is exit 1, naming the key, after one bounded attempt.
func TestBuildKMSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("VAULT_ADDR", "http://"+addr)
	t.Setenv("VAULT_TOKEN", "test")
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(context.Background(), "build", "--config", "../../site.yaml", "--out", out, "--sign-key", "hashivault://publisher")
	if code != exitInvalid || !strings.Contains(stderr, "--sign-key: hashivault://publisher: ") {
		t.Fatalf("exit %d, stderr %q; want 1 naming hashivault://publisher", code, stderr)
	}
}
