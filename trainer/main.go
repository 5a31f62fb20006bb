// Command cyclegan trains CycleGAN translators on two folders of photos and
// translates photos with them: `cyclegan train`, `translate`, `export`,
// and the weight-file tools `import`, `info`, `zoo`.
package main

import (
	"errors"
	"flag"
	"fmt"
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

func usage() {
	fmt.Fprintf(os.Stderr, "usage: cyclegan COMMAND [options]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(os.Stderr, "\n`cyclegan COMMAND --help` lists a command's options.\n")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "cyclegan: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		if code := exitCode(err); code != 0 {
			if code == 1 {
				fmt.Fprintf(os.Stderr, "cyclegan %s: %v\n", os.Args[1], err)
			}
			os.Exit(code)
		}
	}
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
