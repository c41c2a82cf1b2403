package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/viewer"
)

func TestSeedDocumentsAndTraining(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := viewer.SystemContext(context.Background())
	if _, err := Seed(ctx, d.Client, termTime); err != nil {
		t.Fatal(err)
	}
	store, err := docstore.NewLocal(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := SeedDocumentsAndTraining(ctx, d.Client, store, termTime)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	docs := d.Document.Query().WithProvider().AllX(ctx)
	if len(docs) != sum.Documents || sum.Documents < 6 {
		t.Fatalf("%d documents, summary %+v", len(docs), sum)
	}
	reports := 0
	for _, doc := range docs {
		library := doc.Category != document.CategoryCOMPLIANCE_REPORT && doc.Category != document.CategoryEVALUATION_REPORT
		if library == (doc.Edges.Provider != nil) {
			t.Errorf("%s (%s): provider %v", doc.Title, doc.Category, doc.Edges.Provider)
		}
		if !library {
			reports++
		}
		// The bytes are in the store, match the row, and pass the upload checks.
		f, err := store.Open(doc.StorageKey)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != doc.Sha256 || int64(len(b)) != doc.Size {
			t.Errorf("%s: stored bytes differ from the row", doc.Filename)
		}
		if ct, _, ok, _ := docstore.Detect(doc.Filename, bytes.NewReader(b)); !ok || ct != doc.ContentType {
			t.Errorf("%s: would be refused as an upload (%q, %v)", doc.Filename, ct, ok)
		}
	}
	if reports == 0 {
		t.Error("no provider QA reports")
	}
	if sum.TrainingEvents != 4 || d.TrainingEvent.Query().CountX(ctx) != 4 {
		t.Fatalf("training events: %+v", sum)
	}
	attended := d.TrainingBooking.Query().Where(trainingbooking.Attended(true)).CountX(ctx)
	upcoming := d.TrainingBooking.Query().Where(trainingbooking.AttendedIsNil()).CountX(ctx)
	if attended == 0 || upcoming == 0 {
		t.Fatalf("attended %d, upcoming %d bookings", attended, upcoming)
	}
}
