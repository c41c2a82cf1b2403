package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/viewer"
)

func TestDefaultDocumentsDir(t *testing.T) {
	for url, want := range map[string]string{
		"apnet.db":                               "documents",
		"/var/lib/apnet/apnet.db":                "/var/lib/apnet/documents",
		"file:/srv/a.db?_pragma=foreign_keys(1)": "/srv/documents",
		"postgres://u@h/db":                      "documents",
		"file::memory:?cache=shared":             "documents",
	} {
		if got := defaultDocumentsDir(url); got != want {
			t.Errorf("defaultDocumentsDir(%q) = %q, want %q", url, got, want)
		}
	}
}

// `apnet seed --demo` writes the demo documents beside the SQLite file.
func TestSeedWritesDemoDocuments(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "apnet.db")
	t.Setenv("APNET_DOCUMENTS_DIR", "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := seed(context.Background(), log, []string{"--demo", "--db", dbFile}); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := viewer.SystemContext(context.Background())
	docs := d.Document.Query().AllX(ctx)
	if len(docs) == 0 {
		t.Fatal("no demo documents")
	}
	for _, doc := range docs {
		p := filepath.Join(dir, "documents", doc.StorageKey[:2], doc.StorageKey)
		if info, err := os.Stat(p); err != nil || info.Size() != doc.Size {
			t.Fatalf("%s: %v %v", doc.Filename, info, err)
		}
	}
	if d.TrainingEvent.Query().CountX(ctx) == 0 {
		t.Fatal("no training events")
	}
	if err := seed(context.Background(), log, []string{"--demo", "--db", dbFile, "--max-upload-bytes", "lots"}); err == nil {
		t.Fatal("a malformed upload limit was accepted")
	}
}
