package clients

import (
	"bytes"
	"fmt"
	"html/template"
	"path"
	"slices"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/templates"
)

// HTML is the media type of the index page. Documents and index.json get
// theirs from the headers phase (.json is application/json).
const HTML = "text/html; charset=utf-8"

// Document returns the client's metadata document: client_id first, then
// the fields in the order of Fields, each language-tagged variant after its
// default. Defaults that decide what a client may do (grant_types,
// response_types, token_endpoint_auth_method) are always written out, so no
// reader has to know RFC 7591's defaults.
func Document(c Client) jsonout.Object {
	f := c.File
	doc := make(jsonout.Object, 0, 16)
	doc.Set("client_id", c.ClientID)
	if !f.IssuedAt.IsZero() {
		doc.Set("client_id_issued_at", f.IssuedAt.Unix())
	}
	if len(f.RedirectURIs) > 0 {
		doc.Set("redirect_uris", f.RedirectURIs)
	}
	doc.Set("token_endpoint_auth_method", f.AuthMethod)
	doc.Set("grant_types", f.GrantTypes)
	doc.Set("response_types", f.ResponseTypes)
	texts := func(name string) {
		for _, t := range sortedTexts(f.Texts[name]) {
			key := name
			if t.Tag != "" {
				key += "#" + t.Tag
			}
			doc.Set(key, t.Value)
		}
	}
	texts("client_name")
	texts("client_uri")
	texts("logo_uri")
	if len(f.Scope) > 0 {
		doc.Set("scope", strings.Join(f.Scope, " "))
	}
	if len(f.Contacts) > 0 {
		doc.Set("contacts", f.Contacts)
	}
	texts("tos_uri")
	texts("policy_uri")
	set := func(name, v string) {
		if v != "" {
			doc.Set(name, v)
		}
	}
	set("jwks_uri", f.JWKSURI)
	if f.JWKS != nil {
		doc.Set("jwks", f.JWKS)
	}
	set("software_id", f.SoftwareID)
	set("software_version", f.SoftwareVer)
	set("software_statement", f.SoftwareStmt)
	set("application_type", f.ApplicationType)
	return doc
}

// sortedTexts puts the untagged value first, then the tagged ones by tag,
// without regard to case: the file's order is not part of the meaning.
func sortedTexts(ts []Text) []Text {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b Text) int {
		return strings.Compare(strings.ToLower(a.Tag), strings.ToLower(b.Tag))
	})
	return out
}

// Name returns the client's default client_name, or its slug.
func (c Client) Name() string { return c.Shown.DisplayName }

// name is the file's default client_name: the untagged one, else the first
// by language tag, else slug.
func (f *File) name(slug string) string {
	if v := f.untagged("client_name"); v != "" {
		return v
	}
	if ts := sortedTexts(f.Texts["client_name"]); len(ts) > 0 {
		return ts[0].Value
	}
	return slug
}

// untagged is the value of field written without a language tag, or "".
func (f *File) untagged(field string) string {
	for _, t := range f.Texts[field] {
		if t.Tag == "" {
			return t.Value
		}
	}
	return ""
}

// IndexEntry is one client in index.json.
type IndexEntry struct {
	Slug       string   `json:"slug"`
	ClientID   string   `json:"client_id"`
	ClientName string   `json:"client_name"`
	Mode       string   `json:"mode"`
	Document   string   `json:"document"`
	AuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes []string `json:"grant_types"`
}

// Index is the document at PATH/index.json.
type Index struct {
	Clients []IndexEntry `json:"clients"`
}

// IndexOf lists the registry's clients, by slug.
func (r *Registry) IndexOf() Index { return Index{Clients: r.indexEntries(0, len(r.Clients))} }

// indexEntries lists the clients from start to end.
func (r *Registry) indexEntries(start, end int) []IndexEntry {
	l := make([]IndexEntry, 0, end-start)
	for i := start; i < end; i++ {
		l = append(l, r.Clients[i].indexEntry())
	}
	return l
}

func (c *Client) indexEntry() IndexEntry {
	return IndexEntry{Slug: c.Slug, ClientID: c.ClientID, ClientName: c.Name(), Mode: string(c.Mode),
		Document: c.URL, AuthMethod: c.Shown.AuthMethod, GrantTypes: c.Shown.GrantTypes}
}

// Artifacts returns every client document, the index and the page for
// people, split into pages as DefaultPaging says (see ArtifactsPaged).
func (r *Registry) Artifacts(issuer string) ([]artifact.Artifact, error) {
	return r.ArtifactsPaged(issuer, DefaultPaging)
}

// ArtifactsPaged returns every client document, index.json and the page for
// people. The page is beside the directory (clients.html), not in it: every
// file in the directory is then a JSON document, which static hosts'
// header rules can cover with one pattern (see hosting.Headers). A registry
// that p allows on one page gets index.json and clients.html listing every
// client; a larger one gets them as pages (see paging.go). A site without a
// client directory publishes none of them.
func (r *Registry) ArtifactsPaged(issuer string, p Paging) ([]artifact.Artifact, error) {
	if r == nil || !r.Present {
		return nil, nil
	}
	out := make([]artifact.Artifact, 0, len(r.Clients)+2)
	for _, c := range r.Clients {
		out = append(out, c.Doc)
	}
	t, err := templates.ParseHTML("clients.html.tmpl", nil)
	if err != nil {
		return nil, fmt.Errorf("clients: page: %w", err)
	}
	more, err := r.single(t, issuer, p)
	if err == nil && more == nil {
		more, err = r.paged(t, issuer, p)
	}
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// IndexPath returns where the index of the clients published at dir goes.
func IndexPath(dir string) string { return path.Join(dir, "index.json") }

// PagePath returns where the page listing the clients published at dir goes.
func PagePath(dir string) string { return dir + ".html" }

// pageClient is what a row of the page shows of a client.
type pageClient struct {
	Slug, Name, URI, ClientID, Mode, AuthMethod, Document string
	Grants, RedirectURIs                                  []string
	Anchor                                                bool // give the row an id, for search results to point at
}

// pageData is what the page template reads.
type pageData struct {
	Issuer    string
	Total     int
	IndexHref string
	Rows      []template.HTML
	Paged     *pagedData // nil on a registry of one page
}

// row renders the page's row for c, linking the document relative to the
// page at from, so that the link works wherever the site root is served
// (a GitHub Pages project site serves it below the host root).
func row(t *template.Template, c *Client, from string, anchor bool) (template.HTML, error) {
	var b bytes.Buffer
	if err := rowTo(&b, t, c, from, anchor); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // html/template escaped every value of it
}

// rowTo renders row's row into b.
func rowTo(b *bytes.Buffer, t *template.Template, c *Client, from string, anchor bool) error {
	pc := pageClient{Slug: c.Slug, Name: c.Name(), URI: c.Shown.ClientURI, ClientID: c.ClientID, Mode: string(c.Mode),
		AuthMethod: c.Shown.AuthMethod, Document: relative(from, c.Path), Grants: c.Shown.GrantTypes, RedirectURIs: c.Shown.RedirectURIs,
		Anchor: anchor}
	if err := t.ExecuteTemplate(b, "row", pc); err != nil {
		return fmt.Errorf("clients: page: %w", err)
	}
	return nil
}

// render executes the page template.
func render(t *template.Template, d pageData) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("clients: page: %w", err)
	}
	return b.Bytes(), nil
}

// relative returns the link from the page at from to the file at to, both
// relative to the site root.
func relative(from, to string) string {
	up := strings.Count(path.Dir(from), "/")
	if path.Dir(from) != "." {
		up++
	}
	return strings.Repeat("../", up) + to
}
