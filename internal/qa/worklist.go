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
	w.Due = append(w.Due, trainingDue(ctx, ps, today, horizon)...)
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

// trainingDue is where each provider's attendance at the partnership's
// training (DOMAIN.md, process 2: keep improving by attending its courses)
// will add worklist entries; another change adds the training records.
func trainingDue(_ context.Context, _ []*ent.Provider, _, _ time.Time) []Due { return nil }
