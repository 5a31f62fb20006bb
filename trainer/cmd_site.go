package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cyclegan-go/cyclegan/site"
)

func init() { register("site", "build the translator web site (dist/): page, .wasm, models", runSite) }

// runSite implements `cyclegan site [-o dist] [-models models]`: it builds
// the deployable translator site.
func runSite(args []string) error {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	out := fs.String("o", "dist", "output `folder` (replaced if it holds a built site)")
	models := fs.String("models", "models", "`folder` of weight files to publish into the site (missing: none)")
	goCmd := fs.String("go", "go", "go `command` whose toolchain builds the .wasm")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclegan site [-o dist] [-models models]\n\nBuilds the translator page with its WebAssembly program, wasm_exec.js and models into a folder any static host can serve.")
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("site: unexpected arguments %q", rest)
	}
	return site.Build(site.BuildOptions{Out: *out, Models: *models, Go: *goCmd, Log: os.Stderr})
}

// parseInterleaved parses flags that may come before or after the
// positional arguments (`publish FILE --site dist`), returning the latter.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}
