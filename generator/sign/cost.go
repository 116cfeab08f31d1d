package sign

import (
	"crypto"
	"crypto/rsa"
	"time"
)

// Per-signature CPU time of a 1 KB file on one core of the 2-core reference
// machine, in memory: the medians of cpu-ns/op (user and system time) in
//
//	go test -run '^$' -bench 'Signature$' -cpu 1 -count 5 -benchtime 200x ./generator/sign
//
// measured while other builds shared the machine (load average 16–19), which
// inflates CPU time too; an idle machine gives about half for RSA (docs/
// signing.md: RSA-2048 signs 10,000 files in 4.4 s on 2 cores):
//
//	Ed25519   0.039 ms
//	P-256     0.052 ms
//	P-384     0.44 ms
//	RSA-2048  1.8 ms   35x P-256
//	RSA-3072  5.0 ms   97x
//	RSA-4096  10.7 ms  207x
//
// RSA's private operation grows with the cube of the modulus, so an RSA key
// costs tens to hundreds of times what P-256 or Ed25519 does for every file
// it signs. The ratios held within 10% across runs; the messages quote the
// figures as "about".
var (
	costP256    = 52 * time.Microsecond
	costEd25519 = 39 * time.Microsecond
	rsaCost     = map[int]time.Duration{
		2048: 1800 * time.Microsecond,
		3072: 5000 * time.Microsecond,
		4096: 10700 * time.Microsecond,
	}
)

// CostlyFiles is the number of per-file signatures past which the build
// tells what an RSA key's signing costs (see SignatureCost): below it, RSA
// adds well under a second.
const CostlyFiles = 2000

// SignatureCost is the CPU time one signature by a key in memory like pub
// takes, as measured above, and whether it is costly enough to say so: true
// for RSA only. A key in a token or KMS costs at least as much, plus its
// round trip.
func SignatureCost(pub crypto.PublicKey) (time.Duration, bool) {
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return 0, false
	}
	bits := k.N.BitLen()
	if d, ok := rsaCost[bits]; ok {
		return d, true
	}
	// Other sizes scale from the nearest measured one below.
	base := 2048
	for b := range rsaCost {
		if b <= bits && b > base {
			base = b
		}
	}
	r := float64(bits) / float64(base)
	return time.Duration(float64(rsaCost[base]) * r * r * r), true
}

// CheapCosts is what P-256 and Ed25519 keys cost per signature, for
// comparison in messages.
func CheapCosts() (p256, ed25519 time.Duration) { return costP256, costEd25519 }
