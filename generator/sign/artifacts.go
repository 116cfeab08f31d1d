package sign

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wellknown-dev/wellknown/generator/artifact"
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
	return ArtifactsMetered(as, s, f, nil)
}

// ArtifactsMetered is Artifacts, counting each file signed on m (nil: none).
func ArtifactsMetered(as []artifact.Artifact, s *Signer, f manifest.Freshness, meter *progress.Meter) ([]artifact.Artifact, error) {
	if s == nil {
		return nil, fmt.Errorf("no signer")
	}
	files := make(map[string][]byte, 3*len(as)+1)
	for _, a := range as {
		if err := manifest.CheckPath(a.Path); err != nil {
			return nil, err
		}
		if reserved(a.Path) {
			return nil, fmt.Errorf("artifact path %q is in %s/, which is reserved for signatures", a.Path, Dir)
		}
		if _, dup := files[a.Path]; dup {
			return nil, fmt.Errorf("artifact path %q appears twice", a.Path)
		}
		files[a.Path] = a.Body
	}
	hint, err := keyHint(s.Public())
	if err != nil {
		return nil, err
	}

	sigs, err := signAll(as, s, hint, meter)
	if err != nil {
		return nil, err
	}
	out := make([]artifact.Artifact, 0, 2*len(as)+4)
	for i, a := range as {
		p, b := SignaturePath(a.Path), BundlePath(a.Path)
		files[p], files[b] = sigs[i].sig, sigs[i].bundle
		out = append(out, artifact.Artifact{Path: p, Body: sigs[i].sig}, artifact.Artifact{Path: b, Body: sigs[i].bundle})
	}
	pub := s.PublicKeyPEM()
	files[PublicKeyPath] = pub
	out = append(out, artifact.Artifact{Path: PublicKeyPath, Body: pub})

	m, err := manifest.Of(files, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestPath, err)
	}
	body := m.Marshal()
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
	errs := make([]error, len(as))
	// One failure stops the rest: a token or KMS that has gone away would
	// otherwise be asked, and time out, once per file.
	var failed atomic.Bool
	forEach(len(as), func(i int) {
		if failed.Load() {
			return
		}
		raw, err := s.signPath(as[i].Path, as[i].Body)
		if err == nil {
			sigs[i].sig = encodeSig(raw)
			sigs[i].bundle, err = sigstoreBundle(as[i].Body, raw, hint)
		}
		if err != nil {
			failed.Store(true)
			errs[i] = fmt.Errorf("signing %s: %w", as[i].Path, err)
		}
		m.Add(1)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sigs, nil
}

// forEach calls f(0) … f(n-1) on GOMAXPROCS goroutines. Workers take the
// next index from a counter: handing each one over an unbuffered channel
// costs a goroutine switch per signature, which kept a 10,000-file build on
// about one core's worth of the two it had.
func forEach(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}
