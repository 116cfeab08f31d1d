package keyops

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/internal/gitignore"
)

// Added is a key a command added to the set, with its entry in site.yaml.
type Added struct {
	Files  []string // as messages name them, with what each holds
	Config string   // site.yaml
	Entry  string   // the key's entry under keys:
	State  config.State
	Kid    string // the kid the build publishes
	// ActiveFrom is when a next key may become active.
	ActiveFrom time.Time
	// Private is the private key file keys generate wrote, as messages name
	// it, and Ignored how git is kept from committing it; empty and nil for
	// an import, which takes public keys only.
	Private string
	Ignored *gitignore.Kept
}

// Write tells people what was done and what comes next.
func (a *Added) Write(w io.Writer) {
	if ig := a.Ignored; ig != nil && ig.Wrote != "" {
		fmt.Fprintf(w, "wrote %s (%s: keeps private keys out of git)\n", ig.Wrote, privateRule.Pattern)
	}
	for _, f := range a.Files {
		fmt.Fprintf(w, "wrote %s\n", f)
	}
	if ig := a.Ignored; ig != nil {
		if ig.Not {
			fmt.Fprintf(w, "private key in %s, NOT ignored by git: never commit it\n", a.Private)
		} else {
			fmt.Fprintf(w, "private key in %s, ignored by git (%s): copy it to the authorization server's secret store; never commit it\n", a.Private, ig.Rule)
		}
	}
	fmt.Fprintf(w, "added keys.%s to %s: state %s, kid %s\n", a.Entry, a.Config, a.State, a.Kid)
	if a.State == config.Next {
		fmt.Fprintf(w, "next: build and deploy; from %s (the JWKS cache lifetime later) run wellknown keys rotate\n", lifecycle.Stamp(a.ActiveFrom))
	}
}

// checkName refuses an entry name that is not a plain file name.
func checkName(name string) error {
	if name != filepath.Base(name) || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		return usagef("--name %q must be a file name in the key directory", name)
	}
	return nil
}

// entry returns the set's entry named name, if any.
func (s *Site) entry(name string) *config.KeySettings {
	for i, k := range s.Set.Settings {
		if k.File == name {
			return &s.Set.Settings[i]
		}
	}
	return nil
}

// add writes a new key's files and its entry in site.yaml; the first file
// names the entry. haveKeys says whether the set held keys before: a key
// made active beside them is a warning.
func (s *Site) add(files []File, state config.State, kid string, haveKeys bool) (*Added, *diag.List, error) {
	name := files[0].Name
	if err := checkName(name); err != nil {
		return nil, nil, err
	}
	var d diag.List
	if k := s.entry(name); k != nil {
		d.Errorf(k.Pos[""], "keys entry %s already exists", name)
		return nil, &d, errTaken
	}
	out, err := s.edit(s.Set.Add(s.Src, name, state, s.opts.Now))
	if err != nil {
		return nil, nil, err
	}
	wd, err := s.write(files, out)
	if err != nil {
		return nil, wd, err
	}
	now := s.opts.Now.UTC().Truncate(time.Second)
	a := &Added{Config: s.File, Entry: name, State: state, Kid: kid, ActiveFrom: lifecycle.ActiveFrom(s.Set.Site, now)}
	for _, f := range files {
		a.Files = append(a.Files, fmt.Sprintf("%s (%s, mode %04o)", s.path(f.Name), f.What, f.Mode))
	}
	if state == config.Active && haveKeys {
		d.Warnf(diag.Pos{}, "%s is active at once: relying parties that cached the key set reject its tokens for up to %s", name, s.Set.Site.JWKSCacheLifetime())
	}
	return a, &d, nil
}
