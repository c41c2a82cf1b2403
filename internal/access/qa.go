package access

import (
	"context"
	"slices"
	"time"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/complianceaction"
	"github.com/apnet/apnet/ent/complianceitemresult"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qadecision"
	"github.com/apnet/apnet/internal/viewer"
)

// london is the partnership's calendar: an approval runs to the end of its
// day in England.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Today is now's date in England, as stored dates are: midnight UTC.
func Today(now time.Time) time.Time {
	d := now.In(london)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// Now is the clock of the approval rules; tests may set it.
var Now = time.Now

// CurrentlyApproved is the one definition of a current approval: status
// APPROVED and approved_until today or later. An approval past its date is
// never current, even before the lapse job marks it LAPSED.
func CurrentlyApproved(now time.Time) predicate.Provider {
	return provider.And(provider.ApprovalStatusEQ(provider.ApprovalStatusAPPROVED),
		provider.ApprovedUntilGTE(Today(now)))
}

// IsCurrentlyApproved is CurrentlyApproved for a loaded row.
func IsCurrentlyApproved(p *gen.Provider, now time.Time) bool {
	return p.ApprovalStatus == provider.ApprovalStatusAPPROVED && p.ApprovedUntil != nil &&
		!p.ApprovedUntil.Before(Today(now))
}

// visibleProviders is the approved list as a viewer sees it (DOMAIN.md: only
// approved providers are listed). Provider staff also see their own
// provider whatever its status. School staff also see the providers their
// own learners are placed with, whatever their status: the school must
// still see who has its learners (safeguarding), e.g. after a suspension.
// ok is false for viewers the rule does not cover.
func visibleProviders(ctx context.Context) (predicate.Provider, bool) {
	v := viewer.FromContext(ctx)
	current := CurrentlyApproved(Now())
	switch v.Role {
	case viewer.ProviderStaff:
		return provider.Or(current, provider.ID(v.ProviderID)), true
	case viewer.SchoolStaff:
		return provider.Or(current, provider.HasCoursesWith(course.HasPlacementsWith(placementOfSchool(v.SchoolID)))), true
	}
	return nil, false
}

// ProviderPolicy: the partnership sees every provider and maintains them;
// schools and providers see the approved list (visibleProviders).
func ProviderPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ProviderQueryRuleFunc(func(ctx context.Context, q *gen.ProviderQuery) error {
				if p, ok := visibleProviders(ctx); ok {
					q.Where(p)
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowPartnership, deny},
	}
}

// CoursePolicy: a course is visible with its provider.
func CoursePolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.CourseQueryRuleFunc(func(ctx context.Context, q *gen.CourseQuery) error {
				if p, ok := visibleProviders(ctx); ok {
					q.Where(course.HasProviderWith(p))
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowPartnership, deny},
	}
}

// ApplicationPolicy: the queue is the partnership's. Applicants have no
// account; their submission is written by apnet itself (internal/qa).
func ApplicationPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership, deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership, deny},
	}
}

// ChecklistPolicy: anyone signed in may read the checklist; the
// partnership publishes versions, which are never changed afterwards.
func ChecklistPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowAuthenticated, deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowPartnership, deny},
	}
}

// ComplianceVisitPolicy: a provider's QA files are visible with the provider
// (DOMAIN.md: each provider publishes its compliance and evaluation reports).
func ComplianceVisitPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ComplianceVisitQueryRuleFunc(func(ctx context.Context, q *gen.ComplianceVisitQuery) error {
				if p, ok := visibleProviders(ctx); ok {
					q.Where(compliancevisit.HasProviderWith(p))
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership, deny},
	}
}

// onlyReportFile refuses every change to an evaluation visit but linking
// another report file (internal/qa's ReplaceEvaluationReport): grades and
// the written report are never rewritten.
var onlyReportFile = privacy.EvaluationVisitMutationRuleFunc(func(_ context.Context, m *gen.EvaluationVisitMutation) error {
	if m.Op().Is(ent.OpCreate) {
		return privacy.Skip
	}
	if m.Op().Is(ent.OpUpdateOne) && len(m.Fields()) == 0 && len(m.ClearedFields()) == 0 && len(m.RemovedEdges()) == 0 &&
		len(m.ClearedEdges()) == 0 && slices.Equal(m.AddedEdges(), []string{evaluationvisit.EdgeReportDocument}) {
		return privacy.Skip
	}
	return privacy.Denyf("evaluation visits are append-only but for their report file")
})

// EvaluationVisitPolicy: as compliance visits.
func EvaluationVisitPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.EvaluationVisitQueryRuleFunc(func(ctx context.Context, q *gen.EvaluationVisitQuery) error {
				if p, ok := visibleProviders(ctx); ok {
					q.Where(evaluationvisit.HasProviderWith(p))
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
		Mutation: privacy.MutationPolicy{onlyReportFile, allowSystem, allowPartnership, deny},
	}
}

// ComplianceDetailPolicy: item-by-item answers are for the partnership and
// the provider visited; schools read the report (a visit's results are an
// empty list to them, not an error).
func ComplianceDetailPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ComplianceItemResultQueryRuleFunc(func(ctx context.Context, q *gen.ComplianceItemResultQuery) error {
				return tenant(ctx, func() { q.Where(predicate.ComplianceItemResult(nothing)) }, func() {
					q.Where(complianceitemresult.HasVisitWith(compliancevisit.HasProviderWith(provider.ID(viewer.FromContext(ctx).ProviderID))))
				})
			}), deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowPartnership, deny},
	}
}

// ComplianceActionPolicy: as the answers (none for schools); the
// partnership records an action's completion.
func ComplianceActionPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ComplianceActionQueryRuleFunc(func(ctx context.Context, q *gen.ComplianceActionQuery) error {
				return tenant(ctx, func() { q.Where(predicate.ComplianceAction(nothing)) }, func() {
					q.Where(complianceaction.HasVisitWith(compliancevisit.HasProviderWith(provider.ID(viewer.FromContext(ctx).ProviderID))))
				})
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership, deny},
	}
}

// QADecisionPolicy: the decisions about a provider are for the partnership
// and that provider; to schools a provider's decisions are an empty list.
func QADecisionPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.QADecisionQueryRuleFunc(func(ctx context.Context, q *gen.QADecisionQuery) error {
				return tenant(ctx, func() { q.Where(predicate.QADecision(nothing)) }, func() {
					q.Where(qadecision.HasProviderWith(provider.ID(viewer.FromContext(ctx).ProviderID)))
				})
			}), deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowPartnership, deny},
	}
}
