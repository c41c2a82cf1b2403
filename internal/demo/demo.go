// Package demo fills an empty apnet database with realistic demonstration
// data: the partnership's twelve real Nottingham City secondary schools,
// real awarding bodies and qualifications, fictional providers and courses,
// and fictional learners with placements and half a term of attendance,
// alerts included.
//
// Everything is generated from a fixed seed and the date, so the same day
// gives the same data. Nothing here logs or returns personal details.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/register"
)

// ErrNotEmpty is returned, with nothing written, when the database already
// has schools: the demo must never mix with, or duplicate, real data.
var ErrNotEmpty = errors.New("demo: the database already has data")

// Summary counts the rows Seed created.
type Summary struct {
	Postcodes           int
	Schools             int
	AwardingBodies      int
	Qualifications      int
	Providers           int
	Courses             int
	Learners            int
	Placements          int
	AttendanceMarks     int
	AttendanceRevisions int
	Alerts              int
	Agreements          int
	Referrals           int
	ReferralTransitions int
	ProgressUpdates     int
}

// batchSize rows per INSERT keeps the widest table (11 columns) far below
// SQLite's 32,766 and PostgreSQL's 65,535 bind parameters per statement.
const batchSize = 1000

// Seed fills an empty database with demo data in one transaction, dated
// relative to now (attendance runs to the day before now's UK date).
func Seed(ctx context.Context, client *ent.Client, now time.Time) (Summary, error) {
	p, err := newPlan(Reference(), now)
	if err != nil {
		return Summary{}, err
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: begin: %w", err)
	}
	// Checked inside the transaction so that two seeds cannot both see an
	// empty database (on PostgreSQL the loser fails on unique URNs).
	exists, err := tx.School.Query().Exist(ctx)
	if err == nil && exists {
		err = ErrNotEmpty
	}
	var sum Summary
	if err == nil {
		sum, err = p.write(ctx, tx)
	}
	if err != nil {
		_ = tx.Rollback()
		return Summary{}, err
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("demo: commit: %w", err)
	}
	return sum, nil
}

// insert creates n rows in batches and returns their ids in order.
func insert[B any, R any](ctx context.Context, what string, n int,
	build func(i int) B, save func(context.Context, []B) ([]R, error), id func(R) int) ([]int, error) {
	ids := make([]int, 0, n)
	for lo := 0; lo < n; lo += batchSize {
		bs := make([]B, 0, min(batchSize, n-lo))
		for i := lo; i < min(lo+batchSize, n); i++ {
			bs = append(bs, build(i))
		}
		rows, err := save(ctx, bs)
		if err != nil {
			return nil, fmt.Errorf("demo: insert %s: %w", what, err)
		}
		for _, r := range rows {
			ids = append(ids, id(r))
		}
	}
	return ids, nil
}

func (p *plan) write(ctx context.Context, tx *ent.Tx) (Summary, error) {
	var sum Summary
	ref := p.ref

	ids, err := insert(ctx, "postcodes", len(ref.Postcodes), func(i int) *ent.PostcodeCreate {
		pc := ref.Postcodes[i]
		return tx.Postcode.Create().SetPostcode(pc.Postcode).SetOutward(ident.PostcodeOutward(pc.Postcode)).
			SetEasting(pc.Easting).SetNorthing(pc.Northing)
	}, func(ctx context.Context, bs []*ent.PostcodeCreate) ([]*ent.Postcode, error) {
		return tx.Postcode.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Postcode) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Postcodes = len(ids)

	schoolIDs, err := insert(ctx, "schools", len(ref.Schools), func(i int) *ent.SchoolCreate {
		s := ref.Schools[i]
		return tx.School.Create().SetUrn(s.URN).SetName(s.Name).SetAddress(s.Address).
			SetPostcode(s.Postcode).SetPhone(s.Phone).SetLateAlertMinutes(lateAlertMinutes)
	}, func(ctx context.Context, bs []*ent.SchoolCreate) ([]*ent.School, error) {
		return tx.School.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.School) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Schools = len(schoolIDs)

	bodyIDs, err := insert(ctx, "awarding bodies", len(ref.AwardingBodies), func(i int) *ent.AwardingBodyCreate {
		b := ref.AwardingBodies[i]
		return tx.AwardingBody.Create().SetName(b.Name).SetAcronym(b.Acronym).SetRecognitionNumber(b.RecognitionNumber)
	}, func(ctx context.Context, bs []*ent.AwardingBodyCreate) ([]*ent.AwardingBody, error) {
		return tx.AwardingBody.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.AwardingBody) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.AwardingBodies = len(bodyIDs)

	qualIDs, err := insert(ctx, "qualifications", len(ref.Qualifications), func(i int) *ent.QualificationCreate {
		q := ref.Qualifications[i]
		return tx.Qualification.Create().SetNumber(q.Number).SetTitle(q.Title).SetLevel(q.Level).
			SetType(q.Type).SetSectorSubjectArea(q.SectorSubjectArea).SetGuidedLearningHours(q.GuidedLearningHours).
			SetAwardingBodyID(bodyIDs[p.bodyIndex[q.AwardingBody]])
	}, func(ctx context.Context, bs []*ent.QualificationCreate) ([]*ent.Qualification, error) {
		return tx.Qualification.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Qualification) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Qualifications = len(qualIDs)

	providerIDs, err := insert(ctx, "providers", len(ref.Providers), func(i int) *ent.ProviderCreate {
		pr := ref.Providers[i]
		return tx.Provider.Create().SetName(pr.Name).SetDescription(pr.Description).SetContactName(pr.ContactName).
			SetEmail(pr.Email).SetPhone(pr.Phone).SetWebsite(pr.Website).SetAddress(pr.Address).
			SetPostcode(pr.Postcode).SetApprovalStatus(pr.Status).SetNillableApprovedUntil(p.approvedUntil[i])
	}, func(ctx context.Context, bs []*ent.ProviderCreate) ([]*ent.Provider, error) {
		return tx.Provider.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Provider) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Providers = len(providerIDs)
	if err := p.writeQA(ctx, tx, providerIDs); err != nil {
		return sum, fmt.Errorf("demo: quality assurance: %w", err)
	}

	courseIDs, err := insert(ctx, "courses", len(p.courses), func(i int) *ent.CourseCreate {
		c := p.courses[i]
		return tx.Course.Create().SetDeliveryPostcode(c.DeliveryPostcode).SetSessions(c.Sessions).
			SetPlaces(c.Places).SetStartDates(c.startDates).
			SetProviderID(providerIDs[c.provider]).SetQualificationID(qualIDs[c.qualification])
	}, func(ctx context.Context, bs []*ent.CourseCreate) ([]*ent.Course, error) {
		return tx.Course.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Course) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Courses = len(courseIDs)

	learnerIDs, err := insert(ctx, "learners", len(p.learners), func(i int) *ent.LearnerCreate {
		l := p.learners[i]
		return tx.Learner.Create().SetUpn(l.upn).SetFirstName(l.first).SetLastName(l.last).
			SetDateOfBirth(l.dob).SetYearGroup(l.year).SetSenStatus(l.sen).SetSchoolID(schoolIDs[l.school])
	}, func(ctx context.Context, bs []*ent.LearnerCreate) ([]*ent.Learner, error) {
		return tx.Learner.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Learner) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Learners = len(learnerIDs)
	rows := rowIDs{schools: schoolIDs, providers: providerIDs, courses: courseIDs, learners: learnerIDs}

	// Referrals before placements: a placement names the referral it was made from.
	referralIDs, err := insert(ctx, "referrals", len(p.referrals), func(i int) *ent.ReferralCreate {
		return p.referralCreate(tx, i, rows)
	}, func(ctx context.Context, bs []*ent.ReferralCreate) ([]*ent.Referral, error) {
		return tx.Referral.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Referral) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Referrals = len(referralIDs)
	transitions := p.transitionCreates(tx, referralIDs, rows)
	transitionIDs, err := insert(ctx, "referral transitions", len(transitions), func(i int) *ent.ReferralTransitionCreate {
		return transitions[i]
	}, func(ctx context.Context, bs []*ent.ReferralTransitionCreate) ([]*ent.ReferralTransition, error) {
		return tx.ReferralTransition.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.ReferralTransition) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.ReferralTransitions = len(transitionIDs)

	placementIDs, err := insert(ctx, "placements", len(p.placements), func(i int) *ent.PlacementCreate {
		pl := p.placements[i]
		c := tx.Placement.Create().SetStartDate(pl.start).SetEndDate(pl.end).SetSessions(pl.sessions).
			SetStatus(pl.status).SetLaArranged(pl.laArranged).
			SetLearnerID(learnerIDs[pl.learner]).SetCourseID(courseIDs[pl.course]).
			SetNillableReferralID(p.referralIDOf(i, referralIDs))
		withOutcome(c, i, pl)
		return c
	}, func(ctx context.Context, bs []*ent.PlacementCreate) ([]*ent.Placement, error) {
		return tx.Placement.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Placement) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Placements = len(placementIDs)

	markIDs, err := insert(ctx, "attendance marks", len(p.marks), func(i int) *ent.AttendanceMarkCreate {
		m := p.marks[i]
		return tx.AttendanceMark.Create().SetPlacementID(placementIDs[m.placement]).SetDate(m.date).
			SetSession(attendancemark.Session(m.session.Period())).SetStatus(m.mark.Status).
			SetNillableAbsenceReason(reason(m)).SetMinutesLate(m.mark.MinutesLate).SetCode(m.code).
			SetRecordedBy(recorder).SetRecordedAt(m.recordedAt).SetVersion(1)
	}, func(ctx context.Context, bs []*ent.AttendanceMarkCreate) ([]*ent.AttendanceMark, error) {
		return tx.AttendanceMark.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.AttendanceMark) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.AttendanceMarks = len(markIDs)

	// Every version of a mark, the first included, is kept as a revision.
	revIDs, err := insert(ctx, "attendance revisions", len(p.marks), func(i int) *ent.AttendanceRevisionCreate {
		m := p.marks[i]
		return tx.AttendanceRevision.Create().SetMarkID(markIDs[i]).SetVersion(1).SetStatus(m.mark.Status).
			SetNillableAbsenceReason(reason(m)).SetMinutesLate(m.mark.MinutesLate).SetCode(m.code).
			SetRecordedBy(recorder).SetRecordedAt(m.recordedAt)
	}, func(ctx context.Context, bs []*ent.AttendanceRevisionCreate) ([]*ent.AttendanceRevision, error) {
		return tx.AttendanceRevision.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.AttendanceRevision) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.AttendanceRevisions = len(revIDs)

	alertIDs, err := insert(ctx, "alerts", len(p.alerts), func(i int) *ent.AlertCreate {
		a := p.alerts[i]
		m := p.marks[a.mark]
		pl := p.placements[m.placement]
		c := tx.Alert.Create().SetKind(a.kind).SetRaisedAt(a.raisedAt).
			SetSchoolID(schoolIDs[p.learners[pl.learner].school]).SetLearnerID(learnerIDs[pl.learner]).
			SetPlacementID(placementIDs[m.placement]).SetMarkID(markIDs[a.mark])
		if a.ackedAt != nil {
			c.SetAcknowledgedBy(recorder).SetAcknowledgedAt(*a.ackedAt)
		}
		return c
	}, func(ctx context.Context, bs []*ent.AlertCreate) ([]*ent.Alert, error) {
		return tx.Alert.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Alert) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Alerts = len(alertIDs)

	agreementIDs, err := insert(ctx, "agreements", len(p.agreements), func(i int) *ent.AgreementCreate {
		return p.agreementCreate(tx, p.agreements[i], rows)
	}, func(ctx context.Context, bs []*ent.AgreementCreate) ([]*ent.Agreement, error) {
		return tx.Agreement.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.Agreement) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.Agreements = len(agreementIDs)

	progressIDs, err := insert(ctx, "progress updates", len(p.progress), func(i int) *ent.ProgressUpdateCreate {
		return p.progressCreate(tx, p.progress[i], placementIDs)
	}, func(ctx context.Context, bs []*ent.ProgressUpdateCreate) ([]*ent.ProgressUpdate, error) {
		return tx.ProgressUpdate.CreateBulk(bs...).Save(ctx)
	}, func(r *ent.ProgressUpdate) int { return r.ID })
	if err != nil {
		return sum, err
	}
	sum.ProgressUpdates = len(progressIDs)
	return sum, nil
}

func reason(m plannedMark) *register.AbsenceReason {
	if m.mark.Reason == "" {
		return nil
	}
	r := m.mark.Reason
	return &r
}
