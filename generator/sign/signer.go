package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// PasswordEnv is the environment variable that holds the password of an
// encrypted key, the one cosign reads.
const PasswordEnv = "COSIGN_PASSWORD"

// maxKeyFile bounds what LoadSigner and LoadPublicKey read: a PEM key is a
// few kilobytes; anything much larger is the wrong file.
const maxKeyFile = 1 << 20

// PEM block types of cosign's encrypted private keys (scrypt +
// secretbox, as `cosign generate-key-pair` writes them).
const (
	pemEncryptedSigstore = "ENCRYPTED SIGSTORE PRIVATE KEY"
	pemEncryptedCosign   = "ENCRYPTED COSIGN PRIVATE KEY"
)

// A Signer signs with the site's publishing key. Its zero value is not usable:
// make one with LoadSigner or NewSigner.
type Signer struct {
	sv     signature.SignerVerifier
	ec     *ecdsa.PrivateKey // set for ECDSA keys, which sign by RFC 6979
	pub    crypto.PublicKey
	pubPEM []byte
	fp     string
}

// LoadSigner reads the publishing key from the PEM file at path: PKCS #8
// ("PRIVATE KEY"), PKCS #1 ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY"), or
// a cosign-encrypted key ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN
// PRIVATE KEY") whose password is getenv(PasswordEnv).
//
// Errors name the file and never include key material.
func LoadSigner(path string, getenv func(string) string) (*Signer, error) {
	data, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: not a PEM file", path)
	}
	var pf cryptoutils.PassFunc
	switch block.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		//lint:ignore SA1019 refusing legacy encryption is the point
		if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck
			return nil, fmt.Errorf("%s: legacy PEM encryption (Proc-Type) is not supported", path)
		}
	case pemEncryptedSigstore, pemEncryptedCosign:
		// sigstore decrypts only when the password function returns a
		// non-nil password, and otherwise fails parsing the ciphertext as
		// PKCS #8 with a cryptic message; so always hand it one, possibly
		// empty (cosign allows an empty password).
		pf = cryptoutils.StaticPasswordFunc([]byte(getenv(PasswordEnv)))
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%s: encrypted PKCS #8 keys are not supported", path)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("%s: holds a %s, not a private key", path, block.Type)
	default:
		return nil, fmt.Errorf("%s: unsupported PEM block %q", path, block.Type)
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(data, pf)
	if err != nil {
		if pf != nil {
			if getenv(PasswordEnv) == "" {
				return nil, fmt.Errorf("%s: cannot decrypt the key: %s is not set: %w", path, PasswordEnv, err)
			}
			return nil, fmt.Errorf("%s: cannot decrypt the key (wrong %s?): %w", path, PasswordEnv, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := NewSigner(priv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// NewSigner makes a Signer for a private key already in memory.
func NewSigner(priv crypto.PrivateKey) (*Signer, error) {
	cs, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", priv)
	}
	pub := cs.Public()
	if err := checkKey(pub); err != nil {
		return nil, err
	}
	sv, err := signature.LoadSignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("loading signer: %w", err)
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	fp, err := Fingerprint(pub)
	if err != nil {
		return nil, err
	}
	s := &Signer{sv: sv, pub: pub, pubPEM: pubPEM, fp: fp}
	if k, ok := priv.(*ecdsa.PrivateKey); ok {
		s.ec = k
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
	if s.ec != nil {
		// RFC 6979: same key and message, same signature.
		d := sha256.Sum256(msg)
		return s.ec.Sign(nil, d[:], crypto.SHA256)
	}
	return s.sv.SignMessage(bytes.NewReader(msg))
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
	data, err := readSmall(path)
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

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a key file", path, maxKeyFile)
	}
	return data, nil
}

// verifier returns a sigstore verifier for pub with the hash every signature
// here uses.
func verifier(pub crypto.PublicKey) (signature.Verifier, error) {
	return signature.LoadVerifier(pub, crypto.SHA256)
}
