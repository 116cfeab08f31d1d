// Package keyref opens a signing key by reference: a PEM file, a PEM in an
// environment variable (env:NAME), a key in a PKCS #11 token (a pkcs11: URI,
// RFC 7512, in the form cosign takes), or a key in a cloud KMS (sigstore's
// awskms://, gcpkms://, azurekms:// and hashivault:// URIs).
//
// Whatever the reference, the result is one crypto.Signer: every signature
// the build makes goes through it, and the published public key is the
// signer's own, so the private half of a token or KMS key never leaves it.
//
// Messages name a reference with Redact, which drops a PIN given in the URI:
// neither the PIN nor key material ever reaches an error or a log.
//
// Each backend sits in a file of its own, so its dependency is visible and
// removable: pkcs11.go (cgo only, github.com/ThalesGroup/crypto11) and one
// kms_*.go per sigstore KMS provider.
package keyref

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EnvPrefix starts a reference to a PEM key held in an environment variable,
// as a CI secret is: env:WELLKNOWN_SIGN_KEY.
const EnvPrefix = "env:"

// PKCS11Prefix starts an RFC 7512 PKCS #11 URI.
const PKCS11Prefix = "pkcs11:"

// kmsSchemes are sigstore's KMS reference schemes. Only these reach
// sigstore's kms.Get: any other scheme there would run a plugin binary.
var kmsSchemes = []string{"awskms://", "gcpkms://", "azurekms://", "hashivault://"}

// DefaultTimeout bounds the whole of opening a KMS key, so an unreachable
// KMS fails the build in seconds rather than retrying for minutes.
const DefaultTimeout = 30 * time.Second

// Kind is how a reference names its key.
type Kind int

const (
	File   Kind = iota // a PEM file on disk
	Env                // env:NAME
	PKCS11             // pkcs11:…
	KMS                // awskms://, gcpkms://, azurekms://, hashivault://
)

func (k Kind) String() string {
	return [...]string{"file", "environment variable", "PKCS #11 token", "KMS"}[k]
}

// KindOf tells how ref names its key. Anything that is not one of the
// reference forms is a file name.
func KindOf(ref string) Kind {
	switch {
	case strings.HasPrefix(ref, EnvPrefix):
		return Env
	case strings.HasPrefix(ref, PKCS11Prefix):
		return PKCS11
	}
	for _, s := range kmsSchemes {
		if strings.HasPrefix(ref, s) {
			return KMS
		}
	}
	return File
}

// IsReference reports whether ref names a key by reference rather than as
// a file: env:, pkcs11: or a KMS URI.
func IsReference(ref string) bool { return KindOf(ref) != File }

// Options are what opening a key may read besides the reference.
type Options struct {
	// Getenv reads the environment: env: references, COSIGN_PASSWORD for a
	// cosign-encrypted PEM, and pin-source=env:NAME.
	Getenv func(string) string
	// Timeout bounds opening a KMS key and each KMS signature; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

func (o Options) getenv(name string) string {
	if o.Getenv == nil {
		return ""
	}
	return o.Getenv(name)
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// Key is an opened signing key.
type Key struct {
	// Signer signs SHA-256 digests (Ed25519: whole messages). A key read
	// from PEM is the private key itself (*ecdsa.PrivateKey and so on), so
	// callers can sign ECDSA deterministically (RFC 6979); a token or KMS
	// key is opaque.
	crypto.Signer
	// Ref names the key in messages, without a PIN.
	Ref  string
	Kind Kind
	// Deterministic reports whether the same message always gets the same
	// signature: true for PEM keys (RFC 6979 ECDSA, PKCS #1 v1.5 RSA,
	// Ed25519) and RSA keys anywhere; false for ECDSA in a token or KMS,
	// whose nonces are random.
	Deterministic bool

	close func() error
}

// Close releases the token session or KMS client. A Key from a file or the
// environment needs none, but closing it is harmless.
func (k *Key) Close() error {
	if k == nil || k.close == nil {
		return nil
	}
	c := k.close
	k.close = nil
	return c()
}

// Open opens the key that ref names. Errors name the reference as Redact
// gives it, never its PIN or any key material.
func Open(ref string, o Options) (*Key, error) {
	var k *Key
	var err error
	switch kind := KindOf(ref); kind {
	case File:
		k, err = openFile(ref, o)
	case Env:
		k, err = openEnv(ref, o)
	case PKCS11:
		k, err = openPKCS11(ref, o)
	case KMS:
		k, err = openKMS(ref, o)
	}
	if err != nil {
		return nil, err
	}
	k.Ref, k.Kind = Redact(ref), KindOf(ref)
	if k.Kind == File || k.Kind == Env {
		k.Deterministic = true
	} else if _, ec := k.Public().(*ecdsa.PublicKey); !ec {
		k.Deterministic = true
	}
	return k, nil
}

// errRef wraps err with the reference it concerns, PIN removed.
func errRef(ref string, err error) error {
	return fmt.Errorf("%s: %w", Redact(ref), err)
}

var errNoPIN = errors.New("no PIN")
