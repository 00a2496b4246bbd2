package cmdutil

import (
	"errors"
	"io"
	"os"

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
