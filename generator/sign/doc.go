// Package sign signs a published tree and verifies it offline.
//
// # What a signed tree holds
//
// Signing adds these files under the reserved directory signatures/, which no
// other artifact may use:
//
//	signatures/SHA256SUMS            manifest: sha256sum lines for every file of the
//	                                 tree except SHA256SUMS and SHA256SUMS.sig
//	                                 (see package manifest)
//	signatures/SHA256SUMS.sig        signature of SHA256SUMS
//	signatures/publisher.pub         the publishing key's public half, PEM
//	                                 "PUBLIC KEY" (PKIX), as cosign writes it
//	signatures/files/PATH.sig        signature of the file at PATH, one per
//	                                 published file
//
// A separate directory, rather than PATH.sig beside each file, keeps the
// served namespace (.well-known/…) exactly what the renderer made and makes
// collisions impossible: SHA256SUMS and its signature sit in signatures/, the
// per-file signatures one level down in signatures/files/.
//
// Every .sig file is in the format `cosign sign-blob --output-signature`
// writes: the standard base64 of the raw signature, no newline. So each file
// checks with stock tools, offline:
//
//	cosign verify-blob --key signatures/publisher.pub --insecure-ignore-tlog=true \
//	    --signature signatures/files/jwks.json.sig jwks.json
//	cosign verify-blob --key signatures/publisher.pub --insecure-ignore-tlog=true \
//	    --signature signatures/SHA256SUMS.sig signatures/SHA256SUMS
//	sha256sum -c signatures/SHA256SUMS
//
// (with a publisher.pub obtained from the publisher, not the copy in the tree).
//
// # Algorithms
//
// Keys are ECDSA P-256, P-384 or P-521, Ed25519, or RSA of at least 2048 bits.
// The message is hashed with SHA-256 for every key type: cosign verify-blob
// assumes SHA-256 unless given --hash-algorithm, so SHA-256 everywhere keeps
// the plain command above working for P-384 and P-521 too. RSA signs with
// PKCS #1 v1.5, as cosign does; Ed25519 is pure Ed25519 over the message.
//
// # Determinism
//
// The build promises the same bytes for the same input, signatures included.
// Ed25519 and RSA PKCS #1 v1.5 are deterministic by construction. ECDSA is
// not as sigstore calls it (ecdsa.SignASN1 with random nonces), so ECDSA keys
// sign through the standard library's RFC 6979 mode instead
// ((*ecdsa.PrivateKey).Sign with a nil random source), which derives the
// nonce from the key and the digest. The result is an ordinary ASN.1 ECDSA
// signature that any verifier, cosign included, accepts; only its
// reproducibility differs. An ECDSA key in a token or KMS (see package
// keyref) cannot sign by RFC 6979 from outside: its nonces are random, so
// Signer.Reuse keeps the previous tree's signature of every file whose bytes
// are unchanged, after verifying it, and an unchanged site rebuilds to the
// same bytes all the same. Every other step (loading keys, verifying) goes
// through sigstore/sigstore's pkg/signature and pkg/cryptoutils.
//
// # Why sigstore/sigstore v1.10.11
//
// github.com/sigstore/sigstore is pinned to v1.10.11 in go.mod: v1.11.x
// declares go 1.27 and this module builds with Go 1.26. Move to v1.11 when the
// toolchain moves.
package sign

import "strings"

// Paths of the files signing adds, relative to the site root.
const (
	Dir           = "signatures"
	ManifestPath  = Dir + "/SHA256SUMS"
	ManifestSig   = ManifestPath + ".sig"
	PublicKeyPath = Dir + "/publisher.pub"
	FileSigDir    = Dir + "/files"
)

// SignaturePath returns where the signature of the file at path is published.
func SignaturePath(path string) string { return FileSigDir + "/" + path + ".sig" }

// signedPath is the inverse of SignaturePath.
func signedPath(sigPath string) (string, bool) {
	p, ok := strings.CutPrefix(sigPath, FileSigDir+"/")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(p, ".sig")
}

// reserved reports whether path belongs to signing, so the renderer may not
// produce it.
func reserved(path string) bool { return path == Dir || strings.HasPrefix(path, Dir+"/") }
