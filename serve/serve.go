// Package serve previews a built tree with exactly the headers production
// will send: it reads the tree's _headers, the file Netlify and Cloudflare
// Pages apply and every other host format is derived from, and serves the
// files it lists and nothing else.
package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/hosting"
)

// Handler serves one built tree. It reloads the tree when its _headers is
// replaced, so a preview follows `wellknown build` without a restart.
type Handler struct {
	dir string
	// errorLog receives files that the tree lists but cannot be served
	// (missing, or a symbolic link out of the tree).
	errorLog *log.Logger

	// reloading is closed when the reload that one request runs ends;
	// mu guards only the pointer and is never held while files are read.
	mu        sync.Mutex
	reloading chan struct{}
	snap      atomic.Pointer[snapshot]
	// failed is the _headers a reload last failed on, so that every
	// request does not retry (and log) the same failure.
	failed atomic.Pointer[os.FileInfo]
}

// snapshot is the tree as of one _headers: every listed file in memory.
// Trees are a few kilobytes, and serving from memory keeps the file system
// out of the request path: a request cannot open anything.
type snapshot struct {
	stamp os.FileInfo // of _headers when it was read
	files map[string]*entry
}

type entry struct {
	header http.Header
	body   []byte
	etag   string
	err    error // why the file cannot be served; answered with 403
}

// New returns a handler for the tree in dir. It fails when dir has no
// valid _headers; files that cannot be read are reported to errorLog (nil
// means the log package's standard logger) and answered 403, so one bad
// link does not hide the rest of the preview.
func New(dir string, errorLog *log.Logger) (*Handler, error) {
	if errorLog == nil {
		errorLog = log.Default()
	}
	h := &Handler{dir: dir, errorLog: errorLog}
	s, err := h.load()
	if err != nil {
		return nil, err
	}
	h.snap.Store(s)
	return h, nil
}

// Files returns the number of files served and those that cannot be.
func (h *Handler) Files() (ok int, broken []string) {
	s := h.current()
	for p, e := range s.files {
		if e.err != nil {
			broken = append(broken, p)
		} else {
			ok++
		}
	}
	return ok, broken
}

func (h *Handler) logf(format string, args ...any) {
	h.errorLog.Printf(format, args...)
}

func (h *Handler) load() (*snapshot, error) {
	// Open the directory by name each time: publish swaps a new tree in
	// under the same name, and an old descriptor would keep the old tree.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	stamp, err := root.Stat(hosting.HeadersFile)
	if err != nil {
		return nil, fmt.Errorf("%w\nhint: build the site first, or point --dir at a built tree", err)
	}
	t, err := hosting.ServedTree(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.dir, err)
	}
	for _, msg := range t.Skipped {
		h.logf("serve: %s: %s", h.dir, msg)
	}
	s := &snapshot{stamp: stamp, files: make(map[string]*entry, len(t.Paths))}
	for _, p := range t.Paths {
		e := &entry{header: t.Headers[p]}
		// os.Root refuses "..", absolute links and links that leave dir;
		// ReadFile opens nothing but regular files, so a named pipe
		// cannot block the reload.
		body, err := hosting.ReadFile(root, filepath.FromSlash(p))
		if err != nil {
			e.err = err
			h.logf("serve: %s: cannot serve /%s: %v", h.dir, p, err)
		} else {
			sum := sha256.Sum256(body)
			e.body = body
			e.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
		}
		s.files[p] = e
	}
	return s, nil
}

// reloadWait bounds how long a request waits for another request's reload
// before it is answered from the previous tree. Reads cannot block (only
// regular files are opened), so a reload of a metadata tree ends well
// within it; the bound keeps a pathological disk from stalling requests.
const reloadWait = 10 * time.Second

// current returns the snapshot, reloading it first when _headers changed.
// The check is one stat per request; a tree being swapped in mid-request
// is answered from the old snapshot until its _headers is in place. One
// request at a time reloads, reading the new tree before it swaps the
// snapshot pointer. Requests that see the change meanwhile wait for that
// reload (at most reloadWait), so that no request that follows a rebuild
// gets the tree it replaced.
func (h *Handler) current() *snapshot {
	s := h.snap.Load()
	fi, fresh := h.fresh(s)
	if fresh {
		return s
	}
	h.mu.Lock()
	if done := h.reloading; done != nil {
		h.mu.Unlock()
		t := time.NewTimer(reloadWait)
		defer t.Stop()
		select {
		case <-done:
			return h.snap.Load()
		case <-t.C:
			return s
		}
	}
	done := make(chan struct{})
	h.reloading = done
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.reloading = nil
		h.mu.Unlock()
		close(done)
	}()
	if s = h.snap.Load(); same(fi, s.stamp) {
		return s // another request reloaded it
	}
	n, err := h.load()
	if err != nil {
		h.failed.Store(&fi)
		h.logf("serve: reload: %v (still serving the previous tree)", err)
		return s
	}
	h.snap.Store(n)
	return n
}

// fresh reports whether s is still the tree on disk, or whether there is
// no complete tree to replace it with (none, or one a reload failed on),
// and returns the stat of _headers.
func (h *Handler) fresh(s *snapshot) (os.FileInfo, bool) {
	fi, err := os.Stat(filepath.Join(h.dir, hosting.HeadersFile))
	if err != nil || same(fi, s.stamp) {
		return fi, true
	}
	if f := h.failed.Load(); f != nil && same(fi, *f) {
		return fi, true
	}
	return fi, false
}

func same(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// ServeHTTP answers GET and HEAD with the file and its declared headers,
// conditional requests with 304, OPTIONS with a CORS preflight, and
// anything not listed in _headers with 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The URL path is already percent-decoded, so "%2e%2e" arrives as "..";
	// a path that is not exactly a listed one is 404, whatever it holds.
	p, ok := strings.CutPrefix(r.URL.Path, "/")
	e := h.current().files[p]
	if !ok || e == nil {
		http.NotFound(w, r)
		return
	}
	if e.err != nil {
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return
	}
	hdr := w.Header()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		for k, v := range e.header {
			hdr[k] = v
		}
		hdr.Set("ETag", e.etag)
		// ServeContent answers HEAD, Range and If-None-Match (304), and
		// keeps the declared Content-Type; a zero time sends no
		// Last-Modified, which would change with every build.
		http.ServeContent(w, r, p, time.Time{}, bytes.NewReader(e.body))
	case http.MethodOptions:
		for k, v := range e.header {
			if k != "Content-Type" {
				hdr[k] = v
			}
		}
		if e.header.Get("Access-Control-Allow-Origin") != "" {
			for k, v := range headers.Preflight {
				hdr.Set(k, v)
			}
		}
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	}
}

// Serve serves h on ln until ctx is cancelled, then stops accepting, lets
// requests in flight finish for up to grace, and closes every connection.
// With tlsCert and tlsKey set it serves https.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, tlsCert, tlsKey string, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCert != "" {
			errc <- srv.ServeTLS(ln, tlsCert, tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
