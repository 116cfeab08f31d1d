//go:build unix

package tree

import (
	"errors"
	"syscall"
)

// Opening a named pipe must not wait for a writer, and a link must not be
// followed.
const (
	openNonblock = syscall.O_NONBLOCK
	openNoFollow = syscall.O_NOFOLLOW
)

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
