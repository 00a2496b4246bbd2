//go:build unix

package output

import (
	"time"

	"golang.org/x/sys/unix"
)

// moreInput reports whether fd has bytes to read within wait.
func moreInput(fd uintptr, wait time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(wait.Milliseconds()))
	return err == nil && n > 0
}
