package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/viewer"
)

// The rows behind documents and training, read straight through ent: the
// zero viewer gets nothing, and each role the documents its rule allows.
func TestDocumentAndTrainingPolicies(t *testing.T) {
	d := dbtest.SQLite(t)
	w := fixture.Build(t, d.Client)
	sys := viewer.SystemContext(context.Background())
	unapproved := d.Provider.Create().SetName("Unapproved").SetPostcode("NG3 1AA").SaveX(sys)
	mk := func(c document.Category, providerID *int) int {
		return d.Document.Create().SetTitle("t").SetFilename("f.pdf").SetContentType("application/pdf").SetSize(1).
			SetSha256("00").SetStorageKey("00").SetCategory(c).SetUploadedBy("system").
			SetNillableProviderID(providerID).SaveX(sys).ID
	}
	library := mk(document.CategoryQA_PROCESS, nil)
	approvedReport := mk(document.CategoryCOMPLIANCE_REPORT, &w.Provider.ID)
	hiddenReport := mk(document.CategoryEVALUATION_REPORT, &unapproved.ID)
	start := time.Now().Add(time.Hour)
	ev := d.TrainingEvent.Create().SetTitle("e").SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SetCapacity(1).
		SetCreatedBy("system").SaveX(sys)
	d.TrainingBooking.Create().SetEvent(ev).SetProvider(w.Provider).SetAttendeeName("a").SetAttendeeEmail("a@x.example").
		SetBookedBy("system").ExecX(sys)

	anon := context.Background()
	if _, err := d.Document.Query().All(anon); !access.IsDenied(err) {
		t.Errorf("zero viewer reading documents: %v", err)
	}
	if _, err := d.TrainingEvent.Query().All(anon); !access.IsDenied(err) {
		t.Errorf("zero viewer reading training events: %v", err)
	}
	if _, err := d.TrainingBooking.Query().All(anon); !access.IsDenied(err) {
		t.Errorf("zero viewer reading bookings: %v", err)
	}

	as := func(v viewer.Viewer) context.Context { return viewer.NewContext(context.Background(), v) }
	for name, c := range map[string]struct {
		v    viewer.Viewer
		want []int
	}{
		"QA officer":              {viewer.Viewer{UserID: 1, Role: viewer.QAOfficer}, []int{library, approvedReport, hiddenReport}},
		"school":                  {viewer.Viewer{UserID: 2, Role: viewer.SchoolStaff, SchoolID: w.SchoolA.ID}, []int{library, approvedReport}},
		"the provider":            {viewer.Viewer{UserID: 3, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID}, []int{library, approvedReport}},
		"the unapproved provider": {viewer.Viewer{UserID: 4, Role: viewer.ProviderStaff, ProviderID: unapproved.ID}, []int{library, hiddenReport}},
	} {
		got, err := d.Document.Query().Order(document.ByID()).IDs(as(c.v))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s sees %v, want %v", name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s sees %v, want %v", name, got, c.want)
				break
			}
		}
	}

	// Writes: only the partnership uploads; only an admin deletes.
	school := as(viewer.Viewer{UserID: 2, Role: viewer.SchoolStaff, SchoolID: w.SchoolA.ID})
	if err := d.Document.UpdateOneID(library).SetTitle("x").Exec(school); !access.IsDenied(err) {
		t.Errorf("school renaming a document: %v", err)
	}
	qa := as(viewer.Viewer{UserID: 1, Role: viewer.QAOfficer})
	if err := d.Document.DeleteOneID(library).Exec(qa); !access.IsDenied(err) {
		t.Errorf("QA officer deleting a document: %v", err)
	}
	if err := d.Document.DeleteOneID(library).Exec(as(viewer.Viewer{UserID: 5, Role: viewer.PartnershipAdmin})); err != nil {
		t.Errorf("admin deleting a document: %v", err)
	}
	// Bookings: schools see none (an empty result, so a query nesting them
	// still answers); another provider cannot book for this one.
	if bs, err := d.TrainingBooking.Query().All(school); err != nil || len(bs) != 0 {
		t.Errorf("school reading bookings: %d %v, want none and no error", len(bs), err)
	}
	if d.TrainingBooking.Query().CountX(sys) == 0 {
		t.Fatal("the fixture has no bookings, so the school's empty result proves nothing")
	}
	other := as(viewer.Viewer{UserID: 4, Role: viewer.ProviderStaff, ProviderID: unapproved.ID})
	if n := d.TrainingBooking.Query().CountX(other); n != 0 {
		t.Errorf("another provider sees %d bookings", n)
	}
	own := as(viewer.Viewer{UserID: 3, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID})
	if err := d.TrainingBooking.Update().SetAttended(true).Exec(own); !access.IsDenied(err) {
		t.Errorf("provider recording its own attendance: %v", err)
	}
	err := d.TrainingBooking.Create().SetEvent(ev).SetProvider(w.Provider).SetAttendeeName("b").
		SetAttendeeEmail("b@x.example").SetBookedBy("user:4").Exec(other)
	if !access.IsDenied(err) {
		t.Errorf("booking for another provider: %v", err)
	}
}
