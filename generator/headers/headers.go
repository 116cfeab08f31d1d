// Package headers makes the one decision of how each published file is
// served: its Content-Type, CORS, nosniff and Cache-Control. Every host format
// (_headers, S3 and GCS object metadata, nginx, Caddy) and the preview server
// copy these headers from the artifacts; none of them decides again.
package headers

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// Media types. The JWKS and client documents are application/json rather
// than application/jwk-set+json: some relying parties reject the latter, and
// every static host already serves .json as application/json, so the header
// survives a host that ignores our configuration.
const (
	JSON = "application/json"
	JWT  = "application/jwt"
	// EntityStatement is OpenID Federation 1.0's entity configuration.
	EntityStatement = "application/entity-statement+jwt"
	// Text is used for signatures and public keys (.sig, .pub, .pem): they are
	// ASCII armour that people read and paste, browsers display text/plain
	// instead of downloading it, and application/x-pem-file is an unregistered
	// name that no client checks for.
	Text = "text/plain; charset=utf-8"
)

// byExt maps file name extensions to media types. A file whose type is not
// here and that the renderer left without a Content-Type is an error, so a
// new kind of output cannot silently be served as whatever a host guesses.
var byExt = map[string]string{
	".json": JSON,
	".jwt":  JWT,
	".sig":  Text,
	".pub":  Text,
	".pem":  Text,
	".txt":  Text,
}

// wellKnown maps the names registered under /.well-known/ that wellknown
// publishes to their media types. These documents have no extension, so no
// host can guess their type: it must be configured.
var wellKnown = map[string]string{
	"openid-configuration":       JSON,
	"oauth-authorization-server": JSON,
	"oauth-protected-resource":   JSON,
	"openid-federation":          EntityStatement,
}

// WellKnownName returns the registered name of a /.well-known/ document
// wellknown publishes at p, in either placement (see artifact.WellKnown), or
// "" when p is not one.
func WellKnownName(p string) string {
	name := artifact.WellKnown(p)
	if _, ok := wellKnown[name]; !ok {
		return ""
	}
	return name
}

// byKind maps the kinds of file a renderer marks (see artifact.Kind) to
// their media types. A kind wins over the path: a JWK Set at an
// extensionless jwks_path has no extension to go by.
var byKind = map[artifact.Kind]string{
	artifact.KeySet: JSON,
}

// TypeOf returns the media type of a, by its kind when the renderer marked
// one, else by its path (see ContentType); "" when neither says.
func TypeOf(a artifact.Artifact) string {
	if ct, ok := byKind[a.Kind]; ok {
		return ct
	}
	return ContentType(a.Path)
}

// ContentType returns the media type of the file at p, or "" when it has
// none of the known kinds.
func ContentType(p string) string {
	if name := WellKnownName(p); name != "" {
		return wellKnown[name]
	}
	return byExt[path.Ext(p)]
}

// Policy is how long caches may keep what is published.
type Policy struct {
	// MaxAge is how long a cache may serve a document that changes on key
	// rotation (metadata, JWKS, client documents) without asking again.
	MaxAge time.Duration
	// StaleWhileRevalidate is how long after MaxAge a cache may still serve
	// the old copy while it fetches the new one. A key must be published at
	// least MaxAge + StaleWhileRevalidate before anything is signed with it.
	StaleWhileRevalidate time.Duration
	// ImmutableMaxAge is the lifetime of content-addressed copies, whose
	// bytes never change under their name.
	ImmutableMaxAge time.Duration
}

// DefaultPolicy keeps rotating documents for 5 minutes plus 10 minutes
// stale, so a new key is seen everywhere within 15 minutes, and immutable
// copies for a year, the longest lifetime RFC 9111 caches are expected to honour.
func DefaultPolicy() Policy {
	return Policy{
		MaxAge:               5 * time.Minute,
		StaleWhileRevalidate: 10 * time.Minute,
		ImmutableMaxAge:      365 * 24 * time.Hour,
	}
}

// Validate reports a policy that caches cannot express or that defeats the
// point of the split between rotating and immutable documents.
func (p Policy) Validate() error {
	switch {
	case p.MaxAge < 0 || p.StaleWhileRevalidate < 0 || p.ImmutableMaxAge < 0:
		return fmt.Errorf("cache durations must not be negative")
	case p.MaxAge%time.Second != 0 || p.StaleWhileRevalidate%time.Second != 0 || p.ImmutableMaxAge%time.Second != 0:
		return fmt.Errorf("cache durations must be whole seconds (Cache-Control counts seconds)")
	case p.ImmutableMaxAge < p.MaxAge:
		return fmt.Errorf("immutable max-age %s is shorter than max-age %s", p.ImmutableMaxAge, p.MaxAge)
	}
	return nil
}

// CacheControl returns the Cache-Control value for a rotating document
// (immutable false) or a content-addressed copy (immutable true).
func (p Policy) CacheControl(immutable bool) string {
	if immutable {
		return fmt.Sprintf("public, max-age=%d, immutable", int64(p.ImmutableMaxAge/time.Second))
	}
	if p.StaleWhileRevalidate == 0 {
		return fmt.Sprintf("public, max-age=%d", int64(p.MaxAge/time.Second))
	}
	return fmt.Sprintf("public, max-age=%d, stale-while-revalidate=%d",
		int64(p.MaxAge/time.Second), int64(p.StaleWhileRevalidate/time.Second))
}

// Apply returns copies of as with every response header set. A Content-Type
// the renderer already chose is kept (it knows best what it made); the other
// headers are decided here for every file, since everything wellknown
// publishes is public metadata meant to be read by browsers too.
func Apply(as []artifact.Artifact, p Policy) ([]artifact.Artifact, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// With as's room to grow: the control files are appended next, and
	// 100,000 artifacts are not to be copied again for them.
	out := make([]artifact.Artifact, len(as), cap(as))
	// Files whose headers come from their path alone share one header
	// set: a registry of 100,000 clients has three files each and a
	// handful of distinct sets. Nothing changes an artifact's headers
	// after this phase.
	shared := map[string]http.Header{}
	for i, a := range as {
		ct := a.Header.Get("Content-Type")
		if ct == "" {
			if ct = TypeOf(a); ct == "" {
				return nil, fmt.Errorf("%s: no content type for %q files", a.Path, path.Ext(a.Path))
			}
		}
		if len(a.Header) == 0 {
			key := ct + "\x00" + strconv.FormatBool(immutable.IsCopy(a.Path))
			h, ok := shared[key]
			if !ok {
				h = http.Header{"Content-Type": {ct}}
				p.set(h, a.Path)
				shared[key] = h
			}
			a.Header = h
		} else {
			a.Header = a.Header.Clone()
			a.Header.Set("Content-Type", ct)
			p.set(a.Header, a.Path)
		}
		out[i] = a
	}
	return out, nil
}

// set adds the headers every file gets.
func (p Policy) set(h http.Header, path string) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", p.CacheControl(immutable.IsCopy(path)))
}

// Preflight holds the headers of the answer to a CORS preflight (OPTIONS)
// for a file that allows CORS. Browsers only preflight requests that carry
// non-simple headers (an Authorization header, say); answering them keeps
// such clients working. Only GET and HEAD are ever allowed: the site is static.
var Preflight = map[string]string{
	"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
	"Access-Control-Allow-Headers": "*",
	"Access-Control-Max-Age":       "86400",
}
