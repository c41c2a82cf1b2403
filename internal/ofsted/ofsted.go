// Package ofsted holds Ofsted's four-point grading scale (DOMAIN.md,
// quality), used by the partnership's evaluation visits.
package ofsted

import (
	"io"
	"slices"
	"strconv"

	"github.com/apnet/apnet/internal/apierr"
)

// Grade is a judgement on Ofsted's four-point scale.
type Grade string

const (
	Outstanding         Grade = "OUTSTANDING"
	Good                Grade = "GOOD"
	RequiresImprovement Grade = "REQUIRES_IMPROVEMENT"
	Inadequate          Grade = "INADEQUATE"
)

// Values returns every grade, best first; ent uses it for the enum column.
func (Grade) Values() []string {
	return []string{string(Outstanding), string(Good), string(RequiresImprovement), string(Inadequate)}
}

// AtLeastGood reports whether g is GOOD or OUTSTANDING: what approval needs
// of teaching and learning (DOMAIN.md: teaching that is at least good).
func (g Grade) AtLeastGood() bool { return g == Outstanding || g == Good }

func (g Grade) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(g))) }

func (g *Grade) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !slices.Contains(g.Values(), s) {
		return apierr.Invalid("grade", "%v is not one of %v", v, g.Values())
	}
	*g = Grade(s)
	return nil
}
