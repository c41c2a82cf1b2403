package server

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
)

// enumSpelling refuses an enum value, sent in a variable, that is not
// spelled exactly as the schema spells it: `"level_2"` for LEVEL_2, or a
// number.
//
// gqlparser checks enum values in variables case-insensitively, so such a
// value passes validation and then fails in the enum type's UnmarshalGQL
// (ent's generated enums, entgql's OrderDirection, apnet's own) with a plain
// error the error presenter cannot tell from an internal fault. Enum
// literals written in the query itself are checked exactly by validation
// already.
func enumSpelling(in input) *gqlerror.Error {
	if in.variable == nil || in.def.Kind != ast.Enum {
		return nil
	}
	s, ok := in.value.(string)
	if ok && in.def.EnumValues.ForName(s) != nil {
		return nil
	}
	allowed := make([]string, len(in.def.EnumValues))
	for i, ev := range in.def.EnumValues {
		allowed[i] = ev.Name
	}
	shown := fmt.Sprint(in.value)
	if ok {
		shown = fmt.Sprintf("%q", s)
	}
	return refuse(apierr.New(apierr.BadUserInput, "%s is not a valid %s: use one of %s (exactly, in capitals)",
		shown, in.def.Name, strings.Join(allowed, ", ")), in.variable)
}
