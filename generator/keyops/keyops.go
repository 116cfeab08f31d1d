// Package keyops is what the keys commands do to a site: generate a key,
// import a public key or certificate, rotate, and list. Each acts on one
// key set (the shared key_dir, an issuer's own, or the federation's) and
// changes site.yaml only through edits that keep its comments and layout.
// A step that fails leaves the key directory and site.yaml as they were.
package keyops

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// Options say which site a command reads and when it acts.
type Options struct {
	Config string // the path of site.yaml, as messages name it
	// Set chooses the key set: an issuer's identifier, lifecycle.Federation,
	// or "" for the shared key_dir (for List: every set).
	Set      string
	Now      time.Time
	Password func() ([]byte, bool) // of encrypted private keys
}

// UsageError is a choice on the command line that the site cannot meet,
// such as a key set it does not have.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Site is site.yaml opened for a keys command, with its key set chosen.
type Site struct {
	*config.Site
	Src  []byte         // the text of site.yaml, which edits change
	Set  *lifecycle.Set // the key set the command acts on; its keys are not read yet
	opts Options
}

// Open reads site.yaml and chooses the key set o.Set names. Problems of
// site.yaml come back as diagnostics; a set the site does not have is a
// *UsageError.
func Open(o Options) (*Site, *diag.List, error) {
	st, src, sets, d, err := open(o, false)
	if st == nil {
		return nil, d, err
	}
	return &Site{Site: st, Src: src, Set: &sets[0], opts: o}, d, nil
}

// open reads and parses site.yaml and chooses its sets (see Choose); the
// site is nil when that fails.
func open(o Options, all bool) (*config.Site, []byte, []lifecycle.Set, *diag.List, error) {
	src, err := os.ReadFile(o.Config)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: cannot read configuration: %w", o.Config, diag.Cause(err))
	}
	st, d := config.Parse(o.Config, src)
	if d.HasErrors() {
		return nil, nil, nil, d, nil
	}
	sets, err := Choose(st, lifecycle.Sets(st), o.Set, all)
	if err != nil {
		return nil, nil, nil, d, err
	}
	return st, src, sets, d, nil
}

// Choose returns the sets that name selects (see Options.Set); with all,
// "" selects every set rather than the shared one.
func Choose(st *config.Site, sets []lifecycle.Set, name string, all bool) ([]lifecycle.Set, error) {
	var issuers []string
	for _, iss := range st.Issuers {
		issuers = append(issuers, iss.Issuer)
	}
	if name == "" && all {
		return sets, nil
	}
	if name == "" {
		for _, s := range sets {
			if s.Name != lifecycle.Federation && len(s.Block) == 0 {
				return []lifecycle.Set{s}, nil
			}
		}
		return nil, usagef("every issuer of %s has its own key_dir, so there is no shared key set: choose one with --issuer URL (issuers: %s)%s",
			st.File, strings.Join(issuers, ", "), orFederation(st))
	}
	if picked, ok := lifecycle.Pick(sets, name); ok {
		return picked, nil
	}
	if name == lifecycle.Federation {
		return nil, usagef("--federation: %s has no federation: section, so no federation key set (issuers: %s)", st.File, strings.Join(issuers, ", "))
	}
	return nil, usagef("--issuer %s is not an issuer of %s (issuers: %s)", name, st.File, strings.Join(issuers, ", "))
}

func orFederation(st *config.Site) string {
	if st.Federation != nil && st.Federation.KeyDir != "" {
		return ", or --federation"
	}
	return ""
}

// Load reads the chosen set's key directory.
func (s *Site) Load() *diag.List { return s.Set.Load(s.opts.Now, s.opts.Password) }

// File is a file a command writes into the key directory.
type File struct {
	Name string // in the key directory
	Data []byte
	Mode os.FileMode
	What string // for people: "EC P-256 private key"
}

// path is a file as messages name it: below key_dir as site.yaml writes it.
func (s *Site) path(name string) string { return filepath.ToSlash(filepath.Join(s.Set.Dir, name)) }

// errTaken is a file name in use in the key directory.
var errTaken = errors.New("already exists")

// write creates the files in the key directory, each with O_EXCL, then
// replaces site.yaml with edited (unless nil). On failure it removes what
// it wrote: the directory and site.yaml stay as they were.
func (s *Site) write(files []File, edited []byte) (*diag.List, error) {
	var d diag.List
	dir := s.Resolve(s.Set.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	undo := func() {
		for _, p := range written {
			os.Remove(p)
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := publish.Create(p, f.Data, f.Mode); err != nil {
			undo()
			if errors.Is(err, os.ErrExist) {
				d.Errorf(diag.Pos{Path: p}, "already exists; wellknown never writes over a key file")
				d.Hint("choose another name with --name")
				return &d, errTaken
			}
			return nil, err
		}
		written = append(written, p)
	}
	if edited != nil {
		if err := publish.File(s.File, edited); err != nil {
			undo()
			return nil, err
		}
	}
	return &d, nil
}

// edit checks that an edit of site.yaml still parses before anything is
// written.
func (s *Site) edit(out []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	if _, d := config.Parse(s.File, out); d.HasErrors() {
		return nil, fmt.Errorf("%s: the edit would not parse, so nothing was written: %w", s.File, d.Err())
	}
	return out, nil
}
