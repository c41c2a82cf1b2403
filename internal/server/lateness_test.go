package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/internal/dbtest"
)

// Lateness is bounded by the session: the register is taken per morning or
// afternoon session and closes 30 minutes in (L before, U after: DOMAIN.md,
// reg. 10), so a learner cannot be later than the session lasts (the
// fixture's Monday session is 09:00-12:00, 180 minutes), and never more than
// half a school day (240 minutes) whatever the timetable says.
func TestMinutesLateIsBoundedByTheSession(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	q := `mutation($in: RecordAttendanceInput!) { recordAttendance(input: $in) { mark { code } } }`
	late := func(minutes int) map[string]any {
		return map[string]any{"in": map[string]any{"placementID": e.w.Placements[0].ID, "date": e.w.Monday.Format(time.DateOnly),
			"session": "AM", "mark": map[string]any{"status": "LATE", "minutesLate": minutes}}}
	}
	for minutes, want := range map[int]string{
		181:  "longer than the",
		241:  "between 1 and 240",
		1440: "between 1 and 240",
	} {
		msg := wantCode(t, do(t, e.provider, q, late(minutes)), "BAD_USER_INPUT")
		if !strings.Contains(msg, want) {
			t.Errorf("%d minutes late: %q, want %q", minutes, msg, want)
		}
	}
	// The whole session late is still a (U) late arrival.
	var out struct {
		RecordAttendance struct{ Mark struct{ Code string } }
	}
	data(t, e.provider, q, late(180), &out)
	if out.RecordAttendance.Mark.Code != "U" {
		t.Fatalf("180 minutes late: code %q, want U (arrived after the register closed)", out.RecordAttendance.Mark.Code)
	}
}
