package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
)

// InputChecks refuses, before any resolver runs, an operation whose inputs
// break a rule that gqlparser's validation does not know: each check is a
// visitor over every value the operation gives (enumSpelling, mutationText,
// filterText). It checks the whole operation up front, not each field as it
// resolves, because a nested connection's where is applied by its parent's
// query, before the nested field's resolver would run.
type InputChecks struct {
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &InputChecks{}

// ExtensionName names the extension in gqlgen's list.
func (*InputChecks) ExtensionName() string { return "InputChecks" }

// Validate keeps the schema the inputs are walked against, and refuses one
// with a mutation String input that has no limit.
func (c *InputChecks) Validate(es graphql.ExecutableSchema) error {
	c.schema = es.Schema()
	if missing := unlimitedStrings(c.schema); len(missing) > 0 {
		return fmt.Errorf("InputChecks: no text limit for %v", missing)
	}
	return nil
}

// inputChecks are the checks InputChecks applies, the first to find a fault
// anywhere in the operation speaking.
var inputChecks = [...]func(input) *gqlerror.Error{enumSpelling, mutationText, filterText}

// MutateOperationContext runs after validation and variable coercion, before
// execution. One walk of the operation gives every value to every check,
// and the first fault of the earliest check in inputChecks is reported, so
// which fault is reported does not depend on where the faults stand in it.
func (c *InputChecks) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil || c.schema == nil {
		return nil
	}
	var first [len(inputChecks)]*gqlerror.Error
	walkInputs(c.schema, opCtx, func(in input) *gqlerror.Error {
		for i, check := range inputChecks {
			if first[i] != nil {
				continue
			}
			if first[i] = check(in); first[i] != nil && i == 0 {
				return first[i] // nothing found later can take precedence
			}
		}
		return nil
	})
	for _, err := range first {
		if err != nil {
			return err
		}
	}
	return nil
}

// input is one value an operation gives: an argument of a field, or an input
// object's field or a list's item inside one. A list's items keep the
// list's arg, owner and name.
type input struct {
	field *ast.Field              // the selected field the argument is given to
	arg   *ast.ArgumentDefinition // that argument
	owner *ast.Definition         // the input object declaring name; nil for the argument itself
	name  string                  // the argument or input object field
	def   *ast.Definition         // the value's type, lists unwrapped
	value any                     // never nil
	// path leads from the argument: where.or[0].nameContainsFold.
	path ast.Path
	// variable leads from the variable the value came in, when it came in
	// one: variable.in.courses[0].
	variable ast.Path
}

// at is in one step further in: a list's item or an input object's field.
func (in input) at(step ast.PathElement) input {
	in.path = append(in.path[:len(in.path):len(in.path)], step)
	if in.variable != nil {
		in.variable = append(in.variable[:len(in.variable):len(in.variable)], step)
	}
	return in
}

// refuse is e reported at path; the error presenter gives it e's code and field.
func refuse(e *apierr.Error, path ast.Path) *gqlerror.Error {
	return &gqlerror.Error{Err: e, Message: e.Message, Path: path}
}

// walkInputs calls visit with every argument of every field the operation
// selects, at any depth and in fragments (each fragment once; @skip and
// @include are not evaluated), and with every input object field and list
// item inside each, in schema order, literals and variables alike. It
// returns the first error visit does.
func walkInputs(s *ast.Schema, opCtx *graphql.OperationContext, visit func(input) *gqlerror.Error) *gqlerror.Error {
	w := inputWalker{schema: s, doc: opCtx.Doc, vars: opCtx.Variables, visit: visit, seen: map[string]bool{}}
	return w.selectionSet(opCtx.Operation.SelectionSet)
}

type inputWalker struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	visit  func(input) *gqlerror.Error
	seen   map[string]bool // fragments already walked (and cycles cut)
}

func (w *inputWalker) selectionSet(ss ast.SelectionSet) *gqlerror.Error {
	for _, sel := range ss {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if err = w.arguments(s); err == nil {
				err = w.selectionSet(s.SelectionSet)
			}
		case *ast.InlineFragment:
			err = w.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			if w.seen[s.Name] || w.doc == nil {
				continue
			}
			w.seen[s.Name] = true
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				err = w.selectionSet(f.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *inputWalker) arguments(f *ast.Field) *gqlerror.Error {
	if f.Definition == nil {
		return nil
	}
	for _, def := range f.Definition.Arguments {
		a := f.Arguments.ForName(def.Name)
		if a == nil || a.Value == nil {
			continue
		}
		v, err := a.Value.Value(w.vars)
		if err != nil {
			continue // gqlgen's own argument coercion reports it
		}
		in := input{field: f, arg: def, name: def.Name, path: ast.Path{ast.PathName(def.Name)}}
		if err := w.value(in, def.Type, a.Value, v); err != nil {
			return err
		}
	}
	return nil
}

// value walks v, of type typ. lit is v as the query writes it, until the
// walk enters a variable's value.
func (w *inputWalker) value(in input, typ *ast.Type, lit *ast.Value, v any) *gqlerror.Error {
	if lit != nil && lit.Kind == ast.Variable {
		in.variable, lit = ast.Path{ast.PathName("variable"), ast.PathName(lit.Raw)}, nil
	}
	if v == nil || typ == nil {
		return nil
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok { // a single value where a list is expected is coerced to a list of one
			return w.value(in, typ.Elem, lit, v)
		}
		for i, item := range list {
			var itemLit *ast.Value
			if lit != nil && i < len(lit.Children) {
				itemLit = lit.Children[i].Value
			}
			if err := w.value(in.at(ast.PathIndex(i)), typ.Elem, itemLit, item); err != nil {
				return err
			}
		}
		return nil
	}
	if in.def = w.schema.Types[typ.NamedType]; in.def == nil {
		return nil
	}
	in.value = v
	if err := w.visit(in); err != nil {
		return err
	}
	fields, ok := v.(map[string]any)
	if in.def.Kind != ast.InputObject || !ok {
		return nil
	}
	for _, fd := range in.def.Fields {
		fv, ok := fields[fd.Name]
		if !ok {
			continue
		}
		var fieldLit *ast.Value
		if lit != nil {
			fieldLit = lit.Children.ForName(fd.Name)
		}
		item := in.at(ast.PathName(fd.Name))
		item.owner, item.name = in.def, fd.Name
		if err := w.value(item, fd.Type, fieldLit, fv); err != nil {
			return err
		}
	}
	return nil
}
