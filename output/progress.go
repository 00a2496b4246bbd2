package output

import (
	"fmt"
	"io"
	"time"
)

// Progress draws one self-overwriting line on a terminal's stderr: what is
// being done, how many rows so far and how fast. Callers create one only
// when stderr is a terminal, so piped output never carries it.
type Progress struct {
	w     io.Writer
	label string
	unit  string
	start time.Time
	last  time.Time
}

// NewProgress starts a progress line counting rows.
func NewProgress(w io.Writer, label string) *Progress {
	return NewProgressOf(w, label, "rows")
}

// NewProgressOf starts a progress line counting unit (messages, rows).
func NewProgressOf(w io.Writer, label, unit string) *Progress {
	return &Progress{w: w, label: label, unit: unit, start: time.Now()}
}

// Set shows n rows done, at most ten times a second.
func (p *Progress) Set(n int) {
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s %s (%s/s)", p.label, group(n), p.unit, group(int(float64(n)/now.Sub(p.start).Seconds())))
}

// SetOf shows n of total rows done, with the percentage and the time left,
// at most ten times a second.
func (p *Progress) SetOf(n, total int) {
	now := time.Now()
	// Nothing before a quarter of a second: a rate and a time left worked
	// out from the first rows say nothing.
	if now.Sub(p.last) < 100*time.Millisecond || now.Sub(p.start) < 250*time.Millisecond || total <= 0 {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start)
	left := "?"
	if n > 0 {
		left = (time.Duration(float64(elapsed) * float64(total-n) / float64(n))).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s of %s %s (%d%%, %s/s, %s left)", p.label, group(n), group(total), p.unit,
		n*100/total, group(int(float64(n)/elapsed.Seconds())), left)
}

// Done ends the line with the total.
func (p *Progress) Done(n int) {
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s %s in %s\n", p.label, group(n), p.unit, time.Since(p.start).Round(time.Millisecond))
}

// group writes 1234567 as 1,234,567.
func group(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
