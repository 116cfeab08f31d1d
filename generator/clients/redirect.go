package clients

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// checkRedirect applies RFC 6749 §3.1.2, RFC 7591 §2 and RFC 8252 to one
// redirect URI of a web (native false) or native client. A warning is a URI
// that works but that the specifications advise against.
func checkRedirect(raw string, native bool) (warning string, err error) {
	if strings.Contains(raw, "#") {
		return "", errors.New("must not have a fragment (RFC 6749 §3.1.2)")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return "", errors.New("must be an absolute URI (RFC 6749 §3.1.2)")
	}
	if u.User != nil {
		return "", errors.New("must not hold a user name or password")
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" || u.Hostname() == "" {
			return "", errors.New("must name a host")
		}
		return "", nil
	case "http":
		if !native {
			return "", errors.New("must use https; http is only for a native app's loopback redirect (RFC 8252 §7.3, RFC 6749 §3.1.2.1)")
		}
		switch host := u.Hostname(); {
		case host == "127.0.0.1" || host == "::1" && strings.HasPrefix(u.Host, "["):
			return "", nil
		case strings.EqualFold(host, "localhost"):
			return "localhost is NOT RECOMMENDED for loopback redirects: use http://127.0.0.1 or http://[::1] (RFC 8252 §8.3)", nil
		default:
			return "", errors.New("with http must use the loopback address 127.0.0.1 or [::1], with any port (RFC 8252 §7.3)")
		}
	}
	// A private-use scheme: native apps only, in reverse-domain form, with
	// one slash after the colon (com.example.app:/callback), RFC 8252 §7.1.
	if !native {
		return "", fmt.Errorf("uses the private-use scheme %q, which only native apps may use (RFC 8252 §7.1)", u.Scheme)
	}
	if !reverseDomain(u.Scheme) {
		return "", fmt.Errorf("scheme %q must be a reverse domain name the app's publisher controls, such as com.example.app (RFC 8252 §7.1)", u.Scheme)
	}
	rest := raw[len(u.Scheme)+1:]
	if !strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "//") {
		return "", fmt.Errorf("must have a single slash after the scheme, as in %s:/callback (RFC 8252 §7.1)", u.Scheme)
	}
	return "", nil
}

// reverseDomain reports whether s reads as a domain name written backwards:
// two or more dot-separated labels of letters, digits and hyphens, the first
// starting with a letter (a URI scheme must, RFC 3986 §3.1).
func reverseDomain(s string) bool {
	labels := strings.Split(strings.ToLower(s), ".")
	if len(labels) < 2 || labels[0] == "" || !(labels[0][0] >= 'a' && labels[0][0] <= 'z') {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkHTTPS accepts an absolute https URL with a host and without user
// information or fragment: what RFC 7591 §2 asks of client_uri, logo_uri,
// tos_uri, policy_uri and jwks_uri, and §5 of pages shown to people.
func checkHTTPS(raw string) error {
	if strings.Contains(raw, "#") {
		return errors.New("must not have a fragment")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("must be an absolute https URL, not %q", raw)
	case u.Scheme != "https":
		return fmt.Errorf("must use https, not %q", u.Scheme)
	case u.User != nil:
		return errors.New("must not hold a user name or password")
	}
	return nil
}
