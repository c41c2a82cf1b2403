package scalar

import (
	"encoding/json"
	"io"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/apnet/apnet/internal/apierr"
)

// MarshalID writes an id as a GraphQL ID string.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(strconv.Itoa(id))) })
}

// UnmarshalID reads an id given as a string or a number. A malformed one is
// the caller's mistake, answered without echoing it: people paste all sorts
// into id fields, and it must not reach the logs either.
func UnmarshalID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int:
		return v, nil
	case int64:
		return int(v), nil
	}
	id, err := strconv.Atoi(s)
	if err != nil || id < 0 {
		return 0, apierr.Invalid("id", "not a valid id: ids are the numbers apnet returns")
	}
	return id, nil
}

// MarshalCursor writes a page cursor.
func MarshalCursor(c entgql.Cursor[int]) graphql.Marshaler { return c }

// UnmarshalCursor reads a page cursor; a malformed one is BAD_USER_INPUT, not echoed.
func UnmarshalCursor(v any) (entgql.Cursor[int], error) {
	var c entgql.Cursor[int]
	if err := c.UnmarshalGQL(v); err != nil {
		return c, apierr.Invalid("cursor", "not a valid cursor: use one from a previous page, or none to start again")
	}
	return c, nil
}
