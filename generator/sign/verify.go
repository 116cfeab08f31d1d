package sign

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/wellknown-dev/wellknown/generator/internal/parallel"
	"github.com/wellknown-dev/wellknown/generator/manifest"
)

// VerifyOptions says what Verify trusts and what else it checks.
type VerifyOptions struct {
	// Key is the publisher's key, obtained out of band. When nil, the
	// tree is checked against the key it carries itself, which proves
	// consistency but not origin: the verdict is then at best Untrusted.
	Key crypto.PublicKey

	// Now is the clock the expiry is checked against; the zero value
	// means the current time.
	Now time.Time

	// Installed, when set, is the manifest (signatures/SHA256SUMS) of the
	// tree this one is to replace, and InstalledName names it in messages.
	// Verify then refuses a lower version, or the same version with other
	// content (TUF's rollback rule), unless AllowRollback is set.
	Installed     []byte
	InstalledName string
	AllowRollback bool

	// Validate, when set, checks the content of the tree (discovery
	// documents, JWKS, client metadata) and returns every problem found.
	// Errors that are a Problem keep their path.
	Validate func(files map[string][]byte) []error
}

// Status is the overall verdict on a tree.
type Status int

const (
	// Valid: signed by the trusted key, every file as signed, nothing
	// missing or extra, content valid.
	Valid Status = iota
	// Unsigned: no manifest; nothing proves who built the tree.
	Unsigned
	// Untrusted: consistent with the key inside the tree, but no trusted
	// key was given.
	Untrusted
	// Invalid: at least one problem.
	Invalid
)

func (s Status) String() string {
	switch s {
	case Valid:
		return "valid"
	case Unsigned:
		return "unsigned"
	case Untrusted:
		return "untrusted"
	case Invalid:
		return "invalid"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Problem is one failed check, naming the file it concerns.
type Problem struct {
	Path string // relative to the site root; empty for the tree as a whole
	Msg  string
}

func (p Problem) Error() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// Report is the outcome of Verify. Callers may add problems of their own
// (unreadable files, say) before asking for the Status.
type Report struct {
	Files       int    // files in the tree
	Signed      bool   // the tree has a manifest
	Trusted     bool   // signatures were checked against VerifyOptions.Key
	Fingerprint string // of the key signatures were checked against
	// Freshness is what the manifest says of its version and expiry; zero
	// when the manifest cannot be read.
	Freshness manifest.Freshness
	// Layout is what the manifest says the tree publishes: per-file
	// signatures (checked, every one) or the manifest's signature alone.
	Layout   Layout
	Problems []Problem
}

// Status is Invalid when there is any problem, else Unsigned, Untrusted or
// Valid.
func (r *Report) Status() Status {
	switch {
	case len(r.Problems) > 0:
		return Invalid
	case !r.Signed:
		return Unsigned
	case !r.Trusted:
		return Untrusted
	}
	return Valid
}

// Verdict is the one-line summary of r for a tree called name.
func (r *Report) Verdict(name string) string {
	switch r.Status() {
	case Valid:
		if r.Layout == ManifestOnly {
			return fmt.Sprintf("valid: %s: %d files match the manifest signed by the trusted key %s (no per-file signatures)", name, r.Files, r.Fingerprint)
		}
		return fmt.Sprintf("valid: %s: %d files match the manifest signed by the trusted key %s", name, r.Files, r.Fingerprint)
	case Unsigned:
		return fmt.Sprintf("unsigned: %s has no %s; nothing proves who built it", name, ManifestPath)
	case Untrusted:
		return fmt.Sprintf("untrusted: %s is consistent with the key it carries (%s), but no trusted key was given to check it against (--key)", name, r.Fingerprint)
	}
	n := len(r.Problems)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("invalid: %s: %d problem%s", name, n, s)
}

func (r *Report) addf(path, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Verify checks a tree, given as its files keyed by slash-separated path,
// offline: the manifest's signature, every file's digest, that no file is
// missing or extra, every per-file signature, and opts.Validate. It lists
// every problem rather than stopping at the first.
//
// A tree whose manifest lists no per-file signature (ManifestOnly, see
// LayoutOf) needs none: the signed manifest covers every file by its
// digest. A manifest that lists any needs them all.
func Verify(files map[string][]byte, opts VerifyOptions) *Report {
	r := &Report{Files: len(files)}
	defer func() {
		if opts.Validate != nil {
			for _, err := range opts.Validate(files) {
				if p, ok := err.(Problem); ok {
					r.Problems = append(r.Problems, p)
				} else {
					r.addf("", "%v", err)
				}
			}
		}
		sort.SliceStable(r.Problems, func(i, j int) bool { return r.Problems[i].Path < r.Problems[j].Path })
	}()

	body, signed := files[ManifestPath]
	if !signed {
		// A tree with signatures but no manifest had it removed: that
		// is tampering, not an unsigned build.
		for _, p := range sortedKeys(files) {
			if reserved(p) {
				r.Signed = true
				r.addf(ManifestPath, "missing, but %s is present", p)
				break
			}
		}
		return r
	}
	r.Signed = true

	key := opts.Key
	r.Trusted = key != nil
	if pemBytes, ok := files[PublicKeyPath]; !ok {
		r.addf(PublicKeyPath, "missing")
	} else if embedded, err := ParsePublicKey(pemBytes); err != nil {
		r.addf(PublicKeyPath, "%v", err)
	} else if key == nil {
		key = embedded
	} else if !equalKeys(key, embedded) {
		want, _ := Fingerprint(key)
		got, _ := Fingerprint(embedded)
		r.addf(PublicKeyPath, "is the key %s, not the trusted key %s", got, want)
	}
	var check func(sig, msg []byte) error
	if key != nil {
		r.Fingerprint, _ = Fingerprint(key)
		v, err := verifier(key)
		if err != nil {
			r.addf("", "cannot check signatures: %v", err)
		} else {
			check = func(sig, msg []byte) error {
				raw, err := base64.StdEncoding.DecodeString(string(sig))
				if err != nil {
					return fmt.Errorf("not base64: %w", err)
				}
				return v.VerifySignature(bytes.NewReader(raw), bytes.NewReader(msg))
			}
		}
	}

	if sig, ok := files[ManifestSig]; !ok {
		r.addf(ManifestSig, "missing")
	} else if check != nil {
		if err := check(sig, body); err != nil {
			r.addf(ManifestSig, "does not verify %s with the key %s", ManifestPath, r.Fingerprint)
		}
	}

	m, err := manifest.Parse(body)
	if err != nil {
		r.addf(ManifestPath, "%v", err)
		return r
	}
	r.Freshness = m.Freshness
	r.Layout = LayoutOf(m)
	r.checkFresh(m, body, opts)
	for _, e := range m.Entries {
		b, ok := files[e.Path]
		if !ok {
			r.addf(e.Path, "missing (listed in %s)", ManifestPath)
			continue
		}
		if sha256.Sum256(b) != e.Digest {
			r.addf(e.Path, "content does not match its digest in %s", ManifestPath)
		}
	}
	for _, p := range sortedKeys(files) {
		if p == ManifestPath || p == ManifestSig || p == ManifestBundle {
			continue
		}
		if _, ok := m.Lookup(p); !ok {
			r.addf(p, "not in %s (added after signing?)", ManifestPath)
		}
		if isFileSig(p) {
			if t, ok := SignedPath(p); !ok || reserved(t) {
				r.addf(p, "is not the signature of a published file")
			} else if _, ok := files[t]; !ok {
				r.addf(p, "signs %s, which is not in the tree", t)
			}
		}
	}
	if check != nil {
		r.checkFileSigs(m, files, check, bundleCheck(key), r.Layout)
	}
	return r
}

// checkFresh applies TUF's freeze and rollback rules: an expired manifest is
// refused, and so is one older than the installed tree's, or as old with
// other content.
func (r *Report) checkFresh(m *manifest.Manifest, body []byte, opts VerifyOptions) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if !now.Before(m.Expires) {
		r.addf(ManifestPath, "expired on %s (version %d, built %s; checked at %s)",
			m.Expires.UTC().Format(time.RFC3339), m.Version, m.Built().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if opts.Installed == nil || opts.AllowRollback {
		return
	}
	name := opts.InstalledName
	if name == "" {
		name = "the installed tree"
	}
	old, err := manifest.Parse(opts.Installed)
	if err != nil {
		r.addf("", "cannot read the version of %s: %s: %v", name, ManifestPath, err)
		return
	}
	switch {
	case m.Version < old.Version:
		r.addf(ManifestPath, "rollback: %s is older than %s, %s", m.Freshness, name, old.Freshness)
	case m.Version == old.Version && !bytes.Equal(body, opts.Installed):
		r.addf(ManifestPath, "same version as %s but other content: %s here, %s there; a new build needs a later clock", name, m.Freshness, old.Freshness)
	}
}

// checkFileSigs verifies the manifest's bundle and, in layout PerFile, the
// per-file signatures and bundles, in parallel like signing.
func (r *Report) checkFileSigs(m *manifest.Manifest, files map[string][]byte, check func(sig, msg []byte) error, checkBundle func(bundle, sig, msg []byte) error, l Layout) {
	var mu sync.Mutex
	report := func(p, format string, args ...any) {
		mu.Lock()
		r.addf(p, format, args...)
		mu.Unlock()
	}
	b, ok := files[ManifestBundle]
	if !ok {
		r.addf(ManifestBundle, "missing")
	}
	// Without the manifest's .sig (reported as missing) there is nothing
	// to hold its bundle to.
	if sig, hasSig := files[ManifestSig]; ok && hasSig {
		if err := checkBundle(b, sig, files[ManifestPath]); err != nil {
			r.addf(ManifestBundle, "%v", err)
		}
	}
	if l == ManifestOnly {
		return
	}
	parallel.Each(0, len(m.Entries), func(i int) {
		p := m.Entries[i].Path
		if reserved(p) {
			return
		}
		b, ok := files[p]
		if !ok {
			return // reported as missing
		}
		sp := SignaturePath(p)
		sig, ok := files[sp]
		if !ok {
			report(p, "has no signature (%s is missing)", sp)
			return
		} else if err := check(sig, b); err != nil {
			report(p, "%s does not verify it with the key %s", sp, r.Fingerprint)
			return
		}
		bp := BundlePath(p)
		if bundle, ok := files[bp]; !ok {
			report(p, "has no Sigstore bundle (%s is missing)", bp)
		} else if err := checkBundle(bundle, sig, b); err != nil {
			report(p, "%s: %v", bp, err)
		}
	})
}

func equalKeys(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

func sortedKeys(files map[string][]byte) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
