package initsite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/config"
)

// FuzzFromDiscovery: no document or key set makes FromDiscovery panic, and
// whatever site.yaml it returns loads.
func FuzzFromDiscovery(f *testing.F) {
	for _, server := range []string{"keycloak", "dex"} {
		d, err := os.ReadFile(filepath.Join("testdata", server+"-discovery.json"))
		if err != nil {
			f.Fatal(err)
		}
		j, err := os.ReadFile(filepath.Join("testdata", server+"-jwks.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d, j)
	}
	f.Add([]byte(`{"issuer":"https://x.example","jwks_uri":"https://x.example/k?x#y","scopes_supported":[1]}`), []byte(`{"keys":[{"kty":"oct","k":"AA"},{"kty":"EC"}]}`))
	f.Fuzz(func(t *testing.T, doc, jwks []byte) {
		files, _, err := FromDiscovery(Migration{DiscoveryFile: "d.json", Discovery: doc, JWKSFile: "k.json", JWKS: jwks})
		if err != nil {
			return
		}
		if _, d := config.Parse("site.yaml", files[0].Data); d.HasErrors() {
			t.Fatalf("site.yaml does not load: %v\n%s", d.Err(), files[0].Data)
		}
	})
}
