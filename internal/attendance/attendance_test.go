package attendance_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/viewer"
)

// published records what the service hands its publisher, in order.
type published struct {
	mu      sync.Mutex
	results []*attendance.Result
}

func (p *published) MarkRecorded(_ context.Context, r *attendance.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.results = append(p.results, r)
}

func setup(t *testing.T, d *db.DB) (*attendance.Service, *fixture.World, *published, context.Context) {
	w := fixture.Build(t, d.Client)
	pub := &published{}
	s := &attendance.Service{Client: d.Client, Publisher: pub, Now: func() time.Time { return w.Monday.Add(10 * time.Hour) }}
	ctx := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 7, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID})
	return s, w, pub, ctx
}

// sys reads back what was saved, past the privacy rules.
var sys = viewer.SystemContext(context.Background())

func code(t *testing.T, err error) apierr.Code {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("error %v has no API code", err)
	}
	return e.Code
}

func TestRecordAbsenceRaisesAlertAndPublishesAfterCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, w, pub, ctx := setup(t, d)
		r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{
			PlacementID: w.Placements[0].ID,
			Mark:        register.Mark{Status: register.Absent, Reason: register.Unauthorised},
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != attendance.Created || r.Mark.Code != "O" || r.Mark.RecordedBy != "user:7" || r.Mark.Version != 1 {
			t.Fatalf("got outcome %s code %q by %q v%d", r.Outcome, r.Mark.Code, r.Mark.RecordedBy, r.Mark.Version)
		}
		if r.Alert == nil || r.Alert.Kind != register.UnauthorisedAbsence || r.SchoolID != w.SchoolA.ID {
			t.Fatalf("alert %+v for school %d", r.Alert, r.SchoolID)
		}
		// Saved before published: the publisher's alert is in the database.
		if len(pub.results) != 1 {
			t.Fatalf("published %d events, want 1", len(pub.results))
		}
		if _, err := d.Alert.Get(sys, pub.results[0].Alert.ID); err != nil {
			t.Fatalf("published alert not saved: %v", err)
		}
		if n := d.AttendanceRevision.Query().CountX(sys); n != 1 {
			t.Fatalf("%d revisions, want 1", n)
		}
	})
}

func TestCodesAndAlertsPerMark(t *testing.T) {
	// Register codes per reg. 10 (2024 regulations): B attended off-site, U after the
	// register closed (30 minutes), N/I/M/C/O absences; alerts for unexplained or
	// unauthorised absence and lateness beyond the school's threshold (15 minutes).
	cases := []struct {
		name  string
		mark  register.Mark
		code  string
		alert register.AlertKind
	}{
		{"present", register.Mark{Status: register.Present}, "B", ""},
		{"late within threshold", register.Mark{Status: register.Late, MinutesLate: 15}, "B", ""},
		{"late past threshold", register.Mark{Status: register.Late, MinutesLate: 16}, "B", register.LateArrival},
		{"late after register closed", register.Mark{Status: register.Late, MinutesLate: 31}, "U", register.UnauthorisedAbsence},
		{"no reason yet", register.Mark{Status: register.Absent, Reason: register.NoReasonYet}, "N", register.UnexplainedAbsence},
		{"illness", register.Mark{Status: register.Absent, Reason: register.Illness}, "I", ""},
		{"medical", register.Mark{Status: register.Absent, Reason: register.MedicalAppointment}, "M", ""},
		{"other authorised", register.Mark{Status: register.Absent, Reason: register.OtherAuthorised}, "C", ""},
		{"not required", register.Mark{Status: register.NotRequired}, "", ""},
	}
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A fresh Monday per case, so each is a first mark.
			date := w.Monday.AddDate(0, 0, -7*i)
			r, err := s.Record(ctx, date, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: c.mark})
			if err != nil {
				t.Fatal(err)
			}
			if r.Mark.Code != c.code {
				t.Errorf("code %q, want %q", r.Mark.Code, c.code)
			}
			var got register.AlertKind
			if r.Alert != nil {
				got = r.Alert.Kind
			}
			if got != c.alert {
				t.Errorf("alert %q, want %q", got, c.alert)
			}
		})
	}
}

func TestLAArrangedPlacementCodesK(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	d.Placement.UpdateOne(w.Placements[1]).SetLaArranged(true).ExecX(sys)
	r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[1].ID, Mark: register.Mark{Status: register.Present}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Mark.Code != "K" {
		t.Fatalf("code %q, want K for provision the local authority arranged", r.Mark.Code)
	}
}

func TestResendNeverSilentlyOverwrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, w, pub, ctx := setup(t, d)
		p := w.Placements[0].ID
		present := attendance.Entry{PlacementID: p, Mark: register.Mark{Status: register.Present}}
		if _, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, present); err != nil {
			t.Fatal(err)
		}
		// The same mark again: nothing changes, nothing is published.
		r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, present)
		if err != nil || r.Outcome != attendance.Unchanged {
			t.Fatalf("resend: %v %v", r, err)
		}
		// A different mark without an amendment reason: CONFLICT, mark kept.
		absent := attendance.Entry{PlacementID: p, Mark: register.Mark{Status: register.Absent, Reason: register.NoReasonYet}}
		if _, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, absent); code(t, err) != apierr.Conflict {
			t.Fatalf("want CONFLICT, got %v", err)
		}
		// An explicit amendment: version 2, history kept, alert raised.
		absent.AmendmentReason = "arrived register was wrong: learner left at 09:05"
		r, err = s.Record(ctx, w.Monday, attendancemark.SessionAM, absent)
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != attendance.Amended || r.Mark.Version != 2 || r.Mark.Code != "N" || r.Alert == nil {
			t.Fatalf("amend: outcome %s v%d code %s alert %v", r.Outcome, r.Mark.Version, r.Mark.Code, r.Alert)
		}
		revs := d.AttendanceRevision.Query().Order(ent.Asc("version")).AllX(sys)
		if len(revs) != 2 || revs[0].Status != register.Present || revs[1].Status != register.Absent || revs[1].ChangeReason == "" {
			t.Fatalf("history %+v", revs)
		}
		// Amending back to present clears the reason.
		r, err = s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: p, Mark: register.Mark{Status: register.Present}, AmendmentReason: "found on site"})
		if err != nil || r.Mark.AbsenceReason != nil || r.Mark.Version != 3 {
			t.Fatalf("amend back: %+v %v", r, err)
		}
		if len(pub.results) != 3 {
			t.Fatalf("published %d, want 3 (created, amended, amended)", len(pub.results))
		}
	})
}

func TestRegisterIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, w, pub, ctx := setup(t, d)
		entries := []attendance.Entry{
			{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Present}},
			{PlacementID: w.Placements[1].ID, Mark: register.Mark{Status: register.Late, MinutesLate: 20}},
			{PlacementID: w.Placements[2].ID, Mark: register.Mark{Status: register.Absent, Reason: register.NoReasonYet}},
		}
		// Placement 2 was already marked present: the register conflicts and nothing is saved.
		if _, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[2].ID, Mark: register.Mark{Status: register.Present}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordRegister(ctx, w.Course.ID, w.Monday, attendancemark.SessionAM, entries); code(t, err) != apierr.Conflict {
			t.Fatalf("want CONFLICT, got %v", err)
		}
		if n := d.AttendanceMark.Query().CountX(sys); n != 1 {
			t.Fatalf("%d marks after a refused register, want 1", n)
		}
		if n := d.Alert.Query().CountX(sys); n != 0 {
			t.Fatalf("%d alerts after a refused register, want 0", n)
		}
		entries[2].AmendmentReason = "learner left before the register"
		rs, err := s.RecordRegister(ctx, w.Course.ID, w.Monday, attendancemark.SessionAM, entries)
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Outcome != attendance.Created || rs[1].Outcome != attendance.Created || rs[2].Outcome != attendance.Amended {
			t.Fatalf("outcomes %s %s %s", rs[0].Outcome, rs[1].Outcome, rs[2].Outcome)
		}
		if rs[1].Alert == nil || rs[1].Alert.Kind != register.LateArrival || rs[2].Alert == nil {
			t.Fatalf("alerts %v %v", rs[1].Alert, rs[2].Alert)
		}
		if rs[2].SchoolID != w.SchoolB.ID {
			t.Fatalf("learner 2's event goes to school %d, want B %d", rs[2].SchoolID, w.SchoolB.ID)
		}
		if len(pub.results) != 4 {
			t.Fatalf("published %d, want 4", len(pub.results))
		}
	})
}

func TestRefusals(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	p := w.Placements[0].ID
	present := register.Mark{Status: register.Present}
	cases := []struct {
		name    string
		date    time.Time
		session attendancemark.Session
		entry   attendance.Entry
		want    apierr.Code
	}{
		{"future date", w.Monday.AddDate(0, 0, 2), attendancemark.SessionPM, attendance.Entry{PlacementID: p, Mark: present}, apierr.BadUserInput},
		{"no session that half day", w.Monday, attendancemark.SessionPM, attendance.Entry{PlacementID: p, Mark: present}, apierr.BadUserInput},
		{"before placement start", w.Monday.AddDate(0, -3, 0), attendancemark.SessionAM, attendance.Entry{PlacementID: p, Mark: present}, apierr.BadUserInput},
		{"unknown placement", w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: 999999, Mark: present}, apierr.NotFound},
		{"late without minutes", w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: p, Mark: register.Mark{Status: register.Late}}, apierr.BadUserInput},
		{"absent without reason", w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: p, Mark: register.Mark{Status: register.Absent}}, apierr.BadUserInput},
		{"bad session", w.Monday, "EVENING", attendance.Entry{PlacementID: p, Mark: present}, apierr.BadUserInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Record(ctx, c.date, c.session, c.entry)
			if got := code(t, err); got != c.want {
				t.Fatalf("code %s, want %s (%v)", got, c.want, err)
			}
		})
	}
	if _, err := s.RecordRegister(ctx, w.Course.ID, w.Monday, attendancemark.SessionAM, []attendance.Entry{
		{PlacementID: p, Mark: present}, {PlacementID: p, Mark: present},
	}); code(t, err) != apierr.BadUserInput {
		t.Fatalf("duplicate entries: %v", err)
	}
	if n := d.AttendanceMark.Query().CountX(sys); n != 0 {
		t.Fatalf("refusals wrote %d marks", n)
	}
}

func TestConcurrentFirstMarksKeepOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, w, _, ctx := setup(t, d)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Present}})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !apierr.Is(err, apierr.Conflict) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if n := d.AttendanceMark.Query().CountX(sys); n != 1 {
			t.Fatalf("%d marks, want exactly 1", n)
		}
		if n := d.AttendanceRevision.Query().CountX(sys); n != 1 {
			t.Fatalf("%d revisions, want exactly 1", n)
		}
	})
}

func TestAcknowledgeKeepsFirst(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Absent, Reason: register.NoReasonYet}})
	if err != nil {
		t.Fatal(err)
	}
	staff := func(user, school int) context.Context {
		return viewer.NewContext(context.Background(), viewer.Viewer{UserID: user, Role: viewer.SchoolStaff, SchoolID: school})
	}
	// Another school's staff cannot see, let alone acknowledge, the alert.
	if _, err := s.Acknowledge(staff(9, w.SchoolB.ID), r.Alert.ID); code(t, err) != apierr.NotFound {
		t.Fatalf("school B acknowledged school A's alert: %v", err)
	}
	a, err := s.Acknowledge(staff(8, w.SchoolA.ID), r.Alert.ID)
	if err != nil || a.AcknowledgedBy == nil || *a.AcknowledgedBy != "user:8" || a.AcknowledgedAt == nil {
		t.Fatalf("ack: %+v %v", a, err)
	}
	a2, err := s.Acknowledge(staff(10, w.SchoolA.ID), r.Alert.ID)
	if err != nil || *a2.AcknowledgedBy != "user:8" {
		t.Fatalf("second ack replaced the first: %+v %v", a2, err)
	}
	if _, err := s.Acknowledge(staff(8, w.SchoolA.ID), 123456); code(t, err) != apierr.NotFound {
		t.Fatalf("unknown alert: %v", err)
	}
}

func TestOnlyTheRunningProviderRecords(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, _ := setup(t, d)
	other := d.Provider.Create().SetName("Other").SetPostcode("NG1 1AA").SaveX(sys)
	for name, v := range map[string]viewer.Viewer{
		"another provider": {UserID: 3, Role: viewer.ProviderStaff, ProviderID: other.ID},
		"school staff":     {UserID: 4, Role: viewer.SchoolStaff, SchoolID: w.SchoolA.ID},
		"nobody":           {},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := viewer.NewContext(context.Background(), v)
			_, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Present}})
			if err == nil {
				t.Fatal("recorded a mark for a placement the viewer does not run")
			}
		})
	}
	if n := d.AttendanceMark.Query().CountX(sys); n != 0 {
		t.Fatalf("%d marks written", n)
	}
}

func TestLatenessCannotExceedTheSession(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	// The MONDAY session runs 09:00-12:00: 180 minutes.
	_, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Late, MinutesLate: 181}})
	if code(t, err) != apierr.BadUserInput {
		t.Fatalf("181 minutes late for a 180-minute session: %v", err)
	}
	if _, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Late, MinutesLate: 180}}); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTripsPerMark guards the cost of the hot path: a provider's first
// mark that raises an alert, counted in statements sent to the database
// (each a round trip on PostgreSQL). Sign-in is not part of it.
func TestRoundTripsPerMark(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, w, _, ctx := setup(t, d)
		client, counter := dbtest.Counting(d)
		s := &attendance.Service{Client: client, Now: func() time.Time { return w.Monday.Add(10 * time.Hour) }}
		counter.Reset()
		r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{
			PlacementID: w.Placements[0].ID,
			Mark:        register.Mark{Status: register.Absent, Reason: register.NoReasonYet},
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != attendance.Created || r.Alert == nil {
			t.Fatalf("outcome %s alert %v", r.Outcome, r.Alert)
		}
		// BEGIN; the placement joined to its learner, school and (absent)
		// mark; the mark, revision and alert inserts; the audit events; COMMIT.
		const most = 7
		if got := counter.Statements(); len(got) > most {
			t.Fatalf("%d round trips for one mark, want at most %d:\n%s", len(got), most, strings.Join(got, "\n"))
		}
	})
}

// The audit trail holds every row a mark writes, attributed to the person,
// and is all-or-nothing with them.
func TestAuditTrailIsWrittenWithTheMark(t *testing.T) {
	d := dbtest.SQLite(t)
	s, w, _, ctx := setup(t, d)
	r, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{
		PlacementID: w.Placements[0].ID, Mark: register.Mark{Status: register.Absent, Reason: register.NoReasonYet},
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.AttendanceRevision.Query().OnlyX(sys)
	want := map[string]int{ent.TypeAttendanceMark: r.Mark.ID, ent.TypeAttendanceRevision: rev.ID, ent.TypeAlert: r.Alert.ID}
	evs := d.AuditEvent.Query().AllX(sys)
	if len(evs) != len(want) {
		t.Fatalf("%d audit events, want %d", len(evs), len(want))
	}
	for _, e := range evs {
		if e.Action != "CREATE" || e.ActorID != 7 || e.ActorRole != string(viewer.ProviderStaff) || want[e.Entity] != e.EntityID {
			t.Errorf("audit event %+v", e)
		}
		delete(want, e.Entity)
	}
	if len(want) != 0 {
		t.Errorf("no audit event for %v", want)
	}

	// When the trail cannot be written, nothing is saved.
	if _, err := d.SQL.Exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, w.Monday, attendancemark.SessionAM, attendance.Entry{
		PlacementID: w.Placements[1].ID, Mark: register.Mark{Status: register.Absent, Reason: register.NoReasonYet},
	}); err == nil {
		t.Fatal("a mark was saved without its audit trail")
	}
	if n := d.AttendanceMark.Query().CountX(sys); n != 1 {
		t.Fatalf("%d marks, want 1: the unaudited mark was kept", n)
	}
	if n := d.Alert.Query().CountX(sys); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
}
