package cmdutil

import (
	"fmt"
	"io"
)

// DryRunHeading opens, on stderr, the output of every --dry-run.
const DryRunHeading = "Preview (--dry-run): what would change; nothing is changed."

// Preview puts, in a --dry-run, DryRunHeading on stderr before the verb's
// first line on either stream: what follows is a plan, not a result
// (issue 15). Once disarmed (a refusal, reported after the verb returns or
// as bad lines of a file) it prints nothing, so a refusal reads the same
// with --dry-run as without.
type Preview struct {
	errOut   io.Writer // stderr itself
	armed    bool
	onStdout bool
}

// Arm makes the next line written print the heading first: the next line
// on stderr, or on stdout too when stdout is a terminal, where the two
// streams share one screen. (On a pipe the heading waits for stderr: if
// the output cannot be written, its error stays the one line on stderr.)
func (p *Preview) Arm(stdoutTTY bool) {
	if p != nil {
		p.armed, p.onStdout = true, stdoutTTY
	}
}

// FireStdout is Fire for a line on stdout.
func (p *Preview) FireStdout() {
	if p != nil && p.onStdout {
		p.Fire()
	}
}

// Disarm drops the heading if it was not printed yet.
func (p *Preview) Disarm() {
	if p != nil {
		p.armed = false
	}
}

// Fire prints the heading, once, if armed.
func (p *Preview) Fire() {
	if p != nil && p.armed {
		p.armed = false
		fmt.Fprintln(p.errOut, DryRunHeading)
	}
}

// Wrap returns stderr writing through p, still a terminal's file (for the
// prompts) when it is one.
func (p *Preview) Wrap(w io.Writer) io.Writer {
	p.errOut = w
	if fw, ok := w.(interface {
		io.Writer
		Fd() uintptr
	}); ok {
		return previewFile{previewWriter{w, p}, fw.Fd}
	}
	return previewWriter{w, p}
}

type previewWriter struct {
	w io.Writer
	p *Preview
}

func (w previewWriter) Write(b []byte) (int, error) {
	w.p.Fire()
	return w.w.Write(b)
}

type previewFile struct {
	previewWriter
	fd func() uintptr
}

func (w previewFile) Fd() uintptr { return w.fd() }
