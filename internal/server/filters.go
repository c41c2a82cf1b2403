package server

import (
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/search"
)

// filterText refuses a string anywhere in a WhereInput argument
// (nameContainsFold, titleContains, emailIn, … and those nested in
// and/or/not/has…With) longer than search.MaxFilterText, the limit of
// searchProviders' text filters too. Every such string becomes a SQL pattern
// or parameter, and SQLite refuses a LIKE pattern over 50,000 bytes, so a
// huge one was an internal error. Keyed on the type's name, it covers every
// generated WhereInput, present and future.
func filterText(in input) *gqlerror.Error {
	s, ok := in.value.(string)
	if !ok || !strings.HasSuffix(in.arg.Type.Name(), "WhereInput") || utf8.RuneCountInString(s) <= search.MaxFilterText {
		return nil
	}
	name := in.path.String()
	return refuse(apierr.Invalid(name, "%s may be at most %d characters", name, search.MaxFilterText), nil)
}
