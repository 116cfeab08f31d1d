package main

import (
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/wellknown-dev/wellknown/generator/progress"
)

const progressHelp = `      --progress      show progress on stderr even when it is not a terminal
                      (one line per phase) or the job is small
      --no-progress   never show progress (by default a terminal shows it for
                      phases of 2,000 files or more, unless CI is set,
                      TERM=dumb, or --json or --quiet is given)
`

func progressFlags(fs *pflag.FlagSet) {
	fs.Bool("progress", false, "")
	fs.Bool("no-progress", false, "")
}

// newProgress returns the meter a command named name reports to, or nil
// when no progress is shown. By default it is shown only where a person
// watches: stderr is a terminal that can redraw a line, not a CI job's log
// (CI is set by GitHub Actions, GitLab, Buildkite and most others), and the
// output was not asked for a script (--json) or to stay silent (--quiet).
// --progress overrides all of it, the size of the job too, as a CI log that
// wants the phases asks.
func newProgress(e *env, fs *pflag.FlagSet, name string) (*progress.Meter, error) {
	on, _ := fs.GetBool("progress")
	off, _ := fs.GetBool("no-progress")
	if on && off {
		return nil, usagef("--progress and --no-progress cannot both be given")
	}
	if off {
		return nil, nil
	}
	f, _ := e.stderr.(*os.File)
	tty := f != nil && term.IsTerminal(int(f.Fd())) && e.getenv("TERM") != "dumb"
	opt := progress.Options{Name: name}
	if tty {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			opt.Width = w
		}
	}
	if on {
		opt.Min = -1
		if !tty {
			opt.Mode = progress.Lines
		}
		return progress.New(e.stderr, opt), nil
	}
	for _, quiet := range []string{"json", "quiet"} {
		if v, err := fs.GetBool(quiet); err == nil && v {
			return nil, nil
		}
	}
	if !tty || isCI(e.getenv("CI")) {
		return nil, nil
	}
	return progress.New(e.stderr, opt), nil
}

// isCI reads the CI variable as the CI services set it (true, 1, or a
// service's name), and as a user turns it off (false, 0).
func isCI(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "0", "no":
		return false
	}
	return true
}
