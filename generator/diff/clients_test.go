package diff_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diff"
)

// registryTree renders a registry of the named clients (slug: name) at a
// page size of two.
func registryTree(t *testing.T, names ...string) diff.Tree {
	t.Helper()
	site, d := config.Parse("site.yaml", []byte("issuer: https://login.example.com\nmetadata:\n  authorization_endpoint: https://login.example.com/a\n  token_endpoint: https://login.example.com/t\n  response_types_supported: [code]\n  token_endpoint_auth_methods_supported: [none]\n"))
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	var srcs []clients.Source
	for _, n := range names {
		slug, name, _ := strings.Cut(n, ":")
		srcs = append(srcs, clients.Source{Name: slug + ".yaml", Data: []byte(fmt.Sprintf("client_name: %s\nredirect_uris: [https://%s.example.com/cb]\ntoken_endpoint_auth_method: none\n", name, slug))})
	}
	r, d := clients.New(site, srcs)
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	as, err := r.ArtifactsPaged("https://login.example.com", clients.Paging{Clients: 2, Bytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return diff.FromArtifacts(as, nil)
}

// TestClientIndex: diff reads the client index in both forms, reports the
// clients it gains, loses and changes, and leaves the index files out of
// the documents, where every page would show as one changed list.
func TestClientIndex(t *testing.T) {
	single := registryTree(t, "a:A", "b:B")
	paged := registryTree(t, "a:A", "b:B", "c:C", "d:D", "e:E")
	changed := registryTree(t, "a:A", "b:Bee", "d:D", "e:E")

	var text bytes.Buffer
	diff.Trees(single, paged).WriteText(&text)
	for _, want := range []string{"clients:\n  + c  \"C\"  (clients/index.json)\n  + d  \"D\"  (clients/index.json)\n  + e  \"E\"  (clients/index.json)\n", "  + /clients/index/3.json\n", "  ~ /clients/index.json\n", "  + /clients-pages/2.html\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("single → paged: no %q in\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "documents:") {
		t.Errorf("single → paged: the index shows as documents:\n%s", text.String())
	}

	r := diff.Trees(paged, changed)
	text.Reset()
	r.WriteText(&text)
	want := "clients:\n  ~ b  \"Bee\"  changed: client_name  (clients/index.json)\n  - c  \"C\"  (clients/index.json)\n"
	if !strings.HasPrefix(text.String(), want) {
		t.Errorf("paged → paged: got\n%s\nwant it to start with\n%s", text.String(), want)
	}
	if len(r.Documents) != 1 || strings.Join(r.Documents[0].Paths, " ") != "clients/b.json" {
		t.Errorf("documents: %+v", r.Documents)
	}
	if r := diff.Trees(paged, paged); !r.Empty() {
		t.Errorf("a tree against itself: %+v", r)
	}
}
