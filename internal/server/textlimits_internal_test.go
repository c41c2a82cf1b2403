package server

import (
	"os"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/search"
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

// The dashboard's maxlength constants (internal/dashboard/ui/src/limits.ts)
// are the server's limits, so a form never lets through what the server
// refuses nor stops short of what it takes.
func TestDashboardLimitsMatchServer(t *testing.T) {
	src, err := os.ReadFile("../dashboard/ui/src/limits.ts")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"PERSON_NAME": personName.max, "EMAIL": email.max, "SHORT": short.max, "POSTCODE": postcode.max,
		"REASON": reason.max, "FORM_LONG": formLong.max, "LONG": long.max, "REPORT": report.max,
		"AMENDMENT_REASON": textLimits["MarkInput.amendmentReason"].max, "PASSWORD": secret.max,
		"SEARCH_TEXT": search.MaxFilterText, "PHONE": phone.max, "URL": url.max, "ADDRESS": address.max,
		"REFERENCE": reference.max, "CODE": code.max,
	}
	got := map[string]int{}
	for _, m := range regexp.MustCompile(`export const (\w+) = (\d+);`).FindAllStringSubmatch(string(src), -1) {
		got[m[1]], _ = strconv.Atoi(m[2])
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("limits.ts %s = %d, the server's limit is %d", name, got[name], n)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("limits.ts %s has no server limit to check it against here", name)
		}
	}
}
