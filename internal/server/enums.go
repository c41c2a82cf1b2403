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

// EnumVariables refuses, before anything runs, a variable that gives an enum
// value not spelled exactly as the schema spells it: `"level_2"` for
// LEVEL_2, or a number.
//
// gqlparser checks enum values in variables case-insensitively, so such a
// value passes validation and then fails in the enum type's UnmarshalGQL
// (ent's generated enums, entgql's OrderDirection, apnet's own) with a plain
// error the error presenter cannot tell from an internal fault. Checking
// every variable here, against its declared type and every input object and
// list inside it, covers every enum input of every operation in one place.
// Enum literals written in the query itself are checked exactly by
// validation already.
type EnumVariables struct {
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &EnumVariables{}

// ExtensionName names the extension in gqlgen's list.
func (*EnumVariables) ExtensionName() string { return "EnumVariables" }

// Validate keeps the schema the variables are checked against.
func (e *EnumVariables) Validate(es graphql.ExecutableSchema) error {
	e.schema = es.Schema()
	return nil
}

// MutateOperationContext runs after validation and variable coercion, before execution.
func (e *EnumVariables) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil || e.schema == nil {
		return nil
	}
	for _, def := range opCtx.Operation.VariableDefinitions {
		v, ok := opCtx.Variables[def.Variable]
		if !ok {
			continue
		}
		if err := e.check(def.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(def.Variable)}); err != nil {
			errcode.Set(err, string(apierr.BadUserInput))
			return err
		}
	}
	return nil
}

func (e *EnumVariables) check(t *ast.Type, v any, path ast.Path) *gqlerror.Error {
	if v == nil || t == nil {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok { // a single value where a list is expected is coerced to a list of one
			return e.check(t.Elem, v, path)
		}
		for i, item := range list {
			if err := e.check(t.Elem, item, append(path[:len(path):len(path)], ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := e.schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		s, ok := v.(string)
		if ok && def.EnumValues.ForName(s) != nil {
			return nil
		}
		allowed := make([]string, len(def.EnumValues))
		for i, ev := range def.EnumValues {
			allowed[i] = ev.Name
		}
		shown := fmt.Sprint(v)
		if ok {
			shown = fmt.Sprintf("%q", s)
		}
		return gqlerror.ErrorPathf(path, "%s is not a valid %s: use one of %s (exactly, in capitals)",
			shown, def.Name, strings.Join(allowed, ", "))
	case ast.InputObject:
		fields, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for _, f := range def.Fields {
			if fv, ok := fields[f.Name]; ok {
				if err := e.check(f.Type, fv, append(path[:len(path):len(path)], ast.PathName(f.Name))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
