// Package check validates the content of a published tree without its
// inputs: what verify and import can still prove about a tree that arrived
// from elsewhere. Integrity (digests, signatures) is package sign's job; this
// checks that the documents are what relying parties need: metadata with a
// valid issuer, key sets with public keys only, copies that match their names.
package check

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// privateMembers are the JWK members that hold secrets (RFC 7518 §6, §6.4).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Problem is one fault in a file of the tree.
type Problem struct {
	Path string // slash-separated, relative to the site root
	Msg  string
}

func (p Problem) Error() string { return p.Path + ": " + p.Msg }

// Tree checks every file of a published tree, by path.
func Tree(files map[string][]byte) []Problem {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var errs []Problem
	fail := func(p, format string, args ...any) {
		errs = append(errs, Problem{p, fmt.Sprintf(format, args...)})
	}
	for _, p := range paths {
		body := files[p]
		if bytes.Contains(body, []byte("PRIVATE KEY-----")) {
			fail(p, "holds a private key in PEM")
		}
		switch name := headers.WellKnownName(p); {
		case name == "oauth-authorization-server" || name == "openid-configuration":
			for _, e := range metadata(body) {
				fail(p, "%s", e)
			}
		case name == "openid-federation":
			for _, e := range entityConfiguration(body) {
				fail(p, "%s", e)
			}
		case name == "oauth-protected-resource":
			for _, e := range protectedResource(body) {
				fail(p, "%s", e)
			}
		// A tree read back has no kinds: a JWK Set is a .json file, or an
		// extensionless one (jwks_path: /openid/v1/jwks), holding keys.
		case (strings.HasSuffix(p, ".json") || path.Ext(p) == "") && isKeySet(body):
			for _, e := range keySet(body) {
				fail(p, "%s", e)
			}
		}
		if immutable.IsCopy(p) {
			sum := sha256.Sum256(body)
			if !strings.Contains(p, "."+hex.EncodeToString(sum[:])[:16]+".") {
				fail(p, "content does not match the digest in its name")
			}
		}
	}
	if idx, ok := files[immutable.IndexPath]; ok {
		var index immutable.Index
		if err := json.Unmarshal(idx, &index); err != nil {
			fail(immutable.IndexPath, "not a digest index: %v", err)
		}
		for _, e := range index.Documents {
			body, ok := files[e.Path]
			sum := sha256.Sum256(body)
			switch {
			case !ok:
				fail(immutable.IndexPath, "lists %s, which is not in the tree", e.Path)
			case hex.EncodeToString(sum[:]) != e.SHA256:
				fail(e.Path, "SHA-256 differs from %s", immutable.IndexPath)
			}
			if _, ok := files[e.Copy]; !ok {
				fail(immutable.IndexPath, "lists copy %s, which is not in the tree", e.Copy)
			}
		}
	}
	return errs
}

func metadata(body []byte) []string {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	var errs []string
	iss, _ := doc["issuer"].(string)
	if u, err := url.Parse(iss); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Sprintf("issuer %q is not an https URL without query or fragment (RFC 8414 §2)", iss))
	}
	if _, ok := doc["response_types_supported"]; !ok {
		errs = append(errs, "response_types_supported is missing (RFC 8414 §2)")
	}
	if j, ok := doc["jwks_uri"].(string); ok && !strings.HasPrefix(j, "https://") {
		errs = append(errs, fmt.Sprintf("jwks_uri %q is not https (RFC 8414 §2)", j))
	}
	return errs
}

func isKeySet(body []byte) bool {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Keys != nil
}

func keySet(body []byte) []string {
	var raw struct{ Keys []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &raw); err != nil {
		return []string{"not a JWK Set: " + err.Error()}
	}
	var errs []string
	kids := map[string]bool{}
	for i, k := range raw.Keys {
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				errs = append(errs, fmt.Sprintf("key %d holds private member %q", i, m))
			}
		}
		b, _ := json.Marshal(k)
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(b); err != nil {
			errs = append(errs, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		if !jwk.IsPublic() || !jwk.Valid() {
			errs = append(errs, fmt.Sprintf("key %d is not a valid public key", i))
		}
		if kids[jwk.KeyID] {
			errs = append(errs, fmt.Sprintf("kid %q is not unique (RFC 7517 §4.5)", jwk.KeyID))
		}
		kids[jwk.KeyID] = true
	}
	return errs
}
