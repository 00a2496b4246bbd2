package output

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress draws one self-overwriting line on a terminal's stderr: what is
// being done, how far (percent and a bar when the total is known), how fast
// and, with a total, the time left. It is github.com/schollz/progressbar
// underneath (its start-up cost is not measurable: docs/PERFORMANCE.md).
// Callers create one only when stderr is a terminal, so piped output never
// carries it.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	unit  string
	bytes bool
	start time.Time
	bar   *progressbar.ProgressBar
	max   int64
}

// NewProgress starts a progress line counting rows.
func NewProgress(w io.Writer, label string) *Progress {
	return NewProgressOf(w, label, "rows")
}

// NewProgressOf starts a progress line counting unit (messages, rows).
func NewProgressOf(w io.Writer, label, unit string) *Progress {
	return &Progress{w: w, label: label, unit: unit, start: time.Now()}
}

// NewProgressBytes starts a progress line counting the bytes of a file.
func NewProgressBytes(w io.Writer, label string) *Progress {
	return &Progress{w: w, label: label, unit: "bytes", bytes: true, start: time.Now()}
}

// Set shows n done, the total unknown.
func (p *Progress) Set(n int) { p.SetOf(n, -1) }

// SetOf shows n of total done (total -1: not known). The bar is made at
// the first call, which should come as the work starts: the rate is
// counted from then.
func (p *Progress) SetOf(n, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.bar == nil:
		p.bar, p.max = p.newBar(int64(total)), int64(total)
	case p.max != int64(total) && total > 0:
		p.bar.ChangeMax64(int64(total))
		p.max = int64(total)
	}
	if n > 0 { // the first call starts the clock; "0 rows/hr" says nothing
		p.bar.Set64(int64(n))
	}
}

// progressTail is about how wide what follows the label can be: the
// percent, the bar's brackets, the counts, the rate and the time left.
const progressTail = 48

// fitLine is the label and bar width that keep the line within the
// terminal p writes to: a line that wraps is drawn again under itself at
// every update. Off a terminal (tests) it is the label and 24.
func (p *Progress) fitLine() (string, int) {
	label, bar := p.label, 24
	f, ok := p.w.(interface{ Fd() uintptr }) // a file, or one wrapped
	if !ok {
		return label, bar
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil || cols <= 0 {
		return label, bar
	}
	room := cols - progressTail - runewidth.StringWidth(label)
	if room >= bar {
		return label, bar
	}
	if room >= 8 {
		return label, room
	}
	bar = 8
	return runewidth.Truncate(label, max(cols-progressTail-bar, 8), "…"), bar
}

func (p *Progress) newBar(total int64) *progressbar.ProgressBar {
	label, width := p.fitLine()
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetWidth(width),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetRenderBlankState(false),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}),
	}
	if p.bytes {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowBytes(true), progressbar.OptionShowTotalBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(p.unit))
	}
	if total <= 0 {
		total = -1 // a spinner, with the count and the rate
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	return progressbar.NewOptions64(total, opts...)
}

// Done ends the line with the total and the time it took.
func (p *Progress) Done(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	amount := group(n) + " " + p.unit
	if p.bytes {
		amount = sizeOf(int64(n))
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %s in %s\n", p.label, amount, time.Since(p.start).Round(time.Millisecond))
}

// Clear erases the line: a reading whose end is not worth a line of its own.
func (p *Progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
}

// group writes 1234567 as 1,234,567.
func group(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sizeOf writes a number of bytes as people read it: 512 B, 1.5 kB, 12 MB.
func sizeOf(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// ProgressReader counts what is read from a file into a progress line of
// its size, and starts again when the file is read again from the start.
type ProgressReader struct {
	*os.File
	p    *Progress
	size int64
	n    int64
}

// NewProgressReader watches the reads of f, a regular file of size bytes.
func NewProgressReader(f *os.File, size int64, p *Progress) *ProgressReader {
	return &ProgressReader{File: f, p: p, size: size}
}

func (r *ProgressReader) Read(b []byte) (int, error) {
	n, err := r.File.Read(b)
	r.n += int64(n)
	r.p.SetOf(int(r.n), int(r.size))
	return n, err
}

// Seek moves in the file; the count follows.
func (r *ProgressReader) Seek(off int64, whence int) (int64, error) {
	pos, err := r.File.Seek(off, whence)
	if err == nil {
		r.n = pos
	}
	return pos, err
}

// Done ends the line with the bytes read.
func (r *ProgressReader) Done() { r.p.Done(int(r.n)) }

// Clear erases the line.
func (r *ProgressReader) Clear() { r.p.Clear() }
