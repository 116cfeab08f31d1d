package deploy

// A local directory: file:///DIR. Headers are kept in a .attrs file beside
// each object; useful to stage a deploy and in tests.

import "gocloud.dev/blob/fileblob"

func init() { schemes = append(schemes, fileblob.Scheme) }
