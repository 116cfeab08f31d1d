package keyops

import (
	"fmt"
	"io"

	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// Rotation is a rotation Rotate planned, and applied unless it was a dry run.
type Rotation struct {
	*lifecycle.Plan
	Config  string // site.yaml
	DryRun  bool
	several bool // the site has several issuers: say whose setting moves
}

// Write tells people what changed.
func (r *Rotation) Write(w io.Writer) {
	for _, k := range r.Promote {
		fmt.Fprintf(w, "%s (kid %s): next → active\n", lifecycle.Entry(k), k.JWK.KeyID)
	}
	for _, k := range r.Retire {
		fmt.Fprintf(w, "%s (kid %s): active → retired, published until %s\n", lifecycle.Entry(k), k.JWK.KeyID, lifecycle.Stamp(r.Until))
	}
	for _, m := range r.Moves {
		if r.several && m.Issuer != "" {
			fmt.Fprintf(w, "%s of %s: %s\n", m.Setting, m.Issuer, m.To)
		} else {
			fmt.Fprintf(w, "%s: %s\n", m.Setting, m.To)
		}
	}
	if r.DryRun {
		fmt.Fprintf(w, "dry run: %s was not changed\n", r.Config)
		return
	}
	fmt.Fprintf(w, "updated %s; review, commit, build and deploy\n", r.Config)
}

// Rotate promotes the set's next keys and retires the active keys they
// replace (see lifecycle.Set.Rotate), moving signing settings along, and
// writes site.yaml unless dryRun. A refusal comes back as diagnostics, with
// site.yaml unchanged.
func (s *Site) Rotate(dryRun bool) (*Rotation, *diag.List, error) {
	d := s.Load()
	if d.HasErrors() {
		return nil, d, nil
	}
	plan, pd := s.Set.Rotate(s.opts.Now)
	d.Merge(pd)
	if d.HasErrors() {
		return nil, d, nil
	}
	out, err := s.edit(plan.Apply(s.Src))
	if err != nil {
		return nil, d, err
	}
	r := &Rotation{Plan: plan, Config: s.File, DryRun: dryRun, several: len(s.Issuers) > 1}
	if !dryRun {
		if err := publish.File(s.File, out); err != nil {
			return nil, d, err
		}
	}
	return r, d, nil
}
