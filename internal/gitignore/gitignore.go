// Package gitignore keeps a private key that a command writes out of git:
// it asks git whether the file would be ignored (git check-ignore, when git
// is on PATH), and when git would take it, or cannot tell because there is
// no work tree yet, adds a rule to the .gitignore of the file's directory
// before the file is written. git is never required.
package gitignore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/publish"
)

// Rule is the rule to add, with the comment that says why.
type Rule struct {
	Pattern string   // "*.key"
	Comment []string // lines, without "# "
}

func (r Rule) block() string {
	var b strings.Builder
	for _, c := range r.Comment {
		b.WriteString("# " + c + "\n")
	}
	b.WriteString(r.Pattern + "\n")
	return b.String()
}

// Kept says how a file is kept out of git.
type Kept struct {
	// Rule is the rule that ignores the file, as git check-ignore -v names
	// it (".gitignore:12:*.key"), or "DIR/.gitignore: PATTERN" for the rule
	// Keep wrote when git could not be asked (not on PATH, no work tree).
	Rule string
	// Wrote is the .gitignore Keep wrote or added the rule to, as messages
	// name it; empty when it changed none.
	Wrote string
	// Not is set when git, asked after the rule was added, still takes the
	// file (a later rule of the user's includes it again).
	Not bool
}

// answer is what git check-ignore said of a path.
type answer int

const (
	cannotTell answer = iota // no git on PATH, or not in a work tree
	ignores
	commits
)

// check asks git whether it would ignore name in dir, and by which rule.
func check(dir, name string) (answer, string) {
	git, err := exec.LookPath("git")
	if err != nil {
		return cannotTell, ""
	}
	// check-ignore answers for a path, so the question is asked before the
	// file exists. Asked twice: with -v, git also exits 0 for a path that
	// a negation (!signing.key) includes again.
	err = exec.Command(git, "-C", dir, "check-ignore", "-q", "--", name).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		out, _ := exec.Command(git, "-C", dir, "check-ignore", "-v", "--", name).Output()
		rule, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\t")
		return ignores, rule
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return commits, ""
	}
	// 128: not a work tree, or git refused the directory (safe.directory).
	return cannotTell, ""
}

// Takes says why git, in the work tree that holds dir, takes the file name
// of dir into the next commit: "is tracked by git" or "is not ignored by
// git"; "" when it would not, and when git cannot tell (not on PATH, no
// work tree).
func Takes(dir, name string) string {
	git, err := exec.LookPath("git")
	if err != nil {
		return ""
	}
	if exec.Command(git, "-C", dir, "ls-files", "--error-unmatch", "--", name).Run() == nil {
		return "is tracked by git"
	}
	if a, _ := check(dir, name); a == commits {
		return "is not ignored by git"
	}
	return ""
}

// Keep makes sure that git never commits the file name in dir, which must
// exist; shown names a file of dir in messages. Unless git already ignores
// the file, it adds r to dir/.gitignore (created if need be), where it
// overrides every rule above it. undo puts that .gitignore back as it was,
// for a command that then fails.
func Keep(dir, name string, r Rule, shown func(string) string) (kept *Kept, undo func(), err error) {
	undo = func() {}
	a, rule := check(dir, name)
	if a == ignores {
		return &Kept{Rule: rule}, undo, nil
	}
	path := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := publish.Create(path, []byte(r.block()), 0o644); err != nil {
			return nil, undo, err
		}
		undo = func() { os.Remove(path) }
	case err != nil:
		return nil, undo, fmt.Errorf("%s: %w", path, err)
	case a == cannotTell && hasLine(old, r.Pattern):
		// The directory's own rule, written by an earlier run.
		return &Kept{Rule: shown(".gitignore") + ": " + r.Pattern}, undo, nil
	default:
		// git takes the file although the rule may be there: a rule after
		// it includes the file again, and one at the end overrides that.
		add := r.block()
		if len(old) > 0 {
			add = "\n" + add
			if !bytes.HasSuffix(old, []byte("\n")) {
				add = "\n" + add
			}
		}
		if err := publish.File(path, append(append([]byte{}, old...), add...)); err != nil {
			return nil, undo, err
		}
		undo = func() { publish.File(path, old) }
	}
	kept = &Kept{Rule: shown(".gitignore") + ": " + r.Pattern, Wrote: shown(".gitignore")}
	if a == commits {
		switch again, rule := check(dir, name); again {
		case ignores:
			kept.Rule = rule
		case commits:
			kept.Not = true
		}
	}
	return kept, undo, nil
}

func hasLine(data []byte, line string) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
