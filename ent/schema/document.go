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

// Document is an uploaded file: a provider's quality-assurance report or a
// partnership resource. The bytes live in the document store under
// storage_key; the row holds what is needed to check and serve them.
type Document struct{ ent.Schema }

func (Document) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().Annotations(entgql.OrderField("TITLE")),
		field.String("filename").NotEmpty().Immutable(),
		field.String("content_type").NotEmpty().Immutable(),
		field.Int64("size").NonNegative().Immutable(),
		field.String("sha256").NotEmpty().Immutable().Comment("hex SHA-256 of the content"),
		// Where the store keeps the bytes; never shown to clients.
		field.String("storage_key").NotEmpty().Immutable().Sensitive().Annotations(entgql.Skip()),
		field.Enum("category").Values(
			"COMPLIANCE_REPORT", "EVALUATION_REPORT", // a provider's QA files
			"QA_PROCESS", "DATA_SYSTEM_GUIDE", "PROGRESSION", // the resources library
			"QUALIFICATION_SUPPORT", "TRAINING_EVENTS", "TRAINING_RESOURCES",
		).Immutable().Annotations(entgql.OrderField("CATEGORY")),
		field.String("uploaded_by").NotEmpty().Immutable().Comment("actor id, e.g. user:12"),
		field.Time("uploaded_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("UPLOADED_AT")),
	}
}

func (Document) Edges() []ent.Edge {
	return []ent.Edge{
		// Set for a provider's QA files; unset for library resources.
		edge.From("provider", Provider.Type).Ref("documents").Unique().Immutable(),
	}
}

func (Document) Indexes() []ent.Index {
	return []ent.Index{index.Fields("category"), index.Edges("provider")}
}

func (Document) Annotations() []schema.Annotation {
	// documents(where:) is the partnership's view of every file; the
	// library's own query (resources) is in graph/documents.graphqls.
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder()}
}
