package keyops

import "github.com/wellknown-dev/wellknown/internal/gitignore"

// PrivateExt is the extension of the private key files keys generate
// writes: the name says what the file holds, and the *.key rule of a site's
// .gitignore (wellknown init writes one) keeps it out of git.
const PrivateExt = ".key"

// privateRule is what keys generate adds to the key directory's .gitignore
// when git would otherwise take a private key.
var privateRule = gitignore.Rule{
	Pattern: "*" + PrivateExt,
	Comment: []string{
		"Private keys (wellknown keys generate) never enter git: the build",
		"publishes the public half beside each, and a checkout without them",
		"publishes the same keys.",
	},
}
