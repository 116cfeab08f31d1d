package lifecycle

import (
	"path/filepath"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// Set is one key directory of a site and the keys it holds: the shared
// set, an issuer's own key_dir, or the federation keys.
type Set struct {
	// Name is "federation" for the federation keys, else the identifier
	// of the first issuer that publishes the set.
	Name string
	// Issuers publish the set as their JWK Set; empty for the federation.
	Issuers []string
	Dir     string       // the key directory as site.yaml writes it
	Site    *config.Site // whose lifetimes date the keys' changes
	Keys    []keys.Key
}

// Federation is the Name of the federation key set.
const Federation = "federation"

// LoadSets reads every key set of site, in the order the build reads them:
// each issuer's (a shared set once, where its first issuer is), then the
// federation's. Retired keys past their date are kept, for listings. Every
// directory is read even when another has errors, so one run reports all.
func LoadSets(site *config.Site, now time.Time, password func() ([]byte, bool)) ([]Set, *diag.List) {
	var diags diag.List
	load := func(dir string, at diag.Pos, settings []config.KeySettings) []keys.Key {
		ks, d := keys.Load(keys.Options{
			Dir:         site.Resolve(dir),
			Display:     filepath.ToSlash(site.Resolve(dir)),
			DirPos:      at,
			Settings:    settings,
			Password:    password,
			Now:         now,
			KeepExpired: true,
			KidScheme:   site.KidScheme,
		})
		diags.Merge(d)
		return ks
	}
	var sets []Set
	shared := -1
	for _, iss := range site.Issuers {
		if iss.SharedKeys {
			if shared < 0 {
				shared = len(sets)
				sets = append(sets, Set{Name: iss.Issuer, Dir: site.KeyDir, Site: iss, Keys: load(site.KeyDir, site.Where("key_dir"), site.Keys)})
			}
			sets[shared].Issuers = append(sets[shared].Issuers, iss.Issuer)
			continue
		}
		sets = append(sets, Set{Name: iss.Issuer, Issuers: []string{iss.Issuer}, Dir: iss.KeyDir, Site: iss, Keys: load(iss.KeyDir, iss.Where("key_dir"), iss.Keys)})
	}
	if f := site.Federation; f != nil && f.KeyDir != "" {
		sets = append(sets, Set{Name: Federation, Issuers: []string{}, Dir: f.KeyDir, Site: site, Keys: load(f.KeyDir, f.Where("key_dir"), f.Keys)})
	}
	return sets, &diags
}

// Pick returns the sets that name selects: the set an issuer publishes, or
// the federation set. An empty name selects them all.
func Pick(sets []Set, name string) ([]Set, bool) {
	if name == "" {
		return sets, true
	}
	for _, s := range sets {
		if s.Name == name {
			return []Set{s}, true
		}
		for _, iss := range s.Issuers {
			if iss == name {
				return []Set{s}, true
			}
		}
	}
	return nil, false
}
