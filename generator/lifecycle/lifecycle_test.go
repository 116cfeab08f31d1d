package lifecycle_test

import (
	"crypto/elliptic"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// check loads a site whose key cert.pem has a certificate valid until
// 2036-01-01 (testkeys.Cert) and returns every diagnostic of Check at now.
func check(t *testing.T, entries string, now time.Time) []string {
	t.Helper()
	dir := t.TempDir()
	k := tk.EC(t, elliptic.P256())
	c := tk.Cert(t, "signer", k.Public(), nil, k, false)
	tk.Write(t, filepath.Join(dir, "keys"), "cert.pem", append(tk.PKCS8(t, k), tk.Certs(c)...))
	tk.Write(t, filepath.Join(dir, "keys"), "other.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	site, d := config.Parse(filepath.Join(dir, "site.yaml"), []byte("issuer: https://a.example\nkeys:\n"+entries))
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	ks, d := keys.Load(keys.Options{Dir: filepath.Join(dir, "keys"), Display: "keys", Settings: site.Keys, Now: now,
		Password: func() ([]byte, bool) { return nil, false }})
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	var out []string
	for _, x := range lifecycle.Check(site, ks, now).Errors() {
		out = append(out, x.String())
	}
	for _, x := range lifecycle.Check(site, ks, now).Warnings() {
		out = append(out, x.String())
	}
	return out
}

func TestCheck(t *testing.T) {
	day := func(s string) time.Time { d, _ := config.ParseDate(s); return d }
	tests := []struct {
		name    string
		entries string
		now     time.Time
		want    []string // substrings, one a diagnostic, in order
	}{
		{"valid certificate", "  cert.pem: {state: active}\n", day("2030-01-01"), nil},
		{"certificate about to expire", "  cert.pem: {state: active}\n", day("2035-12-22"),
			[]string{`warning: certificate "CN=signer" of keys/cert.pem (kid `, `expires at 2036-01-01, in 10 days`, "hint: renew it before then"}},
		{"expired certificate on an active key", "  cert.pem: {state: active}\n", day("2036-01-01"),
			[]string{`keys/cert.pem: certificate "CN=signer" of keys/cert.pem (kid `, "expired at 2036-01-01: relying parties that check x5c reject the key"}},
		{"expired certificate on a retired key", "  cert.pem: {state: retired, retired_since: 2035-12-01, published_until: 2036-02-01}\n", day("2036-01-02"),
			[]string{"keys/cert.pem: warning: certificate", "expired at 2036-01-01"}},
		{"next key without published_since", "  cert.pem: {state: next}\n", day("2030-01-01"),
			[]string{"site.yaml:3:3: warning: next key cert.pem has no published_since", "hint: add published_since: 2030-01-01"}},
		{"retired key without retired_since", "  cert.pem: {state: retired, published_until: 2031-01-01}\n", day("2030-01-01"),
			[]string{"site.yaml:3:3: warning: retired key cert.pem has no retired_since"}},
		{"active too early", "  cert.pem: {state: active, published_since: 2030-01-01T00:00:00Z}\n", day("2030-01-01").Add(14 * time.Minute),
			[]string{"site.yaml:3:21: cert.pem may become active at 2030-01-01T00:15:00Z, not before"}},
		{"no active key", "  cert.pem: {state: next, published_since: 2029-01-01}\n  other.pem: {state: next, published_since: 2029-01-01}\n", day("2030-01-01"),
			[]string{"site.yaml:2:1: no active key"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, tc.entries, tc.now)
			if len(tc.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("want nothing, got %q", got)
				}
				return
			}
			all := strings.Join(got, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("want %q in:\n%s", w, all)
				}
			}
		})
	}
}
