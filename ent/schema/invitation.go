package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/apnet/apnet/internal/access"
)

// Invitation lets an invited user set their password once, before it expires.
// Only the token's hash is stored.
type Invitation struct{ ent.Schema }

func (Invitation) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().NotEmpty().Sensitive().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("used_at").Optional().Nillable(),
		field.Int("invited_by").Optional().Immutable().Comment("the inviting user's id"),
	}
}

func (Invitation) Edges() []ent.Edge {
	return []ent.Edge{edge.From("user", User.Type).Ref("invitations").Unique().Required().Immutable()}
}

func (Invitation) Policy() ent.Policy { return access.SystemOnlyPolicy() }

func (Invitation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
