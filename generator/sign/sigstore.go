package sign

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of the Sigstore bundles signing
// publishes: v0.3, the version cosign v3 writes and reads.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// BundleSuffix ends the name of a Sigstore bundle.
const BundleSuffix = ".sigstore.json"

// BundleDir holds the per-file Sigstore bundles, apart from the .sig files
// in FileSigDir: the bundles are application/json and the .sig files
// text/plain, and a directory whose files share their headers is one rule
// of a host's _headers file rather than one per file (Cloudflare Pages
// applies only 100).
const BundleDir = Dir + "/bundles"

// BundlePath returns where the Sigstore bundle of the file at path is
// published.
func BundlePath(path string) string { return BundleDir + "/" + path + BundleSuffix }

// ManifestBundle is the Sigstore bundle of the manifest.
const ManifestBundle = ManifestPath + BundleSuffix

// keyHint is the public key hint of a bundle: the standard base64 of the
// SHA-256 of the key's DER SubjectPublicKeyInfo, as cosign sign-blob --key
// writes it (the same digest as Fingerprint, another encoding).
func keyHint(pub crypto.PublicKey) (string, error) {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "", fmt.Errorf("encoding public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// sigstoreBundle returns the Sigstore bundle of a message signature: its
// SHA-256 digest, the raw signature and the key hint, with no transparency
// log entry and no timestamp, since the key is trusted out of band. It is
// built with sigstore's own protobuf types and encoded by protojson.
//
// protojson makes its output unstable on purpose (it inserts random
// whitespace, varying between builds of the binary), so the result goes
// through json.Compact: the build promises the same bytes every time.
func sigstoreBundle(msg, sig []byte, hint string) ([]byte, error) {
	digest := sha256.Sum256(msg)
	b := &protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{
				PublicKey: &protocommon.PublicKeyIdentifier{Hint: hint},
			},
		},
		Content: &protobundle.Bundle_MessageSignature{
			MessageSignature: &protocommon.MessageSignature{
				MessageDigest: &protocommon.HashOutput{
					Algorithm: protocommon.HashAlgorithm_SHA2_256,
					Digest:    digest[:],
				},
				Signature: sig,
			},
		},
	}
	raw, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encoding the Sigstore bundle: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, fmt.Errorf("encoding the Sigstore bundle: %w", err)
	}
	return out.Bytes(), nil
}

// bundleCheck returns a check that a Sigstore bundle is the one Artifacts
// writes for a file msg with the signature sig (as in its .sig file, already
// verified): the same media type, key hint, digest and signature. Comparing
// with the expected bytes is strict and cheap; decoding is only for saying
// what differs.
func bundleCheck(key crypto.PublicKey) func(bundle, sig, msg []byte) error {
	hint, err := keyHint(key)
	if err != nil {
		return func(_, _, _ []byte) error { return err }
	}
	return func(bundle, sig, msg []byte) error {
		raw, err := base64.StdEncoding.DecodeString(string(sig))
		if err != nil {
			return fmt.Errorf("its .sig is not base64: %w", err)
		}
		want, err := sigstoreBundle(msg, raw, hint)
		if err != nil {
			return err
		}
		if bytes.Equal(bundle, want) {
			return nil
		}
		var b protobundle.Bundle
		if err := protojson.Unmarshal(bundle, &b); err != nil {
			return fmt.Errorf("not a Sigstore bundle: %v", err)
		}
		digest := sha256.Sum256(msg)
		switch {
		case b.GetMediaType() != BundleMediaType:
			return fmt.Errorf("media type %q, want %q", b.GetMediaType(), BundleMediaType)
		case b.GetVerificationMaterial().GetPublicKey().GetHint() != hint:
			return fmt.Errorf("names the key %q, not the trusted key %q", b.GetVerificationMaterial().GetPublicKey().GetHint(), hint)
		case !bytes.Equal(b.GetMessageSignature().GetMessageDigest().GetDigest(), digest[:]):
			return errors.New("its digest is not the file's")
		case !bytes.Equal(b.GetMessageSignature().GetSignature(), raw):
			return errors.New("its signature is not the one in the .sig")
		}
		return errors.New("is not in the form wellknown writes")
	}
}
