package keyops

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/internal/gitignore"
)

// Listing is every key of the chosen sets, for keys list.
type Listing struct {
	Sets []lifecycle.Set
	Now  time.Time
}

// ListedKey is one key of keys list --json.
type ListedKey struct {
	Set            string      `json:"set"` // the first issuer publishing it, or "federation"
	File           string      `json:"file"`
	Kid            string      `json:"kid"`
	Type           string      `json:"type"`
	Alg            string      `json:"alg"`
	Use            string      `json:"use"`
	State          string      `json:"state"`
	PublishedSince string      `json:"published_since,omitempty"` // RFC 3339, UTC; absent when not set
	RetiredSince   string      `json:"retired_since,omitempty"`
	PublishedUntil string      `json:"published_until,omitempty"`
	Certificate    *ListedCert `json:"certificate,omitempty"`
	Next           string      `json:"next"` // the change due, as the table says it; "-" for none
}

// ListedCert is a key's certificate: the first of its x5c chain.
type ListedCert struct {
	Subject string `json:"subject"`
	Expires string `json:"expires"`
}

// ListedSet is one key set of keys list --json.
type ListedSet struct {
	Name    string   `json:"name"`
	Issuers []string `json:"issuers"` // empty for the federation set
	Dir     string   `json:"dir"`     // key_dir as site.yaml writes it
}

// List reads the sets o.Set chooses ("" for all). The problems are those
// of site.yaml and of reading the keys, and the rotation rules' warnings
// (lifecycle.Check): its errors are the build's to report, since the list
// is how one finds what to fix. The listing is nil when there are errors.
func List(o Options) (*Listing, *diag.List, error) {
	st, _, sets, d, err := open(o, true)
	if st == nil {
		return nil, d, err
	}
	for i := range sets {
		d.Merge(sets[i].Load(o.Now, o.Password))
	}
	if d.HasErrors() {
		return nil, d, nil
	}
	for _, s := range sets {
		for _, w := range s.Check(o.Now).Warnings() {
			d.Add(w)
		}
		committed(st.Resolve(s.Dir), s.Keys, d)
	}
	return &Listing{Sets: sets, Now: o.Now}, d, nil
}

// committed warns about each private key file of dir that git has or
// would take: made by hand, or by keys generate before it wrote KEY.key.
// A key once committed is read by whoever reads the history, so the hint
// is to replace it, not to move it. The demo keys are public anyway.
func committed(dir string, ks []keys.Key, d *diag.List) {
	for _, k := range ks {
		if k.PrivateFile == "" || k.Demo {
			continue
		}
		if why := gitignore.Takes(dir, filepath.Base(k.PrivateFile)); why != "" {
			d.Warnf(diag.Pos{Path: k.PrivateFile}, "holds a private key, and %s: whoever can read the repository can sign as this server", why)
			d.Hint("replace the key: wellknown keys generate (its private half, KEY.key, stays out of git), deploy, then wellknown keys rotate; see 'Private keys and git' in the README")
		}
	}
}

// Write prints one table per set, each under a heading when there are
// several.
func (l *Listing) Write(w io.Writer) {
	for i, s := range l.Sets {
		if len(l.Sets) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s (%s):\n", title(s), s.Dir)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\tKID\tTYPE\tALG\tUSE\tSTATE\tCERTIFICATE\tNEXT")
		for _, k := range s.Keys {
			cert := "-"
			if cs := k.JWK.Certificates; len(cs) > 0 {
				cert = fmt.Sprintf("%s, expires %s", cs[0].Subject, lifecycle.Stamp(cs[0].NotAfter))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", lifecycle.Entry(k), k.JWK.KeyID, keys.Desc(k.JWK.Key),
				k.JWK.Algorithm, k.JWK.Use, k.State, cert, lifecycle.Due(s.Site, k, l.Now))
		}
		tw.Flush()
	}
}

func title(s lifecycle.Set) string {
	if s.Name == lifecycle.Federation {
		return "federation keys"
	}
	return "keys of " + strings.Join(s.Issuers, ", ")
}

// JSON returns the sets and keys of the listing for keys list --json.
func (l *Listing) JSON() ([]ListedSet, []ListedKey) {
	ls, lk := []ListedSet{}, []ListedKey{}
	if l == nil {
		return ls, lk
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, s := range l.Sets {
		ls = append(ls, ListedSet{Name: s.Name, Issuers: append([]string{}, s.Issuers...), Dir: s.Dir})
		for _, k := range s.Keys {
			lkey := ListedKey{Set: s.Name, File: k.File(), Kid: k.JWK.KeyID, Type: keys.Desc(k.JWK.Key), Alg: k.JWK.Algorithm,
				Use: k.JWK.Use, State: string(k.State), Next: lifecycle.Due(s.Site, k, l.Now)}
			if k.Settings != nil {
				lkey.PublishedSince, lkey.RetiredSince = stamp(k.Settings.PublishedSince), stamp(k.Settings.RetiredSince)
			}
			if k.State == config.Retired {
				lkey.PublishedUntil = stamp(k.PublishedUntil)
			}
			if cs := k.JWK.Certificates; len(cs) > 0 {
				lkey.Certificate = &ListedCert{Subject: cs[0].Subject.String(), Expires: stamp(cs[0].NotAfter)}
			}
			lk = append(lk, lkey)
		}
	}
	return ls, lk
}
