package diff_test

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/diff"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden compares the example site before and after a rotation that
// also changed metadata and the cache policy (testdata/old and
// testdata/new, built by wellknown; see testdata/README.md).
func TestGolden(t *testing.T) {
	old, err := diff.ReadTree("testdata/old")
	if err != nil {
		t.Fatal(err)
	}
	new, err := diff.ReadTree("testdata/new")
	if err != nil {
		t.Fatal(err)
	}
	// What builds from site.yaml would know of the keys' states.
	old.States = map[string]string{
		"ZwbQLu-JGOpulNgYQxq5k7c_dGBKanMfx1Vdpa3yITM": "active",
		"Hu5I2KQxO7oJwgKrJgqYyZFlkqMX_EW_hLL64pI97Bg": "active",
	}
	new.States = map[string]string{
		"ZwbQLu-JGOpulNgYQxq5k7c_dGBKanMfx1Vdpa3yITM": "retired",
		"Hu5I2KQxO7oJwgKrJgqYyZFlkqMX_EW_hLL64pI97Bg": "active",
		"_ttJ3KZ2ye9OqEFRvXzg_wV1cuWNH_gdb8b8SCBu9co": "active",
	}
	r := diff.Trees(old, new)
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/want.txt", text.Bytes())
	golden(t, "testdata/want.json", js.Bytes())
	// The same comparison again gives the same bytes.
	var again bytes.Buffer
	diff.Trees(old, new).WriteText(&again)
	if !bytes.Equal(again.Bytes(), text.Bytes()) {
		t.Error("the text report is not deterministic")
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./generator/diff -update and review):\n%s", filepath.Base(path), got)
	}
}

func TestTrees(t *testing.T) {
	h := func(cc string) http.Header { return http.Header{"Cache-Control": {cc}} }
	old := diff.Tree{Files: map[string]diff.File{
		"jwks.json": {Body: []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"a","x":"1","y":"2"},{"kty":"OKP","crv":"Ed25519","kid":"b","x":"3"}]}`)},
		"same.json": {Body: []byte(`{"a": 1}`), Header: h("x")},
		"text.pem":  {Body: []byte("one")},
		"doc.json":  {Body: []byte(`{"a":1,"b":[1,2]}`)},
	}}
	new := diff.Tree{Files: map[string]diff.File{
		"jwks.json": {Body: []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"b","x":"3"},{"kty":"EC","crv":"P-256","kid":"a","x":"1","y":"2","use":"sig"}]}`)},
		"same.json": {Body: []byte(`{"a": 1}`), Header: h("y")},
		"text.pem":  {Body: []byte("two")},
		"doc.json":  {Body: []byte(`{"b": [1, 2], "a": 1}`)},
	}}
	var b strings.Builder
	diff.Trees(old, new).WriteText(&b)
	want := `keys:
  ~ a  EC P-256 sig  changed: use  (jwks.json)
headers:
  ~ /same.json  Cache-Control: "x" → "y"
files:
  ~ /doc.json
  ~ /jwks.json
  ~ /text.pem
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	diff.Trees(old, old).WriteText(&b)
	if b.String() != "no changes\n" {
		t.Errorf("a tree against itself: %q", b.String())
	}
}
