//go:build cgo

package sign_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/peers"
)

// BenchmarkSign10kHSM is signing alone (10,000 per-file signatures and the
// manifest's) by a file key and by the same kind of key in a SoftHSM2
// token, so the token's cost per signature shows apart from the build's.
// Report with:
//
//	go test -run '^$' -bench Sign10kHSM -benchtime 3x ./generator/sign
func BenchmarkSign10kHSM(b *testing.B) {
	tok := peers.SoftHSM(b, "bench")
	tok.KeyPair(b, "EC:prime256v1", "p256", "01")
	tok.KeyPair(b, "rsa:2048", "rsa", "02")
	dir := b.TempDir()
	write := func(name string, k any) string {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			b.Fatal(err)
		}
		return p
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	as := render10k()
	for _, r := range []struct{ name, ref string }{
		{"file-p256", write("p256.pem", ec)},
		{"softhsm-p256", tok.URI("p256", "pin-value="+tok.PIN)},
		{"file-rsa2048", write("rsa.pem", rk)},
		{"softhsm-rsa2048", tok.URI("rsa", "pin-value="+tok.PIN)},
	} {
		b.Run(r.name, func(b *testing.B) {
			s, err := sign.LoadSigner(r.ref, func(string) string { return "" })
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if _, err := sign.Artifacts(as, s, testFresh); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(as)+1), "ns/signature")
		})
	}
}
