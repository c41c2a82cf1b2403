package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/ofsted"
)

// ComplianceVisit is the annual safeguarding and health and safety visit to
// a provider, answered against one checklist template version.
type ComplianceVisit struct{ ent.Schema }

func (ComplianceVisit) Fields() []ent.Field {
	return []ent.Field{
		field.Time("visited_on").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("VISITED_ON")),
		field.String("officer").NotEmpty().Immutable().Comment("actor id of the QA officer"),
		// COMPLIANT iff every item of the template is answered and none is
		// NOT_MET; derived when the visit is recorded, never entered.
		field.Enum("overall").Values("COMPLIANT", "NOT_COMPLIANT").Immutable().Annotations(entgql.OrderField("OVERALL")),
		field.Text("summary").Default("").Immutable(),
		field.Time("recorded_at").Immutable(),
	}
}

func (ComplianceVisit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("provider", Provider.Type).Ref("compliance_visits").Unique().Required().Immutable(),
		edge.From("template", ChecklistTemplate.Type).Ref("visits").Unique().Required().Immutable(),
		edge.To("results", ComplianceItemResult.Type).Annotations(noEdgeInput),
		edge.To("actions", ComplianceAction.Type).Annotations(noEdgeInput),
		// The written report: a Document of category COMPLIANCE_REPORT of the
		// same provider. Named as EvaluationVisit's report file (whose
		// "report" is the written text); the column keeps its first name.
		edge.To("report_document", Document.Type).Unique().StorageKey(edge.Column("compliance_visit_report")),
	}
}

func (ComplianceVisit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("visited_on").Edges("provider")}
}

func (ComplianceVisit) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// ComplianceItemResult is a visit's answer to one checklist item.
type ComplianceItemResult struct{ ent.Schema }

func (ComplianceItemResult) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("outcome").Values("MET", "NOT_MET", "NOT_APPLICABLE").Immutable(),
		field.Text("evidence").Default("").Immutable().Comment("evidence notes"),
	}
}

func (ComplianceItemResult) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("visit", ComplianceVisit.Type).Ref("results").Unique().Required().Immutable(),
		edge.From("item", ChecklistItem.Type).Ref("results").Unique().Required().Immutable(),
	}
}

// ComplianceAction is what a provider must do about an unmet item, by when
// and who owns it.
type ComplianceAction struct{ ent.Schema }

func (ComplianceAction) Fields() []ent.Field {
	return []ent.Field{
		field.Text("description").NotEmpty().Immutable(),
		field.String("owner_name").NotEmpty().Immutable(),
		field.Time("due_on").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("DUE_ON")),
		field.Time("completed_at").Optional().Nillable(),
		field.String("completed_by").Optional().Nillable().Comment("actor id"),
	}
}

func (ComplianceAction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("visit", ComplianceVisit.Type).Ref("actions").Unique().Required().Immutable(),
		edge.From("item", ChecklistItem.Type).Ref("actions").Unique().Required().Immutable(),
	}
}

func (ComplianceAction) Indexes() []ent.Index {
	return []ent.Index{index.Fields("due_on", "completed_at")}
}

// EvaluationVisit judges a provider's quality on Ofsted's four-point scale
// (DOMAIN.md, quality). Approval needs teaching and learning at least GOOD.
type EvaluationVisit struct{ ent.Schema }

// grade is a field on Ofsted's scale; every one shares the OfstedGrade enum.
func grade(name string) ent.Field {
	return field.Enum(name).GoType(ofsted.Grade("")).Immutable().Annotations(entgql.Type("OfstedGrade"))
}

func (EvaluationVisit) Fields() []ent.Field {
	return []ent.Field{
		field.Time("visited_on").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("VISITED_ON")),
		field.String("officer").NotEmpty().Immutable().Comment("actor id of the QA officer"),
		grade("teaching_and_learning"),
		grade("behaviour_and_attitudes"),
		grade("personal_development"),
		grade("leadership_and_management"),
		grade("overall_grade"),
		field.Text("report").NotEmpty().Immutable().Comment("the written report"),
		field.Time("recorded_at").Immutable(),
	}
}

func (EvaluationVisit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("provider", Provider.Type).Ref("evaluation_visits").Unique().Required().Immutable(),
		// The report as a file: a Document of category EVALUATION_REPORT of the same provider.
		edge.To("report_document", Document.Type).Unique(),
	}
}

func (EvaluationVisit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("visited_on").Edges("provider")}
}

func (EvaluationVisit) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// QADecision is the QA Management Group's decision about a provider.
type QADecision struct{ ent.Schema }

func (QADecision) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("APPROVE", "REFUSE", "SUSPEND", "REINSTATE", "WITHDRAW").Immutable().
			Annotations(entgql.Type("QADecisionKind")),
		field.Time("decided_on").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("DECIDED_ON")),
		field.Text("reason").Default("").Immutable().Comment("reason or minutes"),
		field.Time("valid_until").Optional().Nillable().Immutable().
			Annotations(entgql.Type("Date")).Comment("APPROVE: the last day the approval is current, decided_on + 12 months - 1 day"),
		field.String("recorded_by").NotEmpty().Immutable().Comment("actor id"),
		field.Time("recorded_at").Immutable(),
	}
}

func (QADecision) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("provider", Provider.Type).Ref("decisions").Unique().Required().Immutable(),
	}
}

func (QADecision) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}
