package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/documents"
)

// guardTransport stands in front of gqlgen's HTTP transports so that every
// request refused before an operation runs gets a GraphQL-shaped answer whose
// errors carry an extensions.code, with a fitting status:
//
//   - a method no transport serves: 405 (with Allow); a POST whose
//     Content-Type none accepts: 415;
//   - a body over the limit (n bytes, or for a multipart upload the upload
//     limit plus framing): 413, up front when Content-Length says so, else as
//     soon as the limit is reached;
//   - anything a transport itself refuses with an error status (malformed
//     multipart, GET with a mutation, undecodable GET variables, …): its own
//     status and message, plus a code where gqlgen set none (BAD_USER_INPUT
//     for 4xx, INTERNAL_SERVER_ERROR for 5xx).
//
// Websocket upgrades pass straight through: their errors are the socket
// protocol's (see wsgorilla.Options.ErrorCode).
func guardTransport(n, upload int64, transports []graphql.Transport, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		if !supported(transports, r) {
			if r.Method != http.MethodPost {
				w.Header().Set("Allow", "GET, POST, OPTIONS")
				writeJSONError(w, http.StatusMethodNotAllowed,
					apierr.New(apierr.BadUserInput, "%s is not served here: send GraphQL as GET or POST", r.Method))
				return
			}
			writeJSONError(w, http.StatusUnsupportedMediaType, apierr.New(apierr.BadUserInput,
				"a POST must have Content-Type application/json (multipart/form-data for an upload), not %q",
				r.Header.Get("Content-Type")))
			return
		}
		limit := n
		tooLarge := apierr.New(apierr.BadUserInput, "the request body is larger than the %d-byte limit", n)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			limit = upload + multipartSlack
			tooLarge = documents.TooLarge(upload)
		}
		if r.ContentLength > limit {
			writeJSONError(w, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		body := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit)}
		r.Body = body
		cw := &codedWriter{ResponseWriter: w, body: body, tooLarge: tooLarge}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

func supported(transports []graphql.Transport, r *http.Request) bool {
	for _, t := range transports {
		if t.Supports(r) {
			return true
		}
	}
	return false
}

// limitedBody notes when a read hit the body limit.
type limitedBody struct {
	io.ReadCloser
	exceeded bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.exceeded = true
	}
	return n, err
}

// codedWriter passes successful responses through untouched and holds back
// error responses (small by nature) to give their errors a code.
type codedWriter struct {
	http.ResponseWriter
	body     *limitedBody
	tooLarge *apierr.Error
	status   int           // 0 until the header is decided
	held     *bytes.Buffer // an error response being held back
	replaced bool          // answered here instead; the transport's output is dropped
}

func (w *codedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *codedWriter) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	w.status = status
	switch {
	case w.body.exceeded:
		// However the transport reported the read failure (gqlgen's POST
		// answers 200 with a message), the answer is 413.
		w.replaced = true
		writeJSONError(w.ResponseWriter, http.StatusRequestEntityTooLarge, w.tooLarge)
	case status >= 400:
		w.held = &bytes.Buffer{}
	default:
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *codedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.replaced:
		return len(b), nil
	case w.held != nil:
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// finish writes a held error response with every error coded.
func (w *codedWriter) finish() {
	if w.held == nil {
		return
	}
	code := apierr.BadUserInput
	if w.status >= 500 {
		code = "INTERNAL_SERVER_ERROR"
	}
	var resp struct {
		Errors []map[string]any `json:"errors"`
		Data   json.RawMessage  `json:"data,omitempty"`
	}
	if err := json.Unmarshal(w.held.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
		msg := strings.TrimSpace(w.held.String())
		if msg == "" || len(msg) > 200 || err == nil {
			msg = http.StatusText(w.status)
		}
		resp.Errors = []map[string]any{{"message": msg}}
	}
	for _, e := range resp.Errors {
		ext, _ := e["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			e["extensions"] = ext
		}
		if _, ok := ext["code"]; !ok {
			ext["code"] = string(code)
		}
	}
	out, err := json.Marshal(resp)
	if err != nil { // cannot happen: the values came from JSON
		out = fmt.Appendf(nil, `{"errors":[{"message":%q,"extensions":{"code":%q}}]}`, http.StatusText(w.status), code)
	}
	h := w.ResponseWriter.Header()
	if ct := h.Get("Content-Type"); !strings.Contains(ct, "json") {
		h.Set("Content-Type", "application/json")
	}
	h.Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(out)
}

// websocketErrorCode codes the socket errors gqlgen sends bare: a
// connection_error before a 4401 close is a failed sign-in; anything else
// (a malformed message, an operation payload that is not JSON) is the
// client's mistake.
func websocketErrorCode(closeCode int) string {
	if closeCode == closeUnauthorized {
		return string(apierr.Unauthenticated)
	}
	return string(apierr.BadUserInput)
}
