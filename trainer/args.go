package main

import (
	"flag"
	"os"
	"slices"
	"strings"

	"github.com/cyclegan-go/cyclegan/trainer/train"
)

// parseInterspersed parses flags that may come before or after the
// positional arguments (`export RUN -o F` as well as `export -o F RUN`)
// and returns the positional ones. "--" ends the flags.
// Asked for help (-h, --help), a command prints its usage on standard
// output (and exits 0): help is the output asked for, not an error.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	if wantsHelp(args) && fs.Output() == os.Stderr {
		fs.SetOutput(os.Stdout)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			continue
		}
	}
}

// newFlagSet is the train command's flag set bound to o.
func newFlagSet(o *train.Options) *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	o.Register(fs)
	return fs
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[:i]
	}
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}
