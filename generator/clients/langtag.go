package clients

import (
	"errors"
	"strings"
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
// (RFC 5646 §2.1). Whether its subtags are registered is not checked: the
// registry grows, and a well-formed tag is what RFC 7591 §2.2 asks for.
// Tags are compared without regard to case (RFC 5646 §2.1.1).
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
