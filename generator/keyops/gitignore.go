package keyops

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

// PrivateExt is the extension of the private key files keys generate
// writes: the name says what the file holds, and the *.key rule of a site's
// .gitignore (wellknown init writes one) keeps it out of git.
const PrivateExt = ".key"

// ignoreRule is the rule keys generate adds to the key directory's
// .gitignore when git would otherwise commit a private key.
const ignoreRule = "*" + PrivateExt

const ignoreBlock = "# Private keys (wellknown keys generate) never enter git: the build\n" +
	"# publishes the public half beside each, and a checkout without them\n" +
	"# publishes the same keys.\n" + ignoreRule + "\n"

// Ignored says how a private key file is kept out of git.
type Ignored struct {
	// Rule is the rule that ignores the file, as git check-ignore -v names
	// it (".gitignore:12:*.key"), or the .gitignore keys generate wrote when
	// git could not be asked (not on PATH, or not a work tree yet).
	Rule string
	// Wrote is the .gitignore keys generate wrote or added the rule to, as
	// messages name it; empty when it changed none.
	Wrote string
	// Not is set when git, asked after the rule was added, still does not
	// ignore the file (a rule of the user's includes it again).
	Not bool
}

// gitAnswer is what git check-ignore said of a path.
type gitAnswer int

const (
	gitCannotTell gitAnswer = iota // no git on PATH, or not in a work tree
	gitIgnores
	gitCommits
)

// checkIgnore asks git whether it would ignore name in dir, with the rule
// that does. git is optional: without it, or outside a work tree, the
// answer is gitCannotTell.
func checkIgnore(dir, name string) (gitAnswer, string) {
	git, err := exec.LookPath("git")
	if err != nil {
		return gitCannotTell, ""
	}
	// check-ignore needs no file: it answers for the path, so the question
	// is asked before the private key exists.
	out, err := exec.Command(git, "-C", dir, "check-ignore", "-v", "--", name).Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		rule, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\t")
		return gitIgnores, rule
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return gitCommits, ""
	}
	// 128: not a work tree, or git refused the directory (safe.directory).
	return gitCannotTell, ""
}

// keepOutOfGit makes sure that git never commits the private key file name
// in dir (the key directory; shown is how messages name a file of it). When
// git does not already ignore it, or cannot tell (not on PATH, no work tree
// yet, as before git init), it adds *.key to dir/.gitignore, creating the
// file if need be. undo puts that .gitignore back as it was.
func keepOutOfGit(dir, name string, shown func(string) string) (ig *Ignored, undo func(), err error) {
	undo = func() {}
	answer, rule := checkIgnore(dir, name)
	if answer == gitIgnores {
		return &Ignored{Rule: rule}, undo, nil
	}
	path := filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := WriteNew(path, []byte(ignoreBlock), 0o644); err != nil {
			return nil, undo, err
		}
		undo = func() { os.Remove(path) }
	case err != nil:
		return nil, undo, fmt.Errorf("%s: %w", path, err)
	case hasLine(old, ignoreRule) && answer == gitCannotTell:
		// The key directory's own rule, written by an earlier run.
		return &Ignored{Rule: shown(".gitignore") + ": " + ignoreRule}, undo, nil
	default:
		// git commits the file although the rule may be there: a rule after
		// it includes the file again, and one at the end overrides it.
		add := ignoreBlock
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
	ig = &Ignored{Rule: shown(".gitignore") + ": " + ignoreRule, Wrote: shown(".gitignore")}
	if answer == gitCommits {
		switch again, rule := checkIgnore(dir, name); again {
		case gitIgnores:
			ig.Rule = rule
		case gitCommits:
			ig.Not = true
		}
	}
	return ig, undo, nil
}

func hasLine(data []byte, line string) bool {
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
