package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Types are the key types Generate makes, by the names the CLI takes.
var Types = []string{"ec-p256", "ec-p384", "ec-p521", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096"}

// Generate makes a new private key of a type in Types.
func Generate(typ string) (crypto.Signer, error) {
	switch typ {
	case "ec-p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ec-p384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ec-p521":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "rsa-2048", "rsa-3072", "rsa-4096":
		bits := map[string]int{"rsa-2048": 2048, "rsa-3072": 3072, "rsa-4096": 4096}[typ]
		return rsa.GenerateKey(rand.Reader, bits)
	}
	return nil, fmt.Errorf("unknown key type %q; use one of %s", typ, strings.Join(Types, ", "))
}

// PrivatePEM encodes k as a PKCS#8 "PRIVATE KEY" block, the one format
// every key type shares.
func PrivatePEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicPEM encodes pub as a PKIX "PUBLIC KEY" block: the half of a new key
// that is published and committed.
func PublicPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// SelfSign issues a self-signed certificate for k, valid from now for the
// given days, whose key usage allows signing only: relying parties that read
// x5c check it against the JWK's use.
func SelfSign(k crypto.Signer, subject string, now time.Time, days int) ([]byte, error) {
	if days < 1 {
		return nil, errors.New("a certificate must be valid for at least one day")
	}
	spki, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	skid := sha256.Sum256(spki)
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: subject},
		NotBefore:             now,
		NotAfter:              now.AddDate(0, 0, days),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SubjectKeyId:          skid[:20],
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// Public is what a file holding only a public key shows.
type Public struct {
	Key   crypto.PublicKey
	Chain []*x509.Certificate // leaf first; empty for a bare public key
	Kid   string              // a JWK's own kid, which the build publishes; empty otherwise
}

// KeyID returns the kid the build publishes for the key without a kid in
// site.yaml: a JWK's own, else the one scheme gives.
func (p *Public) KeyID(scheme string) (string, error) {
	if p.Kid != "" {
		return p.Kid, nil
	}
	return KeyID(scheme, p.Key, p.Chain)
}

// ErrPrivate is returned by ReadPublic for a file that holds a private key.
var ErrPrivate = errors.New("holds a private key")

// ReadPublic reads a public key file as the key directory would (PEM public
// key, certificate chain, or JWK) and checks the key's type; the build
// checks the rest, as for any key file. A file with a
// private key, even an encrypted one, gives ErrPrivate: importing is for
// keys whose private half stays in an HSM or KMS.
func ReadPublic(data []byte) (*Public, error) {
	it, err := parse(data, func() ([]byte, bool) { return nil, false })
	if errors.Is(err, errNeedPassword) {
		return nil, ErrPrivate
	}
	if err != nil {
		return nil, err
	}
	if it.signer != nil {
		return nil, ErrPrivate
	}
	if err := checkKeyType(it.pub); err != nil {
		return nil, err
	}
	pub := &Public{Key: it.pub, Chain: it.chain}
	if it.jwk != nil {
		pub.Kid = it.jwk.KeyID
	}
	return pub, nil
}

// Thumbprint returns the RFC 7638 thumbprint of pub, the default kid.
func Thumbprint(pub crypto.PublicKey) (string, error) { return thumbprint(pub) }
