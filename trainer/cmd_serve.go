package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cyclegan-go/cyclegan/site"
)

func init() { register("serve", "serve a built site on http://localhost:8080", runServe) }

// runServe implements `cyclegan serve [-addr :8080] [DIR]`: a small static
// server for a built site (application/wasm, gzip, cache headers).
func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "listen `address`")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclegan serve [-addr :8080] [DIR]\n\nServes a site built by `cyclegan site` (default DIR: dist).")
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	dir := "dist"
	switch len(rest) {
	case 0:
	case 1:
		dir = rest[0]
	default:
		return fmt.Errorf("serve: one folder, please (have %q)", rest)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		return fmt.Errorf("serve: %s is not a built site (no index.html); run `cyclegan site -o %s` or `make site` first", dir, dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Printf("Serving %s on %s\n", dir, displayURL(ln.Addr()))
	srv := &http.Server{Handler: site.Handler(dir), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// displayURL is the address to open in a browser.
func displayURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
