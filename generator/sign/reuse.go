package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Reuse keeps the signatures of a previous tree (files, path to bytes, as
// tree.Read gives them) for every message whose bytes are unchanged, when
// the signature verifies with this Signer's key. It matters only for a key
// whose signatures are randomised (ECDSA in a token or KMS, see
// Deterministic): without it every rebuild would give every .sig file new
// bytes, so a deploy would upload them all and no rebuild would match the
// last. With it, a rebuild of unchanged input is the same tree, byte for
// byte, as for a file key. For a deterministic key it does nothing: signing
// again gives the same bytes anyway.
//
// Call it before signing; it returns how many signatures it keeps.
func (s *Signer) Reuse(files map[string][]byte) int {
	if s.det || len(files) == 0 {
		return 0
	}
	v, err := verifier(s.pub)
	if err != nil {
		return 0
	}
	kept := map[string]previousSig{}
	for p, sigB64 := range files {
		var msgPath string
		switch {
		case p == ManifestSig:
			msgPath = ManifestPath
		case strings.HasPrefix(p, FileSigDir+"/"):
			var ok bool
			if msgPath, ok = SignedPath(p); !ok {
				continue
			}
		default:
			continue
		}
		msg, ok := files[msgPath]
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(string(sigB64))
		if err != nil {
			continue
		}
		if v.VerifySignature(bytesReader(raw), bytesReader(msg)) != nil {
			continue
		}
		kept[msgPath] = previousSig{sha256.Sum256(msg), raw}
	}
	s.previous = kept
	return len(kept)
}

// previousSig is the last tree's signature of a path, and the digest of the
// bytes it signed.
type previousSig struct {
	digest [32]byte
	sig    []byte
}

// signPath signs msg, the bytes of the file at path, reusing the previous
// tree's signature of that path when the bytes are the same. Keyed by path,
// not by bytes alone: two files with the same bytes (a document and its
// content-addressed copy) each keep their own signature.
func (s *Signer) signPath(path string, msg []byte) ([]byte, error) {
	if p, ok := s.previous[path]; ok && p.digest == sha256.Sum256(msg) {
		return bytes.Clone(p.sig), nil
	}
	return s.Sign(msg)
}
