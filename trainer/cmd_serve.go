package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/cyclegan-go/cyclegan/site"
)

func init() { register("serve", "preview a built site on http://127.0.0.1:8080", runServe) }

// runServe implements `cyclegan serve [-addr 127.0.0.1:8080] [-isolate] [DIR]`: a small
// static server for previewing and testing a built site (application/wasm,
// gzip, cache and security headers); not a production server. It listens
// on this machine only unless -addr says otherwise (e.g. -addr :8080).
func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", site.DefaultAddr, "listen `address`; :8080 listens on every network interface")
	isolate := fs.Bool("isolate", false, "send Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers, so that the page is cross-origin isolated")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclegan serve [-addr 127.0.0.1:8080] [-isolate] [DIR]\n\n"+
			"Serves a site built by `cyclegan site` (default DIR: dist) for previewing and testing;\n"+
			"for the public, copy DIR to a static host. Only this machine can connect unless -addr\n"+
			"names another interface, e.g. -addr :8080 for every one.")
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
		return fmt.Errorf("one folder, please (have %q)", rest)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		return fmt.Errorf("%s is not a built site (no index.html); run `cyclegan site -o %s` or `make site` first", dir, dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("Serving %s on %s\n", dir, displayURL(ln.Addr()))
	if !isLoopback(ln.Addr()) {
		fmt.Println("Other devices that can reach this machine can open it too (-addr); this server is for previews, not production.")
	}
	srv := site.NewServer(*addr, dir)
	if *isolate {
		srv.Handler = site.Isolate(srv.Handler)
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// isLoopback reports whether a only accepts connections from this machine.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
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
