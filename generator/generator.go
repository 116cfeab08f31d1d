// Package generator runs a site's build as named phases:
//
//	load → keys → lifecycle → clients → render → copies → headers → hosting → sign → sizes
//
// Each phase reports every problem it finds, with its position, and the build
// fails after the last phase that can still run, so a user sees all of a
// run's problems at once. Rendering is pure: the same inputs and clock give
// the same artifacts, byte for byte. Writing them is publish's job.
package generator

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/discovery"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/placement"
	"github.com/wellknown-dev/wellknown/generator/progress"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// Options are the inputs of a build besides the files.
type Options struct {
	Config string // path of site.yaml
	// Now is the build's clock: it decides which retired keys have left the
	// key set. It is an input so that a build can be repeated exactly.
	Now    time.Time
	Getenv func(string) string
	// Signer, when set, signs every published file and a manifest of them
	// (see package sign). The key itself is never published.
	Signer *sign.Signer
	// Sink, when set, takes each client's document, index page and
	// search file (and their signatures) as soon as it is rendered; the
	// Result lists them as stored (see artifact.Store), so a registry of
	// any size is held as little more than paths and digests. The few
	// other files keep their bodies for the sink's owner to write. A build
	// that fails has put an unknown part of its files: the owner throws
	// them away (see publish.Build).
	Sink artifact.Sink
	// Progress, when set, counts each phase's clients and files as the
	// build goes (see package progress).
	Progress *progress.Meter
	// Cache, when set, is the client cache's file (see clients.Cache):
	// a client file with the bytes the last build saw is taken from it,
	// its files kept from the previous tree. Result.Clients.WriteCache
	// writes there what the next one needs, handed to publish.Beside so
	// that it is kept only once the tree is published. It
	// needs a Sink that keeps files (artifact.Keeper), and is ignored
	// without one.
	Cache string
	// Tool identifies this build of wellknown for the cache: a cache
	// made by another is not used.
	Tool string
}

// Result is a successful build.
type Result struct {
	Site *config.Site
	Keys []keys.Key
	// FederationKeys sign the entity configuration and are published in it,
	// never in a JWK Set of the issuers.
	FederationKeys []keys.Key
	Clients        *clients.Registry   // the registered clients; none when the site has no client directory
	Artifacts      []artifact.Artifact // sorted by path
	Warnings       []diag.Diagnostic   // warnings and notes, sorted by position
}

// Build loads the site and renders its artifacts. Input problems come back
// as a *diag.Errors listing all of them.
func Build(o Options) (*Result, error) { return BuildContext(context.Background(), o) }

// BuildContext is Build, stopping between phases with ctx's cause once ctx
// is done. What it has put into o.Sink by then is its owner's to throw
// away (publish.Build does), so stopping leaves nothing behind.
func BuildContext(ctx context.Context, o Options) (*Result, error) {
	var diags diag.List
	// Every return, an error's too, blanks the line before the caller
	// prints what the build found.
	defer o.Progress.End()
	fail := func() (*Result, error) {
		return &Result{Warnings: diags.Warnings()}, diags.Err()
	}

	// load
	site, d := config.Load(o.Config)
	diags.Merge(d)
	if site == nil || len(site.Issuers) == 0 {
		return fail()
	}
	configOK := !d.HasErrors()
	// Every phase below runs even when an earlier one has errors, so that
	// one run reports the problems of site.yaml, the keys, the clients and
	// the metadata rules together; each skips only what depends on input
	// that failed.

	if ctx.Err() != nil {
		return &Result{}, context.Cause(ctx)
	}
	// keys: the shared key directory and each issuer's own
	// Keys named by reference (a token, a KMS, a CI secret) are opened
	// first: they join the key sets the directories make.
	refs := openReferences(site, o, &diags)
	defer refs.Close()
	sets, ks := issuerKeys(site, o, refs, &diags)
	fks := federationKeys(site, o, refs, &diags)

	// clients: they register with the first issuer (the only one of a
	// single-issuer site), whose metadata sets the policy they are checked
	// against.
	primary := site.Issuers[0]
	layout := signingLayout(site.Signing)
	var stream *sign.Stream
	copts := clients.Options{Meter: o.Progress}
	if o.Sink != nil {
		var sink artifact.Sink = o.Sink
		if o.Signer != nil {
			var err error
			if stream, err = o.Signer.Stream(o.Sink, layout); err != nil {
				return &Result{}, fmt.Errorf("sign: %w", err)
			}
			sink = stream
			copts.Workers = o.Signer.InFlight()
		}
		copts.Store = func(doc *artifact.Artifact) error { return artifact.Store(sink, doc) }
		if k, ok := sink.(artifact.Keeper); ok && o.Cache != "" {
			var signer string
			if o.Signer != nil {
				signer = fmt.Sprintf("%s %d", o.Signer.Fingerprint(), layout)
			}
			keep := k.Keep
			if stream == nil {
				// Unsigned, a client put its document alone: a cache
				// that says otherwise is not this build's.
				keep = func(files []artifact.Artifact) (bool, error) {
					if len(files) != 1 {
						return false, nil
					}
					return k.Keep(files)
				}
			}
			copts.Cache = &clients.Cache{Path: o.Cache, Tool: o.Tool, Signer: signer, Keep: keep, Files: stream.Files}
			if rd, ok := o.Sink.(artifact.Reader); ok {
				copts.Cache.Previous = rd.Previous
			}
		}
	}
	reg, d, err := copts.Load(primary)
	if err != nil {
		return &Result{}, fmt.Errorf("clients: %w", err)
	}
	diags.Merge(d)
	if reg != nil && reg.MetadataDocuments() {
		primary.Advertise("client_id_metadata_document_supported", true)
	}

	if ctx.Err() != nil {
		return &Result{}, context.Cause(ctx)
	}
	// lifecycle: is every key's state safe at the build's clock? Only for a
	// key set that loaded, from settings that decoded: a refused date would
	// otherwise read as no date.
	checked := map[*keySet]bool{}
	for _, iss := range site.Issuers {
		if set := sets[iss]; !checked[set] && set.ok && configOK {
			checked[set] = true
			owner := iss
			if iss.SharedKeys {
				owner = site
			}
			diags.Merge(lifecycle.Check(owner, set.keys, o.Now))
		}
	}
	if diags.HasErrors() {
		checkRules(site, sets, &diags)
		return fail()
	}

	if ctx.Err() != nil {
		return &Result{}, context.Cause(ctx)
	}
	// render: every issuer's documents and key set
	as, claims, err := renderIssuers(site, sets, &diags)
	if err != nil {
		return &Result{}, err
	}
	more, moreClaims := renderResources(site, sets, &diags)
	as, claims = append(as, more...), append(claims, moreClaims...)
	more, moreClaims = renderFederation(site, fks, o.Now, &diags)
	as, claims = append(as, more...), append(claims, moreClaims...)
	cas, err := reg.Artifacts(primary.Issuer)
	if err != nil {
		return &Result{}, fmt.Errorf("render: %w", err)
	}
	at := site.Where("clients")
	claims = slices.Grow(claims, len(cas))
	for _, a := range cas {
		claims = append(claims, placement.Claim{Path: a.Path, Owner: "the client registry", Pos: at, What: "a client document"})
	}
	// With room for what the copies and the control files add: a list of
	// 100,000 is then never copied to grow.
	as = append(slices.Grow(as, len(cas)+64), cas...)
	placement.Check(claims, &diags)
	if diags.HasErrors() {
		return fail()
	}

	if ctx.Err() != nil {
		return &Result{}, context.Cause(ctx)
	}
	// copies: content-addressed, so caches may keep them forever
	o.Progress.Start("render", len(as), "files")
	if as, err = immutable.Add(as); err != nil {
		return &Result{}, fmt.Errorf("copies: %w", err)
	}
	// The manifest's version is the build clock, so a rebuild at the same
	// clock (SOURCE_DATE_EPOCH) is byte for byte the same and a later
	// build supersedes it.
	fresh := manifest.At(o.Now, site.Signing.ExpiresAfter)
	var rules int
	if as, rules, err = finish(ctx, as, site.Cache, o.Signer, stream, fresh, layout, o.Progress); err != nil {
		return &Result{}, err
	}
	noteSigningCost(as, o.Signer, site, &diags)
	// sizes: every file within what the hosts serve
	checkSizes(as, reg, &diags)
	if diags.HasErrors() {
		return fail()
	}
	if strings.HasSuffix(strings.ToLower(site.BaseURL.Hostname()), ".github.io") {
		text, err := hosting.GitHubPagesWarning(as)
		if err != nil {
			return &Result{}, fmt.Errorf("hosting: %w", err)
		}
		// The text is written for the hosting command's stderr; as a
		// diagnostic its "warning:" and hint come from the list.
		msg, hint, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(text), "warning: "), "\nhint: ")
		diags.Warnf(site.Where("base_url"), "%s", msg)
		if hint != "" {
			diags.Hint("%s", hint)
		}
	}
	if n := rules; n > hosting.CloudflareRules {
		diags.Warnf(diag.Pos{Path: hosting.HeadersFile}, "_headers has %d rules; Cloudflare Pages applies only the first %d, so files matched only by the rest lose their Content-Type, CORS or cache headers there (Netlify and the other hosts are not affected)",
			n, hosting.CloudflareRules)
		diags.Hint("on Cloudflare Pages, publish through a Worker or R2 with the headers from wellknown hosting --format s3")
	}
	artifact.Sort(as)
	return &Result{Site: site, Keys: ks, FederationKeys: fks, Clients: reg, Artifacts: as, Warnings: diags.Warnings()}, nil
}

// checkRules applies the metadata rules of the render phase to a build that
// will not render, so that a key or client error does not hide them.
func checkRules(site *config.Site, sets map[*config.Site]*keySet, diags *diag.List) {
	for _, iss := range site.Issuers {
		set := sets[iss]
		diags.Merge(discovery.Check(iss, set.keys, set.ok))
		if set.ok {
			metadataSigner(iss, set.keys, diags)
		}
	}
}

// metadataSigner finds the key site.yaml names for signed_metadata.
func metadataSigner(site *config.Site, ks []keys.Key, diags *diag.List) *keys.Key {
	sm := site.SignedMetadata
	if sm == nil {
		return nil
	}
	return signingKey(ks, sm.Key, "signed_metadata.key", site.Where("signed_metadata.key"), site.KeyDir, diags)
}

// finish runs the last phases. Signing comes last, over the final bytes of
// every file, the hosts' control files included; the headers of the
// signature files are decided, and listed in _headers, before they exist,
// since headers depend on paths alone.
// It also returns how many rules _headers holds.
func finish(ctx context.Context, as []artifact.Artifact, policy headers.Policy, signer *sign.Signer, stream *sign.Stream, fresh manifest.Freshness, layout sign.Layout, m *progress.Meter) ([]artifact.Artifact, int, error) {
	var planned map[string]bool
	if signer != nil {
		paths := append(make([]string, 0, len(as)+2), hosting.HeadersFile, hosting.NoJekyllFile)
		for _, a := range as {
			paths = append(paths, a.Path)
		}
		planned = map[string]bool{}
		for _, p := range layout.Paths(paths) {
			planned[p] = true
			a := artifact.Artifact{Path: p}
			if p == sign.ManifestPath {
				a.Header = http.Header{"Content-Type": {sign.ManifestType}}
			}
			as = append(as, a)
		}
	}
	// headers: decided once per file; every host format copies them
	as, err := headers.Apply(as, policy)
	if err != nil {
		return nil, 0, fmt.Errorf("headers: %w", err)
	}
	// hosting: the files hosts read from the tree (_headers, .nojekyll)
	as, rules, err := hosting.ControlRules(as)
	if err != nil {
		return nil, 0, fmt.Errorf("hosting: %w", err)
	}
	if signer == nil {
		return as, rules, nil
	}
	if ctx.Err() != nil {
		return nil, 0, context.Cause(ctx)
	}
	// sign
	files := make([]artifact.Artifact, 0, len(as)-len(planned))
	at := make(map[string]int, len(planned))
	for i, a := range as {
		if planned[a.Path] {
			at[a.Path] = i
		} else {
			files = append(files, a)
		}
	}
	var sigs []artifact.Artifact
	if stream != nil {
		sigs, err = stream.Artifacts(files, fresh, m)
	} else {
		sigs, err = layout.Artifacts(files, signer, fresh)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("sign: %w", err)
	}
	if len(sigs) != len(planned) {
		return nil, 0, fmt.Errorf("sign: made %d files where %d were planned", len(sigs), len(planned))
	}
	for _, sig := range sigs {
		i, ok := at[sig.Path]
		if !ok {
			return nil, 0, fmt.Errorf("sign: %s was not planned", sig.Path)
		}
		header := as[i].Header
		as[i] = sig
		as[i].Header = header
	}
	return as, rules, nil
}
