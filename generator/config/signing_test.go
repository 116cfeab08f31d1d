package config_test

import (
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
)

var signingCases = []parseCase{
	{
		name: "signing default",
		yaml: okIssuer,
		check: func(t *testing.T, s *config.Site) {
			if s.Signing.ExpiresAfter != 30*24*time.Hour {
				t.Errorf("expires_after %v, want 30 days", s.Signing.ExpiresAfter)
			}
			if !s.Signing.PerFile {
				t.Error("per_file is false by default, want true")
			}
		},
	},
	{
		name: "signing per_file false",
		yaml: lines(okIssuer, "signing:", "  per_file: false"),
		check: func(t *testing.T, s *config.Site) {
			if s.Signing.PerFile {
				t.Error("per_file true, want false")
			}
			if p := s.Where("signing.per_file"); p.Line != 3 || p.Col != 13 {
				t.Errorf("signing.per_file at %v, want line 3, column 13", p)
			}
		},
	},
	{
		name: "signing per_file true",
		yaml: lines(okIssuer, "signing: {per_file: true}"),
		check: func(t *testing.T, s *config.Site) {
			if !s.Signing.PerFile {
				t.Error("per_file false, want true")
			}
		},
	},
	{
		// No weak decoding: "no" is a string in YAML 1.2, and a quoted
		// "false" is one anywhere.
		name: "signing per_file not a bool",
		yaml: lines(okIssuer, "signing:", "  per_file: \"false\"", "  perfile: no"),
		errs: []string{
			"site.yaml:3:13: signing.per_file must be true or false, not a string",
			"site.yaml:4:3: unknown field \"perfile\" in signing\n\thint: did you mean \"per_file\"?",
		},
	},
	{
		name: "signing expires_after",
		yaml: lines(okIssuer, "signing:", "  expires_after: 7d"),
		check: func(t *testing.T, s *config.Site) {
			if s.Signing.ExpiresAfter != 7*24*time.Hour {
				t.Errorf("expires_after %v, want 7 days", s.Signing.ExpiresAfter)
			}
		},
	},
	{
		name: "signing errors",
		yaml: lines(okIssuer, "signing:", "  expires_after: soon", "  expire_after: 1d"),
		errs: []string{
			"site.yaml:3:18: signing.expires_after must be a duration such as 300s, 5m, 12h or 30d, not \"soon\"",
			"site.yaml:4:3: unknown field \"expire_after\" in signing\n\thint: did you mean \"expires_after\"?",
		},
	},
	{
		name: "signing too long",
		yaml: lines(okIssuer, "signing: {expires_after: 400d}"),
		errs: []string{"site.yaml:2:26: signing.expires_after must be at most 366d: a longer-lived manifest lets a stale tree be replayed for as long"},
	},
	{
		name: "signing not positive",
		yaml: lines(okIssuer, "signing:", "  expires_after: 0s"),
		errs: []string{"site.yaml:3:18: signing.expires_after must be at least one second"},
	},
	{
		name: "signing not a mapping",
		yaml: lines(okIssuer, "signing: 30d"),
		errs: []string{"site.yaml:2:10: signing must be a mapping, not a string"},
	},
}

func TestSigning(t *testing.T) { runCases(t, signingCases) }
