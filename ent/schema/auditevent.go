package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/access"
)

// AuditEvent records a write, or a read of a learner's special-category
// fields: who, what, which record, when and from where. Append-only: no
// operation updates or deletes one.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").Immutable().Annotations(entgql.OrderField("AT")),
		field.Int("actor_id").Optional().Immutable().Comment("the user's id; 0 for the system"),
		field.String("actor_role").Default("").Immutable(),
		field.String("action").NotEmpty().Immutable().Comment("CREATE, UPDATE, DELETE, READ_SPECIAL_CATEGORY, SIGN_IN, …").
			Annotations(entgql.OrderField("ACTION")),
		field.String("entity").Default("").Immutable().Comment("the record's type, e.g. Learner").
			Annotations(entgql.OrderField("ENTITY")),
		field.Int("entity_id").Optional().Immutable(),
		field.Strings("fields").Optional().Immutable().Comment("names of the fields written or read, never their values").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("client_address").Default("").Immutable(),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("at"), index.Fields("entity", "entity_id"), index.Fields("actor_id")}
}

func (AuditEvent) Policy() ent.Policy { return access.AuditPolicy() }

func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
