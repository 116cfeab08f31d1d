package lifecycle_test

import (
	"crypto/elliptic"
	"path/filepath"
	"strings"
	"testing"

	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestRotateMetadataKeyNeedsPrivateKey: rotate moves signed_metadata.key to
// the successor of the key that signed, and refuses when that successor is
// public only, since the next build could not sign with it.
func TestRotateMetadataKeyNeedsPrivateKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		next []byte // the next key's file
		want string // the error, or "" for signed_metadata.key: new.pem
	}{
		{"private", tk.PKCS8(t, tk.EC(t, elliptic.P256())), ""},
		{"public only", tk.PKIX(t, tk.EC(t, elliptic.P256())), "site.yaml:9:8: signed_metadata.key old.pem retires, and its successor new.pem holds only a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			s.write("site.yaml", `issuer: https://login.example.com
keys:
  old.pem:
    state: active
  new.pem:
    state: next
    published_since: 2027-03-01T09:00:00Z
signed_metadata:
  key: old.pem
metadata:
  authorization_endpoint: https://login.example.com/authorize
  token_endpoint: https://login.example.com/token
  response_types_supported: [code]
  subject_types_supported: [public]
  id_token_signing_alg_values_supported: [RS256, ES256]
`)
			tk.Write(t, filepath.Join(s.dir, "keys"), "new.pem", tc.next)
			st, ks := s.load(t0)
			plan, d := rotate(st, ks, t0.Add(st.JWKSCacheLifetime()))
			if tc.want == "" {
				if d.HasErrors() || len(plan.Moves) != 1 || plan.Moves[0].To != "new.pem" {
					t.Fatalf("plan %+v, %v", plan, d.Err())
				}
				return
			}
			if !d.HasErrors() || plan != nil || !strings.Contains(d.Err().Error(), tc.want) {
				t.Fatalf("want %q, got plan %+v, %v", tc.want, plan, d.Err())
			}
		})
	}
}
