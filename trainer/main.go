// Command cyclegan trains CycleGAN translators on two folders of photos and
// translates photos with them: `cyclegan train`, `translate`, `export`,
// and the weight-file tools `import`, `edit`, `info`, `zoo`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand: run gets the arguments after its name.
type command struct {
	summary string
	run     func(args []string) error
}

// commands is filled by each cmd_*.go file's init through register.
var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary, run}
}

// usage lists the commands on w.
func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: cyclegan COMMAND [options]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\n`cyclegan COMMAND --help` lists a command's options.\n")
}

func main() { os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr)) }

// runMain runs `cyclegan args...` and returns the exit status: help asked
// for goes to stdout with status 0; no command, or an unknown one, prints
// the usage on stderr with status 2; a command's error goes to stderr.
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cyclegan: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(args[1:])
	code := exitCode(err)
	if code == 1 {
		fmt.Fprintf(stderr, "cyclegan %s: %v\n", args[0], err)
	}
	return code
}

// exitCode is the process status for a command's error: 0 for --help, 130
// for errInterrupted (the command has already said how to continue), else 1
// (the caller prints the error).
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errInterrupted):
		return 130 // as a shell reports a command stopped by SIGINT: scripts stop too
	}
	return 1
}

// errInterrupted is returned by a command that stopped cleanly on SIGINT or
// SIGTERM after telling the user how to continue; the process exits with
// status 130, so that a script running it (make models) stops instead of
// going on as if it had finished.
var errInterrupted = errors.New("interrupted")
