// Command ict trains and samples consistency models (iCT, Song & Dhariwal
// 2023) on any Vulkan device.
//
// Usage:
//
//	ict devices            list the Vulkan devices and the one ict would use
//
// Run 'ict help' or 'ict COMMAND -h' for the flags of each command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"syscall"
)

// command is one subcommand of ict.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"devices":    {"list the Vulkan devices and the one ict would use", runDevices},
	"schedule":   {"print the iCT curriculum and a noise grid as CSV", runSchedule},
	"train":      {"train a consistency model (iCT) and write a run folder", runTrain},
	"sample":     {"draw images from a checkpoint into a PNG grid", runSample},
	"bench":      {"time training steps and the main ops of a preset on a device", runBench},
	"model":      {"list a preset's network: parameters per layer and in total", runModel},
	"view":       {"browse a checkpoint's samples in a window", runView},
	"eval":       {"score a checkpoint's samples: FID, real baseline, class coverage", runEval},
	"classifier": {"train the feature network 'ict eval' scores with", runClassifier},
}

// errUsage marks an error in how ict was called: it exits with status 2.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ict: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "ict %s: %v\n", args[0], err)
		var status *exitStatus
		if errors.As(err, &status) {
			return status.code
		}
		return 1
	}
}

// exitStatus is an error that ends ict with a status of its own instead
// of 1, such as 130 after an interrupt, as shells report a signal.
type exitStatus struct {
	err  error
	code int
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

// stoppedBy is the error of a command that sig stopped: its exit status
// is 128 + the signal's number, as shells report a process a signal ended.
func stoppedBy(sig os.Signal, err error) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return err
	}
	return &exitStatus{err: err, code: 128 + int(s)}
}

// lineLogger is a logf that writes each message to w as a line.
func lineLogger(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
}

// signalName is how a shell user knows sig: SIGINT (Ctrl-C), SIGTERM.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	}
	return sig.String()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ict trains consistency models (iCT) on any Vulkan device.\n\nUsage: ict COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEnvironment: ICT_DEVICE=N picks a device, ICT_VALIDATE=1 turns on the Vulkan validation layer;")
	fmt.Fprintln(w, "ICT_NO_UMA=1, ICT_NO_PUSH_DESCRIPTORS=1 and ICT_TUNING=gpu|cpu force another kind of device's code paths.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ict "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning flag errors into errUsage (flag has already
// printed them).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// usageError prints what is wrong with the command line as flag prints
// its own errors ("ict COMMAND: ..."), and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	return errUsage
}
