// Package scalar holds apnet's custom GraphQL scalars.
package scalar

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/apnet/apnet/internal/apierr"
)

const dateLayout = "2006-01-02"

// MarshalDate writes a calendar date as "2006-01-02".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(dateLayout)))
	})
}

// UnmarshalDate reads "2006-01-02" into midnight UTC, the form dates are stored in.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apierr.Invalid("date", "a date must be a string like 2026-09-07, not %T", v)
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, apierr.Invalid("date", "%q is not a date in the form YYYY-MM-DD", s)
	}
	return t, nil
}
