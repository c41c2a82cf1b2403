package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/apnet/apnet/ent"
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
	// Every report file is linked to one visit of its provider, of its kind,
	// and every visit of a provider with report files has its own.
	linked := map[int]int{} // document id: visits linking it
	withReports := map[int]bool{}
	for _, doc := range docs {
		if doc.Edges.Provider != nil {
			withReports[doc.Edges.Provider.ID] = true
		}
	}
	cvs := d.ComplianceVisit.Query().WithProvider().WithReportDocument(func(q *ent.DocumentQuery) { q.WithProvider() }).AllX(ctx)
	evs := d.EvaluationVisit.Query().WithProvider().WithReportDocument(func(q *ent.DocumentQuery) { q.WithProvider() }).AllX(ctx)
	check := func(kind string, visitID, providerID int, doc *ent.Document, want document.Category) {
		t.Helper()
		switch {
		case doc == nil && withReports[providerID]:
			t.Errorf("%s visit %d of a provider with report files has none linked", kind, visitID)
		case doc == nil:
		case doc.Category != want || doc.Edges.Provider == nil || doc.Edges.Provider.ID != providerID:
			t.Errorf("%s visit %d links %s (%s) of another provider or kind", kind, visitID, doc.Filename, doc.Category)
		default:
			linked[doc.ID]++
		}
	}
	for _, v := range cvs {
		check("compliance", v.ID, v.Edges.Provider.ID, v.Edges.ReportDocument, document.CategoryCOMPLIANCE_REPORT)
	}
	for _, v := range evs {
		check("evaluation", v.ID, v.Edges.Provider.ID, v.Edges.ReportDocument, document.CategoryEVALUATION_REPORT)
	}
	for _, doc := range docs {
		if doc.Edges.Provider != nil && linked[doc.ID] != 1 {
			t.Errorf("report %s of provider %d is linked to %d visits", doc.Filename, doc.Edges.Provider.ID, linked[doc.ID])
		}
	}
	if len(linked) != reports {
		t.Errorf("%d of %d reports linked", len(linked), reports)
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
