package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
)

// DepthLimit rejects an operation whose fields nest more than Max deep,
// before any resolver runs. Complexity limits bound breadth; this bounds the
// child→parent→child chains a graph of people and places invites.
//
// Depth counts fields: `{ a }` is 1, `{ a { b { c } } }` is 3. Fragment
// spreads and inline fragments add nothing themselves; their fields count
// where they are spread. Meta-fields (__typename, __schema, __type) and
// everything under them count 0: __typename is what clients add to every
// selection, so it must not change the verdict, and introspection depth is
// already bounded by gqlparser's MaxIntrospectionDepth rule (and introspection
// is off in production); counting it would reject GraphiQL's own schema query.
// @skip and @include are ignored, so a skipped field still counts.
type DepthLimit struct {
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName names the extension in gqlgen's list.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate refuses a limit that would reject every operation.
func (d DepthLimit) Validate(graphql.ExecutableSchema) error {
	if d.Max < 1 {
		return fmt.Errorf("DepthLimit.Max must be at least 1, got %d", d.Max)
	}
	return nil
}

// MutateOperationContext runs after parsing and validation, before execution.
func (d DepthLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	depth, cyclic := operationDepth(opCtx.Doc, opCtx.Operation)
	var err *gqlerror.Error
	switch {
	case cyclic:
		err = gqlerror.Errorf("query's fragments spread each other in a cycle")
	case depth > d.Max:
		err = gqlerror.Errorf("query is nested %d levels deep; the limit is %d", depth, d.Max)
	default:
		return nil
	}
	errcode.Set(err, string(apierr.BadUserInput))
	return err
}

// operationDepth returns op's field depth. Each fragment's depth is worked
// out once and reused, so a document that spreads fragments many times over
// costs time linear in its size, not exponential. cyclic reports a fragment
// reached from itself: validation rejects that first, but the walk must not
// depend on it to terminate.
func operationDepth(doc *ast.QueryDocument, op *ast.OperationDefinition) (depth int, cyclic bool) {
	w := depthWalker{doc: doc, memo: map[string]int{}, visiting: map[string]bool{}}
	depth = w.selectionSet(op.SelectionSet)
	return depth, w.cyclic
}

type depthWalker struct {
	doc      *ast.QueryDocument
	memo     map[string]int  // fragment name → depth of its selection set
	visiting map[string]bool // fragments on the current path
	cyclic   bool
}

// selectionSet returns the depth of the deepest field chain in set.
func (w *depthWalker) selectionSet(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch sel := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(sel.Name, "__") {
				continue
			}
			d = 1 + w.selectionSet(sel.SelectionSet)
		case *ast.InlineFragment:
			d = w.selectionSet(sel.SelectionSet)
		case *ast.FragmentSpread:
			d = w.fragment(sel)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

func (w *depthWalker) fragment(spread *ast.FragmentSpread) int {
	name := spread.Name
	if d, ok := w.memo[name]; ok {
		return d
	}
	if w.visiting[name] {
		w.cyclic = true
		return 0
	}
	def := spread.Definition // set by validation
	if def == nil && w.doc != nil {
		def = w.doc.Fragments.ForName(name)
	}
	if def == nil {
		return 0 // unknown fragment: validation reports it
	}
	w.visiting[name] = true
	d := w.selectionSet(def.SelectionSet)
	delete(w.visiting, name)
	w.memo[name] = d
	return d
}
