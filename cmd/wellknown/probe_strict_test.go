package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// probeWarned serves a tree as built, except that a CORS preflight gets 405
// as on Cloudflare Pages: probe's one warning. It returns the URL and tree.
func probeWarned(t *testing.T) (string, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, sitetest.Site(t, url))
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return url, dir
}

// TestProbeStrictQuiet: --strict makes probe's warnings fail the run, as
// they fail check and build; --quiet prints problems only, and still the
// warnings that failed the run.
func TestProbeStrictQuiet(t *testing.T) {
	url, dir := probeWarned(t)
	const warning = "warning: a CORS preflight (OPTIONS) gets 405"
	for _, tc := range []struct {
		flags          []string
		code           int
		stdout, stderr []string // substrings, in order; none means empty
	}{
		{nil, exitOK, []string{"ok: "}, []string{warning}},
		{[]string{"--quiet"}, exitOK, nil, nil},
		{[]string{"-q"}, exitOK, nil, nil},
		{[]string{"--strict"}, exitInvalid, nil, []string{warning, "probe failed: 1 warning and --strict\n"}},
		{[]string{"--strict", "--quiet"}, exitInvalid, nil, []string{warning, "probe failed: 1 warning and --strict\n"}},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			code, out, errOut := runCLI(context.Background(), append([]string{"probe", url, "--dir", dir}, tc.flags...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout %q\nstderr %q", code, tc.code, out, errOut)
			}
			for name, got := range map[string]struct {
				text string
				want []string
			}{"stdout": {out, tc.stdout}, "stderr": {errOut, tc.stderr}} {
				if len(got.want) == 0 && got.text != "" {
					t.Errorf("%s %q, want nothing", name, got.text)
				}
				rest := got.text
				for _, w := range got.want {
					i := strings.Index(rest, w)
					if i < 0 {
						t.Errorf("%s %q lacks %q", name, got.text, w)
						break
					}
					rest = rest[i+len(w):]
				}
			}
		})
	}

	// With --json the report says the run failed, and nothing else is printed.
	code, out, errOut := runCLI(context.Background(), "probe", url, "--dir", dir, "--json", "--strict")
	var r struct {
		OK               bool
		Errors, Warnings int
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != exitInvalid || errOut != "" || r.OK || r.Errors != 0 || r.Warnings != 1 {
		t.Errorf("--json --strict: exit %d, %+v (%v), stderr %q", code, r, err, errOut)
	}
}

// TestJSONUsageErrors: a run of any command with --json that fails before
// the command reports (wrong usage, exit 2; an error without a position,
// exit 1) prints the report on stdout, ok false with its one error and a
// hint, and nothing on stderr. Without --json it stays a line on stderr.
func TestJSONUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args    []string
		code    int
		command string
		message string
		hint    string
	}{
		{[]string{"probe", "--json"}, exitUsage, "probe", "probe takes one URL, the published site root", "run 'wellknown probe --help' for usage"},
		{[]string{"probe", "--bogus", "--json"}, exitUsage, "probe", "unknown flag: --bogus", "run 'wellknown probe --help' for usage"},
		{[]string{"probe", "--json", "--timeout", "soon", "https://id.example.com"}, exitUsage, "probe", `invalid argument "soon" for "--timeout" flag: must be a duration`, "run 'wellknown probe --help' for usage"},
		{[]string{"probe", "ftp://id.example.com", "--json"}, exitUsage, "probe", `"ftp://id.example.com" is not an http(s) URL of a site root`, "run 'wellknown probe --help' for usage"},
		{[]string{"probe", "https://id.example.com", "--json", "--dir", filepath.Join(dir, "missing")}, exitInvalid, "probe", "probe: ", ""},
		{[]string{"check", "--json", "extra"}, exitUsage, "check", `unexpected argument "extra"`, "run 'wellknown check --help' for usage"},
		{[]string{"build", "--json=true", "--clock", "yesterday"}, exitUsage, "build", "--clock: ", "run 'wellknown build --help' for usage"},
		{[]string{"verify", "--json", "a", "b"}, exitUsage, "verify", "verify takes one directory, got 2 arguments", "run 'wellknown verify --help' for usage"},
		{[]string{"keys", "list", "--json", "extra"}, exitUsage, "keys list", `unexpected argument "extra"`, "run 'wellknown keys list --help' for usage"},
		{[]string{"diff", "--json", "--markdown", "a", "b"}, exitUsage, "diff", "--json and --markdown cannot be combined", "run 'wellknown diff --help' for usage"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(context.Background(), tc.args...)
			if code != tc.code || errOut != "" {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			var r struct {
				Command  string `json:"command"`
				OK       *bool  `json:"ok"`
				Errors   int    `json:"errors"`
				Warnings *int   `json:"warnings"`
				Problems []struct {
					File, Severity, Message, Hint string
				} `json:"problems"`
				Files *[]any `json:"files"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("stdout is not one JSON report: %v\n%s", err, out)
			}
			if r.Command != tc.command || r.OK == nil || *r.OK || r.Errors != 1 || r.Warnings == nil || len(r.Problems) != 1 {
				t.Fatalf("report %s", out)
			}
			p := r.Problems[0]
			if p.Severity != "error" || !strings.HasPrefix(p.Message, tc.message) || p.Hint != tc.hint || strings.Contains(p.Message, "\n") {
				t.Errorf("problem %+v, want message %q and hint %q", p, tc.message, tc.hint)
			}
			if (tc.command == "probe") != (r.Files != nil) {
				t.Errorf("files %v: probe's report lists its files (none), the others have none", r.Files)
			}
		})
	}

	// Without --json, or with --json=false, wrong usage is a line on stderr.
	for _, args := range [][]string{{"probe"}, {"probe", "--bogus", "--json=false"}} {
		code, out, errOut := runCLI(context.Background(), args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "Run 'wellknown probe --help' for usage.") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}
