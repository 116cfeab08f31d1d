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
