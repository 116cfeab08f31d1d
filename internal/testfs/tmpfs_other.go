//go:build !linux

package testfs

import (
	"errors"
	"testing"
)

// Tmpfs: a tmpfs is mounted only on Linux.
func Tmpfs(testing.TB, string) (string, error) {
	return "", errors.New("a tmpfs is mounted only on Linux")
}
