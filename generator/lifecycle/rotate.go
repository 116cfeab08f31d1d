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

// Plan is one rotation: next keys become active, and the active keys they
// replace retire.
type Plan struct {
	Now     time.Time  // when the rotation happens: retired_since
	Until   time.Time  // published_until of the retired keys
	Promote []keys.Key // next → active
	Retire  []keys.Key // active → retired
	// MetadataKey, when set, is the new signed_metadata.key: the key that
	// signed the metadata retires, and its successor takes over.
	MetadataKey string
}

// Rotate plans a rotation at now. A next key replaces the active keys with
// its use and alg: a site that signs with RS256 and ES256 rotates each on
// its own, and an active key with no successor stays active. Every next key
// must have been published for the cache lifetime; each refusal names the
// date that makes it safe.
func Rotate(site *config.Site, ks []keys.Key, now time.Time) (*Plan, *diag.List) {
	var diags diag.List
	now = now.UTC().Truncate(time.Second)
	p := &Plan{Now: now, Until: KeepUntil(site, now)}
	type slot struct{ use, alg string }
	replaced := map[slot]bool{}
	for _, k := range ks {
		if k.State != config.Next {
			continue
		}
		at := site.Where("keys." + Entry(k) + ".state")
		since := k.Settings.PublishedSince
		switch {
		case since.IsZero():
			diags.Errorf(at, "next key %s has no published_since, so wellknown cannot tell whether caches hold it yet", Entry(k))
			diags.Hint("add published_since: to its entry with the time it was first deployed")
			continue
		case now.Before(ActiveFrom(site, since)):
			diags.Errorf(at, "next key %s may become active at %s, not before: it was published at %s, and caches may keep the key set without it for %s (%s)",
				Entry(k), Stamp(ActiveFrom(site, since)), Stamp(since), site.JWKSCacheLifetime(), cacheSource)
			diags.Hint("run wellknown keys rotate again at %s or later", Stamp(ActiveFrom(site, since)))
			continue
		}
		p.Promote = append(p.Promote, k)
		replaced[slot{k.JWK.Use, k.JWK.Algorithm}] = true
	}
	if len(p.Promote) == 0 && !diags.HasErrors() {
		diags.Errorf(site.Where("keys"), "no next key to promote: retiring the active keys would leave none to sign with")
		diags.Hint("add one with wellknown keys generate --type TYPE (it enters as next), publish it, and rotate once caches hold it")
	}
	if diags.HasErrors() {
		return nil, &diags
	}
	successor := map[slot]keys.Key{}
	for _, k := range p.Promote {
		successor[slot{k.JWK.Use, k.JWK.Algorithm}] = k
	}
	for _, k := range ks {
		s := slot{k.JWK.Use, k.JWK.Algorithm}
		if k.State != config.Active || !replaced[s] {
			continue
		}
		p.Retire = append(p.Retire, k)
		if sm := site.SignedMetadata; sm != nil && holds(k, sm.Key) {
			next := successor[s]
			// The build signs signed_metadata with a private key from the key
			// directory: a public-only successor (its private half in a KMS)
			// would leave the next build unable to sign.
			if next.Signer == nil {
				diags.Errorf(site.Where("signed_metadata.key"), "signed_metadata.key %s retires, and its successor %s holds only a public key: the build could not sign the metadata with it", sm.Key, Entry(next))
				diags.Hint("put the private key of %s in the key directory, or add a next key with its private half (wellknown keys generate) and rotate once caches hold it", Entry(next))
				continue
			}
			p.MetadataKey = Entry(next)
		}
	}
	if diags.HasErrors() {
		return nil, &diags
	}
	return p, &diags
}

// Apply writes the plan into src, the text of site.yaml, changing only the
// values it must.
func (p *Plan) Apply(src []byte) ([]byte, error) {
	var err error
	set := func(entry, field, scalar string) {
		if err == nil {
			src, err = yamledit.Set(src, []string{"keys", entry, field}, scalar)
			if err != nil {
				err = fmt.Errorf("keys.%s.%s: %w", entry, field, err)
			}
		}
	}
	for _, k := range p.Promote {
		set(Entry(k), "state", string(config.Active))
	}
	for _, k := range p.Retire {
		set(Entry(k), "state", string(config.Retired))
		set(Entry(k), "retired_since", yamledit.Time(p.Now))
		set(Entry(k), "published_until", yamledit.Time(p.Until))
	}
	if p.MetadataKey != "" && err == nil {
		src, err = yamledit.Set(src, []string{"signed_metadata", "key"}, yamledit.String(p.MetadataKey))
		if err != nil {
			err = fmt.Errorf("signed_metadata.key: %w", err)
		}
	}
	return src, err
}

// Add writes a new key's entry into src, the text of site.yaml. A next key
// records when it was published, so that the build knows when it may sign.
func Add(src []byte, file string, state config.State, now time.Time) ([]byte, error) {
	out, err := yamledit.Set(src, []string{"keys", file, "state"}, string(state))
	if err == nil && state == config.Next {
		out, err = yamledit.Set(out, []string{"keys", file, "published_since"}, yamledit.Time(now.UTC().Truncate(time.Second)))
	}
	if err != nil {
		return nil, fmt.Errorf("keys.%s: %w", file, err)
	}
	return out, nil
}

// holds reports whether file is one of k's files.
func holds(k keys.Key, file string) bool {
	for _, f := range k.Files {
		if filepath.Base(f) == file {
			return true
		}
	}
	return false
}
