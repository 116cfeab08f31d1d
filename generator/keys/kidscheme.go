package keys

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/wellknown-dev/wellknown/generator/config"
)

// The key ID schemes of kid_scheme: how a key without an explicit kid is
// named. Relying parties pick the key by kid, so a site that replaces a
// server keeps that server's scheme.
const (
	// KidRFC7638 is the JWK thumbprint (RFC 7638), the default.
	KidRFC7638 = "rfc7638"
	// KidX5tS256 is the certificate's SHA-256 thumbprint, as x5t#S256.
	KidX5tS256 = "x5t#S256"
	// KidX5t is the certificate's SHA-1 thumbprint, as x5t: what WSO2
	// Identity Server and ADFS publish.
	KidX5t = "x5t"
	// KidKubernetes is the base64url SHA-256 of the DER public key
	// (SubjectPublicKeyInfo): what kube-apiserver, ccoctl and azwi publish
	// for service-account keys.
	KidKubernetes = "kubernetes"
)

// KidSchemes lists the schemes site.yaml accepts.
var KidSchemes = config.KidSchemes

// KeyID names a key by the scheme. The certificate schemes need the key's
// certificate (the first of chain).
func KeyID(scheme string, pub crypto.PublicKey, chain []*x509.Certificate) (string, error) {
	switch scheme {
	case "", KidRFC7638:
		return thumbprint(pub)
	case KidX5tS256, KidX5t:
		if len(chain) == 0 {
			return "", fmt.Errorf("kid_scheme %s names a key by its certificate, and the key has none; add its certificate (x5c), or set its kid", scheme)
		}
		if scheme == KidX5t {
			sum := sha1.Sum(chain[0].Raw)
			return base64.RawURLEncoding.EncodeToString(sum[:]), nil
		}
		sum := sha256.Sum256(chain[0].Raw)
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	case KidKubernetes:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(der)
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	}
	return "", fmt.Errorf("unknown kid_scheme %q", scheme)
}
