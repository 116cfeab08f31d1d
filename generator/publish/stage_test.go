package publish_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// registry is a site of n documents, as a build renders them.
func registry(n int, v string) []artifact.Artifact {
	as := site(`{"v":"` + v + `"}`)
	for i := range n {
		as = append(as, artifact.Artifact{Path: fmt.Sprintf("clients/c%04d.json", i), Body: []byte(fmt.Sprintf(`{"n":%d,"v":%q}`, i, v))})
	}
	return as
}

// streamed renders as like a build with a sink: the documents stored from
// several goroutines as they are made, the rest left for Build to write.
func streamed(as []artifact.Artifact) publish.Render {
	return func(sink artifact.Sink) ([]artifact.Artifact, error) {
		out := append([]artifact.Artifact(nil), as...)
		var wg sync.WaitGroup
		errs := make([]error, len(out))
		for i := range out {
			if !strings.HasPrefix(out[i].Path, "clients/") {
				continue
			}
			wg.Go(func() { errs[i] = artifact.Store(sink, &out[i]) })
		}
		wg.Wait()
		return out, errors.Join(errs...)
	}
}

// TestBuildMatchesWrite: a tree written as it is made holds what Write
// writes of the same list, byte for byte, fresh and over previous builds.
func TestBuildMatchesWrite(t *testing.T) {
	base := t.TempDir()
	for i, v := range []string{"1", "2", "2", "3"} {
		as := registry(50, v)
		want, got := filepath.Join(base, "want"), filepath.Join(base, "got")
		if err := publish.Write(want, as); err != nil {
			t.Fatal(err)
		}
		if err := (publish.Options{}).Build(context.Background(), got, streamed(as)); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		if w, g := snapshot(t, want), snapshot(t, got); !equal(w, g) {
			t.Fatalf("build %d: the tree differs from Write's", i)
		}
	}
}

// TestBuildFailureLeavesOutput: a render that fails after storing files,
// or that lists what it did not store, leaves the output as it was.
func TestBuildFailureLeavesOutput(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, registry(10, "old")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	boom := errors.New("a client file is invalid")
	renders := map[string]publish.Render{
		"render fails": func(sink artifact.Sink) ([]artifact.Artifact, error) {
			if _, err := streamed(registry(10, "new"))(sink); err != nil {
				return nil, err
			}
			return nil, boom
		},
		"a stored file is not listed": func(sink artifact.Sink) ([]artifact.Artifact, error) {
			as, err := streamed(registry(10, "new"))(sink)
			return as[:len(as)-1], err
		},
		"a listed file was never stored": func(sink artifact.Sink) ([]artifact.Artifact, error) {
			as, err := streamed(registry(10, "new"))(sink)
			as = append(as, artifact.Artifact{Path: "clients/ghost.json", Stored: true, Size: 2})
			return as, err
		},
		"a file stored twice": func(sink artifact.Sink) ([]artifact.Artifact, error) {
			as, err := streamed(registry(10, "new"))(sink)
			if err == nil {
				err = sink.Put("clients/c0001.json", []byte("{}"))
			}
			return as, err
		},
	}
	for name, render := range renders {
		err := (publish.Options{}).Build(context.Background(), out, render)
		if err == nil {
			t.Errorf("%s: the build succeeded", name)
		}
		if name == "render fails" && !errors.Is(err, boom) {
			t.Errorf("%s: %v, not the render's error", name, err)
		}
		if !equal(before, snapshot(t, out)) {
			t.Errorf("%s: out changed", name)
		}
		for _, l := range leftovers(t, parent) {
			if !besideOut[l] {
				t.Errorf("%s: left %s beside out", name, l)
			}
		}
	}
}

// TestBuildWriteError: a file the sink cannot write is a *WriteError
// naming it as it would be in the output.
func TestBuildWriteError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	err := (publish.Options{}).Build(context.Background(), out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		a := artifact.Artifact{Path: "clients/../x.json", Body: []byte("{}")}
		return nil, artifact.Store(sink, &a)
	})
	if err == nil || !strings.Contains(err.Error(), "not clean") {
		t.Errorf("an unclean path: %v", err)
	}
	err = (publish.Options{}).Build(context.Background(), out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		a := artifact.Artifact{Path: "jwks.json", Body: []byte("{}")}
		if err := artifact.Store(sink, &a); err != nil {
			return nil, err
		}
		b := artifact.Artifact{Path: "jwks.json/x", Body: []byte("{}")}
		return nil, artifact.Store(sink, &b)
	})
	var we *publish.WriteError
	if !errors.As(err, &we) || we.Path != filepath.Join(out, "jwks.json", "x") {
		t.Errorf("a file under a file: %v", err)
	}
}

// TestBuildCancelled: a build whose context ends leaves no output.
func TestBuildCancelled(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("interrupt")
	err := (publish.Options{}).Build(ctx, out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		as, err := streamed(registry(5, "x"))(sink)
		cancel(stop)
		return as, err
	})
	if !errors.Is(err, stop) {
		t.Errorf("got %v, want the context's cause", err)
	}
	if snap := snapshot(t, filepath.Dir(out)); len(snap) > 1 {
		for k := range snap {
			if k != "./" && !strings.HasPrefix(k, ".out.lock") {
				t.Errorf("left %s", k)
			}
		}
	}
}

// pending records what a Build does with it, and what out held then.
type pending struct {
	out    string
	err    error // what Commit returns
	events []string
}

func (p *pending) Commit() error {
	p.events = append(p.events, "commit over "+p.held())
	return p.err
}

func (p *pending) Abort() { p.events = append(p.events, "abort over "+p.held()) }

// held is the version of the site in out, as site(v) writes it.
func (p *pending) held() string {
	b, err := os.ReadFile(filepath.Join(p.out, ".well-known", "openid-configuration"))
	if err != nil {
		return "nothing"
	}
	return string(b)
}

// besideRender is site(v) rendered by a build that hands p to Beside.
func besideRender(t *testing.T, v string, p publish.Pending, fail error) publish.Render {
	return func(sink artifact.Sink) ([]artifact.Artifact, error) {
		if !publish.Beside(sink, p) {
			t.Error("Beside refused a Build's sink")
		}
		return site(v), fail
	}
}

// TestBeside: what a build hands to Beside is committed once its tree is
// in place, and aborted, with out as it was, when the build fails; a
// Commit that fails is a warning, not a failed build.
func TestBeside(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var warns []error
	o := publish.Options{Warn: func(err error) { warns = append(warns, err) }}
	ok := &pending{out: out}
	if err := o.Build(context.Background(), out, besideRender(t, "v1", ok, nil)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"commit over v1"}; !slices.Equal(ok.events, want) {
		t.Errorf("a build that succeeded: %q, want %q", ok.events, want)
	}

	failed := &pending{out: out}
	boom := errors.New("a client file is invalid")
	if err := o.Build(context.Background(), out, besideRender(t, "v2", failed, boom)); !errors.Is(err, boom) {
		t.Fatalf("a build that failed: %v", err)
	}
	if want := []string{"abort over v1"}; !slices.Equal(failed.events, want) {
		t.Errorf("a build that failed: %q, want %q", failed.events, want)
	}

	unwritten := &pending{out: out, err: errors.New("cannot write the cache")}
	if err := o.Build(context.Background(), out, besideRender(t, "v3", unwritten, nil)); err != nil {
		t.Fatalf("a Commit that failed failed the build: %v", err)
	}
	if len(warns) != 1 || !errors.Is(warns[0], unwritten.err) {
		t.Errorf("a Commit that failed warned %v", warns)
	}
	if want := []string{"commit over v3"}; !slices.Equal(unwritten.events, want) {
		t.Errorf("a Commit that failed: %q, want %q", unwritten.events, want)
	}
}

// A sink no Build gave has no tree to keep anything beside.
func TestBesideOtherSink(t *testing.T) {
	p := &pending{out: t.TempDir()}
	if publish.Beside(otherSink{}, p) {
		t.Error("Beside took a sink no Build gave")
	}
	if len(p.events) > 0 {
		t.Errorf("%q", p.events)
	}
}

type otherSink struct{}

func (otherSink) Put(string, []byte) error { return nil }
