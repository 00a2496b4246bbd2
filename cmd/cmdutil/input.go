package cmdutil

import (
	"errors"
	"io"
	"os"

	"github.com/commercectl/commercectl/output"
	"github.com/commercectl/commercectl/store"
)

// OpenInput opens a file argument, or stdin for "-", with one clear error
// for a missing file, a directory or an unreadable one.
func OpenInput(f *Factory, path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(f.IOStreams.In), nil
	}
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, store.Errorf(store.ENOTFOUND, "no file %s", path)
	}
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "cannot read %s: %v", path, unwrapPath(err))
	}
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		fh.Close()
		return nil, store.Errorf(store.EINVALID, "%s is a directory, not a file", path)
	}
	return fh, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// WatchInput shows how much of in has been read, against its size, on a
// terminal's stderr, when in is a regular file (not stdin, not a pipe).
// done ends the line; it is a no-op when nothing is shown.
func WatchInput(f *Factory, in io.ReadCloser, label string) (_ io.ReadCloser, done func()) {
	r := watch(f, in, label)
	if r == nil {
		return in, func() {}
	}
	return r, r.Done
}

// CheckInput is WatchInput for a reading that comes before the real one (a
// rehearsal): clear erases its line instead of ending it.
func CheckInput(f *Factory, in io.ReadCloser, label string) (_ io.ReadCloser, clear func()) {
	r := watch(f, in, label)
	if r == nil {
		return in, func() {}
	}
	return r, r.Clear
}

func watch(f *Factory, in io.ReadCloser, label string) *output.ProgressReader {
	fh, ok := in.(*os.File)
	if !ok || !f.IOStreams.IsStderrTTY() {
		return nil
	}
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return nil
	}
	return output.NewProgressReader(fh, st.Size(), output.NewProgressBytes(f.IOStreams.ErrOut, label))
}
