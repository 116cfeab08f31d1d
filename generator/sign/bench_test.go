package sign_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// client is a stand-in for an RFC 7591 client document, about 1 KB as JSON.
type client struct {
	ClientID                string   `json:"client_id"`
	ClientName              string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scope                   string   `json:"scope"`
	Contacts                []string `json:"contacts"`
	ClientURI               string   `json:"client_uri"`
	LogoURI                 string   `json:"logo_uri"`
	TOSURI                  string   `json:"tos_uri"`
	PolicyURI               string   `json:"policy_uri"`
	JWKSURI                 string   `json:"jwks_uri"`
	SoftwareID              string   `json:"software_id"`
	SoftwareVersion         string   `json:"software_version"`
}

// render10k stands in for rendering a 10,000-client site: one JSON document
// of about 1 KB per client, with headers.
func render10k() []artifact.Artifact {
	const n = 10_000
	as := make([]artifact.Artifact, 0, n)
	for i := range n {
		base := fmt.Sprintf("https://app%05d.example.com", i)
		body, err := json.MarshalIndent(client{
			ClientID:                fmt.Sprintf("client-%05d", i),
			ClientName:              fmt.Sprintf("Example application number %d", i),
			RedirectURIs:            []string{base + "/callback", base + "/oauth2/callback", base + "/silent-renew"},
			GrantTypes:              []string{"authorization_code", "refresh_token"},
			ResponseTypes:           []string{"code"},
			TokenEndpointAuthMethod: "private_key_jwt",
			Scope:                   "openid profile email offline_access api:read api:write",
			Contacts:                []string{"ops@app.example.com", "security@app.example.com"},
			ClientURI:               base,
			LogoURI:                 base + "/static/logo.png",
			TOSURI:                  base + "/legal/terms-of-service",
			PolicyURI:               base + "/legal/privacy-policy",
			JWKSURI:                 base + "/.well-known/jwks.json",
			SoftwareID:              "4NRB1-0XZABZI9E6-5SM3R",
			SoftwareVersion:         "2.4.1",
		}, "", "  ")
		if err != nil {
			panic(err)
		}
		as = append(as, artifact.Artifact{
			Path:   fmt.Sprintf("clients/client-%05d.json", i),
			Body:   body,
			Header: http.Header{"Content-Type": {"application/json"}, "Access-Control-Allow-Origin": {"*"}},
		})
	}
	return as
}

// BenchmarkBuild10k compares rendering a 10,000-client site without signing
// and with signing (10,000 per-file signatures plus the manifest's) by each
// key type. Report with:
//
//	go test -run '^$' -bench Build10k -benchtime 5x ./generator/sign
func BenchmarkBuild10k(b *testing.B) {
	if as := render10k(); len(as[0].Body) < 800 || len(as[0].Body) > 1200 {
		b.Fatalf("client documents are %d bytes, want about 1 KB", len(as[0].Body))
	}
	b.Run("unsigned", func(b *testing.B) {
		for b.Loop() {
			render10k()
		}
	})
	for _, kc := range []struct {
		name string
		gen  func() (crypto.PrivateKey, error)
	}{
		{"P-256", func() (crypto.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }},
		{"P-384", func() (crypto.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P384(), rand.Reader) }},
		{"Ed25519", func() (crypto.PrivateKey, error) { _, k, err := ed25519.GenerateKey(rand.Reader); return k, err }},
		{"RSA-2048", func() (crypto.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }},
		{"RSA-3072", func() (crypto.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 3072) }},
	} {
		b.Run(kc.name, func(b *testing.B) {
			priv, err := kc.gen()
			if err != nil {
				b.Fatal(err)
			}
			s, err := sign.NewSigner(priv)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := sign.Artifacts(render10k(), s, testFresh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify10k is verify's cost on the same site signed by P-256.
func BenchmarkVerify10k(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	s, err := sign.NewSigner(priv)
	if err != nil {
		b.Fatal(err)
	}
	as := render10k()
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		files[a.Path] = a.Body
	}
	for b.Loop() {
		if r := sign.Verify(files, sign.VerifyOptions{Key: priv.Public()}); r.Status() != sign.Valid {
			b.Fatal(r.Problems)
		}
	}
}

// BenchmarkSignature is the time of one signature of a 1 KB client document
// by each key type, on one core: what per-file signing costs per file (see
// SignatureCost). cpu-ns/op is the process's CPU time (user and system)
// per signature, which other work on a shared machine does not inflate as
// it does ns/op. Report with:
//
//	go test -run '^$' -bench 'Signature$' -cpu 1 -count 5 ./generator/sign
func BenchmarkSignature(b *testing.B) {
	msg := render10k()[0].Body
	for _, kc := range signatureKeys {
		b.Run(kc.name, func(b *testing.B) {
			priv, err := kc.gen()
			if err != nil {
				b.Fatal(err)
			}
			s, err := sign.NewSigner(priv)
			if err != nil {
				b.Fatal(err)
			}
			before := cpuTime(b)
			for b.Loop() {
				if _, err := s.Sign(msg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkSignAll is per-file signing alone, 10,000 files, by P-256 and
// RSA-2048 in memory: run with -cpu 1,2 to see it use every core, and with
// -mutexprofile to see that no lock holds it back.
//
//	go test -run '^$' -bench SignAll -cpu 1,2 -benchtime 3x ./generator/sign
func BenchmarkSignAll(b *testing.B) {
	as := render10k()
	for _, kc := range signatureKeys {
		if kc.name != "P-256" && kc.name != "RSA-2048" {
			continue
		}
		b.Run(kc.name, func(b *testing.B) {
			priv, err := kc.gen()
			if err != nil {
				b.Fatal(err)
			}
			s, err := sign.NewSigner(priv)
			if err != nil {
				b.Fatal(err)
			}
			before := cpuTime(b)
			for b.Loop() {
				if _, err := sign.Artifacts(as, s, testFresh); err != nil {
					b.Fatal(err)
				}
			}
			cpu := cpuTime(b) - before
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(as)+1), "ns/file")
			// CPU time over wall time: near the -cpu value when
			// nothing serialises signing, near 1 behind a lock, and
			// below both when other work shares the machine.
			b.ReportMetric(float64(cpu)/float64(b.Elapsed()), "cores")
		})
	}
}

var signatureKeys = []struct {
	name string
	gen  func() (crypto.PrivateKey, error)
}{
	{"P-256", func() (crypto.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }},
	{"P-384", func() (crypto.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P384(), rand.Reader) }},
	{"Ed25519", func() (crypto.PrivateKey, error) { _, k, err := ed25519.GenerateKey(rand.Reader); return k, err }},
	{"RSA-2048", func() (crypto.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }},
	{"RSA-3072", func() (crypto.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 3072) }},
	{"RSA-4096", func() (crypto.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 4096) }},
}
