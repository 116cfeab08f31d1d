//go:build unix

package clients

import "syscall"

const syscallNoFollow = syscall.O_NOFOLLOW
