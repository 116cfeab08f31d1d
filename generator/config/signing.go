package config

import (
	"time"

	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
)

// Expiry of the signed manifest (signing.expires_after).
const (
	// DefaultExpiresAfter is a month: long enough for a site rebuilt daily
	// (or weekly, by hand) and for a monthly air-gapped transfer, short
	// enough that a stale tree cannot be replayed, or a fresh one held
	// back, for more than a month (TUF's freeze attack).
	DefaultExpiresAfter = 30 * 24 * time.Hour
	// MaxExpiresAfter bounds it at a year, TUF's usual lifetime for its
	// longest-lived role.
	MaxExpiresAfter = 366 * 24 * time.Hour
)

// Signing is how the tree's signatures are made (see package sign).
type Signing struct {
	// ExpiresAfter is how long after the build the signed manifest stays
	// valid; verify and import refuse the tree from then on.
	ExpiresAfter time.Duration
	// PerFile publishes a signature and a Sigstore bundle of every file
	// beside the signed manifest (signing.per_file, default true). Without
	// them each file is still covered by its digest in the manifest; what
	// is lost is checking one file with cosign alone, without the manifest.
	PerFile bool
}

func defaultSigning() Signing { return Signing{ExpiresAfter: DefaultExpiresAfter, PerFile: true} }

var signingFields = []string{"expires_after", "per_file"}

func (s *Site) decodeSigning(w *yamlwalk.Walker, p yamlwalk.Pair) {
	fields, ok := w.Mapping(p.Val, "signing")
	if !ok {
		return
	}
	for _, kv := range fields {
		s.pos["signing."+kv.Key] = w.Pos(kv.Val)
		switch kv.Key {
		case "expires_after":
			d, ok := w.Duration(kv.Val, "signing.expires_after")
			switch {
			case !ok:
			case d < time.Second:
				w.Errorf(kv.Val, "signing.expires_after must be at least one second")
			case d > MaxExpiresAfter:
				w.Errorf(kv.Val, "signing.expires_after must be at most 366d: a longer-lived manifest lets a stale tree be replayed for as long")
			case d%time.Second != 0:
				w.Errorf(kv.Val, "signing.expires_after must be whole seconds")
			default:
				s.Signing.ExpiresAfter = d
			}
		case "per_file":
			if b, ok := w.Bool(kv.Val, "signing.per_file"); ok {
				s.Signing.PerFile = b
			}
		default:
			w.Unknown(kv, " in signing", signingFields)
		}
	}
}
