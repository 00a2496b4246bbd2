package cmdutil

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/commercectl/commercectl/store"
	"github.com/spf13/pflag"
)

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines\r\tand a tab", "two lines  and a tab"},
		{"NUL\x00 and ESC\x1b[31m", `NUL\x00 and ESC\x1b[31m`},
		{"C1 \u0085 control", `C1 \u0085 control`},
		{"right-to-left \u202eoverride", `right-to-left \u202eoverride`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"not UTF-8 \xff\xfe", `not UTF-8 \xff\xfe`},
		{"Cyrillic \u0430 and 語 stay", "Cyrillic \u0430 and 語 stay"},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := OneLine(strings.Repeat("é", 1<<16))
	if len(long) > maxErrorText+len("é")+len("…") || !strings.HasSuffix(long, "…") || !utf8.ValidString(long) {
		t.Errorf("OneLine of 128 KiB is %d bytes, want it cut at %d with …", len(long), maxErrorText)
	}
}

// Whatever the error holds, PrintError writes exactly one line.
func TestPrintErrorIsOneLine(t *testing.T) {
	hostile := "a\nb\x00c\u202ed" + strings.Repeat("x", 200<<10)
	for _, jsonMode := range []bool{false, true} {
		var buf bytes.Buffer
		err := store.Errorf(store.ENOTFOUND, "no user %s", hostile).WithHint("%s", hostile)
		PrintError(&buf, err, jsonMode)
		out := buf.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
			t.Errorf("json=%v: %d lines", jsonMode, strings.Count(out, "\n"))
		}
		if len(out) > 3*maxErrorText {
			t.Errorf("json=%v: %d bytes", jsonMode, len(out))
		}
		if strings.ContainsAny(out, "\x00\u202e") {
			t.Errorf("json=%v: a raw NUL or right-to-left override: %.200q", jsonMode, out)
		}
	}
}

// IntVar reads decimal numbers only: "010" is ten, not eight.
func TestIntVarIsDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want int
		bad  string
	}{
		{"10", 10, ""},
		{"010", 10, ""},
		{"-3", -3, ""},
		{"+7", 7, ""},
		{"0x10", 0, "not a whole number"},
		{"0b11", 0, "not a whole number"},
		{"1_000", 0, "not a whole number"},
		{"1e9", 0, "not a whole number"},
		{"1.5", 0, "not a whole number"},
		{" 5", 0, "not a whole number"},
		{"99999999999999999999", 0, "out of range"},
	}
	for _, tt := range tests {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		var n int
		IntVar(fs, &n, "quantity", 12, "")
		if n != 12 {
			t.Fatalf("default %d, want 12", n)
		}
		err := fs.Parse([]string{"--quantity", tt.in})
		switch {
		case tt.bad == "" && (err != nil || n != tt.want):
			t.Errorf("--quantity %q = %d, %v; want %d", tt.in, n, err, tt.want)
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)):
			t.Errorf("--quantity %q: %v, want an error saying %q", tt.in, err, tt.bad)
		}
	}
}
