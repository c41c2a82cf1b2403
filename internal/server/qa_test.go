package server_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/auditevent"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/qa"
)

// searchIDs lists the providers a caller's searchProviders returns.
func searchIDs(t *testing.T, c *gqlclient.Client) map[int]string {
	t.Helper()
	var out struct {
		SearchProviders struct {
			Edges []struct {
				Node struct {
					Provider struct {
						ID             int `json:"id,string"`
						ApprovalStatus string
					}
				}
			}
		}
	}
	data(t, c, `{ searchProviders(first: 100) { edges { node { provider { id approvalStatus } } } } }`, nil, &out)
	ids := map[int]string{}
	for _, e := range out.SearchProviders.Edges {
		ids[e.Node.Provider.ID] = e.Node.Provider.ApprovalStatus
	}
	return ids
}

// seesProvider says whether c gets provider id by node(id:), by providers
// and as the provider of one of its courses.
func seesProvider(t *testing.T, c *gqlclient.Client, id, courseID int) (byNode, byList, byCourse bool) {
	t.Helper()
	r := do(t, c, `query($id: ID!, $c: ID!) {
	  p: node(id: $id) { id }
	  list: providers(where: {id: $id}) { totalCount }
	  c: node(id: $c) { ... on Course { provider { id } } }
	}`, map[string]any{"id": id, "c": courseID})
	var out struct {
		P    *struct{ ID string }
		List struct{ TotalCount int }
		C    *struct{ Provider *struct{ ID string } }
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatalf("%s: %v (errors %+v)", r.Data, err, r.Errors)
	}
	return out.P != nil, out.List.TotalCount > 0, out.C != nil && out.C.Provider != nil
}

const recordDecision = `mutation($p: ID!, $k: QADecisionKind!, $r: String) {
  recordQADecision(input: {providerID: $p, kind: $k, reason: $r}) { id kind decidedOn validUntil }
}`

// The lifecycle over GraphQL (DOMAIN.md, the partnership's process,
// 1: registration, a compliance visit, an evaluation visit judged against
// Ofsted's framework, then approval; only approved providers are listed):
// application → acceptance → compliance visit → evaluation visit →
// approval → the school finds it → its approval lapses by date.
func TestProviderFromApplicationToApprovalAndLapse(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	if err := qa.EnsureDefaultChecklist(sys, e.db.Client); err != nil {
		t.Fatal(err)
	}
	today := w.Monday // the QA service's clock is Monday 10:00
	day := func(d time.Time) string { return d.Format(time.DateOnly) }

	// 1. A provider applies with no account.
	var receipt struct {
		SubmitApplication struct {
			Reference int `json:"reference,string"`
			Status    string
		}
	}
	in := map[string]any{"kind": "PROVIDER", "organisationName": "Forest Skills CIC", "ukprn": "10012345",
		"settingType": "OTH", "contactName": "Sam Ray", "email": "sam@forest.example", "postcode": "ng7 2qq",
		"description": "Construction and hair", "courses": []any{map[string]any{"qualificationNumber": "60324760",
			"sessions": []any{map[string]any{"weekday": "TUESDAY", "start": "09:00", "end": "12:00"}},
			"places":   6, "deliveryPostcode": "NG7 2QQ"}}}
	// Bad input names its field.
	bad := map[string]any{}
	for k, v := range in {
		bad[k] = v
	}
	bad["ukprn"] = "2001234"
	r := do(t, e.anon, `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference } }`, map[string]any{"in": bad})
	if msg := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(msg, "UKPRN") {
		t.Fatalf("bad UKPRN: %s", msg)
	}
	data(t, e.anon, `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference status } }`,
		map[string]any{"in": in}, &receipt)
	if receipt.SubmitApplication.Status != "SUBMITTED" {
		t.Fatalf("receipt %+v", receipt)
	}
	// The applicant cannot read the queue; the partnership's worklist shows it.
	wantCode(t, do(t, e.anon, `{ applications { totalCount } }`, nil), "UNAUTHENTICATED")
	wantCode(t, do(t, e.schoolA, `{ applications { totalCount } }`, nil), "FORBIDDEN")
	var wl struct {
		QaWorklist struct {
			Applications []struct {
				ID int `json:"id,string"`
			}
		}
	}
	data(t, e.qa, `{ qaWorklist { applications { id } } }`, nil, &wl)
	if len(wl.QaWorklist.Applications) != 1 || wl.QaWorklist.Applications[0].ID != receipt.SubmitApplication.Reference {
		t.Fatalf("worklist applications %+v", wl)
	}

	// 2. The QA officer accepts it: a PENDING provider with its course.
	var accepted struct {
		AcceptApplication struct {
			Status   string
			Provider struct {
				ID             int `json:"id,string"`
				ApprovalStatus string
				Ukprn          string
				Postcode       string
				Courses        struct {
					Edges []struct {
						Node struct {
							ID int `json:"id,string"`
						}
					}
				}
			}
		}
	}
	data(t, e.qa, `mutation($id: ID!) { acceptApplication(id: $id) { status provider { id approvalStatus ukprn postcode courses { edges { node { id } } } } } }`,
		map[string]any{"id": receipt.SubmitApplication.Reference}, &accepted)
	p := accepted.AcceptApplication.Provider
	if accepted.AcceptApplication.Status != "ACCEPTED" || p.ApprovalStatus != "PENDING" || p.Ukprn != "10012345" ||
		p.Postcode != "NG7 2QQ" || len(p.Courses.Edges) != 1 {
		t.Fatalf("accepted %+v", accepted)
	}
	courseID := p.Courses.Edges[0].Node.ID
	// Visits cannot predate the application, made today: every visit below is
	// made today too, each later one recorded after the one before.
	wantCode(t, do(t, e.qa, `mutation($id: ID!) { acceptApplication(id: $id) { id } }`,
		map[string]any{"id": receipt.SubmitApplication.Reference}), "CONFLICT")

	// Not approved: a school never sees it, by search, node, list or course.
	if _, ok := searchIDs(t, e.schoolA)[p.ID]; ok {
		t.Fatal("a school found a PENDING provider in search")
	}
	if n, l, c := seesProvider(t, e.schoolA, p.ID, courseID); n || l || c {
		t.Fatalf("a school sees a PENDING provider: node %v list %v course %v", n, l, c)
	}
	if got := searchIDs(t, e.qa)[p.ID]; got != "PENDING" {
		t.Fatalf("the partnership's search: %q, want PENDING", got)
	}

	// 3. The compliance visit: every item of the current checklist answered.
	var cl struct {
		CurrentChecklist struct {
			Version int
			Items   []struct {
				ID   int `json:"id,string"`
				Code string
			}
		}
	}
	data(t, e.qa, `{ currentChecklist { version items { id code } } }`, nil, &cl)
	if cl.CurrentChecklist.Version != 1 || len(cl.CurrentChecklist.Items) < 15 {
		t.Fatalf("checklist %+v", cl)
	}
	compReport := e.db.Document.Create().SetTitle("Compliance visit report").SetFilename("c.pdf").
		SetContentType("application/pdf").SetSize(10).SetSha256("ab").SetStorageKey("k1").
		SetCategory("COMPLIANCE_REPORT").SetUploadedBy("user:1").SetProviderID(p.ID).SaveX(sys)
	evalReport := e.db.Document.Create().SetTitle("Evaluation visit report").SetFilename("e.pdf").
		SetContentType("application/pdf").SetSize(10).SetSha256("cd").SetStorageKey("k2").
		SetCategory("EVALUATION_REPORT").SetUploadedBy("user:1").SetProviderID(p.ID).SaveX(sys)
	results := func(notMet string, action map[string]any) []any {
		var out []any
		for _, it := range cl.CurrentChecklist.Items {
			a := map[string]any{"itemID": it.ID, "outcome": "MET", "evidence": "seen"}
			if it.Code == notMet {
				a["outcome"], a["action"] = "NOT_MET", action
			}
			out = append(out, a)
		}
		return out
	}
	const visit = `mutation($in: RecordComplianceVisitInput!) { recordComplianceVisit(input: $in) { id overall actions { ownerName dueOn } reportDocument { id } } }`
	// An unmet item with no due date is refused, naming the field.
	r = do(t, e.qa, visit, map[string]any{"in": map[string]any{"providerID": p.ID, "visitedOn": day(today),
		"results": results("HS-FIRE", map[string]any{"description": "Service the alarms", "ownerName": "Sam Ray"})}})
	wantCode(t, r, "BAD_USER_INPUT")
	if f := r.Errors[0].Extensions["field"]; f != nil && !strings.Contains(f.(string), "dueOn") {
		t.Fatalf("field %v", f)
	}
	// The evaluation report is not a compliance report.
	wantCode(t, do(t, e.qa, visit, map[string]any{"in": map[string]any{"providerID": p.ID, "visitedOn": day(today),
		"results": results("", nil), "reportID": evalReport.ID}}), "BAD_USER_INPUT")
	var cv struct {
		RecordComplianceVisit struct {
			Overall string
			Actions []struct{ OwnerName string }
		}
	}
	data(t, e.qa, visit, map[string]any{"in": map[string]any{"providerID": p.ID, "visitedOn": day(today),
		"results": results("HS-FIRE", map[string]any{"description": "Service the alarms", "ownerName": "Sam Ray",
			"dueOn": day(today.AddDate(0, 0, 10))})}}, &cv)
	if cv.RecordComplianceVisit.Overall != "NOT_COMPLIANT" || len(cv.RecordComplianceVisit.Actions) != 1 {
		t.Fatalf("visit with an unmet item: %+v", cv)
	}
	// Approval needs a COMPLIANT visit and an evaluation visit.
	msg := wantCode(t, do(t, e.qa, recordDecision, map[string]any{"p": p.ID, "k": "APPROVE"}), "CONFLICT")
	if !strings.Contains(msg, "NOT_COMPLIANT") || !strings.Contains(msg, "no evaluation visit") {
		t.Fatalf("approve too early: %s", msg)
	}
	data(t, e.qa, visit, map[string]any{"in": map[string]any{"providerID": p.ID, "visitedOn": day(today),
		"results": results("", nil), "reportID": compReport.ID}}, &cv)
	if cv.RecordComplianceVisit.Overall != "COMPLIANT" {
		t.Fatalf("second visit %+v", cv)
	}

	// 4. The evaluation visit: teaching and learning must be at least good.
	const eval = `mutation($p: ID!, $d: Date!, $tl: OfstedGrade!, $rep: ID) { recordEvaluationVisit(input: {providerID: $p, visitedOn: $d,
	  teachingAndLearning: $tl, behaviourAndAttitudes: GOOD, personalDevelopment: GOOD, leadershipAndManagement: GOOD,
	  overallGrade: GOOD, report: "Well planned sessions.", reportID: $rep}) { id teachingAndLearning } }`
	data(t, e.qa, eval, map[string]any{"p": p.ID, "d": day(today), "tl": "REQUIRES_IMPROVEMENT"}, nil)
	msg = wantCode(t, do(t, e.qa, recordDecision, map[string]any{"p": p.ID, "k": "APPROVE"}), "CONFLICT")
	if !strings.Contains(msg, "REQUIRES_IMPROVEMENT") {
		t.Fatalf("approve with RI teaching: %s", msg)
	}
	data(t, e.qa, eval, map[string]any{"p": p.ID, "d": day(today), "tl": "GOOD", "rep": evalReport.ID}, nil)

	// 5. Approval: valid 12 months from the decision, to the day before its anniversary.
	var dec struct {
		RecordQADecision struct{ DecidedOn, ValidUntil string }
	}
	data(t, e.qa, recordDecision, map[string]any{"p": p.ID, "k": "APPROVE", "r": "QAMG minutes 4.2"}, &dec)
	until := today.AddDate(1, 0, -1)
	if dec.RecordQADecision.DecidedOn != day(today) || dec.RecordQADecision.ValidUntil != day(until) {
		t.Fatalf("decision %+v, want valid until %s", dec, day(until))
	}

	// 6. A school now finds it, and its page carries both visits.
	if got, ok := searchIDs(t, e.schoolA)[p.ID]; !ok || got != "APPROVED" {
		t.Fatalf("school search after approval: %q %v", got, ok)
	}
	if n, l, c := seesProvider(t, e.schoolA, p.ID, courseID); !n || !l || !c {
		t.Fatalf("a school cannot see the approved provider: node %v list %v course %v", n, l, c)
	}
	var page struct {
		Node struct {
			CurrentlyApproved     bool
			LatestComplianceVisit struct {
				Overall        string
				ReportDocument *struct{ ID string }
			}
			LatestEvaluationVisit struct {
				TeachingAndLearning string
				Report              string
				ReportDocument      *struct{ ID string }
			}
		}
	}
	const pageQuery = `query($id: ID!) { node(id: $id) { ... on Provider { currentlyApproved
	  latestComplianceVisit { overall reportDocument { id } }
	  latestEvaluationVisit { teachingAndLearning report reportDocument { id } } } } }`
	data(t, e.qa, pageQuery, map[string]any{"id": p.ID}, &page)
	if !page.Node.CurrentlyApproved || page.Node.LatestComplianceVisit.Overall != "COMPLIANT" ||
		page.Node.LatestComplianceVisit.ReportDocument == nil || page.Node.LatestEvaluationVisit.TeachingAndLearning != "GOOD" ||
		page.Node.LatestEvaluationVisit.ReportDocument == nil {
		t.Fatalf("provider page %+v", page)
	}
	var schoolPage struct {
		Node struct {
			LatestComplianceVisit *struct {
				Overall string
				Results []struct{ Outcome string }
				Actions []struct{ ID string }
			}
			LatestEvaluationVisit *struct{ Report string }
			Decisions             struct{ TotalCount int }
		}
	}
	// The item-by-item answers, actions and decisions are not the school's
	// to see: they come back empty, and the rest of the page still answers
	// (issue 5: a nested list the viewer may not see failed the whole query).
	const schoolPageQuery = `query($id: ID!) { node(id: $id) { ... on Provider {
	  latestComplianceVisit { overall results { outcome } actions { id } } latestEvaluationVisit { report } decisions { totalCount } } } }`
	data(t, e.schoolA, schoolPageQuery, map[string]any{"id": p.ID}, &schoolPage)
	if cv := schoolPage.Node.LatestComplianceVisit; cv == nil || schoolPage.Node.LatestEvaluationVisit == nil ||
		len(cv.Results) != 0 || len(cv.Actions) != 0 || schoolPage.Node.Decisions.TotalCount != 0 {
		t.Fatalf("school's provider page %+v", schoolPage)
	}
	data(t, e.qa, schoolPageQuery, map[string]any{"id": p.ID}, &schoolPage)
	if cv := schoolPage.Node.LatestComplianceVisit; len(cv.Results) != len(cl.CurrentChecklist.Items) || schoolPage.Node.Decisions.TotalCount != 1 {
		t.Fatalf("partnership's provider page %+v", schoolPage)
	}

	// 7. The approval's end: past it, it is not current even before the
	// lapse job runs; then the job marks it LAPSED with no one acting.
	after := until.AddDate(0, 0, 1).Add(12 * time.Hour)
	access.Now = func() time.Time { return after }
	t.Cleanup(func() { access.Now = time.Now })
	if _, ok := searchIDs(t, e.schoolA)[p.ID]; ok {
		t.Fatal("an expired approval is still listed to schools")
	}
	job := qa.NewService(e.db.Client, nil, nil, func() time.Time { return after })
	if n, err := job.LapseExpired(sys); err != nil || n < 1 {
		t.Fatalf("lapse: %d %v", n, err)
	}
	if got := e.db.Provider.GetX(sys, p.ID).ApprovalStatus; got != provider.ApprovalStatusLAPSED {
		t.Fatalf("after the lapse job: %s", got)
	}
	if n, _ := job.LapseExpired(sys); n != 0 {
		t.Fatalf("a second run lapsed %d more", n)
	}
	if n := e.db.AuditEvent.Query().Where(auditevent.Action("LAPSED"), auditevent.EntityID(p.ID)).CountX(sys); n != 1 {
		t.Fatalf("%d LAPSED audit events, want 1", n)
	}
}

// Suspension takes effect at once (issue 5, item 4): the provider leaves
// schools' search, no new placement can be made with it, and the home
// school of every learner placed there is alerted live. A school whose
// learners are there still sees the provider (safeguarding); one with none
// does not.
func TestSuspensionAlertsSchoolsAndHidesProvider(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	schoolA := e.open(t, e.schoolA)
	if got := schoolA.start(t, "alerts", `subscription($s: ID!) { alertRaised(schoolID: $s) { kind placement { id } learner { id } mark { id } } }`,
		map[string]any{"s": w.SchoolA.ID}); got != nil {
		t.Fatalf("subscription refused: %v", got)
	}
	schoolC := e.db.School.Create().SetUrn("100003").SetName("Test Academy C").SetPostcode("NG8 1AA").SaveX(sys)
	c := e.signIn(t, e.account(t, "c@test.example", user.RoleSCHOOL_STAFF, schoolC.ID, 0))
	if _, ok := searchIDs(t, c)[w.Provider.ID]; !ok {
		t.Fatal("the approved provider is not listed before the suspension")
	}

	wantCode(t, do(t, e.qa, recordDecision, map[string]any{"p": w.Provider.ID, "k": "SUSPEND"}), "BAD_USER_INPUT") // no reason
	wantCode(t, do(t, e.schoolA, recordDecision, map[string]any{"p": w.Provider.ID, "k": "SUSPEND", "r": "x"}), "FORBIDDEN")
	data(t, e.qa, recordDecision, map[string]any{"p": w.Provider.ID, "k": "SUSPEND", "r": "Safeguarding concern"}, nil)

	// School A has two learners placed there: two alerts, live.
	seen := map[int]bool{}
	for range 2 {
		_, r := schoolA.data(t)
		var ev struct {
			AlertRaised struct {
				Kind      string
				Placement struct {
					ID int `json:"id,string"`
				}
				Mark *struct{ ID string }
			}
		}
		if err := json.Unmarshal(r.Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.AlertRaised.Kind != "PROVIDER_SUSPENDED" || ev.AlertRaised.Mark != nil {
			t.Fatalf("alert %s", r.Data)
		}
		seen[ev.AlertRaised.Placement.ID] = true
	}
	if !seen[w.Placements[0].ID] || !seen[w.Placements[1].ID] {
		t.Fatalf("alerts for placements %v", seen)
	}
	// School B's learner's school is told too (saved for its staff).
	var alerts struct{ Alerts struct{ TotalCount int } }
	data(t, e.schoolB, `{ alerts(where: {kind: PROVIDER_SUSPENDED}) { totalCount } }`, nil, &alerts)
	if alerts.Alerts.TotalCount != 1 {
		t.Fatalf("school B has %d suspension alerts, want 1", alerts.Alerts.TotalCount)
	}

	// Gone from every school's search; school C cannot reach it at all.
	for name, cl := range map[string]*gqlclient.Client{"A": e.schoolA, "C": c} {
		if _, ok := searchIDs(t, cl)[w.Provider.ID]; ok {
			t.Fatalf("school %s still finds the suspended provider", name)
		}
	}
	if n, l, cc := seesProvider(t, c, w.Provider.ID, w.Course.ID); n || l || cc {
		t.Fatalf("a school with no learners there sees the suspended provider: %v %v %v", n, l, cc)
	}
	if n, _, _ := seesProvider(t, e.schoolA, w.Provider.ID, w.Course.ID); !n {
		t.Fatal("a school with learners placed there lost sight of their provider")
	}
	// The provider's own staff still see it; another provider's do not.
	if n, _, _ := seesProvider(t, e.provider, w.Provider.ID, w.Course.ID); !n {
		t.Fatal("the suspended provider's staff cannot see their own provider")
	}
	other := e.addOtherProvider(t)
	if n, l, _ := seesProvider(t, other.staff, w.Provider.ID, w.Course.ID); n || l {
		t.Fatal("another provider's staff see the suspended provider")
	}

	// Reinstated: back on the list with its approval's own end date.
	data(t, e.qa, recordDecision, map[string]any{"p": w.Provider.ID, "k": "REINSTATE"}, nil)
	if got := e.db.Provider.GetX(sys, w.Provider.ID); got.ApprovalStatus != provider.ApprovalStatusAPPROVED ||
		!got.ApprovedUntil.Equal(w.Provider.ApprovedUntil.UTC()) {
		t.Fatalf("reinstated: %s until %v", got.ApprovalStatus, got.ApprovedUntil)
	}
	if _, ok := searchIDs(t, c)[w.Provider.ID]; !ok {
		t.Fatal("the reinstated provider is not listed")
	}
}

// A document that is a visit's report cannot be deleted (issue 5: deleting
// it silently took the report off the provider's QA files): CONFLICT names
// the visit and says to replace its report first; once replaced, the old
// file may go and the new one is protected in turn.
func TestDeletingAVisitReportNeedsItReplacedFirst(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	if err := qa.EnsureDefaultChecklist(sys, e.db.Client); err != nil {
		t.Fatal(err)
	}
	p := e.w.Provider
	today := e.w.Monday.Format(time.DateOnly)
	doc := func(title string, category document.Category, key string) int {
		return e.db.Document.Create().SetTitle(title).SetFilename(key + ".pdf").SetContentType("application/pdf").
			SetSize(10).SetSha256(key).SetStorageKey(key).SetCategory(category).SetUploadedBy("user:1").
			SetProviderID(p.ID).SaveX(sys).ID
	}
	c1, c2 := doc("Compliance report", "COMPLIANCE_REPORT", "c1"), doc("Compliance report (corrected)", "COMPLIANCE_REPORT", "c2")
	e1, e2 := doc("Evaluation report", "EVALUATION_REPORT", "e1"), doc("Evaluation report (corrected)", "EVALUATION_REPORT", "e2")
	var results []any
	for _, it := range e.db.ChecklistItem.Query().AllX(sys) {
		results = append(results, map[string]any{"itemID": it.ID, "outcome": "MET"})
	}
	var cv struct{ RecordComplianceVisit struct{ ID string } }
	data(t, e.qa, `mutation($in: RecordComplianceVisitInput!) { recordComplianceVisit(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"providerID": p.ID, "visitedOn": today, "results": results, "reportID": c1}}, &cv)
	var ev struct{ RecordEvaluationVisit struct{ ID string } }
	data(t, e.qa, `mutation($p: ID!, $d: Date!, $r: ID!) { recordEvaluationVisit(input: {providerID: $p, visitedOn: $d,
	  teachingAndLearning: GOOD, behaviourAndAttitudes: GOOD, personalDevelopment: GOOD, leadershipAndManagement: GOOD,
	  overallGrade: GOOD, report: "Well planned.", reportID: $r}) { id } }`, map[string]any{"p": p.ID, "d": today, "r": e1}, &ev)

	const del = `mutation($id: ID!) { deleteDocument(id: $id) }`
	msg := wantCode(t, do(t, e.admin, del, map[string]any{"id": c1}), "CONFLICT")
	for _, want := range []string{"compliance visit to " + p.Name, today, "replaceComplianceVisitReport first"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("refusal %q does not say %q", msg, want)
		}
	}
	msg = wantCode(t, do(t, e.admin, del, map[string]any{"id": e1}), "CONFLICT")
	if !strings.Contains(msg, "evaluation visit") || !strings.Contains(msg, "replaceEvaluationVisitReport") {
		t.Fatalf("refusal %q", msg)
	}
	if !e.db.Document.Query().Where(document.IDIn(c1, e1)).ExistX(sys) {
		t.Fatal("a refused delete removed the document")
	}

	const replaceC = `mutation($id: ID!, $r: ID!) { replaceComplianceVisitReport(id: $id, reportID: $r) { id reportDocument { id } } }`
	const replaceE = `mutation($id: ID!, $r: ID!) { replaceEvaluationVisitReport(id: $id, reportID: $r) { id teachingAndLearning reportDocument { id } } }`
	wantCode(t, do(t, e.qa, replaceC, map[string]any{"id": cv.RecordComplianceVisit.ID, "r": e2}), "BAD_USER_INPUT") // wrong category
	wantCode(t, do(t, e.qa, replaceC, map[string]any{"id": cv.RecordComplianceVisit.ID, "r": c1}), "CONFLICT")       // already its report
	wantCode(t, do(t, e.schoolA, replaceC, map[string]any{"id": cv.RecordComplianceVisit.ID, "r": c2}), "FORBIDDEN")
	var rc struct {
		ReplaceComplianceVisitReport struct {
			ReportDocument struct {
				ID int `json:"id,string"`
			}
		}
	}
	data(t, e.qa, replaceC, map[string]any{"id": cv.RecordComplianceVisit.ID, "r": c2}, &rc)
	var re struct {
		ReplaceEvaluationVisitReport struct {
			TeachingAndLearning string
			ReportDocument      struct {
				ID int `json:"id,string"`
			}
		}
	}
	data(t, e.qa, replaceE, map[string]any{"id": ev.RecordEvaluationVisit.ID, "r": e2}, &re)
	if rc.ReplaceComplianceVisitReport.ReportDocument.ID != c2 || re.ReplaceEvaluationVisitReport.ReportDocument.ID != e2 ||
		re.ReplaceEvaluationVisitReport.TeachingAndLearning != "GOOD" {
		t.Fatalf("after replacing: %+v %+v", rc, re)
	}
	// The old files are no one's report now; the new ones are protected.
	data(t, e.admin, del, map[string]any{"id": c1}, nil)
	data(t, e.admin, del, map[string]any{"id": e1}, nil)
	wantCode(t, do(t, e.admin, del, map[string]any{"id": c2}), "CONFLICT")
	wantCode(t, do(t, e.admin, del, map[string]any{"id": e2}), "CONFLICT")
}

// A single value where the schema expects a list is a list of one (GraphQL
// input coercion): Placement.marks(orderBy: {field: DATE, direction: DESC})
// orders the marks as orderBy: [{…}] does (issue 5: the single object was
// silently ignored when the marks were loaded with their placement).
func TestNestedOrderByAcceptsOneObjectOrAList(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	pl := e.w.Placements[0]
	var days []string // newest first
	for i := range 4 {
		days = append(days, e.w.Monday.AddDate(0, 0, -7*i).Format(time.DateOnly))
	}
	for _, i := range []int{2, 0, 3, 1} { // stored in neither order
		d := e.w.Monday.AddDate(0, 0, -7*i)
		e.db.AttendanceMark.Create().SetPlacementID(pl.ID).SetDate(d).SetSession("AM").SetStatus("PRESENT").
			SetRecordedBy("user:1").SetRecordedAt(d.Add(9 * time.Hour)).ExecX(sys)
	}
	asc := slices.Clone(days)
	slices.Reverse(asc)
	dates := func(query string, vars map[string]any) [][]string {
		t.Helper()
		var out struct {
			Placements struct {
				Edges []struct {
					Node struct {
						ID    int `json:"id,string"`
						Marks struct {
							Edges []struct{ Node struct{ Date string } }
						}
					}
				}
			}
			Node struct {
				Marks struct {
					Edges []struct{ Node struct{ Date string } }
				}
			}
		}
		data(t, e.admin, query, vars, &out)
		var got [][]string
		for _, p := range out.Placements.Edges {
			if p.Node.ID != pl.ID {
				continue
			}
			var ds []string
			for _, m := range p.Node.Marks.Edges {
				ds = append(ds, m.Node.Date)
			}
			got = append(got, ds)
		}
		var ds []string
		for _, m := range out.Node.Marks.Edges {
			ds = append(ds, m.Node.Date)
		}
		return append(got, ds)
	}
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
		want  []string
	}{
		"one object, DESC": {`query($id: ID!) { placements { edges { node { id marks(orderBy: {field: DATE, direction: DESC}) { edges { node { date } } } } } }
		  node(id: $id) { ... on Placement { marks(orderBy: {field: DATE, direction: DESC}) { edges { node { date } } } } } }`, nil, days},
		"a list, DESC": {`query($id: ID!) { placements { edges { node { id marks(orderBy: [{field: DATE, direction: DESC}]) { edges { node { date } } } } } }
		  node(id: $id) { ... on Placement { marks(orderBy: [{field: DATE, direction: DESC}]) { edges { node { date } } } } } }`, nil, days},
		"one object, ASC": {`query($id: ID!) { placements { edges { node { id marks(orderBy: {field: DATE, direction: ASC}) { edges { node { date } } } } } }
		  node(id: $id) { ... on Placement { marks(orderBy: {field: DATE, direction: ASC}) { edges { node { date } } } } } }`, nil, asc},
		"one object in a variable": {`query($id: ID!, $o: [AttendanceMarkOrder!]) { placements { edges { node { id marks(orderBy: $o) { edges { node { date } } } } } }
		  node(id: $id) { ... on Placement { marks(orderBy: $o) { edges { node { date } } } } } }`,
			map[string]any{"o": map[string]any{"field": "DATE", "direction": "DESC"}}, days},
	} {
		vars := map[string]any{"id": pl.ID}
		maps.Copy(vars, c.vars)
		for range 2 { // parsed, then from the query cache
			got := dates(c.query, vars)
			if len(got) != 2 || !slices.Equal(got[0], c.want) || !slices.Equal(got[1], c.want) {
				t.Fatalf("%s: marks by placements and by node %v, want %v", name, got, c.want)
			}
		}
	}
}
