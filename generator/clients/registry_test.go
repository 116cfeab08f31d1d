package clients_test

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/clients"
)

func TestAcrossFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{name: "unsafe slugs", files: map[string]string{"-x.yaml": web, "a.b.yaml": web, "index.yaml": web, "x y.yaml": web}, want: []string{
			`clients/-x.yaml: slug "-x" must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`,
			`clients/a.b.yaml: slug "a.b" must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`,
			`clients/index.yaml: slug "index" is taken by the registry's index`,
			`clients/x y.yaml: slug "x y" must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`}},
		{name: "case-fold collision", files: map[string]string{"App.yaml": web, "app.yaml": web}, want: []string{
			`clients/app.yaml: slug "app" differs from clients/App.yaml only in case; case-insensitive file systems and hosts would mix them up`}},
		{name: "duplicate client_id names both files", files: map[string]string{"a.yaml": web + "client_id: shared\n", "b.yaml": web + "client_id: shared\n"}, want: []string{
			`clients/b.yaml:5:12: client_id "shared" is also the client_id of clients/a.yaml; client identifiers must be unique (RFC 6749 §2.2)`}},
		{name: "explicit client_id equal to another slug", files: map[string]string{"a.yaml": web, "b.yaml": web + "client_id: a\n"}, want: []string{
			`clients/b.yaml:5:12: client_id "a" is also the client_id of clients/a.yaml; client identifiers must be unique (RFC 6749 §2.2)`}},
		{name: "every file's errors at once", files: map[string]string{"a.yaml": web + "client_secret: x\n", "b.yaml": "redirect_uris: [http://x.example/]\n"}, want: []string{
			`clients/a.yaml:5:1: client_secret cannot be published: a published file is public: a secret in it is no secret; confidential clients authenticate with private_key_jwt and a public key (RFC 7591 §3.2.1)`,
			`clients/b.yaml:1:17: redirect URI "http://x.example/" must use https; http is only for a native app's loopback redirect (RFC 8252 §7.3, RFC 6749 §3.1.2.1)`}},
		{name: "not YAML", files: map[string]string{"a.yaml": "redirect_uris: [\n"}, want: []string{
			`clients/a.yaml:2:1: invalid YAML: did not find expected node content`}},
		{name: "not a mapping", files: map[string]string{"a.yaml": "- a\n"}, want: []string{
			`clients/a.yaml:1:1: a client file must be a mapping, not a list`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srcs []clients.Source
			for n, d := range tc.files {
				srcs = append(srcs, clients.Source{Name: n, Data: []byte(d)})
			}
			r, d := clients.New(site(t, ""), srcs)
			got := messages(d)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
			if (r == nil) != d.HasErrors() {
				t.Errorf("registry %v with errors %v", r != nil, d.HasErrors())
			}
		})
	}
}

func TestLanguageTags(t *testing.T) {
	good := []string{"en", "EN-us", "ja-Jpan-JP", "zh-Hant", "sr-Latn-RS", "es-419", "de-CH-1901", "sl-rozaj-biske", "en-a-bbb-x-a-ccc", "x-whatever", "i-klingon", "zh-yue-HK", "hy-Latn-IT-arevela"}
	bad := []string{"", "e", "en-", "en--US", "toolongtag", "en-US-Latn", "en-a", "de-1901-1901", "en-a-bb-a-cc", "en-x", "en_US", "中文"}
	for _, tag := range good {
		data := web + "client_name#" + tag + ": x\n"
		if _, d := clients.New(site(t, ""), []clients.Source{{Name: "c.yaml", Data: []byte(data)}}); d.HasErrors() {
			t.Errorf("%q refused: %v", tag, d.Err())
		}
	}
	for _, tag := range bad {
		data := web + "\"client_name#" + tag + "\": x\n"
		if _, d := clients.New(site(t, ""), []clients.Source{{Name: "c.yaml", Data: []byte(data)}}); !d.HasErrors() {
			t.Errorf("%q accepted", tag)
		}
	}
}
