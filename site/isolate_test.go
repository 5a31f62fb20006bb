package site

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestIsolate: an isolated site sends COOP and COEP with every response,
// 404s included; the plain handler sends neither.
func TestIsolate(t *testing.T) {
	dir := fakeSite(t)
	for _, c := range []struct {
		h          http.Handler
		coop, coep string
	}{
		{Handler(dir), "", ""},
		{Isolate(Handler(dir)), "same-origin", "require-corp"},
	} {
		srv := httptest.NewServer(c.h)
		for _, p := range []string{"/", "/worker.js", "/cyclegan.wasm", "/models.json", "/missing"} {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Cross-Origin-Opener-Policy"); got != c.coop {
				t.Errorf("%s: Cross-Origin-Opener-Policy %q, want %q", p, got, c.coop)
			}
			if got := resp.Header.Get("Cross-Origin-Embedder-Policy"); got != c.coep {
				t.Errorf("%s: Cross-Origin-Embedder-Policy %q, want %q", p, got, c.coep)
			}
		}
		srv.Close()
	}
}
