package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/level"
)

// Qualification is a regulated qualification on the Ofqual register.
type Qualification struct{ ent.Schema }

// levelType is the GraphQL enum of both level fields: they share the Go type
// level.Level, so clients see one enum, not QualificationMinLevel besides it.
var levelType = entgql.Type("QualificationLevel")

func (Qualification) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Unique().NotEmpty().
			Comment("Ofqual qualification number, stored as 603/2476/0").
			Annotations(entgql.OrderField("NUMBER")),
		field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")),
		field.Enum("level").GoType(level.Level("")).
			Comment("the highest level the qualification can be awarded at").
			Annotations(entgql.OrderField("LEVEL"), levelType),
		// A qualification spanning levels ("Level 1/Level 2" technical
		// awards, Entry Level Certificates graded Entry 1 to 3) has level
		// its top and min_level its bottom, so a search for a level finds
		// every qualification that can be achieved at it. Null: only level.
		field.Enum("min_level").GoType(level.Level("")).
			Optional().Nillable().
			Comment("the lowest level a qualification spanning levels can be awarded at; null when it has one level").
			Annotations(levelType),
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
