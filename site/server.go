package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// DefaultAddr is where `cyclegan serve` listens unless told otherwise: this
// machine only. Other devices can reach the site only with an explicit
// -addr such as ":8080".
const DefaultAddr = "127.0.0.1:8080"

// NewServer returns an http.Server for the site in dir on addr, with
// limits so that slow or idle clients cannot hold connections forever.
// It is meant for previewing and testing a site, not for production.
func NewServer(addr, dir string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           Handler(dir),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second, // GET and HEAD carry no body
		WriteTimeout:      5 * time.Minute,  // the largest file, cyclegan.wasm, over a slow link
		IdleTimeout:       time.Minute,      // idle keep-alive connections are closed
		MaxHeaderBytes:    64 << 10,
	}
}

// Handler serves the static site in dir: the right MIME types (.wasm is
// application/wasm, which streaming compilation requires), gzip for
// compressible files, ETags, and Cache-Control: no-cache (file names carry
// no hashes, so browsers revalidate; the service worker does the offline
// caching). Files are read into memory once per modification. Only regular
// files inside dir are served: hidden names, folders and symbolic links
// that lead out of dir are 404.
func Handler(dir string) http.Handler {
	return &server{dir: dir, files: map[string]*served{}}
}

type server struct {
	dir   string
	mu    sync.Mutex
	files map[string]*served
}

type served struct {
	mod   time.Time
	size  int64
	ctype string
	etag  string
	data  []byte
	gz    []byte // nil when not worth compressing
}

// contentTypes overrides the system MIME table, which varies between hosts.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".wasm":        "application/wasm",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".cgw":         "application/octet-stream",
	".txt":         "text/plain; charset=utf-8",
}

// Content-Security-Policy headers. pagePolicy is index.html's meta policy
// (keep the two equal; a test checks) plus frame-ancestors, which only a
// header can set; bootstrap.js narrows its connect-src * as before. Every
// other response, the workers' scripts included, gets filePolicy: workers
// take their policy from their own response, and 'wasm-unsafe-eval' lets
// them compile the program.
const (
	pagePolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; " +
		"img-src 'self' blob:; connect-src *; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
		"frame-ancestors 'none'"
	filePolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

// maxPathBytes bounds a request's path; the site's own paths are far shorter.
const maxPathBytes = 1024

// errNotServable is any path that is not a regular file inside the site:
// missing, a folder, a link out of the site, a name the system refuses.
var errNotServable = errors.New("not a file of the site")

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if len(r.URL.Path) > maxPathBytes {
		http.Error(w, "path too long", http.StatusRequestURITooLong)
		return
	}
	if strings.ContainsFunc(r.URL.Path, unicode.IsControl) {
		http.Error(w, "control character in the path", http.StatusBadRequest)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") {
			http.NotFound(w, r)
			return
		}
	}
	f, err := s.load(p)
	if errors.Is(err, errNotServable) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot read file", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Last-Modified", f.mod.UTC().Format(http.TimeFormat))
	if strings.HasPrefix(f.ctype, "text/html") {
		h.Set("Content-Security-Policy", pagePolicy)
	} else {
		h.Set("Content-Security-Policy", filePolicy)
	}
	if strings.HasSuffix(p, ".cgw") || strings.HasSuffix(p, "/"+ManifestName) {
		// Published models may be opened from other sites (?model=URL).
		h.Set("Access-Control-Allow-Origin", "*")
	}
	useGzip := f.gz != nil && acceptsGzip(r)
	etag := f.etag
	if useGzip {
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.data
	if useGzip {
		body = f.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// load returns the file at URL path p, from the cache while it is
// unchanged. It opens the file through an os.Root of the site, which
// refuses any path, symbolic links included, that leads out of the site.
func (s *server) load(p string) (*served, error) {
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fh, err := root.Open(strings.TrimPrefix(p, "/"))
	if err != nil {
		return nil, errNotServable
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotServable
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[p]; f != nil && f.mod.Equal(fi.ModTime()) && f.size == fi.Size() {
		return f, nil
	}
	data, err := io.ReadAll(fh)
	if err != nil {
		return nil, err
	}
	ctype := contentType(p)
	sum := sha256.Sum256(data)
	f := &served{mod: fi.ModTime(), size: fi.Size(), ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, data: data}
	if compressible(ctype) && len(data) > 512 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		if b.Len() < len(data)*9/10 {
			f.gz = b.Bytes()
		}
	}
	s.files[p] = f
	return f, nil
}

// contentType is the MIME type for URL path p. Everything in the models
// folder is a download (application/octet-stream), whatever its name, so
// that no file placed there can run as a page.
func contentType(p string) string {
	if strings.HasPrefix(p, "/"+ModelsDir+"/") {
		return "application/octet-stream"
	}
	ext := strings.ToLower(path.Ext(p))
	if ctype := contentTypes[ext]; ctype != "" {
		return ctype
	}
	if ctype := mime.TypeByExtension(ext); ctype != "" {
		return ctype
	}
	return "application/octet-stream"
}

// compressible is true for text and wasm; weight files are already zstd.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "json") ||
		ctype == "application/wasm" || ctype == "image/svg+xml"
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
