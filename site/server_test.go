package site

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawGet sends one request line as is (so the test controls every byte
// of the path) and returns the response.
func rawGet(t *testing.T, srv *httptest.Server, target string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServerAnswersBadPathsWithoutServerErrors(t *testing.T) {
	srv := httptest.NewServer(Handler(fakeSite(t)))
	defer srv.Close()
	for _, c := range []struct {
		name, target string
		want         int
	}{
		{"a path over the length limit", "/" + strings.Repeat("a", 5000), http.StatusRequestURITooLong},
		{"a NUL byte", "/app%00.js", http.StatusBadRequest},
		{"a control character", "/app%01.js", http.StatusBadRequest},
		{"a name longer than the file system allows", "/" + strings.Repeat("b", 300) + ".js", http.StatusNotFound},
		{"a file used as a folder", "/index.html/x", http.StatusNotFound},
	} {
		if r := rawGet(t, srv, c.target); r.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, r.StatusCode, c.want)
		}
	}
}

// metaPolicy is the Content-Security-Policy of index.html's meta tag.
func metaPolicy(t *testing.T) string {
	t.Helper()
	page, err := Static.ReadFile("index.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindSubmatch(page)
	if m == nil {
		t.Fatal("index.html has no Content-Security-Policy meta tag")
	}
	return string(m[1])
}

func TestServerSendsSecurityHeaders(t *testing.T) {
	dir := fakeSite(t)
	os.Mkdir(filepath.Join(dir, ModelsDir), 0o755)
	writeModel(t, filepath.Join(dir, ModelsDir), "m.cgw", 1, "G_A")
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for _, p := range []string{"/", "/index.html", "/app.js", "/worker.js", "/sw.js", "/cyclegan.wasm", "/models.json", "/models/m.cgw"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Frame-Options %q, X-Content-Type-Options %q", p, h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"))
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q lacks frame-ancestors 'none'", p, h.Get("Content-Security-Policy"))
		}
	}
	// The page's header repeats its meta policy (connect-src * included,
	// which bootstrap.js narrows) and adds what only a header can say.
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Content-Security-Policy"), metaPolicy(t)+"; frame-ancestors 'none'"; got != want {
		t.Errorf("the page's Content-Security-Policy header is\n%q, want its meta policy plus frame-ancestors:\n%q", got, want)
	}
}

func TestServerServesTheModelsFolderAsDownloads(t *testing.T) {
	dir := fakeSite(t)
	models := filepath.Join(dir, ModelsDir)
	os.Mkdir(models, 0o755)
	writeModel(t, models, "m.cgw", 1, "G_A")
	// What an old publish would have copied: any name, any content.
	os.WriteFile(filepath.Join(models, "xss.html"), []byte("<script>alert(1)</script>"), 0o644)
	os.WriteFile(filepath.Join(models, "notes.txt"), []byte("<script>alert(1)</script>"), 0o644)
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for _, p := range []string{"/models/m.cgw", "/models/xss.html", "/models/notes.txt"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/octet-stream" {
			t.Errorf("%s: %d %q, want 200 application/octet-stream", p, resp.StatusCode, ct)
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no Content-Security-Policy", p)
		}
	}
}

func TestServerDoesNotFollowLinksOutOfTheSite(t *testing.T) {
	dir := fakeSite(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644)
	for link, target := range map[string]string{
		"secret.txt": filepath.Join(outside, "secret.txt"), // a file outside
		"out":        outside,                              // a folder outside
		"up.txt":     "../" + filepath.Base(outside) + "/secret.txt",
		"alias.js":   "app.js", // inside: allowed
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	for p, want := range map[string]int{"/secret.txt": 404, "/out/secret.txt": 404, "/up.txt": 404, "/alias.js": 200} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || strings.Contains(string(body), "secret") {
			t.Errorf("%s: status %d (body %.40q), want %d", p, resp.StatusCode, body, want)
		}
	}
}

func TestNewServerHasLimits(t *testing.T) {
	s := NewServer(DefaultAddr, fakeSite(t))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": s.ReadHeaderTimeout, "ReadTimeout": s.ReadTimeout,
		"WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout,
	} {
		if d <= 0 || d > 10*time.Minute {
			t.Errorf("%s is %v, want a limit between 0 and 10 minutes", name, d)
		}
	}
	if s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes is %d, want a limit under Go's default of 1 MiB", s.MaxHeaderBytes)
	}
	if s.Handler == nil {
		t.Error("no handler")
	}
}

func TestServeDefaultsToLoopback(t *testing.T) {
	host, _, err := net.SplitHostPort(DefaultAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		t.Errorf("DefaultAddr %q listens beyond this machine; want a loopback address", DefaultAddr)
	}
}
