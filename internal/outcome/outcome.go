// Package outcome holds the enumerations of a placement's progress and end:
// progress ratings and destinations. It has no dependency on ent, so the ent
// schema can use its types as the Go types of enum fields.
package outcome

import (
	"io"
	"slices"
	"strconv"

	"github.com/apnet/apnet/internal/apierr"
)

// Rating rates academic, personal, English or maths progress over a period.
type Rating string

const (
	Excellent    Rating = "EXCELLENT"
	Good         Rating = "GOOD"
	Satisfactory Rating = "SATISFACTORY"
	Concern      Rating = "CONCERN"
)

// Values lists the ratings, for ent's enum.
func (Rating) Values() []string {
	return []string{string(Excellent), string(Good), string(Satisfactory), string(Concern)}
}

// Destination is where a learner went when the placement ended.
type Destination string

const (
	FurtherEducation Destination = "FURTHER_EDUCATION"
	Apprenticeship   Destination = "APPRENTICESHIP"
	Training         Destination = "TRAINING"
	Employment       Destination = "EMPLOYMENT"
	NEET             Destination = "NOT_IN_EDUCATION_OR_EMPLOYMENT"
	Unknown          Destination = "UNKNOWN"
)

// Values lists the destinations, for ent's enum.
func (Destination) Values() []string {
	return []string{string(FurtherEducation), string(Apprenticeship), string(Training), string(Employment), string(NEET), string(Unknown)}
}

func unmarshal[T interface {
	~string
	Values() []string
}](v any, what string) (T, error) {
	s, _ := v.(string)
	var zero T
	if slices.Contains(zero.Values(), s) {
		return T(s), nil
	}
	return zero, apierr.Invalid(what, "%v is not a valid %s", v, what)
}

func (r Rating) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }
func (r *Rating) UnmarshalGQL(v any) (err error) {
	*r, err = unmarshal[Rating](v, "rating")
	return err
}
func (d Destination) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }
func (d *Destination) UnmarshalGQL(v any) (err error) {
	*d, err = unmarshal[Destination](v, "destination")
	return err
}
