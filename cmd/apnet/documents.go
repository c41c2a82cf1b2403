package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apnet/apnet/internal/docstore"
)

// docsFlags registers --documents-dir and --max-upload-bytes; open returns
// the store they describe. The directory defaults to documents/ beside the
// SQLite file, or in the working directory on PostgreSQL.
func docsFlags(fs *flag.FlagSet, dbURL *string) (open func() (*docstore.Local, error)) {
	dir := fs.String("documents-dir", env("APNET_DOCUMENTS_DIR", ""), "directory for uploaded documents (shared by all replicas)")
	maxBytes := fs.String("max-upload-bytes", env("APNET_MAX_UPLOAD_BYTES", strconv.Itoa(docstore.DefaultMaxBytes)), "largest file an upload may be, in bytes")
	return func() (*docstore.Local, error) {
		n, err := strconv.ParseInt(*maxBytes, 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("APNET_MAX_UPLOAD_BYTES / --max-upload-bytes: want a positive number of bytes, got %q", *maxBytes)
		}
		d := *dir
		if d == "" {
			d = defaultDocumentsDir(*dbURL)
		}
		return docstore.NewLocal(d, n)
	}
}

func defaultDocumentsDir(dbURL string) string {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		return "documents"
	}
	p := strings.TrimPrefix(dbURL, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" || strings.HasPrefix(p, ":memory:") {
		return "documents"
	}
	return filepath.Join(filepath.Dir(p), "documents")
}
