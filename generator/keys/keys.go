// Package keys reads the key directory into the keys a site publishes: every
// private key, public key, certificate chain or JWK file, paired by the public
// key they hold, checked, and turned into public JWKs with RFC 7638 kids.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

// Key is one published key.
type Key struct {
	// Files are the files that hold the key, as messages name them: the key
	// file first, then the certificate file if that is another one.
	Files []string
	// JWK holds only public members. Its Certificates, when present, start
	// with the certificate of this key and chain to the last.
	JWK            jose.JSONWebKey
	Thumbprint     string // RFC 7638, SHA-256, base64url
	State          config.State
	PublishedUntil time.Time // for retired keys
	// Signer is the private key when the directory holds it. It is never
	// published; it lets the build sign with the key.
	Signer crypto.Signer
	// PrivateFile is the file of Files that holds the private key, as
	// messages name it; empty when the directory holds none.
	PrivateFile string
	// Ref is the key reference (pkcs11:, KMS, env:) that Signer signs
	// through, without a PIN; empty for a key read from the directory.
	Ref string
	// Demo marks the example keys of the wellknown repository, whose private
	// halves are public.
	Demo bool
	// Settings is the key's entry in site.yaml; nil when it has none.
	Settings *config.KeySettings

	untilPos diag.Pos // where site.yaml sets PublishedUntil
}

// File is the file that names the key in messages.
func (k Key) File() string { return k.Files[0] }

// Options say where the keys are and what site.yaml says of them.
type Options struct {
	Dir      string // the key directory on disk
	Display  string // how messages name it, e.g. "keys"
	Settings []config.KeySettings
	// Password returns the password of encrypted private keys.
	Password func() ([]byte, bool)
	// Now decides which retired keys are past their date.
	Now time.Time
	// KeepExpired keeps retired keys past their date, for listings.
	KeepExpired bool
	// DirPos is where site.yaml names the directory (its key_dir setting):
	// a problem of the directory as a whole is reported there. Without a
	// line, it is reported at the directory.
	DirPos diag.Pos
	// KidScheme names keys without an explicit kid (see KidSchemes);
	// empty is KidRFC7638.
	KidScheme string
	// References are signing keys site.yaml names by reference; they join
	// the set (see Reference).
	References []Reference
}

// Ignored reports whether Load passes over a file of that name in the key
// directory: it is not read as a key.
func Ignored(name string) bool { return skip(name) }

// skip reports whether a file in the key directory is not a key: dot files,
// and the notes and scripts that live beside keys (README.md, generate.sh).
func skip(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".txt", ".sh":
		return true
	}
	return false
}

// Load reads every key file of the directory. It reports every problem it
// finds; the keys are nil when there are errors.
func Load(o Options) ([]Key, *diag.List) {
	var diags diag.List
	dirPos, dirName := diag.Pos{Path: o.Display}, ""
	if o.DirPos.Line > 0 {
		dirPos, dirName = o.DirPos, " "+o.Display
	}
	entries, err := os.ReadDir(o.Dir)
	if errors.Is(err, fs.ErrNotExist) && len(o.References) > 0 {
		// Every key in a token or KMS: no directory is needed.
		err = nil
	}
	if err != nil {
		diags.Errorf(dirPos, "cannot read the key directory%s: %v", dirName, diag.Cause(err))
		switch {
		case errors.Is(err, fs.ErrNotExist) && o.DirPos.Line == 0:
			diags.Hint("make the directory and run wellknown keys generate, or set key_dir in site.yaml")
		case errors.Is(err, fs.ErrNotExist):
			diags.Hint("a relative key_dir is read from the directory of site.yaml; an absolute one as written")
		}
		return nil, &diags
	}
	var items []*item
	for _, e := range entries {
		name := e.Name()
		file := filepath.ToSlash(filepath.Join(o.Display, name))
		if skip(name) || e.IsDir() {
			continue
		}
		if !e.Type().IsRegular() {
			diags.Errorf(diag.Pos{Path: file}, "not a regular file; key files must not be links or devices")
			continue
		}
		data, err := readFile(filepath.Join(o.Dir, name))
		if err != nil {
			diags.Errorf(diag.Pos{Path: file}, "%v", err)
			continue
		}
		it, err := parse(data, o.Password)
		if err != nil {
			diags.Errorf(diag.Pos{Path: file}, "%v", err)
			if errors.Is(err, errNeedPassword) {
				diags.Hint("export %s=... before the build; it is never read from a flag", PasswordEnv)
			}
			continue
		}
		it.file, it.name = file, name
		if info, err := e.Info(); err == nil {
			warnReadable(it, info.Mode(), &diags)
		}
		items = append(items, it)
	}
	groups := orphanCerts(group(items, &diags), &diags)
	keys := make([]Key, 0, len(groups))
	settings := match(groups, o, &diags)
	for i, g := range groups {
		if k, ok := build(g, settings[i], o, &diags); ok {
			keys = append(keys, k)
		}
	}
	if len(o.References) > 0 {
		keys = attach(keys, o.References, &diags)
	}
	checkKids(keys, &diags)
	if diags.HasErrors() {
		return nil, &diags
	}
	if !o.KeepExpired {
		keys = dropExpired(keys, o, &diags)
	}
	if len(keys) == 0 {
		if dirName != "" {
			dirName = " in" + dirName
		}
		diags.Errorf(dirPos, "no keys to publish%s: the key set would be empty", dirName)
		diags.Hint("put a private key, public key or certificate in %s, or run wellknown keys generate", o.Display)
		return nil, &diags
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if a, b := stateOrder(keys[i].State), stateOrder(keys[j].State); a != b {
			return a < b
		}
		return keys[i].File() < keys[j].File()
	})
	return keys, &diags
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", diag.Cause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", diag.Cause(err))
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not a key file", MaxFileSize)
	}
	return data, nil
}

func stateOrder(s config.State) int {
	return map[config.State]int{config.Active: 0, config.Next: 1, config.Retired: 2}[s]
}

// group pairs the files that hold the same public key: a key file with the
// file of its certificate, and a public key file with the private key file
// of the same name (signing.pub + signing.key, as keys generate writes
// them: the public half is committed, the private half stays out of git, and
// a checkout without it publishes the same key). Any other two files holding
// the key itself, or two certificate files for one key, are errors: one of
// them would be ignored.
func group(items []*item, diags *diag.List) [][]*item {
	var groups [][]*item
	index := map[string]int{}
	for _, it := range items {
		if err := checkKeyType(it.pub); err != nil {
			diags.Errorf(diag.Pos{Path: it.file}, "%v", err)
			continue
		}
		tp, err := thumbprint(it.pub)
		if err != nil {
			diags.Errorf(diag.Pos{Path: it.file}, "cannot compute the key's thumbprint: %v", err)
			continue
		}
		i, seen := index[tp]
		if !seen {
			index[tp] = len(groups)
			groups = append(groups, []*item{it})
			continue
		}
		for _, other := range groups[i] {
			switch {
			case it.bare && other.bare && halves(it, other, groups[i]):
			case it.bare && other.bare:
				diags.Errorf(diag.Pos{Path: it.file}, "the same key is also in %s; keep it in one file", other.file)
			case len(it.chain) > 0 && len(other.chain) > 0:
				diags.Errorf(diag.Pos{Path: it.file}, "a certificate for the same key is also in %s; keep one chain per key", other.file)
			}
		}
		groups[i] = append(groups[i], it)
	}
	for _, g := range groups {
		// The key file names the key, the public half of a pair first (the
		// file a checkout always has); a certificate-only file comes last.
		sort.SliceStable(g, func(i, j int) bool { return rank(g[i]) < rank(g[j]) })
	}
	return groups
}

func rank(it *item) int {
	switch {
	case it.bare && it.signer == nil:
		return 0
	case it.bare:
		return 1
	}
	return 2
}

// halves reports whether a and b are the two halves of one key: a public
// key file and the private key file of the same name, and no other file of
// g holds the key itself.
func halves(a, b *item, g []*item) bool {
	if (a.signer == nil) == (b.signer == nil) || stem(a.name) != stem(b.name) {
		return false
	}
	n := 0
	for _, it := range g {
		if it.bare {
			n++
		}
	}
	return n == 1
}

// orphanCerts refuses a certificate file that shares its name with a key
// file (signing.crt beside signing.pem) but holds another key: it was meant
// to pair with that file, and published on its own it would become a new
// active key that nothing signs with. A certificate whose name matches no
// key file stays a key of its own, the way an HSM or KMS key is published.
func orphanCerts(groups [][]*item, diags *diag.List) [][]*item {
	keyFiles := map[string]string{} // stem → key file
	for _, g := range groups {
		for _, it := range g {
			// The public half of a pair names it, as the key's Files do.
			if _, seen := keyFiles[stem(it.name)]; it.bare && !seen {
				keyFiles[stem(it.name)] = it.file
			}
		}
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g) == 1 && !g[0].bare {
			if other, ok := keyFiles[stem(g[0].name)]; ok {
				diags.Errorf(diag.Pos{Path: g[0].file}, "the certificate is for another key than %s, and no key file holds its key; on its own it would be published as a new active key", other)
				diags.Hint("replace it with the certificate of %s's key, or rename it if it is meant to publish a key of its own", other)
				continue
			}
		}
		out = append(out, g)
	}
	return out
}

func stem(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }

// match finds the site.yaml settings of each group.
func match(groups [][]*item, o Options, diags *diag.List) []*config.KeySettings {
	out := make([]*config.KeySettings, len(groups))
	byName := map[string]int{}
	for i, g := range groups {
		for _, it := range g {
			byName[it.name] = i
		}
	}
	for j := range o.Settings {
		s := &o.Settings[j]
		i, ok := byName[s.File]
		if !ok {
			diags.Errorf(s.Pos[""], "keys entry %s: no key file of that name in %s", s.File, o.Display)
			continue
		}
		if prev := out[i]; prev != nil {
			diags.Errorf(s.Pos[""], "keys entries %s and %s name the same key; keep one", prev.File, s.File)
			continue
		}
		out[i] = s
	}
	return out
}

func build(g []*item, s *config.KeySettings, o Options, diags *diag.List) (Key, bool) {
	k := Key{State: config.Active}
	var src *item // the file holding the key itself, if any
	var chain []*x509.Certificate
	for _, it := range g {
		k.Files = append(k.Files, it.file)
		if it.bare && src == nil {
			src = it
		}
		if len(it.chain) > 0 && chain == nil {
			chain = it.chain
		}
		if it.signer != nil {
			k.Signer, k.PrivateFile = it.signer, it.file
		}
	}
	first := g[0]
	pub := first.pub
	at := func(field string) diag.Pos {
		if s != nil {
			if p, ok := s.Pos[field]; ok {
				return p
			}
		}
		return diag.Pos{Path: first.file}
	}
	ok := true
	fail := func(p diag.Pos, format string, args ...any) {
		diags.Errorf(p, format, args...)
		ok = false
	}

	use, alg, kid := "sig", "", ""
	if src != nil && src.jwk != nil {
		use = cmp(src.jwk.Use, use)
		alg, kid = src.jwk.Algorithm, src.jwk.KeyID
	}
	if s != nil {
		use, alg, kid = cmp(s.Use, use), cmp(s.Alg, alg), cmp(s.Kid, kid)
		k.State, k.PublishedUntil = s.State, s.PublishedUntil
		k.Settings = s
		k.untilPos = at("published_until")
	}
	if alg == "" {
		alg = defaultAlg(pub, use)
	}
	if err := checkAlg(pub, use, alg); err != nil {
		fail(at("alg"), "%s: %v", first.file, err)
	} else if alg == "Ed25519" {
		// RFC 9864 names the algorithm Ed25519 and deprecates EdDSA, but
		// relying parties have not followed yet: go-oidc (see
		// TestEd25519AlgRefused), PyJWT and authlib verify EdDSA only.
		diags.Warnf(at("alg"), "%s: alg Ed25519 (RFC 9864) is refused by go-oidc, PyJWT and authlib, which accept the same key and signatures as EdDSA", first.file)
		diags.Hint("publish alg: EdDSA until the relying parties you serve accept Ed25519")
	}
	tp, _ := thumbprint(pub)
	k.Thumbprint = tp
	if kid == "" {
		id, err := KeyID(o.KidScheme, pub, chain)
		if err != nil {
			fail(at("kid"), "%s: %v", first.file, err)
		}
		kid = id
	}
	k.Demo = slices.Contains(demoThumbprints, tp)

	if len(chain) > 0 {
		certFile := first.file
		for _, it := range g {
			if len(it.chain) > 0 {
				certFile = it.file
			}
		}
		if err := checkChain(chain, use); err != nil {
			fail(diag.Pos{Path: certFile}, "%v", err)
		}
		if !samePublic(pub, chain[0].PublicKey) {
			fail(diag.Pos{Path: certFile}, "the certificate is for another key (RFC 7517 §4.7: the first certificate's key must be the JWK's key)")
		}
	}
	if !ok {
		return Key{}, false
	}
	k.JWK = jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: use}
	if len(chain) > 0 {
		s1, s256 := sha1.Sum(chain[0].Raw), sha256.Sum256(chain[0].Raw)
		k.JWK.Certificates = chain
		k.JWK.CertificateThumbprintSHA1 = s1[:]
		k.JWK.CertificateThumbprintSHA256 = s256[:]
	}
	return k, true
}

func cmp(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// checkKids rejects two keys with one kid: a relying party picks the key by
// kid, and would try the wrong one.
func checkKids(keys []Key, diags *diag.List) {
	seen := map[string]string{}
	for _, k := range keys {
		if other, dup := seen[k.JWK.KeyID]; dup {
			diags.Errorf(diag.Pos{Path: k.File()}, "kid %q is also the kid of %s; kids must be unique in a key set (RFC 7517 §4.5)", k.JWK.KeyID, other)
			continue
		}
		seen[k.JWK.KeyID] = k.File()
	}
}

// dropExpired leaves out the retired keys whose date has passed.
func dropExpired(keys []Key, o Options, diags *diag.List) []Key {
	out := keys[:0]
	for _, k := range keys {
		if k.State == config.Retired && !o.Now.Before(k.PublishedUntil) {
			diags.Notef(k.untilPos, "retired key %s (kid %s) left the key set on %s; delete its file and entry when convenient",
				k.File(), k.JWK.KeyID, k.PublishedUntil.Format(time.DateOnly))
			continue
		}
		out = append(out, k)
	}
	return out
}

func thumbprint(pub crypto.PublicKey) (string, error) {
	sum, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// checkKeyType accepts what JOSE and the relying parties we serve support:
// RSA of 2048 bits or more, the NIST curves of RFC 7518, and Ed25519.
func checkKeyType(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 {
			return fmt.Errorf("RSA key of %d bits is too weak: at least 2048 bits are required (RFC 7518 §3.3)", n)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("unsupported elliptic curve %s: use P-256, P-384 or P-521 (RFC 7518 §3.4)", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return fmt.Errorf("unsupported key type %s: use RSA, EC P-256/P-384/P-521 or Ed25519", typeName(pub))
	}
	return nil
}

func typeName(pub crypto.PublicKey) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
}

// Algs by key type and use; the first is the default.
var (
	rsaSig = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	rsaEnc = []string{"RSA-OAEP-256", "RSA-OAEP", "RSA-OAEP-384", "RSA-OAEP-512"}
	ecEnc  = []string{"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}
	edSig  = []string{"EdDSA", "Ed25519"}
)

func ecSig(c elliptic.Curve) string {
	return map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512"}[c]
}

func defaultAlg(pub crypto.PublicKey, use string) string {
	if allowed := algs(pub, use); len(allowed) > 0 {
		return allowed[0]
	}
	return ""
}

func algs(pub crypto.PublicKey, use string) []string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if use == "enc" {
			return rsaEnc
		}
		return rsaSig
	case *ecdsa.PublicKey:
		if use == "enc" {
			return ecEnc
		}
		return []string{ecSig(k.Curve)}
	case ed25519.PublicKey:
		if use == "sig" {
			return edSig
		}
	}
	return nil
}

func checkAlg(pub crypto.PublicKey, use, alg string) error {
	allowed := algs(pub, use)
	if len(allowed) == 0 {
		return fmt.Errorf("a %s key cannot be used for %q", keyDesc(pub), use)
	}
	if !slices.Contains(allowed, alg) {
		return fmt.Errorf("alg %s does not fit a %s key with use %q; use one of %s (RFC 7518 §3.1, §4.1)",
			alg, keyDesc(pub), use, strings.Join(allowed, ", "))
	}
	return nil
}

// Desc describes a key for people: "RSA 2048", "EC P-256", "Ed25519".
func Desc(pub crypto.PublicKey) string { return keyDesc(pub) }

func keyDesc(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return typeName(pub)
}

// checkChain requires each certificate to be signed by the next, and the
// leaf's key usage to allow the key's use (RFC 7517 §4.7).
func checkChain(chain []*x509.Certificate, use string) error {
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return fmt.Errorf("certificate %d (%s) is not signed by certificate %d (%s): %v; list the chain leaf first",
				i+1, chain[i].Subject, i+2, chain[i+1].Subject, err)
		}
	}
	leaf := chain[0]
	if leaf.KeyUsage != 0 {
		want := x509.KeyUsageDigitalSignature
		if use == "enc" {
			want = x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
		}
		if leaf.KeyUsage&want == 0 {
			return fmt.Errorf("the certificate's key usage does not allow use %q (RFC 7517 §4.7)", use)
		}
	}
	return nil
}

// Set returns the published JWK Set. Only public members are written: the
// keys were made public when they were loaded, and are made so again here so
// that no later change can publish a private member by mistake.
func Set(keys []Key) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		jwk := k.JWK
		jwk.Key = publicOf(jwk.Key)
		set.Keys = append(set.Keys, jwk)
	}
	return set
}

func publicOf(k any) any {
	if s, ok := k.(crypto.Signer); ok {
		return s.Public()
	}
	return k
}

// warnReadable warns about a private key that other users of the machine
// can read, as ssh and age-keygen do. The demo keys are public anyway.
func warnReadable(it *item, mode fs.FileMode, diags *diag.List) {
	if it.signer == nil || mode.Perm()&0o077 == 0 || runtime.GOOS == "windows" {
		return
	}
	if tp, err := thumbprint(it.pub); err == nil && slices.Contains(demoThumbprints, tp) {
		return
	}
	diags.Warnf(diag.Pos{Path: it.file}, "private key is readable by %s (mode %04o): whoever can read it can sign tokens as this server",
		readers(mode), mode.Perm())
	diags.Hint("chmod 600 %s", it.file)
}

func readers(mode fs.FileMode) string {
	if mode.Perm()&0o004 != 0 {
		return "every user"
	}
	return "its group"
}
