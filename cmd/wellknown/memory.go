package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit on the Go runtime's memory that a command
// runs under unless GOMEMLIMIT says otherwise. The garbage collector
// otherwise lets the heap grow to twice what is live: a build of 100,000
// clients, which holds about 150 MiB, would take over 400 MiB of memory
// where 250 MiB do. Near the limit the collector runs more often, at most
// half the CPU; a registry that holds more than the limit still builds,
// more slowly, unless GOMEMLIMIT raises the limit or turns it off.
const memoryLimit = 192 << 20

func limitMemory() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
}
