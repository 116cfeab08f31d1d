package generator_test

import (
	"crypto/elliptic"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/sign"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestCloudflareRuleLimit: _headers covers a directory whose files agree
// with one rule, so a registry of any size stays within Cloudflare Pages'
// 100 rules, signed too, and the build does not warn.
func TestCloudflareRuleLimit(t *testing.T) {
	config, _ := testSite(t, "https://login.example.com")
	dir := filepath.Join(filepath.Dir(config), "clients")
	os.MkdirAll(dir, 0o755)
	for i := range 300 {
		body := fmt.Sprintf("client_name: Service %d\ngrant_types: [authorization_code]\nredirect_uris: [https://app%d.example.com/cb]\ntoken_endpoint_auth_method: client_secret_basic\n", i, i)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("svc-%03d.yaml", i)), []byte(body), 0o644)
	}
	key := tk.Write(t, t.TempDir(), "publisher.key", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	signer, err := sign.LoadSigner(key, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	res, err := generator.Build(generator.Options{Config: config, Now: clock, Getenv: func(string) string { return "" }, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	// A fixed number whatever the registry's size: the signatures/
	// directory mixes text/plain and the Sigstore bundles' application/json,
	// so its few top-level files get a rule each.
	if n := hosting.Rules(res.Artifacts); n > 16 {
		t.Errorf("%d files need %d _headers rules", len(res.Artifacts), n)
	}
	for _, w := range res.Warnings {
		if strings.Contains(w.Msg, "Cloudflare") {
			t.Errorf("warned: %s", w.Msg)
		}
	}
}
