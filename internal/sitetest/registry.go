package sitetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Registry writes the example site found at root (its site.yaml and keys/)
// into dir with n generated clients, a third each web (private_key_jwt),
// native (loopback and private-use redirects) and Client ID Metadata
// Document clients, and returns the path of dir's site.yaml. The
// benchmarks of the build and of the command share it, so that their
// figures are of one registry.
func Registry(t testing.TB, root, dir string, n int) string {
	t.Helper()
	site, err := os.ReadFile(filepath.Join(root, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "site.yaml"), site)
	keys, err := os.ReadDir(filepath.Join(root, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range keys {
		b, err := os.ReadFile(filepath.Join(root, "keys", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "keys", e.Name()), b)
	}
	if err := os.MkdirAll(filepath.Join(dir, "clients"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, "clients", clientFile(i)), clientBody(i, ""), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "site.yaml")
}

// ChangeClient rewrites one client of the registry Registry wrote in dir,
// its web app 3, with version v in its name, so that each v is a change
// from the last; v 0 restores the file as Registry wrote it.
func ChangeClient(t testing.TB, dir string, v int) {
	t.Helper()
	suffix := ""
	if v != 0 {
		suffix = fmt.Sprintf(", version %d", v)
	}
	if err := os.WriteFile(filepath.Join(dir, "clients", clientFile(3)), clientBody(3, suffix), 0o644); err != nil {
		t.Fatal(err)
	}
}

// AddClient adds a client to the registry of n clients Registry wrote in
// dir, its v-th: named to sort in the middle, so that it moves half the
// registry to other places on the pages, as a registration does. It
// returns the file's path.
func AddClient(t testing.TB, dir string, n, v int) string {
	t.Helper()
	p := filepath.Join(dir, "clients", fmt.Sprintf("client-%05d-added-%d.yaml", n/2, v))
	if err := os.WriteFile(p, clientBody(n/2, fmt.Sprintf(", added %d", v)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func clientFile(i int) string { return fmt.Sprintf("client-%05d.yaml", i) }

// clientBody is the file of client i, its name followed by suffix.
func clientBody(i int, suffix string) []byte {
	var format string
	switch i % 3 {
	case 0:
		format = `client_name: Web app %[1]d%[2]s
client_name#de: Web-Anwendung %[1]d
client_uri: https://app%[1]d.example.com
logo_uri: https://app%[1]d.example.com/logo.png
contacts: [ops%[1]d@example.com]
redirect_uris: [https://app%[1]d.example.com/callback]
grant_types: [authorization_code, refresh_token]
token_endpoint_auth_method: private_key_jwt
jwks_uri: https://app%[1]d.example.com/jwks.json
scope: openid profile email
client_id_issued_at: 2026-01-02
`
	case 1:
		format = `application_type: native
client_name: Native app %[1]d%[2]s
redirect_uris: [http://127.0.0.1/callback, com.example.app%[1]d:/oauth2redirect]
grant_types: [authorization_code, refresh_token]
token_endpoint_auth_method: none
scope: openid offline_access
software_id: app-%[1]d
software_version: "1.0.%[1]d"
`
	default:
		format = `mode: metadata_document
application_type: native
client_name: Agent %[1]d%[2]s
client_uri: https://agent%[1]d.example.com
redirect_uris: [http://127.0.0.1/callback]
token_endpoint_auth_method: none
scope: openid profile
`
	}
	return fmt.Appendf(nil, format, i, suffix)
}

func write(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Sizes are the registry sizes the rebuild benchmarks build: those listed
// in WELLKNOWN_BENCH_SIZES (1000,10000,100000), else 1,000 and 10,000.
func Sizes(t testing.TB) []int {
	t.Helper()
	v := os.Getenv("WELLKNOWN_BENCH_SIZES")
	if v == "" {
		return []int{1000, 10000}
	}
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("WELLKNOWN_BENCH_SIZES: %v", err)
		}
		sizes = append(sizes, n)
	}
	return sizes
}
