package generator

import (
	"fmt"
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/discovery"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/placement"
)

// keySet is one key directory and the JWK Set it is published as. A site
// has one shared set, used by every issuer without a key_dir of its own.
type keySet struct {
	keys  []keys.Key
	path  string // the JWK Set's path below the site root
	owner string // for messages
	pos   diag.Pos
	ok    bool // loaded without errors
}

// issuerKeys runs the keys phase: the shared key directory when some issuer
// publishes it, and each issuer's own. Every directory is read even when
// another has errors, so that one run reports them all.
func issuerKeys(site *config.Site, o Options, refs *references, diags *diag.List) (map[*config.Site]*keySet, []keys.Key) {
	load := func(dir string, at diag.Pos, settings []config.KeySettings, owner *config.Site) ([]keys.Key, bool) {
		ks, d := keys.Load(keys.Options{
			References: refs.byOwner[owner],
			Dir:        site.Resolve(dir),
			Display:    filepath.ToSlash(site.Resolve(dir)),
			DirPos:     at,
			Settings:   settings,
			Password: func() ([]byte, bool) {
				v := o.Getenv(keys.PasswordEnv)
				return []byte(v), v != ""
			},
			Now:       o.Now,
			KidScheme: site.KidScheme,
		})
		diags.Merge(d)
		for _, k := range ks {
			if k.Demo {
				diags.Warnf(diag.Pos{Path: k.File()}, "publishing a demo key whose private half is public in the wellknown repository: anyone can sign tokens with it")
				diags.Hint("replace the files in %s with your own keys (see keys/README.md)", dir)
			}
		}
		return ks, !d.HasErrors()
	}
	sets := map[*config.Site]*keySet{}
	var all []keys.Key
	var shared *keySet
	for _, iss := range site.Issuers {
		if !iss.SharedKeys {
			ks, ok := load(iss.KeyDir, iss.Where("key_dir"), iss.Keys, iss)
			sets[iss] = &keySet{keys: ks, path: iss.JWKSPath, owner: "issuer " + iss.Issuer, pos: iss.Where("jwks_path"), ok: ok}
			all = append(all, ks...)
			continue
		}
		if shared == nil {
			ks, ok := load(site.KeyDir, site.Where("key_dir"), site.Keys, site)
			shared = &keySet{keys: ks, path: site.JWKSPath, owner: "issuer " + iss.Issuer, pos: iss.Where("jwks_path"), ok: ok}
			if len(site.Issuers) > 1 {
				shared.owner = "the shared key set"
			}
			all = append(all, ks...)
		}
		sets[iss] = shared
	}
	return sets, all
}

// renderIssuers runs the render phase for every issuer: its discovery
// documents and its JWK Set (a shared set once), with the claims on paths
// that placement checks.
//
// Clients registered per issuer (clients/) render here too: a client phase
// adds its documents to the list with the issuer as their owner.
func renderIssuers(site *config.Site, sets map[*config.Site]*keySet, diags *diag.List) ([]artifact.Artifact, []placement.Claim, error) {
	var as []artifact.Artifact
	var claims []placement.Claim
	done := map[*keySet]bool{}
	for _, iss := range site.Issuers {
		set := sets[iss]
		if !set.ok {
			continue
		}
		signer := metadataSigner(iss, set.keys, diags)
		docs, d := discovery.Render(iss, set.keys, signer, nil)
		diags.Merge(d)
		for _, a := range docs {
			claims = append(claims, placement.Claim{Path: a.Path, Owner: "issuer " + iss.Issuer, Pos: iss.Where("issuer"), What: "a discovery document"})
		}
		as = append(as, docs...)
		if done[set] {
			continue
		}
		done[set] = true
		jwks, err := jsonout.Marshal(keys.Set(set.keys))
		if err != nil {
			return nil, nil, fmt.Errorf("render: %s: %w", set.path, err)
		}
		// Marked as a JWK Set, so that it is served and copied as one at
		// any jwks_path, an extensionless one included.
		as = append(as, artifact.Artifact{Path: set.path, Body: jwks, Kind: artifact.KeySet})
		claims = append(claims, placement.Claim{Path: set.path, Owner: set.owner, Pos: set.pos, What: "a JWK Set"})
	}
	return as, claims, nil
}
