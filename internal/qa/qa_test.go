package qa_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/application"
	"github.com/apnet/apnet/ent/checklistitem"
	"github.com/apnet/apnet/ent/checklisttemplate"
	"github.com/apnet/apnet/ent/complianceitemresult"
	"github.com/apnet/apnet/ent/privacy"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qadecision"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/offer"
	"github.com/apnet/apnet/internal/ofsted"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

var sys = viewer.SystemContext(context.Background())

type alerts struct{ n int }

func (a *alerts) AlertRaised(context.Context, int, int) { a.n++ }

type env struct {
	*fixture.World
	c     *ent.Client
	svc   *qa.Service
	pub   *alerts
	qa    context.Context
	today time.Time
	items []*ent.ChecklistItem
}

func setup(t *testing.T) *env {
	t.Helper()
	d := dbtest.SQLite(t)
	w := fixture.Build(t, d.Client)
	if err := qa.EnsureDefaultChecklist(sys, d.Client); err != nil {
		t.Fatal(err)
	}
	if err := qa.EnsureDefaultChecklist(sys, d.Client); err != nil { // idempotent
		t.Fatal(err)
	}
	e := &env{World: w, c: d.Client, pub: &alerts{}, today: w.Monday,
		qa: viewer.NewContext(context.Background(), viewer.Viewer{UserID: 1, Role: viewer.QAOfficer})}
	e.svc = qa.NewService(d.Client, e.pub, nil, func() time.Time { return w.Monday.Add(10 * time.Hour) })
	e.items = d.Client.ChecklistItem.Query().AllX(sys)
	return e
}

func (e *env) pending(t *testing.T) *ent.Provider {
	t.Helper()
	return e.c.Provider.Create().SetName("Pending Ltd").SetPostcode("NG1 1AA").SaveX(sys)
}

// answers answers every item MET, except code, which is NOT_MET with action.
func (e *env) answers(code string, action *qa.ActionInput) []qa.ItemAnswer {
	var out []qa.ItemAnswer
	for _, it := range e.items {
		a := qa.ItemAnswer{ItemID: it.ID, Outcome: complianceitemresult.OutcomeMET}
		if it.Code == code {
			a.Outcome, a.Action = complianceitemresult.OutcomeNOT_MET, action
		}
		out = append(out, a)
	}
	return out
}

func (e *env) visits(t *testing.T, p int, visited time.Time, tl ofsted.Grade) {
	t.Helper()
	if _, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p, VisitedOn: visited, Results: e.answers("", nil)}); err != nil {
		t.Fatal(err)
	}
	g := qa.Grades{TeachingAndLearning: tl, BehaviourAndAttitudes: ofsted.Good, PersonalDevelopment: ofsted.Good,
		LeadershipAndManagement: ofsted.Good, Overall: ofsted.Good}
	if _, err := e.svc.RecordEvaluationVisit(e.qa, qa.NewEvaluationVisit{ProviderID: p, VisitedOn: visited, Grades: g, Report: "r"}); err != nil {
		t.Fatal(err)
	}
}

// oldVisits writes a COMPLIANT compliance visit and an evaluation visit
// directly, as visits recorded long ago (the service refuses to record a
// visit dated more than 12 months back).
func (e *env) oldVisits(t *testing.T, p int, visited time.Time, tl ofsted.Grade) {
	t.Helper()
	tpl := e.c.ChecklistTemplate.Query().FirstX(sys)
	e.c.ComplianceVisit.Create().SetProviderID(p).SetTemplate(tpl).SetVisitedOn(visited).SetOfficer("user:1").
		SetOverall("COMPLIANT").SetRecordedAt(visited).ExecX(sys)
	e.c.EvaluationVisit.Create().SetProviderID(p).SetVisitedOn(visited).SetOfficer("user:1").
		SetTeachingAndLearning(tl).SetBehaviourAndAttitudes(ofsted.Good).SetPersonalDevelopment(ofsted.Good).
		SetLeadershipAndManagement(ofsted.Good).SetOverallGrade(ofsted.Good).SetReport("r").SetRecordedAt(visited).ExecX(sys)
}

func wantErr(t *testing.T, err error, code apierr.Code, fragment string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Code != code || !strings.Contains(e.Message+" "+e.Field, fragment) {
		t.Fatalf("want %s mentioning %q, got %v", code, fragment, err)
	}
}

// noRawID fails if err's message prints the database id id: messages name
// things in words.
func noRawID(t *testing.T, err error, id int) {
	t.Helper()
	if e, ok := apierr.As(err); ok && strings.Contains(e.Message, strconv.Itoa(id)) {
		t.Errorf("message prints id %d: %s", id, e.Message)
	}
}

// The default checklist covers the four areas of the DfE's national
// standards for non-school AP and the independent-school registration rule
// (DOMAIN.md, quality).
func TestDefaultChecklistCoversTheFourAreas(t *testing.T) {
	e := setup(t)
	areas := map[string]bool{}
	codes := map[string]bool{}
	for _, it := range e.items {
		areas[string(it.Area)] = true
		codes[it.Code] = true
	}
	if len(areas) != 4 {
		t.Fatalf("areas %v", areas)
	}
	for _, c := range []string{"SG-DSL", "SG-DBS", "SG-SCR", "SG-PREVENT", "HS-RISK", "HS-FIRE", "HS-FIRSTAID",
		"HS-EL-INSURANCE", "HS-PL-INSURANCE", "AS-INDEPENDENT-SCHOOL"} {
		if !codes[c] {
			t.Errorf("no item %s", c)
		}
	}
	// Published versions never change; a new version is published instead.
	if err := e.c.ChecklistItem.DeleteOne(e.items[0]).Exec(e.qa); err == nil {
		t.Fatal("a published checklist item was changed")
	}
	v2, err := e.svc.PublishChecklist(e.qa, essentials())
	if err != nil || v2.Version != 2 {
		t.Fatalf("publish v2: %v %v", v2, err)
	}
	_, err = e.svc.PublishChecklist(e.qa, []qa.ItemSpec{{Area: e.items[0].Area, Code: "A", Text: "x"}, {Area: e.items[0].Area, Code: "A", Text: "y"}})
	wantErr(t, err, apierr.BadUserInput, "items[1].code")
}

// essentials is a checklist of only the essential items of version 1.
func essentials(extra ...qa.ItemSpec) []qa.ItemSpec {
	var out []qa.ItemSpec
	for _, it := range qa.DefaultChecklist {
		if !it.NotApplicableAllowed {
			out = append(out, it)
		}
	}
	return append(out, extra...)
}

// A new checklist version keeps the essential items of version 1 (the
// designated safeguarding lead, safeguarding training, DBS checks, the
// single central record, the safeguarding policy, risk assessment, fire
// safety, first aid, public liability insurance), and they stay never
// NOT_APPLICABLE (trial: a version without SG-DSL and the other
// safeguarding items was published with no warning).
func TestChecklistVersionsKeepTheEssentials(t *testing.T) {
	e := setup(t)
	var without []qa.ItemSpec
	for _, it := range qa.DefaultChecklist {
		if it.Code != "SG-DSL" && it.Code != "HS-FIRE" {
			without = append(without, it)
		}
	}
	_, err := e.svc.PublishChecklist(e.qa, without)
	wantErr(t, err, apierr.BadUserInput, "missing: SG-DSL, HS-FIRE")
	wantErr(t, err, apierr.BadUserInput, "items")
	_, err = e.svc.PublishChecklist(e.qa, []qa.ItemSpec{{Area: checklistitem.AreaQUALITY_OF_EDUCATION, Code: "QE-ONLY", Text: "x"}})
	wantErr(t, err, apierr.BadUserInput, "missing: SG-DSL, SG-TRAINING, SG-DBS, SG-SCR, SG-POLICY, HS-RISK, HS-FIRE, HS-FIRSTAID, HS-PL-INSURANCE")
	lax := essentials()
	lax[2].NotApplicableAllowed = true // SG-DBS
	_, err = e.svc.PublishChecklist(e.qa, lax)
	wantErr(t, err, apierr.BadUserInput, "item SG-DBS is essential")
	wantErr(t, err, apierr.BadUserInput, "items[2].notApplicableAllowed")
	if n := e.c.ChecklistTemplate.Query().CountX(sys); n != 1 {
		t.Fatalf("%d versions after refused publications", n)
	}
	// Reworded, reordered, with items added or dropped that are not essential: fine.
	kept := essentials(qa.ItemSpec{Area: checklistitem.AreaQUALITY_OF_EDUCATION, Code: "QE-NEW", Text: "New", NotApplicableAllowed: true})
	kept[0].Text = "A named DSL and deputy, both trained within two years"
	kept[0], kept[1] = kept[1], kept[0]
	if v, err := e.svc.PublishChecklist(e.qa, kept); err != nil || v.Version != 2 {
		t.Fatalf("publish: %v %v", v, err)
	}
}

func TestComplianceVisitOverallAndActions(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	due := e.today.AddDate(0, 0, 14)
	_, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today,
		Results: e.answers("HS-FIRE", &qa.ActionInput{Description: "Service alarms", DueOn: &due})})
	wantErr(t, err, apierr.BadUserInput, "ownerName")
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today,
		Results: e.answers("HS-FIRE", nil)})
	wantErr(t, err, apierr.BadUserInput, "action")
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today.AddDate(0, 0, 1)})
	wantErr(t, err, apierr.BadUserInput, "visitedOn")

	v, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today,
		Results: e.answers("HS-FIRE", &qa.ActionInput{Description: "Service alarms", OwnerName: "Sam", DueOn: &due})})
	if err != nil || v.Overall != "NOT_COMPLIANT" {
		t.Fatalf("unmet visit: %v %v", v, err)
	}
	a := v.QueryActions().OnlyX(sys)
	if _, err := e.svc.CompleteAction(e.qa, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CompleteAction(e.qa, a.ID)
	wantErr(t, err, apierr.Conflict, "nothing is left to do")
	wantErr(t, err, apierr.Conflict, "the action on item ")
	noRawID(t, err, a.ID)
	// Every answer is rolled back with a refused visit: nothing half-saved.
	before := e.c.ComplianceItemResult.Query().CountX(sys)
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today,
		Results: e.answers("", nil), ReportID: &p.ID})
	wantErr(t, err, apierr.BadUserInput, "reportID")
	if after := e.c.ComplianceItemResult.Query().CountX(sys); after != before {
		t.Fatalf("results %d → %d after a refused visit", before, after)
	}
}

// Approval needs a COMPLIANT compliance visit and teaching and learning at
// least good, both within 12 months (DOMAIN.md, the partnership's process:
// approved providers deliver teaching that is at least good).
func TestApprovalPreconditions(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	approve := qa.NewDecision{ProviderID: p.ID, Kind: qadecision.KindAPPROVE}
	_, err := e.svc.RecordDecision(e.qa, approve)
	wantErr(t, err, apierr.Conflict, "no compliance visit")
	e.oldVisits(t, p.ID, e.today.AddDate(-1, 0, -1), ofsted.Outstanding)
	_, err = e.svc.RecordDecision(e.qa, approve)
	wantErr(t, err, apierr.Conflict, "more than 12 months old")
	e.visits(t, p.ID, e.today.AddDate(0, -1, 0), ofsted.Good)
	d, err := e.svc.RecordDecision(e.qa, approve)
	if err != nil || !d.ValidUntil.Equal(e.today.AddDate(1, 0, -1)) {
		t.Fatalf("approve: %v %v", d, err)
	}
	if got := e.c.Provider.GetX(sys, p.ID); got.ApprovalStatus != provider.ApprovalStatusAPPROVED {
		t.Fatalf("status %s", got.ApprovalStatus)
	}
}

func TestDecisionTransitions(t *testing.T) {
	e := setup(t)
	w := e.Provider // APPROVED with placements at both schools
	dec := func(id int, k qadecision.Kind) error {
		_, err := e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: id, Kind: k, Reason: "minutes"})
		return err
	}
	wantErr(t, dec(w.ID, qadecision.KindREFUSE), apierr.Conflict, "only from PENDING")
	wantErr(t, dec(w.ID, qadecision.KindREINSTATE), apierr.Conflict, "APPROVED")
	if err := dec(w.ID, qadecision.KindSUSPEND); err != nil {
		t.Fatal(err)
	}
	if e.pub.n != len(e.Placements) {
		t.Fatalf("%d alerts published, want one per placement (%d)", e.pub.n, len(e.Placements))
	}
	wantErr(t, dec(w.ID, qadecision.KindSUSPEND), apierr.Conflict, "SUSPENDED")
	err := dec(w.ID, qadecision.KindAPPROVE)
	wantErr(t, err, apierr.Conflict, w.Name+" is SUSPENDED")
	noRawID(t, err, w.ID)
	if err := dec(w.ID, qadecision.KindREINSTATE); err != nil {
		t.Fatal(err)
	}
	// A suspension outlasting the approval cannot be reinstated.
	if err := dec(w.ID, qadecision.KindSUSPEND); err != nil {
		t.Fatal(err)
	}
	e.c.Provider.UpdateOne(w).SetApprovedUntil(e.today.AddDate(0, 0, -1)).ExecX(sys)
	wantErr(t, dec(w.ID, qadecision.KindREINSTATE), apierr.Conflict, w.Name+"'s approval ran out while suspended; it needs a new APPROVE")
	if err := dec(w.ID, qadecision.KindWITHDRAW); err != nil {
		t.Fatal(err)
	}
	wantErr(t, dec(w.ID, qadecision.KindWITHDRAW), apierr.Conflict, "WITHDRAWN")

	p := e.pending(t)
	wantErr(t, dec(p.ID, qadecision.KindSUSPEND), apierr.Conflict, "PENDING")
	_, err = e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: qadecision.KindREFUSE})
	wantErr(t, err, apierr.BadUserInput, "reason")
	if err := dec(p.ID, qadecision.KindREFUSE); err != nil {
		t.Fatal(err)
	}
}

func TestApplicationsAndWorklist(t *testing.T) {
	e := setup(t)
	anon := context.Background()
	a, err := e.svc.Submit(anon, qa.NewApplication{Kind: application.KindSCHOOL, OrganisationName: "New Academy",
		URN: "100009", ContactName: "Head", Email: "head@new.example", Postcode: "ng5 1aa"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Submit(anon, qa.NewApplication{Kind: application.KindSCHOOL, OrganisationName: "Dup",
		URN: "100001", ContactName: "Head", Email: "head@dup.example", Postcode: "NG5 1AA"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Submit(anon, qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: "P",
		ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA"})
	wantErr(t, err, apierr.BadUserInput, "courses")

	w, err := e.svc.Worklist(e.qa)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Applications) != 2 {
		t.Fatalf("%d applications on the worklist", len(w.Applications))
	}
	// The fixture provider was never visited: both visits are due now.
	reasons := map[qa.DueReason]bool{}
	for _, d := range w.Due {
		if d.Provider.ID == e.Provider.ID {
			reasons[d.Reason] = true
		}
	}
	if !reasons[qa.ComplianceVisitDue] || !reasons[qa.EvaluationVisitDue] || reasons[qa.ApprovalEnds] {
		t.Fatalf("fixture provider due %v", reasons)
	}

	_, err = e.svc.Accept(e.qa, a.ID)
	wantErr(t, err, apierr.Forbidden, "admin")
	admin := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 2, Role: viewer.PartnershipAdmin})
	got, err := e.svc.Accept(admin, a.ID)
	if err != nil || got.Status != application.StatusACCEPTED {
		t.Fatalf("accept: %v %v", got, err)
	}
	if s := got.QuerySchool().OnlyX(sys); s.Urn != "100009" || s.Postcode != "NG5 1AA" {
		t.Fatalf("school %+v", s)
	}
	dup := e.c.Application.Query().Where(application.Urn("100001")).OnlyX(sys)
	_, err = e.svc.Accept(admin, dup.ID)
	wantErr(t, err, apierr.Conflict, "already registered (Test Academy")
	wantErr(t, err, apierr.Conflict, "reject this application")
	_, err = e.svc.Reject(e.qa, dup.ID, " ")
	wantErr(t, err, apierr.BadUserInput, "reason")
	if r, err := e.svc.Reject(e.qa, dup.ID, "already a member"); err != nil || r.Status != application.StatusREJECTED {
		t.Fatalf("reject: %v %v", r, err)
	}
}

// Submitting needs no account, so it is throttled per address.
func TestSubmissionsAreThrottled(t *testing.T) {
	e := setup(t)
	ctx := viewer.NewContext(context.Background(), viewer.Viewer{Address: "192.0.2.1"})
	var err error
	for i := range 6 {
		_, err = e.svc.Submit(ctx, qa.NewApplication{Kind: application.KindSCHOOL, OrganisationName: "S",
			URN: "10010" + string(rune('0'+i)), ContactName: "C", Email: "c@s.example", Postcode: "NG5 1AA"})
	}
	wantErr(t, err, apierr.Forbidden, "too many")
}

// DOMAIN.md, process 2: approved providers agree to keep improving by
// attending the partnership's courses, so one with no attended training in
// the last 12 months is due some on the worklist.
func TestWorklistTrainingDue(t *testing.T) {
	e := setup(t)
	due := func() (qa.Due, bool) {
		t.Helper()
		w, err := e.svc.Worklist(e.qa)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range w.Due {
			if d.Provider.ID == e.Provider.ID && d.Reason == qa.TrainingDue {
				return d, true
			}
		}
		return qa.Due{}, false
	}
	if d, ok := due(); !ok || !d.DueOn.Equal(e.today) {
		t.Fatalf("never trained: due %+v %v, want today", d, ok)
	}
	attend := func(startsAt time.Time, attended bool) {
		ev := e.c.TrainingEvent.Create().SetTitle("Safeguarding update").SetStartsAt(startsAt).
			SetEndsAt(startsAt.Add(2 * time.Hour)).SetCapacity(10).SetCreatedBy("system").SaveX(sys)
		e.c.TrainingBooking.Create().SetEventID(ev.ID).SetProviderID(e.Provider.ID).SetAttendeeName("A").
			SetAttendeeEmail("a@p.example").SetBookedBy("system").SetAttended(attended).SaveX(sys)
	}
	attend(e.today.AddDate(0, -2, 0), false) // booked but absent: does not count
	if _, ok := due(); !ok {
		t.Fatal("an absence counted as attended training")
	}
	attend(e.today.AddDate(0, -13, 0), true) // attended, but over 12 months ago
	if d, ok := due(); !ok || !d.Overdue {
		t.Fatalf("trained 13 months ago: due %+v %v, want overdue", d, ok)
	}
	attend(e.today.AddDate(0, -2, 0), true)
	if d, ok := due(); ok {
		t.Fatalf("trained 2 months ago but due %+v", d)
	}
}

// A suspension stands until the provider is visited again: withdrawing and
// re-approving on the visits that came before it is refused.
func TestApprovalAfterSuspensionNeedsNewVisits(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	dec := func(k qadecision.Kind) error {
		_, err := e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: k, Reason: "minutes"})
		return err
	}
	e.visits(t, p.ID, e.today.AddDate(0, -1, 0), ofsted.Good)
	for _, k := range []qadecision.Kind{qadecision.KindAPPROVE, qadecision.KindSUSPEND, qadecision.KindWITHDRAW} {
		if err := dec(k); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	wantErr(t, dec(qadecision.KindAPPROVE), apierr.Conflict, "before the last suspension")
	e.visits(t, p.ID, e.today, ofsted.Good)
	if err := dec(qadecision.KindAPPROVE); err != nil {
		t.Fatalf("approve after new visits: %v", err)
	}
}

// A compliance visit answers every item of the checklist exactly once
// (issue 5: a visit with no answers, or only some, was accepted as a visit
// and could not say whether the provider complies).
func TestComplianceVisitMustAnswerEveryItem(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	record := func(results []qa.ItemAnswer) error {
		_, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, Results: results})
		return err
	}
	all := e.answers("", nil)
	// No answers at all: refused, naming every item.
	err := record(nil)
	wantErr(t, err, apierr.BadUserInput, "unanswered: SG-DSL, SG-TRAINING")
	wantErr(t, err, apierr.BadUserInput, "QE-STAFF")
	// Some answered: the others are named, and only they.
	err = record(all[:len(all)-2])
	wantErr(t, err, apierr.BadUserInput, "unanswered: "+e.items[len(all)-2].Code+", "+e.items[len(all)-1].Code)
	if strings.Contains(err.Error(), "SG-DSL") {
		t.Fatalf("an answered item is listed as unanswered: %v", err)
	}
	// An item answered twice, or an item that is not on any checklist.
	wantErr(t, record(append(all, all[0])), apierr.BadUserInput, "answered twice")
	wantErr(t, record(append(all[1:], qa.ItemAnswer{ItemID: 999999, Outcome: complianceitemresult.OutcomeMET})),
		apierr.BadUserInput, "item 999999 not found")
	if n := e.c.ComplianceVisit.Query().CountX(sys); n != 0 {
		t.Fatalf("%d visits saved from refused requests", n)
	}
	// Every item answered, none unmet: COMPLIANT.
	if err := record(all); err != nil {
		t.Fatal(err)
	}
}

// A new compliance visit answers the current (latest published) checklist
// version; a form showing an older version is refused with CONFLICT naming
// the current one (issue 5).
func TestComplianceVisitUsesTheCurrentChecklist(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	v1 := e.c.ChecklistTemplate.Query().OnlyX(sys)
	specs := make([]qa.ItemSpec, len(qa.DefaultChecklist))
	copy(specs, qa.DefaultChecklist)
	specs[0].Text = "A named DSL and deputy, both trained within two years"
	v2, err := e.svc.PublishChecklist(e.qa, specs)
	if err != nil {
		t.Fatal(err)
	}
	old := e.answers("", nil) // version 1's items
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, TemplateID: &v1.ID, Results: old})
	wantErr(t, err, apierr.Conflict, "checklist version 1 is no longer current: version 2 was published")
	// The same stale form without templateID: its items give it away.
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, Results: old})
	wantErr(t, err, apierr.Conflict, "answer version 2")
	var current []qa.ItemAnswer
	for _, it := range v2.QueryItems().AllX(sys) {
		current = append(current, qa.ItemAnswer{ItemID: it.ID, Outcome: complianceitemresult.OutcomeMET})
	}
	v, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, TemplateID: &v2.ID, Results: current})
	if err != nil || v.QueryTemplate().OnlyX(sys).Version != 2 || v.Overall != "COMPLIANT" {
		t.Fatalf("visit on version 2: %v %v", v, err)
	}
}

// Visit dates: not in the future, not more than 12 months ago (such a visit
// could not support an approval), not before the provider applied (issue 5).
func TestVisitDateBounds(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	compliance := func(on time.Time) error {
		_, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: on, Results: e.answers("", nil)})
		return err
	}
	evaluation := func(on time.Time) error {
		g := qa.Grades{TeachingAndLearning: ofsted.Good, BehaviourAndAttitudes: ofsted.Good, PersonalDevelopment: ofsted.Good,
			LeadershipAndManagement: ofsted.Good, Overall: ofsted.Good}
		_, err := e.svc.RecordEvaluationVisit(e.qa, qa.NewEvaluationVisit{ProviderID: p.ID, VisitedOn: on, Grades: g, Report: "r"})
		return err
	}
	for name, record := range map[string]func(time.Time) error{"compliance": compliance, "evaluation": evaluation} {
		wantErr(t, record(e.today.AddDate(0, 0, 1)), apierr.BadUserInput, "in the future")
		wantErr(t, record(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)), apierr.BadUserInput, "more than 12 months ago")
		wantErr(t, record(e.today.AddDate(-1, 0, -1)), apierr.BadUserInput, "more than 12 months ago")
		if err := record(e.today.AddDate(-1, 0, 0)); err != nil { // 12 months ago to the day
			t.Fatalf("%s visit 12 months ago: %v", name, err)
		}
	}
	// A provider that joined through an application cannot be visited before it applied.
	applied := e.today.AddDate(0, -2, 0)
	e.c.Application.Create().SetKind(application.KindPROVIDER).SetOrganisationName("Pending Ltd").SetContactName("C").
		SetEmail("c@p.example").SetPostcode("NG1 1AA").SetSubmittedAt(applied.Add(9 * time.Hour)).
		SetStatus(application.StatusACCEPTED).SetProvider(p).ExecX(sys)
	wantErr(t, compliance(applied.AddDate(0, 0, -1)), apierr.BadUserInput, "before "+p.Name+" applied")
	wantErr(t, evaluation(applied.AddDate(0, 0, -1)), apierr.BadUserInput, "applied to the partnership")
	if err := compliance(applied); err != nil {
		t.Fatalf("visit on the day it applied: %v", err)
	}
}

// "Valid 12 months from the decision" (issue 5, README): approved on
// 2026-12-04, the approval is current to 2027-12-03 inclusive and lapses on
// 2027-12-04, not a day later. The decision, the approved list, the lapse
// job and the worklist agree on both boundary days.
func TestApprovalRunsTwelveMonthsToTheDay(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data")
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, london) }
	clock := at(2026, time.December, 4, 10, 0)
	svc := qa.NewService(e.c, e.pub, nil, func() time.Time { return clock })
	if _, err := svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: clock, Results: e.answers("", nil)}); err != nil {
		t.Fatal(err)
	}
	g := qa.Grades{TeachingAndLearning: ofsted.Good, BehaviourAndAttitudes: ofsted.Good, PersonalDevelopment: ofsted.Good,
		LeadershipAndManagement: ofsted.Good, Overall: ofsted.Good}
	if _, err := svc.RecordEvaluationVisit(e.qa, qa.NewEvaluationVisit{ProviderID: p.ID, VisitedOn: clock, Grades: g, Report: "r"}); err != nil {
		t.Fatal(err)
	}
	d, err := svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: qadecision.KindAPPROVE})
	if err != nil {
		t.Fatal(err)
	}
	lastDay := time.Date(2027, time.December, 3, 0, 0, 0, 0, time.UTC)
	if !d.ValidUntil.Equal(lastDay) || !e.c.Provider.GetX(sys, p.ID).ApprovedUntil.Equal(lastDay) {
		t.Fatalf("approved on 2026-12-04: valid until %v, want 2027-12-03", d.ValidUntil)
	}
	for _, c := range []struct {
		now             time.Time
		current, lapses bool
	}{
		{at(2027, time.December, 3, 0, 5), true, false},
		{at(2027, time.December, 3, 23, 55), true, false}, // the last minute of the last day, in England
		{at(2027, time.December, 4, 0, 5), false, true},   // the anniversary: lapsed
	} {
		p := e.c.Provider.GetX(sys, p.ID)
		listed := e.c.Provider.Query().Where(provider.ID(p.ID), access.CurrentlyApproved(c.now)).ExistX(sys)
		if access.IsCurrentlyApproved(p, c.now) != c.current || listed != c.current {
			t.Fatalf("%v: current %v, listed %v; want %v", c.now, access.IsCurrentlyApproved(p, c.now), listed, c.current)
		}
		job := qa.NewService(e.c, nil, nil, func() time.Time { return c.now })
		w, err := job.Worklist(e.qa)
		if err != nil {
			t.Fatal(err)
		}
		var ends *qa.Due
		for i := range w.Due {
			if w.Due[i].Provider.ID == p.ID && w.Due[i].Reason == qa.ApprovalEnds {
				ends = &w.Due[i]
			}
		}
		// Due on the last day; overdue (ended) from the anniversary.
		if ends == nil || !ends.DueOn.Equal(lastDay) || ends.Overdue != !c.current {
			t.Fatalf("%v: worklist approval end %+v, want due 2027-12-03, overdue %v", c.now, ends, !c.current)
		}
		if _, err := job.LapseExpired(sys); err != nil {
			t.Fatal(err)
		}
		if lapsed := e.c.Provider.GetX(sys, p.ID).ApprovalStatus == provider.ApprovalStatusLAPSED; lapsed != c.lapses {
			t.Fatalf("%v: lapsed %v after the lapse job, want %v", c.now, lapsed, c.lapses)
		}
	}
	if got := e.c.Provider.GetX(sys, p.ID).ApprovalStatus; got != provider.ApprovalStatusLAPSED {
		t.Fatalf("after the anniversary: %s", got)
	}
}

// Some items can never be not applicable (issue 5: SG-DSL, the named
// designated safeguarding lead, could be marked N/A): every provider with
// learners on site needs a DSL, safeguarding training, DBS checks and a
// single central record, a safeguarding policy, risk assessments, fire
// safety, first aid and public liability insurance. Employer's liability
// insurance may be N/A (a sole trader with no employees need not hold it).
func TestEssentialItemsCannotBeNotApplicable(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	flags := map[string]bool{}
	for _, it := range e.items {
		flags[it.Code] = it.NotApplicableAllowed
	}
	for _, code := range []string{"SG-DSL", "SG-TRAINING", "SG-DBS", "SG-SCR", "SG-POLICY", "HS-RISK", "HS-FIRE", "HS-FIRSTAID", "HS-PL-INSURANCE"} {
		if flags[code] {
			t.Errorf("%s may be answered NOT_APPLICABLE", code)
		}
	}
	if !flags["HS-EL-INSURANCE"] || !flags["AS-SEND"] {
		t.Errorf("items that can be not applicable refuse it: %v", flags)
	}
	na := func(code string) []qa.ItemAnswer {
		as := e.answers("", nil)
		for i, it := range e.items {
			if it.Code == code {
				as[i].Outcome = complianceitemresult.OutcomeNOT_APPLICABLE
			}
		}
		return as
	}
	_, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, Results: na("SG-DSL")})
	wantErr(t, err, apierr.BadUserInput, "item SG-DSL cannot be not applicable")
	v, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, Results: na("HS-EL-INSURANCE")})
	if err != nil || v.Overall != "COMPLIANT" {
		t.Fatalf("EL insurance not applicable: %v %v", v, err)
	}

	// A published version keeps each item's flag.
	v2, err := e.svc.PublishChecklist(e.qa, essentials(qa.ItemSpec{Area: e.items[0].Area, Code: "SG-OTHER", Text: "Other", NotApplicableAllowed: true}))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range v2.QueryItems().AllX(sys) {
		if it.NotApplicableAllowed != (it.Code == "SG-OTHER") {
			t.Errorf("version 2 %s: N/A allowed %v", it.Code, it.NotApplicableAllowed)
		}
	}

	// A database migrated before the flag existed has version 1 allowing N/A
	// everywhere (the column's default); the start-up check restores it.
	e.c.ChecklistItem.Update().SetNotApplicableAllowed(true).ExecX(privacy.DecisionContext(sys, privacy.Allow))
	if err := qa.EnsureDefaultChecklist(sys, e.c); err != nil {
		t.Fatal(err)
	}
	for _, it := range e.c.ChecklistItem.Query().AllX(sys) {
		if it.NotApplicableAllowed != flags[it.Code] && it.QueryTemplate().OnlyX(sys).Version == 1 {
			t.Errorf("version 1 %s after the start-up check: N/A allowed %v", it.Code, it.NotApplicableAllowed)
		}
	}
	if !e.c.ChecklistItem.Query().Where(checklistitem.Code("SG-DSL"), checklistitem.HasTemplateWith(checklisttemplate.Version(2))).OnlyX(sys).NotApplicableAllowed {
		t.Error("the start-up check changed a version the partnership published")
	}
}

// A decision may not be dated before the provider's latest decision, nor
// before it applied, nor in the future: otherwise the history, read by
// date, contradicts the status (trial: APPROVE 2026-12-04, then SUSPEND
// 2026-11-20, REINSTATE 2026-11-10 and WITHDRAW 2026-11-06 were accepted).
func TestDecisionsCannotBeBackdatedBeforeTheLatest(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	on := func(k qadecision.Kind, d time.Time) error {
		_, err := e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: k, DecidedOn: &d, Reason: "minutes"})
		return err
	}
	e.visits(t, p.ID, e.today.AddDate(0, 0, -10), ofsted.Good)
	approved := e.today.AddDate(0, 0, -4)
	if err := on(qadecision.KindAPPROVE, approved); err != nil {
		t.Fatal(err)
	}
	err := on(qadecision.KindSUSPEND, approved.AddDate(0, 0, -1))
	wantErr(t, err, apierr.BadUserInput, "before the provider's latest decision (APPROVE on "+approved.Format(time.DateOnly)+")")
	wantErr(t, err, apierr.BadUserInput, "decidedOn")
	wantErr(t, on(qadecision.KindWITHDRAW, approved.AddDate(0, 0, -1)), apierr.BadUserInput, "latest decision")
	wantErr(t, on(qadecision.KindSUSPEND, e.today.AddDate(0, 0, 1)), apierr.BadUserInput, "in the future")
	if got := e.c.Provider.GetX(sys, p.ID).ApprovalStatus; got != provider.ApprovalStatusAPPROVED {
		t.Fatalf("status %s after refused decisions", got)
	}
	// The same day as the latest decision follows it.
	if err := on(qadecision.KindSUSPEND, approved); err != nil {
		t.Fatal(err)
	}
	wantErr(t, on(qadecision.KindREINSTATE, approved.AddDate(0, 0, -1)), apierr.BadUserInput, "SUSPEND on "+approved.Format(time.DateOnly))
	if err := on(qadecision.KindREINSTATE, e.today); err != nil {
		t.Fatal(err)
	}

	// Not before the provider applied to the partnership.
	q := e.pending(t)
	applied := e.today.AddDate(0, 0, -10)
	e.c.Application.Create().SetKind(application.KindPROVIDER).SetOrganisationName("Pending Ltd").SetContactName("C").
		SetEmail("c@p.example").SetPostcode("NG1 1AA").SetSubmittedAt(applied.Add(9 * time.Hour)).
		SetStatus(application.StatusACCEPTED).SetProvider(q).ExecX(sys)
	before := applied.AddDate(0, 0, -1)
	_, err = e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: q.ID, Kind: qadecision.KindREFUSE, DecidedOn: &before, Reason: "minutes"})
	wantErr(t, err, apierr.BadUserInput, "before the provider applied to the partnership ("+applied.Format(time.DateOnly)+")")
}

// An approval rests on visits made by its date: one dated before the
// visits is refused saying the visits come after it, not that there are
// none (trial, message 9).
func TestApprovalDatedBeforeTheVisitsSaysSo(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	e.visits(t, p.ID, e.today.AddDate(0, 0, -3), ofsted.Good)
	early := e.today.AddDate(0, 0, -5)
	_, err := e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: qadecision.KindAPPROVE, DecidedOn: &early})
	visited := e.today.AddDate(0, 0, -3).Format(time.DateOnly)
	wantErr(t, err, apierr.Conflict, "the compliance visit ("+visited+") is dated after the decision ("+early.Format(time.DateOnly)+")")
	wantErr(t, err, apierr.Conflict, "the evaluation visit ("+visited+") is dated after the decision")
	if strings.Contains(err.Error(), "no compliance visit") || strings.Contains(err.Error(), "no evaluation visit") {
		t.Fatalf("visits exist but the error says none: %v", err)
	}
}

func offered(number string) []offer.Course {
	return []offer.Course{{QualificationNumber: number, Places: 4, DeliveryPostcode: "NG5 1AA",
		Sessions: []timetable.Session{{Weekday: "MONDAY", Start: "09:00", End: "12:00"}}}}
}

// One organisation, one provider (DOMAIN.md, identifiers: a provider is
// known by its UKPRN and/or Ofsted URN): an application with a registered
// provider's UKPRN or URN, or one already waiting for review, is refused
// at submission without naming the provider (the applicant is anonymous),
// and accepting one is refused naming the provider (trial: a second
// application with the same UKPRN and URN created a second provider).
func TestOneProviderPerUKPRNAndURN(t *testing.T) {
	e := setup(t)
	admin := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 2, Role: viewer.PartnershipAdmin})
	apply := func(name, ukprn, urn string) (*ent.Application, error) {
		return e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: name,
			UKPRN: ukprn, URN: urn, ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: offered("603/2476/0")})
	}
	first, err := apply("Meadows Motor Project", "10098765", "")
	if err != nil {
		t.Fatal(err)
	}
	// Waiting for review: a second application with its UKPRN is refused.
	_, err = apply("Meadows Motors", "10098765", "")
	wantErr(t, err, apierr.Conflict, "already waiting for the partnership's review")
	// A different UKPRN is another organisation.
	second, err := apply("Other Ltd", "10011111", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(admin, first.ID); err != nil {
		t.Fatal(err)
	}
	// Registered: refused at submission, naming no provider.
	_, err = apply("Meadows Again", " 10098765 ", "")
	wantErr(t, err, apierr.Conflict, "a provider with this UKPRN 10098765 is already registered with the partnership")
	if strings.Contains(err.Error(), "Meadows Motor Project") {
		t.Fatalf("an anonymous applicant was told a provider's name: %v", err)
	}
	// The same by Ofsted URN.
	e.c.Provider.UpdateOneID(e.Provider.ID).SetUrn("123456").ExecX(sys)
	_, err = apply("Copy Ltd", "", "123456")
	wantErr(t, err, apierr.Conflict, "Ofsted URN 123456 is already registered")

	// An application that got through before the provider was registered
	// (here, written directly) cannot be accepted: accepting names the provider.
	dup := e.c.Application.Create().SetKind(application.KindPROVIDER).SetOrganisationName("Meadows Copy").
		SetUkprn("10098765").SetContactName("C").SetEmail("c@p.example").SetPostcode("NG5 1AA").
		SetCourses(offered("603/2476/0")).SetSubmittedAt(e.today).SaveX(sys)
	_, err = e.svc.Accept(admin, dup.ID)
	wantErr(t, err, apierr.Conflict, "a provider with UKPRN 10098765 is already registered (Meadows Motor Project)")
	byURN := e.c.Application.Create().SetKind(application.KindPROVIDER).SetOrganisationName("Copy").
		SetUrn("123456").SetContactName("C").SetEmail("c@p.example").SetPostcode("NG5 1AA").
		SetCourses(offered("603/2476/0")).SetSubmittedAt(e.today).SaveX(sys)
	_, err = e.svc.Accept(admin, byURN.ID)
	wantErr(t, err, apierr.Conflict, "Ofsted URN 123456 is already registered (Test Provider)")
	if n := e.c.Provider.Query().Where(provider.Ukprn("10098765")).CountX(sys); n != 1 {
		t.Fatalf("%d providers with UKPRN 10098765", n)
	}
	if _, err := e.svc.Accept(admin, second.ID); err != nil {
		t.Fatal(err)
	}
}

// A provider's Ofsted URN is 6 or 7 digits, or EY (early years and
// childcare) or SC (social care) and 6 digits, stored uppercase: not a DfE
// school URN (trial: a 7-digit or EY URN was refused as "not a DfE URN").
func TestProviderOfstedURNFormats(t *testing.T) {
	e := setup(t)
	admin := viewer.NewContext(context.Background(), viewer.Viewer{UserID: 2, Role: viewer.PartnershipAdmin})
	for urn, want := range map[string]string{"2567890": "2567890", "ey123456": "EY123456", " SC654321 ": "SC654321"} {
		a, err := e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: "P " + want,
			URN: urn, ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: offered("603/2476/0")})
		if err != nil || a.Urn != want {
			t.Fatalf("Ofsted URN %q: %v %v", urn, a, err)
		}
		if _, err := e.svc.Accept(admin, a.ID); err != nil {
			t.Fatal(err)
		}
		if p := e.c.Provider.Query().Where(provider.Urn(want)).OnlyX(sys); p.Name != "P "+want {
			t.Fatalf("provider %+v", p)
		}
	}
	_, err := e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: "P",
		URN: "AB123456", ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: offered("603/2476/0")})
	wantErr(t, err, apierr.BadUserInput, "is not an Ofsted URN")
	// A school's URN is still a DfE URN: 6 digits.
	_, err = e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindSCHOOL, OrganisationName: "S",
		URN: "2567890", ContactName: "C", Email: "c@s.example", Postcode: "NG5 1AA"})
	wantErr(t, err, apierr.BadUserInput, "is not a DfE URN")
	// Every write of a provider goes through the same rule.
	if err := e.c.Provider.UpdateOneID(e.Provider.ID).SetUrn("ey000001").Exec(sys); err != nil {
		t.Fatal(err)
	}
	if got := e.c.Provider.GetX(sys, e.Provider.ID).Urn; got != "EY000001" {
		t.Fatalf("stored %q", got)
	}
}

// A provider applies to offer qualifications in the partnership's
// catalogue (trial: an unknown number passed submission and failed only at
// acceptance), and each course once: the same qualification, delivery
// postcode and days twice is refused.
func TestApplicationCoursesAreInTheCatalogueAndDistinct(t *testing.T) {
	e := setup(t)
	submit := func(cs []offer.Course) error {
		_, err := e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: "P",
			ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: cs})
		return err
	}
	cs := append(offered("603/2476/0"), offered("60364864")...)
	err := submit(cs)
	wantErr(t, err, apierr.BadUserInput, "course 2: 603/6486/4 is not in the partnership's qualification catalogue")
	wantErr(t, err, apierr.BadUserInput, "courses[1].qualificationNumber")
	if n := e.c.Application.Query().CountX(sys); n != 0 {
		t.Fatalf("%d applications stored", n)
	}

	twice := append(offered("603/2476/0"), offered("60324760")...)
	twice[1].DeliveryPostcode = "ng5 1aa"
	twice[0].Sessions = append(twice[0].Sessions, timetable.Session{Weekday: "TUESDAY", Start: "13:00", End: "15:00"})
	twice[1].Sessions = []timetable.Session{twice[0].Sessions[1], twice[0].Sessions[0]}
	err = submit(twice)
	wantErr(t, err, apierr.BadUserInput, "course 2 repeats course 1")
	wantErr(t, err, apierr.BadUserInput, "courses[1]")
	// The same qualification on other days, or elsewhere, is another course.
	twice[1].Sessions = offered("")[0].Sessions
	if err := submit(twice); err != nil {
		t.Fatal(err)
	}
}

// Errors name the field within the mutation's input the way the rest of the
// API does ("visitedOn", "results[2].action", "courses[0].sessions[1].end"),
// without an "input." prefix (trial: some QA fields had it, others not), so
// the dashboard can mark the control at fault.
func TestQAErrorFieldsNameTheInputField(t *testing.T) {
	e := setup(t)
	p := e.pending(t)
	field := func(err error) string {
		t.Helper()
		ae, ok := apierr.As(err)
		if !ok {
			t.Fatalf("not an apierr: %v", err)
		}
		return ae.Field
	}
	tomorrow := e.today.AddDate(0, 0, 1)
	_, err := e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: tomorrow})
	if f := field(err); f != "visitedOn" {
		t.Errorf("visit date: field %q", f)
	}
	as := e.answers("HS-FIRE", nil)
	_, err = e.svc.RecordComplianceVisit(e.qa, qa.NewComplianceVisit{ProviderID: p.ID, VisitedOn: e.today, Results: as})
	if f, want := field(err), "results["; !strings.HasPrefix(f, want) || !strings.HasSuffix(f, "].action") {
		t.Errorf("unmet item without action: field %q", f)
	}
	_, err = e.svc.RecordDecision(e.qa, qa.NewDecision{ProviderID: p.ID, Kind: qadecision.KindAPPROVE, DecidedOn: &tomorrow})
	if f := field(err); f != "decidedOn" {
		t.Errorf("decision date: field %q", f)
	}
	cs := offered("603/2476/0")
	cs[0].Sessions = append(cs[0].Sessions, timetable.Session{Weekday: "TUESDAY", Start: "09:00", End: "9am"})
	_, err = e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: "P",
		ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: cs})
	if f := field(err); f != "courses[0].sessions[1].end" {
		t.Errorf("bad session end: field %q (%v)", f, err)
	}
	_, err = e.svc.Submit(context.Background(), qa.NewApplication{Kind: application.KindPROVIDER, OrganisationName: " ",
		ContactName: "C", Email: "c@p.example", Postcode: "NG5 1AA", Courses: cs})
	if f := field(err); f != "organisationName" {
		t.Errorf("organisation name: field %q", f)
	}
}
