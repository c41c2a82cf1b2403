package server_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/apnet/apnet/ent/auditevent"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/internal/audit"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/viewer"
)

// auditRow is an AuditEvent as the auditEvents query shows it.
type auditRow struct {
	ActorID       int
	ActorRole     string
	Action        string
	Entity        string
	EntityID      int
	Fields        []string
	ClientAddress string
}

const auditQuery = `query($w: AuditEventWhereInput) { auditEvents(where: $w, first: 100) { totalCount edges { node {
  actorID actorRole action entity entityID fields clientAddress } } } }`

// auditEvents lists the trail as the partnership admin sees it, filtered by where.
func (e *env) auditEvents(t *testing.T, where map[string]any) []auditRow {
	t.Helper()
	var out struct {
		AuditEvents struct {
			TotalCount int
			Edges      []struct{ Node auditRow }
		}
	}
	data(t, e.admin, auditQuery, map[string]any{"w": where}, &out)
	rows := make([]auditRow, 0, len(out.AuditEvents.Edges))
	for _, ed := range out.AuditEvents.Edges {
		rows = append(rows, ed.Node)
	}
	if len(rows) != out.AuditEvents.TotalCount {
		t.Fatalf("%d rows of %d: raise first", len(rows), out.AuditEvents.TotalCount)
	}
	return rows
}

// readEvents returns the ids of learners whose special-category fields
// the user has been recorded reading, sorted.
func (e *env) readEvents(t *testing.T, actorID int) []int {
	t.Helper()
	var ids []int
	for _, r := range e.auditEvents(t, map[string]any{"action": audit.ReadSpecialCategory, "actorID": actorID}) {
		if r.Entity != "Learner" || !slices.Equal(r.Fields, []string{"senStatus"}) || r.ClientAddress != "127.0.0.1" {
			t.Errorf("read event %+v", r)
		}
		ids = append(ids, r.EntityID)
	}
	sort.Ints(ids)
	return ids
}

func ids(ns ...int) []int {
	out := slices.Clone(ns)
	sort.Ints(out)
	return out
}

func TestAuditTrail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.w
		schoolUser := e.userID(t, "a@test.example")
		providerUser := e.userID(t, "p@test.example")

		t.Run("a write", func(t *testing.T) {
			var out struct{ CreateLearner struct{ ID string } }
			data(t, e.schoolA, `mutation($u: String!, $s: ID!) { createLearner(input: {upn: $u, firstName: "Audit", lastName: "Trail", dateOfBirth: "2011-04-04", yearGroup: 10, schoolID: $s}) { id } }`,
				map[string]any{"u": upn(t, 8200), "s": w.SchoolA.ID}, &out)
			id, err := strconv.Atoi(out.CreateLearner.ID)
			if err != nil {
				t.Fatal(err)
			}
			rows := e.auditEvents(t, map[string]any{"action": "CREATE", "entity": "Learner"})
			if len(rows) != 1 {
				t.Fatalf("CREATE Learner events: %+v", rows)
			}
			got := rows[0]
			if got.ActorID != schoolUser || got.ActorRole != "SCHOOL_STAFF" || got.EntityID != id || got.ClientAddress != "127.0.0.1" {
				t.Fatalf("event %+v; want actor %d, learner %d", got, id, schoolUser)
			}
			for _, f := range []string{"upn", "first_name", "last_name", "date_of_birth", "year_group"} {
				if !slices.Contains(got.Fields, f) {
					t.Errorf("fields %v lack %s", got.Fields, f)
				}
			}
			for _, f := range got.Fields {
				if f == upn(t, 8200) || f == "Audit" || f == "Trail" {
					t.Errorf("fields carry the value %q", f)
				}
			}
		})

		t.Run("an amendment", func(t *testing.T) {
			p := w.Placements[0].ID
			e.record(t, p, map[string]any{"status": "PRESENT"})
			e.record(t, p, map[string]any{"status": "ABSENT", "absenceReason": "ILLNESS", "amendmentReason": "register corrected"})
			mark := e.db.AttendanceMark.Query().OnlyIDX(sys)
			rows := e.auditEvents(t, map[string]any{"entity": "AttendanceMark", "entityID": mark})
			var actions []string
			for _, r := range rows {
				actions = append(actions, r.Action)
				if r.ActorID != providerUser || r.ActorRole != "PROVIDER_STAFF" {
					t.Errorf("mark event by %d %s, want the provider user %d", r.ActorID, r.ActorRole, providerUser)
				}
			}
			sort.Strings(actions)
			if !slices.Equal(actions, []string{"CREATE", "UPDATE"}) {
				t.Fatalf("mark events %+v", rows)
			}
			for _, r := range rows {
				if r.Action == "UPDATE" && !slices.Contains(r.Fields, "status") {
					t.Errorf("amendment fields %v lack status", r.Fields)
				}
			}
		})

		t.Run("special-category reads", func(t *testing.T) {
			if got := e.readEvents(t, schoolUser); len(got) != 0 {
				t.Fatalf("reads before any: %v", got)
			}
			// Without senStatus: nothing recorded.
			query(t, e.schoolA, `{ learners { edges { node { id upn firstName } } } }`, nil)
			if got := e.readEvents(t, schoolUser); len(got) != 0 {
				t.Fatalf("reads recorded without senStatus: %v", got)
			}
			// With it: one event for each learner returned, and only those.
			raw := query(t, e.schoolA, `query($u: [String!]) { learners(where: {upnIn: $u}) { edges { node { id senStatus } } } }`,
				map[string]any{"u": []string{upnA0, upnB2}})
			if got := valuesOf(t, raw, "senStatus"); len(got) != 1 {
				t.Fatalf("learners %s", raw)
			}
			if got := e.readEvents(t, schoolUser); !slices.Equal(got, ids(w.Learners[0].ID)) {
				t.Fatalf("reads %v, want learner 0 only", got)
			}
			// A refused node(id:) reads nothing.
			wantCode(t, do(t, e.schoolA, `query($id: ID!) { node(id: $id) { ... on Learner { senStatus } } }`,
				map[string]any{"id": w.Learners[2].ID}), "NOT_FOUND")
			// Reached through an edge, and several times in one response: once per learner.
			query(t, e.schoolA, `{ placements { edges { node { learner { senStatus } } } } a: learners { edges { node { senStatus } } } }`, nil)
			var mine []int
			for _, l := range e.db.Learner.Query().IDsX(sys) {
				if l != w.Learners[2].ID {
					mine = append(mine, l)
				}
			}
			rows := e.auditEvents(t, map[string]any{"action": audit.ReadSpecialCategory, "actorID": schoolUser})
			if len(rows) != 1+len(mine) {
				t.Fatalf("%d read events, want %d: %+v", len(rows), 1+len(mine), rows)
			}
			got := e.readEvents(t, schoolUser)
			got = slices.Compact(got)
			if !slices.Equal(got, ids(mine...)) {
				t.Fatalf("reads %v, want school A's learners %v", got, mine)
			}
		})

		t.Run("only partnership admins read the trail", func(t *testing.T) {
			for c, code := range map[*gqlclient.Client]string{
				e.qa: "FORBIDDEN", e.schoolA: "FORBIDDEN", e.provider: "FORBIDDEN", e.anon: "UNAUTHENTICATED",
			} {
				wantCode(t, do(t, c, auditQuery, map[string]any{"w": map[string]any{"action": "CREATE"}}), code)
			}
			// Nor through node(id:).
			ev := e.db.AuditEvent.Query().FirstIDX(sys)
			wantCode(t, do(t, e.qa, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ev}), "FORBIDDEN")
			// The filters filter.
			for _, where := range []map[string]any{
				{"action": "SIGN_IN"}, {"entity": "AttendanceMark"}, {"action": "UPDATE", "entity": "AttendanceMark"},
			} {
				rows := e.auditEvents(t, where)
				if len(rows) == 0 {
					t.Errorf("%v: nothing", where)
				}
				for _, r := range rows {
					if a, ok := where["action"]; ok && r.Action != a || where["entity"] != nil && r.Entity != where["entity"] {
						t.Errorf("%v: %+v", where, r)
					}
				}
			}
		})

		t.Run("append-only", func(t *testing.T) {
			before := e.db.AuditEvent.Query().CountX(sys)
			id := e.db.AuditEvent.Query().FirstIDX(sys)
			admin := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 1, Role: viewer.PartnershipAdmin})
			for name, ctx := range map[string]context.Context{"system": sys, "admin": admin} {
				for op, err := range map[string]error{
					"update":     e.db.AuditEvent.Update().Where(auditevent.ID(id)).Exec(ctx),
					"update one": e.db.AuditEvent.UpdateOneID(id).Exec(ctx),
					"delete":     func() error { _, err := e.db.AuditEvent.Delete().Exec(ctx); return err }(),
					"delete one": e.db.AuditEvent.DeleteOneID(id).Exec(ctx),
				} {
					if !errors.Is(err, privacy.Deny) {
						t.Errorf("%s %s: %v, want a privacy denial", name, op, err)
					}
				}
			}
			if after := e.db.AuditEvent.Query().CountX(sys); after != before {
				t.Fatalf("%d events, then %d", before, after)
			}
			// Inside a transaction too.
			tx, err := e.db.Tx(sys)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.AuditEvent.Delete().Exec(sys); !errors.Is(err, privacy.Deny) {
				t.Errorf("delete in a transaction: %v", err)
			}
			_ = tx.Rollback()
		})
	})
}

// A provider reads the special-category fields of a learner placed with it,
// and the read is recorded; learners not placed with it are not returned.
func TestProviderReadsPlacedLearnersSpecialCategory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := e.w
		other := e.addOtherProvider(t)
		e.db.Learner.UpdateOne(w.Learners[2]).SetSenStatus("EHCP").ExecX(sys)
		providerUser := e.userID(t, "p@test.example")

		var out struct {
			Node struct{ Upn, SenStatus string }
		}
		data(t, e.provider, `query($id: ID!) { node(id: $id) { ... on Learner { upn senStatus } } }`,
			map[string]any{"id": w.Learners[2].ID}, &out)
		if out.Node.Upn != upnB2 || out.Node.SenStatus != "EHCP" {
			t.Fatalf("provider read %+v", out)
		}
		if got := e.readEvents(t, providerUser); !slices.Equal(got, ids(w.Learners[2].ID)) {
			t.Fatalf("reads %v, want learner 2", got)
		}
		rows := e.auditEvents(t, map[string]any{"action": audit.ReadSpecialCategory, "actorID": providerUser})
		if len(rows) != 1 || rows[0].ActorRole != "PROVIDER_STAFF" {
			t.Fatalf("read event %+v", rows)
		}

		// Listing: its three placed learners, not the other provider's.
		raw := query(t, e.provider, `{ learners { edges { node { upn senStatus } } } }`, nil)
		wantStrings(t, "provider's learners", upnsIn(t, raw), upnA0, upnA1, upnB2)
		if got := e.readEvents(t, providerUser); !slices.Equal(slices.Compact(got), ids(w.Learners[0].ID, w.Learners[1].ID, w.Learners[2].ID)) {
			t.Fatalf("reads %v", got)
		}
		wantCode(t, do(t, e.provider, `query($id: ID!) { node(id: $id) { ... on Learner { senStatus } } }`,
			map[string]any{"id": other.learner.ID}), "NOT_FOUND")
		for _, id := range e.readEvents(t, providerUser) {
			if id == other.learner.ID {
				t.Fatal("a read of a learner not returned was recorded")
			}
		}
	})
}
