package hosting

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
)

// Rule is one block of a _headers file: the files it matches and the
// headers it adds to them.
type Rule struct {
	// Pattern is a file's URL path ("/jwks.json"), or a directory's followed
	// by "*" ("/clients/*", "/*"), which matches every file below it.
	Pattern string
	Header  http.Header
	Line    int // where the rule starts in the file, for messages
}

// Exact returns the file an exact rule names, relative to the site root as
// artifact paths are, and false for a directory pattern.
func (r Rule) Exact() (string, bool) {
	if strings.HasSuffix(r.Pattern, "*") {
		return "", false
	}
	return r.Pattern[1:], true
}

// Matches reports whether the rule applies to the file at p.
func (r Rule) Matches(p string) bool {
	if dir, ok := strings.CutSuffix(r.Pattern, "*"); ok {
		return strings.HasPrefix("/"+p, dir)
	}
	return r.Pattern == "/"+p
}

// compact turns the files' headers into as few rules as it can without two
// rules that match one file setting the same header: hosts join such values
// with a comma (Cloudflare Pages says so), so what a file is served with
// would no longer be what the build decided. A header whose value is the
// same for every file below a directory is set once, by a rule for the
// directory; elsewhere, by a rule for each file. Cloudflare Pages applies
// only 100 rules, and a registry has a rule per client otherwise.
func compact(fs []file) []Rule {
	root := &dir{name: "/", dirs: map[string]*dir{}}
	var names []string
	for i := range fs {
		f := &fs[i]
		d := root
		for rest := f.Path; ; {
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				break
			}
			s := rest[:i]
			rest = rest[i+1:]
			sub, ok := d.dirs[s]
			if !ok {
				sub = &dir{name: d.name + s + "/", dirs: map[string]*dir{}}
				d.dirs[s] = sub
			}
			d = sub
		}
		d.files = append(d.files, f)
		for _, h := range f.Header {
			if !slices.Contains(names, h.Name) {
				names = append(names, h.Name)
			}
		}
	}
	byPattern := map[string]http.Header{}
	add := func(pattern, name, value string) {
		if byPattern[pattern] == nil {
			byPattern[pattern] = http.Header{}
		}
		byPattern[pattern].Set(name, value)
	}
	for _, name := range names {
		root.assign(name, add)
	}
	rules := make([]Rule, 0, len(byPattern))
	for p, h := range byPattern {
		rules = append(rules, Rule{Pattern: p, Header: h})
	}
	// Directory rules first, shallow to deep, then the files: a reader
	// sees what a directory gets before the exceptions inside it.
	sort.Slice(rules, func(i, j int) bool {
		_, fi := rules[i].Exact()
		_, fj := rules[j].Exact()
		if fi != fj {
			return fj
		}
		return rules[i].Pattern < rules[j].Pattern
	})
	return rules
}

// dir is a directory of the published tree, as compact sees it.
type dir struct {
	name  string // URL path with a trailing slash: "/", "/clients/"
	dirs  map[string]*dir
	files []*file
}

// uniform returns the value of header name that every file below d has,
// and how many files there are; ok is false when some file lacks it or
// has another value.
func (d *dir) uniform(name string) (value string, n int, ok bool) {
	first := true
	for _, f := range d.files {
		v := f.get(name)
		if v == "" || (!first && v != value) {
			return "", 0, false
		}
		value, first = v, false
		n++
	}
	for _, sub := range d.dirs {
		v, m, sok := sub.uniform(name)
		if !sok || (!first && v != value) {
			return "", 0, false
		}
		value, first = v, false
		n += m
	}
	return value, n, !first
}

func (d *dir) assign(name string, add func(pattern, name, value string)) {
	if v, n, ok := d.uniform(name); ok && n > 1 {
		add(d.name+"*", name, v)
		return
	}
	for _, f := range d.files {
		if v := f.get(name); v != "" {
			add(f.URLPath(), name, v)
		}
	}
	for _, sub := range d.dirs {
		sub.assign(name, add)
	}
}

// Resolve returns the headers each of paths gets from rules, as Netlify and
// Cloudflare Pages apply them: every matching rule adds its headers. Two
// matching rules that set one header are an error, since hosts would join
// the values.
func Resolve(rules []Rule, paths []string) (map[string]http.Header, error) {
	exact := map[string]Rule{}
	var patterns []Rule
	for _, r := range rules {
		if p, ok := r.Exact(); ok {
			exact[p] = r
		} else {
			patterns = append(patterns, r)
		}
	}
	out := make(map[string]http.Header, len(paths))
	for _, p := range paths {
		h := http.Header{}
		from := map[string]int{}
		apply := func(r Rule) error {
			for name, vs := range r.Header {
				if line, dup := from[name]; dup {
					return fmt.Errorf("%s:%d: /%s gets %s from this rule and from line %d; hosts would join the values", HeadersFile, r.Line, p, name, line)
				}
				from[name] = r.Line
				h[name] = slices.Clone(vs)
			}
			return nil
		}
		for _, r := range patterns {
			if r.Matches(p) {
				if err := apply(r); err != nil {
					return nil, err
				}
			}
		}
		if r, ok := exact[p]; ok {
			if err := apply(r); err != nil {
				return nil, err
			}
		}
		out[p] = h
	}
	return out, nil
}

// walk returns the paths of the files a static host publishes from the
// tree at root, sorted: every regular file but the control files, and every
// file an exact rule names (which may then fail to read, if it is a link
// out of the tree, say). Anything else below root that is not a directory
// (a named pipe, a socket, a device, a link) is not published and is listed
// in skipped, one message each: a named pipe would block whoever opened it.
func walk(root *os.Root, rules []Rule) (paths, skipped []string, err error) {
	seen := map[string]bool{}
	other := map[string]fs.FileMode{}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() || IsControl(p):
		case d.Type().IsRegular():
			seen[p] = true
			paths = append(paths, p)
		default:
			other[p] = d.Type()
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rules {
		if p, ok := r.Exact(); ok && !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for p, mode := range other {
		if !seen[p] { // a listed one fails to read, and says so there
			skipped = append(skipped, fmt.Sprintf("%s: skipped: a %s, not a regular file", p, kindName(mode)))
		}
	}
	sort.Strings(skipped)
	return paths, skipped, nil
}

// parsePattern checks a rule's first line: an exact path, or a directory
// followed by "/*".
func parsePattern(line string) (string, error) {
	p, ok := strings.CutPrefix(line, "/")
	if !ok {
		return "", fmt.Errorf("rule %q must start with /", line)
	}
	if p == "*" {
		return line, nil
	}
	if d, ok := strings.CutSuffix(p, "/*"); ok {
		p = d
	}
	if err := checkPath(p); err != nil {
		return "", err
	}
	return line, nil
}
