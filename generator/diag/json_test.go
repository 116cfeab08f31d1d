package diag

import "testing"

func TestProblemRule(t *testing.T) {
	for _, tc := range []struct{ msg, message, rule string }{
		{`issuer must use https, not "http" (RFC 8414 §2)`, `issuer must use https, not "http"`, "RFC 8414 §2"},
		{"subject_types_supported is required (OpenID Connect Discovery §3)", "subject_types_supported is required", "OpenID Connect Discovery §3"},
		{`language tag "en_US" has an empty subtag (BCP 47, RFC 7591 §2.2)`, `language tag "en_US" has an empty subtag`, "BCP 47, RFC 7591 §2.2"},
		// A parenthesis that names no specification stays in the message.
		{"token_endpoint_auth_method none is not allowed (empty.yaml)", "token_endpoint_auth_method none is not allowed (empty.yaml)", ""},
		{"no rule here", "no rule here", ""},
	} {
		p := Diagnostic{Severity: Error, Pos: Pos{"site.yaml", 3, 4}, Msg: tc.msg}.Problem()
		if p.Message != tc.message || p.Rule != tc.rule || p.Severity != "error" || p.File != "site.yaml" || p.Line != 3 || p.Column != 4 {
			t.Errorf("%q: got %+v", tc.msg, p)
		}
	}
	if ps := Problems(); ps == nil || len(ps) != 0 {
		t.Errorf("Problems() = %#v, want an empty list", ps)
	}
}
