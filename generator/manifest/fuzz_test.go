package manifest_test

import (
	"bytes"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/manifest"
)

// FuzzParse: no input panics, and whatever Parse accepts is exactly what
// Marshal writes for the result, so a signed manifest has one encoding.
func FuzzParse(f *testing.F) {
	m, err := manifest.Of(files, fresh)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Marshal())
	f.Add([]byte(golden))
	f.Add([]byte("# version: 1\n# expires: 1970-01-01T00:00:02Z\n"))
	f.Add([]byte("# version: 9223372036854775807\n# expires: 2027-01-31T00:00:00Z\n"))
	f.Add([]byte("# version: -1\n# expires: 2027-01-31T00:00:00Z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		if err != nil {
			return
		}
		if out := m.Marshal(); !bytes.Equal(out, data) {
			t.Fatalf("Parse accepted a non-canonical form:\n%q\nMarshal writes\n%q", data, out)
		}
	})
}
