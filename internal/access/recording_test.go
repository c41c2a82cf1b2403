package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/viewer"
)

var sys = viewer.SystemContext(context.Background())

func mark(tx *ent.Tx, placement int, date time.Time) *ent.AttendanceMarkCreate {
	return tx.AttendanceMark.Create().SetPlacementID(placement).SetDate(date).SetSession(attendancemark.SessionAM).
		SetStatus(register.Present).SetCode("B").SetRecordedBy("test").SetRecordedAt(date).SetVersion(1)
}

// checks reports whether any statement re-checks a placement's provider.
func checks(statements []string) bool {
	for _, s := range statements {
		if strings.Contains(s, "EXISTS") {
			return true
		}
	}
	return false
}

func TestPlacementsForRecordingTrustsOnlyWhatItCheckedUntilTheTransactionEnds(t *testing.T) {
	dbtest.Each(t, testTrust)
}

func testTrust(t *testing.T, d *db.DB) {
	w := fixture.Build(t, d.Client)
	client, counter := dbtest.Counting(d)
	ctx := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 7, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID})

	// Placement 2 is already marked for the session.
	stx, err := d.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	marked := mark(stx, w.Placements[2].ID, w.Monday).SaveX(sys)
	if err := stx.Commit(); err != nil {
		t.Fatal(err)
	}

	tx, err := client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tctx, targets, err := access.PlacementsForRecording(ctx, tx, []int{w.Placements[0].ID, w.Placements[2].ID}, w.Monday, attendancemark.SessionAM)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 2 {
		t.Fatalf("%d targets, want 2", len(targets))
	}
	for _, tg := range targets {
		i, school, markID := 0, w.SchoolA, 0
		if tg.ID == w.Placements[2].ID {
			i, school, markID = 2, w.SchoolB, marked.ID
		}
		if tg.LearnerID != w.Learners[i].ID || tg.SchoolID != school.ID || tg.CourseID != w.Course.ID ||
			tg.LateAlertMinutes != school.LateAlertMinutes || !tg.StartDate.Equal(w.Placements[i].StartDate) || tg.MarkID != markID {
			t.Errorf("placement %d: got %+v", tg.ID, tg)
		}
	}
	// Inside the transaction the write rule trusts the checked placement: no query of its own.
	counter.Reset()
	if _, err := mark(tx, w.Placements[0].ID, w.Monday).Save(tctx); err != nil {
		t.Fatal(err)
	}
	if checks(counter.Statements()) {
		t.Fatalf("the rule re-checked a placement the transaction had checked:\n%s", strings.Join(counter.Statements(), "\n"))
	}
	// Another viewer carried in the same context gets no trust.
	other := viewer.NewContext(tctx, viewer.Viewer{UserID: 8, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID + 1})
	if _, err := mark(tx, w.Placements[2].ID, w.Monday.AddDate(0, 0, -7)).Save(other); !errors.Is(err, privacy.Deny) {
		t.Fatalf("another provider's viewer in a trusted context: %v, want a privacy denial", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// After commit the context no longer vouches for anything: the rule checks again.
	tx2, err := client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback()
	counter.Reset()
	if _, err := mark(tx2, w.Placements[2].ID, w.Monday.AddDate(0, 0, -7)).Save(tctx); err != nil {
		t.Fatal(err)
	}
	if !checks(counter.Statements()) {
		t.Fatal("a committed transaction's checked placements were still trusted")
	}
}

func TestAnotherProviderGainsNoTrust(t *testing.T) {
	d := dbtest.SQLite(t)
	w := fixture.Build(t, d.Client)
	other := d.Provider.Create().SetName("Other").SetPostcode("NG1 1AA").SaveX(sys)
	ctx := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 3, Role: viewer.ProviderStaff, ProviderID: other.ID})
	// A mark of the fixture provider's, made by apnet itself.
	stx, err := d.Tx(sys)
	if err != nil {
		t.Fatal(err)
	}
	existing := mark(stx, w.Placements[0].ID, w.Monday.AddDate(0, 0, -7)).SaveX(sys)
	if err := stx.Commit(); err != nil {
		t.Fatal(err)
	}

	tx, err := d.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tctx, targets, err := access.PlacementsForRecording(ctx, tx, []int{w.Placements[0].ID}, w.Monday, attendancemark.SessionAM)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 0 {
		t.Fatalf("another provider loaded %d of this provider's placements", len(targets))
	}
	if _, err := mark(tx, w.Placements[0].ID, w.Monday).Save(tctx); !errors.Is(err, privacy.Deny) {
		t.Fatalf("mark for another provider's placement: %v, want a privacy denial", err)
	}
	// Vouching for a mark needs its placement checked first.
	access.TrustMark(tctx, existing)
	_, err = tx.AttendanceRevision.Create().SetMarkID(existing.ID).SetVersion(2).SetStatus(register.Present).
		SetCode("B").SetRecordedBy("test").SetRecordedAt(w.Monday).Save(tctx)
	if !errors.Is(err, privacy.Deny) {
		t.Fatalf("revision of another provider's mark: %v, want a privacy denial", err)
	}
}
