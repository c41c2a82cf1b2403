package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/outcome"
)

// ProgressUpdate is a provider's regular report on a placement. Attendance
// and punctuality over the period are computed from the marks, never typed.
type ProgressUpdate struct{ ent.Schema }

func (ProgressUpdate) Fields() []ent.Field {
	return []ent.Field{
		field.Time("period_start").Immutable().Annotations(entgql.Type("Date")),
		field.Time("period_end").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("PERIOD_END")),
		field.Enum("academic_rating").GoType(outcome.Rating("")).Immutable().Annotations(entgql.Type("ProgressRating")),
		field.Text("academic_narrative").Immutable(),
		field.Enum("personal_rating").GoType(outcome.Rating("")).Immutable().Annotations(entgql.Type("ProgressRating")),
		field.Text("personal_narrative").Immutable(),
		field.Enum("english_rating").GoType(outcome.Rating("")).Immutable().Annotations(entgql.Type("ProgressRating")),
		field.Text("english_narrative").Default("").Immutable(),
		field.Enum("maths_rating").GoType(outcome.Rating("")).Immutable().Annotations(entgql.Type("ProgressRating")),
		field.Text("maths_narrative").Default("").Immutable(),
		field.Int("sessions_possible").Immutable().Comment("marked sessions in the period that count as possible"),
		field.Int("sessions_attended").Immutable().Comment("present, late before the register closed, or approved off-site"),
		field.Int("sessions_late").Immutable(),
		field.Float("attendance_percent").Optional().Nillable().Immutable(),
		field.Float("punctuality_percent").Optional().Nillable().Immutable().
			Comment("attended sessions without a late arrival, in percent"),
		field.String("posted_by").NotEmpty().Immutable(),
		field.Time("posted_at").Immutable().Annotations(entgql.OrderField("POSTED_AT")),
	}
}

func (ProgressUpdate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("placement", Placement.Type).Ref("progress_updates").Unique().Required().Immutable(),
	}
}

func (ProgressUpdate) Indexes() []ent.Index { return []ent.Index{index.Edges("placement")} }

func (ProgressUpdate) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
