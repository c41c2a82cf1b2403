package referral

import (
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/internal/register"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// DOMAIN.md: learners aged 14–16 may be placed only with approved providers;
// the age counts whole years, a birthday on the start date included.
func TestAgeOnCountsWholeYears(t *testing.T) {
	for _, c := range []struct {
		dob, on string
		want    int
	}{
		{"2012-09-07", "2026-09-07", 14}, {"2012-09-08", "2026-09-07", 13},
		{"2010-02-28", "2026-09-07", 16}, {"2009-09-07", "2026-09-07", 17},
		{"2012-02-29", "2026-02-28", 13}, {"2012-02-29", "2026-03-01", 14},
	} {
		if got := AgeOn(day(c.dob), day(c.on)); got != c.want {
			t.Errorf("born %s, on %s: %d, want %d", c.dob, c.on, got, c.want)
		}
	}
}

// An academic year runs 1 September to 31 August; a placement across two
// needs an agreement for each.
func TestAgreementCoverage(t *testing.T) {
	year := func(y string) *ent.Agreement {
		s, e, err := AcademicYear(y)
		if err != nil {
			t.Fatal(err)
		}
		return &ent.Agreement{StartsOn: s, EndsOn: e}
	}
	if got := AcademicYearOf(day("2027-08-31")); got != "2026/27" {
		t.Fatalf("31 August 2027 is in %s", got)
	}
	if got := AcademicYearOf(day("2099-09-01")); got != "2099/00" {
		t.Fatalf("1 September 2099 is in %s", got)
	}
	if _, ok := uncovered([]*ent.Agreement{year("2026/27")}, day("2026-09-07"), day("2027-07-16")); ok {
		t.Fatal("a placement within the year is not covered")
	}
	gap, ok := uncovered([]*ent.Agreement{year("2026/27")}, day("2027-06-07"), day("2027-10-01"))
	if !ok || !gap.Equal(day("2027-09-01")) {
		t.Fatalf("across two years with one agreement: uncovered from %v (%v)", gap, ok)
	}
	if _, ok := uncovered([]*ent.Agreement{year("2027/28"), year("2026/27")}, day("2027-06-07"), day("2027-10-01")); ok {
		t.Fatal("two consecutive agreements do not cover the placement")
	}
	if gap, ok := uncovered(nil, day("2027-06-07"), day("2027-10-01")); !ok || !gap.Equal(day("2027-06-07")) {
		t.Fatalf("with no agreement: %v %v", gap, ok)
	}
}

// Attendance over a period counts reg. 10 codes: B and K attend, L (late
// before the register closed) attends but is not punctual, U is an absence,
// and not-a-possible-session codes are left out.
func TestAttendanceFromMarks(t *testing.T) {
	m := func(code string, s register.Status) *ent.AttendanceMark {
		return &ent.AttendanceMark{Code: code, Status: s, Session: attendancemark.SessionAM}
	}
	a := AttendanceFrom([]*ent.AttendanceMark{
		m("B", register.Present), m("B", register.Late), m("K", register.Present), m("U", register.Late),
		m("N", register.Absent), m("X", register.NotRequired),
	})
	if a.Possible != 5 || a.Attended != 3 || a.Late != 1 || *a.Percent != 60 || *a.Punctuality != 66.7 {
		t.Fatalf("%+v %v %v", a, *a.Percent, *a.Punctuality)
	}
	if none := AttendanceFrom(nil); none.Percent != nil || none.Punctuality != nil {
		t.Fatalf("no marks: %+v", none)
	}
}
