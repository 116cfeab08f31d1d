// Package sign signs a published tree and verifies it offline.
//
// # What a signed tree holds
//
// Signing adds these files under the reserved directory signatures/, which no
// other artifact may use:
//
//	signatures/SHA256SUMS            manifest: its version and expiry, then
//	                                 sha256sum lines for every file of the tree
//	                                 except SHA256SUMS and its two signatures
//	                                 (see package manifest)
//	signatures/SHA256SUMS.sig        signature of SHA256SUMS
//	signatures/SHA256SUMS.sigstore.json  the same signature as a Sigstore bundle
//	signatures/publisher.pub         the publishing key's public half, PEM
//	                                 "PUBLIC KEY" (PKIX), as cosign writes it
//	signatures/files/PATH.sig        signature of the file at PATH, one per
//	                                 published file
//	signatures/bundles/PATH.sigstore.json  the same signature as a Sigstore
//	                                 bundle, one per published file
//
// A separate directory, rather than PATH.sig beside each file, keeps the
// served namespace (.well-known/…) exactly what the renderer made and makes
// collisions impossible: SHA256SUMS and its signatures sit in signatures/, the
// per-file signatures one level down. The bundles have a directory of their
// own, not files/, because they are served as application/json and the .sig
// files as text/plain: each directory is then one rule of a host's _headers
// file, whatever the number of clients.
//
// Every .sig file is in the format `cosign sign-blob --output-signature`
// writes: the standard base64 of the raw signature, no newline. Every bundle
// is a Sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json)
// built with sigstore's protobuf-specs types: a messageSignature with the
// file's SHA-256 and the same raw signature, and a public key hint (the
// base64 SHA-256 of the key's DER, as cosign writes it); no transparency log
// entry and no timestamp, since the key is trusted out of band. So each file
// checks with stock tools, offline; cosign v3 needs no other flag for a
// key-based bundle, and deprecates --signature in its favour:
//
//	cosign verify-blob --key publisher.pub --insecure-ignore-tlog=true \
//	    --bundle signatures/bundles/jwks.json.sigstore.json jwks.json
//	cosign verify-blob --key publisher.pub --insecure-ignore-tlog=true \
//	    --bundle signatures/SHA256SUMS.sigstore.json signatures/SHA256SUMS
//	cosign verify-blob --key publisher.pub --insecure-ignore-tlog=true \
//	    --signature signatures/files/jwks.json.sig jwks.json
//	sha256sum -c signatures/SHA256SUMS
//
// (with a publisher.pub obtained from the publisher, not the copy in the tree).
//
// publisher.pub has no signature of its own on purpose: a key signed by
// itself proves nothing (whoever swaps the key signs the swap with it), and
// it is covered like every file by the signed SHA256SUMS. Verify checks it is
// the trusted key; it is in the tree so a reader can see which key signed.
//
// # Freshness
//
// The manifest carries a version that only grows (the build clock, in
// seconds) and an expiry. Verify refuses an expired manifest (TUF's freeze
// rule) and, given the manifest of the tree it would replace, one with a
// lower version, or the same version and other bytes (the rollback rule).
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

// SignedPath is the inverse of SignaturePath and BundlePath: the file a
// per-file signature or bundle is of.
func SignedPath(sigPath string) (string, bool) {
	if p, ok := strings.CutPrefix(sigPath, BundleDir+"/"); ok {
		return strings.CutSuffix(p, BundleSuffix)
	}
	p, ok := strings.CutPrefix(sigPath, FileSigDir+"/")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(p, ".sig")
}

// reserved reports whether path belongs to signing, so the renderer may not
// produce it.
func reserved(path string) bool { return path == Dir || strings.HasPrefix(path, Dir+"/") }
