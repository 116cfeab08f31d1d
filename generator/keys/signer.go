package keys

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"io"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// JOSESigner returns a signer for compact JWS with the key's alg and kid.
// ECDSA signatures use RFC 6979 deterministic nonces, so that the build's
// output is the same bytes every time; Ed25519 and RSA PKCS#1 v1.5 are
// deterministic already. (RSA-PSS salts are random by design.)
func (k Key) JOSESigner() (jose.Signer, error) { return k.joseSigner("") }

func (k Key) joseSigner(typ string) (jose.Signer, error) {
	if k.Signer == nil {
		return nil, errors.New("only the public key is in the key directory")
	}
	s := k.Signer
	if ec, ok := s.(*ecdsa.PrivateKey); ok {
		s = deterministicECDSA{ec}
	}
	pub := k.JWK
	opaque := withPublic{cryptosigner.Opaque(s), &pub}
	var opts *jose.SignerOptions
	if typ != "" {
		opts = (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.JWK.Algorithm), Key: opaque}, opts)
}

// deterministicECDSA signs with a nil random source, which crypto/ecdsa
// answers with an RFC 6979 signature.
type deterministicECDSA struct{ *ecdsa.PrivateKey }

func (d deterministicECDSA) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.PrivateKey.Sign(nil, digest, opts)
}

// withPublic gives an opaque signer the published JWK, so the JWS header
// carries its kid.
type withPublic struct {
	jose.OpaqueSigner
	jwk *jose.JSONWebKey
}

func (w withPublic) Public() *jose.JSONWebKey { return w.jwk }
