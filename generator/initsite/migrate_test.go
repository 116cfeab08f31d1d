package initsite

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
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
