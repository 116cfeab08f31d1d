package sign

import (
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// A Stream signs files as a build stores them (see artifact.Sink): each
// file's signature and bundle are made and stored with it, by whichever
// goroutine stores it, so that a registry of 100,000 clients is signed on
// every core and none of its files is held once it is written. Artifacts
// then takes the signatures it made instead of signing those files again.
type Stream struct {
	s      *Signer
	layout Layout
	sink   artifact.Sink
	hint   string
	mu     sync.Mutex
	made   map[string][2]stored // by signed path: its .sig and its bundle
}

// stored is what remains of a stored file.
type stored struct {
	size   int
	digest [sha256.Size]byte
}

// Stream returns a Sink that stores each file in sink with its signature
// and bundle, as layout l has them (ManifestOnly: the file alone).
func (s *Signer) Stream(sink artifact.Sink, l Layout) (*Stream, error) {
	hint, err := keyHint(s.Public())
	if err != nil {
		return nil, err
	}
	return &Stream{s: s, layout: l, sink: sink, hint: hint, made: map[string][2]stored{}}, nil
}

// Put stores body at path, then its signature and bundle.
func (st *Stream) Put(path string, body []byte) error {
	if reserved(path) {
		return fmt.Errorf("artifact path %q is in %s/, which is reserved for signatures", path, Dir)
	}
	if st.layout != PerFile {
		return st.sink.Put(path, body)
	}
	sig, err := st.s.file(path, body, st.hint)
	if err != nil {
		return err
	}
	if err := st.sink.Put(path, body); err != nil {
		return err
	}
	pair := [2]artifact.Artifact{{Path: SignaturePath(path), Body: sig.sig}, {Path: BundlePath(path), Body: sig.bundle}}
	for i := range pair {
		if err := artifact.Store(st.sink, &pair[i]); err != nil {
			return err
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.made[path]; dup {
		return fmt.Errorf("artifact path %q appears twice", path)
	}
	st.made[path] = [2]stored{{pair[0].Size, pair[0].Digest}, {pair[1].Size, pair[1].Digest}}
	return nil
}

// has reports whether Put stored path and its signatures.
func (st *Stream) has(path string) bool {
	if st == nil {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.made[path]
	return ok
}

// signed returns what Put stored for path.
func (st *Stream) signed(path string) ([2]artifact.Artifact, bool) {
	if st == nil {
		return [2]artifact.Artifact{}, false
	}
	st.mu.Lock()
	m, ok := st.made[path]
	st.mu.Unlock()
	if !ok {
		return [2]artifact.Artifact{}, false
	}
	return [2]artifact.Artifact{
		{Path: SignaturePath(path), Stored: true, Size: m[0].size, Digest: m[0].digest},
		{Path: BundlePath(path), Stored: true, Size: m[1].size, Digest: m[1].digest},
	}, true
}

// Files returns what Put stored for doc, a file it stored: doc, then its
// signature and bundle when the layout has them.
func (st *Stream) Files(doc artifact.Artifact) []artifact.Artifact {
	pair, ok := st.signed(doc.Path)
	if !ok {
		return []artifact.Artifact{doc}
	}
	return []artifact.Artifact{doc, pair[0], pair[1]}
}

// Keep puts files, a file and what Files listed with it, as the previous
// build holds them (see artifact.Keeper): a file whose bytes are unchanged
// has, from this key, the signature it had. It reports false when the
// layout would sign the file otherwise, or the sink cannot keep them.
func (st *Stream) Keep(files []artifact.Artifact) (bool, error) {
	k, ok := st.sink.(artifact.Keeper)
	if !ok || len(files) == 0 {
		return false, nil
	}
	if st.layout != PerFile {
		if len(files) != 1 {
			return false, nil
		}
		return k.Keep(files)
	}
	p := files[0].Path
	if len(files) != 3 || files[1].Path != SignaturePath(p) || files[2].Path != BundlePath(p) {
		return false, nil
	}
	if reserved(p) {
		return false, fmt.Errorf("artifact path %q is in %s/, which is reserved for signatures", p, Dir)
	}
	if ok, err := k.Keep(files); !ok || err != nil {
		return ok, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.made[p]; dup {
		return false, fmt.Errorf("artifact path %q appears twice", p)
	}
	st.made[p] = [2]stored{{files[1].Size, files[1].Digest}, {files[2].Size, files[2].Digest}}
	return true, nil
}
