package server

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// listCoercingCache is the parsed-query cache, and so the one place every
// parsed and validated document passes before any request executes it
// (gqlgen adds a document to the cache, then runs it). Add rewrites the
// document in place: every literal argument value given where the schema
// expects a list becomes a list of that one value.
//
// That is GraphQL's input coercion for lists (a single value for a list
// type is a list of one), which gqlgen already applies to the arguments
// resolvers receive and to variables. entgql's eager loading, though, reads
// the raw argument values from the document (ent/gql_collection.go): a
// single orderBy object, as in marks(orderBy: {field: DATE, direction:
// DESC}), is not a []any there, so the nested list was loaded unordered
// and the order silently ignored. Making the document itself say [ … ]
// fixes every such reader at once.
type listCoercingCache struct {
	graphql.Cache[*ast.QueryDocument]
}

func (c listCoercingCache) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	coerceLists(doc)
	c.Cache.Add(ctx, key, doc)
}

// coerceLists wraps each single value given for a list type, in every
// operation and fragment of doc, in a list of one.
func coerceLists(doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		coerceSelections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		coerceSelections(f.SelectionSet)
	}
}

func coerceSelections(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				coerceValue(a.Value)
			}
			coerceSelections(s.SelectionSet)
		case *ast.InlineFragment:
			coerceSelections(s.SelectionSet)
		}
	}
}

// coerceValue coerces v and the values inside it (input object fields,
// list items). Variables are coerced with the request's variables
// (listVariables).
func coerceValue(v *ast.Value) {
	if v == nil {
		return
	}
	for _, c := range v.Children {
		coerceValue(c.Value)
	}
	t := v.ExpectedType
	if t == nil || t.Elem == nil {
		return
	}
	switch v.Kind {
	case ast.ListValue, ast.Variable, ast.NullValue:
		return
	}
	one := *v
	one.ExpectedType = t.Elem
	coerceValue(&one) // a list of lists: [[T]] given T is [[T]]
	*v = ast.Value{Kind: ast.ListValue, Position: v.Position, Definition: v.Definition, ExpectedType: t,
		ExpectedTypeHasDefault: v.ExpectedTypeHasDefault,
		Children:               ast.ChildValueList{{Value: &one, Position: v.Position}}}
}

// listVariables is the same repair for variables. gqlparser coerces a single
// variable value given for a list type into a typed slice (a
// []map[string]any for one orderBy object), which entgql's raw reading
// does not recognise either (it expects []any). Each request's coerced
// variables are its own, so they are rewritten in place: every slice, at
// any depth, becomes a []any.
type listVariables struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = listVariables{}

func (listVariables) ExtensionName() string                   { return "ListVariables" }
func (listVariables) Validate(graphql.ExecutableSchema) error { return nil }

func (listVariables) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	for k, v := range oc.Variables {
		oc.Variables[k] = anySlices(v)
	}
	return nil
}

// anySlices returns v with every slice in it a []any.
func anySlices(v any) any {
	switch x := v.(type) {
	case nil, string, []byte:
		return v
	case []any:
		for i := range x {
			x[i] = anySlices(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = anySlices(x[k])
		}
		return x
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return v
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = anySlices(rv.Index(i).Interface())
	}
	return out
}
