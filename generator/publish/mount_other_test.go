//go:build unix && !linux

package publish_test

import (
	"errors"
	"testing"
)

// mountTmpfs: a tmpfs is mounted here only on Linux.
func mountTmpfs(*testing.T, string) (string, error) {
	return "", errors.New("tmpfs is mounted only on Linux")
}
