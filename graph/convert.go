package graph

import (
	"math"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/apnet/apnet/graph/model"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/search"
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// roundMiles rounds a distance to a tenth of a mile for display: the grid
// coordinates are good to a few metres at best, and a school wants "1.2
// miles", not 1.2427423844746679.
func roundMiles(m float64) float64 { return math.Round(m*10) / 10 }

// searchConnection shapes a search result as a Relay connection. Matches
// come sorted by their exact distance; each is shown rounded (roundMiles),
// so two at "1.2" miles stay nearest first.
func searchConnection(res *search.Result) *model.ProviderSearchConnection {
	conn := &model.ProviderSearchConnection{
		TotalCount: res.TotalCount,
		PageInfo:   &entgql.PageInfo[int]{HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage},
		Edges:      make([]*model.ProviderSearchEdge, len(res.Matches)),
	}
	for i := range res.Matches {
		m := res.Matches[i] // a copy: the distance shown is rounded, the order stays the exact one
		if d := m.DistanceMiles; d != nil {
			r := roundMiles(*d)
			m.DistanceMiles = &r
		}
		conn.Edges[i] = &model.ProviderSearchEdge{Node: &m, Cursor: search.CursorFor(m)}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	if o := res.Origin; o != nil {
		conn.Origin = &model.SearchOrigin{Postcode: o.Postcode, District: o.District, Precision: model.LocationPrecision(o.Precision)}
		if o.Message != "" {
			conn.Origin.Message = &o.Message
		}
	}
	return conn
}

// newPlacement turns the GraphQL input into the referral service's form.
func newPlacement(in model.CreatePlacementInput) referral.NewPlacement {
	p := referral.NewPlacement{ReferralID: in.ReferralID, Start: in.StartDate, End: in.EndDate}
	for _, s := range in.Sessions {
		p.Sessions = append(p.Sessions, *s)
	}
	if in.LaArranged != nil {
		p.LAArranged = *in.LaArranged
	}
	return p
}

func ending(in model.EndPlacementInput) referral.Ending {
	return referral.Ending{
		PlacementID: in.PlacementID, EndedEarly: in.How == model.PlacementEndEndedEarly, Reason: deref(in.Reason),
		EndedOn: in.EndedOn, QualificationEntered: in.QualificationEntered, Achieved: in.QualificationAchieved,
		Grade: deref(in.QualificationGrade), Destination: in.Destination,
	}
}

func progress(in model.PostProgressUpdateInput) referral.Progress {
	return referral.Progress{
		PlacementID: in.PlacementID, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd,
		Academic: in.AcademicRating, AcademicNarrative: in.AcademicNarrative,
		Personal: in.PersonalRating, PersonalNarrative: in.PersonalNarrative,
		English: in.EnglishRating, EnglishNarrative: deref(in.EnglishNarrative),
		Maths: in.MathsRating, MathsNarrative: deref(in.MathsNarrative),
	}
}

// DocumentPath is where a document is downloaded (internal/server serves it).
func DocumentPath(id int) string { return "/documents/" + strconv.Itoa(id) }
