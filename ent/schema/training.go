package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TrainingEvent is one of the partnership's courses for provider staff:
// approved providers agree to keep improving by attending them.
type TrainingEvent struct{ ent.Schema }

func (TrainingEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")),
		field.Text("description").Default(""),
		field.String("topic").Default("").Comment("e.g. safeguarding, the data system, teaching and learning"),
		field.Time("starts_at").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at"),
		field.String("location").Default(""),
		field.Int("capacity").Positive().Comment("places for provider staff"),
		field.String("created_by").NotEmpty().Immutable().Comment("actor id, e.g. user:12").Annotations(entgql.Skip()),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

func (TrainingEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("bookings", TrainingBooking.Type).Annotations(entgql.RelayConnection(), noEdgeInput),
	}
}

func (TrainingEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("starts_at")}
}

func (TrainingEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}

// TrainingBooking is a place on a training event for one member of a
// provider's staff, and whether they attended.
type TrainingBooking struct{ ent.Schema }

func (TrainingBooking) Fields() []ent.Field {
	return []ent.Field{
		field.String("attendee_name").NotEmpty(),
		field.String("attendee_email").NotEmpty().Comment("stored lower-case: one booking per person per event"),
		field.Enum("status").Values("BOOKED", "CANCELLED").Default("BOOKED").Annotations(entgql.OrderField("STATUS")),
		field.Bool("attended").Optional().Nillable().Comment("recorded by the partnership once the event has started"),
		field.Time("attendance_recorded_at").Optional().Nillable(),
		field.String("booked_by").NotEmpty().Immutable().Comment("actor id").Annotations(entgql.Skip()),
		field.Time("booked_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("BOOKED_AT")),
		field.Time("cancelled_at").Optional().Nillable(),
	}
}

func (TrainingBooking) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("event", TrainingEvent.Type).Ref("bookings").Unique().Required().Immutable(),
		edge.From("provider", Provider.Type).Ref("training_bookings").Unique().Required().Immutable(),
	}
}

func (TrainingBooking) Indexes() []ent.Index {
	return []ent.Index{index.Edges("event"), index.Edges("provider")}
}

func (TrainingBooking) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}
