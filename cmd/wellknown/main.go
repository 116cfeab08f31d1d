// Command wellknown publishes an OAuth 2.0 / OpenID Connect authorization
// server's public metadata as static files.
//
// This package holds flags, wiring and exit codes only; the work is done by
// the generator packages. os.Exit is called here and nowhere else.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// Exit statuses, documented in --help and the README.
const (
	exitOK      = 0 // success
	exitInvalid = 1 // invalid input, failed build or failed verification
	exitUsage   = 2 // wrong usage: unknown command or flag, missing argument
	// 128 + the signal's number when a signal stopped the command (see
	// interrupted): 129 SIGHUP, 130 SIGINT, 143 SIGTERM.
)

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name    string
	summary string // one line for the command list
	usage   string // the full --help text, worked examples first
	run     func(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error
	flags   func(fs *pflag.FlagSet) // declares the command's flags; may be nil
	// subcommands make the command a group ("keys generate"); run is unused.
	subcommands []*command
}

// usageError is wrong usage: it exits 2 and prints a pointer to --help.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errSilent marks a failure whose details the command already printed.
var errSilent = errors.New("failed")

func main() {
	limitMemory()
	ctx, stop := notifyContext(context.Background())
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, mainUsage())
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "--help", "help":
		if len(rest) > 0 {
			// help keys generate: follow the words down the subcommands.
			c := lookup(rest[0])
			for _, word := range rest[1:] {
				if c == nil {
					break
				}
				c = c.sub(word)
			}
			if c != nil {
				fmt.Fprint(e.stdout, c.usage)
				return exitOK
			}
			fmt.Fprintf(e.stderr, "wellknown: unknown command %q\n", strings.Join(rest, " "))
			return exitUsage
		}
		fmt.Fprint(e.stdout, mainUsage())
		return exitOK
	case "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "wellknown: unknown command %q\nRun 'wellknown --help' for the list of commands.\n", name)
		return exitUsage
	}
	for len(c.subcommands) > 0 {
		if len(rest) == 0 {
			fmt.Fprintf(e.stderr, "wellknown %s: missing subcommand\n%s", c.name, c.usage)
			return exitUsage
		}
		if rest[0] == "-h" || rest[0] == "--help" {
			fmt.Fprint(e.stdout, c.usage)
			return exitOK
		}
		sub := c.sub(rest[0])
		if sub == nil {
			fmt.Fprintf(e.stderr, "wellknown: unknown command \"%s %s\"\nRun 'wellknown %s --help' for the list of commands.\n", c.name, rest[0], c.name)
			return exitUsage
		}
		c, rest = sub, rest[1:]
	}
	fs := pflag.NewFlagSet("wellknown "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	if c.flags != nil {
		c.flags(fs)
	}
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(rest); err != nil {
		if wantsJSON(fs, rest, false) {
			errorReport(e.stdout, c.name, usageError{err.Error()})
			return exitUsage
		}
		fmt.Fprintf(e.stderr, "wellknown %s: %v\nRun 'wellknown %s --help' for usage.\n", c.name, err, c.name)
		return exitUsage
	}
	if *help {
		fmt.Fprint(e.stdout, c.usage)
		return exitOK
	}
	err := c.run(ctx, e, fs, fs.Args())
	var ue usageError
	var in interrupted
	switch {
	case err == nil:
		return exitOK
	case errors.As(context.Cause(ctx), &in):
		// Whatever failed, it failed because the user asked it to stop.
		if !errors.Is(err, errSilent) {
			fmt.Fprintf(e.stderr, "%v\n", err)
		}
		return in.exitCode()
	case !errors.Is(err, errSilent) && wantsJSON(fs, rest, true):
		// A script that asked for JSON parses this failure too.
		errorReport(e.stdout, c.name, err)
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitInvalid
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "wellknown %s: %s\nRun 'wellknown %s --help' for usage.\n", c.name, ue.msg, c.name)
		return exitUsage
	case errors.Is(err, errSilent):
		return exitInvalid
	default:
		fmt.Fprintf(e.stderr, "%v\n", err)
		return exitInvalid
	}
}

// sub finds a subcommand by its last word: "generate" in "keys generate".
func (c *command) sub(name string) *command {
	for _, s := range c.subcommands {
		if s.name == c.name+" "+name {
			return s
		}
	}
	return nil
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}
