package initsite

import (
	"os"
	"testing"
)

// BenchmarkFromDiscovery migrates the Keycloak realm (2 keys with x5c,
// 60 metadata fields), the largest fixture.
func BenchmarkFromDiscovery(b *testing.B) {
	d, _ := os.ReadFile("testdata/keycloak-discovery.json")
	j, _ := os.ReadFile("testdata/keycloak-jwks.json")
	for b.Loop() {
		if _, _, err := FromDiscovery(Migration{DiscoveryFile: "d.json", Discovery: d, JWKSFile: "k.json", JWKS: j}); err != nil {
			b.Fatal(err)
		}
	}
}
