package deploy

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gocloud.dev/blob"

	"github.com/wellknown-dev/wellknown/generator/progress"
)

// ListAttributes, when a driver's listing already carries an object's
// attributes (GCS and Azure list them with the object), returns them for
// obj; ok is false otherwise, and List asks the store for each object's
// attributes. Drivers add theirs in init (see the gcs file).
var listAttributes []func(obj *blob.ListObject) (Remote, bool)

// List reads what the store holds: one listing, then the attributes of
// each object the listing did not carry, workers at a time. It never reads
// a body. Only objects in want get their attributes read: the others are
// deleted whatever they hold.
func List(ctx context.Context, b *blob.Bucket, want map[string]bool, workers int) (*Listing, error) {
	return ListMetered(ctx, b, want, workers, nil)
}

// ListMetered is List, counting on m ("inspect") the objects whose
// attributes take a request of their own (nil: none).
func ListMetered(ctx context.Context, b *blob.Bucket, want map[string]bool, workers int, m *progress.Meter) (*Listing, error) {
	remote := map[string]Remote{}
	state, raw, err := readState(ctx, b)
	if err != nil {
		return nil, err
	}
	var (
		need   []string
		objs   []*blob.ListObject
		stored time.Time // when the state was written, by the store's clock
	)
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list: %w", err)
		}
		if obj.Key == StateKey {
			stored = obj.ModTime
		} else if !obj.IsDir {
			objs = append(objs, obj)
		}
	}
	for _, obj := range objs {
		r, ok := Remote{ModTime: obj.ModTime, Size: obj.Size, MD5: obj.MD5}, false
		if o, in := state[obj.Key]; in && o.vouches(obj, stored) {
			r.Stored, r.Metadata, r.known, ok = o.Stored, o.Metadata, true, true
		}
		for _, f := range listAttributes {
			if ok {
				break
			}
			if r, ok = f(obj); ok {
				r.ModTime, r.known = obj.ModTime, true
			}
		}
		remote[obj.Key] = r
		if !ok && want[obj.Key] {
			need = append(need, obj.Key)
		}
	}
	var mu sync.Mutex
	m.Start("inspect", len(need), "objects")
	defer m.End()
	err = forEach(ctx, workers, len(need), func(ctx context.Context, i int) error {
		a, err := b.Attributes(ctx, need[i])
		if err != nil {
			return fmt.Errorf("%s: attributes: %w", need[i], err)
		}
		m.Add(1)
		mu.Lock()
		mt := remote[need[i]].ModTime
		mu.Unlock()
		r := Remote{
			ModTime:  mt,
			known:    true,
			Size:     a.Size,
			MD5:      a.MD5,
			Stored:   Stored{a.ContentType, a.CacheControl, a.ContentDisposition, a.ContentEncoding, a.ContentLanguage},
			Metadata: lower(a.Metadata),
		}
		mu.Lock()
		remote[need[i]] = r
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Listing{Objects: remote, Asked: len(need), state: raw}, nil
}

// Listing is what List found: every object, keyed by site-relative path.
type Listing struct {
	Objects map[string]Remote
	// Asked is how many objects' attributes took a request of their own.
	Asked int
	state []byte
}

func lower(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// Options tune Apply.
type Options struct {
	// Workers is how many writes run at once (at least 1).
	Workers int
	// MaxDeletes refuses a plan that deletes more objects; negative means
	// no limit.
	MaxDeletes int
	// Progress, when set, counts the objects written ("upload": new,
	// changed and re-headed objects) and deleted (see package progress).
	Progress *progress.Meter
}

// ErrTooManyDeletes is returned, before anything is written, by Apply for
// a plan that deletes more than Options.MaxDeletes objects.
var ErrTooManyDeletes = errors.New("too many deletions")

// Apply carries out the plan, phase by phase, each finished before the next
// starts. On error or cancellation it stops after the writes in flight: no
// object is ever half written (each is one PUT, or a multipart upload that
// completes or is aborted), the phases already done are whole, and a new
// plan completes the deploy.
func (p *Plan) Apply(ctx context.Context, b *blob.Bucket, opt Options) error {
	if n := len(p.Deleted()); opt.MaxDeletes >= 0 && n > opt.MaxDeletes {
		return fmt.Errorf("%w: the plan deletes %d objects, more than --max-deletes %d\nhint: check --dir and the URL's prefix=, then pass --max-deletes %d to allow it (--dry-run lists them)",
			ErrTooManyDeletes, n, opt.MaxDeletes, n)
	}
	opt.Progress.Start("upload", len(p.Actions)-len(p.Deleted()), "objects")
	defer opt.Progress.End()
	for start := 0; start < len(p.Actions); {
		end := start
		for end < len(p.Actions) && p.Actions[end].Phase == p.Actions[start].Phase {
			end++
		}
		phase := p.Actions[start:end]
		if phase[0].Phase == Deletes {
			opt.Progress.Start("delete", len(phase), "objects")
		}
		err := forEach(ctx, opt.Workers, len(phase), func(ctx context.Context, i int) error {
			if err := apply(ctx, b, phase[i]); err != nil {
				return err
			}
			opt.Progress.Add(1)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", phase[0].Phase, err)
		}
		start = end
	}
	if len(p.Actions) == 0 && p.state != nil && p.asked == 0 {
		return nil
	}
	return p.saveState(ctx, b)
}

func apply(ctx context.Context, b *blob.Bucket, a Action) error {
	if a.Kind == Delete {
		if err := b.Delete(ctx, a.Path); err != nil {
			return fmt.Errorf("%s: delete: %w", a.Path, err)
		}
		return nil
	}
	f := a.file
	s := StoredOf(f.Header)
	sum := md5.Sum(f.Body)
	opts := &blob.WriterOptions{
		ContentType:                 s.ContentType,
		CacheControl:                s.CacheControl,
		ContentDisposition:          s.ContentDisposition,
		ContentEncoding:             s.ContentEncoding,
		ContentLanguage:             s.ContentLanguage,
		DisableContentTypeDetection: true,
		// The store checks the body it received against this, so a
		// corrupted upload fails rather than being served.
		ContentMD5: sum[:],
		Metadata:   map[string]string{MetaBody: bodyDigest(f.Body), MetaHeaders: s.digest()},
	}
	if err := b.WriteAll(ctx, f.Path, f.Body, opts); err != nil {
		return fmt.Errorf("%s: %s: %w", f.Path, a.Kind, err)
	}
	return nil
}

// forEach runs f(0..n-1), workers at a time, and returns the first error;
// after an error or cancellation no new call starts.
func forEach(ctx context.Context, workers, n int, f func(context.Context, int) error) error {
	if workers < 1 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		once  sync.Once
		first error
	)
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
