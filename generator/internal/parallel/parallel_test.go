package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// TestEach: every index is called exactly once, with up to the workers asked.
func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		calls := make([]atomic.Int32, n)
		Each(8, n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

// TestTry: the error of the lowest failed index comes back, and a failure
// stops work not yet started.
func TestTry(t *testing.T) {
	if err := Try(0, 100, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var ran atomic.Int32
	err := Try(1, 1000, func(i int) error {
		ran.Add(1)
		if i >= 10 {
			return fmt.Errorf("item %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "item 10" {
		t.Errorf("got %v, want item 10", err)
	}
	// One goroutine per core at least: the others may each have taken one
	// more index before they saw the failure.
	if n := ran.Load(); n > 11+64 {
		t.Errorf("%d calls after the first failure", n-11)
	}
	boom := errors.New("boom")
	if err := Try(4, 5, func(i int) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("got %v", err)
	}
}

func TestClear(t *testing.T) {
	for _, n := range []int{0, 1, 3, 1000} {
		s := make([]*int, n)
		one := 1
		for i := range s {
			s[i] = &one
		}
		Clear(s)
		for i, p := range s {
			if p != nil {
				t.Fatalf("n=%d: index %d not cleared", n, i)
			}
		}
	}
}
