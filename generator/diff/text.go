package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxValue bounds a value in the text report; a signed_metadata JWT would
// fill the screen. --json has them whole.
const maxValue = 72

// WriteText writes the report for people: one section per kind of change,
// "+" added, "-" removed, "~" changed.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.Empty() {
		b.WriteString("no changes\n")
	}
	if len(r.Keys) > 0 {
		b.WriteString("keys:\n")
		for _, k := range r.Keys {
			switch k.Change {
			case Added:
				fmt.Fprintf(&b, "  + %s  %s  (%s)\n", k.Kid, k.New, k.JWKS)
			case Removed:
				fmt.Fprintf(&b, "  - %s  %s  (%s)\n", k.Kid, k.Old, k.JWKS)
			default:
				fmt.Fprintf(&b, "  ~ %s  %s", k.Kid, k.New.describe(false))
				if k.Old.State != k.New.State {
					fmt.Fprintf(&b, "  state %s → %s", k.Old.State, k.New.State)
				}
				if m := without(k.Members, "state"); len(m) > 0 {
					fmt.Fprintf(&b, "  changed: %s", strings.Join(m, ", "))
				}
				fmt.Fprintf(&b, "  (%s)\n", k.JWKS)
			}
		}
	}
	if len(r.Clients) > 0 {
		b.WriteString("clients:\n")
		mark := map[string]string{Added: "+", Removed: "-", Changed: "~"}
		for _, c := range r.Clients {
			fmt.Fprintf(&b, "  %s %s", mark[c.Change], c.Slug)
			if c.Name != "" {
				fmt.Fprintf(&b, "  %s", short(json.RawMessage(strconv.Quote(c.Name))))
			}
			if len(c.Members) > 0 {
				fmt.Fprintf(&b, "  changed: %s", strings.Join(c.Members, ", "))
			}
			fmt.Fprintf(&b, "  (%s)\n", c.Index)
		}
	}
	if len(r.Documents) > 0 {
		b.WriteString("documents:\n")
		for _, d := range r.Documents {
			fmt.Fprintf(&b, "  /%s:\n", strings.Join(d.Paths, ", /"))
			for _, f := range d.Fields {
				switch f.Change {
				case Added:
					fmt.Fprintf(&b, "    + %s: %s\n", f.Name, short(f.New))
				case Removed:
					fmt.Fprintf(&b, "    - %s: %s\n", f.Name, short(f.Old))
				default:
					fmt.Fprintf(&b, "    ~ %s: %s → %s\n", f.Name, short(f.Old), short(f.New))
				}
			}
		}
	}
	if len(r.Headers) > 0 {
		b.WriteString("headers:\n")
		for _, h := range r.Headers {
			fmt.Fprintf(&b, "  ~ /%s  %s: %q → %q\n", h.Path, h.Name, h.Old, h.New)
		}
	}
	if len(r.Files) > 0 {
		b.WriteString("files:\n")
		mark := map[string]string{Added: "+", Removed: "-", Changed: "~"}
		for _, f := range r.Files {
			fmt.Fprintf(&b, "  %s /%s\n", mark[f.Change], f.Path)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report for machines: the Report type, indented.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (k *Key) String() string { return k.describe(true) }

func (k *Key) describe(state bool) string {
	parts := []string{k.Type}
	for _, s := range []string{k.Alg, k.Use, map[bool]string{true: k.State}[state]} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func short(v json.RawMessage) string {
	s := string(v)
	if r := []rune(s); len(r) > maxValue {
		return string(r[:maxValue-1]) + "…"
	}
	return s
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
