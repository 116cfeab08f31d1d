package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// secretMembers are the JWK members that hold private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var secretMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParsePublicJWK reads one JWK that is published as it is, such as a member
// of a client's inline jwks: it must be a public key of a kind and strength
// this package accepts. Errors never quote key material.
func ParsePublicJWK(data []byte) (jose.JSONWebKey, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("not a valid JWK: %w", err)
	}
	if kty := string(probe["kty"]); kty == `"oct"` {
		return jose.JSONWebKey{}, errors.New("is a symmetric (oct) key: a shared secret must never be published")
	}
	var found []string
	for _, m := range secretMembers {
		if _, ok := probe[m]; ok {
			found = append(found, m)
		}
	}
	if len(found) > 0 {
		return jose.JSONWebKey{}, fmt.Errorf("holds private key members (%s): publish only the public key", strings.Join(found, ", "))
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		return jose.JSONWebKey{}, fmt.Errorf("not a valid JWK: %w", err)
	}
	switch k.Key.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return jose.JSONWebKey{}, fmt.Errorf("unsupported JWK key type %s", typeName(k.Key))
	}
	if err := checkKeyType(k.Key); err != nil {
		return jose.JSONWebKey{}, err
	}
	return k, nil
}

// PublicOf returns the public key a key file holds, whatever its kind, as
// the key directory reads it.
func PublicOf(data []byte, password func() ([]byte, bool)) (crypto.PublicKey, error) {
	it, err := parse(data, password)
	if err != nil {
		return nil, err
	}
	return it.pub, nil
}
