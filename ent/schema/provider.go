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

// Provider is an external alternative-provision setting that takes learners part-week.
type Provider struct{ ent.Schema }

func (Provider) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().Annotations(entgql.OrderField("NAME")),
		field.Text("description").Default("").Comment("full description of its provision"),
		field.String("ukprn").Default("").Comment("UKPRN where it has one (8 digits starting with 1)"),
		field.String("urn").Default("").Comment("Ofsted URN where it has one"),
		field.String("contact_name").Default(""),
		field.String("email").Default(""),
		field.String("phone").Default(""),
		field.String("website").Default(""),
		field.String("address").Default(""),
		field.String("postcode").NotEmpty().Annotations(entgql.OrderField("POSTCODE")),
		// Approval changes only through recordQADecision (preconditions,
		// suspension alerts, the decision on record) and the lapse job, so
		// createProvider and updateProvider do not take these two.
		field.Enum("approval_status").
			Values("PENDING", "APPROVED", "SUSPENDED", "REFUSED", "WITHDRAWN", "LAPSED").
			Default("PENDING").Annotations(entgql.OrderField("APPROVAL_STATUS"), noFieldInput),
		field.Time("approved_until").Optional().Nillable().
			Comment("the last day the approval is current, inclusive; it lapses the day after").
			Annotations(entgql.Type("Date"), entgql.OrderField("APPROVED_UNTIL"), noFieldInput),
	}
}

func (Provider) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("courses", Course.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("referrals", Referral.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("agreements", Agreement.Type).Annotations(noEdgeInput),
		edge.To("documents", Document.Type).Annotations(noEdgeInput),
		edge.To("training_bookings", TrainingBooking.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("compliance_visits", ComplianceVisit.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("evaluation_visits", EvaluationVisit.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
		edge.To("decisions", QADecision.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
	}
}

// A UKPRN or Ofsted URN names one provider: the service refuses a second
// one with a clear message, and these indexes hold when two writes race.
// Empty means none, so only non-empty values are unique.
func (Provider) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("ukprn").Unique().Annotations(entsql.IndexWhere("ukprn <> ''")),
		index.Fields("urn").Unique().Annotations(entsql.IndexWhere("urn <> ''")),
	}
}

func (Provider) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
