package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Agreement is a Safeguarding and Quality Agreement (SQA) between a school
// and a provider for one academic year, signed by both before placing.
type Agreement struct{ ent.Schema }

func (Agreement) Fields() []ent.Field {
	return []ent.Field{
		field.String("academic_year").NotEmpty().Immutable().Comment("e.g. 2026/27: 1 September to 31 August").
			Annotations(entgql.OrderField("ACADEMIC_YEAR")),
		field.Time("starts_on").Immutable().Annotations(entgql.Type("Date")),
		field.Time("ends_on").Immutable().Annotations(entgql.Type("Date")),
		field.String("terms_version").NotEmpty(),
		field.Enum("status").Values("DRAFT", "SIGNED_BY_ONE", "ACTIVE", "EXPIRED", "REVOKED").Default("DRAFT").
			Annotations(entgql.OrderField("STATUS")),
		field.String("school_signatory_name").Optional().Nillable(),
		field.String("school_signatory_role").Optional().Nillable(),
		field.Time("school_signed_at").Optional().Nillable(),
		field.String("provider_signatory_name").Optional().Nillable(),
		field.String("provider_signatory_role").Optional().Nillable(),
		field.Time("provider_signed_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("revoked_reason").Optional().Nillable(),
	}
}

func (Agreement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("agreements").Unique().Required().Immutable(),
		edge.From("provider", Provider.Type).Ref("agreements").Unique().Required().Immutable(),
	}
}

// One agreement per school and provider per academic year.
func (Agreement) Indexes() []ent.Index {
	// One agreement in force per school, provider and year; a revoked one
	// stays on record and a new one may replace it.
	return []ent.Index{
		index.Fields("academic_year").Edges("school", "provider").Unique().
			Annotations(entsql.IndexWhere("status <> 'REVOKED'")),
		index.Edges("provider"),
	}
}

func (Agreement) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
