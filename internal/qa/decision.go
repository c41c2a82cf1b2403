package qa

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/application"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qadecision"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/viewer"
)

// ApprovalMonths is how long an approval lasts from its decision, and how
// recent the visits behind it must be.
const ApprovalMonths = 12

// ApprovalLastDay is the last day an approval decided on decided is
// current (its approvedUntil). "Valid 12 months from the decision" is the
// 12 months that start on the decision's day: approved on 2026-12-04, it is
// current to 2027-12-03 inclusive and lapses on 2027-12-04, the decision's
// anniversary. (Adding 12 months alone gave 12 months and a day.) The lapse
// job, the approved list and the worklist all read approvedUntil as the
// last current day.
func ApprovalLastDay(decided time.Time) time.Time {
	return dateOnly(decided).AddDate(0, ApprovalMonths, -1)
}

// Transitions says from which approval statuses each decision may be
// taken. APPROVE renews a current approval too; a SUSPENDED provider is
// reinstated (or withdrawn), not approved afresh.
var Transitions = map[qadecision.Kind][]provider.ApprovalStatus{
	qadecision.KindAPPROVE: {provider.ApprovalStatusPENDING, provider.ApprovalStatusAPPROVED,
		provider.ApprovalStatusLAPSED, provider.ApprovalStatusREFUSED, provider.ApprovalStatusWITHDRAWN},
	qadecision.KindREFUSE:    {provider.ApprovalStatusPENDING},
	qadecision.KindSUSPEND:   {provider.ApprovalStatusAPPROVED},
	qadecision.KindREINSTATE: {provider.ApprovalStatusSUSPENDED},
	qadecision.KindWITHDRAW: {provider.ApprovalStatusPENDING, provider.ApprovalStatusAPPROVED,
		provider.ApprovalStatusSUSPENDED, provider.ApprovalStatusLAPSED, provider.ApprovalStatusREFUSED},
}

// NewDecision is a QA Management Group decision to record.
type NewDecision struct {
	ProviderID int
	Kind       qadecision.Kind
	// DecidedOn defaults to today; it may not be in the future.
	DecidedOn *time.Time
	Reason    string
}

// Decided is a recorded decision and the alerts it raised.
type Decided struct {
	Decision *ent.QADecision
	Alerts   []*ent.Alert
}

// RecordDecision records a decision and applies it to the provider's
// approval, in one transaction:
//   - APPROVE needs a COMPLIANT compliance visit and an evaluation visit
//     with teaching and learning at least GOOD, each the latest of its kind
//     and within the last 12 months (DOMAIN.md, the partnership's process,
//     1 and 2); the approval is valid 12 months from the decision, to
//     ApprovalLastDay.
//   - SUSPEND takes effect at once: no new placements, and the home school
//     of every learner on a planned or active placement there gets a live
//     PROVIDER_SUSPENDED alert.
//   - REINSTATE restores the approval's own end date if it has not passed.
//   - REFUSE is for a PENDING provider; WITHDRAW ends any status.
func (s *Service) RecordDecision(ctx context.Context, in NewDecision) (*ent.QADecision, error) {
	from, ok := Transitions[in.Kind]
	if !ok {
		return nil, apierr.Invalid("kind", "unknown decision %q", in.Kind)
	}
	today := s.today()
	decided := today
	if in.DecidedOn != nil {
		decided = dateOnly(*in.DecidedOn)
		if decided.After(today) {
			return nil, apierr.Invalid("decidedOn", "the decision date %s is in the future", day(decided))
		}
		if decided.Before(today.AddDate(0, -1, 0)) {
			return nil, apierr.Invalid("decidedOn", "the decision date %s is more than a month ago; record decisions as they are made", day(decided))
		}
	}
	reason, err := optional("reason", in.Reason, 20000)
	if err != nil {
		return nil, err
	}
	if reason == "" && in.Kind != qadecision.KindAPPROVE && in.Kind != qadecision.KindREINSTATE {
		return nil, apierr.Invalid("reason", "a %s decision needs its reason", in.Kind)
	}
	var d *ent.QADecision
	var raised []*ent.Alert
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := providerIn(ctx, tx, in.ProviderID)
		if err != nil {
			return err
		}
		if !slices.Contains(from, p.ApprovalStatus) {
			return apierr.New(apierr.Conflict, "%s is %s; %s is possible only from %s",
				p.Name, p.ApprovalStatus, in.Kind, joinStatuses(from))
		}
		if err := decidedInOrder(ctx, tx, p.ID, decided); err != nil {
			return err
		}
		u := tx.Provider.UpdateOneID(p.ID).Where(provider.ApprovalStatusEQ(p.ApprovalStatus))
		c := tx.QADecision.Create().SetProviderID(p.ID).SetKind(in.Kind).SetDecidedOn(decided).SetReason(reason).
			SetRecordedBy(viewer.FromContext(ctx).Actor()).SetRecordedAt(s.now())
		switch in.Kind {
		case qadecision.KindAPPROVE:
			if err := approvable(ctx, tx, p, decided); err != nil {
				return err
			}
			until := ApprovalLastDay(decided)
			c.SetValidUntil(until)
			u.SetApprovalStatus(provider.ApprovalStatusAPPROVED).SetApprovedUntil(until)
		case qadecision.KindREFUSE:
			u.SetApprovalStatus(provider.ApprovalStatusREFUSED).ClearApprovedUntil()
		case qadecision.KindSUSPEND:
			if !access.IsCurrentlyApproved(p, s.now()) {
				return apierr.New(apierr.Conflict, "%s's approval ended on %s, so there is no current approval to suspend; it lapses by itself (record WITHDRAW to end it for good)",
					p.Name, day(*p.ApprovedUntil))
			}
			u.SetApprovalStatus(provider.ApprovalStatusSUSPENDED)
		case qadecision.KindREINSTATE:
			if p.ApprovedUntil == nil || p.ApprovedUntil.Before(today) {
				return apierr.New(apierr.Conflict, "%s's approval ran out while suspended; it needs a new APPROVE decision", p.Name)
			}
			u.SetApprovalStatus(provider.ApprovalStatusAPPROVED)
		case qadecision.KindWITHDRAW:
			u.SetApprovalStatus(provider.ApprovalStatusWITHDRAWN).ClearApprovedUntil()
		}
		if err := u.Exec(ctx); err != nil {
			if ent.IsNotFound(err) {
				return apierr.New(apierr.Conflict, "%s changed at the same time; reload and try again", p.Name)
			}
			return err
		}
		if d, err = c.Save(ctx); err != nil {
			return err
		}
		if in.Kind == qadecision.KindSUSPEND {
			raised, err = s.alertSuspension(ctx, tx, p.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log().Info("qa decision recorded", "provider_id", in.ProviderID, "decision_id", d.ID, "kind", d.Kind, "alerts", len(raised))
	if s.Alerts != nil {
		for _, a := range raised {
			s.Alerts.AlertRaised(ctx, a.Edges.School.ID, a.ID)
		}
	}
	return s.Client.QADecision.Get(ctx, d.ID)
}

// decidedInOrder refuses a decision dated before the provider's latest
// decision or before it applied to the partnership: the history of
// decisions, read by date, must lead to the provider's status (a SUSPEND
// dated before the APPROVE it suspends would say the provider was suspended
// before it was approved). A decision on the same day as the latest one is
// fine: it follows it.
func decidedInOrder(ctx context.Context, tx *ent.Tx, providerID int, decided time.Time) error {
	last, err := tx.QADecision.Query().Where(qadecision.HasProviderWith(provider.ID(providerID))).
		Order(ent.Desc(qadecision.FieldDecidedOn), ent.Desc(qadecision.FieldID)).First(ctx)
	switch {
	case err == nil && decided.Before(dateOnly(last.DecidedOn)):
		return apierr.Invalid("decidedOn", "the decision date %s is before the provider's latest decision (%s on %s); a decision cannot be dated before the one it follows: date it %s or later",
			day(decided), last.Kind, day(last.DecidedOn), day(last.DecidedOn))
	case err != nil && !ent.IsNotFound(err):
		return err
	}
	if applied, ok, err := appliedOn(ctx, tx, providerID); err != nil {
		return err
	} else if ok && decided.Before(applied) {
		return apierr.Invalid("decidedOn", "the decision date %s is before the provider applied to the partnership (%s); check the date",
			day(decided), day(applied))
	}
	return nil
}

// appliedOn is the day the provider first applied to the partnership, when
// it joined through an application.
func appliedOn(ctx context.Context, tx *ent.Tx, providerID int) (time.Time, bool, error) {
	a, err := tx.Application.Query().Where(application.HasProviderWith(provider.ID(providerID))).
		Order(ent.Asc(application.FieldSubmittedAt)).First(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return access.Today(a.SubmittedAt), true, nil
}

func joinStatuses(ss []provider.ApprovalStatus) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// approvable says everything that stops an approval on day decided, in one
// CONFLICT error.
func approvable(ctx context.Context, tx *ent.Tx, p *ent.Provider, decided time.Time) error {
	providerID := p.ID
	since := decided.AddDate(0, -ApprovalMonths, 0)
	// Visits from before a suspension, withdrawal or refusal cannot support a
	// new approval: otherwise WITHDRAW then APPROVE would undo a suspension
	// with no one visiting again.
	last, err := tx.QADecision.Query().Where(qadecision.HasProviderWith(provider.ID(providerID)),
		qadecision.KindIn(qadecision.KindSUSPEND, qadecision.KindWITHDRAW, qadecision.KindREFUSE)).
		Order(ent.Desc(qadecision.FieldDecidedOn), ent.Desc(qadecision.FieldID)).First(ctx)
	switch {
	case err == nil && last.DecidedOn.After(since):
		since = last.DecidedOn
	case err != nil && !ent.IsNotFound(err):
		return err
	}
	var missing []string
	cv, err := tx.ComplianceVisit.Query().Where(compliancevisit.HasProviderWith(provider.ID(providerID)),
		compliancevisit.VisitedOnLTE(decided)).
		Order(ent.Desc(compliancevisit.FieldVisitedOn), ent.Desc(compliancevisit.FieldID)).First(ctx)
	switch {
	case ent.IsNotFound(err):
		later, err := tx.ComplianceVisit.Query().Where(compliancevisit.HasProviderWith(provider.ID(providerID))).
			Order(ent.Asc(compliancevisit.FieldVisitedOn)).First(ctx)
		switch {
		case err == nil:
			missing = append(missing, fmt.Sprintf("the compliance visit (%s) is dated after the decision (%s); an approval rests only on visits made by its date", day(later.VisitedOn), day(decided)))
		case ent.IsNotFound(err):
			missing = append(missing, "no compliance visit is recorded")
		default:
			return err
		}
	case err != nil:
		return err
	case cv.VisitedOn.Before(since):
		missing = append(missing, fmt.Sprintf("the last compliance visit (%s) is more than 12 months old or before the last suspension, withdrawal or refusal", day(cv.VisitedOn)))
	case cv.Overall != compliancevisit.OverallCOMPLIANT:
		missing = append(missing, fmt.Sprintf("the last compliance visit (%s) found the provider NOT_COMPLIANT", day(cv.VisitedOn)))
	}
	ev, err := tx.EvaluationVisit.Query().Where(evaluationvisit.HasProviderWith(provider.ID(providerID)),
		evaluationvisit.VisitedOnLTE(decided)).
		Order(ent.Desc(evaluationvisit.FieldVisitedOn), ent.Desc(evaluationvisit.FieldID)).First(ctx)
	switch {
	case ent.IsNotFound(err):
		later, err := tx.EvaluationVisit.Query().Where(evaluationvisit.HasProviderWith(provider.ID(providerID))).
			Order(ent.Asc(evaluationvisit.FieldVisitedOn)).First(ctx)
		switch {
		case err == nil:
			missing = append(missing, fmt.Sprintf("the evaluation visit (%s) is dated after the decision (%s); an approval rests only on visits made by its date", day(later.VisitedOn), day(decided)))
		case ent.IsNotFound(err):
			missing = append(missing, "no evaluation visit is recorded")
		default:
			return err
		}
	case err != nil:
		return err
	case ev.VisitedOn.Before(since):
		missing = append(missing, fmt.Sprintf("the last evaluation visit (%s) is more than 12 months old or before the last suspension, withdrawal or refusal", day(ev.VisitedOn)))
	case !ev.TeachingAndLearning.AtLeastGood():
		missing = append(missing, fmt.Sprintf("the last evaluation visit (%s) graded teaching and learning %s; approval needs at least GOOD",
			day(ev.VisitedOn), ev.TeachingAndLearning))
	}
	if len(missing) > 0 {
		return apierr.New(apierr.Conflict, "cannot approve %s: %s", p.Name, strings.Join(missing, "; "))
	}
	return nil
}

// alertSuspension raises a PROVIDER_SUSPENDED alert for each planned or
// active placement with the provider, to the learner's home school. The
// alerts are apnet's, not the decision maker's (who may not raise alerts
// themselves); the decision is the audited write.
func (s *Service) alertSuspension(ctx context.Context, tx *ent.Tx, providerID int) ([]*ent.Alert, error) {
	sys := viewer.SystemContext(ctx)
	ps, err := tx.Placement.Query().Where(
		placement.HasCourseWith(course.HasProviderWith(provider.ID(providerID))),
		placement.StatusIn(placement.StatusPLANNED, placement.StatusACTIVE)).
		WithLearner(func(q *ent.LearnerQuery) { q.WithSchool() }).All(sys)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*ent.Alert, 0, len(ps))
	for _, p := range ps {
		l := p.Edges.Learner
		a, err := tx.Alert.Create().SetKind(register.ProviderSuspended).SetRaisedAt(now).
			SetSchoolID(l.Edges.School.ID).SetLearnerID(l.ID).SetPlacementID(p.ID).Save(sys)
		if err != nil {
			return nil, err
		}
		a.Edges.School = l.Edges.School
		out = append(out, a)
	}
	return out, nil
}
