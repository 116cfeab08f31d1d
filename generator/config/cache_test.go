package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
)

func TestCachePolicy(t *testing.T) {
	const head = "issuer: https://login.example.com\n"
	for _, tc := range []struct {
		yaml  string
		want  string // the error, or "" for none
		check func(*config.Site) bool
	}{
		{"", "", func(s *config.Site) bool {
			return s.Cache.MaxAge == 5*time.Minute && s.Cache.ImmutableMaxAge == 365*24*time.Hour
		}},
		{"cache: {max_age: 90s, stale_while_revalidate: 0s, immutable_max_age: 30d}\n", "",
			func(s *config.Site) bool {
				return s.Cache.MaxAge == 90*time.Second && s.Cache.StaleWhileRevalidate == 0 && s.Cache.ImmutableMaxAge == 30*24*time.Hour
			}},
		{"cache: {max_age: 300}\n", `site.yaml:2:18: cache.max_age must be a duration such as 300s, 5m, 12h or 30d, not "300"`, nil},
		{"cache: {max_age: 1.5s}\n", "site.yaml:2:1: cache: cache durations must be whole seconds (Cache-Control counts seconds)", nil},
		{"cache: {max_age: 2d, immutable_max_age: 1d}\n", "site.yaml:2:1: cache: immutable max-age 24h0m0s is shorter than max-age 48h0m0s", nil},
		{"cache: {maxage: 5m}\n", `site.yaml:2:9: unknown field "maxage" in cache`, nil},
	} {
		s, d := config.Parse("site.yaml", []byte(head+tc.yaml))
		var errs []string
		for _, e := range d.Errors() {
			errs = append(errs, e.Error())
		}
		if got := strings.Join(errs, "\n"); got != tc.want {
			t.Errorf("%q: errors %q, want %q", tc.yaml, got, tc.want)
		}
		if tc.check != nil && !tc.check(s) {
			t.Errorf("%q: policy %+v", tc.yaml, s.Cache)
		}
	}
}
