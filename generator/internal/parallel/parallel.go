// Package parallel runs a build's per-file work on every core. Workers take
// the next index from a counter: handing each one over an unbuffered
// channel costs a goroutine switch per item, which kept a 10,000-file build
// on about one core's worth of the two it had.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls f(0) … f(n-1) on at most workers goroutines, or one per core
// when workers is below that, and returns when every call has.
func Each(workers, n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(workers, runtime.GOMAXPROCS(0)), n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// Try is Each for work that can fail: once a call fails no other starts
// (a token or KMS that has gone away would otherwise be asked, and time
// out, once per file), and Try returns the error of the lowest index that
// failed.
func Try(workers, n int, f func(i int) error) error {
	errs := make([]error, n)
	var failed atomic.Bool
	Each(workers, n, func(i int) {
		if failed.Load() {
			return
		}
		if errs[i] = f(i); errs[i] != nil {
			failed.Store(true)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Clear zeroes s on every core. A large slice is fresh from the operating
// system, which maps each of its pages as it is first written: 50 MB of
// them took a one-change rebuild of 100,000 clients 140 ms on one core.
func Clear[S ~[]E, E any](s S) {
	// More parts than cores, so that a core the system lends elsewhere
	// for a moment does not leave the others waiting on its part.
	parts := min(len(s), 4*runtime.GOMAXPROCS(0))
	Each(0, parts, func(k int) { clear(s[k*len(s)/parts : (k+1)*len(s)/parts]) })
}
