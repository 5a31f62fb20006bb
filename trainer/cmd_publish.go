package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/cyclegan-go/cyclegan/site"
)

func init() { register("publish", "add a weight file to a built site and models.json", runPublish) }

// runPublish implements `cyclegan publish FILE [--site dist] [--name NAME]`:
// it adds a weight file to a built site and lists it in models.json.
func runPublish(args []string) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	dir := fs.String("site", "dist", "built site `folder`")
	name := fs.String("name", "", "model `name` shown on the page (default: the file name)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclegan publish FILE [--site dist] [--name NAME]\n\n"+
			"Copies a weight file into a built site and records its size and SHA-256 in models.json.\n"+
			"FILE's name becomes part of the site: 1 to 64 letters, digits, '.', '_' or '-', starting\n"+
			"with a letter or digit, then .cgw. If any step fails, the site is left as it was.")
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return fmt.Errorf("need exactly one weight file, have %d", len(rest))
	}
	e, err := site.Publish(*dir, rest[0], *name)
	if err != nil {
		return err
	}
	fmt.Printf("Published %s as %q in %s (%d bytes, sha256 %s, directions %s)\n",
		e.File, e.Name, *dir, e.Bytes, e.SHA256, strings.Join(e.Directions, ", "))
	return nil
}
