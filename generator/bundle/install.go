package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	files, err := Read(r, lim)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	rep := sign.Verify(files, opts)
	if rep.Status() != sign.Valid {
		return rep, fmt.Errorf("%w: %s", ErrRejected, rep.Status())
	}
	if err := InstallContext(ctx, dir, files, w); err != nil {
		return rep, err
	}
	return rep, nil
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
	return w.Write(ctx, dir, as) // paths are sorted
}
