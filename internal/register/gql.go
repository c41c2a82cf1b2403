package register

import (
	"io"
	"slices"
	"strconv"

	"github.com/apnet/apnet/internal/apierr"
)

// The register's enums are GraphQL enums too (ent binds them to its columns,
// gqlgen to the API); these methods let gqlgen read and write them.

func (s Status) MarshalGQL(w io.Writer)           { marshalEnum(w, s) }
func (s *Status) UnmarshalGQL(v any) error        { return unmarshalEnum(v, s, "status") }
func (r AbsenceReason) MarshalGQL(w io.Writer)    { marshalEnum(w, r) }
func (r *AbsenceReason) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, "absenceReason") }
func (k AlertKind) MarshalGQL(w io.Writer)        { marshalEnum(w, k) }
func (k *AlertKind) UnmarshalGQL(v any) error     { return unmarshalEnum(v, k, "kind") }

type enum interface {
	~string
	Values() []string
}

func marshalEnum[T enum](w io.Writer, v T) { _, _ = io.WriteString(w, strconv.Quote(string(v))) }

func unmarshalEnum[T enum](v any, dst *T, field string) error {
	s, _ := v.(string)
	if !slices.Contains((*dst).Values(), s) {
		return apierr.Invalid(field, "%v is not one of %v", v, (*dst).Values())
	}
	*dst = T(s)
	return nil
}
