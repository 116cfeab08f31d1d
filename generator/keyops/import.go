package keyops

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
)

// Imported is what Import did: added a new key, or paired a certificate
// with a key the set holds.
type Imported struct {
	Added  *Added  // a new key; nil when paired
	Paired *Paired // a certificate for a key already in the set; nil when added
}

// Write tells people what was done.
func (im *Imported) Write(w io.Writer) {
	if im.Paired != nil {
		im.Paired.Write(w)
		return
	}
	im.Added.Write(w)
}

// Paired is a certificate written beside the key it is for.
type Paired struct {
	File  string // the certificate file, as messages name it, with what it holds
	Key   string // the key's file, as messages name it
	Kid   string // the kid the build publishes for the key, now
	Entry string // the key's entry in site.yaml; empty when it has none
}

// Write tells people what was done.
func (p *Paired) Write(w io.Writer) {
	fmt.Fprintf(w, "wrote %s\n", p.File)
	fmt.Fprintf(w, "paired it with %s (kid %s), which now publishes x5c, x5t and x5t#S256; site.yaml was not changed\n", p.Key, p.Kid)
}

// Import copies a public key, certificate chain (leaf first) or public JWK
// from file into the set's key directory (mode 0644) and adds its entry,
// as name (default: file's own name) with state (default next). A
// certificate for a key the set already holds is paired with it instead:
// written beside the key file as KEY.crt (or name), so that the key
// publishes x5c, with no new entry. A private key is refused, and so is a
// name ending in .key, which git ignores with the private keys: a file of
// that name is written as STEM.pub.
func (s *Site) Import(file, name string, state config.State) (*Imported, *diag.List, error) {
	// A public key in a file named *.key would be ignored by git with the
	// private keys (init's .gitignore, keys generate's rule), and a clone
	// would publish without it.
	if strings.EqualFold(filepath.Ext(name), PrivateExt) {
		return nil, nil, usagef("--name %q: a file named *%s is kept out of git as a private key, so a clone would not publish it; name the public key %s.pub", name, PrivateExt, stem(name))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, diag.Cause(err))
	}
	var d diag.List
	pub, err := keys.ReadPublic(data)
	if errors.Is(err, keys.ErrPrivate) {
		d.Errorf(diag.Pos{Path: file}, "holds a private key; keys import takes public keys and certificates only")
		d.Hint("export the public half (openssl pkey -pubout), or use wellknown keys generate")
		return nil, &d, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	tp, err := keys.Thumbprint(pub.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if ld := s.Load(); ld.HasErrors() {
		// The key set's problems are the build's to report, unless the
		// file is for a key in it: pairing with a set that does not load
		// could not be checked.
		if other := s.fileHolding(tp); other != "" {
			d.Merge(ld)
			d.Errorf(diag.Pos{Path: file}, "holds the key of %s, and the key set does not load (the problems above)", other)
			d.Hint("fix them first; wellknown keys list shows them")
			return nil, &d, nil
		}
	}
	for _, k := range s.Set.Keys {
		if k.Thumbprint == tp {
			return s.pair(file, data, pub, k, name, state)
		}
	}
	if name == "" {
		name = filepath.Base(file)
		if strings.EqualFold(filepath.Ext(name), PrivateExt) {
			name = stem(name) + ".pub"
		}
	}
	if state == "" {
		state = config.Next
	}
	what := keys.Desc(pub.Key) + " public key"
	if len(pub.Chain) > 0 {
		what += fmt.Sprintf(" with a certificate for %s, expires %s", pub.Chain[0].Subject, lifecycle.Stamp(pub.Chain[0].NotAfter))
	}
	kid, err := pub.KeyID(s.KidScheme)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	a, ad, err := s.add([]File{{Name: name, Data: data, Mode: 0o644, What: what}}, state, kid, len(s.Set.Keys) > 0)
	if errors.Is(err, errTaken) {
		err = nil
	}
	if a == nil {
		return nil, ad, err
	}
	return &Imported{Added: a}, ad, err
}

// pair writes the certificate chain of pub beside k, the set's key with
// the same public key, and checks that the set still loads with it.
func (s *Site) pair(file string, data []byte, pub *keys.Public, k keys.Key, name string, state config.State) (*Imported, *diag.List, error) {
	var d diag.List
	entry := lifecycle.Entry(k)
	if state != "" {
		return nil, nil, usagef("--state applies to a new key; %s holds the key of %s already, as %s", s.path(filepath.Base(k.File())), file, k.State)
	}
	if len(pub.Chain) == 0 {
		d.Errorf(diag.Pos{Path: file}, "holds the key of %s (kid %s), which the key set has already", k.File(), k.JWK.KeyID)
		d.Hint("import its certificate to publish x5c; the key itself is published as it is")
		return nil, &d, nil
	}
	if cs := k.JWK.Certificates; len(cs) > 0 {
		d.Errorf(diag.Pos{Path: file}, "holds a certificate for the key of %s, which has one already in %s (%s, expires %s); keep one chain per key",
			k.File(), k.Files[len(k.Files)-1], cs[0].Subject, lifecycle.Stamp(cs[0].NotAfter))
		d.Hint("to renew it, delete %s and import again", k.Files[len(k.Files)-1])
		return nil, &d, nil
	}
	if name == "" {
		name = stem(filepath.Base(k.File())) + ".crt"
	}
	if err := checkName(name); err != nil {
		return nil, nil, err
	}
	what := fmt.Sprintf("certificate for %s, expires %s, mode %04o", pub.Chain[0].Subject, lifecycle.Stamp(pub.Chain[0].NotAfter), 0o644)
	if wd, err := s.write([]File{{Name: name, Data: data, Mode: 0o644}}, nil); err != nil {
		if errors.Is(err, errTaken) {
			err = nil
		}
		return nil, wd, err
	}
	// The build reads the pair as this load does: a chain that does not
	// verify, or a key usage that does not allow the key's use, is refused
	// now, not at the next build.
	ld := s.Load()
	if ld.HasErrors() {
		os.Remove(filepath.Join(s.Resolve(s.Set.Dir), name))
		d.Merge(ld)
		d.Errorf(diag.Pos{Path: file}, "not imported: with it, the key set would not load (the problems above)")
		return nil, &d, nil
	}
	p := &Paired{File: s.path(name) + " (" + what + ")", Key: k.File(), Kid: k.JWK.KeyID}
	if k.Settings != nil {
		p.Entry = entry
	}
	for _, nk := range s.Set.Keys {
		if nk.Thumbprint == k.Thumbprint {
			p.Kid = nk.JWK.KeyID
		}
	}
	return &Imported{Paired: p}, &d, nil
}

// fileHolding returns the file of the set's directory, as messages name
// it, that holds the key with thumbprint tp; "" for none. It reads each
// file on its own, for a directory that does not load as a whole. The
// public half of a pair (KEY.pub beside KEY.key) names the key, as in the
// build's messages.
func (s *Site) fileHolding(tp string) string {
	dir := s.Resolve(s.Set.Dir)
	entries, _ := os.ReadDir(dir)
	private := ""
	for _, e := range entries {
		if !e.Type().IsRegular() || keys.Ignored(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if pub, err := keys.PublicOf(data, s.opts.Password); err == nil {
			if got, err := keys.Thumbprint(pub); err == nil && got == tp {
				if filepath.Ext(e.Name()) != PrivateExt {
					return s.path(e.Name())
				}
				private = s.path(e.Name())
			}
		}
	}
	return private
}
