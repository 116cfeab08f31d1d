// Package hosting writes each static host's configuration from the headers
// already on the artifacts: _headers for Netlify and Cloudflare Pages, object
// maps and bucket settings for S3 and Google Cloud Storage, nginx and Caddy
// snippets, and what GitHub Pages cannot do. Nothing here decides a header.
//
// Two of these files belong in the served tree, because the host reads them
// from there: _headers and .nojekyll (see Control). The rest are for the
// person deploying and must not be published; the hosting command writes
// them next to the tree, from the tree's _headers (see ReadTree).
package hosting

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/templates"
)

// Names of the control files that live in the served tree.
const (
	HeadersFile  = "_headers"
	NoJekyllFile = ".nojekyll"
)

// file is one artifact as the templates see it.
type file struct {
	Path   string  // relative to the site root: "jwks.json"
	Header []field // sorted by name; shared by files with one header set
	a      *artifact.Artifact
}

// URLPath is where the file is served: "/jwks.json".
func (f file) URLPath() string { return "/" + f.Path }

type field struct{ Name, Value string }

func (f file) get(name string) string {
	for _, h := range f.Header {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// files checks that every artifact can be written into every host format
// and returns them in path order with their headers in name order.
func files(as []artifact.Artifact) ([]file, error) {
	out := make([]file, 0, len(as))
	// Most files share their header set with thousands of others (see
	// headers.Apply): each set is checked and sorted once.
	seen := map[uintptr][]field{}
	for i := range as {
		a := &as[i]
		if err := checkPath(a.Path); err != nil {
			return nil, err
		}
		f := file{Path: a.Path, a: a}
		key := reflect.ValueOf(a.Header).Pointer()
		h, ok := seen[key]
		if !ok || key == 0 {
			var err error
			if h, err = fields(a.Path, a.Header); err != nil {
				return nil, err
			}
			seen[key] = h
		}
		f.Header = h
		out = append(out, f)
	}
	byPath := func(x, y file) int { return strings.Compare(x.Path, y.Path) }
	if !slices.IsSortedFunc(out, byPath) { // a build's list is (see artifact.Sort)
		slices.SortFunc(out, byPath)
	}
	for i := 1; i < len(out); i++ {
		if out[i].Path == out[i-1].Path {
			return nil, fmt.Errorf("%s: published twice", out[i].Path)
		}
	}
	return out, nil
}

// fields checks h and returns it sorted by name.
func fields(p string, h http.Header) ([]field, error) {
	var out []field
	for name, vs := range h {
		if len(vs) != 1 {
			return nil, fmt.Errorf("%s: header %s has %d values; host formats hold one", p, name, len(vs))
		}
		if err := checkValue(vs[0]); err != nil {
			return nil, fmt.Errorf("%s: header %s: %w", p, name, err)
		}
		out = append(out, field{http.CanonicalHeaderKey(name), vs[0]})
	}
	slices.SortFunc(out, func(x, y field) int { return strings.Compare(x.Name, y.Name) })
	if !slices.ContainsFunc(out, func(f field) bool { return f.Name == "Content-Type" && f.Value != "" }) {
		return nil, fmt.Errorf("%s: no Content-Type: run the headers phase first", p)
	}
	return out, nil
}

// checkPath keeps to the characters that need no quoting or escaping in any
// format written here: URL paths, _headers rules (where "*" and ":name"
// are patterns), nginx and Caddy words, and single-quoted shell words.
func checkPath(p string) error {
	if err := artifact.CheckPath(p); err != nil {
		return err
	}
	if p == HeadersFile || p == NoJekyllFile {
		return fmt.Errorf("%s: name is reserved for the host's control file", p)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-~/", c) >= 0) {
			r, _ := utf8.DecodeRuneInString(p[i:])
			return fmt.Errorf("%s: %q cannot be published on every host; use letters, digits and . _ - ~", p, r)
		}
	}
	return nil
}

// checkValue refuses header values that would break out of a line or a
// quoted string in one of the formats.
func checkValue(v string) error {
	if strings.ContainsAny(v, "\r\n\"'\\$`{}") || strings.TrimSpace(v) != v || v == "" {
		return fmt.Errorf("value %q cannot be written into every host format", v)
	}
	return nil
}

// funcs are the template helpers.
var funcs = template.FuncMap{}

func render(name string, data any) ([]byte, error) {
	t, err := templates.Parse(name, funcs)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// Headers returns the _headers file that Netlify and Cloudflare Pages read,
// with as few rules as give every file exactly its headers (see compact).
func Headers(as []artifact.Artifact) ([]byte, error) {
	h, _, err := headersFile(as)
	return h, err
}

// headersFile is Headers, also returning how many rules the file holds.
func headersFile(as []artifact.Artifact) ([]byte, int, error) {
	fs, err := files(as)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", HeadersFile, err)
	}
	type rule struct {
		Pattern string
		Header  []field
	}
	var rules []rule
	for _, r := range compact(fs) {
		var h []field
		for _, name := range slices.Sorted(maps.Keys(r.Header)) {
			h = append(h, field{name, r.Header.Get(name)})
		}
		rules = append(rules, rule{r.Pattern, h})
	}
	b, err := render("headers.tmpl", struct{ Rules []rule }{rules})
	return b, len(rules), err
}

// Control returns as followed by the control files the served tree needs:
// _headers for Netlify and Cloudflare Pages, and an empty .nojekyll, without
// which GitHub Pages runs Jekyll and drops every path that starts with a dot,
// /.well-known/ first. Control files carry no headers: they are not served.
// As ControlRules does, it may reuse as's array.
func Control(as []artifact.Artifact) ([]artifact.Artifact, error) {
	out, _, err := ControlRules(as)
	return out, err
}

// ControlRules is Control, also returning how many rules _headers holds
// (see Rules): a build of 100,000 files need not work them out twice.
// Like append, it reuses as's array when it has room, so use what it
// returns, not as.
func ControlRules(as []artifact.Artifact) ([]artifact.Artifact, int, error) {
	h, n, err := headersFile(as)
	if err != nil {
		return nil, 0, err
	}
	out := append(as,
		artifact.Artifact{Path: HeadersFile, Body: h, Header: http.Header{}},
		artifact.Artifact{Path: NoJekyllFile, Body: []byte{}, Header: http.Header{}},
	)
	artifact.Sort(out)
	return out, n, nil
}

// IsControl reports whether p is one of the control files, which are in the
// tree but never published.
func IsControl(p string) bool { return p == HeadersFile || p == NoJekyllFile }

// Published returns as without the control files: what a host serves.
func Published(as []artifact.Artifact) []artifact.Artifact {
	out := make([]artifact.Artifact, 0, len(as))
	for _, a := range as {
		if !IsControl(a.Path) {
			out = append(out, a)
		}
	}
	return out
}

// CloudflareRules is how many _headers rules Cloudflare Pages applies; it
// ignores the rest. Netlify has no such limit.
const CloudflareRules = 100

// Rules returns how many rules _headers holds for as.
func Rules(as []artifact.Artifact) int {
	fs, err := files(Published(as))
	if err != nil {
		return 0 // Headers reports it
	}
	return len(compact(fs))
}
