package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/checklisttemplate"
	"github.com/apnet/apnet/ent/complianceitemresult"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/qadecision"
	"github.com/apnet/apnet/internal/offer"
	"github.com/apnet/apnet/internal/ofsted"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/timetable"
)

// demoOfficer is the actor the demo's visits and decisions name: the QA
// officer's account is made after the seed.
const demoOfficer = "system"

// writeQA gives each provider the quality-assurance history its status
// implies, so the QA worklist and provider pages look lived in:
//   - APPROVED, SUSPENDED and LAPSED providers were visited three weeks
//     before an APPROVE decision 12 months before their approved_until; so
//     the one approved until next month is due its visits within 30 days;
//   - a SUSPENDED provider's latest compliance visit found it
//     NOT_COMPLIANT, with an action now overdue, and a SUSPEND decision;
//   - the PENDING provider has had its compliance visit but no evaluation;
//   - one provider's application waits in the queue.
func (p *plan) writeQA(ctx context.Context, tx *ent.Tx, providerIDs []int) error {
	if err := qa.EnsureDefaultChecklist(ctx, tx.Client()); err != nil {
		return err
	}
	t, err := tx.ChecklistTemplate.Query().Where(checklisttemplate.Version(1)).WithItems().Only(ctx)
	if err != nil {
		return fmt.Errorf("demo: checklist: %w", err)
	}
	items := t.Edges.Items
	grades := []ofsted.Grade{ofsted.Good, ofsted.Outstanding, ofsted.Good}
	// Rows are gathered first and written in one bulk INSERT per table.
	type visit struct {
		provider int
		on       time.Time
		notMet   string // the one NOT_MET item's code, if any
	}
	var visits []visit
	var evaluations []*ent.EvaluationVisitCreate
	var decisions []*ent.QADecisionCreate
	decide := func(provID int, kind qadecision.Kind, on time.Time, reason string, until *time.Time) {
		decisions = append(decisions, tx.QADecision.Create().SetProviderID(provID).SetKind(kind).SetDecidedOn(on).
			SetReason(reason).SetNillableValidUntil(until).SetRecordedBy(demoOfficer).SetRecordedAt(on.Add(17*time.Hour)))
	}
	for i, pr := range p.ref.Providers {
		id := providerIDs[i]
		switch pr.Status {
		case provider.ApprovalStatusPENDING:
			visits = append(visits, visit{id, p.today.AddDate(0, 0, -10), ""})
		case provider.ApprovalStatusAPPROVED, provider.ApprovalStatusSUSPENDED, provider.ApprovalStatusLAPSED:
			until := p.approvedUntil[i]
			if until == nil {
				continue
			}
			decided := until.AddDate(0, -qa.ApprovalMonths, 1) // qa.ApprovalLastDay(decided) == until
			visited := decided.AddDate(0, 0, -21)
			visits = append(visits, visit{id, visited, ""})
			g := grades[i%len(grades)]
			evaluations = append(evaluations, tx.EvaluationVisit.Create().SetProviderID(id).SetVisitedOn(visited.AddDate(0, 0, 7)).
				SetOfficer(demoOfficer).SetTeachingAndLearning(g).SetBehaviourAndAttitudes(ofsted.Good).
				SetPersonalDevelopment(g).SetLeadershipAndManagement(ofsted.Good).SetOverallGrade(g).
				SetReport("Sessions observed were well planned and matched to learners' needs; learners were "+
					"engaged and supported to make progress towards their qualifications.").
				SetRecordedAt(visited.AddDate(0, 0, 8)))
			decide(id, qadecision.KindAPPROVE, decided, "QA Management Group: compliance and evaluation visits satisfactory.", until)
			if pr.Status == provider.ApprovalStatusSUSPENDED {
				on := p.today.AddDate(0, 0, -(21 + i%7))
				visits = append(visits, visit{id, on, "SG-SCR"})
				decide(id, qadecision.KindSUSPEND, on.AddDate(0, 0, 2),
					"Single central record incomplete at the compliance visit; suspended until the action is closed.", nil)
			}
		}
	}
	vs := make([]*ent.ComplianceVisitCreate, len(visits))
	for i, v := range visits {
		overall := compliancevisit.OverallCOMPLIANT
		if v.notMet != "" {
			overall = compliancevisit.OverallNOT_COMPLIANT
		}
		vs[i] = tx.ComplianceVisit.Create().SetProviderID(v.provider).SetTemplate(t).SetVisitedOn(v.on).
			SetOfficer(demoOfficer).SetOverall(overall).SetRecordedAt(v.on.Add(16 * time.Hour)).
			SetSummary("Annual compliance visit: policies, records and premises checked with the manager.")
	}
	saved, err := tx.ComplianceVisit.CreateBulk(vs...).Save(ctx)
	if err != nil {
		return err
	}
	var results []*ent.ComplianceItemResultCreate
	var actions []*ent.ComplianceActionCreate
	for i, v := range visits {
		for _, it := range items {
			outcome, evidence := complianceitemresult.OutcomeMET, "Seen on the visit."
			if it.Code == v.notMet {
				outcome, evidence = complianceitemresult.OutcomeNOT_MET, "Not in place on the day of the visit."
				actions = append(actions, tx.ComplianceAction.Create().SetVisit(saved[i]).SetItem(it).
					SetOwnerName("Centre manager").SetDescription("Put this in place and send the evidence to the QA officer.").
					SetDueOn(v.on.AddDate(0, 0, 14)))
			}
			results = append(results, tx.ComplianceItemResult.Create().SetVisit(saved[i]).SetItem(it).
				SetOutcome(outcome).SetEvidence(evidence))
		}
	}
	for lo := 0; lo < len(results); lo += batchSize {
		if err := tx.ComplianceItemResult.CreateBulk(results[lo:min(lo+batchSize, len(results))]...).Exec(ctx); err != nil {
			return err
		}
	}
	if err := tx.ComplianceAction.CreateBulk(actions...).Exec(ctx); err != nil {
		return err
	}
	if err := tx.EvaluationVisit.CreateBulk(evaluations...).Exec(ctx); err != nil {
		return err
	}
	if err := tx.QADecision.CreateBulk(decisions...).Exec(ctx); err != nil {
		return err
	}
	// One provider's application waits for review.
	q := p.ref.Qualifications[0]
	return tx.Application.Create().SetKind("PROVIDER").SetOrganisationName("Meadows Motor Project CIC").
		SetUkprn("10098765").SetSettingType("OTH").SetContactName("Jordan Hale").SetEmail("jordan@meadows-motor.example").
		SetPhone("0115 496 0999").SetAddress("Unit 4, Meadow Lane, Nottingham").SetPostcode("NG2 3HJ").
		SetDescription("Motor vehicle maintenance for 14–16 year olds in a working garage.").
		SetCourses([]offer.Course{{QualificationNumber: q.Number, Places: 6, DeliveryPostcode: "NG2 3HJ",
			Sessions: []timetable.Session{{Weekday: timetable.Thursday, Start: "09:00", End: "12:00"}}}}).
		SetSubmittedAt(p.today.AddDate(0, 0, -3).Add(11 * time.Hour)).Exec(ctx)
}
