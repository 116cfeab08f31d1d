package keys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds key-file contents to the parser: no input may panic, an
// accepted file must hold a public key, and no error may quote the input.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"../../keys", "testdata/vectors"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"","y":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := parse(data, func() ([]byte, bool) { return []byte("pw"), true })
		if err != nil {
			if msg := err.Error(); len(data) > 16 && strings.Contains(msg, string(data)) {
				t.Errorf("error quotes the input: %s", msg)
			}
			return
		}
		if it.pub == nil {
			t.Error("accepted a file without a public key")
		}
	})
}
