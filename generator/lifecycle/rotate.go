package lifecycle

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamledit"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// Plan is one rotation of a key set: next keys become active, and the
// active keys they replace retire.
type Plan struct {
	Now     time.Time  // when the rotation happens: retired_since
	Until   time.Time  // published_until of the retired keys
	Promote []keys.Key // next → active
	Retire  []keys.Key // active → retired
	// Moves are the signing settings (signed_metadata.key,
	// federation.signing_key) whose key retires, each to its successor.
	Moves []Move

	set *Set
}

// Move is a signing setting that names the successor of its retiring key.
type Move struct {
	Signer
	To string // the successor's key file
}

// Rotate plans a rotation of the set at now. A next key replaces the
// active keys with its use and alg: a site that signs with RS256 and ES256
// rotates each on its own, and an active key with no successor stays
// active. Every next key must have been published for the cache lifetime;
// each refusal names the date that makes it safe.
func (s *Set) Rotate(now time.Time) (*Plan, *diag.List) {
	var diags diag.List
	site := s.Site
	now = now.UTC().Truncate(time.Second)
	p := &Plan{Now: now, Until: KeepUntil(site, now), set: s}
	type slot struct{ use, alg string }
	replaced := map[slot]bool{}
	for _, k := range s.Keys {
		if k.State != config.Next {
			continue
		}
		at := k.Settings.Pos["state"]
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
		diags.Errorf(s.At, "no next key to promote: retiring the active keys would leave none to sign with")
		diags.Hint("add one with wellknown keys generate --type TYPE (it enters as next), publish it, and rotate once caches hold it")
	}
	if diags.HasErrors() {
		return nil, &diags
	}
	successor := map[slot]keys.Key{}
	for _, k := range p.Promote {
		successor[slot{k.JWK.Use, k.JWK.Algorithm}] = k
	}
	for _, k := range s.Keys {
		sl := slot{k.JWK.Use, k.JWK.Algorithm}
		if k.State != config.Active || !replaced[sl] {
			continue
		}
		p.Retire = append(p.Retire, k)
		for _, sg := range s.Signers {
			if !holds(k, sg.File) {
				continue
			}
			next := successor[sl]
			// The build signs with a private key from the key directory: a
			// public-only successor (its private half in a KMS) would leave
			// the next build unable to sign.
			if next.Signer == nil {
				diags.Errorf(sg.At, "%s %s retires, and its successor %s holds only a public key: the build could not sign %s with it", sg.Setting, sg.File, Entry(next), sg.Signs)
				diags.Hint("put the private key of %s beside it in the key directory (as %s.key), or add a next key with its private half (wellknown keys generate) and rotate once caches hold it", Entry(next), strings.TrimSuffix(Entry(next), filepath.Ext(Entry(next))))
				continue
			}
			p.Moves = append(p.Moves, Move{Signer: sg, To: Entry(next)})
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
	set := func(path []string, scalar string) {
		if err == nil {
			src, err = yamledit.Set(src, path, scalar)
			if err != nil {
				err = fmt.Errorf("%s: %w", strings.Join(path, "."), err)
			}
		}
	}
	for _, k := range p.Promote {
		set(p.set.Path("keys", Entry(k), "state"), string(config.Active))
	}
	for _, k := range p.Retire {
		set(p.set.Path("keys", Entry(k), "state"), string(config.Retired))
		set(p.set.Path("keys", Entry(k), "retired_since"), yamledit.Time(p.Now))
		set(p.set.Path("keys", Entry(k), "published_until"), yamledit.Time(p.Until))
	}
	for _, m := range p.Moves {
		set(m.Path, yamledit.String(m.To))
	}
	return src, err
}

// Add writes a new key's entry into src, the text of site.yaml, in the
// set's keys: block. A next key records when it was published, so that the
// build knows when it may sign.
func (s *Set) Add(src []byte, file string, state config.State, now time.Time) ([]byte, error) {
	out, err := yamledit.Set(src, s.Path("keys", file, "state"), string(state))
	if err == nil && state == config.Next {
		out, err = yamledit.Set(out, s.Path("keys", file, "published_since"), yamledit.Time(now.UTC().Truncate(time.Second)))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(s.Path("keys", file), "."), err)
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
