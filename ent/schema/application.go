package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/offer"
)

// Application is a provider's or a school's request to join the
// partnership, made before it has an account. It waits in the
// partnership's queue until accepted (which creates the Provider or School)
// or rejected with a reason.
type Application struct{ ent.Schema }

func (Application) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("PROVIDER", "SCHOOL").Immutable().Annotations(entgql.OrderField("KIND")),
		field.Enum("status").Values("SUBMITTED", "ACCEPTED", "REJECTED").Default("SUBMITTED").
			Annotations(entgql.OrderField("STATUS")),
		field.String("organisation_name").NotEmpty().Immutable().Annotations(entgql.OrderField("ORGANISATION_NAME")),
		field.String("ukprn").Default("").Immutable().Comment("providers: UKPRN where it has one"),
		field.String("urn").Default("").Immutable().Comment("a school's DfE URN; a provider's Ofsted URN where it has one"),
		field.Enum("setting_type").Values("NFE", "OOT", "OTH", "WBP").Optional().Nillable().Immutable().
			Comment("providers: the census setting type (DOMAIN.md, identifiers)"),
		field.String("contact_name").NotEmpty().Immutable(),
		field.String("email").NotEmpty().Immutable(),
		field.String("phone").Default("").Immutable(),
		field.String("website").Default("").Immutable(),
		field.String("address").Default("").Immutable().Comment("premises"),
		field.String("postcode").NotEmpty().Immutable(),
		field.Text("description").Default("").Immutable().Comment("what it offers, in its own words"),
		field.JSON("courses", []offer.Course{}).Optional().Immutable().
			Annotations(entgql.Type("[OfferedCourse!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.Time("submitted_at").Immutable().Annotations(entgql.OrderField("SUBMITTED_AT")),
		field.String("reviewed_by").Optional().Nillable().Comment("actor id"),
		field.Time("reviewed_at").Optional().Nillable(),
		field.String("rejection_reason").Optional().Nillable(),
	}
}

func (Application) Edges() []ent.Edge {
	return []ent.Edge{
		// What accepting it created.
		edge.To("provider", Provider.Type).Unique(),
		edge.To("school", School.Type).Unique(),
	}
}

func (Application) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "submitted_at")}
}

func (Application) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
