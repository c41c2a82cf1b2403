// Package dashboard serves the staff dashboard: a single-page app built from
// ui/ by `npm run build` into dist/, embedded so the binary needs no Node.js.
package dashboard

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// Handler serves the dashboard at /: files from dist, and index.html for any
// other path so the app's own routes survive a reload.
func Handler() http.Handler {
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; a missing dir is a build bug
	}
	index, err := fs.ReadFile(root, "index.html")
	if err != nil {
		panic("dashboard: dist/index.html missing: run npm run build in internal/dashboard/ui")
	}
	files := http.FileServerFS(root)
	// Embedded files have no modification time; use the process start so
	// conditional requests still work.
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header(), r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if strings.HasPrefix(p, "/assets/") {
			// Vite names these by content hash: a new build is a new name.
			if _, err := fs.Stat(root, strings.TrimPrefix(p, "/")); err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			files.ServeHTTP(w, r)
			return
		}
		if p != "/" && p != "/index.html" {
			if st, err := fs.Stat(root, strings.TrimPrefix(p, "/")); err == nil && !st.IsDir() {
				w.Header().Set("Cache-Control", "no-cache")
				files.ServeHTTP(w, r)
				return
			}
		}
		// index.html names the current hashed assets, so it must be revalidated.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", started, bytes.NewReader(index))
	})
}

func securityHeaders(h http.Header, r *http.Request) {
	// Websockets go to the page's own host; CSP's 'self' does not cover ws: in every browser.
	ws := ""
	if validHost(r.Host) {
		ws = " ws://" + r.Host + " wss://" + r.Host
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"font-src 'self'; connect-src 'self'"+ws+"; manifest-src 'self'; "+
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// validHost accepts a host[:port] that cannot break out of a CSP source.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return false
		}
	}
	return true
}
