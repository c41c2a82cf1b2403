package server_test

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/alert"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
)

// Fixture UPNs: learners 0 and 1 attend school A, learner 2 school B.
const (
	upnA0 = "B801200005001"
	upnA1 = "Q801200005002"
	upnB2 = "E801200005003"
)

// upnsIn collects every "upn" value anywhere in a JSON document, sorted.
func upnsIn(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "upn" {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return slices.Compact(out)
}

// valuesOf collects every value of key anywhere in a JSON document, sorted and distinct.
func valuesOf(t *testing.T, raw json.RawMessage, key string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == key {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return slices.Compact(out)
}

func sorted(s ...string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func wantStrings(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, sorted(want...)) {
		t.Errorf("%s: got %v, want %v", what, got, sorted(want...))
	}
}

// query runs an operation that must succeed and returns its raw data.
func query(t *testing.T, c *gqlclient.Client, q string, vars map[string]any) json.RawMessage {
	t.Helper()
	r := do(t, c, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", q, r.Errors)
	}
	return r.Data
}

const nestedPlacements = `{ providers(first: 30) { edges { node { name courses(first: 10) { edges { node {
  placements(first: 10) { edges { node { learner { upn } } } } } } } } } } }`

func TestCrossTenantReadsAreDenied(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.w
		other := e.addOtherProvider(t)
		upnOther := other.learner.Upn
		// Marks and alerts in both schools.
		e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
		e.record(t, w.Placements[2].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
		alertB := e.db.Alert.Query().Where(alert.HasSchoolWith(school.ID(w.SchoolB.ID))).OnlyIDX(sys)

		t.Run("node(id:) of school B's learner", func(t *testing.T) {
			r := do(t, e.schoolA, `query($id: ID!) { node(id: $id) { id ... on Learner { upn } } }`, map[string]any{"id": w.Learners[2].ID})
			wantCode(t, r, "NOT_FOUND")
			if string(r.Data) != `{"node":null}` {
				t.Fatalf("data %s", r.Data)
			}
			r = do(t, e.schoolA, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": alertB})
			wantCode(t, r, "NOT_FOUND")
			// The same learner is there for its own school.
			wantStrings(t, "school B's own view", upnsIn(t, query(t, e.schoolB,
				`query($id: ID!) { node(id: $id) { ... on Learner { upn } } }`, map[string]any{"id": w.Learners[2].ID})), upnB2)
		})

		t.Run("filters", func(t *testing.T) {
			var out struct {
				Learners struct {
					TotalCount int
					Edges      []any
				}
			}
			data(t, e.schoolA, `query($u: String!) { learners(where: {upn: $u}) { totalCount edges { node { upn } } } }`,
				map[string]any{"u": upnB2}, &out)
			if out.Learners.TotalCount != 0 || len(out.Learners.Edges) != 0 {
				t.Fatalf("school A found school B's learner by UPN: %+v", out)
			}
			// Filtering through an edge to the other school finds nothing either.
			raw := query(t, e.schoolA, `query($s: ID!) {
			  learners(where: {hasSchoolWith: {id: $s}}) { totalCount edges { node { upn } } }
			  alerts(where: {hasSchoolWith: {id: $s}}) { totalCount }
			  placements(where: {hasLearnerWith: {upn: "`+upnB2+`"}}) { totalCount } }`, map[string]any{"s": w.SchoolB.ID})
			if string(raw) != `{"learners":{"totalCount":0,"edges":[]},"alerts":{"totalCount":0},"placements":{"totalCount":0}}` {
				t.Fatalf("filtering on school B: %s", raw)
			}
		})

		t.Run("nested edges", func(t *testing.T) {
			// Partnership: the whole world, so the checks below are not vacuous.
			wantStrings(t, "admin", upnsIn(t, query(t, e.admin, nestedPlacements, nil)), upnA0, upnA1, upnB2, upnOther)
			wantStrings(t, "school A staff", upnsIn(t, query(t, e.schoolA, nestedPlacements, nil)), upnA0, upnA1, upnOther)
			wantStrings(t, "school B staff", upnsIn(t, query(t, e.schoolB, nestedPlacements, nil)), upnB2)
			// The other provider's staff see the fixture provider and its
			// course (the directory is public to staff) but none of its placements.
			wantStrings(t, "other provider's staff", upnsIn(t, query(t, other.staff, nestedPlacements, nil)), upnOther)
			var out struct {
				Providers struct {
					Edges []struct {
						Node struct {
							Name    string
							Courses struct {
								Edges []struct {
									Node struct {
										Placements struct{ Edges []any }
									}
								}
							}
						}
					}
				}
			}
			data(t, other.staff, nestedPlacements, nil, &out)
			seen := false
			for _, p := range out.Providers.Edges {
				if p.Node.Name != w.Provider.Name {
					continue
				}
				seen = true
				if len(p.Node.Courses.Edges) == 0 {
					t.Fatal("the fixture provider's course is not visible: the check below would be vacuous")
				}
				for _, c := range p.Node.Courses.Edges {
					if n := len(c.Node.Placements.Edges); n != 0 {
						t.Errorf("other provider's staff see %d of the fixture provider's placements", n)
					}
				}
			}
			if !seen {
				t.Fatal("the fixture provider is not in the directory")
			}
			// Back up the tree from a learner: school and the learner's alerts.
			wantStrings(t, "school A via placements→learner→school", valuesOf(t, query(t, e.schoolA,
				`{ placements { edges { node { learner { school { urn } alerts { edges { node { school { urn } } } } } } } } }`, nil), "urn"),
				w.SchoolA.Urn)
		})

		t.Run("lists", func(t *testing.T) {
			lists := `{
			  alerts { edges { node { learner { upn } school { urn } } } }
			  attendanceMarks { edges { node { placement { learner { upn school { urn } } } } } }
			  placements { edges { node { learner { upn school { urn } } } } }
			  schools { edges { node { urn } } }
			  learners { edges { node { upn } } } }`
			type lists_ struct {
				Alerts, AttendanceMarks, Placements, Schools, Learners json.RawMessage
			}
			var all, a, b lists_
			data(t, e.admin, lists, nil, &all)
			data(t, e.schoolA, lists, nil, &a)
			data(t, e.schoolB, lists, nil, &b)
			// The partnership sees both schools' rows.
			wantStrings(t, "admin alerts", upnsIn(t, all.Alerts), upnA0, upnB2)
			wantStrings(t, "admin marks", upnsIn(t, all.AttendanceMarks), upnA0, upnB2)
			wantStrings(t, "admin schools", valuesOf(t, all.Schools, "urn"), w.SchoolA.Urn, w.SchoolB.Urn)
			// Each school only its own.
			wantStrings(t, "school A alerts", upnsIn(t, a.Alerts), upnA0)
			wantStrings(t, "school A alert schools", valuesOf(t, a.Alerts, "urn"), w.SchoolA.Urn)
			wantStrings(t, "school A marks", upnsIn(t, a.AttendanceMarks), upnA0)
			wantStrings(t, "school A placements", upnsIn(t, a.Placements), upnA0, upnA1, upnOther)
			wantStrings(t, "school A placement schools", valuesOf(t, a.Placements, "urn"), w.SchoolA.Urn)
			wantStrings(t, "school A schools", valuesOf(t, a.Schools, "urn"), w.SchoolA.Urn)
			wantStrings(t, "school A learners", upnsIn(t, a.Learners), upnA0, upnA1, upnOther)
			wantStrings(t, "school B alerts", upnsIn(t, b.Alerts), upnB2)
			wantStrings(t, "school B marks", upnsIn(t, b.AttendanceMarks), upnB2)
			wantStrings(t, "school B schools", valuesOf(t, b.Schools, "urn"), w.SchoolB.Urn)
			wantStrings(t, "school B learners", upnsIn(t, b.Learners), upnB2)
		})

		t.Run("providers see only learners placed with them", func(t *testing.T) {
			q := `{ learners { edges { node { upn } } } placements { edges { node { learner { upn } } } }
			  alerts { edges { node { learner { upn } } } } schools { edges { node { urn } } } }`
			raw := query(t, e.provider, q, nil)
			wantStrings(t, "fixture provider", upnsIn(t, raw), upnA0, upnA1, upnB2)
			wantStrings(t, "fixture provider's schools", valuesOf(t, raw, "urn"), w.SchoolA.Urn, w.SchoolB.Urn)
			raw = query(t, other.staff, q, nil)
			wantStrings(t, "other provider", upnsIn(t, raw), upnOther)
			wantStrings(t, "other provider's schools", valuesOf(t, raw, "urn"), w.SchoolA.Urn)
			r := do(t, other.staff, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": w.Learners[0].ID})
			wantCode(t, r, "NOT_FOUND")
		})

		t.Run("subscribing to another school", func(t *testing.T) {
			s := e.open(t, e.schoolA)
			for id, q := range map[string]string{"att": subAttendance, "alert": subAlerts} {
				if got := s.start(t, id, q, map[string]any{"s": w.SchoolB.ID}); !slices.Equal(got, []string{"FORBIDDEN"}) {
					t.Errorf("%s of school B: got %v, want FORBIDDEN", id, got)
				}
			}
		})
	})
}

func TestCrossTenantWritesAreDenied(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.w
		other := e.addOtherProvider(t)
		e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
		alertA := e.db.Alert.Query().OnlyIDX(sys)

		// School A staff cannot change or add school B's learners.
		r := do(t, e.schoolA, `mutation($id: ID!) { updateLearner(id: $id, input: {yearGroup: 11}) { id } }`,
			map[string]any{"id": w.Learners[2].ID})
		wantCode(t, r, "NOT_FOUND")
		if yg := e.db.Learner.GetX(sys, w.Learners[2].ID).YearGroup; yg != 10 {
			t.Fatalf("school B's learner's year group changed to %d", yg)
		}
		r = do(t, e.schoolA, `mutation($u: String!, $s: ID!) { createLearner(input: {upn: $u, firstName: "X", lastName: "Y", dateOfBirth: "2011-01-01", yearGroup: 10, schoolID: $s}) { id } }`,
			map[string]any{"u": upn(t, 8001), "s": w.SchoolB.ID})
		wantCode(t, r, "FORBIDDEN")
		if n := e.db.Learner.Query().CountX(sys); n != 4 {
			t.Fatalf("%d learners after a refused create, want 4", n)
		}
		// School B staff cannot acknowledge school A's alert.
		r = do(t, e.schoolB, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, map[string]any{"id": alertA})
		wantCode(t, r, "NOT_FOUND")
		// Another provider cannot mark this provider's placement, singly or by register.
		r = do(t, other.staff, recordMark, map[string]any{"p": w.Placements[1].ID, "d": w.Monday.Format(time.DateOnly), "s": "AM",
			"m": map[string]any{"status": "PRESENT"}})
		wantCode(t, r, "NOT_FOUND") // the placement is not among the ones it can see
		r = do(t, other.staff, `mutation($in: RecordRegisterInput!) { recordRegister(input: $in) { created } }`,
			map[string]any{"in": map[string]any{"courseID": w.Course.ID, "date": w.Monday.Format(time.DateOnly), "session": "AM",
				"entries": []any{map[string]any{"placementID": w.Placements[1].ID, "mark": map[string]any{"status": "PRESENT"}}}}})
		wantCode(t, r, "NOT_FOUND") // the placement is not among the ones it can see
		if n := e.db.AttendanceMark.Query().CountX(sys); n != 1 {
			t.Fatalf("%d marks, want only the fixture's 1", n)
		}
	})
}

// A partnership subscriber follows every school; a school subscriber only
// its own (the per-subscriber filter is in TestSubscriptionsDeliverMarkAndAlert).
func TestPartnershipSubscriberReceivesEverySchool(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.w
		for _, c := range []*gqlclient.Client{e.admin, e.qa} {
			s := e.open(t, c)
			for _, sch := range []struct {
				name string
				id   int
			}{{"A", w.SchoolA.ID}, {"B", w.SchoolB.ID}} {
				if got := s.start(t, "att"+sch.name, subAttendance, map[string]any{"s": sch.id}); got != nil {
					t.Fatalf("attendance of school %s refused: %v", sch.name, got)
				}
				if got := s.start(t, "alert"+sch.name, subAlerts, map[string]any{"s": sch.id}); got != nil {
					t.Fatalf("alerts of school %s refused: %v", sch.name, got)
				}
			}
			defer func(s *socket) {
				got := map[string][]string{}
				for len(got) < 4 {
					id, r := s.data(t)
					got[id] = upnsIn(t, r.Data)
				}
				want := map[string][]string{"attA": {upnA0}, "alertA": {upnA0}, "attB": {upnB2}, "alertB": {upnB2}}
				for id, upns := range want {
					if !slices.Equal(got[id], upns) {
						t.Errorf("%s: got %v, want %v", id, got[id], upns)
					}
				}
			}(s)
		}
		e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
		e.record(t, w.Placements[2].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	})
}
