package graph

import (
	"github.com/apnet/apnet/graph/model"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/register"
)

// entry turns a GraphQL mark into the attendance service's form.
func entry(placementID int, in *model.MarkInput) attendance.Entry {
	e := attendance.Entry{PlacementID: placementID, Mark: register.Mark{Status: in.Status}}
	if in.AbsenceReason != nil {
		e.Mark.Reason = *in.AbsenceReason
	}
	if in.MinutesLate != nil {
		e.Mark.MinutesLate = *in.MinutesLate
	}
	if in.Note != nil {
		e.Note = *in.Note
	}
	if in.AmendmentReason != nil {
		e.AmendmentReason = *in.AmendmentReason
	}
	return e
}
