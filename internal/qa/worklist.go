package qa

import (
	"context"
	"sort"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/application"
	"github.com/apnet/apnet/ent/complianceaction"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/internal/access"
)

// WorklistWindow: providers due something within this many days appear on
// the QA officers' worklist.
const WorklistWindow = 30

// DueReason says what a provider on the worklist is due.
type DueReason string

const (
	ComplianceVisitDue DueReason = "COMPLIANCE_VISIT_DUE"
	EvaluationVisitDue DueReason = "EVALUATION_VISIT_DUE"
	ApprovalEnds       DueReason = "APPROVAL_ENDS"
	// TrainingDue: an approved provider has attended none of the
	// partnership's training in the last 12 months (DOMAIN.md, process 2:
	// approved providers agree to keep improving by attending its courses).
	TrainingDue DueReason = "TRAINING_DUE"
)

// Due is one thing a provider is due, and when.
type Due struct {
	Provider *ent.Provider
	Reason   DueReason
	DueOn    time.Time
	Overdue  bool
}

// Worklist is what the QA officers have to do.
type Worklist struct {
	// Due: visits due within 30 days or overdue (a visit is due 12 months
	// after the last of its kind, at once if there has been none) and
	// approvals ending within 30 days, soonest first.
	Due []Due
	// OverdueActions are compliance actions past their due date and not done.
	OverdueActions []*ent.ComplianceAction
	// Applications wait for review, oldest first.
	Applications []*ent.Application
}

// monitored are the statuses whose providers the partnership keeps visiting.
var monitored = []provider.ApprovalStatus{provider.ApprovalStatusPENDING, provider.ApprovalStatusAPPROVED,
	provider.ApprovalStatusSUSPENDED, provider.ApprovalStatusLAPSED}

// Worklist builds the QA officers' worklist as of today.
func (s *Service) Worklist(ctx context.Context) (*Worklist, error) {
	today := s.today()
	horizon := today.AddDate(0, 0, WorklistWindow)
	ps, err := s.Client.Provider.Query().Where(provider.ApprovalStatusIn(monitored...)).
		WithComplianceVisits(func(q *ent.ComplianceVisitQuery) {
			q.Order(ent.Desc(compliancevisit.FieldVisitedOn))
		}).
		WithEvaluationVisits(func(q *ent.EvaluationVisitQuery) {
			q.Order(ent.Desc(evaluationvisit.FieldVisitedOn))
		}).All(ctx)
	if err != nil {
		return nil, err
	}
	w := &Worklist{}
	add := func(p *ent.Provider, r DueReason, due time.Time) {
		if !due.After(horizon) {
			w.Due = append(w.Due, Due{Provider: p, Reason: r, DueOn: due, Overdue: due.Before(today)})
		}
	}
	for _, p := range ps {
		// Only the latest visit of each kind matters; the eager loads are
		// ordered newest first.
		due := today
		if vs := p.Edges.ComplianceVisits; len(vs) > 0 {
			due = vs[0].VisitedOn.AddDate(0, ApprovalMonths, 0)
		}
		add(p, ComplianceVisitDue, due)
		due = today
		if vs := p.Edges.EvaluationVisits; len(vs) > 0 {
			due = vs[0].VisitedOn.AddDate(0, ApprovalMonths, 0)
		}
		add(p, EvaluationVisitDue, due)
		if p.ApprovalStatus == provider.ApprovalStatusAPPROVED && p.ApprovedUntil != nil {
			add(p, ApprovalEnds, *p.ApprovedUntil)
		}
	}
	training, err := trainingDue(ctx, s.Client, ps, today, horizon)
	if err != nil {
		return nil, err
	}
	w.Due = append(w.Due, training...)
	sort.SliceStable(w.Due, func(i, j int) bool {
		if !w.Due[i].DueOn.Equal(w.Due[j].DueOn) {
			return w.Due[i].DueOn.Before(w.Due[j].DueOn)
		}
		return w.Due[i].Provider.ID < w.Due[j].Provider.ID
	})
	if w.OverdueActions, err = s.Client.ComplianceAction.Query().
		Where(complianceaction.CompletedAtIsNil(), complianceaction.DueOnLT(today)).
		Order(ent.Asc(complianceaction.FieldDueOn)).Limit(200).All(ctx); err != nil {
		return nil, err
	}
	if w.Applications, err = s.Client.Application.Query().Where(application.StatusEQ(application.StatusSUBMITTED)).
		Order(ent.Asc(application.FieldSubmittedAt)).Limit(200).All(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// trainingDue lists the approved providers whose last attended training
// (DOMAIN.md, process 2: approved providers keep improving by attending the
// partnership's courses) is more than 12 months old by the horizon: due 12
// months after it, or at once if they have never attended.
func trainingDue(ctx context.Context, client *ent.Client, ps []*ent.Provider, today, horizon time.Time) ([]Due, error) {
	bookings, err := client.TrainingBooking.Query().
		Where(trainingbooking.Attended(true), trainingbooking.StatusEQ(trainingbooking.StatusBOOKED)).
		WithEvent().WithProvider().All(ctx)
	if err != nil {
		return nil, err
	}
	last := map[int]time.Time{}
	for _, b := range bookings {
		if t := b.Edges.Event.StartsAt; t.After(last[b.Edges.Provider.ID]) {
			last[b.Edges.Provider.ID] = t
		}
	}
	var out []Due
	for _, p := range ps {
		if p.ApprovalStatus != provider.ApprovalStatusAPPROVED {
			continue
		}
		due := today
		if t, ok := last[p.ID]; ok {
			due = access.Today(t).AddDate(0, ApprovalMonths, 0)
		}
		if !due.After(horizon) {
			out = append(out, Due{Provider: p, Reason: TrainingDue, DueOn: due, Overdue: due.Before(today)})
		}
	}
	return out, nil
}
