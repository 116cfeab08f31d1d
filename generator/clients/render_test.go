package clients_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/clients"
)

func registry(t *testing.T, files map[string]string) *clients.Registry {
	t.Helper()
	var srcs []clients.Source
	for n, d := range files {
		srcs = append(srcs, clients.Source{Name: n, Data: []byte(d)})
	}
	r, d := clients.New(site(t, ""), srcs)
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	return r
}

// TestIndexEscapesHostileNames puts markup in every client string the page
// shows; html/template must print it as text.
func TestIndexEscapesHostileNames(t *testing.T) {
	hostile := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	r := registry(t, map[string]string{
		"evil.yaml": "client_name: '" + hostile + "'\n" +
			"client_uri: 'https://evil.example.com/\"><script>alert(3)</script>'\n" +
			"client_id: '<b>id</b>'\n" +
			"redirect_uris: ['https://evil.example.com/cb?<svg/onload=alert(4)>']\n" +
			"token_endpoint_auth_method: none\n",
		"js.yaml": "client_name: js\nclient_uri: https://js.example.com\nredirect_uris: [https://js.example.com/]\ntoken_endpoint_auth_method: none\n",
	})
	as, err := r.Artifacts("https://login.example.com")
	if err != nil {
		t.Fatal(err)
	}
	var page string
	for _, a := range as {
		if a.Path == "clients.html" {
			page = string(a.Body)
			if ct := a.Header.Get("Content-Type"); ct != clients.HTML {
				t.Errorf("the page Content-Type %q", ct)
			}
		}
	}
	// No markup from a client survives: no tag it wrote, and no quote that
	// would end an attribute.
	for _, bad := range []string{"<script", "<img", "<svg", "<b>", `"><`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;id&lt;/b&gt;", "Content-Security-Policy"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The document itself keeps the name as written: it is JSON, not HTML.
	var doc map[string]any
	for _, a := range as {
		if a.Path == "clients/evil.json" {
			if err := json.Unmarshal(a.Body, &doc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if doc["client_name"] != hostile {
		t.Errorf("client_name in the document is %q", doc["client_name"])
	}
}

func TestMarkdownCodeCannotEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":               "`plain`",
		"a`b":                 "``a`b``",
		"``x":                 "``` ``x ```",
		"line\n# heading":     "`line # heading`",
		"":                    "(none)",
		"[link](http://x/)":   "`[link](http://x/)`",
		"<img src=x>@someone": "`<img src=x>@someone`",
	} {
		if got := clients.Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("old/clients/a.json", `{"client_id":"a","client_name":"A","scope":"openid"}`)
	write("old/clients/gone.json", `{"client_id":"gone","client_name":"Gone"}`)
	write("old/clients/same.json", `{"client_id":"same"}`)
	write("old/jwks.json", `{"keys":[]}`)
	write("new/clients/a.json", `{"client_id":"a","client_name":"A","scope":"openid profile","logo_uri":"https://a.example/l.png"}`)
	write("new/clients/new.json", "{\"client_id\":\"new\",\"client_name\":\"New `x`\"}")
	write("new/clients/same.json", `{"client_id":"same"}`)
	write("new/clients/index.json", `{}`)
	write("new/jwks.json", `{"keys":[{}]}`)
	write("new/extra.txt", `x`)
	d, err := clients.Compare(filepath.Join(dir, "old"), filepath.Join(dir, "new"), "clients")
	if err != nil {
		t.Fatal(err)
	}
	want := "### Published tree\n\n" +
		"Clients: 1 added, 1 changed, 1 removed, 1 unchanged.\n\n" +
		"#### Added clients\n\n- `new` `` New `x` ``: client_id `new`\n\n" +
		"#### Changed clients\n\n- `a` `A`: client_id `a`\n" +
		"  - `logo_uri` added: `\"https://a.example/l.png\"`\n" +
		"  - `scope`: `\"openid\"` → `\"openid profile\"`\n\n" +
		"#### Removed clients\n\n- `gone` `Gone`: client_id `gone`\n\n" +
		"#### Other files added\n\n- `/extra.txt`\n\n" +
		"#### Other files changed\n\n- `/jwks.json`\n"
	if got := string(d.Markdown()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// The first build of a repository compares with nothing.
	if d, err = clients.Compare(filepath.Join(dir, "none"), filepath.Join(dir, "new"), "clients"); err != nil || len(d.Added) != 3 {
		t.Errorf("against a missing tree: %v, %+v", err, d)
	}
}
