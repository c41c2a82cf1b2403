package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/graph/generated"
	"github.com/apnet/apnet/internal/audit"
)

// NewSchema returns the executable schema over r, with apnet's directives.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	cfg := generated.Config{
		Resolvers: r,
		Directives: generated.DirectiveRoot{
			SpecialCategory: specialCategory,
		},
	}
	pageComplexity(&cfg.Complexity)
	return generated.NewExecutableSchema(cfg)
}

// specialCategory notes each read of a special-category field of a learner
// or of a referral (SEND, social, exclusions, agencies, at-risk) for the
// audit trail; rows the viewer may not see never reach it (ent policies).
func specialCategory(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	switch o := obj.(type) {
	case *ent.Learner:
		audit.NoteRead(ctx, ent.TypeLearner, o.ID, graphql.GetFieldContext(ctx).Field.Name)
	case *ent.Referral:
		audit.NoteRead(ctx, ent.TypeReferral, o.ID, graphql.GetFieldContext(ctx).Field.Name)
	}
	return next(ctx)
}
