package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// StateKey is the object in which deploy records, after each deploy, what
// it knows of every object: listing data (modification time, size, MD5) and
// the headers and metadata it wrote. A listing of S3 carries no headers, and
// asking for each object's takes as long as uploading it; with the state, a
// re-deploy asks only for the objects whose listing entry changed since it
// was recorded, which any write (a console edit of headers included)
// does. The state holds nothing that the site does not publish already.
const StateKey = ".wellknown-deploy.json"

type stateFile struct {
	Version int                    `json:"version"`
	Objects map[string]stateObject `json:"objects"`
}

type stateObject struct {
	ModTime  time.Time         `json:"mtime"`
	Size     int64             `json:"size"`
	MD5      []byte            `json:"md5,omitempty"`
	Stored   Stored            `json:"headers"`
	Metadata map[string]string `json:"metadata"`
}

// readState returns the recorded state, or an empty one when there is
// none or it cannot be read (then every object is asked for).
func readState(ctx context.Context, b *blob.Bucket) (map[string]stateObject, []byte, error) {
	raw, err := b.ReadAll(ctx, StateKey)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", StateKey, err)
	}
	var st stateFile
	if json.Unmarshal(raw, &st) != nil || st.Version != 1 {
		return nil, raw, nil
	}
	return st.Objects, raw, nil
}

// vouches reports whether the recorded o still describes the listed obj.
// Stores list modification times to the second, so a write in the same
// second as the state was recorded would go unseen: an object written less
// than settle before the state object (by the store's clock, stored) is
// asked for once more.
func (o stateObject) vouches(obj *blob.ListObject, stored time.Time) bool {
	return o.ModTime.Equal(obj.ModTime) && !obj.ModTime.IsZero() && o.ModTime.Add(settle).Before(stored) &&
		o.Size == obj.Size && (obj.MD5 == nil || slices.Equal(o.MD5, obj.MD5))
}

const settle = 2 * time.Second

// saveState lists the store again after a complete deploy and records
// every object of the tree: the headers and metadata written, or known
// before, with the listing's modification time. It writes nothing when
// the state is the same and vouched for every object.
func (p *Plan) saveState(ctx context.Context, b *blob.Bucket) error {
	written := map[string]*File{}
	for _, a := range p.Actions {
		if a.Kind != Delete {
			written[a.Path] = a.file
		}
	}
	st := stateFile{Version: 1, Objects: map[string]stateObject{}}
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: list: %w", StateKey, err)
		}
		if obj.IsDir || obj.Key == StateKey {
			continue
		}
		o := stateObject{ModTime: obj.ModTime, Size: obj.Size, MD5: obj.MD5}
		if f := written[obj.Key]; f != nil {
			s := StoredOf(f.Header)
			o.Stored, o.Metadata = s, map[string]string{MetaBody: bodyDigest(f.Body), MetaHeaders: s.digest()}
		} else if r, ok := p.remote[obj.Key]; ok && r.known {
			o.Stored, o.Metadata = r.Stored, r.Metadata
		} else {
			continue
		}
		st.Objects[obj.Key] = o
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	// Written again even when equal after objects were asked for: its
	// new modification time is what lets them be trusted next time.
	if bytes.Equal(raw, p.state) && p.asked == 0 {
		return nil
	}
	if err := b.WriteAll(ctx, StateKey, raw, &blob.WriterOptions{ContentType: "application/json", CacheControl: "no-store"}); err != nil {
		return fmt.Errorf("%s: %w", StateKey, err)
	}
	return nil
}
