package keyops

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/internal/gitignore"
)

// NewKey says what key Generate makes.
type NewKey struct {
	Type string // one of keys.Types
	// Name is the public key file's name, which names the key's entry in
	// site.yaml; the private key is STEM.key beside it. Empty for
	// TYPE-YYYYMMDD.pub, or with -2, -3, ... before .pub, the first that is
	// free.
	Name  string
	Cert  bool // also a self-signed certificate, STEM.crt, valid for Days
	Days  int
	State config.State // next or active
}

// maxSuffix bounds the search for a free name: a key directory with a
// thousand keys of one type made on one day is not a real one.
const maxSuffix = 1000

// Generate writes a new key pair into the set's key directory, the public
// half (PEM, mode 0644, committed and published) and beside it the private
// half (PKCS#8 PEM, mode 0600, STEM.key) and, with Cert, its certificate,
// and adds its entry to site.yaml. The private half never goes where git
// commits it: unless git ignores it already, *.key is added to the key
// directory's .gitignore first (see gitignore.Keep). No file is ever written
// over: a name given in Name that is taken is refused, and a default name
// that is taken gives way to the next free one.
func (s *Site) Generate(nk NewKey) (*Added, *diag.List, error) {
	if nk.Name != "" {
		if err := checkName(nk.Name); err != nil {
			return nil, nil, err
		}
		if ext := strings.ToLower(filepath.Ext(nk.Name)); ext == PrivateExt || ext == ".crt" {
			return nil, nil, usagef("--name %q: --name names the public key file and the key's entry (say %s.pub); the private key is written beside it as %s%s, the certificate as %s.crt",
				nk.Name, stem(nk.Name), stem(nk.Name), PrivateExt, stem(nk.Name))
		}
	}
	k, err := keys.Generate(nk.Type)
	if err != nil {
		return nil, nil, usagef("--type: %v", err)
	}
	// The key set's problems (an empty or missing directory is how a site
	// starts) are the build's to report; only whether it holds keys counts.
	s.Load()
	key, err := keys.PrivatePEM(k)
	if err != nil {
		return nil, nil, err
	}
	pub, err := keys.PublicPEM(k.Public())
	if err != nil {
		return nil, nil, err
	}
	var cert []byte
	var chain []*x509.Certificate
	if nk.Cert {
		if cert, err = keys.SelfSign(k, s.subject(), s.opts.Now, nk.Days); err != nil {
			return nil, nil, err
		}
		if b, _ := pem.Decode(cert); b != nil {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				chain = append(chain, c)
			}
		}
	}
	kid, err := keys.KeyID(s.KidScheme, k.Public(), chain)
	if err != nil {
		var d diag.List
		d.Errorf(diag.Pos{Path: s.File}, "%v", err)
		d.Hint("add --cert")
		return nil, &d, nil
	}
	for n := 1; ; n++ {
		name := nk.Name
		if name == "" {
			if name = s.freeName(nk.Type, n); name == "" {
				return nil, nil, fmt.Errorf("%s: no free name for a %s key made on %s", s.path(""), nk.Type, s.opts.Now.Format(time.DateOnly))
			}
		}
		private := stem(name) + PrivateExt
		files := []File{
			{Name: name, Data: pub, Mode: 0o644, What: keys.Desc(k.Public()) + " public key"},
			{Name: private, Data: key, Mode: 0o600, What: keys.Desc(k.Public()) + " private key"},
		}
		if nk.Cert {
			expiry := s.opts.Now.UTC().Truncate(time.Second).AddDate(0, 0, nk.Days)
			files = append(files, File{Name: stem(name) + ".crt", Data: cert, Mode: 0o644, What: "self-signed certificate, expires " + lifecycle.Stamp(expiry)})
		}
		// Before the key exists: a run stopped between the two would
		// otherwise leave a private key that git add -A takes.
		if err := os.MkdirAll(s.Resolve(s.Set.Dir), 0o755); err != nil {
			return nil, nil, err
		}
		ig, undo, err := gitignore.Keep(s.Resolve(s.Set.Dir), private, privateRule, s.path)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot keep the private key out of git: %w", err)
		}
		a, d, err := s.add(files, nk.State, kid, len(s.Set.Keys) > 0)
		if a == nil {
			undo()
		}
		if errors.Is(err, errTaken) && nk.Name == "" {
			// Taken since freeName looked: another run made it.
			continue
		}
		if errors.Is(err, errTaken) {
			err = nil
		}
		if a != nil {
			a.Private, a.Ignored = s.path(private), ig
			if ig.Not {
				d.Warnf(diag.Pos{Path: a.Private}, "holds a private key, and git does not ignore it although %s says %s: a rule of yours includes it again; never commit it", ig.Wrote, privateRule.Pattern)
				d.Hint("see which rule with: git check-ignore -v --no-index %s", a.Private)
			}
		}
		return a, d, err
	}
}

// freeName returns the first default name from the n-th on whose key file,
// certificate file and entry are all free, or "" when there is none.
func (s *Site) freeName(typ string, n int) string {
	base := typ + "-" + s.opts.Now.UTC().Format("20060102")
	dir := s.Resolve(s.Set.Dir)
	taken := func(name string) bool {
		_, err := os.Lstat(filepath.Join(dir, name))
		return !errors.Is(err, os.ErrNotExist)
	}
	for ; n <= maxSuffix; n++ {
		name := base + ".pub"
		if n > 1 {
			name = fmt.Sprintf("%s-%d.pub", base, n)
		}
		// A certificate or private key file of the name would pair with
		// the key, or refuse it, whether or not this key comes with a
		// certificate.
		if s.entry(name) != nil || taken(name) || taken(stem(name)+PrivateExt) || taken(stem(name)+".crt") {
			continue
		}
		return name
	}
	return ""
}

// subject names a generated certificate after the host of the set's
// first issuer.
func (s *Site) subject() string {
	id := ""
	if len(s.Set.Issuers) > 0 {
		id = s.Set.Issuers[0]
	} else if f := s.Federation; f != nil && f.Issuer != nil {
		id = f.Issuer.Issuer
	}
	if u, err := url.Parse(id); err == nil && u.Host != "" {
		return u.Host + " signing key"
	}
	return "wellknown signing key"
}

func stem(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }
