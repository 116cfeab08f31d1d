//go:build !unix

package sign_test

import (
	"testing"
	"time"
)

// cpuTime: the CPU time is read with getrusage, which is Unix's.
func cpuTime(b *testing.B) time.Duration {
	b.Skip("CPU time is read with getrusage, on Unix")
	return 0
}
