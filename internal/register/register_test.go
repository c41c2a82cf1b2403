package register

import (
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/internal/apierr"
)

func TestEnumValues(t *testing.T) {
	if got, want := strings.Join(Status("").Values(), ","), "PRESENT,LATE,ABSENT,NOT_REQUIRED"; got != want {
		t.Errorf("Status.Values() = %s, want %s", got, want)
	}
	if got, want := strings.Join(AbsenceReason("").Values(), ","), "NO_REASON_YET,ILLNESS,MEDICAL_APPOINTMENT,OTHER_AUTHORISED,UNAUTHORISED"; got != want {
		t.Errorf("AbsenceReason.Values() = %s, want %s", got, want)
	}
	if got, want := strings.Join(AlertKind("").Values(), ","), "UNEXPLAINED_ABSENCE,UNAUTHORISED_ABSENCE,LATE_ARRIVAL,PROVIDER_SUSPENDED"; got != want {
		t.Errorf("AlertKind.Values() = %s, want %s", got, want)
	}
}

// Rule: the register closes at most 30 minutes after the session starts.
func TestDefaults(t *testing.T) {
	if DefaultRegisterCloses != 30*time.Minute || MaxRegisterCloses != 30*time.Minute {
		t.Errorf("DefaultRegisterCloses = %v, MaxRegisterCloses = %v; want 30m", DefaultRegisterCloses, MaxRegisterCloses)
	}
	if DefaultLateAlertMinutes != 15 {
		t.Errorf("DefaultLateAlertMinutes = %d, want 15", DefaultLateAlertMinutes)
	}
}

func TestMarkValidate(t *testing.T) {
	valid := []Mark{
		{Status: Present},
		{Status: NotRequired},
		{Status: Late, MinutesLate: 1},
		{Status: Late, MinutesLate: 240},
		{Status: Absent, Reason: NoReasonYet},
		{Status: Absent, Reason: Illness},
		{Status: Absent, Reason: MedicalAppointment},
		{Status: Absent, Reason: OtherAuthorised},
		{Status: Absent, Reason: Unauthorised},
	}
	for _, m := range valid {
		if err := m.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v, want nil", m, err)
		}
	}

	invalid := []struct {
		name     string
		m        Mark
		field    string
		fragment string
	}{
		{"empty status", Mark{}, "status", "not an attendance status"},
		{"unknown status", Mark{Status: "present"}, "status", "expected one of PRESENT"},
		{"LATE needs minutesLate ≥ 1", Mark{Status: Late}, "minutesLate", "between 1 and 240, not 0"},
		{"LATE negative minutes", Mark{Status: Late, MinutesLate: -5}, "minutesLate", "not -5"},
		// A session is half a school day (morning or afternoon register,
		// reg. 10): more than 4 hours late is not late for it but absent.
		{"LATE at most half a school day (240 minutes)", Mark{Status: Late, MinutesLate: 241}, "minutesLate", "between 1 and 240"},
		{"LATE not a whole day", Mark{Status: Late, MinutesLate: 24 * 60}, "minutesLate", "between 1 and 240"},
		{"PRESENT with minutesLate", Mark{Status: Present, MinutesLate: 3}, "minutesLate", "only for LATE"},
		{"ABSENT with minutesLate", Mark{Status: Absent, Reason: Illness, MinutesLate: 3}, "minutesLate", "expected 0"},
		{"NOT_REQUIRED with minutesLate", Mark{Status: NotRequired, MinutesLate: 1}, "minutesLate", "only for LATE"},
		{"ABSENT needs a reason", Mark{Status: Absent}, "absenceReason", "use NO_REASON_YET"},
		{"ABSENT unknown reason", Mark{Status: Absent, Reason: "HOLIDAY"}, "absenceReason", `"HOLIDAY" is not an absence reason`},
		{"PRESENT with a reason", Mark{Status: Present, Reason: Illness}, "absenceReason", "only for ABSENT"},
		{"LATE with a reason", Mark{Status: Late, MinutesLate: 5, Reason: Illness}, "absenceReason", "only for ABSENT"},
		{"NOT_REQUIRED with a reason", Mark{Status: NotRequired, Reason: OtherAuthorised}, "absenceReason", "expected no reason"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			e, ok := apierr.As(err)
			if !ok {
				t.Fatalf("Validate() = %v, want *apierr.Error", err)
			}
			if e.Code != apierr.BadUserInput || e.Field != tt.field {
				t.Errorf("got code %s field %q, want %s %q", e.Code, e.Field, apierr.BadUserInput, tt.field)
			}
			if !strings.Contains(e.Message, tt.fragment) {
				t.Errorf("message %q does not mention %q", e.Message, tt.fragment)
			}
		})
	}
}

func TestCode(t *testing.T) {
	const closes = DefaultRegisterCloses
	tests := []struct {
		rule       string
		m          Mark
		closes     time.Duration
		laArranged bool
		want       string
	}{
		{"off-site provision the school arranged is B", Mark{Status: Present}, closes, false, "B"},
		{"off-site provision the LA arranged is K", Mark{Status: Present}, closes, true, "K"},
		{"late before the register closes counts as present: B", Mark{Status: Late, MinutesLate: 5}, closes, false, "B"},
		{"late before the register closes counts as present: K", Mark{Status: Late, MinutesLate: 5}, closes, true, "K"},
		{"late exactly at the close is before it closes", Mark{Status: Late, MinutesLate: 30}, closes, false, "B"},
		{"arrived after the register closed is U", Mark{Status: Late, MinutesLate: 31}, closes, false, "U"},
		{"U applies to LA-arranged provision too", Mark{Status: Late, MinutesLate: 31}, closes, true, "U"},
		{"school closes register at 10 minutes: 10 late is B", Mark{Status: Late, MinutesLate: 10}, 10 * time.Minute, false, "B"},
		{"school closes register at 10 minutes: 11 late is U", Mark{Status: Late, MinutesLate: 11}, 10 * time.Minute, false, "U"},
		{"register closes at most 30 minutes after start: a 45 min setting is treated as 30", Mark{Status: Late, MinutesLate: 31}, 45 * time.Minute, false, "U"},
		{"a zero close time makes every late arrival U", Mark{Status: Late, MinutesLate: 1}, 0, false, "U"},
		{"a negative close time counts as zero", Mark{Status: Late, MinutesLate: 1}, -time.Minute, false, "U"},
		{"closes need not be whole minutes: 20m30s admits 20", Mark{Status: Late, MinutesLate: 20}, 20*time.Minute + 30*time.Second, false, "B"},
		{"closes need not be whole minutes: 20m30s rejects 21", Mark{Status: Late, MinutesLate: 21}, 20*time.Minute + 30*time.Second, false, "U"},
		{"no reason yet is N", Mark{Status: Absent, Reason: NoReasonYet}, closes, false, "N"},
		{"illness is I", Mark{Status: Absent, Reason: Illness}, closes, false, "I"},
		{"medical or dental appointment is M", Mark{Status: Absent, Reason: MedicalAppointment}, closes, false, "M"},
		{"other exceptional leave is C", Mark{Status: Absent, Reason: OtherAuthorised}, closes, false, "C"},
		{"other unauthorised is O", Mark{Status: Absent, Reason: Unauthorised}, closes, false, "O"},
		{"absence codes do not depend on who arranged it", Mark{Status: Absent, Reason: Illness}, closes, true, "I"},
		{"absent without a reason (unvalidated) is N, not hidden", Mark{Status: Absent}, closes, false, "N"},
		{"not a provider session: the school records its own mark", Mark{Status: NotRequired}, closes, false, ""},
		{"unknown status gives no code", Mark{Status: "ELSEWHERE"}, closes, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := Code(tt.m, tt.closes, tt.laArranged); got != tt.want {
				t.Errorf("Code(%+v, %v, %v) = %q, want %q", tt.m, tt.closes, tt.laArranged, got, tt.want)
			}
		})
	}
}

// Rule (reg. 10 groups): present and attending-elsewhere codes count as
// attendance; authorised and unauthorised absence codes, including U, do
// not; not-a-possible-session codes are not possible sessions.
func TestCodeGroups(t *testing.T) {
	tests := []struct {
		code       string
		attendance bool
		possible   bool
	}{
		{"/", true, true}, {`\`, true, true}, {"L", true, true},
		{"K", true, true}, {"V", true, true}, {"P", true, true}, {"W", true, true}, {"B", true, true},
		{"C1", false, true}, {"C2", false, true}, {"C", false, true}, {"M", false, true}, {"J1", false, true},
		{"S", false, true}, {"T", false, true}, {"R", false, true}, {"I", false, true}, {"E", false, true},
		{"G", false, true}, {"N", false, true}, {"O", false, true},
		{"U", false, true}, // arrived after the register closed: unauthorised absence
		{"D", false, false}, {"Q", false, false}, {"X", false, false}, {"Z", false, false}, {"#", false, false},
		{"Y1", false, false}, {"Y4", false, false}, {"Y7", false, false},
		{"", false, false}, // NOT_REQUIRED: no provider mark
	}
	for _, tt := range tests {
		if got := CountsAsAttendance(tt.code); got != tt.attendance {
			t.Errorf("CountsAsAttendance(%q) = %v, want %v", tt.code, got, tt.attendance)
		}
		if got := IsPossibleSession(tt.code); got != tt.possible {
			t.Errorf("IsPossibleSession(%q) = %v, want %v", tt.code, got, tt.possible)
		}
	}
}

// Every code Code can return has a meaning, and the meanings say which
// group the code is in.
func TestCodeMeaning(t *testing.T) {
	for code, want := range map[string]string{
		"B": "approved educational activity",
		"K": "arranged by the local authority",
		"U": "after the register closed",
		"N": "reason not yet provided",
		"I": "illness",
		"M": "medical or dental",
		"C": "exceptional circumstances",
		"O": "other or unknown circumstances",
		"L": "before the register closed",
	} {
		if got := CodeMeaning(code); !strings.Contains(got, want) {
			t.Errorf("CodeMeaning(%q) = %q, want it to mention %q", code, got, want)
		}
	}
	for _, code := range []string{"", "Y1", "ZZ", "b"} {
		if got := CodeMeaning(code); got != "" {
			t.Errorf("CodeMeaning(%q) = %q, want \"\"", code, got)
		}
	}
	// Exhaustive over every mark shape Code produces.
	for _, s := range Status("").Values() {
		for _, r := range append(AbsenceReason("").Values(), "") {
			for _, late := range []int{0, 5, 45} {
				for _, la := range []bool{false, true} {
					code := Code(Mark{Status: Status(s), Reason: AbsenceReason(r), MinutesLate: late}, DefaultRegisterCloses, la)
					if code != "" && CodeMeaning(code) == "" {
						t.Errorf("Code returned %q, which has no meaning", code)
					}
				}
			}
		}
	}
}

func TestAlertFor(t *testing.T) {
	const th = DefaultLateAlertMinutes
	tests := []struct {
		rule      string
		m         Mark
		code      string
		threshold int
		want      AlertKind
	}{
		{"present raises nothing", Mark{Status: Present}, "B", th, ""},
		{"not required raises nothing", Mark{Status: NotRequired}, "", th, ""},
		{"unexplained absence triggers first-day contact", Mark{Status: Absent, Reason: NoReasonYet}, "N", th, UnexplainedAbsence},
		{"absent with no reason recorded is unexplained", Mark{Status: Absent}, "N", th, UnexplainedAbsence},
		{"unauthorised absence (O) alerts", Mark{Status: Absent, Reason: Unauthorised}, "O", th, UnauthorisedAbsence},
		{"authorised absence: illness does not alert", Mark{Status: Absent, Reason: Illness}, "I", th, ""},
		{"authorised absence: medical does not alert", Mark{Status: Absent, Reason: MedicalAppointment}, "M", th, ""},
		{"authorised absence: other does not alert", Mark{Status: Absent, Reason: OtherAuthorised}, "C", th, ""},
		{"late exactly the threshold does not alert", Mark{Status: Late, MinutesLate: th}, "B", th, ""},
		{"late one minute more than the threshold alerts", Mark{Status: Late, MinutesLate: th + 1}, "B", th, LateArrival},
		{"late under the threshold does not alert", Mark{Status: Late, MinutesLate: 1}, "K", th, ""},
		{"arrived after the register closed (U) is an unauthorised absence", Mark{Status: Late, MinutesLate: 31}, "U", th, UnauthorisedAbsence},
		{"U outranks LATE_ARRIVAL even above the threshold", Mark{Status: Late, MinutesLate: 60}, "U", th, UnauthorisedAbsence},
		{"school threshold of 5", Mark{Status: Late, MinutesLate: 6}, "B", 5, LateArrival},
		{"threshold 0 alerts on any lateness", Mark{Status: Late, MinutesLate: 1}, "B", 0, LateArrival},
		{"negative threshold counts as 0", Mark{Status: Late, MinutesLate: 1}, "B", -10, LateArrival},
		{"threshold above the register close: B-coded lateness never alerts", Mark{Status: Late, MinutesLate: 30}, "B", 40, ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, ok := AlertFor(tt.m, tt.code, tt.threshold)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("AlertFor(%+v, %q, %d) = %q, %v; want %q, %v", tt.m, tt.code, tt.threshold, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// The alert follows from Code: check the pair together as the API uses it.
func TestAlertForWithCode(t *testing.T) {
	late := func(min int) Mark { return Mark{Status: Late, MinutesLate: min} }
	for _, tt := range []struct {
		m    Mark
		want AlertKind
	}{
		{late(15), ""},
		{late(16), LateArrival},
		{late(30), LateArrival},
		{late(31), UnauthorisedAbsence},
	} {
		code := Code(tt.m, DefaultRegisterCloses, false)
		got, _ := AlertFor(tt.m, code, DefaultLateAlertMinutes)
		if got != tt.want {
			t.Errorf("%d minutes late (code %s): alert %q, want %q", tt.m.MinutesLate, code, got, tt.want)
		}
	}
}

// Rule: persistent absence is 10% or more of the pupil's own possible
// sessions missed; severe absence is 50% or more.
func TestAbsenceBand(t *testing.T) {
	tests := []struct {
		name             string
		possible, missed int
		want             string
	}{
		{"no possible sessions", 0, 0, ""},
		{"no possible sessions but missed (bad data)", 0, 3, ""},
		{"negative possible", -10, 1, ""},
		{"none missed", 100, 0, ""},
		{"negative missed", 100, -1, ""},
		{"just under 10%", 100, 9, ""},
		{"exactly 10% is persistent", 100, 10, Persistent},
		{"9.9% is not persistent", 1000, 99, ""},
		{"10% of an odd count: 2 of 20", 20, 2, Persistent},
		{"1 of 11 (9.09%)", 11, 1, ""},
		{"1 of 10", 10, 1, Persistent},
		{"49%", 100, 49, Persistent},
		{"exactly 50% is severe", 100, 50, Severe},
		{"odd possible: 5 of 11 (45%) is persistent", 11, 5, Persistent},
		{"odd possible: 6 of 11 (54.5%) is severe", 11, 6, Severe},
		{"all missed", 38, 38, Severe},
		{"more missed than possible (bad data) is still severe", 10, 12, Severe},
		{"a full year: 380 sessions, 38 missed", 380, 38, Persistent},
		{"a full year: 380 sessions, 37 missed", 380, 37, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AbsenceBand(tt.possible, tt.missed); got != tt.want {
				t.Errorf("AbsenceBand(%d, %d) = %q, want %q", tt.possible, tt.missed, got, tt.want)
			}
		})
	}
}
