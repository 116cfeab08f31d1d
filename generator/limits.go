package generator

import (
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// checkSizes fails the build on a file that a host it writes for would
// refuse. A client's document is reported at its client file, whose
// content made it that large; the build's own files are paged well below
// the limits (see clients.Paging), so anything else is named by its path.
func checkSizes(as []artifact.Artifact, reg *clients.Registry, diags *diag.List) {
	over := hosting.Oversized(as)
	if len(over) == 0 {
		return
	}
	from := map[string]string{}
	if reg != nil {
		for _, c := range reg.Clients {
			from[c.Path] = c.Shown.Source
		}
	}
	for _, o := range over {
		l := o.Limit
		if file, ok := from[o.Path]; ok {
			diags.Errorf(diag.Pos{Path: file}, "the document %s is %d bytes; %s serves files of at most %d bytes (%s)", o.Path, o.Size, l.Host, l.Bytes, l.Source)
			diags.Hint("publish keys at a jwks_uri instead of inline jwks, and keep long texts out of the document")
			continue
		}
		diags.Errorf(diag.Pos{Path: o.Path}, "the file is %d bytes; %s serves files of at most %d bytes (%s)", o.Size, l.Host, l.Bytes, l.Source)
		if o.Path == sign.ManifestPath {
			manifestHint(as, l.Bytes, diags)
		}
	}
}

// manifestHint points a manifest too large for a host to signing.per_file:
// false when the manifest would then fit. A per-file manifest lists each
// file's signature and bundle beside the file, three lines where a
// manifest-only one has one.
func manifestHint(as []artifact.Artifact, limit int, diags *diag.List) {
	var body []byte
	for _, a := range as {
		if a.Path == sign.ManifestPath {
			body = a.Body
		}
	}
	size, perFile := sign.ManifestOnlySize(body)
	if perFile && size <= limit {
		diags.Hint("set signing.per_file: false in site.yaml: the manifest then lists the published files alone, %d bytes here, and still covers every one of them; what is lost is checking a single file with cosign without the manifest", size)
	}
}
