package graph

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/search"
)

// MaxFilterText is the longest string any list filter takes: the same
// limit as searchProviders' text filters.
const MaxFilterText = search.MaxFilterText

// FilterTextLimit refuses an operation, before any resolver runs, when a
// string anywhere in a WhereInput argument (nameContainsFold, titleContains,
// emailIn, … and those nested in and/or/not/has…With) is longer than
// MaxFilterText: BAD_USER_INPUT naming the argument path and the limit.
// Every such string becomes a SQL pattern or parameter, and SQLite refuses a
// LIKE pattern over 50,000 bytes, so a huge one was an internal error.
//
// It checks the whole operation up front rather than each field as it
// resolves, because a connection's nested where (qualifications { … courses(
// where: …) }) is applied by the parent's query, before the nested field's
// resolver would run. One check covers every generated WhereInput, present
// and future, instead of one per field.
type FilterTextLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = FilterTextLimit{}

// ExtensionName names the extension in gqlgen's list.
func (FilterTextLimit) ExtensionName() string { return "FilterTextLimit" }

// Validate accepts any schema.
func (FilterTextLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext runs after parsing and validation, before execution.
func (FilterTextLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	w := filterWalker{doc: opCtx.Doc, vars: opCtx.Variables, seen: map[string]bool{}}
	path := w.selectionSet(opCtx.Operation.SelectionSet)
	if path == "" {
		return nil
	}
	e := apierr.Invalid(path, "%s may be at most %d characters", path, MaxFilterText)
	err := gqlerror.Errorf("%s", e.Message)
	errcode.Set(err, string(e.Code))
	err.Extensions["field"] = e.Field
	return err
}

type filterWalker struct {
	doc  *ast.QueryDocument
	vars map[string]any
	seen map[string]bool // fragments already checked (and cycles cut)
}

// selectionSet returns the path of the first over-long filter string in ss
// (fields, inline fragments and spread fragments), or "".
func (w filterWalker) selectionSet(ss ast.SelectionSet) string {
	for _, sel := range ss {
		var p string
		switch s := sel.(type) {
		case *ast.Field:
			if p = w.arguments(s); p == "" {
				p = w.selectionSet(s.SelectionSet)
			}
		case *ast.InlineFragment:
			p = w.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			if w.seen[s.Name] || w.doc == nil {
				continue
			}
			w.seen[s.Name] = true
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				p = w.selectionSet(f.SelectionSet)
			}
		}
		if p != "" {
			return p
		}
	}
	return ""
}

func (w filterWalker) arguments(f *ast.Field) string {
	if f.Definition == nil {
		return ""
	}
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil || def.Type == nil || !strings.HasSuffix(def.Type.Name(), "WhereInput") || arg.Value == nil {
			continue
		}
		v, err := arg.Value.Value(w.vars)
		if err != nil {
			continue // gqlgen's own argument coercion reports it
		}
		if p := longString(arg.Name, v); p != "" {
			return p
		}
	}
	return ""
}

// longString returns the path of the first string in v longer than
// MaxFilterText, or "".
func longString(path string, v any) string {
	switch v := v.(type) {
	case string:
		if utf8.RuneCountInString(v) > MaxFilterText {
			return path
		}
	case map[string]any:
		for k, x := range v {
			if p := longString(path+"."+k, x); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range v {
			if p := longString(path+"["+strconv.Itoa(i)+"]", x); p != "" {
				return p
			}
		}
	}
	return ""
}
