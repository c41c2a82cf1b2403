package demo

import (
	"fmt"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/learner"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/internal/outcome"
	svc "github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/referral/form"
)

// The referral process in the demo: a referral in every state (the
// learners not yet placed, and some of those placed), the Safeguarding and
// Quality Agreements behind every placement (ACTIVE this year, EXPIRED last
// year, plus a draft, a half-signed and a revoked one), outcomes for last
// year's completed placements, and progress updates computed from the marks.

// rowIDs are the ids write created, by plan index.
type rowIDs struct {
	schools, providers, courses, learners []int
}

// referralPaths are the states each demo referral went through, by final state.
var referralPaths = map[referral.Status][]referral.Status{
	referral.StatusDRAFT:          {referral.StatusDRAFT},
	referral.StatusSUBMITTED:      {referral.StatusDRAFT, referral.StatusSUBMITTED},
	referral.StatusRETURNED:       {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusRETURNED},
	referral.StatusCHECKED:        {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusRETURNED, referral.StatusSUBMITTED, referral.StatusCHECKED},
	referral.StatusFORWARDED:      {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusFORWARDED},
	referral.StatusACCEPTED:       {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusFORWARDED, referral.StatusACCEPTED},
	referral.StatusDECLINED:       {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusFORWARDED, referral.StatusDECLINED},
	referral.StatusPRE_VISIT_HELD: {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusPRE_VISIT_HELD},
	referral.StatusWITHDRAWN:      {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusWITHDRAWN},
	referral.StatusPLACED:         {referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusCHECKED, referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusPRE_VISIT_HELD, referral.StatusPLACED},
}

// unplacedStates cycle over the learners referred but not yet placed.
var unplacedStates = []referral.Status{
	referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusRETURNED, referral.StatusCHECKED,
	referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusDECLINED, referral.StatusPRE_VISIT_HELD,
	referral.StatusWITHDRAWN,
}

// roleOf says whose step reaching each state is.
func roleOf(s referral.Status) string {
	switch s {
	case referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusWITHDRAWN:
		return "SCHOOL_STAFF"
	case referral.StatusACCEPTED, referral.StatusDECLINED, referral.StatusPRE_VISIT_HELD:
		return "PROVIDER_STAFF"
	case referral.StatusPLACED:
		return "PARTNERSHIP_ADMIN"
	}
	return "QA_OFFICER"
}

var needs = []form.SENType{form.SEMH, form.SLCN, form.ASD, form.MLD, form.SPLD}

// demoForm fills every section of a referral form for learner l.
func demoForm(i int, l plannedLearner, vocationalArea string) form.Form {
	pct := func(v float64) *float64 { return &v }
	thisYear := 91.0
	switch l.profile {
	case oftenLate:
		thisYear = 86.5
	case persistentlyAbsent:
		thisYear = 71.0
	}
	f := form.Form{
		Education: form.Education{PriorAttainment: "KS2 expected standard in reading, below in maths",
			CurrentEnglish: fmt.Sprint(2 + i%3), CurrentMaths: "working at grade " + fmt.Sprint(1+i%3),
			PredictedEnglish: fmt.Sprint(3 + i%3), PredictedMaths: fmt.Sprint(2 + i%3), PredictedOutcomes: "Level 1 or 2 vocational qualification"},
		Attendance: form.Attendance{ThisYearPercent: pct(thisYear), LastYearPercent: pct(thisYear + 3), SessionsMissed: new(int)},
		Exclusions: []form.Exclusion{},
		SEND:       form.SEND{Provision: form.SENProvision(l.sen)},
		Social: form.Social{LookedAfter: i%11 == 0, ChildInNeed: i%5 == 0, ChildProtectionPlan: i%13 == 0,
			YoungCarer: i%9 == 0, FreeSchoolMeals: i%2 == 0, Disadvantaged: i%2 == 0},
		Agencies:               []form.Agency{},
		Reason:                 "Disengaged from the full-time curriculum; responds well to practical, adult-led learning.",
		AtRisk:                 []form.RiskIndicator{},
		QualificationsRequired: "A Level 1 vocational qualification; functional skills English and maths",
		InterestsAspirations:   "Wants to train for a job in " + vocationalArea,
		Preference:             form.Preference{VocationalArea: vocationalArea, DaysPerWeek: ptrTo(2)},
	}
	*f.Attendance.SessionsMissed = int((100 - thisYear) * 1.9)
	if l.sen != learner.SenStatusNONE {
		n := needs[i%len(needs)]
		f.SEND.PrimaryNeed = &n
		if l.sen == learner.SenStatusSEN_SUPPORT && i%4 == 0 {
			nsa := form.NSA
			f.SEND.PrimaryNeed = &nsa
		}
	}
	if i%3 == 0 {
		f.Exclusions = append(f.Exclusions, form.Exclusion{Kind: form.Suspension, Days: 2, Reason: "persistent disruptive behaviour"})
	}
	if f.Social.ChildInNeed || f.Social.LookedAfter {
		f.Agencies = append(f.Agencies, form.Agency{Kind: form.SocialCare, ContactName: "Duty social worker",
			ContactRole: "Social worker", Phone: "0115 876 4800"})
	}
	if i%7 == 0 {
		f.Agencies = append(f.Agencies, form.Agency{Kind: form.CAMHS, ContactName: "CAMHS duty team", ContactRole: "Clinician"})
		f.AtRisk = append(f.AtRisk, form.SubstanceMisuse)
	}
	if l.profile == persistentlyAbsent {
		f.AtRisk = append(f.AtRisk, form.RiskOfNEET)
	}
	return f
}

func ptrTo[T any](v T) *T { return &v }

type plannedAgreement struct {
	school, provider int
	year             string
	status           agreement.Status
}

type plannedReferral struct {
	learner, course int // course -1 before forwarding
	final           referral.Status
	form            form.Form
	start           time.Time // the steps end a few days before this
}

type plannedProgress struct {
	placement  int
	start, end time.Time
	attendance svc.Attendance
}

// planProcess plans the agreements, referrals and progress updates.
func (p *plan) planProcess() {
	this := svc.AcademicYearOf(p.today)
	seen := map[plannedAgreement]bool{}
	add := func(a plannedAgreement) {
		k := a
		k.status = ""
		if !seen[k] {
			seen[k] = true
			p.agreements = append(p.agreements, a)
		}
	}
	for _, pl := range p.placements {
		a := plannedAgreement{p.learners[pl.learner].school, p.courses[pl.course].provider, svc.AcademicYearOf(pl.start), agreement.StatusACTIVE}
		if a.year != this {
			a.status = agreement.StatusEXPIRED
		}
		add(a)
	}
	// One of each other state, between schools and providers with no placement this year.
	extra := []agreement.Status{agreement.StatusDRAFT, agreement.StatusSIGNED_BY_ONE, agreement.StatusREVOKED}
	for school := range p.ref.Schools {
		for pr := range p.ref.Providers {
			if len(extra) == 0 {
				break
			}
			if !seen[plannedAgreement{school, pr, this, ""}] {
				add(plannedAgreement{school, pr, this, extra[0]})
				extra = extra[1:]
				break
			}
		}
	}

	approved := func(s provider.ApprovalStatus) bool { return s == provider.ApprovalStatusAPPROVED }
	refer := func(li, ci int, final referral.Status, start time.Time) int {
		area := "Construction"
		if ci >= 0 {
			area = p.ref.Qualifications[p.courses[ci].qualification].SectorSubjectArea
		}
		f := demoForm(len(p.referrals), p.learners[li], area)
		for i := range f.Exclusions {
			f.Exclusions[i].Date = start.AddDate(0, -3, 0)
		}
		p.referrals = append(p.referrals, plannedReferral{learner: li, course: ci, final: final, form: f, start: start})
		return len(p.referrals) - 1
	}
	// Learners referred but not yet placed: one state each, in turn.
	for li, l := range p.learners {
		if l.current >= 0 {
			continue
		}
		final := unplacedStates[len(p.referrals)%len(unplacedStates)]
		ci := -1
		if final == referral.StatusFORWARDED || final == referral.StatusACCEPTED ||
			final == referral.StatusDECLINED || final == referral.StatusPRE_VISIT_HELD {
			if ci = p.pickCourse(l, approved, -1); ci < 0 {
				final = referral.StatusCHECKED
			}
		}
		refer(li, ci, final, p.today)
	}
	// Every sixth placement this year came through a referral on apnet.
	p.referralOf = map[int]int{}
	for pi, pl := range p.placements {
		if pi%6 == 0 && svc.AcademicYearOf(pl.start) == this {
			p.referralOf[pi] = refer(pl.learner, pl.course, referral.StatusPLACED, pl.start)
		}
	}

	// A progress update on every third active placement, over the last four weeks' marks.
	from := p.today.AddDate(0, 0, -28)
	byPlacement := map[int][]*ent.AttendanceMark{}
	for _, m := range p.marks {
		if !m.date.Before(from) {
			byPlacement[m.placement] = append(byPlacement[m.placement], &ent.AttendanceMark{Code: m.code, Status: m.mark.Status})
		}
	}
	for pi, pl := range p.placements {
		if pl.status != placement.StatusACTIVE || pi%3 != 0 || len(byPlacement[pi]) == 0 {
			continue
		}
		start := from
		if pl.start.After(start) {
			start = pl.start
		}
		p.progress = append(p.progress, plannedProgress{placement: pi, start: start, end: p.today.AddDate(0, 0, -1),
			attendance: svc.AttendanceFrom(byPlacement[pi])})
	}
}

// referralIDOf is the referral a placement was made from, if any.
func (p *plan) referralIDOf(pi int, referralIDs []int) *int {
	if ri, ok := p.referralOf[pi]; ok {
		return &referralIDs[ri]
	}
	return nil
}

// withOutcome sets how a completed placement ended: the qualification
// entered and its result, and the destination.
func withOutcome(c *ent.PlacementCreate, i int, pl plannedPlacement) {
	if pl.status != placement.StatusCOMPLETED {
		return
	}
	destinations := []outcome.Destination{outcome.FurtherEducation, outcome.Apprenticeship, outcome.FurtherEducation,
		outcome.Training, outcome.Employment, outcome.NEET, outcome.Unknown}
	grades := []string{"Pass", "Merit", "Distinction"}
	entered := i%6 != 5
	c.SetEndedOn(pl.end).SetQualificationEntered(entered).SetDestination(destinations[i%len(destinations)])
	if entered {
		achieved := i%4 != 3
		c.SetQualificationAchieved(achieved)
		if achieved {
			c.SetQualificationGrade(grades[i%len(grades)])
		}
	}
}

func (p *plan) agreementCreate(tx *ent.Tx, a plannedAgreement, ids rowIDs) *ent.AgreementCreate {
	start, end, _ := svc.AcademicYear(a.year)
	signed := start.AddDate(0, 0, -14)
	c := tx.Agreement.Create().SetSchoolID(ids.schools[a.school]).SetProviderID(ids.providers[a.provider]).
		SetAcademicYear(a.year).SetStartsOn(start).SetEndsOn(end).SetTermsVersion(fmt.Sprintf("%d.1", start.Year())).
		SetStatus(a.status)
	if a.status != agreement.StatusDRAFT {
		c.SetSchoolSignatoryName("Designated safeguarding lead").SetSchoolSignatoryRole("Assistant headteacher").SetSchoolSignedAt(signed)
	}
	if a.status == agreement.StatusACTIVE || a.status == agreement.StatusEXPIRED || a.status == agreement.StatusREVOKED {
		c.SetProviderSignatoryName("Centre manager").SetProviderSignatoryRole("Manager").SetProviderSignedAt(signed.AddDate(0, 0, 3))
	}
	if a.status == agreement.StatusREVOKED {
		c.SetRevokedAt(p.today.AddDate(0, 0, -20)).SetRevokedReason("the provider's approval was suspended")
	}
	return c
}

// firstStep is when a referral's first step was taken: steps are three days
// apart and end two days before its start.
func (r plannedReferral) firstStep() time.Time {
	return r.start.AddDate(0, 0, -3*len(referralPaths[r.final])-2)
}

func (p *plan) referralCreate(tx *ent.Tx, i int, ids rowIDs) *ent.ReferralCreate {
	r := p.referrals[i]
	l := p.learners[r.learner]
	f := r.form
	path := referralPaths[r.final]
	at := r.firstStep()
	c := tx.Referral.Create().SetLearnerID(ids.learners[r.learner]).SetSchoolID(ids.schools[l.school]).
		SetStatus(r.final).SetCreatedAt(at).SetUpdatedAt(at.AddDate(0, 0, 3*(len(path)-1))).
		SetEducation(f.Education).SetAttendance(f.Attendance).SetExclusions(f.Exclusions).SetSend(f.SEND).
		SetSocial(f.Social).SetAgencies(f.Agencies).SetReason(f.Reason).SetAtRisk(f.AtRisk).
		SetQualificationsRequired(f.QualificationsRequired).SetInterestsAspirations(f.InterestsAspirations).
		SetPreference(f.Preference).SetVersion(len(path))
	if r.final != referral.StatusDRAFT {
		submitted := at.AddDate(0, 0, 3)
		c.SetSubmittedAt(submitted).SetLearnerSnapshot(&form.LearnerSnapshot{
			UPN: l.upn, FirstName: l.first, LastName: l.last, DateOfBirth: l.dob, YearGroup: l.year,
			SchoolName: p.ref.Schools[l.school].Name, SchoolURN: p.ref.Schools[l.school].URN, TakenAt: submitted,
		})
	}
	if r.final == referral.StatusRETURNED {
		c.SetReturnReasons(returnReason)
	}
	if r.course >= 0 {
		c.SetCourseID(ids.courses[r.course]).SetProviderID(ids.providers[p.courses[r.course].provider])
	}
	if r.final == referral.StatusPRE_VISIT_HELD || r.final == referral.StatusPLACED {
		c.SetPreVisit(&form.PreVisit{Date: at.AddDate(0, 0, 3*(len(path)-2)), SchoolStaffAttended: true,
			ParentOrCarerAttended: i%3 != 0, LearnerAttended: true, NeedsIdentified: "prefers small groups; needs movement breaks",
			CourseRequirements: "boots and overalls provided; two days a week", RecordedBy: recorder})
	}
	return c
}

const returnReason = "Please add last year's attendance and the SEND support plan"

// transitionCreates are every referral's steps, in order.
func (p *plan) transitionCreates(tx *ent.Tx, referralIDs []int, ids rowIDs) []*ent.ReferralTransitionCreate {
	var out []*ent.ReferralTransitionCreate
	for i, r := range p.referrals {
		from := referral.Status("")
		for s, to := range referralPaths[r.final] {
			tc := tx.ReferralTransition.Create().SetReferralID(referralIDs[i]).SetFrom(string(from)).SetTo(string(to)).
				SetActor(recorder).SetActorRole(roleOf(to)).SetAt(r.firstStep().AddDate(0, 0, 3*s))
			switch to {
			case referral.StatusRETURNED:
				tc.SetReason(returnReason)
			case referral.StatusDECLINED:
				tc.SetReason("No places on the days the school asked for")
			case referral.StatusWITHDRAWN:
				tc.SetReason("The learner moved out of the area")
			}
			if r.course >= 0 && (to == referral.StatusFORWARDED || to == referral.StatusACCEPTED ||
				to == referral.StatusDECLINED || to == referral.StatusPLACED) {
				tc.SetProviderID(ids.providers[p.courses[r.course].provider])
			}
			out = append(out, tc)
			from = to
		}
	}
	return out
}

func (p *plan) progressCreate(tx *ent.Tx, u plannedProgress, placementIDs []int) *ent.ProgressUpdateCreate {
	ratings := []outcome.Rating{outcome.Good, outcome.Satisfactory, outcome.Excellent, outcome.Good, outcome.Concern}
	r := func(k int) outcome.Rating { return ratings[(u.placement+k)%len(ratings)] }
	a := u.attendance
	return tx.ProgressUpdate.Create().SetPlacementID(placementIDs[u.placement]).
		SetPeriodStart(u.start).SetPeriodEnd(u.end).
		SetAcademicRating(r(0)).SetAcademicNarrative("Working through the first units of the qualification; portfolio on track.").
		SetPersonalRating(r(1)).SetPersonalNarrative("Gets on well with staff; growing in confidence in the workshop.").
		SetEnglishRating(r(2)).SetEnglishNarrative("Writing up practical tasks in full sentences.").
		SetMathsRating(r(3)).SetMathsNarrative("Measuring and estimating materials accurately.").
		SetSessionsPossible(a.Possible).SetSessionsAttended(a.Attended).SetSessionsLate(a.Late).
		SetNillableAttendancePercent(a.Percent).SetNillablePunctualityPercent(a.Punctuality).
		SetPostedBy(recorder).SetPostedAt(p.today.Add(-8 * time.Hour))
}
