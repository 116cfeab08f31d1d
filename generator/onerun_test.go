package generator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/diag"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestEveryProblemInOneRun: a failing phase does not hide the problems of
// the others. Each case lists every error the run must report, in the
// order printed (by file, then position), and nothing else.
func TestEveryProblemInOneRun(t *testing.T) {
	const good = `issuer: https://login.example.com
metadata:
  authorization_endpoint: https://login.example.com/authorize
  token_endpoint: https://login.example.com/token
  response_types_supported: [code]
  subject_types_supported: [public]
  id_token_signing_alg_values_supported: [RS256]
  token_endpoint_auth_methods_supported: [client_secret_basic]
  code_challenge_methods_supported: [S256]
`
	const client = "redirect_uris: [https://app.example.com/cb]\ntoken_endpoint_auth_method: client_secret_basic\n"
	for _, tc := range []struct {
		name    string
		site    string
		clients map[string]string
		keys    map[string][]byte // added to an RSA key, rsa.pem
		want    []string
	}{
		{
			name:    "a client error does not hide a metadata rule",
			site:    strings.Replace(good, "[RS256]", "[ES256]", 1),
			clients: map[string]string{"app.yaml": client + "bogus: 1\n"},
			want: []string{
				"clients/app.yaml:3:1: unknown field \"bogus\"",
				"site.yaml:7:3: id_token_signing_alg_values_supported must include RS256",
				"site.yaml:7:43: id_token_signing_alg_values_supported lists ES256, but no published active or next signing key has alg ES256",
			},
		},
		{
			name:    "metadata: {} reports the rules beside the client errors",
			site:    "issuer: https://login.example.com\nmetadata: {}\n",
			clients: map[string]string{"app.yaml": "redirect_uris: [https://app.example.com/cb]\ntoken_endpoint_auth_method: none\n"},
			want: []string{
				"clients/app.yaml:2:29: token_endpoint_auth_method none is not allowed",
				"site.yaml:2:1: response_types_supported is required (RFC 8414 §2)",
				"site.yaml:2:1: authorization_endpoint is required",
				"site.yaml:2:1: token_endpoint is required",
				"site.yaml:2:1: subject_types_supported is required",
				"site.yaml:2:1: id_token_signing_alg_values_supported is required",
			},
		},
		{
			name: "a key error does not hide a rule; rules that need the keys wait",
			site: strings.Replace(good, "  response_types_supported: [code]\n", "", 1),
			keys: map[string][]byte{"weak.pem": tk.PKCS8(t, weakRSA(t))},
			want: []string{
				"keys/weak.pem: RSA key of 1024 bits is too weak",
				"site.yaml:2:1: response_types_supported is required",
			},
		},
		{
			name: "a refused field is not also missing",
			site: strings.Replace(good, "response_types_supported: [code]", "response_types_supported: code", 1),
			want: []string{
				"site.yaml:5:29: response_types_supported must be a list of strings, not a string",
			},
		},
		{
			name: "a config error does not hide a key error",
			site: "openid: maybe\n" + good,
			keys: map[string][]byte{"notes.pem": []byte("hello")},
			want: []string{
				"keys/notes.pem: not a key file",
				"site.yaml:1:9: openid must be true or false, not a string",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tk.Write(t, filepath.Join(dir, "keys"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 0)))
			for name, data := range tc.keys {
				tk.Write(t, filepath.Join(dir, "keys"), name, data)
			}
			for name, body := range tc.clients {
				tk.Write(t, filepath.Join(dir, "clients"), name, []byte(body))
			}
			cfg := tk.Write(t, dir, "site.yaml", []byte(tc.site))
			wd, _ := os.Getwd()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			defer os.Chdir(wd)
			_, err := buildErr(filepath.Base(cfg))
			var de *diag.Errors
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want input errors", err)
			}
			var got []string
			for _, d := range de.List {
				got = append(got, d.Error())
			}
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("got:\n\t%s\nwant (prefixes):\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
			if !slices.IsSortedFunc(de.List, func(a, b diag.Diagnostic) int { return strings.Compare(a.Path, b.Path) }) {
				t.Error("not sorted by file")
			}
		})
	}
}

func weakRSA(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDirectories: key_dir and clients.dir are read relative to site.yaml,
// or as written when absolute, and a directory that cannot be read is
// reported at the setting that names it.
func TestDirectories(t *testing.T) {
	config, _ := testSite(t, "https://login.example.com")
	site, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	keysDir := filepath.Join(filepath.Dir(config), "keys")
	elsewhere := t.TempDir() // an absolute directory, outside the site's
	clientsDir := filepath.Join(elsewhere, "registry")
	tk.Write(t, clientsDir, "app.yaml", []byte("redirect_uris: [https://app.example.com/cb]\ntoken_endpoint_auth_method: client_secret_basic\n"))

	abs := tk.Write(t, t.TempDir(), "site.yaml", append([]byte("key_dir: "+keysDir+"\nclients: {dir: "+clientsDir+"}\n"), site...))
	res, err := buildErr(abs)
	if err != nil {
		t.Fatalf("absolute key_dir and clients.dir: %v", err)
	}
	if len(res.Keys) != 4 || len(res.Clients.Clients) != 1 {
		t.Errorf("got %d keys and %d clients, want 4 and 1", len(res.Keys), len(res.Clients.Clients))
	}

	missing := filepath.Join(elsewhere, "nope")
	bad := tk.Write(t, t.TempDir(), "site.yaml", append([]byte("key_dir: "+missing+"\nclients:\n  dir: "+missing+"\n"), site...))
	_, err = buildErr(bad)
	var de *diag.Errors
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want input errors", err)
	}
	var got []string
	for _, d := range de.List {
		got = append(got, d.Error())
	}
	want := []string{
		bad + ":1:10: cannot read the key directory " + filepath.ToSlash(missing) + ": no such file or directory",
		bad + ":3:8: cannot read the client directory " + filepath.ToSlash(missing) + ": no such file or directory",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
