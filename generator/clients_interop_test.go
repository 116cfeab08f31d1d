package generator_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/serve"
)

// TestMetadataDocumentsFetchedAsAConsumerWould publishes a site with Client
// ID Metadata Documents, serves the tree over TLS with its production
// headers, and fetches each document the way an authorization server does:
// by its client_id URL, without following redirects, then checks status,
// media type, size and that the document names the URL it came from.
func TestMetadataDocumentsFetchedAsAConsumerWould(t *testing.T) {
	dir := t.TempDir()
	// httptest's certificate is for example.com, so the issuer is too.
	site := `issuer: https://example.com
clients: {mode: metadata_document}
metadata:
  authorization_endpoint: https://example.com/authorize
  token_endpoint: https://example.com/token
  response_types_supported: [code]
  subject_types_supported: [public]
  id_token_signing_alg_values_supported: [RS256]
  token_endpoint_auth_methods_supported: [none, private_key_jwt]
  token_endpoint_auth_signing_alg_values_supported: [ES256]
  code_challenge_methods_supported: [S256]
`
	mustWrite(t, filepath.Join(dir, "site.yaml"), site)
	copyDir(t, "../keys", filepath.Join(dir, "keys"))
	mustWrite(t, filepath.Join(dir, "clients", "agent.yaml"), "client_name: Agent\napplication_type: native\nredirect_uris: [http://127.0.0.1/cb]\ntoken_endpoint_auth_method: none\n")
	mustWrite(t, filepath.Join(dir, "clients", "web.yaml"), "client_name: Web\nredirect_uris: [https://web.example.org/cb]\ntoken_endpoint_auth_method: private_key_jwt\njwks_uri: https://web.example.org/jwks.json\n")
	mustWrite(t, filepath.Join(dir, "clients", "legacy.yaml"), "mode: pre_registered\nclient_name: Legacy\nredirect_uris: [https://legacy.example.org/cb]\ntoken_endpoint_auth_method: none\n")
	res, err := generator.Build(generator.Options{Config: filepath.Join(dir, "site.yaml"), Now: clock, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	h, err := serve.New(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()

	// Resolve every host to the test server, as DNS would in production.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	tr.TLSClientConfig.ServerName = ""
	client := &http.Client{
		Transport: tr,
		Timeout:   5 * time.Second,
		// The draft: an authorization server must not follow redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	checked := 0
	for _, c := range res.Clients.Clients {
		if c.Mode != "metadata_document" {
			continue
		}
		checked++
		t.Run(c.Slug, func(t *testing.T) {
			resp, err := client.Get(c.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", c.ClientID, resp.Status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tlsState := resp.TLS; tlsState == nil || tlsState.Version < tls.VersionTLS12 {
				t.Errorf("not fetched over TLS 1.2+")
			}
			body, err := io.ReadAll(io.LimitReader(resp.Body, clients.MaxDocumentSize+1))
			if err != nil {
				t.Fatal(err)
			}
			if len(body) > clients.MaxDocumentSize {
				t.Fatalf("document over %d bytes", clients.MaxDocumentSize)
			}
			var doc struct {
				ClientID   string   `json:"client_id"`
				ClientName string   `json:"client_name"`
				Secret     *string  `json:"client_secret"`
				Redirects  []string `json:"redirect_uris"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if doc.ClientID != c.ClientID { // plain string comparison, as the draft says
				t.Errorf("client_id %q fetched from %q", doc.ClientID, c.ClientID)
			}
			if doc.ClientName == "" || len(doc.Redirects) == 0 || doc.Secret != nil {
				t.Errorf("document lacks what MCP requires or holds a secret: %s", body)
			}
		})
	}
	if checked != 2 {
		t.Fatalf("checked %d documents, want 2", checked)
	}
	// The site says it accepts them.
	resp, err := client.Get("https://example.com/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if meta["client_id_metadata_document_supported"] != true {
		t.Errorf("client_id_metadata_document_supported = %v", meta["client_id_metadata_document_supported"])
	}
}

func mustWrite(t testing.TB, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(dst, e.Name()), string(b))
	}
}
