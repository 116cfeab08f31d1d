//go:build unix

package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

// tree is the directory a build is written to, with the previous build it
// replaces. Its methods run once per published file, tens of thousands of
// times for a large registry, where a file's cost is almost all system
// calls: so every directory is opened once and files are reached from it by
// name, and the kernel is called directly (os.OpenFile adds four calls per
// file on Linux, offering a regular file to the network poller).
//
// A file the previous build holds byte for byte is hard-linked into the new
// tree rather than written again. A new inode costs the file system far more
// than a link, and freeing the old one when the old tree is removed costs as
// much again, so a rebuild of a large registry, whose signature files are
// deterministic too, mostly costs links. Only a regular file with mode 0644
// and no other link, reached through directories alone, is taken, and the
// link is checked to be the very file that was compared; anything else is
// written afresh. The previous tree gains a link count on some files and is
// otherwise untouched, so a failed build still leaves it as it was.
//
// A tree may instead be the spare (see SparePath), patched in place: a file
// it already holds is kept, and any other is linked from the previous build
// or written, under a temporary name renamed over the old one, so that no
// inode is ever written twice (the spare shares its inodes with the
// previous build, which is being served). What a build does not put is
// removed by prune.
//
// put and mkdir may be called from many goroutines at once, for different
// names.
type tree struct {
	root string
	prev string // "" when there is no previous build

	// spare, when set, is the index of the spare that root is: a file whose
	// identity it records is taken to hold the recorded digest unread.
	spare *index
	// prevIx is the previous build's index, or nil: trusted the same way
	// for the files to link from it.
	prevIx *index

	// loaded is done once both indexes are decoded (see readIndex): every
	// put, find and keep first opens its directory, which waits for it.
	loaded sync.Once

	mu    sync.Mutex
	dirs  map[string]int // slash path → descriptor, in the new tree
	old   map[string]int // the same in the previous build; -1 if it is not a directory there
	files map[string]entry
	// perDir counts the files put, by directory.
	perDir map[string]int
	// prevFiles are the previous build's files linked into this one, with
	// the identity they have after it (a link changes the ctime of both).
	prevFiles map[string]entry
}

func newTree(root, prev string) *tree {
	return &tree{root: root, prev: prev, dirs: map[string]int{}, old: map[string]int{},
		files: map[string]entry{}, perDir: map[string]int{}, prevFiles: map[string]entry{}}
}

// load waits for the indexes the tree trusts.
func (t *tree) load() {
	t.loaded.Do(func() {
		t.spare.wait()
		t.prevIx.wait()
	})
}

// expect sizes the tree's index for about n files.
func (t *tree) expect(n int) { t.files = make(map[string]entry, n) }

// mkdir makes dir in the tree and opens it, and the previous build's dir,
// for put, which also does so for a directory mkdir has not made.
func (t *tree) mkdir(dir string) error {
	_, _, err := t.dir(dir)
	return err
}

func (t *tree) dir(dir string) (fd, old int, err error) {
	t.load()
	t.mu.Lock()
	defer t.mu.Unlock()
	fd, err = t.dirLocked(dir)
	if err != nil {
		return -1, -1, err
	}
	return fd, t.old[dir], nil
}

func (t *tree) dirLocked(dir string) (int, error) {
	if fd, ok := t.dirs[dir]; ok {
		return fd, nil
	}
	var fd int
	var err error
	if dir == "." {
		fd, err = unix.Open(t.root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			err = fmt.Errorf("open: %w", err)
		}
	} else {
		var parent int
		if parent, err = t.dirLocked(path.Dir(dir)); err == nil {
			fd, err = t.openDir(parent, dir)
		}
	}
	if err != nil {
		return -1, err
	}
	t.dirs[dir] = fd
	t.openOld(dir)
	return fd, nil
}

// openDir opens dir below parent, making it if it is not there. In a spare,
// whatever else holds the name (a file, a symlink) is removed first, and a
// directory whose mode was changed gets a build's back.
func (t *tree) openDir(parent int, dir string) (int, error) {
	name := path.Base(dir)
	for try := 0; ; try++ {
		fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == nil {
			if t.spare != nil {
				var st unix.Stat_t
				if err := unix.Fstat(fd, &st); err == nil && st.Mode&0o7777 != 0o755 {
					if err := unix.Fchmod(fd, 0o755); err != nil {
						unix.Close(fd)
						return -1, fmt.Errorf("chmod: %w", err)
					}
				}
			}
			return fd, nil
		}
		switch {
		case try > 0:
			return -1, fmt.Errorf("open: %w", err)
		case err == unix.ENOENT:
		case (err == unix.ENOTDIR || err == unix.ELOOP) && t.spare != nil:
			if _, mine := t.files[dir]; mine {
				return -1, fmt.Errorf("%s is both a file and a directory", dir)
			}
			if err := unix.Unlinkat(parent, name, 0); err != nil {
				return -1, fmt.Errorf("unlink: %w", err)
			}
		default:
			return -1, fmt.Errorf("open: %w", err)
		}
		if err := unix.Mkdirat(parent, name, 0o755); err != nil && err != unix.EEXIST {
			return -1, fmt.Errorf("mkdir: %w", err)
		}
	}
}

// openOld opens dir of the previous build one name at a time, refusing
// symlinks, so that no file from elsewhere is taken for one of its own.
func (t *tree) openOld(dir string) int {
	if fd, ok := t.old[dir]; ok {
		return fd
	}
	fd := -1
	switch {
	case t.prev == "":
	case dir == ".":
		fd, _ = unix.Open(t.prev, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	default:
		if parent := t.openOld(path.Dir(dir)); parent >= 0 {
			fd, _ = unix.Openat(parent, path.Base(dir), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
	}
	t.old[dir] = max(fd, -1)
	return t.old[dir]
}

func identityOf(st *unix.Stat_t) identity { return stamp.Of(st) }

// put writes name into dir holding body, making dir if need be.
func (t *tree) put(dir, name string, body []byte) error {
	d, old, err := t.dir(dir)
	if err != nil {
		return err
	}
	p := name
	if dir != "." {
		p = dir + "/" + name
	}
	sum := sha256.Sum256(body)
	if t.spare != nil {
		return t.patch(d, old, p, name, body, sum)
	}
	if old >= 0 {
		// A link that fails is written instead, which says why if it
		// fails too.
		if id, ok, _ := t.link(old, d, p, name, name, body, len(body), sum, nil); ok {
			t.record(p, sum, id)
			return nil
		}
	}
	st, err := create(d, name, body)
	if err == nil {
		t.record(p, sum, identityOf(&st))
	}
	return err
}

// create writes body into a new file name of the directory d, and returns
// what stat says of it.
func create(d int, name string, body []byte) (unix.Stat_t, error) {
	var st unix.Stat_t
	fd, err := unix.Openat(d, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return st, fmt.Errorf("open: %w", err)
	}
	err = writeFull(fd, body)
	if err == nil {
		if err = unix.Fstat(fd, &st); err != nil {
			err = fmt.Errorf("stat: %w", err)
		}
	}
	// close reports what write-back found for file systems that write at
	// close (NFS): it counts like a failed write.
	if err1 := unix.Close(fd); err == nil && err1 != nil {
		err = fmt.Errorf("close: %w", err1)
	}
	return st, err
}

// patch makes the spare's name in the directory d hold body: kept if it
// does, else linked from the previous build's directory old or written,
// and renamed over it.
func (t *tree) patch(d, old int, p, name string, body []byte, sum [sha256.Size]byte) error {
	var st unix.Stat_t
	err := unix.Fstatat(d, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case err == unix.ENOENT:
	case err != nil:
		return fmt.Errorf("stat: %w", err)
	case st.Mode == unix.S_IFREG|0o644 && st.Size == int64(len(body)) && st.Nlink <= 2:
		// Two links at most: its own and the previous build's; a file
		// linked from elsewhere could be changed from there.
		id := identityOf(&st)
		if e, ok := t.spare.files[p]; ok && e == entryOf(id, sum) ||
			sameFile(d, name, id, func(fd int) bool { return readsAs(fd, body) }) {
			t.record(p, sum, id)
			return nil
		}
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		t.mu.Lock()
		_, mine := t.dirs[p]
		t.mu.Unlock()
		if mine {
			return fmt.Errorf("%s is both a file and a directory", p)
		}
		if err := os.RemoveAll(filepath.Join(t.root, filepath.FromSlash(p))); err != nil {
			return withoutPath(err)
		}
	}
	tmp := tempName()
	if old >= 0 {
		if id, ok, _ := t.link(old, d, p, name, tmp, body, len(body), sum, nil); ok {
			t.record(p, sum, id)
			return nil
		}
	}
	_, err = create(d, tmp, body)
	if err == nil {
		err = renameOver(d, tmp, name)
	}
	if err != nil {
		unix.Unlinkat(d, tmp, 0)
		return err
	}
	// Stat after the rename, which changes the file's ctime.
	if err := unix.Fstatat(d, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	t.record(p, sum, identityOf(&st))
	return nil
}

func renameOver(d int, from, to string) error {
	if err := unix.Renameat(d, from, d, to); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	return nil
}

// tempName is a name for a file on its way into a spare's directory: short,
// whatever the final name's length, and removed by prune if a build stops
// before renaming it.
func tempName() string {
	var b [8]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return ".wk-" + hex.EncodeToString(b[:])
}

// sameFile reports whether name in d is the file with identity id and
// its bytes pass check.
func sameFile(d int, name string, id identity, check func(fd int) bool) bool {
	fd, err := unix.Openat(d, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	return unix.Fstat(fd, &st) == nil && identityOf(&st) == id && check(fd)
}

func (t *tree) record(p string, sum [sha256.Size]byte, id identity) {
	dir := "."
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir = p[:i]
	}
	t.mu.Lock()
	n := len(t.files)
	t.files[p] = entryOf(id, sum)
	if len(t.files) > n {
		t.perDir[dir]++
	}
	t.mu.Unlock()
}

// writeFull writes all of b to fd. A failed write returns -1 with its
// error (ENOSPC, EFBIG past RLIMIT_FSIZE, EIO); a short one is retried for
// the rest, which then fails with the reason.
func writeFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("write: %w", err)
		case n == 0:
			return fmt.Errorf("write: %w", io.ErrShortWrite)
		}
		b = b[n:]
	}
	return nil
}

// link puts the previous build's name from the directory old into new as
// as if it holds exactly body (p, its path, size bytes with digest sum),
// and returns the identity it then has. A file of the previous build's
// index is trusted unread while its identity is the recorded one; any
// other is read and compared with body. With vouched, the identity find
// saw and checked, body is nil and the file is not looked at again: the
// link itself is then checked to be that file, unchanged (see keep). It
// returns false for a file that is not that one, or is gone, and an error
// when the link could not be made: a full file system (tmpfs counts links
// as inodes) is not a file that changed.
func (t *tree) link(old, new int, p, name, as string, body []byte, size int, sum [sha256.Size]byte, vouched *identity) (identity, bool, error) {
	var want identity
	if vouched != nil {
		want = *vouched
	} else {
		fd, err := unix.Openat(old, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return identity{}, false, nil
		}
		var st unix.Stat_t
		same := unix.Fstat(fd, &st) == nil &&
			st.Mode == unix.S_IFREG|0o644 && st.Size == int64(size) && st.Nlink == 1
		if same {
			e, ok := t.prevIx.lookup(p)
			same = ok && e == entryOf(identityOf(&st), sum) || body != nil && readsAs(fd, body)
		}
		unix.Close(fd)
		if !same {
			return identity{}, false, nil
		}
		want = identityOf(&st)
	}
	if err := unix.Linkat(old, name, new, as, 0); err == unix.ENOENT {
		return identity{}, false, nil
	} else if err != nil {
		return identity{}, false, fmt.Errorf("link: %w", err)
	}
	// The link is the file compared, unwritten since: a link moves only
	// its ctime.
	var lst unix.Stat_t
	if unix.Fstatat(new, as, &lst, unix.AT_SYMLINK_NOFOLLOW) != nil || !sameFileAs(&lst, want) {
		unix.Unlinkat(new, as, 0) // replaced or written between the compare and the link
		return identity{}, false, nil
	}
	if as != name {
		err := renameOver(new, as, name)
		if err == nil {
			if err = unix.Fstatat(new, name, &lst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				err = fmt.Errorf("stat: %w", err)
			}
		}
		if err != nil {
			unix.Unlinkat(new, as, 0)
			return identity{}, false, err
		}
	}
	id := identityOf(&lst)
	t.mu.Lock()
	t.prevFiles[p] = entryOf(id, sum)
	t.mu.Unlock()
	return id, true, nil
}

// sameFileAs reports whether st is the file of identity id, but for the
// ctime a link moves.
func sameFileAs(st *unix.Stat_t, id identity) bool {
	got := identityOf(st)
	got.Ctime = id.Ctime
	return got == id && st.Mode == unix.S_IFREG|0o644
}

// source is where find found a file that keep is to put: the spare's own
// file, kept in place, or the previous build's, to link.
type source struct {
	d, old  int // the directory in the tree, and in the previous build
	p, name string
	id      identity // of the file found, as find vouched for it
	inPlace bool
}

// find reports where a file that the indexes say holds size bytes with
// digest sum is, trusting them as patch and link do: the spare's file at
// p, or the previous build's. It looks and touches nothing but the
// directories it opens.
func (t *tree) find(p string, size int, sum [sha256.Size]byte) (source, bool, error) {
	dir, name := path.Split(p)
	dir = path.Clean(dir)
	d, old, err := t.dir(dir)
	if err != nil {
		return source{}, false, err
	}
	src := source{d: d, old: old, p: p, name: name}
	if t.spare != nil {
		var st unix.Stat_t
		err := unix.Fstatat(d, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		switch {
		case err == unix.ENOENT:
		case err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG:
			return src, false, nil // patch knows what to do with it
		case st.Mode == unix.S_IFREG|0o644 && st.Size == int64(size) && st.Nlink <= 2:
			id := identityOf(&st)
			// One whose identity moved is read: a file out/ shares
			// with the spare, written again with its own bytes, would
			// otherwise be linked onto itself, which moves it again.
			if e, ok := t.spare.files[p]; ok && e == entryOf(id, sum) ||
				sameFile(d, name, id, func(fd int) bool { return hashesTo(fd, size, sum) }) {
				src.id, src.inPlace = id, true
				return src, true, nil
			}
		}
	}
	if old < 0 {
		return src, false, nil
	}
	e, ok := t.prevIx.lookup(p)
	if !ok {
		return src, false, nil
	}
	var st unix.Stat_t
	if unix.Fstatat(old, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Mode != unix.S_IFREG|0o644 || st.Size != int64(size) || st.Nlink != 1 {
		return src, false, nil
	}
	src.id = identityOf(&st)
	if e == entryOf(src.id, sum) {
		return src, true, nil
	}
	// A file whose identity moved since its build is read: removing a
	// spare that shared it (a failed build's) changes its ctime, and
	// every client would otherwise be made again after every failure.
	return src, sameFile(old, name, src.id, func(fd int) bool { return hashesTo(fd, size, sum) }), nil
}

// hashesTo reports whether fd holds size bytes with digest sum.
func hashesTo(fd, size int, sum [sha256.Size]byte) bool {
	b := readUpTo(fd, size)
	return len(b) == size && sha256.Sum256(b) == sum
}

// keep puts the file find found.
func (t *tree) keep(src source, size int, sum [sha256.Size]byte) error {
	if src.inPlace {
		t.record(src.p, sum, src.id)
		return nil
	}
	as := src.name
	if t.spare != nil {
		as = tempName()
	}
	id, ok, err := t.link(src.old, src.d, src.p, src.name, as, nil, size, sum, &src.id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the previous build's %s changed while this one read it; build again", src.p)
	}
	t.record(src.p, sum, id)
	return nil
}

// previous returns the previous build's file at p if it holds exactly
// size bytes with the digest sum: read, so that neither a file edited by
// hand nor one its index does not vouch for gives anything.
func (t *tree) previous(p string, size int, sum [sha256.Size]byte) ([]byte, bool) {
	dir, name := path.Split(p)
	t.mu.Lock()
	old := t.openOld(path.Clean(dir))
	t.mu.Unlock()
	if old < 0 {
		return nil, false
	}
	// Non-blocking: a FIFO put in its place would otherwise wait for a
	// writer.
	fd, err := unix.Openat(old, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != int64(size) {
		return nil, false
	}
	b := readUpTo(fd, size)
	if len(b) != size || sha256.Sum256(b) != sum {
		return nil, false
	}
	return b, true
}

func (x *index) lookup(p string) (entry, bool) {
	if x == nil {
		return entry{}, false
	}
	e, ok := x.files[p]
	return e, ok
}

// readsAs reports whether fd holds exactly body.
func readsAs(fd int, body []byte) bool { return bytes.Equal(readUpTo(fd, len(body)), body) }

// readUpTo reads fd to its end, or to one byte past size, which catches a
// file that grew since it was measured.
func readUpTo(fd, size int) []byte {
	buf := make([]byte, size+1)
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m == 0 {
			break
		}
		n += m
	}
	return buf[:n]
}

// prune removes from a spare whatever this build did not put: the files
// and directories of the build before, and temporary files of one that
// stopped. A directory that holds as many names as the build put in it
// holds nothing else, and its names are not looked up one by one: a
// registry's directory holds 100,000.
func (t *tree) prune() error {
	if t.spare == nil {
		return nil
	}
	want := map[string]int{".": 0} // every directory the build put files in, its parents too, with its names
	for d := range t.perDir {
		for ; d != "."; d = path.Dir(d) {
			if _, ok := want[d]; ok {
				break
			}
			want[d] = 0
		}
	}
	for d := range want {
		if d != "." {
			want[path.Dir(d)]++
		}
		want[d] += t.perDir[d]
	}
	for d, n := range want {
		dir := filepath.Join(t.root, filepath.FromSlash(d))
		if has, err := names(dir); err == nil && has == n {
			continue
		}
		f, err := os.Open(dir)
		if err != nil {
			return withoutPath(err)
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return withoutPath(err)
		}
		for _, e := range entries {
			c := e.Name()
			if d != "." {
				c = d + "/" + c
			}
			if _, ok := t.files[c]; ok && !e.IsDir() {
				continue
			}
			if _, ok := want[c]; ok && e.IsDir() {
				continue
			}
			if err := os.RemoveAll(filepath.Join(t.root, filepath.FromSlash(c))); err != nil {
				return withoutPath(err)
			}
		}
	}
	return nil
}

// names counts the names in dir, but "." and "..".
func names(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 64<<10)
	var seen []string
	n := 0
	for {
		m, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if m <= 0 {
			return n, nil
		}
		var count int
		_, count, seen = unix.ParseDirent(buf[:m], -1, seen[:0])
		n += count
	}
}

// indexes returns the new tree's index and the previous build's, as they
// stand once the build is done: the files linked from it have new ctimes.
// The previous build's index is updated in place, the tree's own: for a
// large registry each is tens of megabytes.
func (t *tree) indexes(root, prevRoot [2]uint64) (cur, prev *index) {
	t.load()
	cur = &index{root: root, files: t.files}
	prev = &index{root: prevRoot, files: t.prevFiles}
	if t.prevIx != nil {
		prev.files = t.prevIx.files
		for p, e := range t.prevFiles {
			prev.files[p] = e
		}
	}
	return cur, prev
}

// rootOf is the identity of the directory dir, by which its index is
// known to be its own.
func rootOf(dir string) ([2]uint64, bool) {
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return [2]uint64{}, false
	}
	return [2]uint64{uint64(st.Dev), uint64(st.Ino)}, true
}

// isSystemError reports whether err is the system's: the file system may
// fail for one tree and not another.
func isSystemError(err error) bool {
	var errno unix.Errno
	return errors.As(err, &errno)
}

// spareSupported: the spare relies on link counts and stat identities.
const spareSupported = true

// close closes the tree's directories; it may be called again.
func (t *tree) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range []map[string]int{t.dirs, t.old} {
		for _, fd := range m {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
		clear(m)
	}
}
