package referral

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/outcome"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// The ages the partnership's providers are approved for: learners aged 14
// to 16 on the placement's first day (DOMAIN.md, the partnership's process).
const (
	MinAge = 14
	MaxAge = 16
)

// NewPlacement is a placement to make from a referral.
type NewPlacement struct {
	ReferralID int
	Start, End time.Time
	Sessions   []timetable.Session
	LAArranged bool
}

// AgeOn is a person's age in whole years on day d.
func AgeOn(dob, d time.Time) int {
	age := d.Year() - dob.Year()
	if d.Month() < dob.Month() || d.Month() == dob.Month() && d.Day() < dob.Day() {
		age--
	}
	return age
}

// CreatePlacement places the learner of an ACCEPTED referral whose pre-visit
// is held (state PRE_VISIT_HELD) on the course it was forwarded for. It is
// refused, naming everything missing, unless the provider's approval is
// current, an ACTIVE SQA between the learner's school and the provider
// covers the dates, the learner is 14–16 on the first day and the course has
// a place free. The place check runs under a lock on the course row (an
// update, which PostgreSQL and SQLite both serialise), so concurrent
// requests cannot overbook.
func (s *Service) CreatePlacement(ctx context.Context, in NewPlacement) (*ent.Placement, error) {
	in.Start, in.End = timetable.Day(in.Start), timetable.Day(in.End)
	if in.End.Before(in.Start) {
		return nil, apierr.Invalid("endDate", "the placement ends (%s) before it starts (%s)", in.End.Format(time.DateOnly), in.Start.Format(time.DateOnly))
	}
	if len(in.Sessions) == 0 {
		return nil, apierr.Invalid("sessions", "a placement needs its weekly timetable")
	}
	if err := timetable.ValidateAll(in.Sessions); err != nil {
		return nil, err
	}
	var p *ent.Placement
	var tr *ent.ReferralTransition
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		r, err := tx.Referral.Query().Where(referral.ID(in.ReferralID)).
			WithLearner().WithSchool().WithCourse(func(q *ent.CourseQuery) { q.WithProvider() }).Only(ctx)
		if ent.IsNotFound(err) {
			return apierr.New(apierr.NotFound, "referral %d not found", in.ReferralID)
		}
		if err != nil {
			return err
		}
		u, err := s.step(ctx, tx, r, Place)
		if err != nil {
			if r.Status == referral.StatusACCEPTED {
				return apierr.New(apierr.Conflict, "referral %d is ACCEPTED but no pre-visit is recorded; record the pre-visit first", r.ID)
			}
			return err
		}
		c := r.Edges.Course
		if c == nil {
			return apierr.New(apierr.Conflict, "referral %d names no course", r.ID)
		}
		sys := viewer.SystemContext(ctx)
		// Lock the course row for the rest of the transaction: a concurrent
		// placement on it waits here, then counts this one's place.
		if err := tx.Course.Update().Where(course.ID(c.ID)).AddPlaces(0).Exec(sys); err != nil {
			return err
		}
		if err := s.placeable(sys, tx, r, c, in); err != nil {
			return err
		}
		p, err = tx.Placement.Create().SetLearnerID(r.Edges.Learner.ID).SetCourseID(c.ID).SetReferralID(r.ID).
			SetStartDate(in.Start).SetEndDate(in.End).SetSessions(in.Sessions).SetLaArranged(in.LAArranged).
			SetStatus(placement.StatusPLANNED).Save(ctx)
		if err != nil {
			return err
		}
		if err := save(ctx, u, r); err != nil {
			return err
		}
		tr, err = s.transition(ctx, tx, r.ID, r.Status, referral.StatusPLACED, "", &c.Edges.Provider.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	_, _ = s.published(ctx, in.ReferralID, tr)
	return s.Client.Placement.Get(ctx, p.ID)
}

// placeable says everything that stops the placement, in one error.
func (s *Service) placeable(ctx context.Context, tx *ent.Tx, r *ent.Referral, c *ent.Course, in NewPlacement) error {
	var missing []string
	p := c.Edges.Provider
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	// Learners are placed only with approved providers (DOMAIN.md, process
	// 1): a suspended, lapsed or expired provider takes no new placements.
	switch {
	case p.ApprovalStatus != provider.ApprovalStatusAPPROVED:
		missing = append(missing, fmt.Sprintf("the provider's approval is not current (it is %s)", p.ApprovalStatus))
	case !access.IsCurrentlyApproved(p, s.now()) || p.ApprovedUntil.Before(in.Start):
		until := "no date"
		if p.ApprovedUntil != nil {
			until = day(*p.ApprovedUntil)
		}
		missing = append(missing, fmt.Sprintf("the provider's approval is not current (approved until %s)", until))
	}
	agreements, err := tx.Agreement.Query().Where(
		agreement.HasSchoolWith(school.ID(r.Edges.School.ID)), agreement.HasProviderWith(provider.ID(p.ID)),
		agreement.StatusEQ(agreement.StatusACTIVE)).All(ctx)
	if err != nil {
		return err
	}
	if gap, ok := uncovered(agreements, in.Start, in.End); ok {
		missing = append(missing, fmt.Sprintf("no ACTIVE Safeguarding and Quality Agreement between %s and %s covers %s",
			r.Edges.School.Name, p.Name, day(gap)))
	}
	l := r.Edges.Learner
	if age := AgeOn(l.DateOfBirth, in.Start); age < MinAge || age > MaxAge {
		missing = append(missing, fmt.Sprintf("the learner is %d on %s; providers are approved for learners aged %d to %d",
			age, day(in.Start), MinAge, MaxAge))
	}
	taken, err := tx.Placement.Query().Where(placement.HasCourseWith(course.ID(c.ID)),
		placement.StatusIn(placement.StatusPLANNED, placement.StatusACTIVE),
		placement.StartDateLTE(in.End), placement.EndDateGTE(in.Start)).Count(ctx)
	if err != nil {
		return err
	}
	if taken >= c.Places {
		missing = append(missing, fmt.Sprintf("the course has no place free (%d of %d taken)", taken, c.Places))
	}
	if len(missing) > 0 {
		return apierr.New(apierr.Conflict, "cannot place the learner: %s", strings.Join(missing, "; "))
	}
	return nil
}

// uncovered returns the first day of [start, end] that no agreement covers.
func uncovered(as []*ent.Agreement, start, end time.Time) (time.Time, bool) {
	sort.Slice(as, func(i, j int) bool { return as[i].StartsOn.Before(as[j].StartsOn) })
	d := start
	for _, a := range as {
		if a.StartsOn.After(d) {
			break
		}
		if !a.EndsOn.Before(d) {
			d = a.EndsOn.AddDate(0, 0, 1)
		}
		if d.After(end) {
			return time.Time{}, false
		}
	}
	return d, true
}

// StartPlacement marks a PLANNED placement ACTIVE.
func (s *Service) StartPlacement(ctx context.Context, id int) (*ent.Placement, error) {
	n, err := s.Client.Placement.Update().Where(placement.ID(id), placement.StatusEQ(placement.StatusPLANNED)).
		SetStatus(placement.StatusACTIVE).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		p, err := s.placementOf(ctx, id)
		if err != nil {
			return nil, err
		}
		return nil, apierr.New(apierr.Conflict, "placement %d is %s; only a PLANNED placement can start", id, p.Status)
	}
	return s.Client.Placement.Get(ctx, id)
}

func (s *Service) placementOf(ctx context.Context, id int) (*ent.Placement, error) {
	p, err := s.Client.Placement.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "placement %d not found", id)
	}
	return p, err
}

// Ending is how a placement ended and its outcome.
type Ending struct {
	PlacementID          int
	EndedEarly           bool
	Reason               string
	EndedOn              time.Time
	QualificationEntered bool
	Achieved             *bool
	Grade                string
	Destination          outcome.Destination
}

// EndPlacement records a placement's end: completed or ended early (with a
// reason), the qualification entered and its result, and the destination.
func (s *Service) EndPlacement(ctx context.Context, e Ending) (*ent.Placement, error) {
	e.Reason, e.Grade = strings.TrimSpace(e.Reason), strings.TrimSpace(e.Grade)
	switch {
	case e.EndedEarly && e.Reason == "":
		return nil, apierr.Invalid("reason", "say why the placement ended early")
	case len(e.Reason) > maxReason || len(e.Grade) > 50:
		return nil, apierr.Invalid("reason", "the reason may be at most %d characters and the grade 50", maxReason)
	case e.QualificationEntered && e.Achieved == nil:
		return nil, apierr.Invalid("qualificationAchieved", "say whether the qualification entered was achieved")
	case !e.QualificationEntered && (e.Achieved != nil || e.Grade != ""):
		return nil, apierr.Invalid("qualificationEntered", "a result needs the qualification to have been entered")
	case e.Achieved != nil && !*e.Achieved && e.Grade != "":
		return nil, apierr.Invalid("qualificationGrade", "a grade is given only for a qualification achieved")
	case e.EndedOn.IsZero():
		return nil, apierr.Invalid("endedOn", "give the day the placement ended")
	}
	if err := e.Destination.UnmarshalGQL(string(e.Destination)); err != nil {
		return nil, err
	}
	p, err := s.placementOf(ctx, e.PlacementID)
	if err != nil {
		return nil, err
	}
	if p.Status != placement.StatusACTIVE {
		return nil, apierr.New(apierr.Conflict, "placement %d is %s; only an ACTIVE placement can end", p.ID, p.Status)
	}
	if d := timetable.Day(e.EndedOn); d.Before(timetable.Day(p.StartDate)) || d.After(timetable.Day(s.now())) {
		return nil, apierr.Invalid("endedOn", "a placement ends between its start (%s) and today", p.StartDate.Format(time.DateOnly))
	}
	status := placement.StatusCOMPLETED
	u := s.Client.Placement.Update().Where(placement.ID(p.ID), placement.StatusEQ(placement.StatusACTIVE)).
		SetEndedOn(timetable.Day(e.EndedOn)).SetQualificationEntered(e.QualificationEntered).
		SetNillableQualificationAchieved(e.Achieved).SetDestination(e.Destination)
	if e.EndedEarly {
		status = placement.StatusENDED_EARLY
		u.SetEndedReason(e.Reason)
	}
	if e.Grade != "" {
		u.SetQualificationGrade(e.Grade)
	}
	n, err := u.SetStatus(status).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apierr.New(apierr.Conflict, "placement %d was changed by someone else meanwhile; reload it", p.ID)
	}
	return s.Client.Placement.Get(ctx, p.ID)
}

// Progress is a provider's progress update; attendance comes from the marks.
type Progress struct {
	PlacementID                      int
	PeriodStart, PeriodEnd           time.Time
	Academic, Personal               outcome.Rating
	AcademicNarrative                string
	PersonalNarrative                string
	English, Maths                   outcome.Rating
	EnglishNarrative, MathsNarrative string
}

// Attendance is attendance and punctuality over a period, from the marks.
type Attendance struct {
	Possible, Attended, Late int
	// Percent is attended of possible; Punctuality is attended on time of
	// attended. Nil when there is nothing to divide by.
	Percent, Punctuality *float64
}

// AttendanceFrom counts marks by their reg. 10 codes: possible sessions
// exclude the not-a-possible-session codes; attendance counts present, late
// before the register closed and approved off-site codes; a late arrival is
// a LATE mark that still counts as attendance.
func AttendanceFrom(marks []*ent.AttendanceMark) Attendance {
	var a Attendance
	for _, m := range marks {
		if !register.IsPossibleSession(m.Code) {
			continue
		}
		a.Possible++
		if register.CountsAsAttendance(m.Code) {
			a.Attended++
			if m.Status == register.Late {
				a.Late++
			}
		}
	}
	pct := func(n, d int) *float64 {
		if d == 0 {
			return nil
		}
		v := float64(int(float64(n)*1000/float64(d)+0.5)) / 10
		return &v
	}
	a.Percent, a.Punctuality = pct(a.Attended, a.Possible), pct(a.Attended-a.Late, a.Attended)
	return a
}

// PostProgress saves a progress update and tells the learner's school live.
func (s *Service) PostProgress(ctx context.Context, in Progress) (*ent.ProgressUpdate, error) {
	in.PeriodStart, in.PeriodEnd = timetable.Day(in.PeriodStart), timetable.Day(in.PeriodEnd)
	switch {
	case in.PeriodEnd.Before(in.PeriodStart):
		return nil, apierr.Invalid("periodEnd", "the period ends before it starts")
	case in.PeriodEnd.After(timetable.Day(s.now())):
		return nil, apierr.Invalid("periodEnd", "the period ends in the future; report on what has happened")
	case strings.TrimSpace(in.AcademicNarrative) == "" || strings.TrimSpace(in.PersonalNarrative) == "":
		return nil, apierr.Invalid("academicNarrative", "academic and personal progress each need a narrative")
	}
	for _, t := range []string{in.AcademicNarrative, in.PersonalNarrative, in.EnglishNarrative, in.MathsNarrative} {
		if len(t) > 4000 {
			return nil, apierr.Invalid("academicNarrative", "a narrative may be at most 4000 characters")
		}
	}
	for _, r := range []*outcome.Rating{&in.Academic, &in.Personal, &in.English, &in.Maths} {
		if err := r.UnmarshalGQL(string(*r)); err != nil {
			return nil, err
		}
	}
	p, err := s.Client.Placement.Query().Where(placement.ID(in.PlacementID)).
		WithLearner(func(q *ent.LearnerQuery) { q.WithSchool() }).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "placement %d not found", in.PlacementID)
	}
	if err != nil {
		return nil, err
	}
	if p.Status == placement.StatusPLANNED {
		return nil, apierr.New(apierr.Conflict, "placement %d has not started; progress is reported once it is ACTIVE", p.ID)
	}
	marks, err := s.Client.AttendanceMark.Query().Where(attendancemark.PlacementID(p.ID),
		attendancemark.DateGTE(in.PeriodStart), attendancemark.DateLTE(in.PeriodEnd)).All(ctx)
	if err != nil {
		return nil, err
	}
	a := AttendanceFrom(marks)
	u, err := s.Client.ProgressUpdate.Create().SetPlacementID(p.ID).
		SetPeriodStart(in.PeriodStart).SetPeriodEnd(in.PeriodEnd).
		SetAcademicRating(in.Academic).SetAcademicNarrative(strings.TrimSpace(in.AcademicNarrative)).
		SetPersonalRating(in.Personal).SetPersonalNarrative(strings.TrimSpace(in.PersonalNarrative)).
		SetEnglishRating(in.English).SetEnglishNarrative(strings.TrimSpace(in.EnglishNarrative)).
		SetMathsRating(in.Maths).SetMathsNarrative(strings.TrimSpace(in.MathsNarrative)).
		SetSessionsPossible(a.Possible).SetSessionsAttended(a.Attended).SetSessionsLate(a.Late).
		SetNillableAttendancePercent(a.Percent).SetNillablePunctualityPercent(a.Punctuality).
		SetPostedBy(viewer.FromContext(ctx).Actor()).SetPostedAt(s.now()).Save(ctx)
	if err != nil {
		return nil, err
	}
	if s.Publisher != nil {
		s.Publisher.ProgressPosted(ctx, u, p.Edges.Learner.Edges.School.ID)
	}
	return u, nil
}
