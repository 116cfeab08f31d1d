// Package probe checks a deployed site against the tree it was built from:
// every published file must answer 200 without a redirect, with the built
// bytes and the declared headers, and every metadata document must name as
// its issuer exactly the URL it was fetched from. Each problem says what
// strict clients do about it.
package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// Origin is sent with every request: some hosts (S3 and GCS CORS,
// CloudFront policies) only add CORS headers when a browser would, that is
// when the request names an origin.
const Origin = "https://wellknown-probe.invalid"

// maxBody bounds what is read of one answer: published files are small,
// and a misconfigured host may answer with something large.
const maxBody = 4 << 20

// Problem is one difference between the live site and the built tree.
type Problem struct {
	URL string
	Msg string // what is wrong, then what strict clients do about it
}

func (p Problem) String() string { return p.URL + ": " + p.Msg }

// Client returns an HTTP client for Check: it never follows a redirect, so
// that a redirect is reported rather than hidden.
func Client(base *http.Client) *http.Client {
	c := *base
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Check fetches every artifact of the built tree below site (the URL of
// the site root) and returns the problems in path order. It makes one GET
// per file and at most four at a time. A nil client uses
// Client(http.DefaultClient).
func Check(ctx context.Context, c *http.Client, site string, as []artifact.Artifact) []Problem {
	if c == nil {
		c = Client(http.DefaultClient)
	}
	base := strings.TrimSuffix(site, "/")
	results := make([][]Problem, len(as))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, a := range as {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = checkOne(ctx, c, base+a.URLPath(), a)
		}()
	}
	wg.Wait()
	var out []Problem
	for _, ps := range results {
		out = append(out, ps...)
	}
	slices.SortStableFunc(out, func(x, y Problem) int { return strings.Compare(x.URL, y.URL) })
	return out
}

func checkOne(ctx context.Context, c *http.Client, u string, a artifact.Artifact) []Problem {
	var ps []Problem
	add := func(format string, args ...any) { ps = append(ps, Problem{u, fmt.Sprintf(format, args...)}) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		add("%v", err)
		return ps
	}
	req.Header.Set("Origin", Origin)
	res, err := c.Do(req)
	if err != nil {
		add("not reachable: %v", err)
		return ps
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		add("reading the answer: %v", err)
		return ps
	}
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		add("answers %d, a redirect to %q: clients must not follow redirects for metadata and client documents, and the issuer would no longer match the URL; serve the file itself", res.StatusCode, res.Header.Get("Location"))
		return ps
	case res.StatusCode != http.StatusOK:
		add("answers %d, want 200: clients cannot discover %s", res.StatusCode, what(a.Path))
		return ps
	}
	if !bytes.Equal(body, a.Body) {
		add("serves other bytes than the build (sha256 %s, built %s): a stale deploy or a cache still holding the old version; %s",
			short(body), short(a.Body), staleEffect(a.Path))
	}
	for _, name := range sortedKeys(a.Header) {
		want, got := a.Header.Get(name), res.Header.Get(name)
		if msg := compare(name, want, got, a.Path); msg != "" {
			add("%s", msg)
		}
	}
	if name := headers.WellKnownName(a.Path); name != "" && bytes.Equal(body, a.Body) {
		if msg := checkIssuer(u, a.Path, name, body); msg != "" {
			add("%s", msg)
		}
	}
	return ps
}

func sortedKeys(h http.Header) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func short(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

func what(p string) string {
	switch {
	case headers.WellKnownName(p) != "":
		return "the authorization server's metadata"
	case strings.HasSuffix(p, "jwks.json"):
		return "the signing keys"
	}
	return "/" + p
}

func staleEffect(p string) string {
	switch {
	case strings.HasSuffix(p, "jwks.json"):
		return "tokens signed with a new key fail verification until caches expire"
	case headers.WellKnownName(p) != "":
		return "clients see old endpoints and keys"
	case immutable.IsCopy(p):
		return "an immutable copy must never change: caches keep the first bytes they saw for a year"
	}
	return "clients see the old document"
}

// compare returns what is wrong with header name, or "".
func compare(name, want, got, p string) string {
	switch name {
	case "Content-Type":
		wt, _, _ := mime.ParseMediaType(want)
		gt, _, err := mime.ParseMediaType(got)
		if got == "" || err != nil || !strings.EqualFold(wt, gt) {
			if got == "" {
				got = "no Content-Type"
			}
			return fmt.Sprintf("served as %s, declared %s: strict clients refuse %s that is not %s, and browsers with nosniff will not read it", got, want, what(p), wt)
		}
	case "Access-Control-Allow-Origin":
		if got != want {
			if got == "" {
				return fmt.Sprintf("no Access-Control-Allow-Origin (declared %q): browser-based clients (single-page apps, MCP clients in a browser) cannot read %s; fetch fails with a CORS error", want, what(p))
			}
			return fmt.Sprintf("Access-Control-Allow-Origin is %q, declared %q: browsers on other origins cannot read %s", got, want, what(p))
		}
	case "Cache-Control":
		if !slices.Equal(directives(got), directives(want)) {
			if immutable.IsCopy(p) {
				return fmt.Sprintf("Cache-Control is %q, declared %q: caches fetch the immutable copy again instead of keeping it", got, want)
			}
			return fmt.Sprintf("Cache-Control is %q, declared %q: caches may keep an old version longer than key rotation allows, or ask the origin on every request", got, want)
		}
	case "X-Content-Type-Options":
		if !strings.EqualFold(got, want) {
			return fmt.Sprintf("X-Content-Type-Options is %q, declared %q: browsers may guess the type of the document instead of trusting Content-Type", got, want)
		}
	default:
		if got != want {
			return fmt.Sprintf("%s is %q, declared %q", name, got, want)
		}
	}
	return ""
}

// directives normalises a Cache-Control value: lowercase, sorted, no
// spaces, so that hosts that reorder or reformat directives still match.
func directives(v string) []string {
	var ds []string
	for _, d := range strings.Split(v, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			ds = append(ds, strings.ReplaceAll(d, " ", ""))
		}
	}
	slices.Sort(ds)
	return ds
}

// checkIssuer compares the issuer (or resource) a metadata document names
// with the identifier its URL implies, byte for byte as RFC 8414 §3.3,
// OIDC Discovery §4.3 and RFC 9728 §3.3 require.
func checkIssuer(fetched, p, name string, body []byte) string {
	field := "issuer"
	if name == "oauth-protected-resource" {
		field = "resource"
	}
	if name == "openid-federation" {
		return "" // a signed JWT; its iss is the signer's to check
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return fmt.Sprintf("not a JSON object (%v): clients cannot read the metadata", err)
	}
	var got string
	if err := json.Unmarshal(doc[field], &got); err != nil || got == "" {
		return fmt.Sprintf("no %q string: clients reject the metadata", field)
	}
	want, err := expectedIssuer(fetched, name)
	if err != nil {
		return err.Error()
	}
	if got != want {
		return fmt.Sprintf("%s is %q but the document was fetched from %s, which makes it %q: clients compare the two byte for byte (a trailing slash counts) and reject the metadata", field, got, fetched, want)
	}
	return ""
}

// expectedIssuer derives the identifier from the URL a document was fetched
// from: "/.well-known/NAME" inserted before the path (RFC 8414 §3.1) or
// appended after it (OIDC Discovery §4).
func expectedIssuer(fetched, name string) (string, error) {
	u, err := url.Parse(fetched)
	if err != nil {
		return "", err
	}
	seg := "/.well-known/" + name
	origin := u.Scheme + "://" + u.Host
	switch {
	case strings.HasPrefix(u.Path, seg):
		return origin + strings.TrimPrefix(u.Path, seg), nil
	case strings.HasSuffix(u.Path, seg):
		return origin + strings.TrimSuffix(u.Path, seg), nil
	}
	return "", fmt.Errorf("cannot tell the issuer from %s", fetched)
}
