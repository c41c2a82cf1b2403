// Package register turns what an alternative provision provider records for
// a session into the attendance code the learner's home school enters in its
// register (School Attendance (Pupil Registration) (England) Regulations
// 2024, reg. 10), and decides which marks raise a safeguarding alert.
package register

import (
	"time"

	"github.com/apnet/apnet/internal/apierr"
)

// Status is what the provider saw at the session.
type Status string

const (
	Present Status = "PRESENT"
	Late    Status = "LATE"
	Absent  Status = "ABSENT"
	// NotRequired means the learner was not due at the provider this
	// session (e.g. a school day); the school records its own mark.
	NotRequired Status = "NOT_REQUIRED"
)

// Values returns every Status; ent uses it for the enum column.
func (Status) Values() []string {
	return []string{string(Present), string(Late), string(Absent), string(NotRequired)}
}

// AbsenceReason is the provider's reason for an absence.
type AbsenceReason string

const (
	NoReasonYet        AbsenceReason = "NO_REASON_YET"
	Illness            AbsenceReason = "ILLNESS"
	MedicalAppointment AbsenceReason = "MEDICAL_APPOINTMENT"
	OtherAuthorised    AbsenceReason = "OTHER_AUTHORISED"
	Unauthorised       AbsenceReason = "UNAUTHORISED"
)

// Values returns every AbsenceReason; ent uses it for the enum column.
func (AbsenceReason) Values() []string {
	return []string{string(NoReasonYet), string(Illness), string(MedicalAppointment),
		string(OtherAuthorised), string(Unauthorised)}
}

const (
	// DefaultRegisterCloses is the latest the regulations allow: the
	// register closes at most 30 minutes after the session starts.
	DefaultRegisterCloses = 30 * time.Minute
	// MaxRegisterCloses is the regulatory limit; Code clamps to it.
	MaxRegisterCloses = 30 * time.Minute
	// DefaultLateAlertMinutes is how late a learner may be before the
	// school is alerted, unless the school sets its own threshold.
	DefaultLateAlertMinutes = 15
	// MaxMinutesLate bounds MinutesLate whatever the timetable says. The
	// register is taken per session, morning and afternoon (reg. 10): each
	// is half a school day, so no session is longer than about 4 hours, and
	// a learner who arrives more than 4 hours in has missed it. Lateness up
	// to the register's close is L, after it U (Code); the attendance service
	// also refuses lateness longer than the learner's own session.
	MaxMinutesLate = 240
)

// Mark is one provider entry for one learner and session.
type Mark struct {
	Status      Status
	Reason      AbsenceReason // only for Absent
	MinutesLate int           // only for Late
}

// Validate reports a Mark the provider could not meaningfully have recorded.
func (m Mark) Validate() error {
	switch m.Status {
	case Present, Late, Absent, NotRequired:
	default:
		return apierr.Invalid("status", "%q is not an attendance status (expected one of PRESENT, LATE, ABSENT, NOT_REQUIRED)", m.Status)
	}
	if m.Status == Late {
		if m.MinutesLate < 1 || m.MinutesLate > MaxMinutesLate {
			return apierr.Invalid("minutesLate", "a late arrival needs minutesLate between 1 and %d, not %d", MaxMinutesLate, m.MinutesLate)
		}
	} else if m.MinutesLate != 0 {
		return apierr.Invalid("minutesLate", "minutesLate is only for LATE, but status is %s (expected 0)", m.Status)
	}
	if m.Status == Absent {
		switch m.Reason {
		case NoReasonYet, Illness, MedicalAppointment, OtherAuthorised, Unauthorised:
		case "":
			return apierr.Invalid("absenceReason", "an absence needs a reason (use NO_REASON_YET if it is not yet known)")
		default:
			return apierr.Invalid("absenceReason", "%q is not an absence reason (expected one of NO_REASON_YET, ILLNESS, MEDICAL_APPOINTMENT, OTHER_AUTHORISED, UNAUTHORISED)", m.Reason)
		}
	} else if m.Reason != "" {
		return apierr.Invalid("absenceReason", "a reason is only for ABSENT, but status is %s (expected no reason)", m.Status)
	}
	return nil
}

// clampCloses keeps the register-close time within the regulations
// (0..30 minutes). Out-of-range settings err towards coding more arrivals
// as U, i.e. towards alerting rather than hiding a late arrival.
func clampCloses(d time.Duration) time.Duration {
	return max(0, min(d, MaxRegisterCloses))
}

// Code returns the register code for the home school. registerCloses is how
// long after the session start the school's register closes (clamped to
// 0..30 minutes); laArranged is true when the local authority, not the
// school, arranged the placement. NOT_REQUIRED gives "": the session is not
// a provider session and the school enters its own mark.
func Code(m Mark, registerCloses time.Duration, laArranged bool) string {
	attending := "B" // off-site provision the school arranged
	if laArranged {
		attending = "K"
	}
	switch m.Status {
	case Present:
		return attending
	case Late:
		// Off-site, a late arrival before the register closes is still
		// attendance (the off-site code, not L); after it, it is U.
		if time.Duration(m.MinutesLate)*time.Minute <= clampCloses(registerCloses) {
			return attending
		}
		return "U"
	case Absent:
		switch m.Reason {
		case Illness:
			return "I"
		case MedicalAppointment:
			return "M"
		case OtherAuthorised:
			return "C"
		case Unauthorised:
			return "O"
		default:
			// NO_REASON_YET, or a missing reason on an unvalidated mark:
			// N keeps the absence visible until a reason is given.
			return "N"
		}
	}
	return ""
}

// codeMeanings describes codes apnet produces or counts, after reg. 10.
var codeMeanings = map[string]string{
	"/": "Present (AM)",
	`\`: "Present (PM)",
	"L": "Late, arrived before the register closed (present)",
	"K": "Attending education provision arranged by the local authority",
	"V": "Attending an educational visit or trip",
	"P": "Participating in an approved sporting activity",
	"W": "Attending work experience",
	"B": "Attending any other approved educational activity",
	"I": "Absent – illness (authorised)",
	"M": "Absent – medical or dental appointment (authorised)",
	"C": "Authorised absence – leave of absence for exceptional circumstances",
	"N": "Absent – reason not yet provided (unauthorised)",
	"O": "Absent in other or unknown circumstances (unauthorised)",
	"U": "Arrived after the register closed (unauthorised absence)",
}

// CodeMeaning returns a description of an attendance code, or "" for a code
// apnet does not use.
func CodeMeaning(code string) string { return codeMeanings[code] }

// CountsAsAttendance reports whether code records the pupil as attending:
// present (/, \, L) or at an approved place other than the school (K, V, P,
// W, B).
func CountsAsAttendance(code string) bool {
	switch code {
	case "/", `\`, "L", "K", "V", "P", "W", "B":
		return true
	}
	return false
}

// IsPossibleSession reports whether code counts towards the pupil's possible
// sessions. "" (no provider mark) and the not-a-possible-session codes D, Q,
// X, Y1–Y7, Z and # do not.
func IsPossibleSession(code string) bool {
	switch code {
	case "", "D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#":
		return false
	}
	return true
}

// AlertKind is a concern the designated school staff must follow up at once.
type AlertKind string

const (
	// UnexplainedAbsence: absent with no reason yet; triggers the school's
	// first-day contact.
	UnexplainedAbsence AlertKind = "UNEXPLAINED_ABSENCE"
	// UnauthorisedAbsence: absent without authorisation, or arrived after
	// the register closed (code U).
	UnauthorisedAbsence AlertKind = "UNAUTHORISED_ABSENCE"
	// LateArrival: late by more than the school's threshold but before the
	// register closed.
	LateArrival AlertKind = "LATE_ARRIVAL"
	// ProviderSuspended: the QA Management Group suspended the provider the
	// learner is placed with; no mark raises it.
	ProviderSuspended AlertKind = "PROVIDER_SUSPENDED"
)

// Values returns every AlertKind; ent uses it for the enum column.
func (AlertKind) Values() []string {
	return []string{string(UnexplainedAbsence), string(UnauthorisedAbsence), string(LateArrival), string(ProviderSuspended)}
}

// AlertFor returns the alert a mark raises, if any; at most one. code is
// Code's result for the mark. A late arrival alerts only when strictly more
// than lateThresholdMinutes late (a negative threshold counts as 0).
func AlertFor(m Mark, code string, lateThresholdMinutes int) (AlertKind, bool) {
	if code == "U" {
		// Arriving after the register closed is an unauthorised absence,
		// which outranks lateness.
		return UnauthorisedAbsence, true
	}
	switch m.Status {
	case Absent:
		switch m.Reason {
		case NoReasonYet, "":
			return UnexplainedAbsence, true
		case Unauthorised:
			return UnauthorisedAbsence, true
		}
	case Late:
		if m.MinutesLate > max(lateThresholdMinutes, 0) {
			return LateArrival, true
		}
	}
	return "", false
}

// Absence bands, by share of the pupil's own possible sessions missed.
const (
	Persistent = "PERSISTENT" // 10% or more
	Severe     = "SEVERE"     // 50% or more
)

// AbsenceBand classifies missed out of possible sessions: Severe at 50% or
// more, Persistent at 10% or more, otherwise "". Integer arithmetic keeps
// the boundaries exact.
func AbsenceBand(possible, missed int) string {
	if possible <= 0 || missed <= 0 {
		return ""
	}
	switch {
	case missed*2 >= possible:
		return Severe
	case missed*10 >= possible:
		return Persistent
	}
	return ""
}
