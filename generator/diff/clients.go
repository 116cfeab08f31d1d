package diff

import (
	"encoding/json"
	"path"
	"regexp"
	"strings"
)

// ClientChange is a client of a registry's index (clients/index.json),
// added, removed or with other entry members. The index is read in either
// form: the single file listing every client, or index.json listing its
// pages, clients/index/N.json. Its files are then left out of Documents,
// which would otherwise show the whole list, or every page of it, as one
// changed member.
type ClientChange struct {
	Index   string   `json:"index"` // the path of index.json
	Slug    string   `json:"slug"`
	Name    string   `json:"client_name,omitempty"`
	Change  string   `json:"change"`
	Members []string `json:"members,omitempty"` // the entry members that differ
	// An added client's redirect URIs, from its document, and how it
	// authenticates at the token endpoint: what a reviewer of a new
	// registration checks first.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	AuthMethod   string   `json:"token_endpoint_auth_method,omitempty"`
}

// clientIndex is the index of one registry in a tree.
type clientIndex struct {
	entries map[string]map[string]json.RawMessage // by slug
	files   []string                              // index.json, its pages and search files
}

var (
	pageFile   = regexp.MustCompile(`^[0-9]+\.json$`)
	searchFile = regexp.MustCompile(`^search-[0-9]+\.json$`)
)

// clientIndexes finds the registries' indexes of a tree, by the path of
// index.json. A file called index.json that is not a registry's index is
// an ordinary document.
func clientIndexes(files map[string]File) map[string]*clientIndex {
	out := map[string]*clientIndex{}
	for p, f := range files {
		if path.Base(p) != "index.json" {
			continue
		}
		m, ok := object(f.Body)
		if !ok {
			continue
		}
		idx := &clientIndex{entries: map[string]map[string]json.RawMessage{}, files: []string{p}}
		switch {
		case m["clients"] != nil:
			if !idx.add(m["clients"]) {
				continue
			}
		case m["pages"] != nil && m["total"] != nil:
			dir := strings.TrimSuffix(p, ".json") + "/"
			ok := true
			for q, g := range files {
				rest, in := strings.CutPrefix(q, dir)
				switch {
				case !in || strings.Contains(rest, "/"):
				case pageFile.MatchString(rest):
					pm, isObj := object(g.Body)
					ok = ok && isObj && idx.add(pm["clients"])
					idx.files = append(idx.files, q)
				case searchFile.MatchString(rest):
					idx.files = append(idx.files, q)
				}
			}
			if !ok {
				continue
			}
		default:
			continue
		}
		out[p] = idx
	}
	return out
}

// add reads a list of index entries; false when it is not one.
func (idx *clientIndex) add(raw json.RawMessage) bool {
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) != nil || list == nil {
		return false
	}
	for _, e := range list {
		slug := str(e["slug"])
		if slug == "" || e["document"] == nil {
			return false
		}
		idx.entries[slug] = e
	}
	return true
}

// clientChanges compares the registries of two trees and returns the files
// of their indexes, which Documents leaves out.
func clientChanges(old, new map[string]File) ([]ClientChange, map[string]bool) {
	oi, ni := clientIndexes(old), clientIndexes(new)
	skip := map[string]bool{}
	var out []ClientChange
	for _, p := range union(keysOf(oi), keysOf(ni)) {
		o, n := oi[p], ni[p]
		if o == nil {
			o = &clientIndex{}
		}
		if n == nil {
			n = &clientIndex{}
		}
		for _, f := range append(o.files, n.files...) {
			skip[f] = true
		}
		for _, slug := range union(keysOf(o.entries), keysOf(n.entries)) {
			oe, inOld := o.entries[slug]
			ne, inNew := n.entries[slug]
			c := ClientChange{Index: p, Slug: slug}
			switch {
			case !inOld:
				c.Change, c.Name = Added, str(ne["client_name"])
				c.AuthMethod = str(ne["token_endpoint_auth_method"])
				c.RedirectURIs = redirectURIs(new, p, ne)
			case !inNew:
				c.Change, c.Name = Removed, str(oe["client_name"])
			default:
				for _, f := range fieldChanges(oe, ne) {
					c.Members = append(c.Members, f.Name)
				}
				if len(c.Members) == 0 {
					continue
				}
				c.Change, c.Name = Changed, str(ne["client_name"])
			}
			out = append(out, c)
		}
	}
	return out, skip
}

// redirectURIs reads an index entry's client document, which sits beside
// index.json under the last segment of its document URL.
func redirectURIs(files map[string]File, index string, e map[string]json.RawMessage) []string {
	u := str(e["document"])
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		u = u[i+1:]
	}
	doc, ok := object(files[path.Join(path.Dir(index), u)].Body)
	if !ok {
		return nil
	}
	var uris []string
	json.Unmarshal(doc["redirect_uris"], &uris)
	return uris
}
