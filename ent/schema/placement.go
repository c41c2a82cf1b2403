package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/outcome"
	"github.com/apnet/apnet/internal/timetable"
)

// Placement is a learner attending one course for a period, on a weekly pattern.
type Placement struct{ ent.Schema }

func (Placement) Fields() []ent.Field {
	return []ent.Field{
		field.Time("start_date").Annotations(entgql.Type("Date"), entgql.OrderField("START_DATE")),
		field.Time("end_date").Annotations(entgql.Type("Date"), entgql.OrderField("END_DATE")),
		field.JSON("sessions", []timetable.Session{}).
			Comment("the weekly session pattern the learner attends").
			Annotations(entgql.Type("[WeeklySession!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("status").Values("PLANNED", "ACTIVE", "COMPLETED", "ENDED_EARLY").Default("PLANNED").
			Annotations(entgql.OrderField("STATUS")),
		field.Bool("la_arranged").Default(false).
			Comment("the local authority arranged the provision: attendance is coded K, not B"),
		field.Text("ended_reason").Optional().Nillable().Comment("why a placement ended early"),
		field.Time("ended_on").Optional().Nillable().Annotations(entgql.Type("Date")),
		field.Bool("qualification_entered").Optional().Nillable().
			Comment("the learner was entered for the course's qualification"),
		field.Bool("qualification_achieved").Optional().Nillable(),
		field.String("qualification_grade").Optional().Nillable(),
		field.Enum("destination").GoType(outcome.Destination("")).Optional().Nillable().
			Annotations(entgql.Type("Destination")),
	}
}

func (Placement) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("learner", Learner.Type).Ref("placements").Unique().Required(),
		edge.From("course", Course.Type).Ref("placements").Unique().Required(),
		edge.To("marks", AttendanceMark.Type).Annotations(entgql.RelayConnection()),
		edge.To("alerts", Alert.Type).Annotations(entgql.RelayConnection()),
		edge.To("progress_updates", ProgressUpdate.Type).Annotations(entgql.RelayConnection()),
		edge.From("referral", Referral.Type).Ref("placement").Unique().
			Comment("the referral the placement was made from"),
	}
}

func (Placement) Indexes() []ent.Index {
	return []ent.Index{index.Edges("learner"), index.Edges("course")}
}

func (Placement) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
