// Package resource renders OAuth 2.0 Protected Resource Metadata (RFC 9728):
// the document a protected resource, an MCP server for one, publishes so
// that clients find the authorization servers that issue its tokens.
package resource

import (
	"net/url"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/discovery"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// WellKnownName is the RFC 9728 §3 well-known URI suffix.
const WellKnownName = "oauth-protected-resource"

// Location returns the URL of a resource's metadata (RFC 9728 §3.1): the
// well-known segment inserted between the host and the path, after a
// terminating "/" is removed.
func Location(id *url.URL) string {
	return id.Scheme + "://" + id.Host + "/.well-known/" + WellKnownName + strings.TrimSuffix(id.EscapedPath(), "/")
}

// Document returns the metadata object of r: resource first, then every
// field in the order of RFC 9728 §2, a language-tagged variant after its
// plain name.
func Document(r *config.Resource) jsonout.Object {
	doc := jsonout.Object{{Name: "resource", Value: r.ID}}
	for _, f := range config.ResourceFields {
		for _, v := range r.Fields {
			if base, _, _ := strings.Cut(v.Field.Name, "#"); base == f.Name {
				doc.Set(v.Field.Name, v.Value)
			}
		}
	}
	return doc
}

// SignedMetadata returns the RFC 9728 §2.2 signed_metadata JWT of doc: its
// claims are the metadata values with iss, the attesting issuer, first.
func SignedMetadata(iss string, doc jsonout.Object, k keys.Key) (string, error) {
	claims := append(jsonout.Object{{Name: "iss", Value: iss}}, doc...)
	payload, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	return k.SignCompact(payload, "")
}

// Render returns the metadata document of r at its place below base. The
// resource identifier must be one this site can answer for: the fetched
// resource must equal the identifier (RFC 9728 §3.3), so a document cannot
// be published for a resource elsewhere. signer, when not nil, signs
// signed_metadata.
func Render(base *url.URL, r *config.Resource, signer *keys.Key) (artifact.Artifact, *diag.List) {
	var diags diag.List
	at := r.Where("resource")
	id, err := url.Parse(r.ID)
	if err != nil {
		diags.Errorf(at, "resource %q is not a URL", r.ID)
		return artifact.Artifact{}, &diags
	}
	loc := Location(id)
	p, ok := discovery.SitePath(base, loc)
	if !ok {
		diags.Errorf(at, "resource %s cannot be published here: its metadata belongs at %s, outside base_url %s (RFC 9728 §3.1)", r.ID, loc, base)
		diags.Hint("list resources of the host this site is served from, or publish this one from its own host")
		return artifact.Artifact{}, &diags
	}
	doc := Document(r)
	if signer != nil {
		jwt, err := SignedMetadata(r.SignedMetadata.Issuer.Issuer, doc, *signer)
		if err != nil {
			diags.Errorf(r.Where("signed_metadata.key"), "cannot sign metadata with %s: %v", signer.File(), err)
			return artifact.Artifact{}, &diags
		}
		doc.Set("signed_metadata", jwt)
	}
	body, err := jsonout.Marshal(doc)
	if err != nil {
		diags.Errorf(at, "cannot render metadata: %v", err)
		return artifact.Artifact{}, &diags
	}
	return artifact.Artifact{Path: p, Body: body}, &diags
}
