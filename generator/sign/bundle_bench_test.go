package sign

import (
	"bytes"
	"testing"
)

// BenchmarkBundleEncoding10k is what Sigstore bundles add to signing a
// 10,000-client site: the signature is the one the .sig already holds, so
// the cost is encoding 10,000 bundles of 1 KB documents. Report with:
//
//	go test -run '^$' -bench BundleEncoding10k ./generator/sign
func BenchmarkBundleEncoding10k(b *testing.B) {
	msg := bytes.Repeat([]byte("x"), 1024)
	sig := bytes.Repeat([]byte{0x30}, 71) // an ECDSA P-256 DER signature's size
	hint := "vkw65gYYymNMB5ffLI8zfnjCes415JtWQoZGGMQOt5g="
	n := 0
	for b.Loop() {
		for range 10_000 {
			out, err := sigstoreBundle(msg, sig, hint)
			if err != nil {
				b.Fatal(err)
			}
			n += len(out)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N)/10_000, "bytes/bundle")
}
