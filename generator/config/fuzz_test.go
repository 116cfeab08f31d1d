package config_test

import (
	"bytes"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
)

// FuzzParse feeds arbitrary bytes to the loader. Whatever the input:
//   - Parse does not panic, and gives the same answer twice;
//   - every error carries the file and a line, so a user can find it;
//   - without errors, the Site is usable: every issuer is an https URI with
//     a host and no query or fragment (RFC 8414 §2) whose path can be a
//     directory of out/, with an https base_url and a jwks_path that stays
//     below the site root; every resource is an https URL without query or
//     fragment (RFC 9728 §2).
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../../site.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, cases := range [][]parseCase{parseCases, issuerCases, resourceCases, federationCases, signingCases} {
		for _, tc := range cases {
			f.Add([]byte(tc.yaml))
		}
	}
	multi, err := os.ReadFile("../../examples/multi/site.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(multi)
	f.Add([]byte(billionLaughs()))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, d := config.Parse("site.yaml", data)
		_, again := config.Parse("site.yaml", data)
		if !slices.Equal(render(d.Errors()), render(again.Errors())) || !slices.Equal(render(d.Warnings()), render(again.Warnings())) {
			t.Fatalf("two parses of the same input disagree:\n%v\n%v", d.Err(), again.Err())
		}
		if d.HasErrors() {
			for _, e := range d.Errors() {
				if e.Path != "site.yaml" || e.Line <= 0 || e.Col <= 0 {
					t.Errorf("error without a position: %q", e.Error())
				}
				if n := bytes.Count(data, []byte("\n")) + 1; e.Line > n {
					t.Errorf("error past the last line (%d): %q", n, e.Error())
				}
			}
			return
		}
		if s == nil {
			t.Fatal("no errors, but no Site")
		}
		if len(s.Issuers) == 0 {
			t.Fatal("a Site without issuers")
		}
		for _, iss := range s.Issuers {
			checkAccepted(t, iss)
		}
		for _, r := range s.Resources {
			if u, err := url.Parse(r.ID); err != nil || u.Scheme != "https" || u.Hostname() == "" || u.Fragment != "" || u.RawQuery != "" {
				t.Errorf("resource %q accepted (RFC 9728 §2)", r.ID)
			}
		}
	})
}

// checkAccepted holds an accepted issuer to RFC 8414 §2 and to what the
// build needs of it: a URI whose path can be a directory of out/.
func checkAccepted(t *testing.T, s *config.Site) {
	t.Helper()
	u, err := url.Parse(s.Issuer)
	if err != nil {
		t.Fatalf("issuer %q accepted but does not parse: %v", s.Issuer, err)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			t.Errorf("issuer %q accepted with port %s", s.Issuer, p)
		}
	}
	if u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		t.Errorf("issuer %q accepted, but RFC 8414 §2 wants https, a host, no query and no fragment", s.Issuer)
	}
	for _, r := range s.Issuer {
		if r <= ' ' || r >= 0x7f {
			t.Errorf("issuer %q accepted with %q, which no URI holds (RFC 3986)", s.Issuer, r)
		}
	}
	if strings.Contains(u.EscapedPath(), "%") {
		t.Errorf("issuer %q accepted with a percent-encoded path", s.Issuer)
	}
	if s.BaseURL == nil || s.BaseURL.Scheme != "https" || s.BaseURL.Host == "" {
		t.Errorf("base_url %v accepted", s.BaseURL)
	}
	if err := artifact.CheckPath(s.JWKSPath); err != nil {
		t.Errorf("jwks_path %q accepted: %v", s.JWKSPath, err)
	}
	if j, err := url.Parse(s.JWKSURI); err != nil || j.Scheme != "https" {
		t.Errorf("jwks_uri %q derived: %v", s.JWKSURI, err)
	}
}
