package publish

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// LockPath is the lock a Write of dir holds while it works: a file beside
// dir, never inside it, so that it is never published. The writer that
// holds it removes it when done (on unix); one that is killed leaves an
// empty, unlocked file, which the next writer takes and removes.
func LockPath(dir string) string {
	dir = filepath.Clean(dir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// lock takes dir's lock, waiting for the writer that holds it unless
// NoWait, and returns what releases it. The lock goes with the process, so
// a writer that is killed holds it no longer.
func (o Options) lock(ctx context.Context, dir string) (unlock func(), err error) {
	p := LockPath(dir)
	wait, waited := 5*time.Millisecond, false
	for {
		f, err := openLock(p)
		if err != nil {
			return nil, fmt.Errorf("cannot lock %s: %w", dir, err)
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot lock %s: %s: %w", dir, p, err)
		}
		if ok && current(f, p) {
			// Who holds it, for the message of the next writer; best effort.
			if f.Truncate(0) == nil {
				f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), pidAt)
			}
			return func() { release(f, p) }, nil
		}
		if ok {
			// Locked a file its holder removed on release: the lock is
			// now whichever file the name holds.
			f.Close()
			continue
		}
		who := holder(f)
		f.Close()
		if o.NoWait {
			return nil, fmt.Errorf("%s: %w%s", dir, ErrBusy, who)
		}
		if !waited {
			o.note("waiting for another build of %s%s", dir, who)
			waited = true
		}
		// Polled rather than blocked on, so that a signal ends the wait.
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// holder says which process holds the lock f, when it wrote that down.
func holder(f *os.File) string {
	b := make([]byte, 24)
	n, _ := f.ReadAt(b, pidAt)
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:n])))
	if err != nil || pid <= 0 {
		return ""
	}
	return fmt.Sprintf(" (process %d)", pid)
}
