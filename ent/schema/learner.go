package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Learner is a pupil of a partnership school placed, or to be placed, with a provider.
type Learner struct{ ent.Schema }

func (Learner) Fields() []ent.Field {
	return []ent.Field{
		field.String("upn").Unique().NotEmpty().Comment("unique pupil number, check letter validated").
			Annotations(entgql.OrderField("UPN")),
		field.String("first_name").NotEmpty().Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").NotEmpty().Annotations(entgql.OrderField("LAST_NAME")),
		field.Time("date_of_birth").Annotations(entgql.Type("Date"), entgql.OrderField("DATE_OF_BIRTH")),
		field.Int("year_group").Range(7, 13).Annotations(entgql.OrderField("YEAR_GROUP")),
		field.Enum("sen_status").Values("NONE", "SEN_SUPPORT", "EHCP").Default("NONE").
			Annotations(entgql.Directives(entgql.NewDirective("specialCategory"))),
	}
}

func (Learner) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("learners").Unique().Required(),
		edge.To("placements", Placement.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("alerts", Alert.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("referrals", Referral.Type).Annotations(noEdgeInput),
	}
}

func (Learner) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
