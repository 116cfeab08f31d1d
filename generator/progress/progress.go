// Package progress shows how far a long build or deploy has got: the phase
// it is in, how many of the phase's files are done, and the rate, on one
// line of a terminal that is redrawn in place and cleared when the phase
// ends, or as one line per finished phase for a log.
//
// A nil *Meter is valid and does nothing, so that code reporting progress
// needs no check of its own: the pipeline calls Start, Add and End whether
// anyone watches or not, and what each costs then is a nil test.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is how a Meter shows progress.
type Mode int

const (
	// Redraw keeps one line on a terminal, rewritten in place (carriage
	// return) and blanked when the phase ends.
	Redraw Mode = iota
	// Lines writes one line when each phase ends, for a log or a pipe,
	// where a carriage return would pile up every redraw.
	Lines
)

// Defaults of Options.
const (
	// DefaultMin is the size of the smallest phase shown: a phase of fewer
	// files ends before a line would be worth reading.
	DefaultMin = 2000
	// DefaultEvery is the least time between two redraws, and between a
	// phase's start and its first line, so a phase that ends quickly never
	// flashes on screen.
	DefaultEvery = 200 * time.Millisecond
)

// clockEvery is how many files Add counts between two looks at the clock.
const clockEvery = 16

// Options configure a Meter. The zero value redraws one line, for phases
// of at least DefaultMin files, at most every DefaultEvery, with the time
// of day as the clock.
type Options struct {
	Mode Mode
	// Name prefixes each line ("build", "deploy").
	Name string
	// Min is the number of files below which a phase is not shown: 0
	// means DefaultMin, a negative number shows every phase but empty
	// ones.
	Min int
	// Every is the least time between redraws (0: DefaultEvery).
	Every time.Duration
	// Width is the terminal's width in columns: a longer line would wrap,
	// and a carriage return would then only redraw its last row. 0 means
	// 80.
	Width int
	// Clock tells the time (nil: time.Now); tests set it.
	Clock func() time.Time
}

// Meter counts the progress of one job, phase by phase. Its methods are safe
// for concurrent use: the workers of a phase call Add at once.
type Meter struct {
	w     io.Writer
	opt   Options
	min   int
	every time.Duration
	clock func() time.Time

	done  atomic.Int64
	next  atomic.Int64 // unix nanoseconds before which Add does not redraw
	shown atomic.Bool  // a phase is running and large enough to show

	mu    sync.Mutex // held while writing, and to change the phase
	phase string
	unit  string
	total int
	start time.Time
	drawn int // columns of the line on screen, 0 when none is
}

// New returns a Meter writing to w.
func New(w io.Writer, o Options) *Meter {
	m := &Meter{w: w, opt: o, min: o.Min, every: o.Every, clock: o.Clock}
	if m.min == 0 {
		m.min = DefaultMin
	}
	if m.every <= 0 {
		m.every = DefaultEvery
	}
	if m.clock == nil {
		m.clock = time.Now
	}
	if m.opt.Width <= 0 {
		m.opt.Width = 80
	}
	return m
}

// Start begins a phase of total files (or clients, objects: unit names
// them), ending the phase before it.
func (m *Meter) Start(phase string, total int, unit string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	shown := phase != "" && total > 0 && (m.min < 0 || total >= m.min)
	// From one shown phase to the next the line is replaced, not blanked
	// and drawn again an interval later: it would flicker, and a phase
	// that counts nothing as it goes would show nothing.
	follow := shown && m.drawn > 0 && m.opt.Mode == Redraw
	m.end(!follow)
	now := m.clock()
	m.phase, m.unit, m.total, m.start = phase, unit, total, now
	m.done.Store(0)
	m.next.Store(now.Add(m.every).UnixNano())
	m.shown.Store(shown)
	if follow {
		m.draw(now)
	}
}

// Add counts n more files of the phase done.
func (m *Meter) Add(n int) {
	if m == nil {
		return
	}
	done := m.done.Add(int64(n))
	if !m.shown.Load() || m.opt.Mode != Redraw {
		return
	}
	// Reading the clock costs more than the rest of Add together (300 ns
	// on a VM without a fast clock source): look at it once in every
	// clockEvery files, which at any rate worth drawing is far more often
	// than a redraw is due.
	if (done-int64(n))/clockEvery == done/clockEvery {
		return
	}
	now := m.clock()
	if now.UnixNano() < m.next.Load() {
		return
	}
	// One worker draws; the others carry on rather than queue for the
	// terminal.
	if !m.mu.TryLock() {
		return
	}
	defer m.mu.Unlock()
	if !m.shown.Load() || now.UnixNano() < m.next.Load() {
		return
	}
	m.next.Store(now.Add(m.every).UnixNano())
	m.draw(now)
}

// End ends the phase: a redrawn line is blanked before End returns, so
// what is written next starts on a clean line; in Lines mode the phase's
// line is written.
func (m *Meter) End() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.end(true)
}

// Snapshot is where a phase stands.
type Snapshot struct {
	Phase       string
	Unit        string
	Done, Total int
	Elapsed     time.Duration
}

// Rate is files per second since the phase started (0 before any time
// has passed).
func (s Snapshot) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done) / s.Elapsed.Seconds()
}

// Snapshot returns where the current phase stands.
func (m *Meter) Snapshot() Snapshot {
	if m == nil {
		return Snapshot{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snapshot(m.clock())
}

func (m *Meter) snapshot(now time.Time) Snapshot {
	return Snapshot{Phase: m.phase, Unit: m.unit, Done: int(m.done.Load()), Total: m.total, Elapsed: now.Sub(m.start)}
}

// end finishes the phase, blanking a line drawn if blank is set; m.mu is
// held.
func (m *Meter) end(blank bool) {
	if m.phase == "" {
		return
	}
	shown := m.shown.Swap(false)
	switch {
	case m.opt.Mode == Redraw:
		if blank {
			m.blank()
		}
	case shown:
		s := m.snapshot(m.clock())
		// A phase that counts nothing as it goes (Start, then End) is
		// done when it ends.
		if s.Done == 0 {
			s.Done = s.Total
		}
		fmt.Fprintf(m.w, "%s%s %s %s in %s (%s %s/s)\n", m.prefix(), s.Phase, number(s.Done), s.Unit,
			s.Elapsed.Round(10*time.Millisecond), number(int(s.Rate()+0.5)), s.Unit)
	}
	m.phase = ""
}

func (m *Meter) prefix() string {
	if m.opt.Name == "" {
		return ""
	}
	return m.opt.Name + ": "
}

// draw rewrites the line; m.mu is held.
func (m *Meter) draw(now time.Time) {
	s := m.snapshot(now)
	var line string
	if s.Done == 0 {
		// A phase that counts nothing as it goes (Start, then End) says
		// what it works on and for how long, not a rate of zero.
		line = fmt.Sprintf("%s%s %s %s, %s", m.prefix(), s.Phase, number(s.Total), s.Unit, s.Elapsed.Truncate(100*time.Millisecond))
	} else {
		line = fmt.Sprintf("%s%s %s/%s %s", m.prefix(), s.Phase, number(s.Done), number(s.Total), s.Unit)
		if s.Total > 0 {
			line += fmt.Sprintf(" (%d%%)", min(100, s.Done*100/s.Total))
		}
		line += fmt.Sprintf(", %s %s/s", number(int(s.Rate()+0.5)), s.Unit)
	}
	// The last column stays free: a line that fills it leaves some
	// terminals' cursor on the next row.
	if r := []rune(line); len(r) > m.opt.Width-1 {
		line = string(r[:max(m.opt.Width-1, 0)])
	}
	n := len([]rune(line))
	pad := ""
	if m.drawn > n {
		pad = strings.Repeat(" ", m.drawn-n)
	}
	fmt.Fprintf(m.w, "\r%s%s", line, pad)
	m.drawn = n
}

// blank clears the line drawn, leaving the cursor at its start.
func (m *Meter) blank() {
	if m.drawn == 0 {
		return
	}
	fmt.Fprintf(m.w, "\r%s\r", strings.Repeat(" ", m.drawn))
	m.drawn = 0
}

// number writes n with thousands separators: 12,345.
func number(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + number(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
