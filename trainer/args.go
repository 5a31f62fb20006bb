package main

import (
	"flag"
	"github.com/cyclegan-go/cyclegan/trainer/train"
	"strings"
)

// parseInterspersed parses flags that may come before or after the
// positional arguments (`export RUN -o F` as well as `export -o F RUN`)
// and returns the positional ones. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
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
