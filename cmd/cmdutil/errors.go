package cmdutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

// Exit codes (SPEC §2).
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitNotFound  = 3
	ExitForbidden = 4
	ExitRefused   = 5
	ExitDrift     = 6
)

// UsageError is bad usage: a bad flag, a missing argument, a wrong mode.
type UsageError struct{ Msg, Hint string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a usage error (exit 2).
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// DriftError reports drift found by diff-policies (exit 6); the drift itself
// has already been printed on stdout.
type DriftError struct{ Count int }

func (e *DriftError) Error() string {
	return fmt.Sprintf("drift found: %d setting(s) differ from the file", e.Count)
}

// ExitCode maps an error to the documented exit code and the JSON error code.
func ExitCode(err error) (int, string) {
	var (
		usage *UsageError
		drift *DriftError
		jq    *output.JQError
	)
	switch {
	case err == nil:
		return ExitOK, ""
	case errors.As(err, &usage), errors.As(err, &jq), errors.Is(err, output.ErrCanceled):
		return ExitUsage, store.EINVALID
	case errors.As(err, &drift):
		return ExitDrift, "drift"
	case store.ErrorCode(err) == store.EINTERNAL && isCobraUsage(err):
		// Only an error the domain did not name can be cobra's: a domain
		// message may quote input such as "X requires Y".
		return ExitUsage, store.EINVALID
	}
	switch code := store.ErrorCode(err); code {
	case store.EINVALID:
		return ExitUsage, code
	case store.ENOTFOUND:
		return ExitNotFound, code
	case store.EFORBIDDEN:
		return ExitForbidden, code
	case store.ECONFLICT:
		return ExitRefused, code
	default:
		return ExitFailure, store.EINTERNAL
	}
}

// isCobraUsage recognises the errors cobra makes itself before a verb runs.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument",
		"invalid argument", "required flag", "accepts ", "requires ", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// jsonError is the error document of -o json: {"error":{...}}.
type jsonError struct {
	Code    string                  `json:"code"`
	Message string                  `json:"message"`
	Hint    string                  `json:"hint,omitempty"`
	Lines   []store.ImportLineError `json:"lines,omitempty"`
	// Total counts every bad line when lines holds only the first ones.
	Total int `json:"total,omitempty"`
}

// PrintError writes err as one line on w: "error: ..." or, in JSON mode,
// {"error":{"code":...,"message":...}}.
func PrintError(w io.Writer, err error, jsonMode bool) {
	_, code := ExitCode(err)
	msg := store.ErrorMessage(err)
	hint := store.ErrorHint(err)
	var usage *UsageError
	if errors.As(err, &usage) {
		hint = usage.Hint
	}
	msg = OneLine(msg)
	if jsonMode {
		body := jsonError{Code: code, Message: msg, Hint: OneLine(hint)}
		var bad *store.ImportError
		if errors.As(err, &bad) {
			for _, l := range bad.Lines {
				body.Lines = append(body.Lines, store.ImportLineError{Line: l.Line, Error: OneLine(l.Error)})
			}
			body.Total = bad.Total
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]jsonError{"error": body})
		w.Write(buf.Bytes())
		return
	}
	if hint != "" {
		fmt.Fprintf(w, "error: %s (hint: %s)\n", msg, OneLine(hint))
		return
	}
	fmt.Fprintf(w, "error: %s\n", msg)
}

// maxErrorText bounds the message and the hint of an error line, in bytes:
// a hostile argument (the kernel passes up to 128 KiB in one) that a message
// quotes must not make the error a screenful.
const maxErrorText = 1024

// OneLine makes s safe for one line of a terminal, whatever a hostile input
// put in it: line breaks and tabs become spaces; other control characters,
// invisible format characters (a right-to-left override would reorder what
// the reader sees) and bytes that are not UTF-8 are shown escaped, as Go
// quotes them; and text past maxErrorText bytes is cut with "…".
func OneLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= maxErrorText {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
