package access

import (
	"context"
	"slices"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/predicate"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/internal/viewer"
)

// TrainingEventPolicy: every signed-in user sees the partnership's
// training events; the partnership runs them. Events are never deleted
// (their bookings are the providers' training record).
func TrainingEventPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowAuthenticated, deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership, deny},
	}
}

// TrainingBookingPolicy: the partnership sees and manages every booking;
// a provider's staff see their own provider's, book for it and cancel
// them, but never record attendance. Schools see none: for them a list of
// bookings (an event's, a provider's) is empty rather than an error that
// would fail the whole query.
func TrainingBookingPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.TrainingBookingQueryRuleFunc(func(ctx context.Context, q *gen.TrainingBookingQuery) error {
				v := viewer.FromContext(ctx)
				return tenant(ctx, func() { q.Where(predicate.TrainingBooking(nothing)) },
					func() { q.Where(trainingbooking.HasProviderWith(provider.ID(v.ProviderID))) })
			}), deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership,
			privacy.TrainingBookingMutationRuleFunc(func(ctx context.Context, m *gen.TrainingBookingMutation) error {
				v := viewer.FromContext(ctx)
				if v.Role != viewer.ProviderStaff {
					return privacy.Skip
				}
				if m.Op().Is(ent.OpCreate) {
					if id, _ := m.ProviderID(); id != v.ProviderID {
						return privacy.Denyf("provider staff book only for their own provider")
					}
					return privacy.Allow
				}
				for _, f := range append(m.Fields(), m.ClearedFields()...) {
					if !slices.Contains([]string{trainingbooking.FieldStatus, trainingbooking.FieldCancelledAt}, f) {
						return privacy.Denyf("provider staff may only cancel a booking")
					}
				}
				m.Where(trainingbooking.HasProviderWith(provider.ID(v.ProviderID)))
				return privacy.Allow
			}), deny},
	}
}
