package access

import (
	"context"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/progressupdate"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/ent/referraltransition"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/viewer"
)

// ReferralSeenByProvider lists the states in which the provider a referral
// was forwarded to may see it: never before it is forwarded.
var ReferralSeenByProvider = []referral.Status{
	referral.StatusFORWARDED, referral.StatusACCEPTED, referral.StatusDECLINED,
	referral.StatusPRE_VISIT_HELD, referral.StatusPLACED, referral.StatusWITHDRAWN,
}

// ReferralOfSchool is the referrals of one school.
func ReferralOfSchool(id int) predicate.Referral { return referral.HasSchoolWith(school.ID(id)) }

// ReferralOfProvider is the referrals forwarded to one provider (and only
// once forwarded): what its staff may see.
func ReferralOfProvider(id int) predicate.Referral {
	return referral.And(referral.HasProviderWith(provider.ID(id)), referral.StatusIn(ReferralSeenByProvider...))
}

// ReferralPolicy: school staff see and write their own school's referrals;
// provider staff see (and answer) only those forwarded to them; the
// partnership sees all. Which transition each role may make is the
// referral service's state machine.
func ReferralPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ReferralQueryRuleFunc(func(ctx context.Context, q *gen.ReferralQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(ReferralOfSchool(v.SchoolID)) },
					func() { q.Where(ReferralOfProvider(v.ProviderID)) })
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership,
			privacy.ReferralMutationRuleFunc(func(ctx context.Context, m *gen.ReferralMutation) error {
				v := viewer.FromContext(ctx)
				switch v.Role {
				case viewer.SchoolStaff:
					if m.Op().Is(ent.OpCreate) {
						if id, _ := m.SchoolID(); id != v.SchoolID {
							return privacy.Denyf("a referral can only be made for your own school")
						}
						return privacy.Allow
					}
					if _, ok := m.ProviderID(); ok || m.ProviderCleared() {
						return privacy.Denyf("only the partnership forwards a referral")
					}
					m.Where(ReferralOfSchool(v.SchoolID))
					return privacy.Allow
				case viewer.ProviderStaff:
					if m.Op().Is(ent.OpCreate) {
						return privacy.Denyf("providers do not make referrals")
					}
					if _, ok := m.ProviderID(); ok || m.ProviderCleared() {
						return privacy.Denyf("only the partnership forwards a referral")
					}
					m.Where(ReferralOfProvider(v.ProviderID))
					return privacy.Allow
				}
				return privacy.Skip
			}), deny},
	}
}

// denyDelete refuses deletes: referrals are withdrawn, never removed.
var denyDelete = privacy.MutationRuleFunc(func(_ context.Context, m ent.Mutation) error {
	if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
		return privacy.Denyf("%s records are never deleted", m.Type())
	}
	return privacy.Skip
})

// ReferralTransitionPolicy: the history is readable like its referral (a
// provider sees only its own steps) and only ever added to, by whoever may
// write the referral.
func ReferralTransitionPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ReferralTransitionQueryRuleFunc(func(ctx context.Context, q *gen.ReferralTransitionQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(referraltransition.HasReferralWith(ReferralOfSchool(v.SchoolID))) },
					// Only the steps it took part in: not the school's exchanges with
					// the partnership, nor another provider's decline and its reason.
					func() {
						q.Where(referraltransition.HasReferralWith(ReferralOfProvider(v.ProviderID)),
							referraltransition.ProviderID(v.ProviderID))
					})
			}), deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowPartnership,
			privacy.ReferralTransitionMutationRuleFunc(func(ctx context.Context, m *gen.ReferralTransitionMutation) error {
				v := viewer.FromContext(ctx)
				id, _ := m.ReferralID()
				var p predicate.Referral
				switch v.Role {
				case viewer.SchoolStaff:
					p = ReferralOfSchool(v.SchoolID)
				case viewer.ProviderStaff:
					// Forwarded to this provider, in any state (it may be answering a forward).
					p = referral.HasProviderWith(provider.ID(v.ProviderID))
				default:
					return privacy.Skip
				}
				ok, err := m.Client().Referral.Query().Where(referral.ID(id), p).Exist(viewer.SystemContext(ctx))
				if err != nil {
					return err
				}
				if !ok {
					return privacy.Denyf("referral %d is not yours to move on", id)
				}
				return privacy.Allow
			}), deny},
	}
}

// AgreementPolicy: each side reads its own agreements and signs its own
// side (the service says which fields); the partnership drafts and revokes.
func AgreementPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.AgreementQueryRuleFunc(func(ctx context.Context, q *gen.AgreementQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(agreement.HasSchoolWith(school.ID(v.SchoolID))) },
					func() { q.Where(agreement.HasProviderWith(provider.ID(v.ProviderID))) })
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership,
			privacy.AgreementMutationRuleFunc(func(ctx context.Context, m *gen.AgreementMutation) error {
				v := viewer.FromContext(ctx)
				if m.Op().Is(ent.OpCreate) {
					return privacy.Skip
				}
				return tenant(ctx,
					func() { m.Where(agreement.HasSchoolWith(school.ID(v.SchoolID))) },
					func() { m.Where(agreement.HasProviderWith(provider.ID(v.ProviderID))) })
			}), deny},
	}
}

// ProgressUpdatePolicy: readable like the placement; posted only by the
// provider running it (or a partnership admin), never changed.
func ProgressUpdatePolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.ProgressUpdateQueryRuleFunc(func(ctx context.Context, q *gen.ProgressUpdateQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx,
					func() { q.Where(progressupdate.HasPlacementWith(placementOfSchool(v.SchoolID))) },
					func() { q.Where(progressupdate.HasPlacementWith(placementOfProvider(v.ProviderID))) })
			}), deny},
		Mutation: privacy.MutationPolicy{denyChange, allowSystem, allowAdmin,
			privacy.ProgressUpdateMutationRuleFunc(func(ctx context.Context, m *gen.ProgressUpdateMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.ProviderStaff {
					return privacy.Skip
				}
				id, _ := m.PlacementID()
				return providerRunsPlacement(ctx, m.Client(), v.ProviderID, id)
			}), deny},
	}
}
