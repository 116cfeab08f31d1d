package deploy

import (
	"context"
	"errors"
	"sync"

	"gocloud.dev/blob"
	"gocloud.dev/blob/driver"
	"gocloud.dev/gcerrors"
)

// recorder is a blob driver in front of a real bucket: every call goes to
// the real store, and the recorder notes the order in which writes and
// deletions completed there. Reading a body fails, so a test through it
// also proves that deploy never downloads.
type recorder struct {
	inner *blob.Bucket

	mu     sync.Mutex
	writes []string // "key" for a write, "-key" for a deletion, in completion order
	// after, when set, is called after each completed write or deletion
	// with how many there were (to interrupt a deploy).
	after func(n int)
}

func record(inner *blob.Bucket) (*recorder, *blob.Bucket) {
	r := &recorder{inner: inner}
	return r, blob.NewBucket(r)
}

func (r *recorder) done(entry string) {
	r.mu.Lock()
	r.writes = append(r.writes, entry)
	n, after := len(r.writes), r.after
	r.mu.Unlock()
	if after != nil {
		after(n)
	}
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

func (r *recorder) ErrorCode(err error) gcerrors.ErrorCode { return gcerrors.Code(err) }
func (r *recorder) As(i any) bool                          { return r.inner.As(i) }
func (r *recorder) ErrorAs(err error, i any) bool          { return r.inner.ErrorAs(err, i) }
func (r *recorder) Close() error                           { return nil }

func (r *recorder) Attributes(ctx context.Context, key string) (*driver.Attributes, error) {
	a, err := r.inner.Attributes(ctx, key)
	if err != nil {
		return nil, err
	}
	return &driver.Attributes{
		CacheControl: a.CacheControl, ContentDisposition: a.ContentDisposition,
		ContentEncoding: a.ContentEncoding, ContentLanguage: a.ContentLanguage,
		ContentType: a.ContentType, Metadata: a.Metadata, CreateTime: a.CreateTime,
		ModTime: a.ModTime, Size: a.Size, MD5: a.MD5, ETag: a.ETag, AsFunc: a.As,
	}, nil
}

func (r *recorder) ListPaged(ctx context.Context, opts *driver.ListOptions) (*driver.ListPage, error) {
	token := opts.PageToken
	if token == nil {
		token = blob.FirstPageToken
	}
	objs, next, err := r.inner.ListPage(ctx, token, max(opts.PageSize, 1000),
		&blob.ListOptions{Prefix: opts.Prefix, Delimiter: opts.Delimiter})
	if err != nil {
		return nil, err
	}
	page := &driver.ListPage{NextPageToken: next}
	for _, o := range objs {
		page.Objects = append(page.Objects, &driver.ListObject{
			Key: o.Key, ModTime: o.ModTime, Size: o.Size, MD5: o.MD5, IsDir: o.IsDir, AsFunc: o.As,
		})
	}
	return page, nil
}

var errRead = errors.New("recorder: deploy read a body")

// NewRangeReader lets deploy read its own state object, and nothing else.
func (r *recorder) NewRangeReader(ctx context.Context, key string, off, n int64, _ *driver.ReaderOptions) (driver.Reader, error) {
	if key != StateKey {
		return nil, errRead
	}
	rd, err := r.inner.NewRangeReader(ctx, key, off, n, nil)
	if err != nil {
		return nil, err
	}
	return recReader{rd}, nil
}

type recReader struct{ *blob.Reader }

func (r recReader) Attributes() *driver.ReaderAttributes {
	return &driver.ReaderAttributes{ContentType: r.ContentType(), ModTime: r.ModTime(), Size: r.Size()}
}

func (r *recorder) NewTypedWriter(ctx context.Context, key, contentType string, o *driver.WriterOptions) (driver.Writer, error) {
	w, err := r.inner.NewWriter(ctx, key, &blob.WriterOptions{
		BufferSize: o.BufferSize, MaxConcurrency: o.MaxConcurrency, CacheControl: o.CacheControl,
		ContentDisposition: o.ContentDisposition, ContentEncoding: o.ContentEncoding,
		ContentLanguage: o.ContentLanguage, ContentType: contentType, ContentMD5: o.ContentMD5,
		Metadata: o.Metadata, DisableContentTypeDetection: true,
	})
	if err != nil {
		return nil, err
	}
	return &recWriter{w: w, key: key, r: r}, nil
}

type recWriter struct {
	w   *blob.Writer
	key string
	r   *recorder
}

func (w *recWriter) Write(p []byte) (int, error) { return w.w.Write(p) }
func (w *recWriter) Close() error {
	if err := w.w.Close(); err != nil {
		return err
	}
	w.r.done(w.key)
	return nil
}

func (r *recorder) Copy(ctx context.Context, dst, src string, _ *driver.CopyOptions) error {
	return r.inner.Copy(ctx, dst, src, nil)
}

func (r *recorder) Delete(ctx context.Context, key string, _ *driver.DeleteOptions) error {
	if err := r.inner.Delete(ctx, key); err != nil {
		return err
	}
	r.done("-" + key)
	return nil
}

func (r *recorder) SignedURL(ctx context.Context, key string, o *driver.SignedURLOptions) (string, error) {
	return r.inner.SignedURL(ctx, key, &blob.SignedURLOptions{Expiry: o.Expiry, Method: o.Method})
}
