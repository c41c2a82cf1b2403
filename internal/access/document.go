package access

import (
	"entgo.io/ent"

	"github.com/apnet/apnet/ent/privacy"
)

// DocumentPolicy: until documents have their own rules, only the
// partnership reads or writes them.
func DocumentPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership, deny},
		Mutation: privacy.MutationPolicy{denyDelete, allowSystem, allowPartnership, deny},
	}
}
