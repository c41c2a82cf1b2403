package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Postcode is a postcode unit's location on the British National Grid,
// loaded from Code-Point Open or the ONS Postcode Directory.
type Postcode struct{ ent.Schema }

func (Postcode) Fields() []ent.Field {
	return []ent.Field{
		field.String("postcode").Unique().NotEmpty().Comment(`normalised, e.g. "NG7 2QQ"`),
		field.String("outward").NotEmpty().Comment(`the district, e.g. "NG7"`),
		field.Int("easting"),
		field.Int("northing"),
		field.Bool("terminated").Default(false),
	}
}

// The district average (search's fallback) reads only these columns.
func (Postcode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("outward", "easting", "northing")}
}

func (Postcode) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
