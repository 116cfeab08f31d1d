package lifecycle_test

import (
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// The site of the scenario: comments everywhere, so that every edit shows
// whether it kept them.
const siteYAML = `# Login for example.com.
issuer: https://login.example.com # the issuer
token_lifetime: 1h  # ID and access tokens

keys:
  # The key we sign with today.
  old.pem:
    state: active   # since launch

# What clients read.
metadata:
  authorization_endpoint: https://login.example.com/authorize
  token_endpoint: https://login.example.com/token
  response_types_supported: [code]
  subject_types_supported: [public]
  id_token_signing_alg_values_supported: [RS256, ES256]
`

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

type site struct {
	t      *testing.T
	dir    string
	config string
}

func newSite(t *testing.T) *site {
	dir := t.TempDir()
	s := &site{t: t, dir: dir, config: filepath.Join(dir, "site.yaml")}
	s.write("site.yaml", siteYAML)
	tk.Write(t, filepath.Join(dir, "keys"), "old.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	// OpenID Connect requires RS256; this key is not rotated, and must stay.
	tk.Write(t, filepath.Join(dir, "keys"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 0)))
	return s
}

func (s *site) write(name, text string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(text), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) read() string {
	s.t.Helper()
	b, err := os.ReadFile(s.config)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *site) build(now time.Time) (*generator.Result, error) {
	return generator.Build(generator.Options{Config: s.config, Now: now, Getenv: func(string) string { return "" }})
}

// kids builds at now and returns the kids of the published JWKS, by state
// order (active, next, retired).
func (s *site) kids(now time.Time) []string {
	s.t.Helper()
	res, err := s.build(now)
	if err != nil {
		s.t.Fatalf("build at %s: %v", now, err)
	}
	for _, a := range res.Artifacts {
		if a.Path != "jwks.json" {
			continue
		}
		var set struct{ Keys []struct{ Kid string } }
		if err := json.Unmarshal(a.Body, &set); err != nil {
			s.t.Fatal(err)
		}
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.Kid)
		}
		return out
	}
	s.t.Fatal("no jwks.json")
	return nil
}

// load returns the site and its keys, as the CLI's keys commands read them.
func (s *site) load(now time.Time) (*config.Site, []keys.Key) {
	s.t.Helper()
	st, d := config.Load(s.config)
	if d.HasErrors() {
		s.t.Fatal(d.Err())
	}
	ks, d := keys.Load(keys.Options{Dir: filepath.Join(s.dir, "keys"), Display: "keys", Settings: st.Keys, Now: now,
		Password: func() ([]byte, bool) { return nil, false }})
	if d.HasErrors() {
		s.t.Fatal(d.Err())
	}
	return st, ks
}

func wantError(t *testing.T, err error, substr string) {
	t.Helper()
	var de *diag.Errors
	if !errors.As(err, &de) {
		t.Fatalf("want an input error containing %q, got %v", substr, err)
	}
	if !strings.Contains(de.Error(), substr) {
		t.Fatalf("want an error containing %q, got:\n%v", substr, de)
	}
}

// TestRotationScenario walks one key through its life over simulated dates,
// checking the published JWKS at every step and the exact text of site.yaml
// after every edit.
func TestRotationScenario(t *testing.T) {
	s := newSite(t)
	st0, ks := s.load(t0)
	kid := map[string]string{}
	for _, k := range ks {
		kid[lifecycle.Entry(k)] = k.JWK.KeyID
	}
	if got, want := s.kids(t0), []string{kid["old.pem"], kid["rsa.pem"]}; !slices.Equal(got, want) {
		t.Fatalf("at launch the JWKS holds %v, want %v", got, want)
	}

	// 1. Generate a key; it enters as next, published from t0.
	k, err := keys.Generate("ec-p256")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := keys.PrivatePEM(k)
	tk.Write(t, filepath.Join(s.dir, "keys"), "new.pem", pemBytes)
	newKid, _ := keys.Thumbprint(k.Public())
	out, err := shared(st0, nil).Add([]byte(s.read()), "new.pem", config.Next, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.write("site.yaml", string(out))
	wantText(t, s.read(), strings.Replace(siteYAML, "    state: active   # since launch\n",
		"    state: active   # since launch\n  new.pem:\n    state: next\n    published_since: 2027-03-01T09:00:00Z\n", 1))

	// 2. Published as next: in the JWKS after the active keys.
	if got, want := s.kids(t0), []string{kid["old.pem"], kid["rsa.pem"], newKid}; !slices.Equal(got, want) {
		t.Fatalf("after generate the JWKS holds %v, want %v", got, want)
	}

	// 3. Too early: rotate refuses and names the safe date (t0 + 15m of
	// default cache lifetime); so does the build when the state is edited
	// by hand.
	early := t0.Add(10 * time.Minute)
	st, ks := s.load(early)
	if _, d := rotate(st, ks, early); !d.HasErrors() ||
		!strings.Contains(d.Err().Error(), "next key new.pem may become active at 2027-03-01T09:15:00Z, not before") {
		t.Fatalf("rotate at %s: want a refusal naming 09:15, got %v", early, d.Err())
	}
	byHand := strings.Replace(s.read(), "state: next", "state: active", 1)
	saved := s.read()
	s.write("site.yaml", byHand)
	_, err = s.build(early)
	wantError(t, err, "new.pem may become active at 2027-03-01T09:15:00Z, not before")
	s.write("site.yaml", saved)

	// 4. When safe: new becomes active, old retires until rotation + 1h
	// token lifetime + 15m cache. The RSA key has no successor and stays.
	safe := t0.Add(15 * time.Minute)
	st, ks = s.load(safe)
	plan, d := rotate(st, ks, safe)
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	if len(plan.Promote) != 1 || len(plan.Retire) != 1 || lifecycle.Entry(plan.Retire[0]) != "old.pem" {
		t.Fatalf("plan: promote %d, retire %d", len(plan.Promote), len(plan.Retire))
	}
	out, err = plan.Apply([]byte(s.read()))
	if err != nil {
		t.Fatal(err)
	}
	s.write("site.yaml", string(out))
	wantText(t, s.read(), strings.Replace(siteYAML, "    state: active   # since launch\n",
		"    state: retired   # since launch\n    retired_since: 2027-03-01T09:15:00Z\n    published_until: 2027-03-01T10:30:00Z\n"+
			"  new.pem:\n    state: active\n    published_since: 2027-03-01T09:00:00Z\n", 1))
	if got, want := s.kids(safe), []string{newKid, kid["rsa.pem"], kid["old.pem"]}; !slices.Equal(got, want) {
		t.Fatalf("after rotate the JWKS holds %v, want %v", got, want)
	}

	// 5. Retired: published until 10:30, then dropped.
	end := time.Date(2027, 3, 1, 10, 30, 0, 0, time.UTC)
	if got := s.kids(end.Add(-time.Second)); !slices.Contains(got, kid["old.pem"]) {
		t.Fatalf("a second before published_until the JWKS holds %v, without the retired key", got)
	}
	if got, want := s.kids(end), []string{newKid, kid["rsa.pem"]}; !slices.Equal(got, want) {
		t.Fatalf("at published_until the JWKS holds %v, want %v", got, want)
	}

	// 6. A published_until before tokens expire is refused with the safe date.
	s.write("site.yaml", strings.Replace(s.read(), "published_until: 2027-03-01T10:30:00Z", "published_until: 2027-03-01T10:00:00Z", 1))
	_, err = s.build(safe)
	wantError(t, err, "published_until 2027-03-01T10:00:00Z is too early for old.pem")
	wantError(t, err, "the earliest safe date is 2027-03-01T10:30:00Z")
	s.write("site.yaml", string(out))

	// 7. Retiring the last active keys is refused.
	allRetired := strings.Replace(s.read(), "  new.pem:\n    state: active\n", "  new.pem:\n    state: retired\n    retired_since: 2027-03-01T09:15:00Z\n    published_until: 2027-03-02\n", 1)
	allRetired = strings.Replace(allRetired, "keys:\n", "keys:\n  rsa.pem: {state: retired, retired_since: 2027-03-01, published_until: 2027-03-02}\n", 1)
	s.write("site.yaml", allRetired)
	_, err = s.build(safe)
	wantError(t, err, "no active key")
}

func wantText(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("site.yaml is:\n%s\nwant:\n%s", got, want)
	}
}

// shared is the site's shared key set holding ks.
func shared(st *config.Site, ks []keys.Key) *lifecycle.Set {
	set := lifecycle.Sets(st)[0]
	set.Keys = ks
	return &set
}

func rotate(st *config.Site, ks []keys.Key, now time.Time) (*lifecycle.Plan, *diag.List) {
	return shared(st, ks).Rotate(now)
}
