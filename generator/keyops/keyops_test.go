package keyops_test

import (
	"bytes"
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keyops"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

var day = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

const single = `issuer: https://login.example.com
openid: false
keys:
  first.pem:
    state: active
metadata:
  token_endpoint: https://login.example.com/token
  response_types_supported: [code]
  code_challenge_methods_supported: [S256]
`

const multi = `base_url: https://id.example.com
issuers:
  - issuer: https://id.example.com/t/acme
    openid: false
    metadata:
      token_endpoint: https://id.example.com/t/acme/token
      response_types_supported: [token]
  - issuer: https://id.example.com/t/globex
    openid: false
    key_dir: globex
    signed_metadata:
      key: g.pem
    metadata:
      token_endpoint: https://id.example.com/t/globex/token
      response_types_supported: [token]
federation:
  entity_id: https://id.example.com/t/acme
  key_dir: fed
  authority_hints: [https://anchor.example.org]
`

// newSite writes site.yaml and one active EC key in each of dirs.
func newSite(t *testing.T, yaml string, dirs ...string) string {
	t.Helper()
	dir := t.TempDir()
	tk.Write(t, dir, "site.yaml", []byte(yaml))
	for _, d := range dirs {
		name := "first.pem"
		if d == "globex" {
			name = "g.pem"
		}
		tk.Write(t, filepath.Join(dir, d), name, tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	}
	return filepath.Join(dir, "site.yaml")
}

func open(t *testing.T, cfg, set string, now time.Time) *keyops.Site {
	t.Helper()
	s, d, err := keyops.Open(keyops.Options{Config: cfg, Set: set, Now: now, Password: func() ([]byte, bool) { return nil, false }})
	if err != nil || d.HasErrors() {
		t.Fatalf("open: %v %v", err, d.Err())
	}
	return s
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noErrors(t *testing.T, d *diag.List, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if d != nil && d.HasErrors() {
		t.Fatal(d.Err())
	}
}

// TestGenerateFreeName: a second key of a type on one day gets -2, a third
// -3, and a name taken by a stray file or a certificate is skipped too.
func TestGenerateFreeName(t *testing.T) {
	cfg := newSite(t, single, "keys")
	dir := filepath.Dir(cfg)
	var got []string
	for i := 0; i < 2; i++ {
		a, d, err := open(t, cfg, "", day).Generate(keyops.NewKey{Type: "ec-p256", State: config.Next, Days: 1})
		noErrors(t, d, err)
		got = append(got, a.Entry)
	}
	tk.Write(t, filepath.Join(dir, "keys"), "ec-p256-20270101-3.crt", []byte("a stray certificate"))
	a, d, err := open(t, cfg, "", day).Generate(keyops.NewKey{Type: "ec-p256", State: config.Next, Cert: true, Days: 30})
	noErrors(t, d, err)
	got = append(got, a.Entry)
	if want := []string{"ec-p256-20270101.pub", "ec-p256-20270101-2.pub", "ec-p256-20270101-4.pub"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("names %v, want %v", got, want)
	}
	if read(t, filepath.Join(dir, "keys", "ec-p256-20270101-3.crt")) != "a stray certificate" {
		t.Fatal("the stray file was written over")
	}
	st, d := config.Load(cfg)
	noErrors(t, d, nil)
	if len(st.Keys) != 4 {
		t.Fatalf("site.yaml has %d entries, want 4", len(st.Keys))
	}

	// A name given is never replaced by another.
	_, d, err = open(t, cfg, "", day).Generate(keyops.NewKey{Type: "ec-p256", Name: "first.pem", State: config.Next, Days: 1})
	if err != nil || !d.HasErrors() || !strings.Contains(d.Err().Error(), "keys entry first.pem already exists") {
		t.Fatalf("want the taken entry refused, got %v, %v", err, d.Err())
	}
}

// TestSets: each command acts on the set its choice names, and edits that
// set's keys: block.
func TestSets(t *testing.T) {
	cfg := newSite(t, multi, "keys", "globex", "fed")
	dir := filepath.Dir(cfg)
	a, d, err := open(t, cfg, "https://id.example.com/t/globex", day).Generate(keyops.NewKey{Type: "ec-p256", Name: "g2.pem", State: config.Next, Days: 1})
	noErrors(t, d, err)
	if strings.Join(a.Files, ", ") != "globex/g2.pem (EC P-256 public key, mode 0644), globex/g2.key (EC P-256 private key, mode 0600)" {
		t.Errorf("wrote %v", a.Files)
	}
	a, d, err = open(t, cfg, lifecycle.Federation, day).Generate(keyops.NewKey{Type: "ed25519", Name: "f2.pem", State: config.Next, Days: 1})
	noErrors(t, d, err)
	if strings.Join(a.Files, ", ") != "fed/f2.pem (Ed25519 public key, mode 0644), fed/f2.key (Ed25519 private key, mode 0600)" {
		t.Errorf("wrote %v", a.Files)
	}
	want := strings.Replace(multi, "    signed_metadata:\n      key: g.pem\n    metadata:\n      token_endpoint: https://id.example.com/t/globex/token\n      response_types_supported: [token]\n",
		"    signed_metadata:\n      key: g.pem\n    metadata:\n      token_endpoint: https://id.example.com/t/globex/token\n      response_types_supported: [token]\n"+
			"    keys:\n      g2.pem:\n        state: next\n        published_since: 2027-01-01\n", 1)
	want += "  keys:\n    f2.pem:\n      state: next\n      published_since: 2027-01-01\n"
	if got := read(t, cfg); got != want {
		t.Fatalf("site.yaml:\n%s\nwant:\n%s", got, want)
	}
	for _, f := range []string{"globex/g2.pem", "globex/g2.key", "fed/f2.pem", "fed/f2.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	// Rotating globex moves its signed_metadata.key with it.
	r, d, err := open(t, cfg, "https://id.example.com/t/globex", day.Add(time.Hour)).Rotate(false)
	noErrors(t, d, err)
	var out bytes.Buffer
	r.Write(&out)
	for _, w := range []string{"g2.pem (kid ", "): next → active\n", "g.pem (kid ", "active → retired", "signed_metadata.key of https://id.example.com/t/globex: g2.pem\n"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("want %q in:\n%s", w, out.String())
		}
	}
	st, d := config.Load(cfg)
	noErrors(t, d, nil)
	g, _ := st.IssuerNamed("https://id.example.com/t/globex")
	if g.SignedMetadata.Key != "g2.pem" || g.Keys[0].File != "g2.pem" || g.Keys[0].State != config.Active || g.Keys[1].State != config.Retired {
		t.Fatalf("after rotate: signed_metadata.key %s, keys %+v", g.SignedMetadata.Key, g.Keys)
	}
	if len(st.Keys) != 0 || len(st.Federation.Keys) != 1 || st.Federation.Keys[0].State != config.Next {
		t.Fatal("rotating globex changed another set")
	}
}

func TestChooseRefuses(t *testing.T) {
	cfg := newSite(t, single, "keys")
	ownOnly := newSite(t, strings.Replace(multi, "  - issuer: https://id.example.com/t/acme\n    openid: false\n", "  - issuer: https://id.example.com/t/acme\n    openid: false\n    key_dir: acme\n", 1))
	for _, tc := range []struct{ cfg, set, want string }{
		{cfg, "https://nope.example", "--issuer https://nope.example is not an issuer of " + cfg + " (issuers: https://login.example.com)"},
		{cfg, lifecycle.Federation, "--federation: " + cfg + " has no federation: section, so no federation key set (issuers: https://login.example.com)"},
		{ownOnly, "", "every issuer of " + ownOnly + " has its own key_dir, so there is no shared key set: choose one with --issuer URL (issuers: https://id.example.com/t/acme, https://id.example.com/t/globex), or --federation"},
	} {
		_, _, err := keyops.Open(keyops.Options{Config: tc.cfg, Set: tc.set, Now: day})
		var ue *keyops.UsageError
		if !errors.As(err, &ue) || ue.Msg != tc.want {
			t.Errorf("Open(%q) = %v, want the usage error %q", tc.set, err, tc.want)
		}
	}
}

// TestImportPairs: a certificate for a key of the set is written beside
// it, with no new entry, and the key then publishes x5c.
func TestImportPairs(t *testing.T) {
	dir := filepath.Dir(newSite(t, single, "keys"))
	t.Chdir(dir) // messages name files as the user does, relative
	cfg := "site.yaml"
	k := tk.EC(t, elliptic.P256())
	tk.Write(t, filepath.Join(dir, "keys"), "hsm.pub", tk.PKIX(t, k))
	crt := tk.Write(t, t.TempDir(), "from-ca.pem", tk.Certs(tk.Cert(t, "hsm", k.Public(), nil, k, false)))
	before := read(t, cfg)

	im, d, err := open(t, cfg, "", day).Import(crt, "", "")
	noErrors(t, d, err)
	if im.Added != nil || im.Paired == nil || im.Paired.Key != "keys/hsm.pub" || !strings.HasPrefix(im.Paired.File, "keys/hsm.crt (certificate for CN=hsm, expires ") {
		t.Fatalf("import: %+v %+v", im.Added, im.Paired)
	}
	if read(t, cfg) != before {
		t.Fatal("pairing changed site.yaml")
	}
	s := open(t, cfg, "", day)
	noErrors(t, s.Load(), nil)
	for _, key := range s.Set.Keys {
		if key.File() == "keys/hsm.pub" && len(key.JWK.Certificates) != 1 {
			t.Fatal("the key does not publish its certificate")
		}
	}

	// Again: the key has a certificate now; and the bare key is in the set.
	for _, tc := range []struct{ file, want string }{
		{crt, "holds a certificate for the key of keys/hsm.pub, which has one already in keys/hsm.crt"},
		{filepath.Join(dir, "keys", "hsm.pub"), "holds the key of keys/hsm.pub (kid "},
	} {
		_, d, err = open(t, cfg, "", day).Import(tc.file, "", "")
		if err != nil || !d.HasErrors() || !strings.Contains(d.Err().Error(), tc.want) {
			t.Errorf("import %s: want %q, got %v %v", tc.file, tc.want, err, d.Err())
		}
	}
	_, _, err = open(t, cfg, "", day).Import(crt, "", config.Active)
	var ue *keyops.UsageError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "--state applies to a new key") {
		t.Errorf("--state with a pairing certificate: %v", err)
	}
}

// TestImportPairRefusesBadChain: a pairing that the key set would not load
// with is undone.
func TestImportPairRefusesBadChain(t *testing.T) {
	dir := filepath.Dir(newSite(t, single, "keys"))
	t.Chdir(dir)
	cfg := "site.yaml"
	k, other := tk.EC(t, elliptic.P256()), tk.EC(t, elliptic.P256())
	tk.Write(t, filepath.Join(dir, "keys"), "hsm.pub", tk.PKIX(t, k))
	ca := tk.Cert(t, "ca", other.Public(), nil, other, true)
	// The leaf says it is issued by ca, but the chain carries another CA.
	leaf := tk.Cert(t, "hsm", k.Public(), ca, other, false)
	wrong := tk.Cert(t, "ca", tk.EC(t, elliptic.P256()).Public(), nil, tk.EC(t, elliptic.P256()), true)
	crt := tk.Write(t, t.TempDir(), "chain.pem", tk.Certs(leaf, wrong))
	_, d, err := open(t, cfg, "", day).Import(crt, "", "")
	if err != nil || !d.HasErrors() || !strings.Contains(d.Err().Error(), "not imported: with it, the key set would not load") {
		t.Fatalf("want a refusal, got %v %v", err, d.Err())
	}
	if _, err := os.Stat(filepath.Join(dir, "keys", "hsm.crt")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the refused certificate was left in the key directory")
	}
}

// TestList: the rotation rules' warnings are part of the listing's problems.
func TestList(t *testing.T) {
	cfg := newSite(t, strings.Replace(single, "    state: active\n", "    state: active\n    published_since: 2026-01-01\n", 1), "keys")
	tk.Write(t, filepath.Join(filepath.Dir(cfg), "keys"), "stray.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	l, d, err := keyops.List(keyops.Options{Config: cfg, Now: day})
	noErrors(t, d, err)
	if len(l.Sets) != 1 || len(l.Sets[0].Keys) != 2 {
		t.Fatalf("listing: %+v", l.Sets)
	}
	ws := d.Warnings()
	if len(ws) != 1 || !strings.Contains(ws[0].Error(), "keys/stray.pem: warning: the key file has no entry in site.yaml keys") {
		t.Fatalf("warnings: %v", ws)
	}
}

// TestRotateFederationSigningKey: federation.signing_key follows its key
// to the successor, as signed_metadata.key does.
func TestRotateFederationSigningKey(t *testing.T) {
	cfg := newSite(t, strings.Replace(multi, "  key_dir: fed\n", "  key_dir: fed\n  signing_key: first.pem\n", 1), "keys", "globex", "fed")
	_, d, err := open(t, cfg, lifecycle.Federation, day).Generate(keyops.NewKey{Type: "ec-p256", Name: "f2.pem", State: config.Next, Days: 1})
	noErrors(t, d, err)
	r, d, err := open(t, cfg, lifecycle.Federation, day.Add(time.Hour)).Rotate(false)
	noErrors(t, d, err)
	if len(r.Moves) != 1 || r.Moves[0].Setting != "federation.signing_key" || r.Moves[0].To != "f2.pem" {
		t.Fatalf("moves: %+v", r.Moves)
	}
	st, d := config.Load(cfg)
	noErrors(t, d, nil)
	if st.Federation.SigningKey != "f2.pem" {
		t.Fatalf("federation.signing_key is %s", st.Federation.SigningKey)
	}
	g, _ := st.IssuerNamed("https://id.example.com/t/globex")
	if g.SignedMetadata.Key != "g.pem" {
		t.Fatal("rotating the federation keys moved an issuer's signed_metadata.key")
	}
}
