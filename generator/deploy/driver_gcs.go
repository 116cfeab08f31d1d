package deploy

// Google Cloud Storage: gs://BUCKET. Credentials: Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth
// application-default login, the metadata server); STORAGE_EMULATOR_HOST
// points it at an emulator.

import (
	"cloud.google.com/go/storage"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
)

func init() {
	schemes = append(schemes, gcsblob.Scheme)
	// A GCS listing carries every object's attributes, so a re-deploy
	// needs no request per object.
	listAttributes = append(listAttributes, func(obj *blob.ListObject) (Remote, bool) {
		var a storage.ObjectAttrs
		if !obj.As(&a) {
			return Remote{}, false
		}
		return Remote{
			Size:     a.Size,
			MD5:      a.MD5,
			Stored:   Stored{a.ContentType, a.CacheControl, a.ContentDisposition, a.ContentEncoding, a.ContentLanguage},
			Metadata: lower(a.Metadata),
		}, true
	})
}
