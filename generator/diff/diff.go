// Package diff tells what relying parties will see change between two
// published trees: keys added, removed or changed (by kid), fields of the
// metadata and other JSON documents, files, and response headers. It works
// on file maps, so a tree on disk and a build in memory compare alike.
package diff

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// File is one published file.
type File struct {
	Body []byte
	// Header is what the file is served with; nil when the tree does not
	// say (a tree on disk without _headers).
	Header http.Header
}

// Tree is a published site.
type Tree struct {
	Files map[string]File // by path relative to the site root, no leading slash
	// States are the key states by kid, when known: a build from site.yaml
	// knows them, a tree on disk does not (the JWKS does not carry them).
	States map[string]string
}

// Report is every change, each list in a stable order.
type Report struct {
	Files     []FileChange   `json:"files"`
	Keys      []KeyChange    `json:"keys"`
	Clients   []ClientChange `json:"clients,omitempty"`
	Documents []DocChange    `json:"documents"`
	Headers   []HeaderChange `json:"headers"`
}

// Change kinds.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// FileChange is a file added, removed or with other bytes.
type FileChange struct {
	Path   string `json:"path"`
	Change string `json:"change"`
}

// KeyChange is a key of a JWK Set, by kid.
type KeyChange struct {
	JWKS    string   `json:"jwks"` // the path of the set
	Kid     string   `json:"kid"`
	Change  string   `json:"change"`
	Old     *Key     `json:"old,omitempty"`
	New     *Key     `json:"new,omitempty"`
	Members []string `json:"members,omitempty"` // the JWK members that differ
}

// Key describes a published key.
type Key struct {
	Type  string `json:"type"` // "EC P-256", "RSA 2048", "OKP Ed25519"
	Alg   string `json:"alg,omitempty"`
	Use   string `json:"use,omitempty"`
	State string `json:"state,omitempty"`
}

// DocChange is the member changes of JSON documents at one or more paths
// (the same metadata is published at several).
type DocChange struct {
	Paths  []string      `json:"paths"`
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one top-level member of a document.
type FieldChange struct {
	Name   string          `json:"name"`
	Change string          `json:"change"`
	Old    json.RawMessage `json:"old,omitempty"`
	New    json.RawMessage `json:"new,omitempty"`
}

// HeaderChange is one response header of a file in both trees.
type HeaderChange struct {
	Path string `json:"path"`
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Empty reports whether nothing changed.
func (r *Report) Empty() bool {
	return len(r.Files)+len(r.Keys)+len(r.Clients)+len(r.Documents)+len(r.Headers) == 0
}

// Trees compares old with new.
func Trees(old, new Tree) *Report {
	r := &Report{Files: []FileChange{}, Keys: []KeyChange{}, Documents: []DocChange{}, Headers: []HeaderChange{}}
	paths := union(keysOf(old.Files), keysOf(new.Files))
	docs := map[string][]FieldChange{}
	var docOrder []string
	var indexFiles map[string]bool
	r.Clients, indexFiles = clientChanges(old.Files, new.Files)
	for _, p := range paths {
		o, inOld := old.Files[p]
		n, inNew := new.Files[p]
		switch {
		case !inOld:
			r.Files = append(r.Files, FileChange{p, Added})
			continue
		case !inNew:
			r.Files = append(r.Files, FileChange{p, Removed})
			continue
		}
		r.Headers = append(r.Headers, headers(p, o.Header, n.Header)...)
		if bytes.Equal(o.Body, n.Body) {
			continue
		}
		r.Files = append(r.Files, FileChange{p, Changed})
		if indexFiles[p] {
			continue // reported as Clients
		}
		ov, oOK := object(o.Body)
		nv, nOK := object(n.Body)
		if !oOK || !nOK {
			continue
		}
		if isJWKS(ov) && isJWKS(nv) {
			r.Keys = append(r.Keys, keyChanges(p, ov, nv, old.States, new.States)...)
			continue
		}
		if fc := fieldChanges(ov, nv); len(fc) > 0 {
			docs[p] = fc
			docOrder = append(docOrder, p)
		}
	}
	r.Documents = group(docOrder, docs)
	return r
}

// group merges documents whose changes are the same, keeping path order.
func group(order []string, docs map[string][]FieldChange) []DocChange {
	out := []DocChange{}
	index := map[string]int{}
	for _, p := range order {
		b, _ := json.Marshal(docs[p])
		if i, ok := index[string(b)]; ok {
			out[i].Paths = append(out[i].Paths, p)
			continue
		}
		index[string(b)] = len(out)
		out = append(out, DocChange{Paths: []string{p}, Fields: docs[p]})
	}
	return out
}

func headers(p string, o, n http.Header) []HeaderChange {
	if o == nil || n == nil {
		return nil
	}
	var out []HeaderChange
	for _, name := range union(keysOf(o), keysOf(n)) {
		ov, nv := strings.Join(o.Values(name), ", "), strings.Join(n.Values(name), ", ")
		if ov != nv {
			out = append(out, HeaderChange{Path: p, Name: name, Old: ov, New: nv})
		}
	}
	return out
}

// object decodes a JSON object, keeping member values raw.
func object(b []byte) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func isJWKS(m map[string]json.RawMessage) bool {
	var keys []map[string]json.RawMessage
	return json.Unmarshal(m["keys"], &keys) == nil && keys != nil
}

func fieldChanges(o, n map[string]json.RawMessage) []FieldChange {
	var out []FieldChange
	for _, name := range union(keysOf(o), keysOf(n)) {
		ov, inOld := o[name]
		nv, inNew := n[name]
		switch {
		case !inOld:
			out = append(out, FieldChange{Name: name, Change: Added, New: compact(nv)})
		case !inNew:
			out = append(out, FieldChange{Name: name, Change: Removed, Old: compact(ov)})
		case !jsonEqual(ov, nv):
			out = append(out, FieldChange{Name: name, Change: Changed, Old: compact(ov), New: compact(nv)})
		}
	}
	return out
}

func keyChanges(path string, o, n map[string]json.RawMessage, oldStates, newStates map[string]string) []KeyChange {
	ok, nk := jwks(o), jwks(n)
	var out []KeyChange
	for _, kid := range union(keysOf(ok), keysOf(nk)) {
		ov, inOld := ok[kid]
		nv, inNew := nk[kid]
		c := KeyChange{JWKS: path, Kid: kid}
		if inOld {
			c.Old = describe(ov, oldStates[kid])
		}
		if inNew {
			c.New = describe(nv, newStates[kid])
		}
		switch {
		case !inOld:
			c.Change = Added
		case !inNew:
			c.Change = Removed
		default:
			for _, f := range fieldChanges(ov, nv) {
				c.Members = append(c.Members, f.Name)
			}
			if c.Old.State != "" && c.New.State != "" && c.Old.State != c.New.State {
				c.Members = append(c.Members, "state")
			}
			if len(c.Members) == 0 {
				continue // the same key, moved in the set
			}
			c.Change = Changed
		}
		out = append(out, c)
	}
	return out
}

// jwks returns the keys of a set by kid; a key without one is named by its
// place in the set.
func jwks(m map[string]json.RawMessage) map[string]map[string]json.RawMessage {
	var keys []map[string]json.RawMessage
	json.Unmarshal(m["keys"], &keys)
	out := map[string]map[string]json.RawMessage{}
	for i, k := range keys {
		kid := str(k["kid"])
		if kid == "" {
			kid = fmt.Sprintf("(key %d without kid)", i+1)
		}
		out[kid] = k
	}
	return out
}

func describe(k map[string]json.RawMessage, state string) *Key {
	d := &Key{Type: str(k["kty"]), Alg: str(k["alg"]), Use: str(k["use"]), State: state}
	switch d.Type {
	case "EC", "OKP":
		d.Type += " " + str(k["crv"])
	case "RSA":
		if n, err := base64.RawURLEncoding.DecodeString(str(k["n"])); err == nil {
			d.Type += fmt.Sprintf(" %d", new(big.Int).SetBytes(n).BitLen())
		}
	}
	return d
}

func str(v json.RawMessage) string {
	var s string
	json.Unmarshal(v, &s)
	return s
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}

// jsonEqual compares two JSON values by meaning: member order and spacing
// do not change what a relying party reads.
func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	sort.Strings(out)
	return slices.Compact(out)
}
