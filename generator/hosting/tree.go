package hosting

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// ParseHeaders reads a _headers file as Headers writes it: each rule is an
// exact path or a directory followed by "/*". Other patterns (":name", a
// "*" inside a name) and a pattern given twice are refused: hosts read them
// differently, and then what the file says and what a host serves could
// differ.
func ParseHeaders(b []byte) ([]Rule, error) {
	var rules []Rule
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			continue
		case line[0] != ' ' && line[0] != '\t':
			p, err := parsePattern(trimmed)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", HeadersFile, n, err)
			}
			if first, dup := seen[p]; dup {
				return nil, fmt.Errorf("%s:%d: %s already has a rule at line %d", HeadersFile, n, p, first)
			}
			seen[p] = n
			rules = append(rules, Rule{Pattern: p, Header: http.Header{}, Line: n})
		default:
			if len(rules) == 0 {
				return nil, fmt.Errorf("%s:%d: header before the first path", HeadersFile, n)
			}
			name, value, ok := strings.Cut(trimmed, ":")
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, fmt.Errorf("%s:%d: want \"Name: value\", got %q", HeadersFile, n, trimmed)
			}
			h := rules[len(rules)-1].Header
			if h.Get(name) != "" {
				return nil, fmt.Errorf("%s:%d: header %s given twice", HeadersFile, n, http.CanonicalHeaderKey(name))
			}
			h.Set(name, value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", HeadersFile, err)
	}
	return rules, nil
}

// Served reads the tree at root as Netlify and Cloudflare Pages serve it:
// the paths of every file they publish (see walk), sorted, and the headers
// each gets from the tree's _headers. serve, probe and the hosting command
// all read a built tree through it (or ServedTree).
func Served(root *os.Root) ([]string, map[string]http.Header, error) {
	t, err := ServedTree(root)
	if err != nil {
		return nil, nil, err
	}
	return t.Paths, t.Headers, nil
}

// Tree is a built tree as a static host serves it.
type Tree struct {
	Paths   []string               // every file published, sorted
	Headers map[string]http.Header // by path, from _headers
	// Skipped says, one line each, what below the root is neither a
	// regular file nor a directory and so is not published and never
	// opened: named pipes, sockets, devices, links no rule names.
	Skipped []string
}

// ServedTree is Served, also telling what it skipped.
func ServedTree(root *os.Root) (*Tree, error) {
	b, err := ReadFile(root, HeadersFile)
	if err != nil {
		return nil, fmt.Errorf("%w\nhint: build the site first, or point --dir at a built tree", err)
	}
	rules, err := ParseHeaders(b)
	if err != nil {
		return nil, err
	}
	paths, skipped, err := walk(root, rules)
	if err != nil {
		return nil, err
	}
	hs, err := Resolve(rules, paths)
	if err != nil {
		return nil, err
	}
	return &Tree{Paths: paths, Headers: hs, Skipped: skipped}, nil
}

// ErrNotRegular is why ReadFile refuses a path: a tree is read only from
// regular files.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads the regular file name in root, following links only
// inside root, as os.Root does. It opens nothing else: a named pipe, a
// device or a socket is refused from its type before the open, and the
// open is non-blocking and checked again on the descriptor, so a pipe that
// replaces the file in between cannot block the reader either.
func ReadFile(root *os.Root, name string) ([]byte, error) {
	fi, err := root.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kindName(fi.Mode()))}
	}
	f, err := root.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kindName(fi.Mode()))}
	}
	return io.ReadAll(f)
}

// kindName names a file type for a message.
func kindName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	}
	return m.Type().String()
}

// ReadTree reads a built tree back into artifacts: every file a host
// publishes from it, with the headers _headers gives it (see Served). Reads
// go through os.Root, so neither a rule nor a symbolic link can reach
// outside dir, and through ReadFile, so nothing but regular files is opened.
func ReadTree(dir string) ([]artifact.Artifact, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	paths, hs, err := Served(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	as := make([]artifact.Artifact, 0, len(paths))
	for _, p := range paths {
		body, err := ReadFile(root, filepath.FromSlash(p))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		as = append(as, artifact.Artifact{Path: p, Body: body, Header: hs[p]})
	}
	return as, nil
}
