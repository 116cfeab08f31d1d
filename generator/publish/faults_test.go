//go:build unix

package publish_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/internal/testfs"
)

// childEnv, when set, makes the test binary a writer in a child process:
// a process-wide limit or identity must not touch the test itself.
const childEnv = "PUBLISH_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// big is a site with a file larger than every limit the tests set.
func big() []artifact.Artifact {
	return append(site("v2"), artifact.Artifact{Path: "clients/index.json", Body: bytes.Repeat([]byte("x"), 512<<10)})
}

// child writes big() into out under a limit and prints the error, exiting
// 1 on an error as the CLI does.
func child(mode, out string) int {
	switch mode {
	case "fsize":
		// Past the limit, the kernel sends SIGXFSZ, whose default action
		// kills the process; ignored, the write fails with EFBIG.
		signal.Ignore(syscall.SIGXFSZ)
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 64 << 10, Max: 64 << 10}); err != nil {
			fmt.Println("setrlimit:", err)
			return 3
		}
	case "nobody":
		if err := syscall.Setuid(65534); err != nil {
			fmt.Println("setuid:", err)
			return 3
		}
	}
	if err := publish.Write(out, big()); err != nil {
		fmt.Println(err)
		return 1
	}
	return 0
}

func runChild(t *testing.T, mode, out string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", out)
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("child exited %d (%v): %s", code, cmd.ProcessState, b)
	}
	return cmd.ProcessState.ExitCode(), strings.TrimSpace(string(b))
}

// Every write error fails the write with the errno, naming the output path,
// with the previous output untouched and nothing left beside it.
func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		errno syscall.Errno
		// setup returns the parent directory to write out/ into, and how
		// to write there: in-process, or through a child process.
		setup func(t *testing.T) (parent string, write func(out string) error)
	}{
		{"full disk", syscall.ENOSPC, func(t *testing.T) (string, func(string) error) {
			parent := testfs.MustTmpfs(t, "size=256k")
			return parent, func(out string) error { return publish.Write(out, big()) }
		}},
		{"RLIMIT_FSIZE", syscall.EFBIG, func(t *testing.T) (string, func(string) error) {
			return t.TempDir(), func(out string) error {
				_, msg := runChild(t, "fsize", out)
				return errors.New(msg)
			}
		}},
		{"no permission", syscall.EACCES, func(t *testing.T) (string, func(string) error) {
			parent := t.TempDir()
			if os.Getuid() != 0 {
				t.Cleanup(func() { os.Chmod(parent, 0o755) })
				return parent, func(out string) error {
					os.Chmod(parent, 0o555)
					defer os.Chmod(parent, 0o755)
					return publish.Write(out, big())
				}
			}
			// root may write anywhere: write as nobody instead, into a
			// directory nobody can enter but not change.
			os.Chmod(filepath.Dir(parent), 0o755)
			os.Chmod(parent, 0o755)
			return parent, func(out string) error {
				_, msg := runChild(t, "nobody", out)
				return errors.New(msg)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent, write := tc.setup(t)
			out := filepath.Join(parent, "out")
			if err := publish.Write(out, site("v1")); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, out)
			err := write(out)
			if err == nil {
				t.Fatal("write succeeded")
			}
			if !strings.Contains(err.Error(), tc.errno.Error()) || !strings.Contains(err.Error(), parent) {
				t.Errorf("error %q does not name the path and %q", err, tc.errno.Error())
			}
			if !equal(before, snapshot(t, out)) {
				t.Error("previous output changed")
			}
			if l := leftovers(t, parent); len(l) > 0 {
				t.Errorf("left beside out: %v", l)
			}
		})
	}
}

// The errno itself reaches the caller, for hints, in-process.
func TestWriteErrorWraps(t *testing.T) {
	parent := testfs.MustTmpfs(t, "size=256k")
	err := publish.Write(filepath.Join(parent, "out"), big())
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v", err)
	}
	// Writers run in parallel, so which file meets the full disk first
	// varies; whichever it is, it is named as it would be in out, not in
	// the temporary tree.
	if want := filepath.Join(parent, "out") + string(filepath.Separator); !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), ".out.new") {
		t.Errorf("err = %v, want it to name a file in %s", err, want)
	}
}

// scratch is a directory for tests that write many trees: a tmpfs where
// one can be mounted, so that syncing them does not wait for what every
// other process on the machine writes to its disk.
func scratch(t *testing.T) string {
	if dir, err := testfs.Tmpfs(t, "size=256m"); err == nil {
		return dir
	}
	return t.TempDir()
}

// The temporary trees killed writers left are removed before the next
// write; nothing else beside out is, whatever it is called.
func TestWriteRemovesStaleTrees(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, site("v1")); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	os.WriteFile(filepath.Join(elsewhere, "keep"), []byte("x"), 0o644)
	for _, p := range []string{".out.new-123/a/b", ".out.new-456.old/c", ".out.new-x/keep", ".other.new-1/keep", ".out.new-/keep", "out.new-1/keep"} {
		if err := os.MkdirAll(filepath.Join(parent, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(elsewhere, filepath.Join(parent, ".out.new-789"))
	var notes []string
	err := publish.Options{Note: func(m string) { notes = append(notes, m) }}.Write(context.Background(), out, site("v2"))
	if err != nil {
		t.Fatal(err)
	}
	got := leftovers(t, parent)
	want := []string{".other.new-1", ".out.new-", ".out.new-789", ".out.new-x", "out.new-1"}
	if !slices.Equal(got, want) {
		t.Errorf("beside out: %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "keep")); err != nil {
		t.Error("a symlinked directory's contents went")
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "removed 2 temporary trees") {
		t.Errorf("notes: %q", notes)
	}
}

// holdLock takes out's lock as another build would, until the returned
// function runs.
func holdLock(t *testing.T, out string) func() {
	t.Helper()
	f, err := os.OpenFile(publish.LockPath(out), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%d\n", 4242)
	var once sync.Once
	release := func() { once.Do(func() { os.Remove(f.Name()); f.Close() }) }
	t.Cleanup(release)
	return release
}

// A write waits for the lock and says so, or with NoWait fails at once;
// a temporary tree beside a locked out belongs to a live build and stays.
func TestWriteWaitsForLock(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, site("v1")); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(parent, ".out.new-1")
	os.Mkdir(live, 0o755)
	release := holdLock(t, out)

	err := publish.Options{NoWait: true}.Write(context.Background(), out, site("v2"))
	if !errors.Is(err, publish.ErrBusy) || !strings.Contains(err.Error(), "(process 4242)") {
		t.Errorf("NoWait: err = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := (publish.Options{}).Write(ctx, out, site("v2")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a write waiting past its deadline: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live build's temporary tree was removed")
	}

	noted := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- publish.Options{Note: func(m string) { noted <- m }}.Write(context.Background(), out, site("v2"))
	}()
	select {
	case m := <-noted:
		if want := "waiting for another build of " + out + " (process 4242)"; m != want {
			t.Errorf("note %q, want %q", m, want)
		}
	case err := <-done:
		t.Fatalf("write did not wait: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no note while waiting")
	}
	select {
	case err := <-done:
		t.Fatalf("write did not wait: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, out)[".well-known/openid-configuration"]; got != "-rw-r--r-- v2" {
		t.Errorf("got %q", got)
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("left beside out: %v", l)
	}
}

// Writers of one directory take turns: every one succeeds, and out is one
// of them whole.
func TestConcurrentWrites(t *testing.T) {
	parent := scratch(t)
	out := filepath.Join(parent, "out")
	const n, files = 4, 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			as := site(fmt.Sprint("v", i))
			for j := range files {
				as = append(as, artifact.Artifact{Path: fmt.Sprintf("clients/%d.json", j), Body: fmt.Appendf(nil, "%d/%d", i, j)})
			}
			errs[i] = publish.Write(out, as)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got := snapshot(t, out)
	v := strings.TrimPrefix(got[".well-known/openid-configuration"], "-rw-r--r-- v")
	for j := range files {
		if c := got[fmt.Sprintf("clients/%d.json", j)]; c != fmt.Sprintf("-rw-r--r-- %s/%d", v, j) {
			t.Fatalf("out mixes writers: v%s and %q", v, c)
		}
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("left beside out: %v", l)
	}
}

// A write cancelled at any moment leaves either the old out or the new one,
// whole, and says which: an error means the old one.
func TestWriteCancelled(t *testing.T) {
	parent := scratch(t)
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, site("v0")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (publish.Options{}).Write(ctx, out, site("v1")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: %v", err)
	}
	gen := func(i int) []artifact.Artifact {
		as := site(fmt.Sprint("v", i))
		for j := range 500 {
			as = append(as, artifact.Artifact{Path: fmt.Sprintf("c/%d.json", j), Body: fmt.Appendf(nil, "%d", i)})
		}
		return as
	}
	// Cancelled at random up to twice as long as a write takes
	// here, so that some runs swap and others do not.
	start := time.Now()
	if err := publish.Write(out, gen(1)); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	outcomes := map[bool]int{}
	for i := 2; i <= 16; i++ {
		as := gen(i)
		before := snapshot(t, out)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Duration(rand.Int64N(2*int64(took))), cancel)
		err := publish.Options{}.Write(ctx, out, as)
		cancel()
		after := snapshot(t, out)
		outcomes[err == nil]++
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			t.Fatalf("run %d: %v", i, err)
		case err != nil && !equal(before, after):
			t.Fatalf("run %d: cancelled, but out changed", i)
		case err == nil && after[".well-known/openid-configuration"] != fmt.Sprint("-rw-r--r-- v", i):
			t.Fatalf("run %d: succeeded, but out is not the new build", i)
		}
		if l := leftovers(t, parent); len(l) > 0 {
			t.Fatalf("run %d: left beside out: %v", i, l)
		}
	}
	t.Logf("outcomes (swapped: runs): %v", outcomes)
}

// A swap that succeeds while the old tree cannot be removed (no spare kept)
// is a success with a warning naming the leftover, and the next write does
// not fail on it either.
func TestWriteLeftoverIsWarning(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, append(site("v1"), artifact.Artifact{Path: "d/x", Body: []byte("x")})); err != nil {
		t.Fatal(err)
	}
	pin(t, parent, filepath.Join(out, "d"))
	var warns []error
	o := publish.Options{Warn: func(err error) { warns = append(warns, err) }, NoSpare: true}
	if err := o.Write(context.Background(), out, site("v2")); err != nil {
		t.Fatalf("write failed: %v", err)
	}
	if got := snapshot(t, out)[".well-known/openid-configuration"]; got != "-rw-r--r-- v2" {
		t.Errorf("out holds %q", got)
	}
	var le *publish.LeftoverError
	if len(warns) != 1 || !errors.As(warns[0], &le) {
		t.Fatalf("warnings: %v", warns)
	}
	if _, err := os.Stat(filepath.Join(le.Left, "d", "x")); err != nil || !strings.Contains(le.Error(), le.Left) {
		t.Errorf("warning %q names no leftover that is there (%v)", le, err)
	}
	warns = nil
	if err := o.Write(context.Background(), out, site("v3")); err != nil {
		t.Fatalf("the write after failed: %v", err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "left by an interrupted build") {
		t.Errorf("warnings: %v", warns)
	}
}
