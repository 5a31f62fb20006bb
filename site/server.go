package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler serves the static site in dir: the right MIME types (.wasm is
// application/wasm, which streaming compilation requires), gzip for
// compressible files, ETags, and Cache-Control: no-cache (file names carry
// no hashes, so browsers revalidate; the service worker does the offline
// caching). Files are read into memory once per modification.
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

// workerPolicy is sent as a header with every response except the page
// (whose policy is its meta tag plus bootstrap.js): workers and the
// service worker get their policy from their own response.
const workerPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'"

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
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
	if err != nil {
		if os.IsNotExist(err) || err == errIsDir {
			http.NotFound(w, r)
		} else {
			http.Error(w, "cannot read file", http.StatusInternalServerError)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Last-Modified", f.mod.UTC().Format(http.TimeFormat))
	if !strings.HasPrefix(f.ctype, "text/html") {
		h.Set("Content-Security-Policy", workerPolicy)
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

var errIsDir = os.ErrInvalid

func (s *server) load(p string) (*served, error) {
	name := filepath.Join(s.dir, filepath.FromSlash(p))
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, errIsDir
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[p]; f != nil && f.mod.Equal(fi.ModTime()) && f.size == fi.Size() {
		return f, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	ext := strings.ToLower(path.Ext(p))
	ctype := contentTypes[ext]
	if ctype == "" {
		ctype = mime.TypeByExtension(ext)
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
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
