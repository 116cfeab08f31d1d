package clients_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/clients"
)

// FuzzParse feeds arbitrary client files to the whole client phase. No
// input may panic; an accepted file must render to JSON that states its
// client_id, holds no refused field, and renders the same bytes again.
// Seeds are the example clients and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"../../clients"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(web + "client_name#ja-Jpan-JP: x\njwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo}]}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	s := site(f, "")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, d := clients.New(s, []clients.Source{{Name: "c.yaml", Data: data}})
		if d.HasErrors() {
			if r != nil {
				t.Fatal("a registry despite errors")
			}
			return
		}
		c := r.Clients[0]
		var doc map[string]any
		if err := json.Unmarshal(c.Doc.Body, &doc); err != nil {
			t.Fatalf("document is not JSON: %v\n%s", err, c.Doc.Body)
		}
		if doc["client_id"] != c.ClientID {
			t.Fatalf("client_id %v, want %q", doc["client_id"], c.ClientID)
		}
		for _, refused := range []string{"client_secret", "client_secret_expires_at", "registration_access_token", "registration_client_uri", "mode"} {
			if _, ok := doc[refused]; ok {
				t.Fatalf("document holds %s", refused)
			}
		}
		again, _ := clients.New(s, []clients.Source{{Name: "c.yaml", Data: data}})
		if !bytes.Equal(again.Clients[0].Doc.Body, c.Doc.Body) {
			t.Fatal("rendering is not deterministic")
		}
	})
}

// FuzzCheckSlug holds CheckSlug to the pattern it stands for.
func FuzzCheckSlug(f *testing.F) {
	slug := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	for _, s := range []string{"", "a", "-a", "_a", "a-b_c", "index", "INDEX", "a.b", "../x", "a b", "é", strings.Repeat("a", 64), strings.Repeat("a", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := clients.CheckSlug(s)
		if want := slug.MatchString(s) && !strings.EqualFold(s, "index"); (err == nil) != want {
			t.Fatalf("CheckSlug(%q) = %v, want ok %v", s, err, want)
		}
	})
}
