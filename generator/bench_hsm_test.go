//go:build cgo

package generator_test

import (
	"crypto/elliptic"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/peers"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// BenchmarkSignRegistryHSM is the build of the 10,000-client site (render
// and sign, no publish) signed by a file key and by a key in a SoftHSM2
// token, P-256 and RSA-2048 each, with ns/file the cost per signed file.
// "reuse" is a token P-256 rebuild that keeps the last tree's signatures
// (sign.Signer.Reuse), as `wellknown build` does. Report with:
//
//	go test -run '^$' -bench SignRegistryHSM -benchtime 3x ./generator
func BenchmarkSignRegistryHSM(b *testing.B) {
	cfg := registrySite(b, benchClients)
	tok := peers.SoftHSM(b, "bench")
	tok.KeyPair(b, "EC:prime256v1", "p256", "01")
	tok.KeyPair(b, "rsa:2048", "rsa", "02")
	dir := b.TempDir()
	fileKey := func(name string, der []byte) string { return tk.Write(b, dir, name, der) }
	refs := []struct{ name, ref string }{
		{"file-p256", fileKey("p256.pem", tk.PKCS8(b, tk.EC(b, elliptic.P256())))},
		{"file-rsa2048", fileKey("rsa.pem", tk.PKCS8(b, tk.RSA(b, 0)))},
		{"softhsm-p256", tok.URI("p256", "pin-value="+tok.PIN)},
		{"softhsm-rsa2048", tok.URI("rsa", "pin-value="+tok.PIN)},
		{"softhsm-p256-reuse", tok.URI("p256", "pin-value="+tok.PIN)},
	}
	for _, r := range refs {
		b.Run(r.name, func(b *testing.B) {
			signer, err := sign.LoadSigner(r.ref, func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			defer signer.Close()
			opts := generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: signer}
			if strings.HasSuffix(r.name, "-reuse") {
				res, err := generator.Build(opts)
				if err != nil {
					b.Fatal(err)
				}
				prev := map[string][]byte{}
				for _, a := range res.Artifacts {
					prev[a.Path] = a.Body
				}
				if n := signer.Reuse(prev); n < benchClients {
					b.Fatalf("kept %d signatures", n)
				}
			}
			sigs := 0
			for b.Loop() {
				res, err := generator.Build(opts)
				if err != nil {
					b.Fatal(err)
				}
				sigs = 0
				for _, a := range res.Artifacts {
					if strings.HasPrefix(a.Path, sign.FileSigDir+"/") {
						sigs++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sigs+1), "ns/file")
			b.ReportMetric(float64(sigs), "signatures")
		})
	}
}
