package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/check"
)

func example(t *testing.T) map[string][]byte {
	t.Helper()
	res, err := generator.Build(generator.Options{Config: "../../site.yaml", Now: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
	}
	return files
}

func TestExampleIsValid(t *testing.T) {
	if errs := check.Tree(example(t)); len(errs) > 0 {
		t.Errorf("the example tree fails: %v", errs)
	}
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(map[string][]byte)
		want   string
	}{
		{"private member", func(f map[string][]byte) {
			f["jwks.json"] = []byte(strings.Replace(string(f["jwks.json"]), `"use": "sig",`, `"use": "sig", "d": "AAAA",`, 1))
		}, `jwks.json: key 0 holds private member "d"`},
		{"private member, extensionless key set", func(f map[string][]byte) {
			f["openid/v1/jwks"] = []byte(strings.Replace(string(f["jwks.json"]), `"use": "sig",`, `"use": "sig", "d": "AAAA",`, 1))
		}, `openid/v1/jwks: key 0 holds private member "d"`},
		{"private pem", func(f map[string][]byte) {
			f["notes.txt"] = []byte("-----BEGIN PRIVATE KEY-----\n")
		}, "notes.txt: holds a private key in PEM"},
		{"http issuer", func(f map[string][]byte) {
			p := ".well-known/openid-configuration"
			f[p] = []byte(strings.Replace(string(f[p]), `"issuer": "https://`, `"issuer": "http://`, 1))
		}, `.well-known/openid-configuration: issuer "http://login.example.com" is not an https URL`},
		{"metadata not JSON", func(f map[string][]byte) {
			f[".well-known/oauth-authorization-server"] = []byte("<html>")
		}, ".well-known/oauth-authorization-server: not a JSON object"},
		{"copy changed", func(f map[string][]byte) {
			for p := range f {
				if strings.HasPrefix(p, "immutable/jwks.") {
					f[p] = append(f[p], ' ')
				}
			}
		}, "content does not match the digest in its name"},
		{"document changed", func(f map[string][]byte) {
			f["jwks.json"] = append(f["jwks.json"], ' ')
		}, "jwks.json: SHA-256 differs from digests.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := example(t)
			tc.change(files)
			var got []string
			for _, e := range check.Tree(files) {
				got = append(got, e.Error())
			}
			if !strings.Contains(strings.Join(got, "\n"), tc.want) {
				t.Errorf("errors %q, want one containing %q", got, tc.want)
			}
		})
	}
}

func TestProtectedResource(t *testing.T) {
	files := map[string][]byte{
		".well-known/oauth-protected-resource/ok":  []byte(`{"resource":"https://h.example/ok","authorization_servers":["https://h.example"],"bearer_methods_supported":["header"]}`),
		".well-known/oauth-protected-resource/bad": []byte(`{"resource":"http://h.example/bad#f","authorization_servers":["http://as"],"jwks_uri":"http://h/j","bearer_methods_supported":["cookie"]}`),
	}
	var got []string
	for _, p := range check.Tree(files) {
		got = append(got, p.Error())
	}
	want := []string{
		`.well-known/oauth-protected-resource/bad: resource "http://h.example/bad#f" is not an https URL without a fragment (RFC 9728 §2)`,
		`.well-known/oauth-protected-resource/bad: authorization server "http://as" is not an https URL (RFC 9728 §2)`,
		`.well-known/oauth-protected-resource/bad: jwks_uri "http://h/j" is not https (RFC 9728 §2)`,
		`.well-known/oauth-protected-resource/bad: bearer method "cookie" is not header, body or query (RFC 9728 §2)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
