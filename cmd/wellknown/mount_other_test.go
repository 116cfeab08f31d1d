//go:build unix && !linux

package main

import "testing"

// mountTmpfs: a tmpfs is mounted here only on Linux.
func mountTmpfs(t *testing.T, _ string) string {
	t.Skip("a small file system is a tmpfs, mounted on Linux")
	return ""
}
