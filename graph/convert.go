package graph

import (
	"entgo.io/contrib/entgql"
	"github.com/apnet/apnet/graph/model"
	"github.com/apnet/apnet/internal/attendance"
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

// searchConnection shapes a search result as a Relay connection.
func searchConnection(res *search.Result) *model.ProviderSearchConnection {
	conn := &model.ProviderSearchConnection{
		TotalCount: res.TotalCount,
		PageInfo:   &entgql.PageInfo[int]{HasNextPage: res.HasNextPage, HasPreviousPage: res.HasPreviousPage},
		Edges:      make([]*model.ProviderSearchEdge, len(res.Matches)),
	}
	for i := range res.Matches {
		m := &res.Matches[i]
		conn.Edges[i] = &model.ProviderSearchEdge{Node: m, Cursor: search.CursorFor(*m)}
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
