package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
)

var keysListCmd = &command{
	name:    "keys list",
	summary: "print every key and what is due",
	usage: `Usage: wellknown keys list [--issuer URL | --federation] [--json] [--config site.yaml] [--clock TIME]

Examples:
  wellknown keys list
  wellknown keys list --clock 2027-06-01     what will be due then
  wellknown keys list --issuer https://login.example.com/tenant-a
  wellknown keys list --json | jq -r '.keys[] | select(.state == "next") | .file'

Prints one row per key of every key set the site publishes (the shared
key_dir, each issuer's own key_dir, and the federation keys), each set
under a heading when there are several: file, kid, type, alg, use, state,
certificate subject and expiry, and the next change due with its date.
Retired keys past their date are listed too, so that their files can be
deleted.

Flags:
      --issuer URL    only the key set this issuer publishes
      --federation    only the federation key set
      --json          print one JSON report on stdout (see "Machine-readable
                      output" in the README) and nothing else
` + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("issuer", "", "")
		fs.Bool("federation", false, "")
		fs.Bool("json", false, "")
		siteFlags(fs)
	},
	run: runKeysList,
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

type keysReport struct {
	Report
	Sets []ListedSet `json:"sets"`
	Keys []ListedKey `json:"keys"`
}

func runKeysList(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	issuer, _ := fs.GetString("issuer")
	fed, _ := fs.GetBool("federation")
	asJSON, _ := fs.GetBool("json")
	if issuer != "" && fed {
		return usagef("--issuer and --federation each choose one key set; give one")
	}
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	cfg, _ := fs.GetString("config")
	src, err := os.ReadFile(cfg)
	if err != nil {
		return fmt.Errorf("%s: cannot read configuration: %w", cfg, diag.Cause(err))
	}
	st, d := config.Parse(cfg, src)
	var sets []lifecycle.Set
	if !d.HasErrors() {
		var kd *diag.List
		sets, kd = lifecycle.LoadSets(st, now, func() ([]byte, bool) { v := e.getenv(keys.PasswordEnv); return []byte(v), v != "" })
		d.Merge(kd)
	}
	if !d.HasErrors() && (issuer != "" || fed) {
		name := issuer
		if fed {
			name = lifecycle.Federation
		}
		var ok bool
		if sets, ok = lifecycle.Pick(sets, name); !ok {
			if fed {
				fmt.Fprintf(e.stderr, "%s: the site has no federation: section, so no federation key set\n", cfg)
				return errSilent
			}
			var names []string
			for _, iss := range st.Issuers {
				names = append(names, iss.Issuer)
			}
			return usagef("--issuer %s is not an issuer of %s (issuers: %s)", issuer, cfg, strings.Join(names, ", "))
		}
	}
	errs, warns := d.Errors(), d.Warnings()
	if asJSON {
		r := keysReport{Report: Report{Command: "keys list", OK: len(errs) == 0, Errors: len(errs), Problems: diag.Problems(errs, warns)},
			Sets: []ListedSet{}, Keys: []ListedKey{}}
		for _, w := range warns {
			if w.Severity == diag.Warning {
				r.Warnings++
			}
		}
		if len(errs) == 0 {
			r.Sets, r.Keys = listed(sets, now)
		}
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			panic(err) // plain structs of strings and numbers always marshal
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
		if len(errs) > 0 {
			return errSilent
		}
		return nil
	}
	printDiagnostics(e.stderr, warns)
	if len(errs) > 0 {
		fmt.Fprintln(e.stderr, d.Err())
		return errSilent
	}
	for i, s := range sets {
		if len(sets) > 1 {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprintf(e.stdout, "%s (%s):\n", setTitle(s), s.Dir)
		}
		printKeys(e.stdout, s, now)
	}
	return nil
}

func setTitle(s lifecycle.Set) string {
	if s.Name == lifecycle.Federation {
		return "federation keys"
	}
	return "keys of " + strings.Join(s.Issuers, ", ")
}

func printKeys(w io.Writer, s lifecycle.Set, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tKID\tTYPE\tALG\tUSE\tSTATE\tCERTIFICATE\tNEXT")
	for _, k := range s.Keys {
		cert := "-"
		if cs := k.JWK.Certificates; len(cs) > 0 {
			cert = fmt.Sprintf("%s, expires %s", cs[0].Subject, lifecycle.Stamp(cs[0].NotAfter))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", lifecycle.Entry(k), k.JWK.KeyID, keys.Desc(k.JWK.Key),
			k.JWK.Algorithm, k.JWK.Use, k.State, cert, lifecycle.Due(s.Site, k, now))
	}
	tw.Flush()
}

func listed(sets []lifecycle.Set, now time.Time) ([]ListedSet, []ListedKey) {
	ls, lk := []ListedSet{}, []ListedKey{}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, s := range sets {
		ls = append(ls, ListedSet{Name: s.Name, Issuers: append([]string{}, s.Issuers...), Dir: s.Dir})
		for _, k := range s.Keys {
			l := ListedKey{Set: s.Name, File: k.File(), Kid: k.JWK.KeyID, Type: keys.Desc(k.JWK.Key), Alg: k.JWK.Algorithm,
				Use: k.JWK.Use, State: string(k.State), Next: lifecycle.Due(s.Site, k, now)}
			if k.Settings != nil {
				l.PublishedSince, l.RetiredSince = stamp(k.Settings.PublishedSince), stamp(k.Settings.RetiredSince)
			}
			if k.State == config.Retired {
				l.PublishedUntil = stamp(k.PublishedUntil)
			}
			if cs := k.JWK.Certificates; len(cs) > 0 {
				l.Certificate = &ListedCert{Subject: cs[0].Subject.String(), Expires: stamp(cs[0].NotAfter)}
			}
			lk = append(lk, l)
		}
	}
	return ls, lk
}
