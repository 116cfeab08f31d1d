package manifest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

var files = map[string][]byte{
	"jwks.json":                        []byte(`{"keys":[]}`),
	".well-known/openid-configuration": []byte("{}"),
	"empty":                            nil,
	"dir/with space.json":              []byte("x"),
}

// golden is the manifest of files, digests as printed by sha256sum.
const golden = `44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a  .well-known/openid-configuration
2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  dir/with space.json
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty
9638d11914735d0072002dd4d67c734a94ee7a0cd845e6dcbc984ee7581860a7  jwks.json
`

func TestMarshal(t *testing.T) {
	m, err := manifest.Of(files)
	if err != nil {
		t.Fatal(err)
	}
	got := string(m.Marshal())
	if got != golden {
		t.Fatalf("got\n%s\nwant\n%s", got, golden)
	}
	back, err := manifest.Parse([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if string(back.Marshal()) != got {
		t.Error("Parse(Marshal(m)) differs")
	}
	if _, ok := back.Lookup("jwks.json"); !ok {
		t.Error("Lookup(jwks.json) failed")
	}
	if _, ok := back.Lookup("jwks"); ok {
		t.Error("Lookup(jwks) found something")
	}
}

// TestSha256sum: the manifest checks with the standard tool, the reason for
// its format.
func TestSha256sum(t *testing.T) {
	tool, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("sha256sum not installed")
	}
	dir := t.TempDir()
	if err := tree.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	m, _ := manifest.Of(files)
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), m.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "--strict", "-c", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
}

func TestParseRejects(t *testing.T) {
	d := strings.Repeat("a", 64)
	for _, tc := range []struct{ name, in, want string }{
		{"no final newline", d + "  a", "final newline"},
		{"binary mode", d + " *a\n", "line 1"},
		{"one space", d + " a\n", "line 1"},
		{"short digest", "abc  a\n", "line 1"},
		{"upper hex", strings.Repeat("A", 64) + "  a\n", "lowercase"},
		{"not hex", strings.Repeat("g", 64) + "  a\n", "hex"},
		{"unsorted", d + "  b\n" + d + "  a\n", "line 2: path \"a\" is out of order"},
		{"repeated", d + "  a\n" + d + "  a\n", "repeated"},
		{"traversal", d + "  ../a\n", ".."},
		{"absolute", d + "  /a\n", "relative"},
		{"unclean", d + "  a//b\n", "not clean"},
		{"control", d + "  a\tb\n", "control"},
		{"blank line", d + "  a\n\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if m, err := manifest.Parse(nil); err != nil || len(m) != 0 {
		t.Errorf("empty manifest: %v %v", m, err)
	}
}

func TestOfRejects(t *testing.T) {
	if _, err := manifest.Of(map[string][]byte{"a\nb": nil}); err == nil {
		t.Error("newline in path accepted")
	}
}
