package initsite

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func migrate(t *testing.T, server string) ([]File, []string) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files, d, err := FromDiscovery(Migration{
		DiscoveryFile: server + "-discovery.json", Discovery: read(server + "-discovery.json"),
		JWKSFile: server + "-jwks.json", JWKS: read(server + "-jwks.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	for _, w := range d.Warnings() {
		warnings = append(warnings, w.String())
	}
	return files, warnings
}

// The published document carries every value of the server's document,
// except those listed: what the build derives and what it cannot carry.
func TestFromDiscoveryKeepsMetadata(t *testing.T) {
	for _, tc := range []struct {
		server string
		// dropped: fields not published, each with a warning;
		// trimmed: signing lists that lose the algorithms no key has.
		// derived: values the site derives (jwks_uri, from where it
		// publishes the keys), each with a warning when it changes.
		dropped []string
		trimmed map[string][]string
		derived map[string]string
	}{
		{
			server:  "keycloak",
			derived: map[string]string{"jwks_uri": "https://sso.example.com/realms/acme/protocol/openid-connect/certs.json"},
			trimmed: map[string][]string{
				"id_token_signing_alg_values_supported":      {"HS256", "HS512", "RS256", "HS384"},
				"userinfo_signing_alg_values_supported":      {"HS256", "HS512", "RS256", "HS384", "none"},
				"authorization_signing_alg_values_supported": {"HS256", "HS512", "RS256", "HS384"},
			},
		},
		{server: "dex", derived: map[string]string{"jwks_uri": "https://dex.example.com/keys.json"}},
	} {
		t.Run(tc.server, func(t *testing.T) {
			files, warnings := migrate(t, tc.server)
			t.Logf("warnings:\n%s", strings.Join(warnings, "\n"))
			dir := t.TempDir()
			write(t, dir, files)
			res := buildClean(t, dir)

			var in, out map[string]json.RawMessage
			src, _ := os.ReadFile(filepath.Join("testdata", tc.server+"-discovery.json"))
			json.Unmarshal(src, &in)
			var doc []byte
			for _, a := range res.Artifacts {
				if strings.HasSuffix(a.Path, ".well-known/openid-configuration") {
					doc = a.Body
				}
			}
			if err := json.Unmarshal(doc, &out); err != nil {
				t.Fatalf("published document: %v", err)
			}
			var missing []string
			for name, v := range in {
				got, ok := out[name]
				switch {
				case !ok:
					missing = append(missing, name)
				case tc.derived[name] != "":
					if want, _ := json.Marshal(tc.derived[name]); !jsonEqual(want, got) {
						t.Errorf("%s = %s, want %s", name, got, want)
					}
				case tc.trimmed[name] != nil:
					var want []string
					json.Unmarshal(got, &want)
					if !reflect.DeepEqual(want, tc.trimmed[name]) {
						t.Errorf("%s = %s, want %q", name, got, tc.trimmed[name])
					}
				case !jsonEqual(v, got):
					t.Errorf("%s = %s, want %s as the server published it", name, got, v)
				}
			}
			for name := range out {
				if _, ok := in[name]; !ok {
					t.Errorf("%s published but not in the server's document", name)
				}
			}
			sort.Strings(missing)
			if !slices.Equal(missing, tc.dropped) {
				t.Errorf("not published: %q, want %q", missing, tc.dropped)
			}
			// Each field not carried and each trimmed list is named in a warning.
			all := strings.Join(warnings, "\n")
			for _, name := range tc.dropped {
				if !strings.Contains(all, name) {
					t.Errorf("no warning names %s", name)
				}
			}
			for name := range tc.derived {
				if !strings.Contains(all, name) {
					t.Errorf("no warning names %s", name)
				}
			}
			for name := range tc.trimmed {
				if !strings.Contains(all, name) {
					t.Errorf("no warning names %s", name)
				}
			}
			// The keys are the server's: same kids, and the certificates kept.
			var jin, jout struct {
				Keys []map[string]any `json:"keys"`
			}
			jb, _ := os.ReadFile(filepath.Join("testdata", tc.server+"-jwks.json"))
			json.Unmarshal(jb, &jin)
			for _, a := range res.Artifacts {
				if a.Path == strings.TrimPrefix(res.Site.JWKSPath, "/") {
					json.Unmarshal(a.Body, &jout)
				}
			}
			if len(jout.Keys) != len(jin.Keys) {
				t.Fatalf("published %d keys, want %d", len(jout.Keys), len(jin.Keys))
			}
			byKid := map[any]map[string]any{}
			for _, k := range jout.Keys {
				byKid[k["kid"]] = k
			}
			for _, k := range jin.Keys {
				got := byKid[k["kid"]]
				for _, m := range []string{"kty", "alg", "use", "n", "e", "x5c", "x5t", "x5t#S256"} {
					if !reflect.DeepEqual(got[m], k[m]) {
						t.Errorf("key %v: %s = %v, want %v", k["kid"], m, got[m], k[m])
					}
				}
			}
		})
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	return reflect.DeepEqual(x, y)
}

// A JWK Set saved by hand may hold what must not be published: a symmetric
// key, private members, a key go-jose cannot read. Each is a warning, and
// only public halves are written.
func TestFromDiscoveryKeys(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := json.Marshal(jose.JSONWebKey{Key: k, KeyID: "a/../b", Algorithm: "RS256", Use: "sig"})
	pub, _ := json.Marshal(jose.JSONWebKey{Key: &k.PublicKey, KeyID: "a/../b", Algorithm: "RS256", Use: "sig"})
	jwks := `{"keys":[` + string(priv) + `,{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},{"kty":"XYZ","kid":"odd"},` + string(pub) + `]}`
	doc := `{"issuer":"https://id.example.com","authorization_endpoint":"https://id.example.com/a","token_endpoint":"https://id.example.com/t",
		"response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"],
		"scopes_supported":[],"claims_parameter_supported":"yes","code_challenge_methods_supported":["S256"],
		"jwks_uri":"https://elsewhere.example.com/keys.json","signed_metadata":"e30.e30.sig"}`
	files, d, err := FromDiscovery(Migration{DiscoveryFile: "d.json", Discovery: []byte(doc), JWKSFile: "k.json", JWKS: []byte(jwks)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range d.Warnings() {
		msgs = append(msgs, w.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`k.json: warning: key 1 (kid "a/../b") holds private members; only its public half is written`,
		`k.json: warning: key 2 (kid "hmac") is not carried: a symmetric key is never published`,
		`k.json: warning: key 3 (kid "odd") is not carried`,
		`d.json: warning: scopes_supported is not carried: the list is empty`,
		`d.json: warning: claims_parameter_supported is not carried: it is not true or false`,
		`d.json: warning: jwks_uri changes from https://elsewhere.example.com/keys.json to https://id.example.com/jwks.json: the old URL is not below`,
		`d.json: warning: signed_metadata is not carried`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in:\n%s", want, all)
		}
	}
	var paths []string
	for _, f := range files {
		if strings.HasPrefix(f.Path, "keys/") {
			paths = append(paths, f.Path)
			if strings.Contains(string(f.Data), `"d"`) {
				t.Errorf("%s holds the private exponent", f.Path)
			}
		}
	}
	// The kid is made a safe file name; the second key with it gets its index.
	if want := []string{"keys/a-..-b.json", "keys/key-4.json"}; !slices.Equal(paths, want) {
		t.Errorf("key files %q, want %q", paths, want)
	}
	site := string(files[0].Data)
	for _, want := range []string{"  # claims_parameter_supported: \"yes\"\n", "  # scopes_supported: []\n"} {
		if !strings.Contains(site, want) {
			t.Errorf("site.yaml lacks %q:\n%s", want, site)
		}
	}
}
