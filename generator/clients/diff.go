package clients

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// This is a client-focused comparison of two built trees, for the summary a
// pull request gets: which clients a change adds, removes or changes, field
// by field, and which other published files change. It reads what the
// build wrote, so it compares exactly what would be served.

// Diff is what changes between two built trees.
type Diff struct {
	Added, Removed, Changed []Change
	Unchanged               int
	// Files are the other published files (outside the client directory)
	// that were added, removed or changed, by path.
	FilesAdded, FilesRemoved, FilesChanged []string
	// OldPages and NewPages are how many pages the index has (see
	// Paging); 1 for the single index.json, 0 for none.
	OldPages, NewPages int
}

// indexPages counts the pages of the index in a tree.
func indexPages(files map[string][]byte, dir string) int {
	b, ok := files[IndexPath(dir)]
	if !ok {
		return 0
	}
	var idx struct {
		Pages []json.RawMessage `json:"pages"`
	}
	if json.Unmarshal(b, &idx) != nil || idx.Pages == nil {
		return 1
	}
	return len(idx.Pages)
}

// Change is one client's difference.
type Change struct {
	Slug     string
	ClientID string
	Name     string
	Fields   []FieldChange // for changed clients, by field name
}

// FieldChange is one field of a document, as compact JSON; "" when absent.
type FieldChange struct {
	Field    string
	Old, New string
}

// Compare compares the built trees in oldDir and newDir, whose client
// documents are under dir (clients.path of site.yaml). A missing oldDir is
// an empty tree: the first build of a repository adds everything.
func Compare(oldDir, newDir, dir string) (*Diff, error) {
	oldFiles, err := readTree(oldDir, true)
	if err != nil {
		return nil, err
	}
	newFiles, err := readTree(newDir, false)
	if err != nil {
		return nil, err
	}
	d := &Diff{}
	isDoc := func(p string) bool {
		return path.Dir(p) == dir && path.Ext(p) == ".json" && path.Base(p) != "index.json"
	}
	// The index and the page for people follow from the documents: a
	// change shows in the documents, not again in every page it moves.
	derived := func(p string) bool {
		return strings.HasPrefix(p, dir+"/") || p == PagePath(dir) || strings.HasPrefix(p, PagesDir(dir)+"/")
	}
	d.OldPages, d.NewPages = indexPages(oldFiles, dir), indexPages(newFiles, dir)
	for _, p := range union(oldFiles, newFiles) {
		ob, inOld := oldFiles[p]
		nb, inNew := newFiles[p]
		if !isDoc(p) {
			if derived(p) {
				continue
			}
			switch {
			case !inOld:
				d.FilesAdded = append(d.FilesAdded, p)
			case !inNew:
				d.FilesRemoved = append(d.FilesRemoved, p)
			case !bytes.Equal(ob, nb):
				d.FilesChanged = append(d.FilesChanged, p)
			}
			continue
		}
		slug := strings.TrimSuffix(path.Base(p), ".json")
		switch {
		case !inOld:
			d.Added = append(d.Added, describe(slug, nb))
		case !inNew:
			d.Removed = append(d.Removed, describe(slug, ob))
		case bytes.Equal(ob, nb):
			d.Unchanged++
		default:
			c := describe(slug, nb)
			c.Fields, err = fieldChanges(ob, nb)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			d.Changed = append(d.Changed, c)
		}
	}
	return d, nil
}

func union(a, b map[string][]byte) []string {
	var out []string
	for p := range a {
		out = append(out, p)
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// readTree reads every regular file below dir, by slash path.
func readTree(dir string, missingOK bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if errors.Is(err, fs.ErrNotExist) && missingOK {
		return map[string][]byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the built tree %s: %w", dir, err)
	}
	return out, nil
}

func describe(slug string, doc []byte) Change {
	var d struct {
		ClientID   string `json:"client_id"`
		ClientName string `json:"client_name"`
	}
	_ = json.Unmarshal(doc, &d) // a document that does not parse still has a slug
	return Change{Slug: slug, ClientID: d.ClientID, Name: d.ClientName}
}

func fieldChanges(oldDoc, newDoc []byte) ([]FieldChange, error) {
	var o, n map[string]json.RawMessage
	if err := json.Unmarshal(oldDoc, &o); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(newDoc, &n); err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var out []FieldChange
	for k := range keys {
		ov, nv := compact(o[k]), compact(n[k])
		if ov != nv {
			out = append(out, FieldChange{Field: k, Old: ov, New: nv})
		}
	}
	slices.SortFunc(out, func(a, b FieldChange) int { return strings.Compare(a.Field, b.Field) })
	return out, nil
}

func compact(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// Empty reports whether the trees publish the same files.
func (d *Diff) Empty() bool {
	return len(d.Added)+len(d.Removed)+len(d.Changed)+len(d.FilesAdded)+len(d.FilesRemoved)+len(d.FilesChanged) == 0
}

// maxListed bounds each list in a pull-request summary: a comment has a
// size limit, and a reviewer of a mass change reads the counts.
const maxListed = 50

// WriteList writes a Markdown list under heading (a whole heading line,
// such as "#### Added clients"), at most maxListed items and then how many
// more there are; nothing when items is empty. An item may hold nested
// lines of its own.
func WriteList(w io.Writer, heading string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n\n", heading)
	for i, s := range items {
		if i == maxListed {
			fmt.Fprintf(w, "- … and %d more\n", len(items)-maxListed)
			return
		}
		fmt.Fprintf(w, "- %s\n", s)
	}
}

// Markdown renders the summary for a pull request. Every value from a
// client file is put in a code span that it cannot break out of, so a
// hostile client_name cannot add links, mentions or HTML to the comment.
func (d *Diff) Markdown() []byte {
	var b bytes.Buffer
	b.WriteString("### Published tree\n\n")
	if d.Empty() {
		b.WriteString("No published file changes.\n")
		return b.Bytes()
	}
	fmt.Fprintf(&b, "Clients: %d added, %d changed, %d removed, %d unchanged.\n",
		len(d.Added), len(d.Changed), len(d.Removed), d.Unchanged)
	if d.OldPages != d.NewPages && max(d.OldPages, d.NewPages) > 1 {
		fmt.Fprintf(&b, "The index and the page for people are split into %d pages (were %d).\n", d.NewPages, d.OldPages)
	}
	section := func(title string, cs []Change, fields bool) {
		items := make([]string, len(cs))
		for i, c := range cs {
			var item strings.Builder
			fmt.Fprintf(&item, "%s %s: client_id %s", Code(c.Slug), Code(c.Name), Code(c.ClientID))
			for _, f := range c.Fields {
				if !fields {
					break
				}
				switch {
				case f.Old == "":
					fmt.Fprintf(&item, "\n  - %s added: %s", Code(f.Field), Code(f.New))
				case f.New == "":
					fmt.Fprintf(&item, "\n  - %s removed (was %s)", Code(f.Field), Code(f.Old))
				default:
					fmt.Fprintf(&item, "\n  - %s: %s → %s", Code(f.Field), Code(f.Old), Code(f.New))
				}
			}
			items[i] = item.String()
		}
		WriteList(&b, "#### "+title, items)
	}
	section("Added clients", d.Added, false)
	section("Changed clients", d.Changed, true)
	section("Removed clients", d.Removed, false)
	files := func(title string, ps []string) {
		items := make([]string, len(ps))
		for i, p := range ps {
			items[i] = Code("/" + p)
		}
		WriteList(&b, "#### "+title, items)
	}
	files("Other files added", d.FilesAdded)
	files("Other files changed", d.FilesChanged)
	files("Other files removed", d.FilesRemoved)
	return b.Bytes()
}

// maxCode bounds one value in the summary.
const maxCode = 200

// Code returns s as a Markdown code span that s cannot close early: the
// fence is one backtick longer than the longest run of backticks in s
// (CommonMark §6.1). Line breaks become spaces, so s cannot start a block.
func Code(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	if r := []rune(s); len(r) > maxCode {
		s = string(r[:maxCode]) + "…"
	}
	if s == "" {
		return "(none)"
	}
	run, longest := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}
