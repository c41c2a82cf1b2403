package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// AwardingBody is an Ofqual-recognised awarding organisation.
type AwardingBody struct{ ent.Schema }

func (AwardingBody) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Unique().NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.String("acronym").Default("").Annotations(entgql.OrderField("ACRONYM")),
		field.String("recognition_number").Optional().Nillable().Unique().
			Comment("Ofqual recognition number, e.g. RN5156"),
	}
}

func (AwardingBody) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("qualifications", Qualification.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
	}
}

func (AwardingBody) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
