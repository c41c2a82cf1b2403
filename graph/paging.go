package graph

import (
	"context"
	"reflect"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/apnet/apnet/graph/generated"
	"github.com/apnet/apnet/graph/model"
	"github.com/apnet/apnet/internal/apierr"
)

// Page sizes for every list. A list asked for without first or last gets
// DefaultPage items; more than MaxPage at once is refused, so no single
// query can pull a whole table (or a table per row of another).
const (
	DefaultPage = 50
	MaxPage     = 100
)

// PageSize is a field middleware applying DefaultPage and MaxPage to every
// connection field (any field with first and last arguments).
func PageSize(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil ||
		fc.Field.Definition.Arguments.ForName("first") == nil || fc.Field.Definition.Arguments.ForName("last") == nil {
		return next(ctx)
	}
	first, _ := fc.Args["first"].(*int)
	last, _ := fc.Args["last"].(*int)
	switch {
	case first == nil && last == nil:
		n := DefaultPage
		fc.Args["first"] = &n
	case first != nil && *first > MaxPage, last != nil && *last > MaxPage:
		return nil, apierr.Invalid("first", "at most %d items per page; use the cursors for more", MaxPage)
	}
	return next(ctx)
}

// pageComplexity makes every list's complexity its page size times its
// items', so the complexity limit bounds the rows a query can reach, not
// just its field count. Connection fields are found by their signature
// (after, first, before, last), so new ones are covered without listing them.
func pageComplexity(c *generated.ComplexityRoot) {
	cursor := reflect.TypeOf((*entgql.Cursor[int])(nil))
	intPtr := reflect.TypeOf((*int)(nil))
	root := reflect.ValueOf(c).Elem()
	for i := range root.NumField() {
		obj := root.Field(i)
		if obj.Kind() != reflect.Struct {
			continue
		}
		for j := range obj.NumField() {
			f := obj.Field(j)
			t := f.Type()
			if t.Kind() != reflect.Func || t.NumIn() < 5 ||
				t.In(1) != cursor || t.In(2) != intPtr || t.In(3) != cursor || t.In(4) != intPtr {
				continue
			}
			f.Set(reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
				n := pageOf(args[2].Interface().(*int), args[4].Interface().(*int))
				return []reflect.Value{reflect.ValueOf(1 + int(args[0].Int())*n)}
			}))
		}
	}
	c.Query.SearchProviders = func(child int, _ *model.ProviderSearchFilter, first *int, _ *entgql.Cursor[int]) int {
		return 1 + child*pageOf(first, nil)
	}
}

func pageOf(first, last *int) int {
	switch {
	case first != nil:
		return max(*first, 1)
	case last != nil:
		return max(*last, 1)
	}
	return DefaultPage
}
