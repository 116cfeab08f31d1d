package deploy

// Amazon S3 and S3-compatible servers: s3://BUCKET?region=R, and for a
// server of your own &endpoint=http://HOST:PORT&use_path_style=true.
// Credentials: the AWS SDK's chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, SSO,
// instance roles).

import "gocloud.dev/blob/s3blob"

func init() { schemes = append(schemes, s3blob.Scheme) }
