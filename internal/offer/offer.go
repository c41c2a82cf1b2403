// Package offer describes what a provider applying to the partnership says
// it offers, before any Course row exists. It stays free of ent so the
// schema can store it as JSON.
package offer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/timetable"
)

// Course is one course an applicant offers: a qualification (by Ofqual
// number), its weekly days and times, places and where it is delivered.
type Course struct {
	QualificationNumber string              `json:"qualificationNumber"`
	Sessions            []timetable.Session `json:"sessions"`
	Places              int                 `json:"places"`
	DeliveryPostcode    string              `json:"deliveryPostcode"`
}

// Normalize validates cs (the field prefix names them in errors) and stores
// qualification numbers and postcodes in their one form.
func Normalize(field string, cs []Course) ([]Course, error) {
	out := make([]Course, len(cs))
	for i, c := range cs {
		at := fmt.Sprintf("%s[%d]", field, i)
		n, err := ident.NormalizeQualificationNumber(c.QualificationNumber)
		if err != nil {
			return nil, apierr.Invalid(at+".qualificationNumber", "%s", err.Error())
		}
		pc, err := ident.NormalizePostcode(c.DeliveryPostcode)
		if err != nil {
			return nil, apierr.Invalid(at+".deliveryPostcode", "%s", err.Error())
		}
		if c.Places < 1 || c.Places > 500 {
			return nil, apierr.Invalid(at+".places", "places must be between 1 and 500, not %d", c.Places)
		}
		if len(c.Sessions) == 0 {
			return nil, apierr.Invalid(at+".sessions", "say which days and times the course meets")
		}
		if err := timetable.ValidateAll(c.Sessions); err != nil {
			if e, ok := apierr.As(err); ok {
				return nil, apierr.Invalid(at+"."+e.Field, "%s", e.Message)
			}
			return nil, err
		}
		out[i] = Course{QualificationNumber: n, Sessions: c.Sessions, Places: c.Places, DeliveryPostcode: pc}
		for j := range i {
			if same(out[j], out[i]) {
				return nil, apierr.Invalid(at, "course %d repeats course %d: the same qualification (%s), delivery postcode and days; give each course once, with all its places",
					i+1, j+1, n)
			}
		}
	}
	return out, nil
}

// same reports whether a and b are one course: the same qualification at the
// same place on the same weekly sessions (in any order).
func same(a, b Course) bool {
	return a.QualificationNumber == b.QualificationNumber && a.DeliveryPostcode == b.DeliveryPostcode &&
		slices.Equal(sessionKeys(a.Sessions), sessionKeys(b.Sessions))
}

func sessionKeys(ss []timetable.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%s %s-%s", s.Weekday, strings.TrimSpace(s.Start), strings.TrimSpace(s.End))
	}
	slices.Sort(out)
	return out
}
