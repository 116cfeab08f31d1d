package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCondition answers [softhsm]: SoftHSM2 and pkcs11-tool are installed
// and this build has cgo. Under CI=true their absence is an error, not a
// skip (see .ci/install-softhsm.sh).
func scriptCondition(cond string) (bool, error) {
	if cond != "softhsm" {
		return false, os.ErrNotExist
	}
	ok := softHSMModule() != "" && cgoEnabled
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			ok = false
		}
	}
	if !ok && os.Getenv("CI") == "true" {
		return false, errSoftHSMMissing
	}
	return ok, nil
}

type scriptError string

func (e scriptError) Error() string { return string(e) }

const errSoftHSMMissing = scriptError("SoftHSM2 (softhsm2-util, pkcs11-tool, libsofthsm2.so) or cgo missing and CI=true; run sh .ci/install-softhsm.sh")

func softHSMModule() string {
	if m := os.Getenv("WELLKNOWN_SOFTHSM_MODULE"); m != "" {
		return m
	}
	for _, m := range []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"} {
		if _, err := os.Stat(m); err == nil {
			return m
		}
	}
	return ""
}

// softHSM makes a SoftHSM2 token in $WORK/softhsm and keys inside it:
//
//	softhsm LABEL TYPE:OBJECT:ID...   e.g. softhsm site EC:prime256v1:publisher:01 rsa:2048:rsa:02
//
// and sets SOFTHSM2_CONF, MODULE (the module's path) and PIN for the rest of
// the script.
func softHSM(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: softhsm LABEL TYPE:OBJECT:ID...")
	}
	dir := ts.MkAbs("softhsm")
	ts.Check(os.MkdirAll(filepath.Join(dir, "tokens"), 0o700))
	conf := filepath.Join(dir, "softhsm2.conf")
	ts.Check(os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600))
	module, pin := softHSMModule(), "1234"
	ts.Setenv("SOFTHSM2_CONF", conf)
	ts.Setenv("MODULE", module)
	ts.Setenv("PIN", pin)
	run := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
		if out, err := cmd.CombinedOutput(); err != nil {
			ts.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("softhsm2-util", "--init-token", "--free", "--label", args[0], "--so-pin", "5678", "--pin", pin)
	for _, k := range args[1:] {
		i := strings.LastIndex(k, ":")
		j := strings.LastIndex(k[:max(i, 0)], ":")
		if i < 0 || j < 0 {
			ts.Fatalf("key %q: want TYPE:OBJECT:ID", k)
		}
		run("pkcs11-tool", "--module", module, "--token-label", args[0], "--login", "--pin", pin,
			"--keypairgen", "--key-type", k[:j], "--label", k[j+1:i], "--id", k[i+1:])
	}
}

// envFile sets an environment variable to a file's content, as a CI
// secret holds a key: envfile NAME FILE.
func envFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile NAME FILE")
	}
	ts.Setenv(args[0], ts.ReadFile(args[1]))
}
