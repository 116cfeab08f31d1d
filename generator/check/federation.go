package check

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// entityConfiguration checks an OpenID Federation entity configuration: a
// JWS typed entity-statement+jwt, signed by a key of its own jwks, with
// iss = sub, exp after iat, and authority_hints never empty.
func entityConfiguration(body []byte) []string {
	algs := []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}
	jws, err := jose.ParseSignedCompact(string(body), algs)
	if err != nil {
		return []string{"not a signed entity statement: " + err.Error()}
	}
	var errs []string
	h := jws.Signatures[0].Header
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "entity-statement+jwt" {
		errs = append(errs, fmt.Sprintf("typ %q is not entity-statement+jwt (OpenID Federation §3.1)", typ))
	}
	var claims struct {
		Iss, Sub       string
		Iat, Exp       int64
		JWKS           jose.JSONWebKeySet `json:"jwks"`
		AuthorityHints *[]string          `json:"authority_hints"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return append(errs, "claims: "+err.Error())
	}
	if claims.Iss == "" || claims.Iss != claims.Sub {
		errs = append(errs, fmt.Sprintf("iss %q and sub %q differ (OpenID Federation §3.1)", claims.Iss, claims.Sub))
	}
	if claims.Exp <= claims.Iat {
		errs = append(errs, "exp is not after iat")
	}
	if claims.AuthorityHints != nil && len(*claims.AuthorityHints) == 0 {
		errs = append(errs, "authority_hints is empty (OpenID Federation §3.1.1)")
	}
	ks := claims.JWKS.Key(h.KeyID)
	if len(ks) != 1 {
		return append(errs, fmt.Sprintf("kid %q is not one key of its jwks", h.KeyID))
	}
	if _, err := jws.Verify(ks[0]); err != nil {
		errs = append(errs, "signature does not verify with its jwks")
	}
	return errs
}
