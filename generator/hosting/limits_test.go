package hosting_test

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
)

func TestOversized(t *testing.T) {
	limit := hosting.FileLimits[0].Bytes
	as := []artifact.Artifact{
		{Path: "jwks.json", Body: make([]byte, 100)},
		{Path: "at-the-limit.json", Body: make([]byte, limit)},
		{Path: "clients.html", Body: make([]byte, limit+1)},
		{Path: "huge.json", Body: make([]byte, 101<<20)},
	}
	got := hosting.Oversized(as)
	var msgs []string
	for _, o := range got {
		msgs = append(msgs, o.Error())
	}
	want := []string{
		"clients.html is 26214401 bytes; Cloudflare Pages serves files of at most 25 MiB (26214400 bytes)",
		"huge.json is 105906176 bytes; Cloudflare Pages serves files of at most 25 MiB (26214400 bytes)",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}
