package clients

import (
	"errors"
	"testing"

	"golang.org/x/text/language"
)

// TestLangTagAgainstXText pins why checkLangTag is not replaced by
// golang.org/x/text/language.Parse (see its comment): for each tag, whether
// it is well-formed BCP 47 (RFC 5646 §2.1, what RFC 7591 §2.2 asks), what
// x/text says of it, and the canonical form x/text would make of it. If a
// new x/text agrees with the grammar on every row, the checker can go.
func TestLangTagAgainstXText(t *testing.T) {
	const (
		ok        = "ok"
		unknown   = "well-formed but unknown"
		illFormed = "ill-formed"
	)
	for _, tc := range []struct {
		tag        string
		wellFormed bool
		xtext      string // what Parse says
		canonical  string // what Parse makes of it, when it accepts it
	}{
		// They agree.
		{"en", true, ok, "en"},
		{"EN", true, ok, "en"},
		{"ja-Jpan-JP", true, ok, "ja-Jpan-JP"},
		{"de-DE-u-co-phonebk", true, ok, "de-DE-u-co-phonebk"},
		{"x-private", true, ok, "x-private"},
		{"qaa", true, ok, "qaa"},
		{"en--US", false, illFormed, ""},
		{"en-a", false, illFormed, ""},
		{"x", false, illFormed, ""},
		{"abcdefghi", false, illFormed, ""},
		// x/text accepts what is not BCP 47.
		{"en_US", false, ok, "en-US"},
		{"de-1996-1996", false, ok, "de-1996"},
		{"en-a-bbb-a-ccc", false, ok, "en-a-bbb-a-ccc"},
		{"aa-bbb-ccc-ddd-eee", false, ok, "eee"},
		// x/text refuses well-formed tags.
		{"abcd", true, illFormed, ""},
		{"abcdefgh", true, illFormed, ""},
		{"jp", true, unknown, ""},
		{"en-xxxxx", true, unknown, ""},
		// x/text canonicalizes where RFC 7591 compares strings.
		{"iw", true, ok, "he"},
		{"i-klingon", true, ok, "tlh"},
		{"en-GB-oed", true, ok, "en-GB-oxendict"},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			if got := checkLangTag(tc.tag) == nil; got != tc.wellFormed {
				t.Errorf("checkLangTag: well-formed %v, want %v", got, tc.wellFormed)
			}
			tag, err := language.Parse(tc.tag)
			var ve language.ValueError
			got := ok
			switch {
			case errors.As(err, &ve):
				got = unknown
			case err != nil:
				got = illFormed
			}
			if got != tc.xtext {
				t.Errorf("x/text: %s (%v), want %s", got, err, tc.xtext)
			}
			if err == nil && tag.String() != tc.canonical {
				t.Errorf("x/text canonical form %s, want %s", tag, tc.canonical)
			}
			if wantWarn := tc.wellFormed && tc.xtext == unknown; (unregistered(tc.tag) != "") != wantWarn {
				t.Errorf("unregistered(%q) = %q", tc.tag, unregistered(tc.tag))
			}
		})
	}
}
