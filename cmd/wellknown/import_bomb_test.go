//go:build linux

package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

// maxRSS reads the peak resident set size, in bytes, that GNU time wrote
// with -f %M (KiB) into file, on its last line: a failed command's status
// line comes first.
func maxRSS(t *testing.T, file string) int64 {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(strings.TrimSpace(string(b)))
	kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		t.Fatalf("GNU time wrote %q: %v", b, err)
	}
	return kib << 10
}

// importMemoryBound is what issue 14 allows an import refusing a 1 MiB gzip
// bomb to use, above what the same binary uses doing nothing: the store and
// KMS SDKs linked in for deploy and key references make the idle process
// resident in about 60 MiB of its own text and tables, which no archive
// grows.
const importMemoryBound = 64 << 20

// TestImportRefusesGzipBomb runs the real import, in a child process of its
// own so that its peak memory can be read, on gzip bombs of about 1 MiB that
// inflate to 1 GiB: zeros after the end of the archive, and members that
// stay within every per-member limit followed by zeros. Each must be refused
// at a limit it names, with a hint, within importMemoryBound, leaving
// neither DIR nor a spool behind. So must a smaller bomb within every limit,
// refused for what it is (unsigned) without holding its members.
func TestImportRefusesGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 1 GiB")
	}
	// A binary of its own, not this test binary: under -race the
	// detector's shadow memory would be measured too.
	wellknown := binary(t)
	// The child's rusage cannot be read here: a child this process
	// starts inherits this process's peak RSS into its own at exec
	// (Linux keeps the larger of the two), so a test process grown by
	// earlier tests would be measured. GNU time forks the import from
	// itself, a small process, and reports the import's own peak.
	gnuTime := peers.GNUTime(t)
	idleFile := filepath.Join(t.TempDir(), "idle")
	if out, err := exec.Command(gnuTime, "-f", "%M", "-o", idleFile, wellknown, "version").CombinedOutput(); err != nil {
		t.Fatalf("wellknown version: %v\n%s", err, out)
	}
	idle := maxRSS(t, idleFile)
	t.Logf("idle peak RSS %.1f MiB", float64(idle)/(1<<20))
	work := t.TempDir()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "publisher.pub"), pub, 0o644); err != nil {
		t.Fatal(err)
	}
	limit := []string{"larger than the limit of 512 MiB", "hint:", "dest was not changed"}
	for _, tc := range []struct {
		name    string
		members int   // of 16 MiB of zeros each, the largest a member may be
		total   int64 // inflated bytes, padded with zeros after the end
		want    []string
	}{
		{"padding", 0, 1 << 30, limit},
		{"members then padding", 15, 1 << 30, limit},
		// Within every limit: refused as unsigned before its 240 MiB
		// are read into memory.
		{"members only", 15, 0, []string{"unsigned:", "dest was not changed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := filepath.Join(work, strings.ReplaceAll(tc.name, " ", "-")+".tar.gz")
			writeBomb(t, bomb, tc.members, tc.total)
			tmp := t.TempDir()
			dest := filepath.Join(work, "dest")
			rss := filepath.Join(work, "rss")
			cmd := exec.Command(gnuTime, "-f", "%M", "-o", rss, wellknown, "import", "--key", filepath.Join(work, "publisher.pub"), bomb, dest)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			var stderr bytes.Buffer
			cmd.Stdout = &stderr
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("import = %v, want exit status 1; stderr:\n%s", err, stderr.String())
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("output does not say %q:\n%s", want, stderr.String())
				}
			}
			peak := maxRSS(t, rss)
			t.Logf("peak RSS %.1f MiB, %.1f MiB above idle", float64(peak)/(1<<20), float64(peak-idle)/(1<<20))
			if peak-idle > importMemoryBound {
				t.Errorf("peak RSS %d MiB, %d MiB above idle: more than %d MiB", peak>>20, (peak-idle)>>20, importMemoryBound>>20)
			}
			if _, err := os.Lstat(dest); !os.IsNotExist(err) {
				t.Errorf("dest exists after a refused import: %v", err)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
				t.Errorf("left behind in TMPDIR: %v", entries)
			}
		})
	}
}

// writeBomb writes a tar.gz of members files of 16 MiB of zeros, then zeros
// up to total bytes after the end of the archive. The zeros are one gzip
// member compressed once and repeated (gzip readers read concatenated
// members as one stream), so that the test does not spend its time
// compressing a gigabyte.
func writeBomb(t *testing.T, name string, members int, total int64) {
	t.Helper()
	const chunk = 16 << 20
	zeros := gzipped(t, make([]byte, chunk))
	var buf bytes.Buffer
	var n int64
	for i := range members {
		var hdr bytes.Buffer
		tw := tar.NewWriter(&hdr)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("z%02d", i), Mode: 0o644, Size: chunk}); err != nil {
			t.Fatal(err)
		}
		tw.Flush() // the header only: the contents follow as zeros
		buf.Write(gzipped(t, hdr.Bytes()))
		buf.Write(zeros)
		n += int64(hdr.Len()) + chunk
	}
	// The end of the archive is two blocks of zeros; what follows is
	// more zeros, which readers must tell from data and so inflate.
	for ; n < total; n += chunk {
		buf.Write(zeros)
	}
	if buf.Len() > 1100<<10 {
		t.Fatalf("the bomb is %d KiB, not about 1 MiB", buf.Len()>>10)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d KiB inflating to %d MiB", filepath.Base(name), buf.Len()>>10, n>>20)
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gz.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
