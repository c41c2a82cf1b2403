package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/access"
)

// Session is a signed-in user's bearer token. Only its hash is stored.
type Session struct{ ent.Schema }

func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().NotEmpty().Sensitive().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at"),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("client_address").Default("").Immutable(),
	}
}

func (Session) Edges() []ent.Edge {
	return []ent.Edge{edge.From("user", User.Type).Ref("sessions").Unique().Required().Immutable()}
}

func (Session) Indexes() []ent.Index { return []ent.Index{index.Edges("user")} }

func (Session) Policy() ent.Policy { return access.SystemOnlyPolicy() }

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
