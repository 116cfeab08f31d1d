package initsite

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// Migration is a running server's published metadata, saved to files.
type Migration struct {
	DiscoveryFile string // as messages name it
	Discovery     []byte // its openid-configuration or oauth-authorization-server document
	JWKSFile      string
	JWKS          []byte // the JWK Set at its jwks_uri
	GitHubPages   bool
	Version       string // as Options.Version
}

// ServerSigning are the metadata fields whose algorithms the server signs
// with: the build requires a published key for each (none and HS* need
// none), so algorithms the JWK Set has no key for are left out.
var ServerSigning = []string{
	"id_token_signing_alg_values_supported",
	"userinfo_signing_alg_values_supported",
	"introspection_signing_alg_values_supported",
	"authorization_signing_alg_values_supported",
}

// FromDiscovery makes a site that publishes what the server publishes: the
// same metadata values, at the same URLs where the site can serve them, and
// the JWK Set's keys as public JWK files (kid, alg, use and x5c kept).
// What it cannot carry is not dropped silently: each such field or key is
// a warning naming it, and a field is kept in site.yaml as a comment.
// Errors are the input's faults: no issuer, not JSON.
func FromDiscovery(m Migration) ([]File, *diag.List, error) {
	var diags diag.List
	at := diag.Pos{Path: m.DiscoveryFile}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(m.Discovery, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: not a discovery document: %w", m.DiscoveryFile, err)
	}
	var issuer string
	if err := json.Unmarshal(doc["issuer"], &issuer); err != nil || issuer == "" {
		return nil, nil, fmt.Errorf("%s: has no issuer (RFC 8414 §2)", m.DiscoveryFile)
	}
	if err := checkIssuer(issuer); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", m.DiscoveryFile, err)
	}
	keyFiles, algs, err := jwksFiles(m, &diags)
	if err != nil {
		return nil, nil, err
	}
	iu, _ := url.Parse(issuer)
	origin := iu.Scheme + "://" + iu.Host
	base := pagesBaseURL(m.GitHubPages, iu)
	root := origin
	if base != "" {
		root = base
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, `# The public metadata of the authorization server %s,
# made by wellknown init from %s and %s.
# Every field is described in the wellknown README ("site.yaml reference").
# The endpoints stay where the server serves them; this site serves only the
# discovery documents and the JWK Set.

issuer: %s
`, issuer, m.DiscoveryFile, m.JWKSFile, yamlScalar(issuer))
	if base != "" {
		fmt.Fprintf(&b, "\n# A GitHub Pages project site lives below the host root.\nbase_url: %s\n", base)
	}
	openid := isOpenID(doc)
	fmt.Fprintf(&b, "\n# Publish /.well-known/openid-configuration as well.\nopenid: %v\n", openid)

	delete(doc, "issuer")
	if raw, ok := doc["jwks_uri"]; ok {
		delete(doc, "jwks_uri")
		var ju string
		_ = json.Unmarshal(raw, &ju)
		p, below := strings.CutPrefix(ju, root+"/")
		below = below && p != "" && !strings.ContainsAny(p, "?#")
		switch {
		case below && path.Ext(p) == ".json":
			fmt.Fprintf(&b, "\n# The JWK Set is published where the server published it, so jwks_uri\n# (derived from this path) is unchanged.\njwks_path: %s\n", yamlScalar("/"+p))
		default:
			// Keycloak's .../certs and dex's /keys have no extension, and a
			// static host (GitHub Pages, S3 without metadata) serves such a
			// file without Content-Type application/json.
			np := "/" + p + ".json"
			why := "static hosts serve a file without the .json extension as something other than application/json"
			if !below {
				np = strings.TrimSuffix(iu.Path, "/") + "/jwks.json"
				why = "the old URL is not below " + root + ", where this site is served"
			}
			fmt.Fprintf(&b, "\n# Where the JWK Set is published; jwks_uri is derived from it. The server\n# published it at %s.\njwks_path: %s\n", ju, yamlScalar(np))
			diags.Warnf(at, "jwks_uri changes from %s to %s%s: %s; relying parties that read jwks_uri from discovery follow, those configured with the old URL keep fetching it from the server", ju, root, np, why)
		}
	}
	fmt.Fprintf(&b, `
# The key directory holds the server's PUBLIC keys, one JWK per file, as
# its JWK Set published them. The private keys stay where the server keeps
# them (its database, an HSM or a KMS); they never enter this repository.
# When the server rotates a key, add the new public key here first
# (wellknown keys import) and deploy, before the server signs with it.
key_dir: keys
`)
	if _, ok := doc["signed_metadata"]; ok {
		delete(doc, "signed_metadata")
		diags.Warnf(at, "signed_metadata is not carried: the build makes its own with signed_metadata.key, which needs the private key in key_dir")
	}

	b.WriteString("\n# Authorization-server metadata, as the server published it.\nmetadata:\n")
	var skipped []string
	for _, f := range metadata.Fields {
		raw, ok := doc[f.Name]
		if !ok {
			continue
		}
		delete(doc, f.Name)
		v, why := toYAML(f, raw)
		if why == "" && slices.Contains(ServerSigning, f.Name) {
			v, why = keepSignable(f.Name, v, algs, &diags, at)
		}
		if why != "" {
			diags.Warnf(at, "%s is not carried: %s; it is kept in site.yaml as a comment", f.Name, why)
			skipped = append(skipped, commented(f.Name, raw))
			continue
		}
		if err := writeField(&b, f.Name, v); err != nil {
			return nil, nil, err
		}
	}
	var unknown []string
	for name := range doc {
		unknown = append(unknown, name)
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		skipped = append(skipped, commented(name, doc[name]))
	}
	if len(unknown) > 0 {
		diags.Warnf(at, "not carried, since wellknown does not publish them: %s; they are kept in site.yaml as comments", strings.Join(unknown, ", "))
	}
	if len(skipped) > 0 {
		b.WriteString("  # Published by the server, not by this site (see the warnings of init):\n")
		for _, s := range skipped {
			b.WriteString(s)
		}
	}

	site := b.Bytes()
	if _, d := config.Parse("site.yaml", site); d.HasErrors() {
		// The values are the server's; say which of them the build refuses.
		return nil, nil, fmt.Errorf("%s: the site made from it does not load: %w", m.DiscoveryFile, d.Err())
	}
	files := []File{{Path: "site.yaml", Data: site, Mode: 0o644, What: "the site configuration, issuer " + issuer}}
	files = append(files, keyFiles...)
	common, err := commonFiles(m.GitHubPages, m.Version)
	if err != nil {
		return nil, nil, err
	}
	return append(files, common...), &diags, nil
}

// isOpenID tells an OpenID Connect provider's document by the fields
// OpenID Connect Discovery requires and RFC 8414 does not.
func isOpenID(doc map[string]json.RawMessage) bool {
	_, sub := doc["subject_types_supported"]
	_, idt := doc["id_token_signing_alg_values_supported"]
	return sub || idt
}

// toYAML converts a JSON value to the YAML node site.yaml holds, checking
// its type; a value of the wrong type gives the reason it is not carried.
func toYAML(f metadata.Field, raw json.RawMessage) (any, string) {
	switch f.Kind {
	case metadata.Bool:
		var v bool
		if json.Unmarshal(raw, &v) != nil {
			return nil, "it is not true or false"
		}
		return v, ""
	case metadata.Strings:
		var v []string
		if json.Unmarshal(raw, &v) != nil {
			return nil, "it is not a list of strings"
		}
		if len(v) == 0 {
			return nil, "the list is empty (RFC 8414 §3.2 omits empty arrays)"
		}
		return v, ""
	case metadata.Endpoints:
		var v map[string]string
		if json.Unmarshal(raw, &v) != nil {
			return nil, "it is not an object of URLs"
		}
		return v, ""
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return nil, "it is not a string"
	}
	return v, ""
}

// keepSignable leaves out of a server-signing list the algorithms no key of
// the JWK Set has: a relying party that asked for one would get tokens it
// cannot verify, and the build refuses to advertise them.
func keepSignable(name string, v any, algs map[string]bool, diags *diag.List, at diag.Pos) (any, string) {
	var kept, dropped []string
	for _, a := range v.([]string) {
		if a == "none" || strings.HasPrefix(a, "HS") || algs[a] {
			kept = append(kept, a)
		} else {
			dropped = append(dropped, a)
		}
	}
	if len(kept) == 0 {
		return nil, "the JWK Set has no key for any of its algorithms"
	}
	if len(dropped) > 0 {
		diags.Warnf(at, "%s: left out %s, for which the JWK Set has no signing key", name, strings.Join(dropped, ", "))
		diags.Hint("add the server's key for each (wellknown keys import) and list them again")
	}
	return kept, ""
}

func writeField(b *bytes.Buffer, name string, v any) error {
	var n yaml.Node
	if err := n.Encode(map[string]any{name: v}); err != nil {
		return err
	}
	for _, c := range n.Content {
		if c.Kind == yaml.SequenceNode {
			c.Style = yaml.FlowStyle
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(out.String(), "\n"), "\n") {
		b.WriteString("  " + line)
	}
	b.WriteString("\n")
	return nil
}

// commented keeps a field in site.yaml as a comment: its JSON is YAML, so
// uncommenting it is all a user who knows better has to do.
func commented(name string, raw json.RawMessage) string {
	var c bytes.Buffer
	if json.Compact(&c, raw) != nil {
		c.Reset()
		c.WriteString("...")
	}
	return fmt.Sprintf("  # %s: %s\n", name, c.String())
}

func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return s
	}
	return strings.TrimSuffix(string(out), "\n")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// jwksFiles turns the JWK Set into one public JWK file per key, named by
// its kid, and returns the algorithms its signing keys have.
func jwksFiles(m Migration, diags *diag.List) ([]File, map[string]bool, error) {
	at := diag.Pos{Path: m.JWKSFile}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(m.JWKS, &set); err != nil || set.Keys == nil {
		return nil, nil, fmt.Errorf("%s: not a JWK Set (RFC 7517 §5): want an object with keys", m.JWKSFile)
	}
	algs := map[string]bool{}
	names := map[string]bool{}
	var files []File
	for i, raw := range set.Keys {
		var probe struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
		}
		_ = json.Unmarshal(raw, &probe)
		label := fmt.Sprintf("key %d", i+1)
		if probe.Kid != "" {
			label += fmt.Sprintf(" (kid %q)", probe.Kid)
		}
		if probe.Kty == "oct" {
			diags.Warnf(at, "%s is not carried: a symmetric key is never published", label)
			continue
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			diags.Warnf(at, "%s is not carried: %v", label, err)
			continue
		}
		if !k.IsPublic() {
			// A JWK Set saved from a jwks_uri is public; this one is not, and
			// only its public half may enter the repository.
			diags.Warnf(at, "%s holds private members; only its public half is written", label)
			k = k.Public()
		}
		data, err := json.MarshalIndent(k, "", "  ")
		if err != nil {
			diags.Warnf(at, "%s is not carried: %v", label, err)
			continue
		}
		if k.Use != "enc" {
			alg := k.Algorithm
			if alg == "" {
				alg = defaultAlg(k.Key)
			}
			algs[alg] = true
		}
		name := strings.Trim(unsafeName.ReplaceAllString(k.KeyID, "-"), ".-")
		if len(name) > 64 {
			name = name[:64]
		}
		if name == "" || names[name] {
			name = fmt.Sprintf("key-%d", i+1)
		}
		names[name] = true
		what := keys.Desc(k.Key) + " public JWK"
		if k.KeyID != "" {
			what += ", kid " + k.KeyID
		}
		if len(k.Certificates) > 0 {
			what += ", with its certificate (x5c)"
		}
		files = append(files, File{Path: "keys/" + name + ".json", Data: append(data, '\n'), Mode: 0o644, What: what})
	}
	if len(files) == 0 {
		return nil, nil, errors.New(m.JWKSFile + ": no key to publish")
	}
	return files, algs, nil
}

// defaultAlg is the alg the build gives a signing key that names none.
func defaultAlg(pub any) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return map[int]string{256: "ES256", 384: "ES384", 521: "ES512"}[k.Curve.Params().BitSize]
	case ed25519.PublicKey:
		return "EdDSA"
	}
	return "RS256"
}
