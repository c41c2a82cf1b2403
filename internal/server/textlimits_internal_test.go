package server

import (
	"sort"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/apnet/apnet/graph"
)

// Every String input of every mutation has a limit, and every limit belongs
// to an input that exists: a new field must be given one.
func TestEveryMutationStringHasALimit(t *testing.T) {
	s := graph.NewSchema(&graph.Resolver{}).Schema()
	if missing := unlimitedStrings(s); len(missing) > 0 {
		t.Fatalf("no limit in textLimits for %v", missing)
	}
	for key := range textLimits {
		if !inputExists(s, key) {
			t.Errorf("textLimits[%q]: no such mutation input", key)
		}
	}
}

func inputExists(s *ast.Schema, key string) bool {
	for _, f := range s.Mutation.Fields {
		for _, a := range f.Arguments {
			if f.Name+"."+a.Name == key {
				return true
			}
		}
	}
	keys := make([]string, 0, len(s.Types))
	for name, def := range s.Types {
		if def.Kind == ast.InputObject {
			for _, fd := range def.Fields {
				keys = append(keys, name+"."+fd.Name)
			}
		}
	}
	sort.Strings(keys)
	i := sort.SearchStrings(keys, key)
	return i < len(keys) && keys[i] == key
}
