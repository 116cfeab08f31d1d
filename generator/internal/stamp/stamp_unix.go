//go:build unix

package stamp

import "golang.org/x/sys/unix"

// Of is the Stamp of what st says.
func Of(st *unix.Stat_t) Stamp {
	return Stamp{Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: st.Size,
		Mtime: unix.TimespecToNsec(st.Mtim), Ctime: unix.TimespecToNsec(st.Ctim)}
}
