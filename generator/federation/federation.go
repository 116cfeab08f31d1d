// Package federation renders an OpenID Federation 1.0 entity configuration:
// the signed entity statement an entity publishes about itself at
// /.well-known/openid-federation, with its federation keys and its metadata
// by entity type.
package federation

import (
	"errors"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// WellKnownName is the well-known URI suffix of entity configurations.
const WellKnownName = "openid-federation"

// Type is the JWS typ of entity statements (OpenID Federation §3.1).
const Type = "entity-statement+jwt"

// Entity types (OpenID Federation §5.1).
const (
	OpenIDProvider           = "openid_provider"
	AuthorizationServer      = "oauth_authorization_server"
	OpenIDRelyingParty       = "openid_relying_party"
	FederationEntityMetadata = "federation_entity"
)

// Location returns where the entity configuration of entityID is fetched:
// the well-known segment appended to the identifier (OpenID Federation §9).
func Location(entityID string) string {
	return strings.TrimSuffix(entityID, "/") + "/.well-known/" + WellKnownName
}

// Statement is what an entity configuration says.
type Statement struct {
	EntityID string
	// Keys are the federation keys, published as jwks; Signer is one of them.
	Keys   []keys.Key
	Signer keys.Key
	// IssuedAt is the build's clock; the statement expires Lifetime later.
	IssuedAt time.Time
	Lifetime time.Duration
	// Metadata holds one member per entity type, each a metadata object.
	Metadata jsonout.Object
	// AuthorityHints are the entity's superiors; nil for a trust anchor.
	AuthorityHints []string
}

// Sign returns the entity configuration as a compact JWS: header alg, kid
// and typ entity-statement+jwt; claims iss = sub = the entity identifier,
// iat, exp, jwks, metadata and authority_hints when there are any. ECDSA
// signatures are deterministic, so one clock gives one byte string.
func (s Statement) Sign() (string, error) {
	if len(s.AuthorityHints) == 0 && s.AuthorityHints != nil {
		return "", errors.New("authority_hints must not be empty")
	}
	iat := s.IssuedAt.Unix()
	claims := jsonout.Object{
		{Name: "iss", Value: s.EntityID},
		{Name: "sub", Value: s.EntityID},
		{Name: "iat", Value: iat},
		{Name: "exp", Value: iat + int64(s.Lifetime/time.Second)},
		{Name: "jwks", Value: keys.Set(s.Keys)},
		{Name: "metadata", Value: s.Metadata},
	}
	if len(s.AuthorityHints) > 0 {
		claims.Set("authority_hints", s.AuthorityHints)
	}
	payload, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	return s.Signer.SignCompact(payload, Type)
}
