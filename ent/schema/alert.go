package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/register"
)

// Alert is a safeguarding concern raised by a mark that the home school's
// designated staff must follow up: an unexplained or unauthorised absence, a
// late arrival, or the suspension of the provider a learner is placed with.
type Alert struct{ ent.Schema }

func (Alert) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").GoType(register.AlertKind("")).
			Annotations(entgql.Type("AlertKind"), entgql.OrderField("KIND")),
		field.Time("raised_at").Immutable().Annotations(entgql.OrderField("RAISED_AT")),
		field.String("acknowledged_by").Optional().Nillable(),
		field.Time("acknowledged_at").Optional().Nillable().Annotations(entgql.OrderField("ACKNOWLEDGED_AT")),
	}
}

func (Alert) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("alerts").Unique().Required().Immutable(),
		edge.From("learner", Learner.Type).Ref("alerts").Unique().Required().Immutable(),
		edge.From("placement", Placement.Type).Ref("alerts").Unique().Required().Immutable(),
		// Unset for alerts no mark raised: a provider's suspension.
		edge.From("mark", AttendanceMark.Type).Ref("alerts").Unique().Immutable(),
	}
}

func (Alert) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("raised_at").Edges("school"), index.Fields("acknowledged_at"),
		index.Edges("learner"), index.Edges("mark"),
	}
}

func (Alert) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
