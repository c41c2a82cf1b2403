package server

import (
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/apnet/apnet/graph/scalar"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/viewer"
)

// download serves GET /documents/{id}: the document is loaded as the
// caller, so its privacy policy decides; a document that does not exist and
// one the caller may not see both answer 404, saying nothing more.
func download(docs *documents.Service, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		v := viewer.FromContext(r.Context())
		if !v.Authenticated() {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apnet"`)
			http.Error(w, "sign in first: send Authorization: Bearer <token>", http.StatusUnauthorized)
			return
		}
		id, err := scalar.UnmarshalID(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		d, f, err := docs.Open(r.Context(), id)
		if apierr.Is(err, apierr.NotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			ref := newRef()
			log.Error("download", "ref", ref, "document", id, "user", v.UserID, "err", err)
			http.Error(w, "internal error (reference "+ref+")", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename})
		if disposition == "" {
			disposition = "attachment"
		}
		w.Header().Set("Content-Disposition", disposition)
		w.Header().Set("Content-Type", d.ContentType)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
		w.Header().Set("X-Checksum-SHA256", d.Sha256)
		log.Info("document downloaded", "document", d.ID, "user", v.UserID)
		// ServeContent handles Range and HEAD; the modification time is the upload's.
		http.ServeContent(w, r, "", d.UploadedAt.Truncate(time.Second), f)
	})
}
