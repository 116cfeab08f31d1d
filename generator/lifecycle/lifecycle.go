// Package lifecycle keeps key rotation safe. A key's life is
//
//	next ──(published ≥ cache lifetime)──► active ──(rotate)──► retired ──(published_until)──► gone
//
// and every arrow has a date that makes it safe: a relying party must have
// the new key set before a token signed by a new key reaches it, and must
// still find an old key until the last token it signed has expired. The
// dates are in site.yaml (published_since, retired_since, published_until)
// and the clock is an input, so the build can refuse an unsafe step without
// the repository's history, and the same inputs always give the same answer.
package lifecycle

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamledit"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// CertWarning is how long before a certificate expires the build warns.
const CertWarning = 30 * 24 * time.Hour

// ActiveFrom returns when a key first published at since may start to sign:
// once every cache that held the key set without it has let go.
func ActiveFrom(site *config.Site, since time.Time) time.Time {
	return since.Add(site.JWKSCacheLifetime())
}

// KeepUntil returns the earliest safe published_until of a key that stopped
// signing at retired: its last tokens expire after the token lifetime, and
// the cache lifetime is added for signers and caches still on the old set.
func KeepUntil(site *config.Site, retired time.Time) time.Time {
	return retired.Add(site.TokenLifetime + site.JWKSCacheLifetime())
}

// Check applies the rotation rules to a site and the keys it publishes at
// now. Settings of keys already past their date are checked too: dropping a
// key too early is the danger.
func Check(site *config.Site, ks []keys.Key, now time.Time) *diag.List {
	var diags diag.List
	cache := site.JWKSCacheLifetime()
	for _, s := range site.Keys {
		at := func(field string) diag.Pos {
			if p, ok := s.Pos[field]; ok {
				return p
			}
			return s.Pos[""]
		}
		switch s.State {
		case config.Active:
			if s.PublishedSince.IsZero() {
				break
			}
			if safe := ActiveFrom(site, s.PublishedSince); now.Before(safe) {
				diags.Errorf(at("state"), "%s may become active at %s, not before: it was published at %s, and caches may keep the key set without it for %s (%s)",
					s.File, Stamp(safe), Stamp(s.PublishedSince), cache, cacheSource)
				diags.Hint("keep it next until then; relying parties would reject the tokens it signs")
			}
		case config.Next:
			if s.PublishedSince.IsZero() {
				diags.Warnf(at(""), "next key %s has no published_since: wellknown cannot tell when it becomes safe to make active", s.File)
				diags.Hint("add published_since: %s to its entry, the time it is first deployed", Stamp(now))
			}
		case config.Retired:
			if s.RetiredSince.IsZero() {
				diags.Warnf(at(""), "retired key %s has no retired_since: wellknown cannot check that published_until is late enough", s.File)
				diags.Hint("add retired_since: the time it stopped signing (wellknown keys rotate writes it)")
				break
			}
			if safe := KeepUntil(site, s.RetiredSince); s.PublishedUntil.Before(safe) {
				diags.Errorf(at("published_until"), "published_until %s is too early for %s: tokens it signed until %s stay valid for %s (token_lifetime), and caches keep the key set for %s (%s); the earliest safe date is %s",
					Stamp(s.PublishedUntil), s.File, Stamp(s.RetiredSince), site.TokenLifetime, cache, cacheSource, Stamp(safe))
				diags.Hint("set published_until: %s or later", Stamp(safe))
			}
		}
	}
	active := 0
	dated := rotated(site.Keys)
	for _, k := range ks {
		if k.State == config.Active {
			active++
		}
		// A key file without an entry is active by default. On a site that
		// rotates (its entries carry dates) that is how a retired key whose
		// entry was deleted, and whose file stayed, comes back to sign.
		if k.Settings == nil && dated {
			diags.Warnf(diag.Pos{Path: k.File()}, "the key file has no entry in site.yaml keys, so it is published as active: a retired key whose entry was deleted while its file stayed comes back this way")
			diags.Hint("delete the file once its key has left the key set, or give it an entry (state: active) to keep publishing it")
		}
		checkCerts(k, now, &diags)
	}
	if len(ks) > 0 && active == 0 {
		diags.Errorf(site.Where("keys"), "no active key: the server would have no published key to sign with")
		diags.Hint("keep the last active key until a next key has been published for %s, then run wellknown keys rotate", cache)
	}
	return &diags
}

// rotated reports whether any key entry carries a rotation date: the site
// manages its keys' lives through site.yaml.
func rotated(ss []config.KeySettings) bool {
	for _, s := range ss {
		if !s.PublishedSince.IsZero() || !s.RetiredSince.IsZero() || !s.PublishedUntil.IsZero() {
			return true
		}
	}
	return false
}

// cacheSource names the settings the cache lifetime comes from.
const cacheSource = "cache.max_age + cache.stale_while_revalidate"

// checkCerts warns about certificates near their end and refuses expired
// ones on keys that sign or will: a relying party that reads x5c rejects
// the key.
func checkCerts(k keys.Key, now time.Time, diags *diag.List) {
	file := k.Files[len(k.Files)-1] // the certificate file comes second
	for i, c := range k.JWK.Certificates {
		what := fmt.Sprintf("certificate %q", c.Subject.String())
		if len(k.JWK.Certificates) > 1 {
			what = fmt.Sprintf("certificate %d (%q)", i+1, c.Subject.String())
		}
		switch {
		case !now.Before(c.NotAfter):
			msg := fmt.Sprintf("%s of %s (kid %s) expired at %s", what, k.File(), k.JWK.KeyID, Stamp(c.NotAfter))
			if k.State == config.Retired {
				diags.Warnf(diag.Pos{Path: file}, "%s", msg)
			} else {
				diags.Errorf(diag.Pos{Path: file}, "%s: relying parties that check x5c reject the key", msg)
				diags.Hint("renew the certificate, or publish the key without it")
			}
		case !now.Add(CertWarning).Before(c.NotAfter):
			diags.Warnf(diag.Pos{Path: file}, "%s of %s (kid %s) expires at %s, in %s",
				what, k.File(), k.JWK.KeyID, Stamp(c.NotAfter), days(c.NotAfter.Sub(now)))
			diags.Hint("renew it before then; from %s the build fails", Stamp(c.NotAfter))
		case now.Before(c.NotBefore):
			diags.Warnf(diag.Pos{Path: file}, "%s of %s is not valid until %s", what, k.File(), Stamp(c.NotBefore))
		}
	}
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// Stamp writes t for people and for site.yaml alike: a date at midnight
// UTC, else an RFC 3339 time to the second.
func Stamp(t time.Time) string { return yamledit.Time(t) }

// Entry is the name of a key's entry in site.yaml, existing or to be made.
func Entry(k keys.Key) string {
	if k.Settings != nil {
		return k.Settings.File
	}
	return filepath.Base(k.File())
}

// Due says what happens to a key next, and when, for listings.
func Due(site *config.Site, k keys.Key, now time.Time) string {
	switch k.State {
	case config.Next:
		if k.Settings == nil || k.Settings.PublishedSince.IsZero() {
			return "needs published_since before it can become active"
		}
		if from := ActiveFrom(site, k.Settings.PublishedSince); now.Before(from) {
			return "may become active at " + Stamp(from)
		}
		return "may become active now (keys rotate)"
	case config.Retired:
		if now.Before(k.PublishedUntil) {
			return "leaves the key set at " + Stamp(k.PublishedUntil)
		}
		return "left the key set at " + Stamp(k.PublishedUntil) + "; delete it"
	}
	return "-"
}
