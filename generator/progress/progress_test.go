package progress

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRate(t *testing.T) {
	c := newClock()
	m := New(&bytes.Buffer{}, Options{Clock: c.now})
	m.Start("sign", 10_000, "files")
	if r := m.Snapshot().Rate(); r != 0 {
		t.Errorf("rate before any time passed = %v, want 0", r)
	}
	m.Add(1500)
	c.advance(500 * time.Millisecond)
	s := m.Snapshot()
	if s.Phase != "sign" || s.Done != 1500 || s.Total != 10_000 || s.Elapsed != 500*time.Millisecond {
		t.Errorf("snapshot = %+v", s)
	}
	if r := s.Rate(); r != 3000 {
		t.Errorf("rate = %v files/s, want 3000", r)
	}
	// A new phase counts from zero, at its own start.
	c.advance(time.Second)
	m.Start("write", 4000, "files")
	c.advance(2 * time.Second)
	m.Add(1000)
	if s := m.Snapshot(); s.Done != 1000 || s.Rate() != 500 {
		t.Errorf("second phase: %+v, rate %v, want 1000 done at 500/s", s, s.Rate())
	}
}

func TestRedrawThrottledAndCleared(t *testing.T) {
	c := newClock()
	var out bytes.Buffer
	m := New(&out, Options{Name: "build", Clock: c.now, Every: 200 * time.Millisecond})
	m.Start("write", 3200, "files")
	// Within the first interval nothing is drawn: a phase that ends
	// quickly never shows.
	for range 6 {
		m.Add(16)
		c.advance(16 * time.Millisecond)
	}
	if out.Len() != 0 {
		t.Fatalf("drawn within the first interval: %q", out.String())
	}
	// 3,104 more files over 3.1 s, 16 every 16 ms: at most one redraw
	// per 200 ms, at 208 ms, 416 ms … 3,120 ms, not 194.
	for range 194 {
		c.advance(16 * time.Millisecond)
		m.Add(16)
	}
	draws := strings.Count(out.String(), "\r")
	if draws != 15 {
		t.Errorf("%d redraws over 3.2 s at one per 200 ms, want 15", draws)
	}
	last := out.String()[strings.LastIndex(out.String(), "\r")+1:]
	if want := "build: write 3,120/3,200 files (97%), 1,000 files/s"; strings.TrimRight(last, " ") != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	if strings.Contains(out.String(), "\n") {
		t.Errorf("a redrawn line holds a newline: %q", out.String())
	}
	n := len(out.String())
	m.End()
	clear := out.String()[n:]
	if want := "\r" + strings.Repeat(" ", len(last)) + "\r"; clear != want {
		t.Errorf("End wrote %q, want the line blanked: %q", clear, want)
	}
	// Nothing more once ended, and End twice is harmless.
	m.Add(5)
	c.advance(time.Second)
	m.Add(5)
	m.End()
	if out.String()[n:] != clear {
		t.Errorf("wrote after End: %q", out.String()[n:])
	}
}

func TestShorterLineOverwritesLonger(t *testing.T) {
	c := newClock()
	var out bytes.Buffer
	m := New(&out, Options{Clock: c.now, Min: -1})
	m.Start("write", 100_000, "files")
	c.advance(time.Second)
	m.Add(99_999) // "99,999/100,000 files (99%), 99,999 files/s"
	first := out.Len()
	c.advance(100 * time.Second) // the rate falls to 1,000/s: a shorter line
	m.Add(1)
	long := strings.TrimPrefix(out.String()[:first], "\r")
	short := out.String()[first+1:]
	if len(short) != len(long) || !strings.HasSuffix(short, " ") {
		t.Errorf("second line %q does not cover the first %q", short, long)
	}
}

// TestNextPhaseReplacesLine: a phase following one on screen is drawn at
// once, over it, even one that counts nothing until it ends.
func TestNextPhaseReplacesLine(t *testing.T) {
	c := newClock()
	var out bytes.Buffer
	m := New(&out, Options{Name: "build", Clock: c.now})
	m.Start("clients", 10_000, "clients")
	c.advance(time.Second)
	m.Add(10_000)
	first := out.String()
	if !strings.HasPrefix(first, "\rbuild: clients 10,000/10,000") {
		t.Fatalf("first line %q", first)
	}
	c.advance(time.Second)
	m.Start("render", 10_025, "files")
	second := out.String()[len(first):]
	if want := "\rbuild: render 10,025 files, 0s"; strings.TrimRight(second, " ") != want {
		t.Errorf("next phase drew %q, want %q", second, want)
	}
	if len(second) != len(first) {
		t.Errorf("the shorter line %q does not cover the longer %q", second, first)
	}
	// A small phase after it blanks the line instead.
	m.Start("sign", 10, "files")
	if rest := out.String()[len(first)+len(second):]; strings.TrimSpace(rest) != "" || !strings.HasSuffix(rest, "\r") {
		t.Errorf("a small phase left %q", rest)
	}
}

func TestSmallPhasesNotShown(t *testing.T) {
	for _, mode := range []Mode{Redraw, Lines} {
		c := newClock()
		var out bytes.Buffer
		m := New(&out, Options{Mode: mode, Clock: c.now})
		m.Start("clients", DefaultMin-1, "clients")
		for range DefaultMin - 1 {
			c.advance(10 * time.Millisecond)
			m.Add(1)
		}
		m.End()
		if out.Len() != 0 {
			t.Errorf("mode %d: a phase of %d files wrote %q", mode, DefaultMin-1, out.String())
		}
		// At the threshold it is shown.
		m.Start("write", DefaultMin, "files")
		c.advance(time.Second)
		m.Add(DefaultMin)
		m.End()
		if out.Len() == 0 {
			t.Errorf("mode %d: a phase of %d files wrote nothing", mode, DefaultMin)
		}
		// With every phase shown, an empty one is still not.
		n := out.Len()
		m = New(&out, Options{Mode: mode, Clock: c.now, Min: -1})
		m.Start("upload", 0, "objects")
		c.advance(time.Second)
		m.Add(0)
		m.End()
		if out.Len() != n {
			t.Errorf("mode %d: an empty phase wrote %q", mode, out.String()[n:])
		}
	}
}

func TestLines(t *testing.T) {
	c := newClock()
	var out bytes.Buffer
	m := New(&out, Options{Mode: Lines, Name: "deploy", Clock: c.now, Min: -1})
	m.Start("upload", 3000, "objects")
	for range 3000 {
		c.advance(time.Millisecond)
		m.Add(1)
	}
	if out.Len() != 0 {
		t.Errorf("Lines wrote during the phase: %q", out.String())
	}
	m.Start("delete", 12, "objects") // ends upload
	c.advance(120 * time.Millisecond)
	m.End()
	want := "deploy: upload 3,000 objects in 3s (1,000 objects/s)\n" +
		"deploy: delete 12 objects in 120ms (100 objects/s)\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestWidth(t *testing.T) {
	c := newClock()
	var out bytes.Buffer
	m := New(&out, Options{Name: "build", Clock: c.now, Width: 20})
	m.Start("write", 5000, "files")
	c.advance(time.Second)
	m.Add(16)
	if line := strings.TrimPrefix(out.String(), "\r"); len(line) != 19 {
		t.Errorf("line %q is %d columns on a terminal of 20", line, len(line))
	}
}

func TestNilMeter(t *testing.T) {
	var m *Meter
	m.Start("render", 5000, "files")
	m.Add(1)
	m.End()
	if s := m.Snapshot(); s != (Snapshot{}) {
		t.Errorf("nil meter snapshot %+v", s)
	}
}

// TestClockSampled: the clock is read once in clockEvery files, whether
// they come one at a time or many at once.
func TestClockSampled(t *testing.T) {
	c := newClock()
	reads := 0
	m := New(io.Discard, Options{Clock: func() time.Time { reads++; return c.now() }})
	m.Start("write", 1<<20, "files")
	reads = 0
	for range 10 * clockEvery {
		m.Add(1)
	}
	if reads != 10 {
		t.Errorf("%d clock reads for %d files, want 10", reads, 10*clockEvery)
	}
	reads = 0
	m.Add(3 * clockEvery)
	if reads != 1 {
		t.Errorf("%d clock reads for one Add of %d files, want 1", reads, 3*clockEvery)
	}
}

// TestConcurrentAdd counts from many goroutines (run with -race).
func TestConcurrentAdd(t *testing.T) {
	var out bytes.Buffer
	m := New(&out, Options{Every: time.Microsecond})
	m.Start("sign", 8000, "files")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				m.Add(1)
			}
		})
	}
	wg.Wait()
	if s := m.Snapshot(); s.Done != 8000 {
		t.Errorf("done = %d, want 8000", s.Done)
	}
	m.End()
	if s := out.String(); len(s) > 0 && !strings.HasSuffix(s, "\r") {
		t.Errorf("not cleared at the end: %q", s[max(0, len(s)-80):])
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567", -1200: "-1,200"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkAdd is the cost of counting one file from every core at once:
// on a nil meter (no progress shown), on a phase too small to show, and on
// a line being redrawn.
func BenchmarkAdd(b *testing.B) {
	for _, c := range []struct {
		name  string
		meter *Meter
		total int
	}{
		{"nil", nil, 1 << 30},
		{"hidden", New(io.Discard, Options{}), 10},
		{"redraw", New(io.Discard, Options{}), 1 << 30},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.meter.Start("write", c.total, "files")
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.meter.Add(1)
				}
			})
			c.meter.End()
		})
	}
}
