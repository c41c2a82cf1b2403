package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/timetable"
)

// Course is a provider's offer of one qualification at one delivery site.
type Course struct{ ent.Schema }

func (Course) Fields() []ent.Field {
	return []ent.Field{
		field.String("delivery_postcode").NotEmpty(),
		field.JSON("sessions", []timetable.Session{}).
			Comment("the days and times it meets each week").
			Annotations(entgql.Type("[WeeklySession!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.Int("places").Min(0).Annotations(entgql.OrderField("PLACES")),
		field.JSON("start_dates", []time.Time{}).
			Annotations(entgql.Type("[Date!]"), entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (Course) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("provider", Provider.Type).Ref("courses").Unique().Required(),
		edge.From("qualification", Qualification.Type).Ref("courses").Unique().Required(),
		edge.To("placements", Placement.Type).Annotations(entgql.RelayConnection()),
		edge.To("referrals", Referral.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Foreign keys are not indexed by PostgreSQL itself; search and the
// provider and qualification pages walk these edges.
func (Course) Indexes() []ent.Index {
	return []ent.Index{index.Edges("provider"), index.Edges("qualification")}
}

func (Course) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
