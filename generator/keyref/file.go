package keyref

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// PasswordEnv is the environment variable that holds the password of a
// cosign-encrypted key, the one cosign reads.
const PasswordEnv = "COSIGN_PASSWORD"

// maxKeyFile bounds what is read as a key: a PEM key is a few kilobytes;
// anything much larger is the wrong file.
const maxKeyFile = 1 << 20

// PEM block types of cosign's encrypted private keys (scrypt + secretbox,
// as `cosign generate-key-pair` writes them).
const (
	pemEncryptedSigstore = "ENCRYPTED SIGSTORE PRIVATE KEY"
	pemEncryptedCosign   = "ENCRYPTED COSIGN PRIVATE KEY"
)

func openFile(path string, o Options) (*Key, error) {
	data, err := ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParsePEM(data, o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Key{Signer: s}, nil
}

// ParsePEM parses a PEM private key: PKCS #8 ("PRIVATE KEY"), PKCS #1 ("RSA
// PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY"), or a cosign-encrypted key
// ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY") whose
// password is getenv(PasswordEnv). Errors never include key material.
func ParsePEM(data []byte, getenv func(string) string) (crypto.Signer, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("not a PEM file")
	}
	var pf cryptoutils.PassFunc
	switch block.Type {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		//lint:ignore SA1019 refusing legacy encryption is the point
		if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck
			return nil, fmt.Errorf("legacy PEM encryption (Proc-Type) is not supported")
		}
	case pemEncryptedSigstore, pemEncryptedCosign:
		// sigstore decrypts only when the password function returns a
		// non-nil password, and otherwise fails parsing the ciphertext as
		// PKCS #8 with a cryptic message; so always hand it one, possibly
		// empty (cosign allows an empty password).
		pf = cryptoutils.StaticPasswordFunc([]byte(getenv(PasswordEnv)))
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("encrypted PKCS #8 keys are not supported")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("holds a %s, not a private key", block.Type)
	default:
		return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(data, pf)
	if err != nil {
		if pf != nil {
			if getenv(PasswordEnv) == "" {
				return nil, fmt.Errorf("cannot decrypt the key: %s is not set: %w", PasswordEnv, err)
			}
			return nil, fmt.Errorf("cannot decrypt the key (wrong %s?): %w", PasswordEnv, err)
		}
		return nil, err
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", priv)
	}
	return s, nil
}

// ReadKeyFile reads a key file, refusing one larger than a key could be, so
// that a path given by mistake (a log, a device) is not read whole.
func ReadKeyFile(path string) ([]byte, error) {
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
