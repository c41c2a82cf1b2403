package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/apnet/apnet/internal/register"
)

// AttendanceMark is the current mark for one placement, date and half-day session.
// Every version, the first included, is kept as an AttendanceRevision.
type AttendanceMark struct{ ent.Schema }

func (AttendanceMark) Fields() []ent.Field {
	return []ent.Field{
		field.Int("placement_id").Immutable(),
		field.Time("date").Immutable().Annotations(entgql.Type("Date"), entgql.OrderField("DATE")),
		field.Enum("session").Values("AM", "PM").Immutable().Annotations(entgql.OrderField("SESSION")),
		field.Enum("status").GoType(register.Status("")).Annotations(entgql.Type("AttendanceStatus"), entgql.OrderField("STATUS")),
		field.Enum("absence_reason").GoType(register.AbsenceReason("")).Optional().Nillable().
			Annotations(entgql.Type("AbsenceReason")),
		field.Int("minutes_late").Default(0).Min(0),
		field.String("code").Default("").
			Comment("the code the home school enters in its register (reg. 10, 2024 regulations); empty when not a provider session"),
		field.Text("note").Default(""),
		field.String("recorded_by").NotEmpty().Comment("id of whoever recorded the current version"),
		field.Time("recorded_at").Annotations(entgql.OrderField("RECORDED_AT")),
		field.Int("version").Default(1).Positive(),
	}
}

func (AttendanceMark) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("placement", Placement.Type).Ref("marks").Field("placement_id").Unique().Required().Immutable(),
		edge.To("history", AttendanceRevision.Type).Annotations(entgql.RelayConnection()),
		edge.To("alerts", Alert.Type).Annotations(entgql.RelayConnection()),
	}
}

func (AttendanceMark) Indexes() []ent.Index {
	// One mark per placement, date and session: a second register for the same session must amend, not add.
	return []ent.Index{index.Fields("placement_id", "date", "session").Unique(), index.Fields("date")}
}

func (AttendanceMark) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
