package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCloudflareRuleWarning: a registry large enough to pass Cloudflare
// Pages' 100 _headers rules gets a warning; the example does not.
func TestCloudflareRuleWarning(t *testing.T) {
	warned := func(config string) bool {
		for _, w := range build(t, config).Warnings {
			if strings.Contains(w.Msg, "Cloudflare Pages applies only the first 100") {
				return true
			}
		}
		return false
	}
	if warned("../site.yaml") {
		t.Error("the example site is warned about")
	}
	config, _ := testSite(t, "https://login.example.com")
	dir := filepath.Join(filepath.Dir(config), "clients")
	os.MkdirAll(dir, 0o755)
	for i := range 120 {
		body := fmt.Sprintf("client_name: Service %d\ngrant_types: [authorization_code]\nredirect_uris: [https://app%d.example.com/cb]\ntoken_endpoint_auth_method: client_secret_basic\n", i, i)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("svc-%03d.yaml", i)), []byte(body), 0o644)
	}
	if !warned(config) {
		t.Error("120 clients, and no warning about Cloudflare's rule limit")
	}
}
