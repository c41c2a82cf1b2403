// Package referral moves a learner from school to provider: the referral
// form and its lifecycle state machine, the Safeguarding and Quality
// Agreements, placements made from accepted referrals, and the providers'
// progress updates. Each operation runs in one transaction, as the signed-in
// viewer (so the row rules of internal/access apply), records every
// transition with its actor and time, and publishes only after commit.
package referral

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/learner"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/referral/form"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// Publisher is told of committed changes.
type Publisher interface {
	// ReferralChanged: r (with its school and provider loaded) moved by t.
	ReferralChanged(ctx context.Context, r *ent.Referral, t *ent.ReferralTransition)
	// ProgressPosted: u was posted on a placement of schoolID's learner.
	ProgressPosted(ctx context.Context, u *ent.ProgressUpdate, schoolID int)
}

// Service runs referrals, agreements, placements and progress updates.
type Service struct {
	Client    *ent.Client
	Publisher Publisher
	Log       *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Action is one lifecycle step.
type Action string

const (
	Submit   Action = "submit"
	Return   Action = "return"
	Check    Action = "check"
	Forward  Action = "forward"
	Accept   Action = "accept"
	Decline  Action = "decline"
	PreVisit Action = "record the pre-visit of"
	Place    Action = "place"
	Withdraw Action = "withdraw"
)

// Machine is the state machine: the states each action may start from, and
// where it leads. Who may take each action is internal/access's operation
// table; whose referrals, its row rules.
var Machine = map[Action]struct {
	From []referral.Status
	To   referral.Status
}{
	Submit:   {[]referral.Status{referral.StatusDRAFT, referral.StatusRETURNED}, referral.StatusSUBMITTED},
	Return:   {[]referral.Status{referral.StatusSUBMITTED}, referral.StatusRETURNED},
	Check:    {[]referral.Status{referral.StatusSUBMITTED}, referral.StatusCHECKED},
	Forward:  {[]referral.Status{referral.StatusCHECKED, referral.StatusDECLINED}, referral.StatusFORWARDED},
	Accept:   {[]referral.Status{referral.StatusFORWARDED}, referral.StatusACCEPTED},
	Decline:  {[]referral.Status{referral.StatusFORWARDED}, referral.StatusDECLINED},
	PreVisit: {[]referral.Status{referral.StatusACCEPTED}, referral.StatusPRE_VISIT_HELD},
	Place:    {[]referral.Status{referral.StatusPRE_VISIT_HELD}, referral.StatusPLACED},
	Withdraw: {[]referral.Status{
		referral.StatusDRAFT, referral.StatusSUBMITTED, referral.StatusRETURNED, referral.StatusCHECKED,
		referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusDECLINED, referral.StatusPRE_VISIT_HELD,
	}, referral.StatusWITHDRAWN},
}

// editable are the states in which the school may change the form.
var editable = []referral.Status{referral.StatusDRAFT, referral.StatusRETURNED}

const maxReason = 2000

// Create starts a DRAFT referral for a learner the viewer may see.
// validate checks the form and that a preferred course or provider is one:
// ids of other things must not be stored as preferences.
func (s *Service) validate(ctx context.Context, f form.Form) error {
	if err := f.Validate(); err != nil {
		return err
	}
	sys := viewer.SystemContext(ctx)
	if id := f.Preference.CourseID; id != nil {
		if ok, err := s.Client.Course.Query().Where(course.ID(*id)).Exist(sys); err != nil || !ok {
			if err == nil {
				err = apierr.Invalid("preference.courseID", "course %d not found", *id)
			}
			return err
		}
	}
	if id := f.Preference.ProviderID; id != nil {
		if ok, err := s.Client.Provider.Query().Where(provider.ID(*id)).Exist(sys); err != nil || !ok {
			if err == nil {
				err = apierr.Invalid("preference.providerID", "provider %d not found", *id)
			}
			return err
		}
	}
	return nil
}

func (s *Service) Create(ctx context.Context, learnerID int, f form.Form) (*ent.Referral, error) {
	if err := s.validate(ctx, f); err != nil {
		return nil, err
	}
	var out *ent.Referral
	var tr *ent.ReferralTransition
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		l, err := tx.Learner.Query().Where(learner.ID(learnerID)).WithSchool().Only(ctx)
		if ent.IsNotFound(err) {
			return apierr.New(apierr.NotFound, "learner %d not found", learnerID)
		}
		if err != nil {
			return err
		}
		now := s.now()
		c := tx.Referral.Create().SetLearnerID(l.ID).SetSchoolID(l.Edges.School.ID).
			SetCreatedAt(now).SetUpdatedAt(now)
		setForm(c.Mutation(), f)
		if out, err = c.Save(ctx); err != nil {
			return err
		}
		tr, err = s.transition(ctx, tx, out.ID, "", referral.StatusDRAFT, "", nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.published(ctx, out.ID, tr)
}

// Update replaces the form of a DRAFT or RETURNED referral.
func (s *Service) Update(ctx context.Context, id int, f form.Form) (*ent.Referral, error) {
	if err := s.validate(ctx, f); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		r, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(editable, r.Status) {
			return apierr.New(apierr.Conflict, "referral %d is %s; the form can be changed only while %s", id, word(r.Status), statuses(editable))
		}
		u := guarded(tx, r, s.now())
		setForm(u.Mutation(), f)
		return save(ctx, u, r)
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id)
}

// Submit sends a complete form to the partnership, snapshotting the learner.
func (s *Service) Submit(ctx context.Context, id int) (*ent.Referral, error) {
	return s.move(ctx, id, Submit, "", nil, func(tx *ent.Tx, r *ent.Referral, u *ent.ReferralUpdate) error {
		f := formOf(r)
		if err := f.Validate(); err != nil {
			return err
		}
		if err := f.Complete(); err != nil {
			return err
		}
		l, err := tx.Learner.Query().Where(learner.ID(r.Edges.Learner.ID)).WithSchool().Only(viewer.SystemContext(ctx))
		if err != nil {
			return err
		}
		now := s.now()
		u.SetSubmittedAt(now).SetLearnerSnapshot(&form.LearnerSnapshot{
			UPN: l.Upn, FirstName: l.FirstName, LastName: l.LastName, DateOfBirth: l.DateOfBirth,
			YearGroup: l.YearGroup, SchoolName: l.Edges.School.Name, SchoolURN: l.Edges.School.Urn, TakenAt: now,
		}).ClearReturnReasons()
		return nil
	})
}

// ReturnToSchool sends a submitted referral back to its school with reasons.
func (s *Service) ReturnToSchool(ctx context.Context, id int, reasons []string) (*ent.Referral, error) {
	var clean []string
	for _, r := range reasons {
		if r = strings.TrimSpace(r); r != "" {
			clean = append(clean, r)
		}
	}
	if len(clean) == 0 {
		return nil, apierr.Invalid("reasons", "say why the referral is returned")
	}
	why := strings.Join(clean, "\n")
	if len(why) > maxReason {
		return nil, apierr.Invalid("reasons", "the reasons may be at most %d characters", maxReason)
	}
	return s.move(ctx, id, Return, why, nil, func(_ *ent.Tx, _ *ent.Referral, u *ent.ReferralUpdate) error {
		u.SetReturnReasons(why)
		return nil
	})
}

// Check records that the partnership has checked the form.
func (s *Service) Check(ctx context.Context, id int) (*ent.Referral, error) {
	return s.move(ctx, id, Check, "", nil, nil)
}

// Forward sends a checked (or declined) referral to the provider of courseID.
func (s *Service) Forward(ctx context.Context, id, courseID int) (*ent.Referral, error) {
	c, err := s.Client.Course.Query().Where(course.ID(courseID)).WithProvider().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.Invalid("courseID", "course %d not found", courseID)
	}
	if err != nil {
		return nil, err
	}
	p := c.Edges.Provider
	if p.ApprovalStatus != "APPROVED" {
		return nil, apierr.Invalid("courseID", "%s is not an approved provider (%s); referrals go only to approved providers", p.Name, p.ApprovalStatus)
	}
	return s.move(ctx, id, Forward, "", &p.ID, func(_ *ent.Tx, r *ent.Referral, u *ent.ReferralUpdate) error {
		u.SetProviderID(p.ID).SetCourseID(c.ID)
		return nil
	})
}

// Accept is the provider taking the referral.
func (s *Service) Accept(ctx context.Context, id int) (*ent.Referral, error) {
	return s.move(ctx, id, Accept, "", providerOf(ctx), nil)
}

// Decline is the provider turning it down; the partnership may forward it elsewhere.
func (s *Service) Decline(ctx context.Context, id int, reason string) (*ent.Referral, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReason {
		return nil, apierr.Invalid("reason", "say why the referral is declined (at most %d characters)", maxReason)
	}
	return s.move(ctx, id, Decline, reason, providerOf(ctx), nil)
}

// RecordPreVisit records the learner's pre-visit to the provider.
func (s *Service) RecordPreVisit(ctx context.Context, id int, pv form.PreVisit) (*ent.Referral, error) {
	switch {
	case pv.Date.IsZero():
		return nil, apierr.Invalid("date", "give the date of the pre-visit")
	case timetable.Day(pv.Date).After(timetable.Day(s.now())):
		return nil, apierr.Invalid("date", "%s is in the future; record a pre-visit once held", pv.Date.Format(time.DateOnly))
	case !pv.LearnerAttended:
		return nil, apierr.Invalid("learnerAttended", "a pre-visit is the learner's visit: the learner must have come")
	case len(pv.NeedsIdentified) > maxReason || len(pv.CourseRequirements) > maxReason:
		return nil, apierr.Invalid("needsIdentified", "needs and course requirements may be at most %d characters each", maxReason)
	}
	pv.RecordedBy = viewer.FromContext(ctx).Actor()
	return s.move(ctx, id, PreVisit, "", nil, func(_ *ent.Tx, _ *ent.Referral, u *ent.ReferralUpdate) error {
		u.SetPreVisit(&pv)
		return nil
	})
}

// Withdraw ends a referral before placement.
func (s *Service) Withdraw(ctx context.Context, id int, reason string) (*ent.Referral, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReason {
		return nil, apierr.Invalid("reason", "say why the referral is withdrawn (at most %d characters)", maxReason)
	}
	return s.move(ctx, id, Withdraw, reason, nil, nil)
}

func providerOf(ctx context.Context) *int {
	if v := viewer.FromContext(ctx); v.Role == viewer.ProviderStaff {
		return &v.ProviderID
	}
	return nil
}

// move takes action on referral id: checks the state machine, applies
// change, records the transition, commits and publishes.
func (s *Service) move(ctx context.Context, id int, a Action, reason string, providerID *int,
	change func(tx *ent.Tx, r *ent.Referral, u *ent.ReferralUpdate) error) (*ent.Referral, error) {
	var tr *ent.ReferralTransition
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		r, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		u, err := s.step(ctx, tx, r, a)
		if err != nil {
			return err
		}
		if change != nil {
			if err := change(tx, r, u); err != nil {
				return err
			}
		}
		if err := save(ctx, u, r); err != nil {
			return err
		}
		tr, err = s.transition(ctx, tx, id, r.Status, Machine[a].To, reason, providerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.published(ctx, id, tr)
}

// step checks that a may be taken from r's state and returns the guarded update.
func (s *Service) step(_ context.Context, tx *ent.Tx, r *ent.Referral, a Action) (*ent.ReferralUpdate, error) {
	m, ok := Machine[a]
	if !ok {
		return nil, fmt.Errorf("unknown referral action %q", a)
	}
	if !slices.Contains(m.From, r.Status) {
		return nil, apierr.New(apierr.Conflict, "referral %d is %s; only a referral that is %s can %s it",
			r.ID, word(r.Status), statuses(m.From), a)
	}
	return guarded(tx, r, s.now()).SetStatus(m.To), nil
}

// word is a status as a message says it: "checked", "pre-visit held".
func word(s referral.Status) string {
	w := strings.ToLower(strings.ReplaceAll(string(s), "_", " "))
	return strings.Replace(w, "pre visit", "pre-visit", 1)
}

func statuses(ss []referral.Status) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = word(s)
	}
	if len(out) > 3 {
		return "not yet placed or withdrawn"
	}
	return strings.Join(out, " or ")
}

// guarded updates r only if no one changed it since it was read.
func guarded(tx *ent.Tx, r *ent.Referral, now time.Time) *ent.ReferralUpdate {
	return tx.Referral.Update().Where(referral.ID(r.ID), referral.Version(r.Version)).
		SetVersion(r.Version + 1).SetUpdatedAt(now)
}

func save(ctx context.Context, u *ent.ReferralUpdate, r *ent.Referral) error {
	n, err := u.Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apierr.New(apierr.Conflict, "referral %d was changed by someone else meanwhile; reload it", r.ID)
	}
	return nil
}

func get(ctx context.Context, tx *ent.Tx, id int) (*ent.Referral, error) {
	r, err := tx.Referral.Query().Where(referral.ID(id)).WithLearner().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "referral %d not found", id)
	}
	return r, err
}

func (s *Service) transition(ctx context.Context, tx *ent.Tx, id int, from, to referral.Status, reason string, providerID *int) (*ent.ReferralTransition, error) {
	v := viewer.FromContext(ctx)
	return tx.ReferralTransition.Create().SetReferralID(id).SetFrom(string(from)).SetTo(string(to)).
		SetActor(v.Actor()).SetActorRole(string(v.Role)).SetAt(s.now()).SetReason(reason).
		SetNillableProviderID(providerID).Save(ctx)
}

func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return db.InTx(ctx, s.Client, fn)
}

// load reads a referral as the viewer.
func (s *Service) load(ctx context.Context, id int) (*ent.Referral, error) {
	return s.Client.Referral.Get(ctx, id)
}

// published reloads the committed referral and tells the publisher. The
// event rows are loaded as the system: the audience is decided per
// subscriber, not by who made the change.
func (s *Service) published(ctx context.Context, id int, tr *ent.ReferralTransition) (*ent.Referral, error) {
	if s.Publisher != nil && tr != nil {
		r, err := s.Client.Referral.Query().Where(referral.ID(id)).WithSchool().WithProvider().
			Only(viewer.SystemContext(ctx))
		if err == nil {
			s.Publisher.ReferralChanged(ctx, r, tr.Unwrap())
		} else if s.Log != nil {
			s.Log.Error("load referral to publish", "referral_id", id, "err", err)
		}
	}
	r, err := s.load(ctx, id)
	if ent.IsNotFound(err) || ent.IsNotSingular(err) {
		// The viewer moved it out of their sight (a provider's withdrawal): the change stands.
		return s.Client.Referral.Get(viewer.SystemContext(ctx), id)
	}
	return r, err
}

func setForm(m *ent.ReferralMutation, f form.Form) {
	m.SetEducation(f.Education)
	m.SetAttendance(f.Attendance)
	m.SetExclusions(nonNil(f.Exclusions))
	m.SetSend(f.SEND)
	m.SetSocial(f.Social)
	m.SetAgencies(nonNil(f.Agencies))
	m.SetReason(strings.TrimSpace(f.Reason))
	m.SetAtRisk(nonNil(f.AtRisk))
	m.SetAtRiskNotes(f.AtRiskNotes)
	m.SetQualificationsRequired(strings.TrimSpace(f.QualificationsRequired))
	m.SetInterestsAspirations(f.InterestsAspirations)
	m.SetPreference(f.Preference)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func formOf(r *ent.Referral) form.Form {
	return form.Form{
		Education: r.Education, Attendance: r.Attendance, Exclusions: r.Exclusions, SEND: r.Send,
		Social: r.Social, Agencies: r.Agencies, Reason: r.Reason, AtRisk: r.AtRisk, AtRiskNotes: r.AtRiskNotes,
		QualificationsRequired: r.QualificationsRequired, InterestsAspirations: r.InterestsAspirations,
		Preference: r.Preference,
	}
}
