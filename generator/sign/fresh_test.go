package sign_test

import (
	"time"

	"github.com/wellknown-dev/wellknown/generator/manifest"
)

// testFresh is the freshness of the trees the tests sign: built now, so they
// verify at the real clock whenever the tests run.
var testFresh = manifest.At(time.Now(), 30*24*time.Hour)
