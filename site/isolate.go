package site

import "net/http"

// Isolate makes h's pages cross-origin isolated (self.crossOriginIsolated):
// every response carries Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp. The page needs no isolation;
// it is for hosts that want it (`cyclegan serve -isolate`). An isolated
// page can load resources of other origins only with CORS or a
// Cross-Origin-Resource-Policy: a ?model= link then works only from a host
// that sends Access-Control-Allow-Origin, as `cyclegan serve` does.
func Isolate(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.ServeHTTP(w, r)
	})
}
