package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/apnet/apnet/internal/register"
)

// AttendanceRevision is one version of an AttendanceMark, kept so that every
// change to a register entry stays attributable. Rows are only ever added.
type AttendanceRevision struct{ ent.Schema }

func (AttendanceRevision) Fields() []ent.Field {
	return []ent.Field{
		field.Int("version").Positive().Immutable().Annotations(entgql.OrderField("VERSION")),
		field.Enum("status").GoType(register.Status("")).Immutable().Annotations(entgql.Type("AttendanceStatus")),
		field.Enum("absence_reason").GoType(register.AbsenceReason("")).Optional().Nillable().Immutable().
			Annotations(entgql.Type("AbsenceReason")),
		field.Int("minutes_late").Default(0).Immutable(),
		field.String("code").Default("").Immutable(),
		field.Text("note").Default("").Immutable(),
		field.String("recorded_by").NotEmpty().Immutable(),
		field.Time("recorded_at").Immutable().Annotations(entgql.OrderField("RECORDED_AT")),
		field.String("change_reason").Default("").Immutable().Comment("why an amendment was made; empty for the first version"),
	}
}

func (AttendanceRevision) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("mark", AttendanceMark.Type).Ref("history").Unique().Required().Immutable(),
	}
}

func (AttendanceRevision) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}
