package lifecycle

import (
	"path/filepath"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamledit"
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
	Keys    []keys.Key   // after Load
	// Settings are the set's entries under keys: in site.yaml.
	Settings []config.KeySettings
	// Block is the mapping of site.yaml that holds the set's key_dir and
	// keys:, as a yamledit path: empty for the top level, ("issuers", "1")
	// for the second issuers entry, ("federation").
	Block []string
	// At is where site.yaml lists the set's keys, or names the file when
	// it does not; DirAt is where it sets key_dir.
	At, DirAt diag.Pos
	// Signers are the settings that name one of the set's key files to
	// sign something other than tokens: signed_metadata.key of each issuer
	// publishing the set, federation.signing_key.
	Signers []Signer

	root *config.Site // the site the set is of, for site-wide settings
}

// Signer is a setting naming the key file that signs a document.
type Signer struct {
	Setting string   // as messages name it: "signed_metadata.key"
	Path    []string // its yamledit path
	File    string   // the key file it names
	Signs   string   // what it signs, for messages: "the metadata"
	Issuer  string   // whose setting it is; empty for the federation's
	At      diag.Pos
}

// Federation is the Name of the federation key set.
const Federation = "federation"

// Sets returns every key set of site, in the order the build reads them:
// each issuer's (a shared set once, where its first issuer is), then the
// federation's. Their keys are not read yet (see Set.Load).
func Sets(site *config.Site) []Set {
	var sets []Set
	shared := -1
	for i, iss := range site.Issuers {
		// A site that decoded has its issuers in file order, so an
		// issuer's place in Issuers is its index in the issuers list.
		block := []string{"issuers", yamledit.Index(i)}
		if len(site.Issuers) == 1 && iss == site {
			block = nil
		}
		var signer []Signer
		if sm := iss.SignedMetadata; sm != nil {
			signer = []Signer{{Setting: "signed_metadata.key", Path: append(append([]string{}, block...), "signed_metadata", "key"), File: sm.Key, Signs: "the metadata", Issuer: iss.Issuer, At: iss.Where("signed_metadata.key")}}
		}
		if iss.SharedKeys {
			if shared < 0 {
				shared = len(sets)
				sets = append(sets, Set{Name: iss.Issuer, Dir: site.KeyDir, Site: iss, Settings: site.Keys,
					At: site.Where("keys"), DirAt: site.Where("key_dir"), root: site})
			}
			sets[shared].Issuers = append(sets[shared].Issuers, iss.Issuer)
			sets[shared].Signers = append(sets[shared].Signers, signer...)
			continue
		}
		sets = append(sets, Set{Name: iss.Issuer, Issuers: []string{iss.Issuer}, Dir: iss.KeyDir, Site: iss, Settings: iss.Keys,
			Block: block, At: iss.Where("keys"), DirAt: iss.Where("key_dir"), Signers: signer, root: site})
	}
	if f := site.Federation; f != nil && f.KeyDir != "" {
		s := Set{Name: Federation, Issuers: []string{}, Dir: f.KeyDir, Site: site, Settings: f.Keys,
			Block: []string{"federation"}, At: f.Where("keys"), DirAt: f.Where("key_dir"), root: site}
		if f.SigningKey != "" {
			s.Signers = []Signer{{Setting: "federation.signing_key", Path: []string{"federation", "signing_key"}, File: f.SigningKey, Signs: "the entity statements", At: f.Where("signing_key")}}
		}
		sets = append(sets, s)
	}
	return sets
}

// Load reads the set's key directory into Keys. Retired keys past their
// date are kept, for listings.
func (s *Set) Load(now time.Time, password func() ([]byte, bool)) *diag.List {
	var d *diag.List
	s.Keys, d = keys.Load(keys.Options{
		Dir:         s.root.Resolve(s.Dir),
		Display:     filepath.ToSlash(s.root.Resolve(s.Dir)),
		DirPos:      s.DirAt,
		Settings:    s.Settings,
		Password:    password,
		Now:         now,
		KeepExpired: true,
		KidScheme:   s.root.KidScheme,
	})
	return d
}

// Path is the yamledit path of field below the set's block.
func (s *Set) Path(field ...string) []string {
	return append(append([]string{}, s.Block...), field...)
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

// Check applies the rotation rules (see Check) to the set's keys, as
// loaded by Load.
func (s *Set) Check(now time.Time) *diag.List {
	// Check reads the entries from the site it is given; a shared or
	// federation set keeps them apart from the issuer whose lifetimes count.
	site := *s.Site
	site.Keys = s.Settings
	return Check(&site, s.Keys, now)
}
