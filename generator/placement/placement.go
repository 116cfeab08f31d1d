// Package placement finds documents of a site that a static file tree cannot
// hold together: two at one path, or a file at a path that another document
// needs as a directory. The second happens between issuers: issuer
// https://h publishes the file /.well-known/oauth-authorization-server, and
// issuer https://h/t needs /.well-known/oauth-authorization-server/t below it.
package placement

import (
	"strings"

	"github.com/wellknown-dev/wellknown/generator/diag"
)

// Claim is a document that one part of the site (an issuer, a resource, the
// federation entity) publishes at Path.
type Claim struct {
	Path  string   // relative to the site root
	Owner string   // who publishes it, for messages: "issuer https://h"
	Pos   diag.Pos // where the owner is declared
	What  string   // what the document is, for messages: "its JWK Set"
}

// Check reports every conflict among claims, at the position of the later
// claim, naming the earlier one with its position. Claims of one owner at
// one path are one document (a shared key set claimed by each issuer).
func Check(claims []Claim, diags *diag.List) {
	// By index: a registry claims 100,000 paths.
	byPath := make(map[string]int, len(claims))
	for i, c := range claims {
		j, dup := byPath[c.Path]
		prev := claims[j]
		switch {
		case !dup:
			byPath[c.Path] = i
		case prev.Owner != c.Owner:
			diags.Errorf(c.Pos, "%s and %s (%s) both publish /%s", c.Owner, prev.Owner, prev.Pos, c.Path)
			diags.Hint("give one of them another path; a static file tree holds one document per path")
		case prev.What != c.What:
			diags.Errorf(c.Pos, "%s publishes %s and %s both at /%s", c.Owner, prev.What, c.What, c.Path)
		}
	}
	reported := map[[2]string]bool{}
	for _, c := range claims {
		for dir := c.Path; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			j, ok := byPath[dir]
			if !ok || reported[[2]string{dir, c.Owner}] {
				continue
			}
			file := claims[j]
			reported[[2]string{dir, c.Owner}] = true
			if file.Owner == c.Owner {
				diags.Errorf(file.Pos, "%s publishes %s at /%s and needs it as a directory for /%s", c.Owner, file.What, dir, c.Path)
				continue
			}
			diags.Errorf(c.Pos, "%s needs /%s as a directory for /%s, but %s (%s) publishes a file there",
				c.Owner, dir, c.Path, file.Owner, file.Pos)
			diags.Hint("a static file tree cannot hold both: publish one of them from another host, or under another path")
		}
	}
}
