package access

import (
	"context"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/viewer"
)

// LibraryCategories are the resources library's categories: partnership
// documents every signed-in user may read. The other categories are a
// provider's QA reports.
var LibraryCategories = []document.Category{
	document.CategoryQA_PROCESS, document.CategoryDATA_SYSTEM_GUIDE, document.CategoryPROGRESSION,
	document.CategoryQUALIFICATION_SUPPORT, document.CategoryTRAINING_EVENTS, document.CategoryTRAINING_RESOURCES,
}

// IsLibrary reports whether c is a resources-library category.
func IsLibrary(c document.Category) bool {
	for _, l := range LibraryCategories {
		if c == l {
			return true
		}
	}
	return false
}

// DocumentPolicy: library resources are open to every signed-in user. A
// provider's QA reports are open to the partnership, the provider's own
// staff, and school staff who may see the provider itself (visibleProviders:
// the approved list, plus providers their learners are placed with). Only the
// partnership uploads (and may rename: every other field is immutable);
// only a partnership admin deletes.
func DocumentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{allowSystem, denyUnauthenticated, allowPartnership,
			privacy.DocumentQueryRuleFunc(func(ctx context.Context, q *gen.DocumentQuery) error {
				v := viewer.FromContext(ctx)
				library := document.CategoryIn(LibraryCategories...)
				switch v.Role {
				case viewer.ProviderStaff:
					q.Where(document.Or(library, document.HasProviderWith(provider.ID(v.ProviderID))))
				case viewer.SchoolStaff:
					visible, _ := visibleProviders(ctx)
					q.Where(document.Or(library, document.HasProviderWith(visible)))
				default:
					q.Where(library)
				}
				return privacy.Allow
			})},
		Mutation: privacy.MutationPolicy{allowSystem,
			privacy.DocumentMutationRuleFunc(func(ctx context.Context, m *gen.DocumentMutation) error {
				if m.Op().Is(ent.OpDelete|ent.OpDeleteOne) && viewer.FromContext(ctx).Role != viewer.PartnershipAdmin {
					return privacy.Denyf("only a partnership admin deletes documents")
				}
				return privacy.Skip
			}),
			allowPartnership, deny},
	}
}
