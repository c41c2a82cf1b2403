package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ChecklistTemplate is one published version of the compliance visit
// checklist. The partnership changes the checklist by publishing a new
// version; a published version is never changed (its policy is
// append-only), so each visit's answers keep the questions they answered.
type ChecklistTemplate struct{ ent.Schema }

func (ChecklistTemplate) Fields() []ent.Field {
	return []ent.Field{
		field.Int("version").Positive().Unique().Immutable().Annotations(entgql.OrderField("VERSION")),
		field.Time("published_at").Immutable(),
		field.String("created_by").NotEmpty().Immutable().Comment("actor id"),
	}
}

func (ChecklistTemplate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("items", ChecklistItem.Type).Annotations(noEdgeInput),
		edge.To("visits", ComplianceVisit.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (ChecklistTemplate) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}

// ChecklistItem is one question of a template, under one of the four areas
// of the DfE's national standards for non-school AP (DOMAIN.md, quality).
type ChecklistItem struct{ ent.Schema }

func (ChecklistItem) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("area").Values("SAFEGUARDING_AND_WELFARE", "HEALTH_AND_SAFETY",
			"ADMISSIONS_AND_SUPPORT", "QUALITY_OF_EDUCATION").Immutable(),
		field.String("code").NotEmpty().Immutable().Comment("stable across versions, e.g. SG-DSL"),
		field.Text("text").NotEmpty().Immutable(),
		field.Int("position").Immutable(),
		// False for the essentials every provider must have (the designated
		// safeguarding lead, DBS checks, insurance…): NOT_APPLICABLE is refused.
		// Not Immutable only so that internal/qa can set it on the default
		// version in a database migrated before it existed; the checklist's
		// append-only policy refuses every other change.
		field.Bool("not_applicable_allowed").Default(true).
			Comment("the item may be answered NOT_APPLICABLE"),
	}
}

func (ChecklistItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("template", ChecklistTemplate.Type).Ref("items").Unique().Required().Immutable(),
		edge.To("results", ComplianceItemResult.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("actions", ComplianceAction.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (ChecklistItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("code").Edges("template").Unique()}
}
