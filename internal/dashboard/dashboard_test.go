package dashboard

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = "apnet.example:8080"
	Handler().ServeHTTP(rec, req)
	return rec
}

func TestIndexAndFallbackAreNotCached(t *testing.T) {
	for _, p := range []string{"/", "/today", "/learners/42", "/register?date=2026-12-01"} {
		rec := get(t, p)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", p, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), `<div id="app">`) {
			t.Errorf("%s: not index.html", p)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
	}
}

func TestHashedAssetsAreImmutableAndMissingOnesAre404(t *testing.T) {
	assets, err := fs.Glob(dist, "dist/assets/*.js")
	if err != nil || len(assets) == 0 {
		t.Fatalf("no embedded script: %v", err)
	}
	rec := get(t, strings.TrimPrefix(assets[0], "dist"))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("asset Content-Type %q", ct)
	}
	// A stale asset name must not get index.html (a browser would run HTML as script).
	if rec := get(t, "/assets/index-gone.js"); rec.Code != http.StatusNotFound {
		t.Errorf("missing asset: status %d", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	rec := get(t, "/")
	h := rec.Header()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "connect-src 'self' ws://apnet.example:8080 wss://apnet.example:8080", "frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("headers: %v", h)
	}
	// The index has no inline script, which the CSP would block.
	if strings.Contains(rec.Body.String(), "<script>") {
		t.Error("index.html has an inline script")
	}
}

func TestHostThatWouldBreakTheCSPIsLeftOut(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "evil; script-src *"
	Handler().ServeHTTP(rec, req)
	if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "evil") || !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("CSP %q", csp)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", rec.Code)
	}
}
