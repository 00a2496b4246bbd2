//go:build unix

package sqlstore

import "golang.org/x/sys/unix"

// writable reports whether this process may write in path (a directory:
// create files there), by the access rules of the system, root's included.
func writable(path string) bool { return unix.Access(path, unix.W_OK) == nil }
