package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

func TestMain(m *testing.M) {
	testscript.Main(removingBinary{m}, map[string]func(){"wellknown": main})
}

// TestScripts runs the CLI as a user would, one script per behaviour under
// testdata/script. Each script starts with a copy of the example site
// (site.yaml, keys/, clients/) in $WORK/example and the server fixtures of
// generator/initsite/testdata in $WORK/servers, and examples/ in
// $WORK/examples, and has these helper commands:
//
//	genkey TYPE KEY PUB   write a fresh private key (p256, ed25519, or
//	                      cosign-p256, encrypted with $COSIGN_PASSWORD)
//	                      and its public half
//	signtree [-clock TIME] [-expires DURATION] KEY SRC DST
//	                      write SRC plus its signatures into DST, as a
//	                      build with that signing key would at TIME
//	                      (default now) with signing.expires_after
//	                      DURATION (a Go duration; default 30 days)
//	mkbundle DIR OUT      bundle DIR as is, unchecked, to make hostile
//	                      bundles
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			dst := filepath.Join(env.WorkDir, "example")
			if err := copyFile("../../site.yaml", filepath.Join(dst, "site.yaml")); err != nil {
				return err
			}
			for _, dir := range []string{"keys", "clients"} {
				entries, err := os.ReadDir(filepath.Join("../..", dir))
				if err != nil {
					return err
				}
				for _, e := range entries {
					if err := copyFile(filepath.Join("../..", dir, e.Name()), filepath.Join(dst, dir, e.Name())); err != nil {
						return err
					}
				}
			}
			// $NOW is the start of the script in seconds, for builds that
			// must share one clock (SOURCE_DATE_EPOCH=$NOW) without a
			// fixed date that would expire.
			env.Setenv("NOW", strconv.FormatInt(time.Now().Unix(), 10))
			// The examples of examples/, as a user copies them.
			if err := copyTree("../../examples", filepath.Join(env.WorkDir, "examples")); err != nil {
				return err
			}
			// The saved discovery documents and JWK Sets of real servers, for init.
			servers, _ := filepath.Glob("../../generator/initsite/testdata/*.json")
			for _, p := range servers {
				if err := copyFile(p, filepath.Join(env.WorkDir, "servers", filepath.Base(p))); err != nil {
					return err
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"genkey":   genKey,
			"signtree": signTree,
			"mkbundle": mkBundle,
			"softhsm":  softHSM,
			"envfile":  envFile,
		},
		Condition: scriptCondition,
	})
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}

func genKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: genkey TYPE KEY PUB")
	}
	var priv crypto.Signer
	var err error
	encrypt := false
	switch args[0] {
	case "p256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "cosign-p256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		encrypt = true
	case "ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		ts.Fatalf("unknown key type %q", args[0])
	}
	ts.Check(err)
	var keyPEM []byte
	if encrypt {
		der, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(priv, cryptoutils.StaticPasswordFunc([]byte(ts.Getenv("COSIGN_PASSWORD"))))
		ts.Check(err)
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: der})
	} else {
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		ts.Check(err)
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	ts.Check(err)
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[1])), 0o755))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), keyPEM, 0o600))
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), pubPEM, 0o644))
}

func signTree(ts *testscript.TestScript, neg bool, args []string) {
	now, lifetime := time.Now(), config.DefaultExpiresAfter
	for len(args) > 1 && strings.HasPrefix(args[0], "-") {
		var err error
		switch args[0] {
		case "-clock":
			now, err = config.ParseDate(args[1])
		case "-expires":
			lifetime, err = time.ParseDuration(args[1])
		default:
			ts.Fatalf("signtree: unknown flag %s", args[0])
		}
		ts.Check(err)
		args = args[2:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: signtree [-clock TIME] [-expires DURATION] KEY SRC DST")
	}
	s, err := sign.LoadSigner(ts.MkAbs(args[0]), ts.Getenv)
	ts.Check(err)
	files, irregular, err := tree.Read(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(irregular) > 0 {
		ts.Fatalf("%v", irregular)
	}
	var as []artifact.Artifact
	for p, b := range files {
		as = append(as, artifact.Artifact{Path: p, Body: b})
	}
	extra, err := sign.Artifacts(as, s, manifest.At(now, lifetime))
	ts.Check(err)
	for _, a := range extra {
		files[a.Path] = a.Body
	}
	dst := ts.MkAbs(args[2])
	ts.Check(os.MkdirAll(dst, 0o755))
	ts.Check(tree.Write(dst, files))
}

func mkBundle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkbundle DIR OUT")
	}
	files, _, err := tree.Read(ts.MkAbs(args[0]))
	ts.Check(err)
	var buf bytes.Buffer
	ts.Check(bundle.Write(&buf, files))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), buf.Bytes(), 0o644))
}
