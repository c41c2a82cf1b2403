package server_test

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/viewer"
)

// anonymous is the matrix's name for a request with no token.
const anonymous viewer.Role = ""

// matrixRoles are the callers of the authorisation matrix.
var matrixRoles = []viewer.Role{
	viewer.PartnershipAdmin, viewer.QAOfficer, viewer.SchoolStaff, viewer.ProviderStaff, anonymous,
}

// expectedAccess is who may call each root field, written out here on
// purpose rather than read from internal/access: changing a rule means
// changing this table too, in review.
var expectedAccess = func() map[string][]viewer.Role {
	var (
		admin    = viewer.PartnershipAdmin
		qa       = viewer.QAOfficer
		school   = viewer.SchoolStaff
		provider = viewer.ProviderStaff
	)
	return map[string][]viewer.Role{
		"Query.node":            {admin, qa, school, provider},
		"Query.nodes":           {admin, qa, school, provider},
		"Query.me":              {admin, qa, school, provider},
		"Query.schools":         {admin, qa, school, provider},
		"Query.providers":       {admin, qa, school, provider},
		"Query.courses":         {admin, qa, school, provider},
		"Query.qualifications":  {admin, qa, school, provider},
		"Query.awardingBodies":  {admin, qa, school, provider},
		"Query.searchProviders": {admin, qa, school, provider},
		"Query.learners":        {admin, qa, school, provider},
		"Query.placements":      {admin, qa, school, provider},
		"Query.attendanceMarks": {admin, qa, school, provider},
		"Query.alerts":          {admin, qa, school, provider},
		"Query.users":           {admin},
		"Query.auditEvents":     {admin},
		"Query.referrals":       {admin, qa, school, provider},
		"Query.agreements":      {admin, qa, school, provider},
		"Query.progressUpdates": {admin, qa, school, provider},
		"Query.documents":       {admin, qa},
		"Query.resources":       {admin, qa, school, provider},
		"Query.trainingEvents":  {admin, qa, school, provider},

		"Mutation.login":               {admin, qa, school, provider, anonymous},
		"Mutation.acceptInvitation":    {admin, qa, school, provider, anonymous},
		"Mutation.logout":              {admin, qa, school, provider},
		"Mutation.inviteUser":          {admin},
		"Mutation.deactivateUser":      {admin},
		"Mutation.reinviteUser":        {admin},
		"Mutation.changeUserRole":      {admin},
		"Mutation.recordAttendance":    {admin, provider},
		"Mutation.recordRegister":      {admin, provider},
		"Mutation.acknowledgeAlert":    {admin, school},
		"Mutation.createSchool":        {admin},
		"Mutation.updateSchool":        {admin},
		"Mutation.createProvider":      {admin, qa},
		"Mutation.updateProvider":      {admin, qa},
		"Mutation.createAwardingBody":  {admin, qa},
		"Mutation.updateAwardingBody":  {admin, qa},
		"Mutation.createQualification": {admin, qa},
		"Mutation.updateQualification": {admin, qa},
		"Mutation.createLearner":       {admin, school},
		"Mutation.updateLearner":       {admin, school},

		"Mutation.createReferral":     {admin, school},
		"Mutation.updateReferral":     {admin, school},
		"Mutation.submitReferral":     {admin, school},
		"Mutation.returnReferral":     {admin, qa},
		"Mutation.checkReferral":      {admin, qa},
		"Mutation.forwardReferral":    {admin, qa},
		"Mutation.acceptReferral":     {admin, provider},
		"Mutation.declineReferral":    {admin, provider},
		"Mutation.recordPreVisit":     {admin, school, provider},
		"Mutation.withdrawReferral":   {admin, qa, school},
		"Mutation.createAgreement":    {admin, qa},
		"Mutation.signAgreement":      {admin, school, provider},
		"Mutation.revokeAgreement":    {admin, qa},
		"Mutation.createPlacement":    {admin},
		"Mutation.startPlacement":     {admin, provider},
		"Mutation.endPlacement":       {admin, provider},
		"Mutation.postProgressUpdate": {admin, provider},

		"Mutation.uploadDocument":               {admin, qa},
		"Mutation.renameDocument":               {admin, qa},
		"Mutation.deleteDocument":               {admin},
		"Mutation.createTrainingEvent":          {admin, qa},
		"Mutation.updateTrainingEvent":          {admin, qa},
		"Mutation.bookTraining":                 {admin, qa, provider},
		"Mutation.cancelTrainingBooking":        {admin, qa, provider},
		"Mutation.recordTrainingAttendance":     {admin, qa},
		"Query.applications":                    {admin, qa},
		"Query.qaWorklist":                      {admin, qa},
		"Query.checklistTemplates":              {admin, qa, school, provider},
		"Query.currentChecklist":                {admin, qa, school, provider},
		"Mutation.submitApplication":            {admin, qa, school, provider, anonymous},
		"Mutation.acceptApplication":            {admin, qa},
		"Mutation.rejectApplication":            {admin, qa},
		"Mutation.publishChecklist":             {admin, qa},
		"Mutation.recordComplianceVisit":        {admin, qa},
		"Mutation.completeComplianceAction":     {admin, qa},
		"Mutation.recordEvaluationVisit":        {admin, qa},
		"Mutation.replaceComplianceVisitReport": {admin, qa},
		"Mutation.replaceEvaluationVisitReport": {admin, qa},
		"Mutation.recordQADecision":             {admin, qa},

		"Subscription.attendanceRecorded":    {admin, qa, school},
		"Subscription.alertRaised":           {admin, qa, school},
		"Subscription.referralStatusChanged": {admin, qa, school},
		"Subscription.progressPosted":        {admin, qa, school},
		"Subscription.referralForwarded":     {admin, qa, provider},
	}
}()

// schemaOperations lists every root field of the executable schema as "Type.field".
func schemaOperations(t *testing.T) []string {
	t.Helper()
	s := graph.NewSchema(&graph.Resolver{}).Schema()
	var ops []string
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if root == nil {
			continue
		}
		for _, f := range root.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				ops = append(ops, root.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(ops)
	if len(ops) == 0 {
		t.Fatal("the schema has no operations")
	}
	return ops
}

func roleName(r viewer.Role) string {
	if r == anonymous {
		return "no token"
	}
	return string(r)
}

func sortedRoles(rs []viewer.Role) []viewer.Role {
	out := slices.Clone(rs)
	slices.Sort(out)
	return slices.Compact(out)
}

// The table itself: complete for the schema, and the same as the rules.
func TestAuthorisationTableMatchesSchemaAndRules(t *testing.T) {
	ops := schemaOperations(t)
	for _, op := range ops {
		want, ok := expectedAccess[op]
		if !ok {
			t.Errorf("%s is in the schema but not in this test's expected access table: decide who may call it", op)
			continue
		}
		// Who internal/access lets through, read both from its table and from its check.
		var table, checked []viewer.Role
		for _, r := range matrixRoles {
			for _, allowed := range access.Operations[op] {
				if allowed == r || allowed == "" {
					table = append(table, r)
					break
				}
			}
			if access.CheckOperation(viewer.Viewer{UserID: 1, Role: r}, op) == nil {
				checked = append(checked, r)
			}
		}
		if !slices.Equal(sortedRoles(want), sortedRoles(table)) {
			t.Errorf("%s: access.Operations allows %v, this test expects %v", op, sortedRoles(table), sortedRoles(want))
		}
		if !slices.Equal(sortedRoles(want), sortedRoles(checked)) {
			t.Errorf("%s: access.CheckOperation allows %v, this test expects %v", op, sortedRoles(checked), sortedRoles(want))
		}
	}
	for _, op := range slices.Sorted(maps.Keys(expectedAccess)) {
		if !slices.Contains(ops, op) {
			t.Errorf("%s is in the expected access table but not in the schema", op)
		}
	}
	for _, op := range slices.Sorted(maps.Keys(access.Operations)) {
		if !slices.Contains(ops, op) {
			t.Errorf("access.Operations has a rule for %s, which is not in the schema", op)
		}
	}
}

// matrixCase is a minimal real call of one operation.
type matrixCase struct {
	query string
	vars  func(r viewer.Role) map[string]any
	// as, when set, picks the client for a role (e.g. a fresh session to end).
	as func(t *testing.T, r viewer.Role) *gqlclient.Client
	// send, when set, makes the call instead of a JSON POST (e.g. a multipart upload).
	send func(t *testing.T, c *gqlclient.Client, query string, vars map[string]any) *gqlclient.Response
}

// Every operation × every role, over the wire: denied calls fail with
// UNAUTHENTICATED (no token) or FORBIDDEN (wrong role) and return no data;
// allowed calls get past both (NOT_FOUND, CONFLICT or BAD_USER_INPUT from a
// dummy input are fine).
func TestAuthorisationMatrix(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	email := map[viewer.Role]string{
		viewer.PartnershipAdmin: "admin@test.example", viewer.QAOfficer: "qa@test.example",
		viewer.SchoolStaff: "a@test.example", viewer.ProviderStaff: "p@test.example",
		anonymous: "a@test.example",
	}
	clients := map[viewer.Role]*gqlclient.Client{
		viewer.PartnershipAdmin: e.admin, viewer.QAOfficer: e.qa,
		viewer.SchoolStaff: e.schoolA, viewer.ProviderStaff: e.provider, anonymous: e.anon,
	}
	// Rows the mutations act on: an alert of school A, accounts to deactivate and re-role.
	e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	alertID := e.db.Alert.Query().OnlyIDX(sys)
	deactivate := e.userID(t, e.account(t, "deactivate-me@test.example", user.RoleQA_OFFICER, 0, 0))
	rerole := e.userID(t, e.account(t, "rerole-me@test.example", user.RoleQA_OFFICER, 0, 0))
	qualification := w.Course.QueryQualification().OnlyX(sys)
	body := qualification.QueryAwardingBody().OnlyIDX(sys)
	monday := w.Monday.Format(time.DateOnly)
	slug := func(r viewer.Role) string { return strings.ToLower(strings.ReplaceAll(roleName(r), " ", "-")) }
	none := func(viewer.Role) map[string]any { return nil }
	fixed := func(vars map[string]any) func(viewer.Role) map[string]any {
		return func(viewer.Role) map[string]any { return vars }
	}
	list := func(field string) matrixCase {
		return matrixCase{query: "{ " + field + " { totalCount } }", vars: none}
	}
	// A draft referral of school A, another to withdraw, and agreements to sign and revoke.
	draft := e.db.Referral.Create().SetLearnerID(w.Learners[0].ID).SetSchoolID(w.SchoolA.ID).
		SetCreatedAt(time.Now()).SetUpdatedAt(time.Now()).SaveX(sys).ID
	toWithdraw := e.db.Referral.Create().SetLearnerID(w.Learners[1].ID).SetSchoolID(w.SchoolA.ID).
		SetCreatedAt(time.Now()).SetUpdatedAt(time.Now()).SaveX(sys).ID
	agreementFor := func(year string) int {
		start, end, err := referral.AcademicYear(year)
		if err != nil {
			t.Fatal(err)
		}
		return e.db.Agreement.Create().SetSchoolID(w.SchoolA.ID).SetProviderID(w.Provider.ID).SetAcademicYear(year).
			SetStartsOn(start).SetEndsOn(end).SetTermsVersion("v1").SaveX(sys).ID
	}
	toSign, toRevoke := agreementFor(referral.AcademicYearOf(time.Now())), agreementFor("2099/00")
	// A library document to rename, one to delete, and a future event with a booking.
	docID := e.storeDocument(t, "QA_PROCESS", nil, "guide.txt", []byte("guide\n")).ID
	toDelete := e.storeDocument(t, "QA_PROCESS", nil, "delete-me.txt", []byte("delete me\n")).ID
	future := e.now().Add(72 * time.Hour)
	eventID := e.db.TrainingEvent.Create().SetTitle("Matrix event").SetStartsAt(future).SetEndsAt(future.Add(time.Hour)).
		SetCapacity(50).SetCreatedBy("system").SaveX(sys).ID
	bookingID := e.db.TrainingBooking.Create().SetEventID(eventID).SetProviderID(w.Provider.ID).
		SetAttendeeName("Booked").SetAttendeeEmail("booked@matrix.example").SetBookedBy("system").SaveX(sys).ID
	// Providers' applications in the queue: one to accept, one to reject.
	application := func() int {
		return e.db.Application.Create().SetKind("PROVIDER").SetOrganisationName("Matrix Applicant").
			SetContactName("C").SetEmail("c@test.example").SetPostcode("NG7 2QQ").SetSubmittedAt(time.Now()).SaveX(sys).ID
	}
	toAccept, toReject := application(), application()
	tomorrow := w.Monday.AddDate(0, 0, 8).Format(time.DateOnly)
	roleIndex := map[viewer.Role]int{}
	for i, r := range matrixRoles {
		roleIndex[r] = i
	}

	cases := map[string]matrixCase{
		"Query.node":            {query: `query($id: ID!) { node(id: $id) { id } }`, vars: fixed(map[string]any{"id": w.Learners[0].ID})},
		"Query.nodes":           {query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: fixed(map[string]any{"ids": []int{w.Learners[0].ID}})},
		"Query.me":              {query: `{ me { id } }`, vars: none},
		"Query.schools":         list("schools"),
		"Query.providers":       list("providers"),
		"Query.courses":         list("courses"),
		"Query.qualifications":  list("qualifications"),
		"Query.awardingBodies":  list("awardingBodies"),
		"Query.searchProviders": list("searchProviders"),
		"Query.learners":        list("learners"),
		"Query.placements":      list("placements"),
		"Query.attendanceMarks": list("attendanceMarks"),
		"Query.alerts":          list("alerts"),
		"Query.users":           list("users"),
		"Query.auditEvents":     list("auditEvents"),
		"Query.referrals":       list("referrals"),
		"Query.agreements":      list("agreements"),
		"Query.progressUpdates": list("progressUpdates"),
		"Query.documents":       list("documents"),
		"Query.resources":       list("resources"),
		"Query.trainingEvents":  list("trainingEvents"),

		"Mutation.login": {
			query: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
			vars:  func(r viewer.Role) map[string]any { return map[string]any{"e": email[r], "p": testPassword} },
		},
		"Mutation.acceptInvitation": {
			query: `mutation { acceptInvitation(token: "no-such-invitation", password: "a long enough password") { token } }`, vars: none,
		},
		"Mutation.logout": {
			query: `mutation { logout }`, vars: none,
			// A session of its own, so that ending it leaves the role's client signed in.
			as: func(t *testing.T, r viewer.Role) *gqlclient.Client {
				if r == anonymous {
					return e.anon
				}
				return e.signIn(t, email[r])
			},
		},
		"Mutation.inviteUser": {
			query: `mutation($in: InviteUserInput!) { inviteUser(input: $in) { user { id } invitationToken } }`,
			vars: func(r viewer.Role) map[string]any {
				return map[string]any{"in": map[string]any{"email": "invited-by-" + slug(r) + "@test.example", "name": "Invited", "role": "QA_OFFICER"}}
			},
		},
		"Mutation.deactivateUser": {query: `mutation($id: ID!) { deactivateUser(id: $id) { id active } }`, vars: fixed(map[string]any{"id": deactivate})},
		"Mutation.reinviteUser":   {query: `mutation($id: ID!) { reinviteUser(id: $id) { invitationToken } }`, vars: fixed(map[string]any{"id": deactivate})},
		"Mutation.changeUserRole": {
			query: `mutation($id: ID!, $s: ID) { changeUserRole(id: $id, role: SCHOOL_STAFF, schoolID: $s) { id role } }`,
			vars:  fixed(map[string]any{"id": rerole, "s": w.SchoolA.ID}),
		},
		"Mutation.recordAttendance": {
			query: recordMark,
			vars: fixed(map[string]any{"p": w.Placements[1].ID, "d": monday, "s": "AM",
				"m": map[string]any{"status": "PRESENT"}}),
		},
		"Mutation.recordRegister": {
			query: `mutation($in: RecordRegisterInput!) { recordRegister(input: $in) { created unchanged } }`,
			vars: fixed(map[string]any{"in": map[string]any{"courseID": w.Course.ID, "date": monday, "session": "AM",
				"entries": []any{map[string]any{"placementID": w.Placements[1].ID, "mark": map[string]any{"status": "PRESENT"}}}}}),
		},
		"Mutation.acknowledgeAlert": {query: `mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, vars: fixed(map[string]any{"id": alertID})},
		"Mutation.createSchool": {
			query: `mutation($urn: String!) { createSchool(input: {urn: $urn, name: "Matrix School", postcode: "NG7 2QQ"}) { id } }`,
			vars:  func(r viewer.Role) map[string]any { return map[string]any{"urn": fmt.Sprintf("20000%d", roleIndex[r])} },
		},
		"Mutation.updateSchool": {
			query: `mutation($id: ID!) { updateSchool(id: $id, input: {name: "Test Academy A"}) { id } }`,
			vars:  fixed(map[string]any{"id": w.SchoolA.ID}),
		},
		"Mutation.createProvider": {
			query: `mutation($n: String!) { createProvider(input: {name: $n, postcode: "NG1 1AA"}) { id } }`,
			vars:  func(r viewer.Role) map[string]any { return map[string]any{"n": "Matrix Provider " + slug(r)} },
		},
		"Mutation.updateProvider": {
			query: `mutation($id: ID!) { updateProvider(id: $id, input: {name: "Test Provider"}) { id } }`,
			vars:  fixed(map[string]any{"id": w.Provider.ID}),
		},
		"Mutation.createAwardingBody": {
			query: `mutation($n: String!) { createAwardingBody(input: {name: $n}) { id } }`,
			vars:  func(r viewer.Role) map[string]any { return map[string]any{"n": "Matrix Awards " + slug(r)} },
		},
		"Mutation.updateAwardingBody": {
			query: `mutation($id: ID!) { updateAwardingBody(id: $id, input: {name: "Test Awards"}) { id } }`,
			vars:  fixed(map[string]any{"id": body}),
		},
		"Mutation.createQualification": {
			// The fixture's number again: an allowed caller gets as far as CONFLICT.
			query: `mutation($b: ID!) { createQualification(input: {number: "603/2476/0", title: "Again", level: LEVEL_1, awardingBodyID: $b}) { id } }`,
			vars:  fixed(map[string]any{"b": body}),
		},
		"Mutation.updateQualification": {
			query: `mutation($id: ID!, $t: String!) { updateQualification(id: $id, input: {title: $t}) { id } }`,
			vars:  fixed(map[string]any{"id": qualification.ID, "t": qualification.Title}),
		},
		"Mutation.createLearner": {
			query: `mutation($u: String!, $s: ID!) { createLearner(input: {upn: $u, firstName: "M", lastName: "Atrix", dateOfBirth: "2011-03-03", yearGroup: 10, schoolID: $s}) { id } }`,
			vars: func(r viewer.Role) map[string]any {
				return map[string]any{"u": upn(t, 7000+roleIndex[r]), "s": w.SchoolA.ID}
			},
		},
		"Mutation.updateLearner": {
			query: `mutation($id: ID!) { updateLearner(id: $id, input: {yearGroup: 10}) { id } }`,
			vars:  fixed(map[string]any{"id": w.Learners[0].ID}),
		},

		"Mutation.createReferral": {
			query: `mutation($l: ID!) { createReferral(learnerID: $l, form: {reason: "matrix"}) { id status } }`,
			vars:  fixed(map[string]any{"l": w.Learners[0].ID}),
		},
		"Mutation.updateReferral": {
			query: `mutation($id: ID!) { updateReferral(id: $id, form: {reason: "matrix"}) { id } }`,
			vars:  fixed(map[string]any{"id": draft}),
		},
		// An incomplete draft: allowed callers get BAD_USER_INPUT.
		"Mutation.submitReferral":  {query: `mutation($id: ID!) { submitReferral(id: $id) { id } }`, vars: fixed(map[string]any{"id": draft})},
		"Mutation.returnReferral":  {query: `mutation($id: ID!) { returnReferral(id: $id, reasons: ["x"]) { id } }`, vars: fixed(map[string]any{"id": draft})},
		"Mutation.checkReferral":   {query: `mutation($id: ID!) { checkReferral(id: $id) { id } }`, vars: fixed(map[string]any{"id": draft})},
		"Mutation.forwardReferral": {query: `mutation($id: ID!, $c: ID!) { forwardReferral(id: $id, courseID: $c) { id } }`, vars: fixed(map[string]any{"id": draft, "c": w.Course.ID})},
		"Mutation.acceptReferral":  {query: `mutation($id: ID!) { acceptReferral(id: $id) { id } }`, vars: fixed(map[string]any{"id": draft})},
		"Mutation.declineReferral": {query: `mutation($id: ID!) { declineReferral(id: $id, reason: "x") { id } }`, vars: fixed(map[string]any{"id": draft})},
		"Mutation.recordPreVisit": {
			query: `mutation($id: ID!, $in: PreVisitInput!) { recordPreVisit(id: $id, input: $in) { id } }`,
			vars: fixed(map[string]any{"id": draft, "in": map[string]any{"date": monday, "schoolStaffAttended": true,
				"parentOrCarerAttended": true, "learnerAttended": true, "needsIdentified": "x", "courseRequirements": "x"}}),
		},
		"Mutation.withdrawReferral": {query: `mutation($id: ID!) { withdrawReferral(id: $id, reason: "x") { id } }`, vars: fixed(map[string]any{"id": toWithdraw})},
		"Mutation.createAgreement": {
			query: `mutation($in: CreateAgreementInput!) { createAgreement(input: $in) { id } }`,
			vars: func(r viewer.Role) map[string]any {
				return map[string]any{"in": map[string]any{"schoolID": w.SchoolA.ID, "providerID": w.Provider.ID,
					"academicYear": fmt.Sprintf("20%d/%02d", 40+roleIndex[r], 41+roleIndex[r]), "termsVersion": "v1"}}
			},
		},
		"Mutation.signAgreement": {
			query: `mutation($in: SignAgreementInput!) { signAgreement(input: $in) { id status } }`,
			vars: func(r viewer.Role) map[string]any {
				side := "SCHOOL"
				if r == viewer.ProviderStaff {
					side = "PROVIDER"
				}
				return map[string]any{"in": map[string]any{"agreementID": toSign, "side": side, "name": "N", "role": "R"}}
			},
		},
		"Mutation.revokeAgreement": {query: `mutation($id: ID!) { revokeAgreement(id: $id, reason: "x") { id } }`, vars: fixed(map[string]any{"id": toRevoke})},
		"Mutation.createPlacement": {
			query: `mutation($in: CreatePlacementInput!) { createPlacement(input: $in) { id } }`,
			vars: fixed(map[string]any{"in": map[string]any{"referralID": draft, "startDate": monday, "endDate": monday,
				"sessions": []any{map[string]any{"weekday": "MONDAY", "start": "09:00", "end": "12:00"}}}}),
		},
		"Mutation.startPlacement": {query: `mutation($id: ID!) { startPlacement(id: $id) { id } }`, vars: fixed(map[string]any{"id": w.Placements[0].ID})},
		// Ended early with no reason: allowed callers get BAD_USER_INPUT and the placement stays.
		"Mutation.endPlacement": {
			query: `mutation($in: EndPlacementInput!) { endPlacement(input: $in) { id } }`,
			vars: fixed(map[string]any{"in": map[string]any{"placementID": w.Placements[0].ID, "how": "ENDED_EARLY",
				"endedOn": monday, "qualificationEntered": false, "destination": "UNKNOWN"}}),
		},
		"Mutation.postProgressUpdate": {
			query: `mutation($in: PostProgressUpdateInput!) { postProgressUpdate(input: $in) { id attendancePercent } }`,
			vars: fixed(map[string]any{"in": map[string]any{"placementID": w.Placements[0].ID, "periodStart": monday, "periodEnd": monday,
				"academicRating": "GOOD", "academicNarrative": "x", "personalRating": "GOOD", "personalNarrative": "x",
				"englishRating": "GOOD", "mathsRating": "GOOD"}}),
		},

		"Mutation.uploadDocument": {
			query: uploadOp,
			vars: func(r viewer.Role) map[string]any {
				return map[string]any{"in": map[string]any{"title": "Matrix " + slug(r), "category": "QA_PROCESS"}}
			},
			send: func(t *testing.T, c *gqlclient.Client, q string, vars map[string]any) *gqlclient.Response {
				return e.upload(t, c, q, vars, "matrix.txt", []byte("matrix upload\n"))
			},
		},
		"Mutation.renameDocument": {query: `mutation($id: ID!) { renameDocument(id: $id, title: "Renamed") { id } }`, vars: fixed(map[string]any{"id": docID})},
		"Mutation.deleteDocument": {query: `mutation($id: ID!) { deleteDocument(id: $id) }`, vars: fixed(map[string]any{"id": toDelete})},
		"Mutation.createTrainingEvent": {
			query: `mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id } }`,
			vars: fixed(map[string]any{"in": map[string]any{"title": "Matrix", "startsAt": future.Format(time.RFC3339),
				"endsAt": future.Add(time.Hour).Format(time.RFC3339), "capacity": 5}}),
		},
		"Mutation.updateTrainingEvent": {
			query: `mutation($id: ID!) { updateTrainingEvent(id: $id, input: {location: "Room 1"}) { id } }`,
			vars:  fixed(map[string]any{"id": eventID}),
		},
		"Mutation.bookTraining": {
			query: `mutation($e: ID!, $m: String!, $p: ID) { bookTraining(eventID: $e, attendeeName: "M", attendeeEmail: $m, providerID: $p) { id } }`,
			vars: func(r viewer.Role) map[string]any {
				return map[string]any{"e": eventID, "m": slug(r) + "@matrix.example", "p": w.Provider.ID}
			},
		},
		"Mutation.cancelTrainingBooking": {
			query: `mutation($id: ID!) { cancelTrainingBooking(id: $id) { id } }`, vars: fixed(map[string]any{"id": bookingID}),
		},
		"Mutation.recordTrainingAttendance": {
			query: `mutation($id: ID!) { recordTrainingAttendance(bookingID: $id, attended: true) { id } }`,
			vars:  fixed(map[string]any{"id": bookingID}),
		},
		"Query.applications":       list("applications"),
		"Query.checklistTemplates": list("checklistTemplates"),
		"Query.qaWorklist":         {query: `{ qaWorklist { due { reason dueOn } applications { id } } }`, vars: none},
		"Query.currentChecklist":   {query: `{ currentChecklist { version } }`, vars: none},
		// A bad URN: allowed callers get BAD_USER_INPUT and nothing is queued.
		"Mutation.submitApplication": {
			query: `mutation { submitApplication(input: {kind: SCHOOL, organisationName: "M", urn: "12", contactName: "C", email: "c@test.example", postcode: "NG7 2QQ"}) { reference } }`,
			vars:  none,
		},
		"Mutation.acceptApplication": {query: `mutation($id: ID!) { acceptApplication(id: $id) { id status } }`, vars: fixed(map[string]any{"id": toAccept})},
		"Mutation.rejectApplication": {query: `mutation($id: ID!) { rejectApplication(id: $id, reason: "x") { id status } }`, vars: fixed(map[string]any{"id": toReject})},
		"Mutation.publishChecklist": {
			query: `mutation { publishChecklist(items: [{area: HEALTH_AND_SAFETY, code: " ", text: "x"}]) { version } }`, vars: none,
		},
		// Dated in the future: allowed callers get BAD_USER_INPUT.
		"Mutation.recordComplianceVisit": {
			query: `mutation($p: ID!, $d: Date!) { recordComplianceVisit(input: {providerID: $p, visitedOn: $d, results: []}) { id } }`,
			vars:  fixed(map[string]any{"p": w.Provider.ID, "d": tomorrow}),
		},
		"Mutation.completeComplianceAction": {
			query: `mutation($id: ID!) { completeComplianceAction(id: $id) { id } }`, vars: fixed(map[string]any{"id": w.Provider.ID}),
		},
		"Mutation.recordEvaluationVisit": {
			query: `mutation($p: ID!, $d: Date!) { recordEvaluationVisit(input: {providerID: $p, visitedOn: $d, teachingAndLearning: GOOD, behaviourAndAttitudes: GOOD, personalDevelopment: GOOD, leadershipAndManagement: GOOD, overallGrade: GOOD, report: "x"}) { id } }`,
			vars:  fixed(map[string]any{"p": w.Provider.ID, "d": tomorrow}),
		},
		// No such visit: allowed callers get NOT_FOUND.
		"Mutation.replaceComplianceVisitReport": {
			query: `mutation($id: ID!) { replaceComplianceVisitReport(id: $id, reportID: $id) { id } }`, vars: fixed(map[string]any{"id": w.Provider.ID}),
		},
		"Mutation.replaceEvaluationVisitReport": {
			query: `mutation($id: ID!) { replaceEvaluationVisitReport(id: $id, reportID: $id) { id } }`, vars: fixed(map[string]any{"id": w.Provider.ID}),
		},
		// An approved provider cannot be refused: allowed callers get CONFLICT.
		"Mutation.recordQADecision": {
			query: `mutation($p: ID!) { recordQADecision(input: {providerID: $p, kind: REFUSE, reason: "x"}) { id } }`,
			vars:  fixed(map[string]any{"p": w.Provider.ID}),
		},

		"Subscription.attendanceRecorded": {query: subAttendance, vars: fixed(map[string]any{"s": w.SchoolA.ID})},
		"Subscription.referralStatusChanged": {
			query: `subscription($s: ID!) { referralStatusChanged(schoolID: $s) { referral { id status } transition { to } } }`,
			vars:  fixed(map[string]any{"s": w.SchoolA.ID}),
		},
		"Subscription.progressPosted": {
			query: `subscription($s: ID!) { progressPosted(schoolID: $s) { id } }`, vars: fixed(map[string]any{"s": w.SchoolA.ID}),
		},
		"Subscription.referralForwarded": {
			query: `subscription($p: ID!) { referralForwarded(providerID: $p) { id } }`, vars: fixed(map[string]any{"p": w.Provider.ID}),
		},
		"Subscription.alertRaised": {query: subAlerts, vars: fixed(map[string]any{"s": w.SchoolA.ID})},
	}

	for _, op := range schemaOperations(t) {
		c, ok := cases[op]
		if !ok {
			t.Errorf("%s has no call in this test's matrix: add one", op)
			continue
		}
		allowed, ok := expectedAccess[op]
		if !ok {
			t.Errorf("%s is in the schema but not in this test's expected access table: decide who may call it", op)
			continue
		}
		for _, r := range matrixRoles {
			t.Run(op+"/"+roleName(r), func(t *testing.T) {
				client := clients[r]
				if c.as != nil {
					client = c.as(t, r)
				}
				allow := slices.Contains(allowed, r)
				deniedCode := "FORBIDDEN"
				if r == anonymous {
					deniedCode = "UNAUTHENTICATED"
				}
				if strings.HasPrefix(op, "Subscription.") {
					matrixSubscription(t, e, client, c.query, c.vars(r), allow, deniedCode)
					return
				}
				send := do
				if c.send != nil {
					send = c.send
				}
				resp := send(t, client, c.query, c.vars(r))
				got := codes(resp.Errors)
				if allow {
					for _, code := range got {
						if code == "UNAUTHENTICATED" || code == "FORBIDDEN" || code == "INTERNAL_SERVER_ERROR" {
							t.Fatalf("allowed, but refused: %+v", resp.Errors)
						}
					}
					return
				}
				if !slices.Equal(got, []string{deniedCode}) {
					t.Fatalf("want %s, got %+v (data %s)", deniedCode, resp.Errors, resp.Data)
				}
				if d := string(resp.Data); d != "" && d != "null" {
					t.Fatalf("denied, yet data %s", d)
				}
			})
		}
	}
}

// matrixSubscription runs one subscription cell: allowed ones go live;
// refused ones answer with the code; with no token the socket itself is
// refused (4401), and the operation over HTTP says UNAUTHENTICATED.
func matrixSubscription(t *testing.T, e *env, c *gqlclient.Client, query string, vars map[string]any, allow bool, deniedCode string) {
	t.Helper()
	if c.Token == "" {
		if allow {
			t.Fatal("the matrix cannot run an anonymous subscription")
		}
		_, err := e.dialAs(c, nil)
		if code := closeCodeOf(t, err); code != 4401 {
			t.Fatalf("socket without a token closed with %d, want 4401", code)
		}
		resp := do(t, c, query, vars)
		if !slices.Equal(codes(resp.Errors), []string{deniedCode}) {
			t.Fatalf("over HTTP: want %s, got %+v", deniedCode, resp.Errors)
		}
		return
	}
	before := liveSubscribers()
	s := e.open(t, c)
	got := s.start(t, "matrix", query, vars)
	switch {
	case allow && got != nil:
		t.Fatalf("allowed, but refused: %v", got)
	case !allow && !slices.Equal(got, []string{deniedCode}):
		t.Fatalf("want %s, got %v (live: %v)", deniedCode, got, got == nil)
	}
	s.conn.Close()
	waitLiveSubscribers(t, before)
}
