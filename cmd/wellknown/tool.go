package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sync"
)

// toolID identifies this build of wellknown, for the client cache: what a
// client file gives depends on the code that checks and renders it, so a
// cache another build made is not trusted. It is the Go build ID of the
// running executable, which the go command derives from everything linked
// into it, so a rebuilt binary has another even with no version to tell
// (go run, a dirty work tree). Without one it is the version, with the
// executable's size and time.
var toolID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err == nil {
		if id := buildID(exe); id != "" {
			return "go-build-id " + id
		}
	}
	v := version()
	if fi, err := os.Stat(exe); err == nil {
		v += fmt.Sprintf(" %d %d", fi.Size(), fi.ModTime().UnixNano())
	}
	return v
})

// buildID reads the Go build ID of the executable at p, where the linker
// puts it: an ELF note, or near the start of the text (Mach-O, PE), as
// "go tool buildid" reads it. Reading a few kilobytes is what makes it
// cheaper than hashing an 80 MB binary on every build.
func buildID(p string) string {
	if f, err := elf.Open(p); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if b, err := s.Data(); err == nil && len(b) > 16 {
				// namesz, descsz, type, then "Go\x00\x00" and the ID.
				desc := b[16:]
				if i := bytes.IndexByte(desc, 0); i >= 0 {
					desc = desc[:i]
				}
				return string(desc)
			}
		}
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 32<<10))
	const marker = "\xff Go build ID: \""
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		return ""
	}
	b = b[i+len(marker):]
	if j := bytes.IndexByte(b, '"'); j > 0 {
		return string(b[:j])
	}
	return ""
}
