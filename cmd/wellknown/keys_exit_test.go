package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestKeysExitStatus: a key set the site does not have is wrong usage
// (exit 2) for every keys command; a warning under --strict fails (exit 1).
func TestKeysExitStatus(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "site.yaml")
	site := "issuer: https://login.example.com\nopenid: false\nmetadata:\n  token_endpoint: https://login.example.com/token\n  response_types_supported: [code]\n  code_challenge_methods_supported: [S256]\n"
	if err := os.WriteFile(cfg, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "a.pub")
	if err := os.WriteFile(pub, []byte("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n-----END PUBLIC KEY-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stray := func() {
		b, _ := os.ReadFile(pub)
		if err := os.WriteFile(filepath.Join(dir, "keys", "stray.pub"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		want  int
		args  []string
		setup func()
	}{
		{2, []string{"keys", "generate", "-t", "ec-p256", "--issuer", "https://nope.example"}, nil},
		{2, []string{"keys", "import", pub, "--federation"}, nil},
		{2, []string{"keys", "rotate", "--issuer", "https://nope.example"}, nil},
		{2, []string{"keys", "list", "--federation"}, nil},
		{2, []string{"keys", "list", "--federation", "--issuer", "https://login.example.com"}, nil},
		{0, []string{"keys", "generate", "-t", "ec-p256", "--name", "a.pem", "--issuer", "https://login.example.com"}, nil},
		{0, []string{"keys", "list"}, nil},
		{0, []string{"keys", "list", "--strict"}, nil},
		{1, []string{"keys", "list", "--strict"}, stray}, // a key file without an entry: a warning
	} {
		if tc.setup != nil {
			tc.setup()
		}
		code, _, stderr := runCLI(context.Background(), append(tc.args, "--config", cfg, "--clock", "2027-01-01")...)
		if code != tc.want {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}
