// Package form holds the sections of the partnership's referral form as
// typed values: stored as JSON on a Referral, and bound directly to the
// GraphQL object and input types. It has no dependency on ent, so the ent
// schema can use its types.
package form

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/apnet/apnet/internal/apierr"
)

// Limits on free text, so a form cannot carry unbounded payloads.
const (
	maxShort = 200
	maxLong  = 4000
	maxList  = 50
)

// Education is the education profile: attainment and progress. Grades are
// GCSE grades (9–1) or working-at levels, written as the school records them.
type Education struct {
	PriorAttainment   string `json:"priorAttainment"`
	CurrentEnglish    string `json:"currentEnglish"`
	CurrentMaths      string `json:"currentMaths"`
	PredictedEnglish  string `json:"predictedEnglish"`
	PredictedMaths    string `json:"predictedMaths"`
	PredictedOutcomes string `json:"predictedOutcomes"`
}

// Attendance is the learner's school attendance, in percent of possible sessions.
type Attendance struct {
	ThisYearPercent *float64 `json:"thisYearPercent,omitempty"`
	LastYearPercent *float64 `json:"lastYearPercent,omitempty"`
	SessionsMissed  *int     `json:"sessionsMissed,omitempty"`
}

// Exclusion is one suspension or permanent exclusion.
type Exclusion struct {
	Kind   ExclusionKind `json:"kind"`
	Date   time.Time     `json:"date"`
	Days   float64       `json:"days"`
	Reason string        `json:"reason"`
}

// SEND is the SEND profile.
type SEND struct {
	Provision     SENProvision `json:"provision"`
	PrimaryNeed   *SENType     `json:"primaryNeed,omitempty"`
	SecondaryNeed *SENType     `json:"secondaryNeed,omitempty"`
	Notes         string       `json:"notes"`
}

// Social is the social profile.
type Social struct {
	LookedAfter         bool `json:"lookedAfter"`
	ChildInNeed         bool `json:"childInNeed"`
	ChildProtectionPlan bool `json:"childProtectionPlan"`
	YoungCarer          bool `json:"youngCarer"`
	FreeSchoolMeals     bool `json:"freeSchoolMeals"`
	Disadvantaged       bool `json:"disadvantaged"`
}

// Agency is an external agency involved, with its contact.
type Agency struct {
	Kind        AgencyKind `json:"kind"`
	ContactName string     `json:"contactName"`
	ContactRole string     `json:"contactRole"`
	Phone       string     `json:"phone"`
	Email       string     `json:"email"`
}

// Preference is what the school asks for: vocational area, course or
// provider, start date and days per week.
type Preference struct {
	VocationalArea string     `json:"vocationalArea"`
	CourseID       *int       `json:"courseID,omitempty"`
	ProviderID     *int       `json:"providerID,omitempty"`
	RequestedStart *time.Time `json:"requestedStart,omitempty"`
	DaysPerWeek    *int       `json:"daysPerWeek,omitempty"`
}

// LearnerSnapshot is the learner's details as they were when the form was submitted.
type LearnerSnapshot struct {
	UPN         string    `json:"upn"`
	FirstName   string    `json:"firstName"`
	LastName    string    `json:"lastName"`
	DateOfBirth time.Time `json:"dateOfBirth"`
	YearGroup   int       `json:"yearGroup"`
	SchoolName  string    `json:"schoolName"`
	SchoolURN   string    `json:"schoolURN"`
	TakenAt     time.Time `json:"takenAt"`
}

// PreVisit is the learner's visit to the provider before placement.
type PreVisit struct {
	Date                  time.Time `json:"date"`
	SchoolStaffAttended   bool      `json:"schoolStaffAttended"`
	ParentOrCarerAttended bool      `json:"parentOrCarerAttended"`
	LearnerAttended       bool      `json:"learnerAttended"`
	NeedsIdentified       string    `json:"needsIdentified"`
	CourseRequirements    string    `json:"courseRequirements"`
	RecordedBy            string    `json:"recordedBy"`
}

// Form is everything a school writes on a referral.
type Form struct {
	Education              Education
	Attendance             Attendance
	Exclusions             []Exclusion
	SEND                   SEND
	Social                 Social
	Agencies               []Agency
	Reason                 string
	AtRisk                 []RiskIndicator
	AtRiskNotes            string
	QualificationsRequired string
	InterestsAspirations   string
	Preference             Preference
}

func text(field, s string, max int) error {
	if len(s) > max {
		return apierr.Invalid(field, "%s may be at most %d characters", field, max)
	}
	return nil
}

// Validate checks every value given, whether or not the form is complete
// (a draft may leave sections empty). Errors name the field at fault.
func (f *Form) Validate() error {
	for field, s := range map[string]string{
		"education.priorAttainment": f.Education.PriorAttainment, "education.currentEnglish": f.Education.CurrentEnglish,
		"education.currentMaths": f.Education.CurrentMaths, "education.predictedEnglish": f.Education.PredictedEnglish,
		"education.predictedMaths": f.Education.PredictedMaths, "preference.vocationalArea": f.Preference.VocationalArea,
	} {
		if err := text(field, s, maxShort); err != nil {
			return err
		}
	}
	for field, s := range map[string]string{
		"education.predictedOutcomes": f.Education.PredictedOutcomes, "send.notes": f.SEND.Notes, "reason": f.Reason,
		"atRiskNotes": f.AtRiskNotes, "qualificationsRequired": f.QualificationsRequired,
		"interestsAspirations": f.InterestsAspirations,
	} {
		if err := text(field, s, maxLong); err != nil {
			return err
		}
	}
	for field, p := range map[string]*float64{"attendance.thisYearPercent": f.Attendance.ThisYearPercent, "attendance.lastYearPercent": f.Attendance.LastYearPercent} {
		if p != nil && (*p < 0 || *p > 100) {
			return apierr.Invalid(field, "a percentage must be between 0 and 100, not %g", *p)
		}
	}
	if p := f.Attendance.SessionsMissed; p != nil && *p < 0 {
		return apierr.Invalid("attendance.sessionsMissed", "sessions missed cannot be negative")
	}
	if len(f.Exclusions) > maxList || len(f.Agencies) > maxList {
		return apierr.Invalid("exclusions", "at most %d exclusions and %d agencies", maxList, maxList)
	}
	for i, e := range f.Exclusions {
		if err := e.validate(fmt.Sprintf("exclusions[%d]", i)); err != nil {
			return err
		}
	}
	if err := f.SEND.Validate(); err != nil {
		return err
	}
	for i, a := range f.Agencies {
		if err := a.validate(fmt.Sprintf("agencies[%d]", i)); err != nil {
			return err
		}
	}
	seen := map[RiskIndicator]bool{}
	for _, r := range f.AtRisk {
		if err := checkEnum(r, RiskIndicators, "atRisk"); err != nil {
			return err
		}
		if seen[r] {
			return apierr.Invalid("atRisk", "%s is listed twice", r)
		}
		seen[r] = true
	}
	if d := f.Preference.DaysPerWeek; d != nil && (*d < 1 || *d > 5) {
		return apierr.Invalid("preference.daysPerWeek", "days per week must be 1 to 5, not %d", *d)
	}
	return nil
}

// Complete says what a submitted form must have, beyond Validate.
func (f *Form) Complete() error {
	switch {
	case strings.TrimSpace(f.Reason) == "":
		return apierr.Invalid("reason", "the reason for referral is required to submit")
	case strings.TrimSpace(f.QualificationsRequired) == "":
		return apierr.Invalid("qualificationsRequired", "the qualifications required as an outcome are required to submit")
	case f.SEND.Provision == "":
		return apierr.Invalid("send.provision", "the SEND profile (NONE, SEN_SUPPORT or EHCP) is required to submit")
	}
	return nil
}

func (e Exclusion) validate(at string) error {
	if err := checkEnum(e.Kind, ExclusionKinds, at+".kind"); err != nil {
		return err
	}
	if e.Date.IsZero() {
		return apierr.Invalid(at+".date", "an exclusion needs its date")
	}
	if e.Days < 0 || e.Days > 45 && e.Kind == Suspension {
		// Suspensions total at most 45 school days a year (DfE exclusion guidance).
		return apierr.Invalid(at+".days", "a suspension lasts 0 to 45 school days, not %g", e.Days)
	}
	return text(at+".reason", e.Reason, maxLong)
}

// Validate checks the SEND profile against the DfE census rules: a need is
// recorded only with SEN support or an EHC plan, the primary need comes
// first, the secondary differs from it, and NSA (no specialist assessment)
// is a SEN support code only.
func (s SEND) Validate() error {
	if s.Provision == "" {
		if s.PrimaryNeed != nil || s.SecondaryNeed != nil {
			return apierr.Invalid("send.provision", "give the SEN provision with the needs")
		}
		return nil
	}
	if err := checkEnum(s.Provision, SENProvisions, "send.provision"); err != nil {
		return err
	}
	for field, n := range map[string]*SENType{"send.primaryNeed": s.PrimaryNeed, "send.secondaryNeed": s.SecondaryNeed} {
		if n == nil {
			continue
		}
		if err := checkEnum(*n, SENTypes, field); err != nil {
			return err
		}
		if *n == NSA && s.Provision != SENSupport {
			return apierr.Invalid(field, "NSA (no specialist assessment) is used only with SEN support")
		}
	}
	switch {
	case s.Provision == NoSEN && (s.PrimaryNeed != nil || s.SecondaryNeed != nil):
		return apierr.Invalid("send.primaryNeed", "a learner with no SEN provision has no type of need")
	case s.Provision != NoSEN && s.PrimaryNeed == nil:
		return apierr.Invalid("send.primaryNeed", "%s needs a primary type of need (a DfE SEN type code)", s.Provision)
	case s.SecondaryNeed != nil && *s.SecondaryNeed == *s.PrimaryNeed:
		return apierr.Invalid("send.secondaryNeed", "the secondary need must differ from the primary need")
	}
	return nil
}

func (a Agency) validate(at string) error {
	if err := checkEnum(a.Kind, AgencyKinds, at+".kind"); err != nil {
		return err
	}
	if strings.TrimSpace(a.ContactName) == "" {
		return apierr.Invalid(at+".contactName", "each agency needs a contact name")
	}
	for field, s := range map[string]string{".contactName": a.ContactName, ".contactRole": a.ContactRole, ".phone": a.Phone, ".email": a.Email} {
		if err := text(at+field, s, maxShort); err != nil {
			return err
		}
	}
	if a.Email != "" {
		if _, err := mail.ParseAddress(a.Email); err != nil {
			return apierr.Invalid(at+".email", "%q is not an email address", a.Email)
		}
	}
	return nil
}
