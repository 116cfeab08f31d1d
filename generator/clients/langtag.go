package clients

import (
	"errors"
	"strings"

	"golang.org/x/text/language"
)

// irregular are the grandfathered tags of RFC 5646 §2.2.8 that the langtag
// production does not match; they are well-formed by decree.
var irregular = map[string]bool{
	"en-gb-oed": true, "i-ami": true, "i-bnn": true, "i-default": true, "i-enochian": true,
	"i-hak": true, "i-klingon": true, "i-lux": true, "i-mingo": true, "i-navajo": true,
	"i-pwn": true, "i-tao": true, "i-tay": true, "i-tsu": true, "sgn-be-fr": true,
	"sgn-be-nl": true, "sgn-ch-de": true,
}

// checkLangTag reports whether tag is a well-formed BCP 47 language tag
// (RFC 5646 §2.1), what RFC 7591 §2.2 asks of a member name's tag. Tags are
// compared without regard to case (RFC 5646 §2.1.1), by the caller.
//
// This checker stays, rather than golang.org/x/text/language.Parse, because
// Parse answers another question: is this a tag x/text can canonicalize to
// a locale? It accepts what is not BCP 47 and refuses what is, and
// TestLangTagAgainstXText pins each difference:
//   - it accepts "en_US" (an underscore is no subtag separator, and a client
//     looking up client_name#en-US would not find it), repeated variants
//     ("de-1996-1996"), repeated extension singletons ("en-a-bbb-a-ccc")
//     and four extlangs, all ill-formed by RFC 5646 §2.2;
//   - it refuses well-formed tags: languages of 4 to 8 letters (reserved
//     or registrable, §2.2.1), and every subtag its copy of the registry
//     does not hold, which would make an old wellknown refuse a tag the
//     registry added after its release;
//   - it canonicalizes ("iw" to "he", "i-klingon" to "tlh"), where RFC 7591
//     matches tags as strings without regard to case: client_name#iw and
//     client_name#he are two members to a client, not one.
//
// x/text is used for what it knows that a grammar cannot: whether the
// subtags are registered (see unregistered), which draws a warning, not an
// error.
func checkLangTag(tag string) error {
	t := strings.ToLower(tag)
	if irregular[t] {
		return nil
	}
	if tag == "" {
		return errors.New("is empty")
	}
	subs := strings.Split(t, "-")
	for _, s := range subs {
		if s == "" || len(s) > 8 || !alnum(s) {
			return errors.New("has an empty, overlong or non-alphanumeric subtag")
		}
	}
	i := 0
	if subs[0] == "x" {
		return privateUse(subs[1:])
	}
	// language: 2*3ALPHA [extlang] / 4ALPHA / 5*8ALPHA
	if !alpha(subs[0]) || len(subs[0]) < 2 {
		return errors.New("must start with a language subtag of 2 to 8 letters")
	}
	i++
	if len(subs[0]) <= 3 {
		for n := 0; n < 3 && i < len(subs) && len(subs[i]) == 3 && alpha(subs[i]); n++ {
			i++ // extlang
		}
	}
	if i < len(subs) && len(subs[i]) == 4 && alpha(subs[i]) {
		i++ // script
	}
	if i < len(subs) && (len(subs[i]) == 2 && alpha(subs[i]) || len(subs[i]) == 3 && digits(subs[i])) {
		i++ // region
	}
	seen := map[string]bool{}
	for i < len(subs) && (len(subs[i]) >= 5 || len(subs[i]) == 4 && isDigit(subs[i][0])) {
		if seen[subs[i]] {
			return errors.New("repeats a variant subtag")
		}
		seen[subs[i]] = true
		i++ // variant
	}
	singletons := map[string]bool{}
	for i < len(subs) && len(subs[i]) == 1 && subs[i] != "x" {
		if singletons[subs[i]] {
			return errors.New("repeats an extension singleton")
		}
		singletons[subs[i]] = true
		i++
		n := 0
		for i < len(subs) && len(subs[i]) >= 2 {
			i++
			n++
		}
		if n == 0 {
			return errors.New("has an extension without subtags")
		}
	}
	if i < len(subs) && subs[i] == "x" {
		return privateUse(subs[i+1:])
	}
	if i < len(subs) {
		return errors.New("has subtags out of order (language-script-region-variant-extension)")
	}
	return nil
}

func privateUse(rest []string) error {
	if len(rest) == 0 {
		return errors.New("has a private-use x without subtags")
	}
	return nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') {
			return false
		}
	}
	return true
}

func alpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z') {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// unregistered returns the subtag of a well-formed tag that the IANA
// Language Subtag Registry, as golang.org/x/text knows it, does not hold:
// "jp" in client_name#jp (Japanese is ja; JP is the region), or "" when
// every subtag is known. Private-use tags ("x-…", "qaa") are known.
func unregistered(tag string) string {
	_, err := language.Parse(tag)
	var ve language.ValueError
	if errors.As(err, &ve) {
		return ve.Subtag()
	}
	return ""
}
