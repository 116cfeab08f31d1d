package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/wellknown-dev/wellknown/generator/keyref"
)

// PasswordEnv is the environment variable that holds the password of an
// encrypted key, the one cosign reads.
const PasswordEnv = keyref.PasswordEnv

// A Signer signs with the site's publishing key. Its zero value is not usable:
// make one with LoadSigner, NewSigner or FromKey.
type Signer struct {
	cs     crypto.Signer     // a token's or KMS's signer; nil for in-memory keys
	sv     signature.Signer  // in-memory RSA and Ed25519 keys
	ec     *ecdsa.PrivateKey // in-memory ECDSA keys, which sign by RFC 6979
	pub    crypto.PublicKey
	pubPEM []byte
	fp     string
	ref    string
	det    bool
	closer io.Closer
	// previous holds the last tree's signatures by signed path (see
	// Reuse); read only once signing starts.
	previous map[string]previousSig
}

// LoadSigner opens the publishing key that ref names: a PEM file (PKCS #8,
// PKCS #1, SEC 1, or cosign-encrypted with the password in
// getenv(PasswordEnv)), env:NAME, a pkcs11: URI or a KMS URI (see package
// keyref). The caller closes the Signer.
//
// Errors name the reference, without a PIN, and never include key material.
func LoadSigner(ref string, getenv func(string) string) (*Signer, error) {
	k, err := keyref.Open(ref, keyref.Options{Getenv: getenv})
	if err != nil {
		return nil, err
	}
	s, err := FromKey(k)
	if err != nil {
		k.Close()
		return nil, err
	}
	return s, nil
}

// FromKey makes a Signer for an opened key reference; closing the Signer
// closes the key.
func FromKey(k *keyref.Key) (*Signer, error) {
	s, err := newSigner(k.Signer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.Ref, err)
	}
	s.ref, s.det, s.closer = k.Ref, k.Deterministic, k
	return s, nil
}

// NewSigner makes a Signer for a private key already in memory.
func NewSigner(priv crypto.PrivateKey) (*Signer, error) {
	s, err := newSigner(priv)
	if err != nil {
		return nil, err
	}
	s.det = true
	return s, nil
}

func newSigner(priv crypto.PrivateKey) (*Signer, error) {
	cs, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", priv)
	}
	pub := cs.Public()
	if err := checkKey(pub); err != nil {
		return nil, err
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	fp, err := Fingerprint(pub)
	if err != nil {
		return nil, err
	}
	s := &Signer{pub: pub, pubPEM: pubPEM, fp: fp}
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		s.ec = k
	case *rsa.PrivateKey, ed25519.PrivateKey:
		if s.sv, err = signature.LoadSignerVerifier(priv, crypto.SHA256); err != nil {
			return nil, fmt.Errorf("loading signer: %w", err)
		}
	default:
		if _, ok := pub.(ed25519.PublicKey); ok {
			// PureEdDSA would need the whole message sent to the token;
			// no token backend here does it.
			return nil, fmt.Errorf("Ed25519 keys are supported in PEM files only; use ECDSA or RSA in a token or KMS")
		}
		s.cs = cs
	}
	return s, nil
}

// checkKey accepts the key types DESIGN.md allows.
func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("unsupported ECDSA curve %s (want P-256, P-384 or P-521)", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits is too short (want at least 2048)", k.N.BitLen())
		}
		return nil
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("unsupported public key type %T", pub)
}

// Sign returns the raw signature of msg, SHA-256 hashed for every key type
// (see the package documentation).
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	switch {
	case s.ec != nil:
		// RFC 6979: same key and message, same signature.
		d := sha256.Sum256(msg)
		return s.ec.Sign(nil, d[:], crypto.SHA256)
	case s.cs != nil:
		// A token's RSA is PKCS #1 v1.5 for crypto.SHA256 opts, as cosign
		// signs; its ECDSA answers ASN.1, as crypto/ecdsa does.
		d := sha256.Sum256(msg)
		return s.cs.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	return s.sv.SignMessage(bytes.NewReader(msg))
}

// RemoteInFlight is how many signatures a key in a token or KMS is asked
// for at once. Such a signer waits on a round trip, not on this machine's
// cores: with one request per core, a KMS 30 ms away signs 10,000 files in
// 150 s on two cores; with 8 in flight, in 38 s. Eight stays well under the
// request rates cloud KMSs allow by default (hundreds per second), and a
// token with fewer sessions makes the rest wait in crypto11's pool.
const RemoteInFlight = 8

// InFlight is how many signatures s is asked for at once: one per core
// for a key in memory, which is CPU-bound; RemoteInFlight, or one per core
// if that is more, for a key in a token or KMS. A build that signs files as
// it renders them renders on as many goroutines.
func (s *Signer) InFlight() int {
	n := runtime.GOMAXPROCS(0)
	if s.cs != nil {
		n = max(n, RemoteInFlight)
	}
	return n
}

// Deterministic reports whether the same message always gets the same
// signature: false only for ECDSA keys in a token or KMS, whose nonces are
// random. A build with such a key is reproducible in everything but its
// signatures, which verify all the same.
func (s *Signer) Deterministic() bool { return s.det }

// Ref names the key as messages may: its file or reference, without a PIN;
// empty for a Signer made by NewSigner.
func (s *Signer) Ref() string { return s.ref }

// Close releases the token session or KMS client behind the Signer.
func (s *Signer) Close() error {
	if s == nil || s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Public returns the public key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// PublicKeyPEM returns the public key as published in signatures/publisher.pub.
func (s *Signer) PublicKeyPEM() []byte { return bytes.Clone(s.pubPEM) }

// Fingerprint returns the key's fingerprint, see Fingerprint.
func (s *Signer) Fingerprint() string { return s.fp }

// Fingerprint returns "SHA256:" and the unpadded base64 of the SHA-256 of the
// key's DER SubjectPublicKeyInfo: the form ssh-keygen -l prints, over the
// bytes of publisher.pub. It can be recomputed without wellknown:
//
//	openssl pkey -pubin -in publisher.pub -outform DER |
//	    openssl dgst -sha256 -binary | base64 | tr -d =
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "", fmt.Errorf("encoding public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:]), nil
}

// LoadPublicKey reads a PEM "PUBLIC KEY" (as cosign and signatures/publisher.pub
// hold it) or "RSA PUBLIC KEY" file: the key a verifier trusts.
func LoadPublicKey(path string) (crypto.PublicKey, error) {
	data, err := keyref.ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	pub, err := ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

// ParsePublicKey parses a PEM public key and checks it is a supported type.
func ParsePublicKey(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	if block.Type != "PUBLIC KEY" && block.Type != "RSA PUBLIC KEY" {
		// Say what it is, but never echo the content: a private key
		// passed by mistake must not end up in a log.
		return nil, fmt.Errorf("holds a %q PEM block, not a public key", block.Type)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(data)
	if err != nil {
		return nil, err
	}
	if err := checkKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// verifier returns a sigstore verifier for pub with the hash every signature
// here uses.
func verifier(pub crypto.PublicKey) (signature.Verifier, error) {
	return signature.LoadVerifier(pub, crypto.SHA256)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
