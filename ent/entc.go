//go:build ignore

// entc generates the ent client and, through entgql, the GraphQL types,
// connections, WhereInputs and orderings in graph/ent.graphqls.
// Run from the module root: go generate ./... (see generate.go).
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("graph/ent.graphqls"),
		entgql.WithWhereInputs(true),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "github.com/apnet/apnet/ent",
		Features: []gen.Feature{
			gen.FeatureGlobalID, // node(id:) resolves the type from the id's range
			gen.FeaturePrivacy,  // row-level rules live in ent policies (internal/access)
			gen.FeatureUpsert,   // idempotent imports
			gen.FeatureModifier, // custom joins: the attendance service loads a placement with its learner and school in one query
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
