package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/referral"
)

// The walk-through over GraphQL: a school submits a referral, the
// partnership returns it once and then forwards it, the provider (told
// live) accepts, a pre-visit is recorded, the SQA is signed by both sides,
// the placement starts, a mark and a progress update reach the school's
// subscriptions live, and the placement ends with an outcome.
func TestReferralToOutcomeOverGraphQL(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	monday := w.Monday.Format(time.DateOnly)
	l := e.db.Learner.Create().SetUpn(upn(t, 4242)).SetFirstName("Alex").SetLastName("Reid").
		SetDateOfBirth(w.Monday.AddDate(-15, 0, 0)).SetYearGroup(10).SetSchool(w.SchoolA).SaveX(sys)

	school := e.open(t, e.schoolA)
	if got := school.start(t, "status", `subscription($s: ID!) { referralStatusChanged(schoolID: $s) { referral { id status } transition { from to reason } } }`,
		map[string]any{"s": w.SchoolA.ID}); got != nil {
		t.Fatalf("status subscription refused: %v", got)
	}
	if got := school.start(t, "progress", `subscription($s: ID!) { progressPosted(schoolID: $s) { academicRating sessionsAttended attendancePercent } }`,
		map[string]any{"s": w.SchoolA.ID}); got != nil {
		t.Fatalf("progress subscription refused: %v", got)
	}
	prov := e.open(t, e.provider)
	if got := prov.start(t, "fwd", `subscription($p: ID!) { referralForwarded(providerID: $p) { id status learnerSnapshot { upn } } }`,
		map[string]any{"p": w.Provider.ID}); got != nil {
		t.Fatalf("forwarded subscription refused: %v", got)
	}
	// A school may not follow a provider's forwards, nor another school's referrals.
	if got := e.open(t, e.schoolB).start(t, "x", `subscription($s: ID!) { referralStatusChanged(schoolID: $s) { referral { id } } }`,
		map[string]any{"s": w.SchoolA.ID}); len(got) != 1 || got[0] != "FORBIDDEN" {
		t.Fatalf("school B following school A: %v", got)
	}
	wantStatus := func(to string) {
		t.Helper()
		_, r := school.data(t)
		var ev struct {
			ReferralStatusChanged struct{ Transition struct{ To string } }
		}
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if got := ev.ReferralStatusChanged.Transition.To; got != to {
			t.Fatalf("school told %s, want %s", got, to)
		}
	}

	var created struct {
		CreateReferral struct {
			ID int `json:"id,string"`
		}
	}
	data(t, e.schoolA, `mutation($l: ID!, $f: ReferralFormInput!) { createReferral(learnerID: $l, form: $f) { id } }`,
		map[string]any{"l": l.ID, "f": map[string]any{
			"education":  map[string]any{"currentEnglish": "3", "currentMaths": "2"},
			"attendance": map[string]any{"thisYearPercent": 72.5, "sessionsMissed": 40},
			"exclusions": []any{map[string]any{"kind": "SUSPENSION", "date": "2026-02-02", "days": 1.5, "reason": "fighting"}},
			"send":       map[string]any{"provision": "EHCP", "primaryNeed": "SEMH", "secondaryNeed": "SLCN"},
			"social":     map[string]any{"lookedAfter": true},
			"agencies":   []any{map[string]any{"kind": "YOUTH_JUSTICE", "contactName": "Pat Lee", "email": "pat@example.org"}},
			"reason":     "needs a practical route", "atRisk": []any{"CRIMINAL_EXPLOITATION"},
			"qualificationsRequired": "Level 1 construction",
			"preference":             map[string]any{"vocationalArea": "Construction", "daysPerWeek": 2},
		}}, &created)
	id := created.CreateReferral.ID
	wantStatus("DRAFT")
	// An unknown SEN type code is refused by the schema.
	if r := do(t, e.schoolA, `mutation($id: ID!) { updateReferral(id: $id, form: {send: {provision: SEN_SUPPORT, primaryNeed: ADHD}}) { id } }`,
		map[string]any{"id": id}); len(r.Errors) == 0 {
		t.Fatal("an unknown SEN type code was accepted")
	}
	// NSA is for SEN support only.
	wantCode(t, do(t, e.schoolA, `mutation($id: ID!) { updateReferral(id: $id, form: {reason: "r", send: {provision: EHCP, primaryNeed: NSA}}) { id } }`,
		map[string]any{"id": id}), "BAD_USER_INPUT")

	step := func(c *gqlclient.Client, query string, vars map[string]any, to string) {
		t.Helper()
		data(t, c, query, vars, nil)
		wantStatus(to)
	}
	idv := map[string]any{"id": id}
	step(e.schoolA, `mutation($id: ID!) { submitReferral(id: $id) { id } }`, idv, "SUBMITTED")
	// The provider cannot see it yet.
	countFor := func(c *gqlclient.Client) int {
		var list struct{ Referrals struct{ TotalCount int } }
		data(t, c, `{ referrals { totalCount } }`, nil, &list)
		return list.Referrals.TotalCount
	}
	if n := countFor(e.provider); n != 0 {
		t.Fatalf("the provider sees %d referrals before any is forwarded", n)
	}
	if n := countFor(e.schoolB); n != 0 {
		t.Fatalf("school B sees %d of school A's referrals", n)
	}
	step(e.qa, `mutation($id: ID!) { returnReferral(id: $id, reasons: ["add last year's attendance"]) { id } }`, idv, "RETURNED")
	msg := wantCode(t, do(t, e.qa, `mutation($id: ID!) { checkReferral(id: $id) { id } }`, idv), "CONFLICT")
	if !strings.Contains(msg, "is returned") {
		t.Fatalf("conflict does not name the state: %s", msg)
	}
	data(t, e.schoolA, `mutation($id: ID!) { updateReferral(id: $id, form: {reason: "needs a practical route", qualificationsRequired: "Level 1 construction", send: {provision: EHCP, primaryNeed: SEMH}, attendance: {thisYearPercent: 72.5, lastYearPercent: 88}}) { id } }`, idv, nil)
	step(e.schoolA, `mutation($id: ID!) { submitReferral(id: $id) { id } }`, idv, "SUBMITTED")
	step(e.qa, `mutation($id: ID!) { checkReferral(id: $id) { id } }`, idv, "CHECKED")
	step(e.admin, `mutation($id: ID!, $c: ID!) { forwardReferral(id: $id, courseID: $c) { id } }`,
		map[string]any{"id": id, "c": w.Course.ID}, "FORWARDED")
	_, fwd := prov.data(t)
	if !strings.Contains(string(fwd.Data), l.Upn) {
		t.Fatalf("the provider was told %s", fwd.Data)
	}
	if n := countFor(e.provider); n != 1 {
		t.Fatalf("the provider sees %d referrals once one is forwarded", n)
	}
	// The provider reads the form, special-category sections included, and the read is audited.
	var seen struct {
		Node struct {
			Send struct{ Provision, PrimaryNeed string }
		}
	}
	data(t, e.provider, `query($id: ID!) { node(id: $id) { ... on Referral { send { provision primaryNeed } learner { upn } school { name } } } }`, idv, &seen)
	if seen.Node.Send.PrimaryNeed != "SEMH" {
		t.Fatalf("the provider read %+v", seen)
	}
	reads := e.auditEvents(t, map[string]any{"action": "READ_SPECIAL_CATEGORY", "entity": "Referral"})
	if len(reads) != 1 || reads[0].EntityID != id || !slices.Equal(reads[0].Fields, []string{"send"}) {
		t.Fatalf("special-category reads of the referral: %+v", reads)
	}

	step(e.provider, `mutation($id: ID!) { acceptReferral(id: $id) { id } }`, idv, "ACCEPTED")
	step(e.schoolA, `mutation($id: ID!, $d: Date!) { recordPreVisit(id: $id, input: {date: $d, schoolStaffAttended: true, parentOrCarerAttended: true, learnerAttended: true, needsIdentified: "ear defenders", courseRequirements: "boots"}) { id } }`,
		map[string]any{"id": id, "d": monday}, "PRE_VISIT_HELD")

	// The SQA: refused until both sides have signed.
	year := referral.AcademicYearOf(w.Monday)
	_, yearEnd, _ := referral.AcademicYear(year)
	end := w.Monday.AddDate(0, 0, 27)
	if end.After(yearEnd) {
		end = yearEnd
	}
	place := map[string]any{"in": map[string]any{"referralID": id, "startDate": monday, "endDate": end.Format(time.DateOnly),
		"sessions": []any{map[string]any{"weekday": "MONDAY", "start": "09:00", "end": "12:00"}}}}
	const createPlacement = `mutation($in: CreatePlacementInput!) { createPlacement(input: $in) { id status } }`
	if msg := wantCode(t, do(t, e.admin, createPlacement, place), "CONFLICT"); !strings.Contains(msg, "Safeguarding and Quality Agreement") {
		t.Fatalf("refusal without an SQA: %s", msg)
	}
	var sqa struct {
		CreateAgreement struct {
			ID int `json:"id,string"`
		}
	}
	data(t, e.admin, `mutation($s: ID!, $p: ID!, $y: String!) { createAgreement(input: {schoolID: $s, providerID: $p, academicYear: $y, termsVersion: "2026.1"}) { id } }`,
		map[string]any{"s": w.SchoolA.ID, "p": w.Provider.ID, "y": year}, &sqa)
	sign := `mutation($a: ID!, $side: AgreementSide!) { signAgreement(input: {agreementID: $a, side: $side, name: "N", role: "R"}) { status } }`
	data(t, e.schoolA, sign, map[string]any{"a": sqa.CreateAgreement.ID, "side": "SCHOOL"}, nil)
	var signed struct{ SignAgreement struct{ Status string } }
	data(t, e.provider, sign, map[string]any{"a": sqa.CreateAgreement.ID, "side": "PROVIDER"}, &signed)
	if signed.SignAgreement.Status != "ACTIVE" {
		t.Fatalf("signed by both: %s", signed.SignAgreement.Status)
	}
	var placed struct {
		CreatePlacement struct {
			ID int `json:"id,string"`
		}
	}
	data(t, e.admin, createPlacement, place, &placed)
	wantStatus("PLACED")
	pid := placed.CreatePlacement.ID
	data(t, e.provider, `mutation($id: ID!) { startPlacement(id: $id) { status } }`, map[string]any{"id": pid}, nil)

	e.record(t, pid, map[string]any{"status": "PRESENT"})
	data(t, e.provider, `mutation($in: PostProgressUpdateInput!) { postProgressUpdate(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"placementID": pid, "periodStart": monday, "periodEnd": monday,
			"academicRating": "GOOD", "academicNarrative": "first unit", "personalRating": "EXCELLENT", "personalNarrative": "punctual",
			"englishRating": "SATISFACTORY", "mathsRating": "CONCERN"}}, nil)
	_, pr := school.data(t)
	var prog struct {
		ProgressPosted struct {
			AcademicRating    string
			SessionsAttended  int
			AttendancePercent float64
		}
	}
	if err := json.Unmarshal(pr.Data, &prog); err != nil {
		t.Fatal(err)
	}
	if p := prog.ProgressPosted; p.AcademicRating != "GOOD" || p.SessionsAttended != 1 || p.AttendancePercent != 100 {
		t.Fatalf("the school was told %+v", p)
	}

	var ended struct {
		EndPlacement struct {
			Status                string
			QualificationAchieved bool
			Destination           string
		}
	}
	data(t, e.provider, `mutation($in: EndPlacementInput!) { endPlacement(input: $in) { status qualificationAchieved destination } }`,
		map[string]any{"in": map[string]any{"placementID": pid, "how": "COMPLETED", "endedOn": monday,
			"qualificationEntered": true, "qualificationAchieved": true, "qualificationGrade": "Pass", "destination": "FURTHER_EDUCATION"}}, &ended)
	if x := ended.EndPlacement; x.Status != "COMPLETED" || !x.QualificationAchieved || x.Destination != "FURTHER_EDUCATION" {
		t.Fatalf("ended: %+v", x)
	}
}

// A draft has no snapshot and no pre-visit yet: both read as null, not as a
// zero record (whose zero time would fail a non-null field).
func TestDraftReferralHasNoSnapshotYet(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	var created struct {
		CreateReferral struct {
			ID int `json:"id,string"`
		}
	}
	data(t, e.schoolA, `mutation($l: ID!, $f: ReferralFormInput!) { createReferral(learnerID: $l, form: $f) { id } }`,
		map[string]any{"l": e.w.Learners[0].ID, "f": map[string]any{"reason": "draft"}}, &created)
	r := do(t, e.schoolA, `query($id: ID!) { node(id: $id) { ... on Referral { learnerSnapshot { takenAt upn } preVisit { date } } } }`,
		map[string]any{"id": created.CreateReferral.ID})
	if len(r.Errors) > 0 || string(r.Data) != `{"node":{"learnerSnapshot":null,"preVisit":null}}` {
		t.Fatalf("draft: %+v %s", r.Errors, r.Data)
	}
}

// A preferred course or provider must be one: another record's id is refused.
func TestReferralPreferenceMustExist(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	create := `mutation($l: ID!, $f: ReferralFormInput!) { createReferral(learnerID: $l, form: $f) { id } }`
	for _, pref := range []map[string]any{{"courseID": e.w.Learners[0].ID}, {"providerID": e.w.SchoolA.ID}} {
		wantCode(t, do(t, e.schoolA, create, map[string]any{"l": e.w.Learners[0].ID, "f": map[string]any{"reason": "x", "preference": pref}}), "BAD_USER_INPUT")
	}
	data(t, e.schoolA, create, map[string]any{"l": e.w.Learners[0].ID, "f": map[string]any{"reason": "x",
		"preference": map[string]any{"courseID": e.w.Course.ID, "providerID": e.w.Provider.ID}}}, nil)
}
