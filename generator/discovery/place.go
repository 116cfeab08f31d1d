package discovery

import (
	"net/url"
	"strings"
)

// Well-known names (RFC 8615 registrations).
const (
	OAuthName = "oauth-authorization-server" // RFC 8414 §3
	OIDCName  = "openid-configuration"       // OpenID Connect Discovery §4
)

// Location is where a discovery document belongs.
type Location struct {
	Name string // OAuthName or OIDCName: which document
	URL  string // what a client fetches
	Form string // how the URL is made, for messages
	// Path is the file's path below the site root; empty when the URL is
	// not below base_url, so that no static file there can answer it.
	Path string
}

// Inserted returns the RFC 8414 §3.1 URL: the well-known segment goes between
// the host and the issuer's path, after a terminating "/" is removed.
func Inserted(issuer *url.URL, name string) string {
	return origin(issuer) + "/.well-known/" + name + strings.TrimSuffix(issuer.Path, "/")
}

// Appended returns the OpenID Connect Discovery §4 URL: the well-known
// segment goes after the issuer, a terminating "/" removed.
func Appended(issuer *url.URL, name string) string {
	return origin(issuer) + strings.TrimSuffix(issuer.Path, "/") + "/.well-known/" + name
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// SitePath returns the path of target below the site root base, or false
// when base does not contain it.
func SitePath(base *url.URL, target string) (string, bool) {
	t, err := url.Parse(target)
	if err != nil || !strings.EqualFold(t.Scheme, base.Scheme) || !strings.EqualFold(t.Host, base.Host) {
		return "", false
	}
	prefix := strings.TrimSuffix(base.Path, "/") + "/"
	if !strings.HasPrefix(t.Path, prefix) {
		return "", false
	}
	return strings.TrimPrefix(t.Path, prefix), true
}

// Locations returns every place the documents of an issuer are published:
// RFC 8414's inserted form, and with OpenID Connect the appended form that
// Discovery defines plus, for an issuer with a path, the inserted form that
// RFC 8414 §5 allows and MCP clients try.
func Locations(issuer, base *url.URL, openid bool) []Location {
	locs := []Location{{Name: OAuthName, URL: Inserted(issuer, OAuthName), Form: "RFC 8414 §3.1 (path inserted)"}}
	if openid {
		locs = append(locs, Location{Name: OIDCName, URL: Appended(issuer, OIDCName), Form: "OpenID Connect Discovery §4 (path appended)"})
		if strings.TrimSuffix(issuer.Path, "/") != "" {
			locs = append(locs, Location{Name: OIDCName, URL: Inserted(issuer, OIDCName), Form: "RFC 8414 §5 (path inserted)"})
		}
	}
	for i := range locs {
		locs[i].Path, _ = SitePath(base, locs[i].URL)
	}
	return locs
}
