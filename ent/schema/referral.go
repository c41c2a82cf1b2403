package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/referral/form"
)

// specialCategory marks a field whose reads are recorded in the audit trail.
var specialCategory = entgql.Directives(entgql.NewDirective("specialCategory"))

// jsonSection is a form section stored as JSON and exposed as its own GraphQL type.
func jsonSection(name string, typ any, gqlType string, more ...schema.Annotation) ent.Field {
	return field.JSON(name, typ).Optional().
		Annotations(append([]schema.Annotation{entgql.Type(gqlType), entgql.Skip(entgql.SkipWhereInput)}, more...)...)
}

// Referral is a school's online referral form for one learner, and where it
// is in the partnership's process (internal/referral moves it on).
type Referral struct{ ent.Schema }

func (Referral) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("status").
			Values("DRAFT", "SUBMITTED", "RETURNED", "CHECKED", "FORWARDED", "ACCEPTED", "DECLINED",
				"PRE_VISIT_HELD", "PLACED", "WITHDRAWN").
			Default("DRAFT").Annotations(entgql.OrderField("STATUS")),
		jsonSection("education", form.Education{}, "EducationProfile"),
		jsonSection("attendance", form.Attendance{}, "ReferralAttendance"),
		jsonSection("exclusions", []form.Exclusion{}, "[Exclusion!]", specialCategory),
		jsonSection("send", form.SEND{}, "SendProfile", specialCategory),
		jsonSection("social", form.Social{}, "SocialProfile", specialCategory),
		jsonSection("agencies", []form.Agency{}, "[ExternalAgency!]", specialCategory),
		field.Text("reason").Default(""),
		jsonSection("at_risk", []form.RiskIndicator{}, "[RiskIndicator!]", specialCategory),
		field.Text("at_risk_notes").Default("").Annotations(specialCategory),
		field.Text("qualifications_required").Default(""),
		field.Text("interests_aspirations").Default(""),
		jsonSection("preference", form.Preference{}, "ReferralPreference"),
		// The learner's details as they were when the form was submitted.
		jsonSection("learner_snapshot", &form.LearnerSnapshot{}, "LearnerSnapshot"), // nil until submitted: GraphQL null, not a zero record
		jsonSection("pre_visit", &form.PreVisit{}, "PreVisit"),                      // nil until recorded
		field.String("return_reasons").Optional().
			Comment("why the partnership last returned the form; the full history is in transitions").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Time("created_at").Immutable().Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Annotations(entgql.OrderField("UPDATED_AT")),
		field.Time("submitted_at").Optional().Nillable().Annotations(entgql.OrderField("SUBMITTED_AT")),
		field.Int("version").Default(1).Comment("bumped on every change: concurrent transitions fail loudly"),
	}
}

func (Referral) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("learner", Learner.Type).Ref("referrals").Unique().Required().Immutable(),
		edge.From("school", School.Type).Ref("referrals").Unique().Required().Immutable(),
		edge.From("provider", Provider.Type).Ref("referrals").Unique().
			Comment("the provider the partnership forwarded the referral to"),
		edge.From("course", Course.Type).Ref("referrals").Unique().
			Comment("the course it was forwarded for"),
		edge.To("transitions", ReferralTransition.Type),
		edge.To("placement", Placement.Type).Unique(),
	}
}

func (Referral) Indexes() []ent.Index {
	return []ent.Index{index.Edges("school"), index.Edges("provider"), index.Edges("learner")}
}

func (Referral) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}

// ReferralTransition is one step of a referral's lifecycle: who moved it,
// from and to which state, when and why. Rows are only ever added.
type ReferralTransition struct{ ent.Schema }

func (ReferralTransition) Fields() []ent.Field {
	return []ent.Field{
		field.String("from").Default("").Immutable().Comment("empty for the referral's creation"),
		field.String("to").NotEmpty().Immutable(),
		field.String("actor").NotEmpty().Immutable(),
		field.String("actor_role").Default("").Immutable(),
		field.Time("at").Immutable().Annotations(entgql.OrderField("AT")),
		field.Text("reason").Default("").Immutable(),
		field.Int("provider_id").Optional().Nillable().Immutable().
			Comment("the provider forwarded to, accepting or declining"),
	}
}

func (ReferralTransition) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("referral", Referral.Type).Ref("transitions").Unique().Required().Immutable(),
	}
}

func (ReferralTransition) Indexes() []ent.Index {
	return []ent.Index{index.Edges("referral")}
}
