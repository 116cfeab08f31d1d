package hosting

import (
	"fmt"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// FileLimit is the largest file one host serves.
type FileLimit struct {
	Host  string
	Bytes int
	// Source says where the host documents the limit.
	Source string
}

// FileLimits are the per-file limits of the hosts the tree is written for
// (it carries _headers for Netlify and Cloudflare Pages and .nojekyll for
// GitHub Pages), smallest first. S3, Google Cloud Storage, Netlify, nginx
// and Caddy take files far larger than any of these.
var FileLimits = []FileLimit{
	{Host: "Cloudflare Pages", Bytes: 25 << 20, Source: "developers.cloudflare.com/pages/platform/limits/#file-size"},
	// A GitHub Pages site is published from a repository, which refuses
	// files over 100 MiB.
	{Host: "GitHub Pages", Bytes: 100 << 20, Source: "docs.github.com/en/repositories/working-with-files/managing-large-files/about-large-files-on-github"},
}

// Oversize is a file larger than a host serves.
type Oversize struct {
	Path  string
	Size  int
	Limit FileLimit // the smallest limit it exceeds
}

func (o Oversize) Error() string {
	return fmt.Sprintf("%s is %d bytes; %s serves files of at most %s (%d bytes)", o.Path, o.Size, o.Limit.Host, mib(o.Limit.Bytes), o.Limit.Bytes)
}

func mib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Oversized returns the artifacts that some host would refuse, in the
// order of as.
func Oversized(as []artifact.Artifact) []Oversize {
	var out []Oversize
	for _, a := range as {
		for _, l := range FileLimits {
			if a.Len() > l.Bytes {
				out = append(out, Oversize{Path: a.Path, Size: a.Len(), Limit: l})
				break
			}
		}
	}
	return out
}
