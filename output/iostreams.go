// Package output renders values for people and programs (table, json, yaml,
// csv), asks questions in a terminal, and knows whether there is one.
package output

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams are the three standard streams and whether each is a terminal.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	noColor                        bool
	width                          int // tests set it
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr),
		noColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}, in, out, errOut
}

// SetTTY pretends, in tests, that the streams are (or are not) terminals.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// CanPrompt reports whether questions can be asked: stdin and stderr are terminals.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// TerminalWidth is the width tables fit when stdout is a terminal: COLUMNS
// when it is a number (getenv reads it), else the terminal's; 0 on a pipe,
// where tables are left whole.
func (s *IOStreams) TerminalWidth(getenv func(string) string) int {
	if !s.stdoutTTY {
		return 0
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if s.width > 0 {
		return s.width
	}
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		return w
	}
	return 0
}

// IsStderrTTY reports whether stderr is a terminal (progress and colour go there only then).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether stderr may be coloured.
func (s *IOStreams) ColorEnabled() bool { return s.stderrTTY && !s.noColor }

// Success returns "✓ msg" for a terminal, green unless NO_COLOR is set.
func (s *IOStreams) Success(msg string) string {
	if !s.stderrTTY {
		return msg
	}
	if s.ColorEnabled() {
		return "\x1b[32m✓\x1b[0m " + msg
	}
	return "✓ " + msg
}
