package hosting

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
)

// The nginx and Caddy snippets are written from the same rules as _headers
// (see compact), so a registry of 10,000 clients needs a handful of blocks,
// not one per file, and a new client needs no new server configuration.

// location is one nginx location block: the files it matches get exactly
// its headers. nginx picks one location per request (an exact one, else the
// longest prefix) and add_header in a block replaces what outer blocks add,
// so each block carries every header of every _headers rule that matches
// its files: the directory rules above it and, for an exact block, the
// file's own rule.
type location struct {
	Match       string // "= /jwks.json", "^~ /clients/", "/"
	ContentType string // empty: the block sets none
	Extra       []field
	CORS        bool
}

// caddyRule is a _headers rule as a Caddy matcher and header block; Caddy
// applies every matching header directive, as Netlify and Cloudflare do.
type caddyRule struct {
	Name    string // matcher name: "@r0"
	Pattern string // Caddy path pattern, the same as in _headers
	Header  []field
}

func sortedFields(h http.Header) []field {
	var fs []field
	for _, name := range slices.Sorted(maps.Keys(h)) {
		fs = append(fs, field{name, h.Get(name)})
	}
	return fs
}

// serverRules returns the rules of as, as _headers holds them.
func serverRules(as []artifact.Artifact) ([]Rule, error) {
	fs, err := files(as)
	if err != nil {
		return nil, err
	}
	return compact(fs), nil
}

// locations turns rules into nginx blocks: one per rule, and one for "/"
// even when no rule covers the whole site.
func locations(rules []Rule) []location {
	dirs := []string{"/"}
	for _, r := range rules {
		if d, ok := strings.CutSuffix(r.Pattern, "*"); ok && d != "/" {
			dirs = append(dirs, d)
		}
	}
	// what every directory rule at or above path adds
	inherited := func(path string) http.Header {
		h := http.Header{}
		for _, r := range rules {
			if d, ok := strings.CutSuffix(r.Pattern, "*"); ok && strings.HasPrefix(path, d) {
				maps.Copy(h, r.Header)
			}
		}
		return h
	}
	block := func(match string, h http.Header) location {
		l := location{Match: match, ContentType: h.Get("Content-Type"), CORS: h.Get("Access-Control-Allow-Origin") != ""}
		for _, f := range sortedFields(h) {
			if f.Name != "Content-Type" {
				l.Extra = append(l.Extra, f)
			}
		}
		return l
	}
	var out []location
	for _, d := range dirs {
		m := "^~ " + d
		if d == "/" {
			m = "/"
		}
		out = append(out, block(m, inherited(d)))
	}
	for _, r := range rules {
		if _, ok := r.Exact(); ok {
			h := inherited(r.Pattern)
			maps.Copy(h, r.Header)
			out = append(out, block("= "+r.Pattern, h))
		}
	}
	return out
}

// Nginx writes a snippet to include in a server block: one location per
// _headers rule.
func Nginx(as []artifact.Artifact) ([]File, error) {
	rules, err := serverRules(as)
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	b, err := render("nginx.conf.tmpl", map[string]any{
		"Locations": locations(rules), "Preflight": preflight(), "Control": []string{HeadersFile, NoJekyllFile},
	})
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	return []File{{Name: "nginx/wellknown.conf", Body: b, Mode: 0o644}}, nil
}

// Caddy writes a snippet to import in a site block: one matcher and header
// block per _headers rule.
func Caddy(as []artifact.Artifact) ([]File, error) {
	rules, err := serverRules(as)
	if err != nil {
		return nil, fmt.Errorf("caddy: %w", err)
	}
	var crs []caddyRule
	var cors []string
	for i, r := range rules {
		crs = append(crs, caddyRule{Name: fmt.Sprintf("@r%d", i), Pattern: r.Pattern, Header: sortedFields(r.Header)})
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			cors = append(cors, r.Pattern)
		}
	}
	b, err := render("Caddyfile.tmpl", map[string]any{
		"Rules": crs, "CORSPatterns": cors, "Preflight": preflight(), "Control": []string{HeadersFile, NoJekyllFile},
	})
	if err != nil {
		return nil, fmt.Errorf("caddy: %w", err)
	}
	return []File{{Name: "caddy/wellknown.caddy", Body: b, Mode: 0o644}}, nil
}

func preflight() []field {
	var fs []field
	for _, k := range slices.Sorted(maps.Keys(headers.Preflight)) {
		fs = append(fs, field{k, headers.Preflight[k]})
	}
	return fs
}
