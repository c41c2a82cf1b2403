// Package access holds apnet's row-level rules in one place: every entity's
// ent privacy policy is built here, so queries, connections, node(id:),
// nested edges, mutations and the rows behind subscriptions all pass the
// same rules. Who may call which operation at all is in operations.go.
//
// Rules read the viewer from the context. The zero viewer is denied
// everything; viewer.System (seeding, imports, sign-in, event loading) is
// allowed everything except rewriting the audit trail.
package access

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/alert"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/attendancerevision"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/learner"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/viewer"
)

// Rules shared by every policy.
var (
	allowSystem = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).Role == viewer.System {
			return privacy.Allow
		}
		return privacy.Skip
	})
	denyUnauthenticated = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if !viewer.FromContext(ctx).Authenticated() {
			return privacy.Denyf("not signed in")
		}
		return privacy.Skip
	})
	allowAuthenticated = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).Authenticated() {
			return privacy.Allow
		}
		return privacy.Skip
	})
	allowPartnership = allowRoles(viewer.PartnershipAdmin, viewer.QAOfficer)
	allowAdmin       = allowRoles(viewer.PartnershipAdmin)
	deny             = privacy.AlwaysDenyRule()
)

func allowRoles(roles ...viewer.Role) privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		r := viewer.FromContext(ctx).Role
		for _, want := range roles {
			if r == want {
				return privacy.Allow
			}
		}
		return privacy.Skip
	})
}

// Tenancy predicates: the rows of one school or one provider.
func placementOfSchool(id int) predicate.Placement {
	return placement.HasLearnerWith(learner.HasSchoolWith(school.ID(id)))
}

func placementOfProvider(id int) predicate.Placement {
	return placement.HasCourseWith(course.HasProviderWith(provider.ID(id)))
}

// nothing matches no row: for a role that may see none of a record type
// that it reaches as a nested list (an event's bookings, a provider's
// decisions). Filtering to nothing gives an empty list; denying would fail
// the whole query, the fields the viewer may see included.
func nothing(s *sql.Selector) { s.Where(sql.False()) }

// tenant applies a school predicate for school staff and a provider predicate
// for provider staff, then allows; other viewers are left to later rules.
func tenant(ctx context.Context, bySchool, byProvider func()) error {
	v := viewer.FromContext(ctx)
	switch {
	case v.Role == viewer.SchoolStaff && bySchool != nil:
		bySchool()
		return privacy.Allow
	case v.Role == viewer.ProviderStaff && byProvider != nil:
		byProvider()
		return privacy.Allow
	}
	return privacy.Skip
}

// CataloguePolicy covers the directory: providers, courses, qualifications,
// awarding bodies and postcodes. Any signed-in user reads it; the
// partnership maintains it.
func CataloguePolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowAuthenticated, deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowPartnership, deny},
	}
}

// SchoolPolicy: school staff see their own school; provider staff the schools
// of learners placed with them; the partnership all.
func SchoolPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.SchoolQueryRuleFunc(func(ctx context.Context, q *gen.SchoolQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(school.ID(v.SchoolID)) },
					func() {
						q.Where(school.Or(
							school.HasLearnersWith(learner.HasPlacementsWith(placementOfProvider(v.ProviderID))),
							school.HasReferralsWith(ReferralOfProvider(v.ProviderID)),
							school.HasAgreementsWith(agreement.HasProviderWith(provider.ID(v.ProviderID)))))
					})
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowAdmin, deny},
	}
}

// LearnerPolicy: school staff see and add their own school's learners;
// provider staff see the learners placed with them or referred to them.
func LearnerPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.LearnerQueryRuleFunc(func(ctx context.Context, q *gen.LearnerQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(learner.HasSchoolWith(school.ID(v.SchoolID))) },
					func() {
						q.Where(learner.Or(
							learner.HasPlacementsWith(placementOfProvider(v.ProviderID)),
							learner.HasReferralsWith(ReferralOfProvider(v.ProviderID))))
					})
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowAdmin,
			privacy.LearnerMutationRuleFunc(func(ctx context.Context, m *gen.LearnerMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.SchoolStaff {
					return privacy.Skip
				}
				if id, ok := m.SchoolID(); ok && id != v.SchoolID {
					return privacy.Denyf("a learner can only be added to your own school")
				}
				if m.Op().Is(ent.OpCreate) {
					return privacy.Allow
				}
				m.Where(learner.HasSchoolWith(school.ID(v.SchoolID)))
				return privacy.Allow
			}), deny},
	}
}

// PlacementPolicy: each side sees its own placements; the partnership makes
// them (from an accepted referral, through internal/referral); the provider
// running one updates it (starts it, ends it with the outcome).
func PlacementPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.PlacementQueryRuleFunc(func(ctx context.Context, q *gen.PlacementQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(placementOfSchool(v.SchoolID)) },
					func() { q.Where(placementOfProvider(v.ProviderID)) })
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowAdmin,
			privacy.PlacementMutationRuleFunc(func(ctx context.Context, m *gen.PlacementMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.ProviderStaff || !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
					return privacy.Skip
				}
				m.Where(placementOfProvider(v.ProviderID))
				return privacy.Allow
			}), deny},
	}
}

// AttendanceMarkPolicy: marks follow their placement; only the provider
// running the placement (or a partnership admin) records them.
func AttendanceMarkPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.AttendanceMarkQueryRuleFunc(func(ctx context.Context, q *gen.AttendanceMarkQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(attendancemark.HasPlacementWith(placementOfSchool(v.SchoolID))) },
					func() { q.Where(attendancemark.HasPlacementWith(placementOfProvider(v.ProviderID))) })
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowAdmin,
			privacy.AttendanceMarkMutationRuleFunc(func(ctx context.Context, m *gen.AttendanceMarkMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.ProviderStaff {
					return privacy.Skip
				}
				if m.Op().Is(ent.OpCreate) {
					id, _ := m.PlacementID()
					if trustedPlacement(ctx, id) {
						return privacy.Allow
					}
					return providerRunsPlacement(ctx, m.Client(), v.ProviderID, id)
				}
				m.Where(attendancemark.HasPlacementWith(placementOfProvider(v.ProviderID)))
				return privacy.Allow
			}), deny},
	}
}

// AttendanceRevisionPolicy: the history is readable like its mark and only
// ever added to.
func AttendanceRevisionPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.AttendanceRevisionQueryRuleFunc(func(ctx context.Context, q *gen.AttendanceRevisionQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() {
						q.Where(attendancerevision.HasMarkWith(attendancemark.HasPlacementWith(placementOfSchool(v.SchoolID))))
					},
					func() {
						q.Where(attendancerevision.HasMarkWith(attendancemark.HasPlacementWith(placementOfProvider(v.ProviderID))))
					})
			}), deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowAdmin,
			privacy.AttendanceRevisionMutationRuleFunc(func(ctx context.Context, m *gen.AttendanceRevisionMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.ProviderStaff {
					return privacy.Skip
				}
				markID, _ := m.MarkID()
				if trustedMark(ctx, markID) {
					return privacy.Allow
				}
				pid, err := m.Client().AttendanceMark.Query().Where(attendancemark.ID(markID)).
					QueryPlacement().OnlyID(viewer.SystemContext(ctx))
				if err != nil {
					return privacy.Denyf("unknown mark")
				}
				return providerRunsPlacement(ctx, m.Client(), v.ProviderID, pid)
			}), deny},
	}
}

// AlertPolicy: alerts belong to the learner's school, whose staff
// acknowledge them; the provider whose mark raised one can see it.
func AlertPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.AlertQueryRuleFunc(func(ctx context.Context, q *gen.AlertQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(alert.HasSchoolWith(school.ID(v.SchoolID))) },
					func() { q.Where(alert.HasPlacementWith(placementOfProvider(v.ProviderID))) })
			}), deny},
		Mutation: privacy.MutationPolicy{allowSystem, allowAdmin,
			privacy.AlertMutationRuleFunc(func(ctx context.Context, m *gen.AlertMutation) error {
				v := viewer.FromContext(ctx)
				switch {
				case v.Role == viewer.ProviderStaff && m.Op().Is(ent.OpCreate):
					id, _ := m.PlacementID()
					if trustedPlacement(ctx, id) {
						return privacy.Allow
					}
					return providerRunsPlacement(ctx, m.Client(), v.ProviderID, id)
				case v.Role == viewer.SchoolStaff && m.Op().Is(ent.OpUpdate|ent.OpUpdateOne):
					m.Where(alert.HasSchoolWith(school.ID(v.SchoolID)))
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
	}
}

// UserPolicy: partnership admins manage accounts; everyone sees themselves.
func UserPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowAdmin,
			privacy.UserQueryRuleFunc(func(ctx context.Context, q *gen.UserQuery) error {
				q.Where(user.ID(viewer.FromContext(ctx).UserID))
				return privacy.Allow
			})},
		Mutation: privacy.MutationPolicy{allowSystem, allowAdmin, deny},
	}
}

// SystemOnlyPolicy guards sessions and invitations: only apnet itself
// touches them, through the sign-in service.
func SystemOnlyPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, deny},
		Mutation: privacy.MutationPolicy{allowSystem, deny},
	}
}

// AuditPolicy: partnership admins read the trail; apnet appends to it;
// nobody, apnet included, updates or deletes it.
func AuditPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, allowAdmin, deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, deny},
	}
}

// denyChange refuses updates and deletes: for append-only records.
var denyChange = privacy.MutationRuleFunc(func(_ context.Context, m ent.Mutation) error {
	if !m.Op().Is(ent.OpCreate) {
		return privacy.Denyf("%s records are append-only", m.Type())
	}
	return privacy.Skip
})

// providerRunsPlacement allows a write about placement id only when the
// viewer's provider runs it. Writes inside the attendance service's
// transaction skip it for placements that PlacementsForRecording has
// already checked (recording.go).
func providerRunsPlacement(ctx context.Context, c *gen.Client, providerID, id int) error {
	ok, err := c.Placement.Query().Where(placement.ID(id), placementOfProvider(providerID)).Exist(viewer.SystemContext(ctx))
	if err != nil {
		return err
	}
	if !ok {
		return privacy.Denyf("placement %d is not one of your provider's", id)
	}
	return privacy.Allow
}
