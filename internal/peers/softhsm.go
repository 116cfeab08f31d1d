package peers

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A Token is a SoftHSM2 token made for one test, in its own SOFTHSM2_CONF
// directory: a real PKCS #11 module, its keys generated inside it by
// OpenSC's pkcs11-tool.
type Token struct {
	Module string // the PKCS #11 module, libsofthsm2.so
	Label  string
	PIN    string // the user PIN
}

// SoftHSM initialises a fresh token labelled label in a temporary
// directory and points SOFTHSM2_CONF at it for the rest of the test (so the
// test cannot be parallel). It needs softhsm2-util and pkcs11-tool on PATH
// and the module at $WELLKNOWN_SOFTHSM_MODULE or a Debian path;
// .ci/install-softhsm.sh installs them. Without them the test skips, and
// fails when CI=true.
func SoftHSM(t testing.TB, label string) *Token {
	t.Helper()
	const hint = "install them with: export WELLKNOWN_SOFTHSM_MODULE=\"$(sh .ci/install-softhsm.sh | tail -n1)\""
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found and CI=true; %s", what, hint)
		}
		t.Skipf("%s not found; %s", what, hint)
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(tool)
		}
	}
	module := os.Getenv("WELLKNOWN_SOFTHSM_MODULE")
	if module == "" {
		for _, m := range []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"} {
			if _, err := os.Stat(m); err == nil {
				module = m
				break
			}
		}
	}
	if module == "" {
		missing("libsofthsm2.so (WELLKNOWN_SOFTHSM_MODULE unset)")
	} else if _, err := os.Stat(module); err != nil {
		t.Fatalf("WELLKNOWN_SOFTHSM_MODULE: %v", err)
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	tok := &Token{Module: module, Label: label, PIN: "1234"}
	tok.run(t, "softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "5678", "--pin", tok.PIN)
	return tok
}

// KeyPair generates a key pair inside the token with pkcs11-tool: keyType is
// pkcs11-tool's, e.g. "EC:prime256v1" or "rsa:2048"; id is hex.
func (tok *Token) KeyPair(t testing.TB, keyType, label, id string) {
	t.Helper()
	tok.run(t, "pkcs11-tool", "--module", tok.Module, "--token-label", tok.Label, "--login", "--pin", tok.PIN,
		"--keypairgen", "--key-type", keyType, "--label", label, "--id", id)
}

// URI is the RFC 7512 URI of the key labelled object, with query (e.g.
// "pin-value=1234" or "pin-source=env:PIN") after the module path.
func (tok *Token) URI(object, query string) string {
	u := "pkcs11:token=" + url.PathEscape(tok.Label) + ";object=" + url.PathEscape(object) + "?module-path=" + tok.Module
	if query != "" {
		u += "&" + query
	}
	return u
}

func (tok *Token) run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// String names the token in test logs.
func (tok *Token) String() string {
	return fmt.Sprintf("SoftHSM2 token %q (%s)", tok.Label, tok.Module)
}
