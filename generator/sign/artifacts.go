package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/internal/parallel"
	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/progress"
)

// ManifestType is the Content-Type of the manifest, which has no extension
// to tell it by. Every other header of the signature files is the headers
// phase's decision, like any file's.
const ManifestType = "text/plain; charset=utf-8"

// Paths returns the paths Artifacts adds for files at paths, sorted, so
// that a build can decide their headers (and list them in a host's header
// file, which is signed too) before the signatures exist.
func Paths(paths []string) []string {
	out := make([]string, 0, 2*len(paths)+4)
	for _, p := range paths {
		out = append(out, SignaturePath(p), BundlePath(p))
	}
	out = append(out, PublicKeyPath, ManifestPath, ManifestSig, ManifestBundle)
	slices.Sort(out)
	return out
}

// Artifacts signs a rendered site and returns the artifacts to add to it:
// a signature and a Sigstore bundle for every artifact, the publisher's
// public key, the manifest of all of them with the freshness f, and the
// manifest's signature and bundle (see the package documentation for paths
// and formats). The result is sorted by path and, for a given key, input and
// f, the same bytes every time.
//
// It must see the final list: a file added after signing is reported as extra
// by Verify. No artifact may use the reserved signatures/ directory.
func Artifacts(as []artifact.Artifact, s *Signer, f manifest.Freshness) ([]artifact.Artifact, error) {
	return PerFile.Artifacts(as, s, f)
}

// Artifacts is Artifacts for a build whose files st signed as they were
// stored: it signs only the others, and its own files stay in memory for
// the build to store.
// It counts each file it signs on m (nil: none).
func (st *Stream) Artifacts(as []artifact.Artifact, f manifest.Freshness, m *progress.Meter) ([]artifact.Artifact, error) {
	return artifacts(as, st.s, st, f, st.layout, m)
}

func artifacts(as []artifact.Artifact, s *Signer, st *Stream, f manifest.Freshness, l Layout, m *progress.Meter) ([]artifact.Artifact, error) {
	if s == nil {
		return nil, fmt.Errorf("no signer")
	}
	var todo []artifact.Artifact
	for _, a := range as {
		if reserved(a.Path) {
			return nil, fmt.Errorf("artifact path %q is in %s/, which is reserved for signatures", a.Path, Dir)
		}
		if l != PerFile {
			continue // the manifest needs only digests
		}
		if st.has(a.Path) {
			continue
		}
		if a.Stored {
			return nil, fmt.Errorf("%s was stored before it was signed", a.Path)
		}
		todo = append(todo, a)
	}
	hint, err := keyHint(s.Public())
	if err != nil {
		return nil, err
	}
	m.Start("sign", len(todo), "files")
	sigs, err := signAll(todo, s, hint, m)
	if err != nil {
		return nil, err
	}
	per := 1 // files each artifact has in the manifest: itself, and its signatures
	if l == PerFile {
		per = 3
	}
	out := make([]artifact.Artifact, 0, (per-1)*len(as)+4)
	entries := make([]manifest.Entry, 0, per*len(as)+1)
	for _, a := range as {
		entries = append(entries, manifest.Entry{Path: a.Path, Digest: a.SHA256()})
		if l != PerFile {
			continue
		}
		pair, ok := st.signed(a.Path)
		if !ok {
			sig := sigs[0]
			sigs = sigs[1:]
			pair = [2]artifact.Artifact{{Path: SignaturePath(a.Path), Body: sig.sig}, {Path: BundlePath(a.Path), Body: sig.bundle}}
		}
		out = append(out, pair[0], pair[1])
		entries = append(entries, manifest.Entry{Path: pair[0].Path, Digest: pair[0].SHA256()}, manifest.Entry{Path: pair[1].Path, Digest: pair[1].SHA256()})
	}
	pub := s.PublicKeyPEM()
	out = append(out, artifact.Artifact{Path: PublicKeyPath, Body: pub})
	entries = append(entries, manifest.Entry{Path: PublicKeyPath, Digest: sha256.Sum256(pub)})

	man, err := manifest.New(entries, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestPath, err)
	}
	body := man.Marshal()
	raw, err := s.signPath(ManifestPath, body)
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", ManifestPath, err)
	}
	// One verification per build guards against a faulty signer (a
	// broken key or a fault during signing) publishing a tree that can
	// never verify.
	v, err := verifier(s.Public())
	if err != nil {
		return nil, err
	}
	if err := v.VerifySignature(bytes.NewReader(raw), bytes.NewReader(body)); err != nil {
		return nil, fmt.Errorf("signing %s: the signature does not verify: %w", ManifestPath, err)
	}
	mb, err := sigstoreBundle(body, raw, hint)
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", ManifestPath, err)
	}
	out = append(out,
		artifact.Artifact{Path: ManifestPath, Body: body, Header: http.Header{"Content-Type": {ManifestType}}},
		artifact.Artifact{Path: ManifestSig, Body: encodeSig(raw)},
		artifact.Artifact{Path: ManifestBundle, Body: mb},
	)
	artifact.Sort(out)
	return out, nil
}

// encodeSig writes a signature as cosign sign-blob --output-signature does.
func encodeSig(raw []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(raw))
}

// signed is one file's signature in both of its published forms.
type signed struct{ sig, bundle []byte }

// signAll signs every artifact's body, in parallel: with thousands of client
// documents, per-file signatures are most of signing's cost, and RSA keys
// make each one expensive. The result is indexed like as, so the output does
// not depend on scheduling.
func signAll(as []artifact.Artifact, s *Signer, hint string, m *progress.Meter) ([]signed, error) {
	sigs := make([]signed, len(as))
	err := parallel.Try(s.InFlight(), len(as), func(i int) error {
		var err error
		sigs[i], err = s.file(as[i].Path, as[i].Body, hint)
		m.Add(1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sigs, nil
}

// file signs the file at path, holding msg, in both published forms.
func (s *Signer) file(path string, msg []byte, hint string) (signed, error) {
	raw, err := s.signPath(path, msg)
	if err != nil {
		return signed{}, fmt.Errorf("signing %s: %w", path, err)
	}
	b, err := sigstoreBundle(msg, raw, hint)
	if err != nil {
		return signed{}, fmt.Errorf("signing %s: %w", path, err)
	}
	return signed{encodeSig(raw), b}, nil
}
