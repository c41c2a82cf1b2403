package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/geo"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/level"
	"github.com/apnet/apnet/internal/referral/form"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// termTime is a Thursday in the second autumn half-term: the history window
// reaches back into the first half-term, across the October break.
var termTime = time.Date(2026, time.December, 3, 17, 0, 0, 0, time.UTC)

func TestSeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := viewer.SystemContext(context.Background())
		// Count statements: seeding is a handful of bulk INSERTs per
		// table, not one per row.
		var statements atomic.Int64
		drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(context.Context, ...any) { statements.Add(1) })
		sum, err := Seed(ctx, ent.NewClient(ent.Driver(drv)), termTime)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v in %d statements", sum, statements.Load())
		if n := statements.Load(); n > 40 {
			t.Errorf("Seed ran %d statements; want bulk inserts (at most 40)", n)
		}
		w := load(t, d.Client)
		w.checkCounts(t, sum)
		w.checkInvariants(t, termTime)
		w.checkAttendance(t)
		w.checkHairdressingNearSchools(t)

		// A second seed refuses and writes nothing.
		if _, err := Seed(ctx, d.Client, termTime); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("second Seed: err = %v, want ErrNotEmpty", err)
		}
		again := load(t, d.Client)
		if again.counts() != w.counts() {
			t.Errorf("second Seed changed the database: %+v, was %+v", again.counts(), w.counts())
		}
	})
}

// The same invariants hold whatever the date: in other terms, in the first
// days of the year (history reaches back into last year's summer term) and
// in the summer holiday, when every placement is over.
func TestSeedThroughTheYear(t *testing.T) {
	for _, tt := range []struct {
		name       string
		now        time.Time
		attendance bool // enough history to judge attendance
	}{
		{"summer, BST", time.Date(2027, time.June, 15, 12, 0, 0, 0, time.UTC), true},
		{"first week of September", time.Date(2026, time.September, 8, 9, 0, 0, 0, time.UTC), false},
		{"August", time.Date(2026, time.August, 10, 9, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.SQLite(t)
			sum, err := Seed(viewer.SystemContext(context.Background()), d.Client, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			w := load(t, d.Client)
			w.checkCounts(t, sum)
			w.checkInvariants(t, tt.now)
			if tt.attendance {
				w.checkAttendance(t)
			}
		})
	}
}

// Seed is one transaction: a failure part-way leaves nothing behind.
func TestSeedFailsWithoutWriting(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := viewer.SystemContext(context.Background())
	// A qualification already holding a number the demo uses makes the
	// qualifications insert fail after postcodes, schools and awarding
	// bodies were written.
	ab := d.Client.AwardingBody.Create().SetName("Test Awarding Body").SaveX(ctx)
	d.Client.Qualification.Create().SetNumber(Reference().Qualifications[0].Number).SetTitle("Test").
		SetLevel(level.Level1).SetAwardingBody(ab).SaveX(ctx)
	if _, err := Seed(ctx, d.Client, termTime); err == nil {
		t.Fatal("Seed succeeded despite a clashing qualification")
	}
	w := load(t, d.Client)
	if got := w.counts(); got != (Summary{AwardingBodies: 1, Qualifications: 1}) {
		t.Errorf("failed Seed left rows: %+v", got)
	}
}

func TestDeterministic(t *testing.T) {
	a, err := newPlan(Reference(), termTime)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newPlan(Reference(), termTime.Add(5*time.Hour)) // same UK date
	if len(a.learners) != len(b.learners) || len(a.marks) != len(b.marks) || len(a.alerts) != len(b.alerts) {
		t.Fatalf("two plans for one day differ in size")
	}
	for i := range a.learners {
		if a.learners[i] != b.learners[i] {
			t.Fatalf("learner %d differs between plans for the same day", i)
		}
	}
	for i := range a.marks {
		if a.marks[i].mark != b.marks[i].mark || !a.marks[i].date.Equal(b.marks[i].date) {
			t.Fatalf("mark %d differs between plans for the same day", i)
		}
	}
}

func TestReference(t *testing.T) {
	ref := Reference()
	if len(ref.Schools) != 12 {
		t.Errorf("%d schools, want the partnership's 12", len(ref.Schools))
	}
	grid := map[string]bool{}
	for _, pc := range ref.Postcodes {
		if n, err := ident.NormalizePostcode(pc.Postcode); err != nil || n != pc.Postcode {
			t.Errorf("postcode %q: normalised %q, %v", pc.Postcode, n, err)
		}
		// Nottingham lies around SK 57 39 on the National Grid.
		if pc.Easting < 445000 || pc.Easting > 465000 || pc.Northing < 330000 || pc.Northing > 350000 {
			t.Errorf("postcode %s at %d,%d is not in Nottingham", pc.Postcode, pc.Easting, pc.Northing)
		}
		grid[pc.Postcode] = true
	}
	if len(grid) != len(ref.Postcodes) {
		t.Errorf("duplicate postcode rows")
	}
	for _, s := range ref.Schools {
		if _, err := ident.ValidateURN(s.URN); err != nil {
			t.Errorf("school URN %q: %v", s.URN, err)
		}
		if len(s.Establishment) != 4 || strings.Trim(s.Establishment, "0123456789") != "" {
			t.Errorf("school %s: establishment number %q is not 4 digits", s.URN, s.Establishment)
		}
	}
	rns := map[string]bool{}
	for _, b := range ref.AwardingBodies {
		rns[b.RecognitionNumber] = true
	}
	for _, want := range []string{"RN5156", "RN5217", "RN5133", "RN5198", "RN5361", "RN5219", "RN5328", "RN5200", "RN5194"} {
		if !rns[want] {
			t.Errorf("awarding body %s missing", want)
		}
	}
	phones := map[string]bool{}
	for _, p := range ref.Providers {
		if len(p.Description) < 300 {
			t.Errorf("provider %q: description is %d characters, want a full paragraph", p.Name, len(p.Description))
		}
		// Ofcom reserves 0115 496 0000–0999 for drama: no real line rings.
		if !strings.HasPrefix(p.Phone, "0115 496 0") || len(p.Phone) != len("0115 496 0000") || phones[p.Phone] {
			t.Errorf("provider %q: phone %q is not a distinct drama-range number", p.Name, p.Phone)
		}
		phones[p.Phone] = true
		if !strings.HasSuffix(strings.SplitN(p.Email, "@", 2)[1], ".example.org") || !strings.HasSuffix(p.Website, ".example.org") {
			t.Errorf("provider %q: email %q / website %q not on example.org", p.Name, p.Email, p.Website)
		}
		if len(p.Courses) < 1 || len(p.Courses) > 3 {
			t.Errorf("provider %q has %d courses, want 1–3", p.Name, len(p.Courses))
		}
	}
}

// Rule: for Entry Level the sub-level comes from the title; Level 1/2 is
// stored as LEVEL_2.
func TestLevelOf(t *testing.T) {
	for _, tt := range []struct {
		level, title string
		want         level.Level
	}{
		{"Entry Level", "NOCN Entry Level Award in Introduction to Bricklaying (Entry 3)", level.Entry3},
		{"Entry Level", "NCFE Entry Level Award in Creative Craft (Entry 1)", level.Entry1},
		{"Entry Level", "IMI Entry Level 3 Award Introduction to Automotive Maintenance and Repair", level.Entry3},
		{"Level 1", "NCFE Level 1 Award in Photography", level.Level1},
		{"Level 1/2", "NCFE Level 1/2 Technical Award in Engineering", level.Level2},
		{"Level 2", "IMI Level 2 Certificate in Automotive Maintenance", level.Level2},
	} {
		if got, err := levelOf(tt.level, tt.title); err != nil || got != tt.want {
			t.Errorf("levelOf(%q, %q) = %s, %v; want %s", tt.level, tt.title, got, err, tt.want)
		}
	}
	if _, err := levelOf("Entry Level", "Award in Something"); err == nil {
		t.Error("levelOf accepted an entry level title without a sub-level")
	}
}

func TestCalendar(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28"} {
		if got := easter(y).Format(time.DateOnly); got != want {
			t.Errorf("easter(%d) = %s, want %s", y, got, want)
		}
	}
	c := newCalendar(2025)
	want := [6][2]string{
		{"2025-09-03", "2025-10-24"}, {"2025-11-03", "2025-12-19"}, {"2026-01-05", "2026-02-13"},
		{"2026-02-23", "2026-03-27"}, {"2026-04-13", "2026-05-22"}, {"2026-06-01", "2026-07-22"},
	}
	for i, h := range c.halfTerms {
		if got := [2]string{h.start.Format(time.DateOnly), h.end.Format(time.DateOnly)}; got != want[i] {
			t.Errorf("half-term %d = %v, want %v", i+1, got, want[i])
		}
	}
	for d, school := range map[string]bool{
		"2025-09-02": false, "2025-09-03": true, "2025-10-29": false, "2025-12-20": false,
		"2026-05-04": false, // early May bank holiday
		"2026-05-05": true, "2026-07-22": true, "2026-07-23": false, "2026-03-07": false,
	} {
		day, _ := time.Parse(time.DateOnly, d)
		if got := c.isSchoolDay(day); got != school {
			t.Errorf("isSchoolDay(%s) = %v, want %v", d, got, school)
		}
	}
	days := schoolDaysBefore(date(2026, time.September, 8), 10)
	if len(days) != 10 || days[0].Format(time.DateOnly) != "2026-07-14" || days[9].Format(time.DateOnly) != "2026-09-07" {
		t.Errorf("schoolDaysBefore across the summer = %v … %v", days[0], days[len(days)-1])
	}
}

// world is everything Seed wrote, loaded for checking.
type world struct {
	postcodes      []*ent.Postcode
	schools        []*ent.School
	bodies         []*ent.AwardingBody
	qualifications []*ent.Qualification
	providers      []*ent.Provider
	courses        []*ent.Course
	learners       []*ent.Learner
	placements     []*ent.Placement
	marks          []*ent.AttendanceMark
	revisions      []*ent.AttendanceRevision
	alerts         []*ent.Alert
	agreements     []*ent.Agreement
	referrals      []*ent.Referral
	transitions    []*ent.ReferralTransition
	progress       []*ent.ProgressUpdate
}

func load(t *testing.T, c *ent.Client) *world {
	t.Helper()
	ctx := viewer.SystemContext(context.Background())
	var w world
	var errs []error
	all := func(err error) { errs = append(errs, err) }
	var err error
	w.postcodes, err = c.Postcode.Query().All(ctx)
	all(err)
	w.schools, err = c.School.Query().All(ctx)
	all(err)
	w.bodies, err = c.AwardingBody.Query().All(ctx)
	all(err)
	w.qualifications, err = c.Qualification.Query().WithAwardingBody().All(ctx)
	all(err)
	w.providers, err = c.Provider.Query().All(ctx)
	all(err)
	w.courses, err = c.Course.Query().WithProvider().WithQualification().All(ctx)
	all(err)
	w.learners, err = c.Learner.Query().WithSchool().All(ctx)
	all(err)
	w.placements, err = c.Placement.Query().WithLearner().WithCourse(func(q *ent.CourseQuery) { q.WithProvider() }).All(ctx)
	all(err)
	w.marks, err = c.AttendanceMark.Query().All(ctx)
	all(err)
	w.revisions, err = c.AttendanceRevision.Query().WithMark().All(ctx)
	all(err)
	w.alerts, err = c.Alert.Query().WithSchool().WithLearner().WithPlacement().WithMark().All(ctx)
	all(err)
	w.agreements, err = c.Agreement.Query().All(ctx)
	all(err)
	w.referrals, err = c.Referral.Query().WithPlacement().WithTransitions().All(ctx)
	all(err)
	w.transitions, err = c.ReferralTransition.Query().All(ctx)
	all(err)
	w.progress, err = c.ProgressUpdate.Query().All(ctx)
	all(err)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return &w
}

func (w *world) counts() Summary {
	return Summary{
		Postcodes: len(w.postcodes), Schools: len(w.schools), AwardingBodies: len(w.bodies),
		Qualifications: len(w.qualifications), Providers: len(w.providers), Courses: len(w.courses),
		Learners: len(w.learners), Placements: len(w.placements), AttendanceMarks: len(w.marks),
		AttendanceRevisions: len(w.revisions), Alerts: len(w.alerts),
		Agreements: len(w.agreements), Referrals: len(w.referrals), ReferralTransitions: len(w.transitions),
		ProgressUpdates: len(w.progress),
	}
}

func (w *world) checkCounts(t *testing.T, sum Summary) {
	t.Helper()
	if got := w.counts(); got != sum {
		t.Errorf("database holds %+v, Summary says %+v", got, sum)
	}
	if sum.Schools != 12 {
		t.Errorf("%d schools, want 12", sum.Schools)
	}
	if sum.Providers < 25 {
		t.Errorf("%d providers, want at least 25", sum.Providers)
	}
	if sum.Learners < 280 || sum.Learners > 320 {
		t.Errorf("%d learners, want about 300", sum.Learners)
	}
	if sum.Qualifications < 25 || sum.AwardingBodies != 9 {
		t.Errorf("%d qualifications and %d awarding bodies, want about 30 and 9", sum.Qualifications, sum.AwardingBodies)
	}
}

func (w *world) checkInvariants(t *testing.T, now time.Time) {
	t.Helper()
	today := timetable.Day(now.In(london))
	cal := newCalendar(academicYear(today))

	// Every postcode used is valid and has a location.
	located := map[string]bool{}
	for _, pc := range w.postcodes {
		located[pc.Postcode] = true
		if pc.Outward != ident.PostcodeOutward(pc.Postcode) {
			t.Errorf("postcode %s has outward %q", pc.Postcode, pc.Outward)
		}
	}
	checkPostcode := func(what, pc string) {
		if n, err := ident.NormalizePostcode(pc); err != nil || n != pc {
			t.Errorf("%s postcode %q: normalised %q, %v", what, pc, n, err)
		}
		if !located[pc] {
			t.Errorf("%s postcode %q has no Postcode row", what, pc)
		}
	}
	for _, s := range w.schools {
		checkPostcode("school "+s.Urn, s.Postcode)
		if s.LateAlertMinutes != 15 {
			t.Errorf("school %s: late_alert_minutes %d, want 15", s.Urn, s.LateAlertMinutes)
		}
	}
	statuses := map[provider.ApprovalStatus]int{}
	for _, p := range w.providers {
		checkPostcode("provider", p.Postcode)
		statuses[p.ApprovalStatus]++
		if p.ApprovalStatus == provider.ApprovalStatusAPPROVED {
			if p.ApprovedUntil == nil || p.ApprovedUntil.Before(today.AddDate(0, 1, 0)) || p.ApprovedUntil.After(today.AddDate(0, 11, 0)) {
				t.Errorf("approved provider %d: approved_until %v, want 1–11 months ahead", p.ID, p.ApprovedUntil)
			}
		}
		if p.ApprovalStatus == provider.ApprovalStatusLAPSED && (p.ApprovedUntil == nil || !p.ApprovedUntil.Before(today)) {
			t.Errorf("lapsed provider %d: approved_until %v, want in the past", p.ID, p.ApprovedUntil)
		}
	}
	if statuses[provider.ApprovalStatusSUSPENDED] < 1 || statuses[provider.ApprovalStatusPENDING] != 1 || statuses[provider.ApprovalStatusLAPSED] != 1 {
		t.Errorf("provider statuses %v, want mostly approved, one or two suspended, one pending, one lapsed", statuses)
	}
	for _, q := range w.qualifications {
		if n, err := ident.NormalizeQualificationNumber(q.Number); err != nil || n != q.Number {
			t.Errorf("qualification number %q: normalised %q, %v", q.Number, n, err)
		}
	}

	// Learners: valid UPNs from Nottingham City, year 10 or 11 by date of birth.
	sen := map[string]int{}
	for _, l := range w.learners {
		if n, err := ident.NormalizeUPN(l.Upn); err != nil || n != l.Upn {
			t.Errorf("learner %d: UPN invalid: %v", l.ID, err)
		}
		if l.Upn[1:4] != laCode {
			t.Errorf("learner %d: UPN not from LA 892", l.ID)
		}
		if l.YearGroup != 10 && l.YearGroup != 11 {
			t.Errorf("learner %d in year %d", l.ID, l.YearGroup)
		}
		// Year 11 were born in the 12 months from 1 September 16 years before the academic year began.
		from := date(cal.year-l.YearGroup-5, time.September, 1)
		if l.DateOfBirth.Before(from) || !l.DateOfBirth.Before(from.AddDate(1, 0, 0)) {
			t.Errorf("learner %d: date of birth does not fit year %d", l.ID, l.YearGroup)
		}
		sen[string(l.SenStatus)]++
	}
	n := len(w.learners)
	if sen["EHCP"] == 0 || sen["EHCP"] > n/10 || sen["SEN_SUPPORT"] < n/10 || sen["SEN_SUPPORT"] > n*3/10 || sen["NONE"] < n/2 {
		t.Errorf("SEN statuses %v, want mostly NONE, ~20%% SEN support, ~5%% EHCP", sen)
	}

	// Courses and placements: never more placements than places; active
	// placements only with approved providers; sessions from the course.
	taken := map[int]int{}
	active := map[int]int{}
	for _, p := range w.placements {
		taken[p.Edges.Course.ID]++
		if p.Status == placement.StatusACTIVE {
			active[p.Edges.Learner.ID]++
			if s := p.Edges.Course.Edges.Provider.ApprovalStatus; s != provider.ApprovalStatusAPPROVED {
				t.Errorf("active placement %d with a %s provider", p.ID, s)
			}
			if p.StartDate.After(today) || p.EndDate.Before(today) {
				t.Errorf("active placement %d runs %v to %v, not today", p.ID, p.StartDate, p.EndDate)
			}
			if p.StartDate.After(cal.halfTermStart(today)) {
				t.Errorf("active placement %d started after the current half-term began", p.ID)
			}
		}
		if p.Edges.Course.Edges.Provider.ApprovalStatus == provider.ApprovalStatusPENDING {
			t.Errorf("placement %d with a pending provider", p.ID)
		}
		for _, s := range p.Sessions {
			if !slices.Contains(p.Edges.Course.Sessions, s) {
				t.Errorf("placement %d session %v is not one of its course's", p.ID, s)
			}
		}
	}
	for _, c := range w.courses {
		if taken[c.ID] > c.Places {
			t.Errorf("course %d has %d placements for %d places", c.ID, taken[c.ID], c.Places)
		}
		if c.Places < 6 || c.Places > 16 {
			t.Errorf("course %d has %d places, want 6–16", c.ID, c.Places)
		}
		if err := timetable.ValidateAll(c.Sessions); err != nil {
			t.Errorf("course %d sessions: %v", c.ID, err)
		}
		checkPostcode("course delivery", c.DeliveryPostcode)
		for _, d := range c.StartDates {
			if d.Month() != time.September && d.Month() != time.January {
				t.Errorf("course %d starts %v, want September or January", c.ID, d)
			}
		}
	}
	for id, k := range active {
		if k > 1 {
			t.Errorf("learner %d has %d active placements", id, k)
		}
	}
	if today.After(cal.halfTermStart(today)) && !today.After(cal.end()) && len(active) < n*8/10 {
		t.Errorf("%d of %d learners have an active placement, want most", len(active), n)
	}

	// Marks: on the placement's sessions, before today, coded by the rules,
	// each with an identical first revision.
	placements := map[int]*ent.Placement{}
	for _, p := range w.placements {
		placements[p.ID] = p
	}
	revisions := map[int]*ent.AttendanceRevision{}
	for _, r := range w.revisions {
		revisions[r.Edges.Mark.ID] = r
	}
	var lastDay time.Time
	for _, m := range w.marks {
		if m.Date.After(lastDay) {
			lastDay = m.Date
		}
	}
	schoolOf := map[int]*ent.School{}
	for _, l := range w.learners {
		schoolOf[l.ID] = l.Edges.School
	}
	wantAlerts := map[int]register.AlertKind{}
	for _, m := range w.marks {
		p := placements[m.PlacementID]
		mk := markOf(m)
		if !m.Date.Equal(timetable.Day(m.Date)) || !m.Date.Before(today) {
			t.Errorf("mark %d dated %v, want a midnight before today", m.ID, m.Date)
		}
		if m.Date.Before(p.StartDate) || m.Date.After(p.EndDate) {
			t.Errorf("mark %d on %v is outside placement %d", m.ID, m.Date, p.ID)
		}
		s, ok := timetable.On(p.Sessions, m.Date, timetable.Period(m.Session))
		if !ok {
			t.Errorf("mark %d: placement %d has no %s session on %v", m.ID, p.ID, m.Session, m.Date.Weekday())
		} else if start := m.Date.Add(time.Duration(s.StartMinutes()) * time.Minute); m.RecordedAt.Before(start.Add(-time.Hour)) || m.RecordedAt.After(start.Add(2*time.Hour)) {
			t.Errorf("mark %d recorded at %v, not soon after the session start", m.ID, m.RecordedAt)
		}
		if err := mk.Validate(); err != nil {
			t.Errorf("mark %d: %v", m.ID, err)
		}
		code := register.Code(mk, register.DefaultRegisterCloses, p.LaArranged)
		if m.Code != code {
			t.Errorf("mark %d has code %q, register.Code gives %q", m.ID, m.Code, code)
		}
		if m.Version != 1 || m.RecordedBy != recorder {
			t.Errorf("mark %d: version %d by %q", m.ID, m.Version, m.RecordedBy)
		}
		r := revisions[m.ID]
		if r == nil || r.Version != 1 || r.Status != m.Status || !slices.Equal(ptr(r.AbsenceReason), ptr(m.AbsenceReason)) ||
			r.MinutesLate != m.MinutesLate || r.Code != m.Code || r.RecordedBy != m.RecordedBy || !r.RecordedAt.Equal(m.RecordedAt) {
			t.Errorf("mark %d: revision %+v does not match", m.ID, r)
		}
		if kind, ok := register.AlertFor(mk, m.Code, schoolOf[p.Edges.Learner.ID].LateAlertMinutes); ok {
			wantAlerts[m.ID] = kind
		}
	}
	if len(w.revisions) != len(w.marks) {
		t.Errorf("%d revisions for %d marks", len(w.revisions), len(w.marks))
	}

	// Alerts exactly where register.AlertFor says, about the right people,
	// acknowledged except on the last day.
	got := map[int]bool{}
	for _, a := range w.alerts {
		m := a.Edges.Mark
		if got[m.ID] {
			t.Errorf("two alerts for mark %d", m.ID)
		}
		got[m.ID] = true
		if want, ok := wantAlerts[m.ID]; !ok || want != a.Kind {
			t.Errorf("alert %d: %s for mark %d, want %q", a.ID, a.Kind, m.ID, want)
		}
		p := placements[m.PlacementID]
		if a.Edges.Placement.ID != p.ID || a.Edges.Learner.ID != p.Edges.Learner.ID || a.Edges.School.ID != schoolOf[p.Edges.Learner.ID].ID {
			t.Errorf("alert %d is not about its mark's placement, learner and school", a.ID)
		}
		if !a.RaisedAt.Equal(m.RecordedAt) {
			t.Errorf("alert %d raised at %v, mark recorded at %v", a.ID, a.RaisedAt, m.RecordedAt)
		}
		acked := a.AcknowledgedAt != nil
		if acked != m.Date.Before(lastDay) {
			t.Errorf("alert %d on %v: acknowledged = %v, want only before the last day %v", a.ID, m.Date, acked, lastDay)
		}
		if acked && (a.AcknowledgedBy == nil || *a.AcknowledgedBy != recorder || !a.AcknowledgedAt.After(a.RaisedAt) || !a.AcknowledgedAt.Before(today)) {
			t.Errorf("alert %d acknowledged by %v at %v, raised %v", a.ID, a.AcknowledgedBy, a.AcknowledgedAt, a.RaisedAt)
		}
	}
	for id, kind := range wantAlerts {
		if !got[id] {
			t.Errorf("mark %d should have raised %s", id, kind)
		}
	}
}

// checkAttendance: most learners attend 90% or more; some are persistently
// absent (10% or more of their possible sessions missed); some arrive after
// the register closes (U) and some late enough to alert.
func (w *world) checkAttendance(t *testing.T) {
	t.Helper()
	placements := map[int]*ent.Placement{}
	for _, p := range w.placements {
		placements[p.ID] = p
	}
	possible, attended := map[int]int{}, map[int]int{}
	codes := map[string]int{}
	for _, m := range w.marks {
		l := placements[m.PlacementID].Edges.Learner.ID
		codes[m.Code]++
		if register.IsPossibleSession(m.Code) {
			possible[l]++
			if register.CountsAsAttendance(m.Code) {
				attended[l]++
			}
		}
	}
	good, persistent := 0, 0
	for l, n := range possible {
		if attended[l]*10 >= n*9 {
			good++
		}
		if register.AbsenceBand(n, n-attended[l]) != "" {
			persistent++
		}
	}
	t.Logf("%d learners with marks: %d attend ≥90%%, %d persistently absent; codes %v", len(possible), good, persistent, codes)
	if len(possible) < len(w.learners)/2 {
		t.Fatalf("only %d of %d learners have marks", len(possible), len(w.learners))
	}
	if good*4 < len(possible)*3 {
		t.Errorf("%d of %d learners attend ≥90%%, want most (≥75%%)", good, len(possible))
	}
	if persistent < 5 {
		t.Errorf("%d persistent absentees, want some", persistent)
	}
	for _, c := range []string{"B", "K", "U", "N", "I"} {
		if codes[c] == 0 {
			t.Errorf("no %s codes among %d marks", c, len(w.marks))
		}
	}
	kinds := map[register.AlertKind]int{}
	for _, a := range w.alerts {
		kinds[a.Kind]++
	}
	for _, k := range []register.AlertKind{register.UnexplainedAbsence, register.UnauthorisedAbsence, register.LateArrival} {
		if kinds[k] == 0 {
			t.Errorf("no %s alerts", k)
		}
	}
}

// A school searching for Level 1 hairdressing finds approved providers
// within 5 miles, at different distances.
func (w *world) checkHairdressingNearSchools(t *testing.T) {
	t.Helper()
	grid := map[string]*ent.Postcode{}
	for _, pc := range w.postcodes {
		grid[pc.Postcode] = pc
	}
	providers := map[int]bool{}
	distances := map[float64]bool{}
	schoolsServed := map[int]bool{}
	for _, c := range w.courses {
		q := c.Edges.Qualification
		if c.Edges.Provider.ApprovalStatus != provider.ApprovalStatusAPPROVED || q.Level != level.Level1 ||
			(!strings.Contains(q.Title, "Hair") && !strings.Contains(q.Title, "Barbering")) {
			continue
		}
		at := grid[c.DeliveryPostcode]
		for _, s := range w.schools {
			from := grid[s.Postcode]
			if d := geo.Miles(from.Easting, from.Northing, at.Easting, at.Northing); d <= 5 {
				providers[c.Edges.Provider.ID] = true
				distances[d] = true
				schoolsServed[s.ID] = true
			}
		}
	}
	if len(providers) < 3 || len(schoolsServed) < 3 || len(distances) < 3 {
		t.Errorf("Level 1 hairdressing within 5 miles: %d approved providers, %d schools, %d distinct distances; want at least 3 of each",
			len(providers), len(schoolsServed), len(distances))
	}
}

func markOf(m *ent.AttendanceMark) register.Mark {
	mk := register.Mark{Status: m.Status, MinutesLate: m.MinutesLate}
	if m.AbsenceReason != nil {
		mk.Reason = *m.AbsenceReason
	}
	return mk
}

func ptr[T any](p *T) []T {
	if p == nil {
		return nil
	}
	return []T{*p}
}

// The referral process in the demo: referrals in every state with their
// history, agreements in every state but EXPIRED (which needs last year's
// placements, present on most dates), completed placements with outcomes,
// and progress updates.
func TestSeedReferralProcess(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := viewer.SystemContext(context.Background())
	if _, err := Seed(ctx, d.Client, time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	w := load(t, d.Client)
	states := map[referral.Status]int{}
	for _, r := range w.referrals {
		states[r.Status]++
		ts := r.Edges.Transitions
		if len(ts) == 0 || ts[len(ts)-1].To != string(r.Status) || ts[0].From != "" {
			t.Fatalf("referral %d (%s) has history %+v", r.ID, r.Status, ts)
		}
		if (r.Status == referral.StatusPLACED) != (r.Edges.Placement != nil) {
			t.Fatalf("referral %d is %s with placement %v", r.ID, r.Status, r.Edges.Placement)
		}
		f := form.Form{Education: r.Education, Attendance: r.Attendance, Exclusions: r.Exclusions, SEND: r.Send,
			Social: r.Social, Agencies: r.Agencies, Reason: r.Reason, AtRisk: r.AtRisk,
			QualificationsRequired: r.QualificationsRequired, Preference: r.Preference}
		if err := f.Validate(); err != nil {
			t.Fatalf("referral %d's form is invalid: %v", r.ID, err)
		}
	}
	for _, s := range []referral.Status{referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusRETURNED,
		referral.StatusCHECKED, referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusDECLINED,
		referral.StatusPRE_VISIT_HELD, referral.StatusPLACED, referral.StatusWITHDRAWN} {
		if states[s] == 0 {
			t.Errorf("no demo referral is %s (%v)", s, states)
		}
	}
	agreements := map[agreement.Status]int{}
	for _, a := range w.agreements {
		agreements[a.Status]++
	}
	for _, s := range []agreement.Status{agreement.StatusDRAFT, agreement.StatusSIGNED_BY_ONE, agreement.StatusACTIVE,
		agreement.StatusEXPIRED, agreement.StatusREVOKED} {
		if agreements[s] == 0 {
			t.Errorf("no demo agreement is %s (%v)", s, agreements)
		}
	}
	outcomes := 0
	for _, p := range w.placements {
		if p.Status == placement.StatusCOMPLETED {
			if p.Destination == nil || p.QualificationEntered == nil {
				t.Fatalf("completed placement %d has no outcome", p.ID)
			}
			outcomes++
		}
	}
	if outcomes == 0 || len(w.progress) == 0 {
		t.Fatalf("%d completed placements with outcomes, %d progress updates", outcomes, len(w.progress))
	}
}
