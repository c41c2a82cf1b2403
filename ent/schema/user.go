package schema

import (
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/apnet/apnet/internal/access"
)

// User is a member of staff: partnership (admin, QA officer), designated
// staff of one school, or staff of one provider.
type User struct{ ent.Schema }

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Unique().NotEmpty().Comment("stored lower-case: unique regardless of case").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.Enum("role").Values("PARTNERSHIP_ADMIN", "QA_OFFICER", "SCHOOL_STAFF", "PROVIDER_STAFF").
			Annotations(entgql.OrderField("ROLE")),
		field.String("password_hash").Optional().Sensitive().Annotations(entgql.Skip()),
		field.Bool("active").Default(false).Comment("false until the invitation is accepted, and after deactivation"),
		field.Time("created_at").Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("last_sign_in_at").Optional().Nillable(),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("school", School.Type).Unique(),
		edge.To("provider", Provider.Type).Unique(),
		edge.To("sessions", Session.Type).Annotations(entgql.Skip()),
		edge.To("invitations", Invitation.Type).Annotations(entgql.Skip()),
	}
}

func (User) Hooks() []ent.Hook {
	return []ent.Hook{normalize("email", func(s string) (string, error) {
		return strings.ToLower(strings.TrimSpace(s)), nil
	})}
}

func (User) Policy() ent.Policy { return access.UserPolicy() }

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
