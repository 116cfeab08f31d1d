package hosting

import (
	"bufio"
	"bytes"
	"fmt"
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
// all read a built tree through it.
func Served(root *os.Root) ([]string, map[string]http.Header, error) {
	b, err := root.ReadFile(HeadersFile)
	if err != nil {
		return nil, nil, fmt.Errorf("%w\nhint: build the site first, or point --dir at a built tree", err)
	}
	rules, err := ParseHeaders(b)
	if err != nil {
		return nil, nil, err
	}
	paths, err := walk(root, rules)
	if err != nil {
		return nil, nil, err
	}
	hs, err := Resolve(rules, paths)
	if err != nil {
		return nil, nil, err
	}
	return paths, hs, nil
}

// ReadTree reads a built tree back into artifacts: every file a host
// publishes from it, with the headers _headers gives it (see Served). Reads
// go through os.Root, so neither a rule nor a symbolic link can reach
// outside dir.
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
		body, err := root.ReadFile(filepath.FromSlash(p))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		as = append(as, artifact.Artifact{Path: p, Body: body, Header: hs[p]})
	}
	return as, nil
}
