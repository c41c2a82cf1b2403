package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// School is one of the partnership's secondary schools: the learners' home school.
type School struct{ ent.Schema }

func (School) Fields() []ent.Field {
	return []ent.Field{
		field.String("urn").Unique().NotEmpty().Comment("DfE unique reference number, 6 digits").
			Annotations(entgql.OrderField("URN")),
		field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.String("address").Default(""),
		field.String("postcode").NotEmpty().Annotations(entgql.OrderField("POSTCODE")),
		field.String("phone").Default(""),
		field.Int("late_alert_minutes").Default(15).Min(0).
			Comment("a late arrival of more minutes than this raises an alert"),
	}
}

func (School) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("learners", Learner.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("alerts", Alert.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("referrals", Referral.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("agreements", Agreement.Type).Annotations(noEdgeInput),
	}
}

func (School) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
