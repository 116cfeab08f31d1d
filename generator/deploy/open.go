package deploy

import (
	"context"
	"errors"
	"io/fs"

	"fmt"
	"gocloud.dev/gcerrors"
	"net/url"
	"slices"
	"strings"

	"gocloud.dev/blob"
)

// schemes are the URL schemes of the drivers linked in, each registered by
// its own driver_*.go file.
var schemes []string

// Schemes returns the URL schemes deploy accepts, sorted.
func Schemes() []string {
	s := slices.Clone(schemes)
	slices.Sort(s)
	return s
}

// ErrScheme is returned by Open for a URL whose scheme no linked driver
// handles.
var ErrScheme = errors.New("unknown scheme")

// Open opens the bucket at a gocloud.dev/blob URL (s3://BUCKET?region=...,
// gs://BUCKET, azblob://CONTAINER, file:///DIR; prefix= puts the site below
// a key prefix). Credentials come from each SDK's own chain, never from the
// URL.
func Open(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	if err := CheckURL(rawURL); err != nil {
		return nil, err
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Redact(rawURL), err)
	}
	return b, nil
}

// CheckURL reports, without contacting the store, whether rawURL names a
// bucket of a linked driver (ErrScheme if not) and holds no credentials.
func CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%w: %q is not a bucket URL; accepted: %s", ErrScheme, Redact(rawURL), strings.Join(Schemes(), "://, ")+"://")
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Errorf("%w %q in %s; accepted: %s", ErrScheme, u.Scheme, Redact(rawURL), strings.Join(Schemes(), "://, ")+"://")
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials do not belong in the URL\nhint: use the store's environment or credential chain (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_KEY)", Redact(rawURL))
	}
	return nil
}

// Redact returns rawURL without user information and with every query
// value that could be a secret masked, for messages.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	q := u.Query()
	redacted := false
	for k := range q {
		switch strings.ToLower(k) {
		case "prefix", "region", "endpoint", "use_path_style", "disable_https", "profile", "domain", "protocol", "localemu", "cdn", "dualstack", "fips", "accelerate", "create_dir", "metadata", "no_tmp_dir", "dir_file_mode", "base_url", "access_id", "anonymous", "storage_account", "awssdk":
		default:
			q.Set(k, "REDACTED")
			redacted = true
		}
	}
	if redacted {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Hint returns what to do about a store's error, or "".
func Hint(err error) string {
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return "hint: create the bucket (or container) first, and check its name, region= and endpoint="
	case gcerrors.PermissionDenied:
		return "hint: the credentials the SDK found may not list, write or delete in this bucket"
	}
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist), strings.Contains(msg, "no such file or directory"):
		// fileblob says so in words only, for a file:// directory.
		return "hint: create the directory first (mkdir -p), then deploy again"
	case strings.Contains(msg, "SignatureDoesNotMatch"), strings.Contains(msg, "InvalidAccessKeyId"), strings.Contains(msg, "AuthenticationFailed"):
		return "hint: the store refused the credentials the SDK found in the environment"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"):
		return "hint: nothing answers at the store's address; check endpoint= (or the emulator's host)"
	}
	return ""
}
