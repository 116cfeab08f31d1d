package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// deploy --probe checks the live site after deploying: here the live site
// is serve on the same tree, then a wrong root, which must fail naming
// each path.
func TestDeployProbe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, sitetest.Site(t, "https://placeholder.example"))
	url, stop := startServe(t, "--dir", dir)
	defer stop()
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, url))
	os.RemoveAll(dir)
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	bucket := t.TempDir()
	code, out, errOut := runCLI(context.Background(), "deploy", "file://"+bucket, "--dir", dir, "--probe", url)
	if code != exitOK || !strings.Contains(out, "probe: 10 files served as built") || !strings.Contains(out, "10 uploaded") {
		t.Errorf("deploy --probe: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(context.Background(), "deploy", "file://"+bucket, "--dir", dir, "--probe", url+"/elsewhere", "--timeout", "2s")
	if code != exitInvalid || !strings.Contains(out, "10 unchanged") || !strings.Contains(errOut, url+"/elsewhere/jwks.json: ") || !strings.Contains(errOut, "deploy: --probe: ") {
		t.Errorf("deploy --probe of the wrong root: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(context.Background(), "deploy", "file://"+bucket, "--dir", dir, "--probe", "ftp://x"); code != exitUsage {
		t.Errorf("--probe ftp://x: exit %d %s", code, errOut)
	}
}
