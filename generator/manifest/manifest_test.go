package manifest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

var files = map[string][]byte{
	"jwks.json":                        []byte(`{"keys":[]}`),
	".well-known/openid-configuration": []byte("{}"),
	"empty":                            nil,
	"dir/with space.json":              []byte("x"),
}

var fresh = manifest.At(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 30*24*time.Hour)

// golden is the manifest of files, digests as printed by sha256sum.
const golden = `# version: 1798761600
# expires: 2027-01-31T00:00:00Z
44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a  .well-known/openid-configuration
2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  dir/with space.json
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty
9638d11914735d0072002dd4d67c734a94ee7a0cd845e6dcbc984ee7581860a7  jwks.json
`

func TestMarshal(t *testing.T) {
	m, err := manifest.Of(files, fresh)
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
	if back.Freshness != fresh {
		t.Errorf("freshness %v, want %v", back.Freshness, fresh)
	}
	if got, want := fresh.String(), "version 1798761600 (built 2027-01-01T00:00:00Z), expires 2027-01-31T00:00:00Z"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestAt: the version is the clock in whole seconds, so two builds within
// one second share it, and a later build has a greater one.
func TestAt(t *testing.T) {
	now := time.Date(2027, 1, 1, 12, 0, 0, 999_999_999, time.FixedZone("x", 3600))
	f := manifest.At(now, time.Hour)
	if f.Version != now.Unix() || !f.Expires.Equal(now.Truncate(time.Second).Add(time.Hour)) {
		t.Errorf("At = %+v", f)
	}
	if g := manifest.At(now.Add(time.Second), time.Hour); g.Version <= f.Version {
		t.Errorf("a later clock gave version %d <= %d", g.Version, f.Version)
	}
	if _, err := manifest.Of(nil, manifest.Freshness{Version: 0, Expires: now}); err == nil {
		t.Error("version 0 accepted")
	}
	if _, err := manifest.Of(nil, manifest.At(now, 0)); err == nil {
		t.Error("an expiry at the build clock accepted")
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
	m, _ := manifest.Of(files, fresh)
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
	h := "# version: 1798761600\n# expires: 2027-01-31T00:00:00Z\n"
	for _, tc := range []struct{ name, in, want string }{
		{"no final newline", h + d + "  a", "final newline"},
		{"empty", "", "final newline"},
		{"no header", d + "  a\n", "line 1: want \"# version: \""},
		{"no expiry", "# version: 1798761600\n", "line 2: want"},
		{"expiry first", "# expires: 2027-01-31T00:00:00Z\n# version: 1798761600\n", "line 1"},
		{"leading zero", "# version: 01798761600\n# expires: 2027-01-31T00:00:00Z\n", "not a decimal"},
		{"signed version", "# version: +1798761600\n# expires: 2027-01-31T00:00:00Z\n", "not a decimal"},
		{"zero version", "# version: 0\n# expires: 2027-01-31T00:00:00Z\n", "not positive"},
		{"local time", "# version: 1798761600\n# expires: 2027-01-31T01:00:00+01:00\n", "line 2"},
		{"fractional", "# version: 1798761600\n# expires: 2027-01-31T00:00:00.5Z\n", "line 2"},
		{"expired before built", "# version: 1798761600\n# expires: 2026-01-31T00:00:00Z\n", "not after"},
		{"binary mode", h + d + " *a\n", "line 3"},
		{"one space", h + d + " a\n", "line 3"},
		{"short digest", h + "abc  a\n", "line 3"},
		{"upper hex", h + strings.Repeat("A", 64) + "  a\n", "lowercase"},
		{"not hex", h + strings.Repeat("g", 64) + "  a\n", "hex"},
		{"unsorted", h + d + "  b\n" + d + "  a\n", "line 4: path \"a\" is out of order"},
		{"repeated", h + d + "  a\n" + d + "  a\n", "repeated"},
		{"traversal", h + d + "  ../a\n", ".."},
		{"absolute", h + d + "  /a\n", "relative"},
		{"unclean", h + d + "  a//b\n", "not clean"},
		{"control", h + d + "  a\tb\n", "control"},
		{"blank line", h + d + "  a\n\n", "line 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := manifest.Parse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if m, err := manifest.Parse([]byte(h)); err != nil || len(m.Entries) != 0 {
		t.Errorf("manifest of no files: %v %v", m, err)
	}
}

func TestOfRejects(t *testing.T) {
	if _, err := manifest.Of(map[string][]byte{"a\nb": nil}, fresh); err == nil {
		t.Error("newline in path accepted")
	}
}
