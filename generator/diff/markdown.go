package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/clients"
)

// code puts a value in a code span it cannot break out of (see
// clients.Code): every value comes from the pull request.
var code = clients.Code

// Attention is what a reviewer must look at twice: the endpoints (URL
// members of the metadata under /.well-known/) that change, and every key
// added, removed or changed. A pull request that moves token_endpoint to
// another host or adds a signing key changes who relying parties trust.
func (r *Report) Attention() []string {
	var out []string
	for _, d := range r.Documents {
		if !metadataDoc(d.Paths) {
			continue
		}
		for _, f := range d.Fields {
			if !endpoint(f) {
				continue
			}
			where := code("/" + strings.Join(d.Paths, ", /"))
			switch f.Change {
			case Added:
				out = append(out, fmt.Sprintf("endpoint %s added: %s in %s", code(f.Name), code(str(f.New)), where))
			case Removed:
				out = append(out, fmt.Sprintf("endpoint %s removed (was %s) in %s", code(f.Name), code(str(f.Old)), where))
			default:
				what := "changes"
				if oh, nh := host(f.Old), host(f.New); oh != nh {
					what = "moves to another host"
				}
				out = append(out, fmt.Sprintf("endpoint %s %s: %s → %s in %s", code(f.Name), what, code(str(f.Old)), code(str(f.New)), where))
			}
		}
	}
	for _, k := range r.Keys {
		out = append(out, keyLine(k))
	}
	return out
}

func metadataDoc(paths []string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, ".well-known/") {
			return true
		}
	}
	return false
}

// endpoint reports whether a metadata member names a URL: RFC 8414 and
// OpenID Discovery spell them *_endpoint and *_uri, and the issuer is one.
func endpoint(f FieldChange) bool {
	n := f.Name
	return n == "issuer" || strings.HasSuffix(n, "_endpoint") || strings.HasSuffix(n, "_uri") ||
		host(f.Old) != "" || host(f.New) != ""
}

// host is the host of a JSON string holding an absolute URL, else "".
func host(v json.RawMessage) string {
	u, err := url.Parse(str(v))
	if err != nil || !u.IsAbs() {
		return ""
	}
	return u.Host
}

func keyLine(k KeyChange) string {
	switch k.Change {
	case Added:
		return fmt.Sprintf("key %s added: %s in %s", code(k.Kid), code(k.New.String()), code("/"+k.JWKS))
	case Removed:
		return fmt.Sprintf("key %s removed (was %s) from %s", code(k.Kid), code(k.Old.String()), code("/"+k.JWKS))
	}
	s := fmt.Sprintf("key %s changed: %s", code(k.Kid), code(k.New.describe(false)))
	if k.Old.State != k.New.State {
		s += fmt.Sprintf(", state %s → %s", code(k.Old.State), code(k.New.State))
	}
	if m := without(k.Members, "state"); len(m) > 0 {
		s += ", members " + code(strings.Join(m, ", "))
	}
	return s + " in " + code("/"+k.JWKS)
}

// WriteMarkdown writes the report as the summary of a pull request: what
// needs extra review first, then the whole tree, then the clients (each
// new one with its redirect URIs and authentication method), then the
// warnings of the new side's check. Every value is in a code span, so a
// hostile client_name cannot add links, mentions or HTML to the comment.
func (r *Report) WriteMarkdown(w io.Writer, warnings []string) error {
	var b strings.Builder
	list := func(title string, items []string) { clients.WriteList(&b, "### "+title, items) }
	b.WriteString("## What this pull request publishes\n")
	if att := r.Attention(); len(att) > 0 {
		list("⚠️ For extra review: endpoints and keys", att)
	}
	if r.Empty() {
		b.WriteString("\nNo published file changes.\n")
	}
	var keys, docs, hdrs, files []string
	for _, k := range r.Keys {
		keys = append(keys, keyLine(k))
	}
	for _, d := range r.Documents {
		for _, f := range d.Fields {
			where := code("/" + strings.Join(d.Paths, ", /"))
			switch f.Change {
			case Added:
				docs = append(docs, fmt.Sprintf("%s %s added: %s", where, code(f.Name), code(string(f.New))))
			case Removed:
				docs = append(docs, fmt.Sprintf("%s %s removed (was %s)", where, code(f.Name), code(string(f.Old))))
			default:
				docs = append(docs, fmt.Sprintf("%s %s: %s → %s", where, code(f.Name), code(string(f.Old)), code(string(f.New))))
			}
		}
	}
	for _, h := range r.Headers {
		hdrs = append(hdrs, fmt.Sprintf("%s %s: %s → %s", code("/"+h.Path), code(h.Name), code(h.Old), code(h.New)))
	}
	for _, f := range r.Files {
		files = append(files, fmt.Sprintf("%s %s", f.Change, code("/"+f.Path)))
	}
	list("Keys", keys)
	list("Metadata and documents", docs)
	list("Headers", hdrs)
	list("Files", files)
	var added, other []string
	for _, c := range r.Clients {
		s := fmt.Sprintf("%s %s", code(c.Slug), code(c.Name))
		switch c.Change {
		case Added:
			uris := make([]string, len(c.RedirectURIs))
			for i, u := range c.RedirectURIs {
				uris[i] = code(u)
			}
			if len(uris) == 0 {
				uris = []string{"(none)"}
			}
			added = append(added, fmt.Sprintf("%s: redirect URIs %s; token_endpoint_auth_method %s", s, strings.Join(uris, ", "), code(c.AuthMethod)))
		case Removed:
			other = append(other, "removed "+s)
		default:
			other = append(other, fmt.Sprintf("changed %s: %s", s, code(strings.Join(c.Members, ", "))))
		}
	}
	list("New clients", added)
	list("Changed and removed clients", other)
	ws := make([]string, len(warnings))
	for i, s := range warnings {
		ws[i] = code(s)
	}
	list("Check warnings", ws)
	_, err := io.WriteString(w, b.String())
	return err
}
