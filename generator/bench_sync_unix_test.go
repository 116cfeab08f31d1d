//go:build linux

package generator_test

import "golang.org/x/sys/unix"

// syncTree makes what was written below dir durable, as publish does
// before it swaps a tree in (syncfs), so that the floor pays for it too.
func syncTree(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Syncfs(fd)
}
