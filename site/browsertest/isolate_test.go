package browsertest

import (
	"net/http/httptest"
	"testing"

	"github.com/cyclegan-go/cyclegan/site"
)

// TestIsolatedPage: served with COOP and COEP (`cyclegan serve -isolate`)
// the page is cross-origin isolated, loads everything it needs, and its
// workers translate a photo split across them as without isolation.
func TestIsolatedPage(t *testing.T) {
	srv := httptest.NewServer(site.Isolate(site.Handler(builtSite(t))))
	t.Cleanup(srv.Close)
	b := newBrowser(t)
	b.open(t, srv.URL+"/?workers=2")
	if !eval[bool](t, b, `self.crossOriginIsolated === true`) {
		t.Fatal("the page served with -isolate is not cross-origin isolated")
	}
	img := synthetic(131, 203)
	got := translateInPage(t, b, img, "AtoB")
	if used := eval[int](t, b, `window.cyclegan.lastTiming.workers`); used != 2 {
		t.Errorf("the isolated page split the photo across %d workers, want 2", used)
	}
	compare(t, "isolated page, 2 workers, vs native", got, native(t, img, "AtoB"))
}
