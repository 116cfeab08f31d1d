package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// PasswordEnv names the environment variable that holds the password of
// encrypted private keys in the key directory. A flag would leak it into
// shell history and process listings.
const PasswordEnv = "WELLKNOWN_KEY_PASSWORD"

// MaxFileSize bounds a key file; a certificate chain of ten certificates is
// well under 64 KiB.
const MaxFileSize = 1 << 20

// item is what one file in the key directory holds.
type item struct {
	file   string // as messages name it: "keys/ec.pem"
	name   string // base name, as site.yaml names it
	pub    crypto.PublicKey
	signer crypto.Signer       // the private key, when the file holds it
	chain  []*x509.Certificate // leaf first
	jwk    *jose.JSONWebKey    // when the file is a JWK: its kid, alg and use
	bare   bool                // the file holds the key itself, not only a certificate
}

// errNeedPassword is returned for an encrypted key when PasswordEnv is unset.
var errNeedPassword = errors.New("encrypted private key and " + PasswordEnv + " is not set")

// parse reads the content of one key file. Errors never quote the content:
// it may be private key material.
func parse(data []byte, password func() ([]byte, bool)) (*item, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("file is empty")
	}
	if trimmed[0] == '{' {
		return parseJWK(trimmed)
	}
	return parsePEM(data, password)
}

func parseJWK(data []byte) (*item, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a valid JWK: %w", err)
	}
	if _, isSet := probe["keys"]; isSet {
		return nil, errors.New("holds a JWK Set; put one key in each file so that site.yaml can name it")
	}
	if kty, _ := probe["kty"]; string(kty) == `"oct"` {
		return nil, errors.New("symmetric (oct) keys are never published (OpenID Connect Discovery §3)")
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		if msg := err.Error(); strings.Contains(msg, "unmarshal x5c") && (strings.Contains(msg, "x509:") || strings.Contains(msg, "asn1:")) {
			return nil, fmt.Errorf("not a valid JWK: %w", &derError{"an x5c entry is not a certificate: it is damaged, or not the standard base64 of a DER certificate (RFC 7517 §4.7)", err})
		}
		return nil, fmt.Errorf("not a valid JWK: %w", err)
	}
	it := &item{jwk: &k, bare: true, chain: k.Certificates}
	switch key := k.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		it.signer = key.(crypto.Signer)
		it.pub = it.signer.Public()
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		it.pub = key
	default:
		return nil, fmt.Errorf("unsupported JWK key type %T", k.Key)
	}
	return it, nil
}

func parsePEM(data []byte, password func() ([]byte, bool)) (*item, error) {
	it := &item{}
	rest := data
	blocks := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks++
		if err := it.addBlock(b, password); err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", blocks, b.Type, err)
		}
	}
	if blocks == 0 {
		if bytes.Contains(data, []byte("-----BEGIN")) {
			return nil, errors.New("truncated or malformed PEM")
		}
		return nil, errors.New("not a key file: expected PEM (private key, public key, certificates) or a JWK")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("truncated or malformed PEM after the last complete block")
	}
	if it.pub == nil {
		return nil, errors.New("holds no key or certificate")
	}
	if len(it.chain) > 0 && it.bare && !samePublic(it.pub, it.chain[0].PublicKey) {
		return nil, errors.New("the first certificate is for another key than the one in the file; put the certificate of the key first")
	}
	return it, nil
}

func (it *item) addBlock(b *pem.Block, password func() ([]byte, bool)) error {
	switch b.Type {
	case "EC PARAMETERS":
		return nil // written by openssl ecparam ahead of the key; the key names its curve again
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return fmt.Errorf("invalid certificate: %w", plainDER(b.Type, err))
		}
		if it.pub == nil {
			it.pub = c.PublicKey
		}
		it.chain = append(it.chain, c)
		return nil
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		var pub crypto.PublicKey
		var err error
		if b.Type == "PUBLIC KEY" {
			pub, err = x509.ParsePKIXPublicKey(b.Bytes)
		} else {
			pub, err = x509.ParsePKCS1PublicKey(b.Bytes)
		}
		if err != nil {
			return fmt.Errorf("invalid public key: %w", plainDER(b.Type, err))
		}
		return it.setKey(pub, nil)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
		string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), "ENCRYPTED COSIGN PRIVATE KEY":
		// A DEK-Info header marks legacy OpenSSL PEM encryption (RFC 1423).
		_, legacy := b.Headers["DEK-Info"]
		encrypted := strings.HasPrefix(b.Type, "ENCRYPTED") || legacy
		var pass cryptoutils.PassFunc
		if encrypted {
			pw, ok := password()
			if !ok {
				return errNeedPassword
			}
			pass = func(bool) ([]byte, error) { return pw, nil }
		}
		priv, err := cryptoutils.UnmarshalPEMToPrivateKey(pem.EncodeToMemory(b), pass)
		if err != nil {
			if encrypted {
				return fmt.Errorf("cannot decrypt private key (wrong password in %s?)", PasswordEnv)
			}
			return fmt.Errorf("invalid private key: %w", plainDER(b.Type, err))
		}
		signer, ok := priv.(crypto.Signer)
		if !ok {
			return fmt.Errorf("unsupported private key type %T", priv)
		}
		return it.setKey(signer.Public(), signer)
	}
	return fmt.Errorf("unsupported PEM block type %q", b.Type)
}

func (it *item) setKey(pub crypto.PublicKey, signer crypto.Signer) error {
	if it.bare {
		return errors.New("a second key in the same file; keep one key (and its certificates) per file")
	}
	if len(it.chain) > 0 {
		return errors.New("the key must come before its certificates")
	}
	it.pub, it.signer, it.bare = pub, signer, true
	return nil
}

type equaler interface{ Equal(crypto.PublicKey) bool }

func samePublic(a, b crypto.PublicKey) bool {
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// derFormats names the structure each PEM label promises.
var derFormats = map[string]string{
	"CERTIFICATE":     "an X.509 certificate",
	"PUBLIC KEY":      "a public key (SubjectPublicKeyInfo)",
	"RSA PUBLIC KEY":  "a PKCS #1 RSA public key",
	"PRIVATE KEY":     "a PKCS #8 private key",
	"RSA PRIVATE KEY": "a PKCS #1 RSA private key",
	"EC PRIVATE KEY":  "a SEC 1 EC private key",
}

// derError says in plain words what encoding/asn1 and crypto/x509 report as
// "asn1: structure error: tags don't match (16 vs {class:1 tag:7 …})". The
// original stays reachable with errors.Unwrap.
type derError struct {
	msg string
	err error
}

func (e *derError) Error() string { return e.msg }
func (e *derError) Unwrap() error { return e.err }

// plainDER rewords a parse error of a PEM block's DER bytes. Errors that are
// not about the encoding (an unsupported curve or algorithm) are already
// plain and stay as they are.
func plainDER(pemType string, err error) error {
	msg := err.Error()
	what := derFormats[pemType]
	if what == "" {
		what = "the data its label names"
	}
	switch {
	case strings.Contains(msg, "data truncated"):
		return &derError{"the data ends early: the file is truncated", err}
	case strings.Contains(msg, "trailing data"):
		return &derError{"extra bytes follow the data: the block holds more than " + what, err}
	case strings.Contains(msg, "asn1:"), strings.Contains(msg, "x509: malformed"):
		return &derError{fmt.Sprintf("the data is not %s: it is damaged, or another kind of data under a %q label", what, pemType), err}
	}
	return err
}
