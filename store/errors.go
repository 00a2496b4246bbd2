package store

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one exit code in cmd/ and is the "code" of the
// JSON error document, so scripts can branch on it.
const (
	EINVALID   = "invalid"   // bad usage or invalid input (exit 2)
	ENOTFOUND  = "not_found" // a named thing does not exist (exit 3)
	EFORBIDDEN = "forbidden" // no identity, or the role does not allow it (exit 4)
	ECONFLICT  = "refused"   // a rule of the domain refuses it (exit 5)
	EINTERNAL  = "internal"  // anything unexpected (exit 1)
)

// Error is a domain error: a code for machines, a message and an optional
// hint (usually the command that fixes it) for people.
type Error struct {
	Code    string
	Message string
	Hint    string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns a domain error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns a copy of e that carries a hint.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// ErrorCode returns the code of err, EINTERNAL for errors the domain did not name.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var ie *ImportError
	if errors.As(err, &ie) {
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage returns the message of a domain error, or the text of any other error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ErrorHint returns the hint of a domain error, if any.
func ErrorHint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

func itoa(n int) string { return fmt.Sprint(n) }
