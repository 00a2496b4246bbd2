//go:build !unix

package output

import "time"

// moreInput cannot wait for input here: a lone ESC is the Escape key.
func moreInput(uintptr, time.Duration) bool { return false }
