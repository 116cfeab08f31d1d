package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of a context that a signal ended. A command that
// fails because of it exits 128 plus the signal's number, as a shell reports
// a process the signal killed: 129 SIGHUP, 130 SIGINT, 143 SIGTERM.
type interrupted struct{ sig syscall.Signal }

var signalNames = map[syscall.Signal]string{syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}

func (i interrupted) Error() string { return "interrupted by " + signalNames[i.sig] }

func (i interrupted) exitCode() int { return 128 + int(i.sig) }

// notifyContext is signal.NotifyContext for SIGINT, SIGTERM and SIGHUP,
// with the signal as the context's cause. The first signal asks the command
// to stop (a build gives up before its swap, serve shuts down); after it the
// signals' default actions are back, so a second one stops the process at
// once, and the next build removes what it left.
func notifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			cancel(interrupted{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	// stop leaves the signals caught: one that comes after the command
	// ended, as the process exits, would otherwise kill a process whose
	// work is done, and the shell would report it interrupted.
	return ctx, func() { cancel(context.Canceled) }
}
