package main

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/publish"
)

// noWaitFlag is shared by the commands that replace a directory.
func noWaitFlag(fs *pflag.FlagSet) {
	fs.Bool("no-wait", false, "fail at once if another build is writing the directory")
}

// writeOptions are how build and import replace their directory: notes and
// warnings go to stderr, and --no-wait decides about a busy directory.
func writeOptions(e *env, fs *pflag.FlagSet) publish.Options {
	noWait, _ := fs.GetBool("no-wait")
	// --no-cache, where a command has it, trusts nothing a build kept:
	// neither its cache nor its spare tree.
	noCache, _ := fs.GetBool("no-cache")
	return publish.Options{
		NoWait:  noWait,
		NoSpare: noCache,
		Note:    func(msg string) { fmt.Fprintln(e.stderr, msg) },
		Warn:    func(err error) { fmt.Fprintf(e.stderr, "warning: %v\n", err) },
	}
}

// publishFailed explains why dir was not replaced, with a hint where the
// fix is plain. A write that a signal stopped says so; the signal decides
// the exit status.
func publishFailed(ctx context.Context, verb, dir string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w; %s was not changed", verb, context.Cause(ctx), dir)
	}
	var fe *publish.ForeignError
	var hint string
	unchanged := true // unless the error says so already
	switch {
	case errors.As(err, &fe):
		hint, unchanged = fmt.Sprintf("name another directory, or empty %s first if nothing in it is needed", dir), false
	case errors.Is(err, publish.ErrRefused):
		unchanged = false
	case errors.Is(err, publish.ErrBusy):
		hint, unchanged = "wait for it to finish, or leave out --no-wait to wait for it", false
	case errors.Is(err, syscall.ENOSPC):
		hint = fmt.Sprintf("free space where %s is: until the swap, the new tree sits beside the old one", dir)
	case errors.Is(err, syscall.EFBIG):
		hint = "a file size limit is set for this process (ulimit -f)"
	}
	var more string
	if unchanged {
		more = fmt.Sprintf("; %s was not changed", dir)
	}
	if hint != "" {
		more += "\n\thint: " + hint
	}
	return fmt.Errorf("%s: %w%s", verb, err, more)
}
