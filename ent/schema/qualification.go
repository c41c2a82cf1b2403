package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Qualification is a regulated qualification on the Ofqual register.
type Qualification struct{ ent.Schema }

func (Qualification) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Unique().NotEmpty().
			Comment("Ofqual qualification number, stored as 603/2476/0").
			Annotations(entgql.OrderField("NUMBER")),
		field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")),
		field.Enum("level").Values("ENTRY_1", "ENTRY_2", "ENTRY_3", "LEVEL_1", "LEVEL_2", "LEVEL_3").
			Annotations(entgql.OrderField("LEVEL")),
		field.String("type").Default(""),
		field.String("sector_subject_area").Default("").Annotations(entgql.OrderField("SECTOR_SUBJECT_AREA")),
		field.Int("guided_learning_hours").Optional().Nillable(),
	}
}

func (Qualification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("awarding_body", AwardingBody.Type).Ref("qualifications").Unique().Required(),
		edge.To("courses", Course.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
	}
}

func (Qualification) Indexes() []ent.Index {
	return []ent.Index{index.Fields("level"), index.Fields("sector_subject_area")}
}

func (Qualification) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
