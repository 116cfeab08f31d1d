package sign

import (
	"bytes"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/manifest"
)

// Layout is which signature files a signed tree publishes.
type Layout int

const (
	// PerFile publishes, besides the manifest, its signatures and the
	// publisher key, a signature and a Sigstore bundle of every file, so
	// that one file checks with cosign alone. It is the default
	// (signing.per_file: true).
	PerFile Layout = iota
	// ManifestOnly publishes the publisher key, the manifest, and the
	// manifest's signature and bundle, and nothing per file
	// (signing.per_file: false). Every file is still covered: the signed
	// manifest lists its digest. One signature instead of one per file,
	// and a manifest of a third of the lines, since it no longer lists two
	// signature files for every file.
	ManifestOnly
)

func (l Layout) String() string {
	if l == ManifestOnly {
		return "manifest only"
	}
	return "per file"
}

// Paths returns the paths Artifacts adds for files at paths in layout l,
// sorted (see the package function Paths).
func (l Layout) Paths(paths []string) []string {
	if l == ManifestOnly {
		return []string{ManifestPath, ManifestSig, ManifestBundle, PublicKeyPath} // sorted
	}
	return Paths(paths)
}

// Artifacts signs a rendered site in layout l (see the package function
// Artifacts, which is PerFile.Artifacts).
func (l Layout) Artifacts(as []artifact.Artifact, s *Signer, f manifest.Freshness) ([]artifact.Artifact, error) {
	return artifacts(as, s, nil, f, l, nil)
}

// LayoutOf tells the layout of a tree from its manifest: per file when the
// manifest lists any per-file signature or bundle. Verify decides it so, from
// what the publisher signed, never from which files are present: deleting
// the per-file signatures of a per-file tree leaves the manifest listing
// them, and they are reported missing.
func LayoutOf(m *manifest.Manifest) Layout {
	for _, e := range m.Entries {
		if isFileSig(e.Path) {
			return PerFile
		}
	}
	return ManifestOnly
}

// ManifestOnlySize is the size a manifest would have in layout
// ManifestOnly: body less its lines for per-file signatures and bundles.
// perFile reports whether there were any. It reads body as Marshal writes
// it, line by line, without checking it.
func ManifestOnlySize(body []byte) (size int, perFile bool) {
	for line := range bytes.Lines(body) {
		if _, p, ok := bytes.Cut(line, []byte("  ")); ok && isFileSig(string(bytes.TrimSuffix(p, []byte("\n")))) {
			perFile = true
			continue
		}
		size += len(line)
	}
	return size, perFile
}

// isFileSig reports whether p is in the per-file signature or bundle
// directory.
func isFileSig(p string) bool {
	return strings.HasPrefix(p, FileSigDir+"/") || strings.HasPrefix(p, BundleDir+"/")
}
