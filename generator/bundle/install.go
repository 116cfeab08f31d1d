package bundle

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// ErrRejected is returned, wrapped, by Import when the bundle does not verify.
var ErrRejected = errors.New("bundle rejected")

// Import reads the bundle r, verifies it against opts.Key (required: an
// import must trust a key from outside the bundle) and only when it is valid
// installs it into dir with Install. The report tells what verification
// found, also when it fails; on any error dir is as it was.
func Import(r io.Reader, dir string, opts sign.VerifyOptions, lim Limits) (*sign.Report, error) {
	return ImportContext(context.Background(), r, dir, opts, lim, publish.Options{})
}

// ImportContext is Import, installing as w says (the lock, notes and
// warnings) and giving up, dir as it was, when ctx is done before the swap.
func ImportContext(ctx context.Context, r io.Reader, dir string, opts sign.VerifyOptions, lim Limits, w publish.Options) (*sign.Report, error) {
	if opts.Key == nil {
		return nil, errors.New("import needs the publisher's key to trust")
	}
	if err := installed(dir, &opts); err != nil {
		return nil, err
	}
	files, rep, err := Check(r, opts, lim)
	if err != nil {
		return rep, err
	}
	if err := InstallContext(ctx, dir, files, w); err != nil {
		return rep, err
	}
	return rep, nil
}

// Check reads the bundle r under lim and verifies it as Import does,
// writing nothing but Read's spool. It returns the files only when the
// bundle is valid, and the report whenever verification ran; every refusal
// wraps ErrRejected.
//
// An archive too large for the spool's memory has its manifest's signature
// checked before its files are read into memory: one that is unsigned, or
// not signed by the key, is refused on that alone, so a hostile archive
// within the limits does not cost their size in memory either.
func Check(r io.Reader, opts sign.VerifyOptions, lim Limits) (map[string][]byte, *sign.Report, error) {
	a, err := read(r, lim)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	defer a.close()
	if a.sp.f != nil {
		rep, err := a.checkSignature(opts.Key)
		if err != nil {
			return nil, nil, err
		}
		if rep != nil {
			return nil, rep, fmt.Errorf("%w: %s", ErrRejected, rep.Status())
		}
	}
	files, err := a.files()
	if err != nil {
		return nil, nil, err
	}
	rep := sign.Verify(files, opts)
	if rep.Status() != sign.Valid {
		return nil, rep, fmt.Errorf("%w: %s", ErrRejected, rep.Status())
	}
	return files, rep, nil
}

// checkSignature verifies only the manifest, its signature and the
// publisher key of a, read from the spool, and returns the report that
// refuses a when they do not hold, or nil.
func (a *archive) checkSignature(key crypto.PublicKey) (*sign.Report, error) {
	sig := map[string][]byte{}
	for i, name := range a.names {
		switch name {
		case sign.ManifestPath, sign.ManifestSig, sign.PublicKeyPath:
			b, err := a.sp.read(a.offs[i], a.sizes[i])
			if err != nil {
				return nil, err
			}
			sig[name] = b
		}
	}
	rep := sign.Verify(sig, sign.VerifyOptions{Key: key})
	var refusing []sign.Problem
	for _, p := range rep.Problems {
		// Files listed in the manifest are missing from sig by
		// construction; the full check reports on them.
		if _, ok := sig[p.Path]; ok || p.Path == "" || p.Path == sign.ManifestPath {
			refusing = append(refusing, p)
		}
	}
	if rep.Signed && len(refusing) == 0 {
		return nil, nil
	}
	rep.Problems = refusing
	rep.Files = len(a.names)
	return rep, nil
}

// installed hands Verify the manifest of the tree in dir, if any, so that it
// refuses a rollback (see sign.VerifyOptions.Installed).
func installed(dir string, opts *sign.VerifyOptions) error {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(sign.ManifestPath)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	opts.Installed, opts.InstalledName = data, dir
	return nil
}

// Install replaces dir with a directory holding exactly files, as a build
// replaces out/ (publish.Write): written beside dir, synced once, swapped in
// whole, reusing every file the previous tree holds byte for byte. On any
// error dir is as it was.
//
// To avoid replacing an unrelated directory by mistake, an existing dir must
// be empty or a tree a build or import wrote (publish.Replaceable).
func Install(dir string, files map[string][]byte) error {
	return InstallContext(context.Background(), dir, files, publish.Options{})
}

// InstallContext is Install, writing as w says and giving up when ctx is
// done before the swap.
func InstallContext(ctx context.Context, dir string, files map[string][]byte, w publish.Options) error {
	paths, err := checkPaths(files)
	if err != nil {
		return err
	}
	as := make([]artifact.Artifact, len(paths))
	for i, p := range paths {
		as[i] = artifact.Artifact{Path: p, Body: files[p]}
	}
	// An import writes nothing beside dir but its lock: no spare tree,
	// which pays off for builds of large registries, not for installs.
	w.NoSpare = true
	return w.Write(ctx, dir, as) // paths are sorted
}
