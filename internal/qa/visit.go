package qa

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/checklistitem"
	"github.com/apnet/apnet/ent/checklisttemplate"
	"github.com/apnet/apnet/ent/complianceaction"
	"github.com/apnet/apnet/ent/complianceitemresult"
	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/document"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/ofsted"
	"github.com/apnet/apnet/internal/viewer"
)

// ActionInput is what must be done about an unmet item.
type ActionInput struct {
	Description string
	OwnerName   string
	DueOn       *time.Time
}

// ItemAnswer is a visit's answer to one checklist item.
type ItemAnswer struct {
	ItemID   int
	Outcome  complianceitemresult.Outcome
	Evidence string
	// Action is required for a NOT_MET item.
	Action *ActionInput
}

// NewComplianceVisit is a compliance visit to record.
type NewComplianceVisit struct {
	ProviderID int
	VisitedOn  time.Time
	// TemplateID is the checklist version used; the latest when nil.
	TemplateID *int
	Summary    string
	Results    []ItemAnswer
	ReportID   *int
}

// visitedOn checks a visit date: not in the future, and not more than
// ApprovalMonths ago (a visit that old could not support an approval, and
// visits are recorded as they are made).
func (s *Service) visitedOn(t time.Time) (time.Time, error) {
	d := dateOnly(t)
	today := s.today()
	if d.After(today) {
		return d, apierr.Invalid("visitedOn", "the visit date %s is in the future; record a visit once it has been made", day(d))
	}
	if earliest := today.AddDate(0, -ApprovalMonths, 0); d.Before(earliest) {
		return d, apierr.Invalid("visitedOn", "the visit date %s is more than %d months ago (before %s); visits are recorded as they are made, and one that old could not support an approval",
			day(d), ApprovalMonths, day(earliest))
	}
	return d, nil
}

// afterApplication refuses a visit dated before the provider applied to
// join the partnership (when it joined through an application).
func afterApplication(ctx context.Context, tx *ent.Tx, p *ent.Provider, visited time.Time) error {
	applied, ok, err := appliedOn(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if ok && visited.Before(applied) {
		return apierr.Invalid("visitedOn", "the visit date %s is before %s applied to the partnership (%s); check the date",
			day(visited), p.Name, day(applied))
	}
	return nil
}

// providerIn loads the provider in tx, locking its row (a no-op update) so
// visits and decisions about one provider are serialised.
func providerIn(ctx context.Context, tx *ent.Tx, id int) (*ent.Provider, error) {
	p, err := tx.Provider.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierr.Invalid("providerID", "provider %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Provider.UpdateOneID(id).SetApprovalStatus(p.ApprovalStatus).Exec(viewer.SystemContext(ctx)); err != nil {
		return nil, err
	}
	return p, nil
}

// checkReport says whether document id may be the report of a visit to
// provider p: a QA file of the right category, of the same provider, not
// already another visit's report.
func checkReport(ctx context.Context, tx *ent.Tx, field string, id int, p *ent.Provider, category document.Category) error {
	sys := viewer.SystemContext(ctx)
	d, err := tx.Document.Query().Where(document.ID(id)).WithProvider().Only(sys)
	if ent.IsNotFound(err) {
		return apierr.Invalid(field, "document %d not found", id)
	}
	if err != nil {
		return err
	}
	if d.Category != category {
		return apierr.Invalid(field, "%q is %s, not %s", d.Title, categoryWords(d.Category), categoryWords(category))
	}
	if d.Edges.Provider == nil || d.Edges.Provider.ID != p.ID {
		return apierr.Invalid(field, "%q is not one of %s's files", d.Title, p.Name)
	}
	var used bool
	if category == document.CategoryCOMPLIANCE_REPORT {
		used, err = tx.ComplianceVisit.Query().Where(compliancevisit.HasReportDocumentWith(document.ID(id))).Exist(sys)
	} else {
		used, err = tx.EvaluationVisit.Query().Where(evaluationvisit.HasReportDocumentWith(document.ID(id))).Exist(sys)
	}
	if err != nil {
		return err
	}
	if used {
		return apierr.Invalid(field, "%q is already the report of another visit", d.Title)
	}
	return nil
}

// categoryWords names a QA file's category in a message.
func categoryWords(c document.Category) string {
	switch c {
	case document.CategoryCOMPLIANCE_REPORT:
		return "a compliance visit report"
	case document.CategoryEVALUATION_REPORT:
		return "an evaluation visit report"
	}
	return "a " + strings.ToLower(strings.ReplaceAll(string(c), "_", " ")) + " document"
}

// RecordComplianceVisit records a visit, its answers and an action for
// every unmet item, in one transaction. The visit answers the current
// checklist version, every item of it exactly once; the overall result is
// derived: COMPLIANT iff no item is NOT_MET.
func (s *Service) RecordComplianceVisit(ctx context.Context, in NewComplianceVisit) (*ent.ComplianceVisit, error) {
	visited, err := s.visitedOn(in.VisitedOn)
	if err != nil {
		return nil, err
	}
	summary, err := optional("summary", in.Summary, 20000)
	if err != nil {
		return nil, err
	}
	var v *ent.ComplianceVisit
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := providerIn(ctx, tx, in.ProviderID)
		if err != nil {
			return err
		}
		if err := afterApplication(ctx, tx, p, visited); err != nil {
			return err
		}
		t, err := currentTemplate(ctx, tx, in.TemplateID)
		if err != nil {
			return err
		}
		items := map[int]*ent.ChecklistItem{}
		for _, it := range t.Edges.Items {
			items[it.ID] = it
		}
		answered := map[int]bool{}
		notMet := 0
		for i, a := range in.Results {
			at := fmt.Sprintf("results[%d]", i)
			if items[a.ItemID] == nil {
				return notOnChecklist(ctx, tx, at+".itemID", a.ItemID, t)
			}
			if answered[a.ItemID] {
				return apierr.Invalid(at+".itemID", "item %s is answered twice; give one answer per item", items[a.ItemID].Code)
			}
			answered[a.ItemID] = true
			if len(a.Evidence) > 5000 {
				return apierr.Invalid(at+".evidence", "evidence notes are longer than 5000 characters")
			}
			switch a.Outcome {
			case complianceitemresult.OutcomeNOT_MET:
				notMet++
				if err := checkAction(at+".action", a.Action, visited); err != nil {
					return err
				}
			case complianceitemresult.OutcomeNOT_APPLICABLE:
				if !items[a.ItemID].NotApplicableAllowed {
					return apierr.Invalid(at+".outcome", "item %s cannot be not applicable: every provider must meet it; answer MET or NOT_MET (with an action)",
						items[a.ItemID].Code)
				}
				if a.Action != nil {
					return apierr.Invalid(at+".action", "only an item NOT_MET has an action")
				}
			case complianceitemresult.OutcomeMET:
				if a.Action != nil {
					return apierr.Invalid(at+".action", "only an item NOT_MET has an action")
				}
			default:
				return apierr.Invalid(at+".outcome", "outcome must be MET, NOT_MET or NOT_APPLICABLE")
			}
		}
		// Every item of the version is answered: a visit with gaps is not a
		// compliance visit, and could not say whether the provider complies.
		var missing []string
		for _, it := range t.Edges.Items {
			if !answered[it.ID] {
				missing = append(missing, it.Code)
			}
		}
		if len(missing) > 0 {
			return apierr.Invalid("results", "every item of checklist version %d must be answered MET, NOT_MET or NOT_APPLICABLE; unanswered: %s",
				t.Version, strings.Join(missing, ", "))
		}
		overall := compliancevisit.OverallCOMPLIANT
		if notMet > 0 {
			overall = compliancevisit.OverallNOT_COMPLIANT
		}
		if in.ReportID != nil {
			if err := checkReport(ctx, tx, "reportID", *in.ReportID, p, document.CategoryCOMPLIANCE_REPORT); err != nil {
				return err
			}
		}
		v, err = tx.ComplianceVisit.Create().SetProviderID(in.ProviderID).SetTemplate(t).SetVisitedOn(visited).
			SetOfficer(viewer.FromContext(ctx).Actor()).SetOverall(overall).SetSummary(summary).
			SetRecordedAt(s.now()).SetNillableReportDocumentID(in.ReportID).Save(ctx)
		if err != nil {
			return err
		}
		results := make([]*ent.ComplianceItemResultCreate, 0, len(in.Results))
		var actions []*ent.ComplianceActionCreate
		for _, a := range in.Results {
			results = append(results, tx.ComplianceItemResult.Create().SetVisit(v).SetItemID(a.ItemID).
				SetOutcome(a.Outcome).SetEvidence(strings.TrimSpace(a.Evidence)))
			if a.Outcome == complianceitemresult.OutcomeNOT_MET {
				actions = append(actions, tx.ComplianceAction.Create().SetVisit(v).SetItemID(a.ItemID).
					SetDescription(strings.TrimSpace(a.Action.Description)).SetOwnerName(strings.TrimSpace(a.Action.OwnerName)).
					SetDueOn(dateOnly(*a.Action.DueOn)))
			}
		}
		if len(results) > 0 {
			if err := tx.ComplianceItemResult.CreateBulk(results...).Exec(ctx); err != nil {
				return err
			}
		}
		if len(actions) > 0 {
			return tx.ComplianceAction.CreateBulk(actions...).Exec(ctx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Client.ComplianceVisit.Get(ctx, v.ID)
}

// currentTemplate is the latest published checklist version with its items
// (ordered by position). A visit names the version its form showed
// (templateID); an older one is refused with CONFLICT: the checklist changed
// since the form was loaded, and the visit must answer the current version.
func currentTemplate(ctx context.Context, tx *ent.Tx, templateID *int) (*ent.ChecklistTemplate, error) {
	t, err := tx.ChecklistTemplate.Query().Order(ent.Desc(checklisttemplate.FieldVersion)).
		WithItems(func(q *ent.ChecklistItemQuery) { q.Order(ent.Asc(checklistitem.FieldPosition)) }).First(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.Conflict, "no checklist version is published yet; publish one before recording a compliance visit")
	}
	if err != nil {
		return nil, err
	}
	if templateID == nil || *templateID == t.ID {
		return t, nil
	}
	old, err := tx.ChecklistTemplate.Get(ctx, *templateID)
	if ent.IsNotFound(err) {
		return nil, apierr.Invalid("templateID", "checklist version with id %d not found; the current version is %d", *templateID, t.Version)
	}
	if err != nil {
		return nil, err
	}
	return nil, stale(old.Version, t)
}

// stale is the refusal of a visit answering an older checklist version.
func stale(old int, current *ent.ChecklistTemplate) error {
	return apierr.New(apierr.Conflict, "checklist version %d is no longer current: version %d was published on %s; reload the checklist and answer version %d",
		old, current.Version, day(current.PublishedAt), current.Version)
}

// notOnChecklist refuses an answer to item id, not an item of current: an
// item of an older version is a stale form (CONFLICT), any other id a
// mistake (BAD_USER_INPUT).
func notOnChecklist(ctx context.Context, tx *ent.Tx, field string, id int, current *ent.ChecklistTemplate) error {
	it, err := tx.ChecklistItem.Query().Where(checklistitem.ID(id)).WithTemplate().Only(ctx)
	if ent.IsNotFound(err) {
		return apierr.Invalid(field, "checklist item %d not found: answer the items of checklist version %d", id, current.Version)
	}
	if err != nil {
		return err
	}
	return stale(it.Edges.Template.Version, current)
}

// checkAction: an unmet item needs what is to be done, its owner and a due
// date on or after the visit.
func checkAction(at string, a *ActionInput, visited time.Time) error {
	switch {
	case a == nil:
		return apierr.Invalid(at, "an item NOT_MET needs an action: description, owner and due date")
	case strings.TrimSpace(a.Description) == "":
		return apierr.Invalid(at+".description", "say what must be done")
	case strings.TrimSpace(a.OwnerName) == "":
		return apierr.Invalid(at+".ownerName", "name who owns the action")
	case a.DueOn == nil:
		return apierr.Invalid(at+".dueOn", "give the action a due date")
	case dateOnly(*a.DueOn).Before(visited):
		return apierr.Invalid(at+".dueOn", "the due date %s is before the visit", day(*a.DueOn))
	case len(a.Description) > 2000 || len(a.OwnerName) > 200:
		return apierr.Invalid(at+".description", "the action is too long")
	}
	return nil
}

// CompleteAction records that an action is done.
func (s *Service) CompleteAction(ctx context.Context, id int) (*ent.ComplianceAction, error) {
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		a, err := tx.ComplianceAction.Query().Where(complianceaction.ID(id)).WithItem().Only(ctx)
		if ent.IsNotFound(err) {
			return notFound("compliance action", id)
		}
		if err != nil {
			return err
		}
		if a.CompletedAt != nil {
			what := "this action"
			if a.Edges.Item != nil {
				what = "the action on item " + a.Edges.Item.Code
			}
			return apierr.New(apierr.Conflict, "%s was already completed on %s; nothing is left to do for it (an issue found again needs a new visit)",
				what, day(*a.CompletedAt))
		}
		return tx.ComplianceAction.UpdateOneID(id).Where(complianceaction.CompletedAtIsNil()).
			SetCompletedAt(s.now()).SetCompletedBy(viewer.FromContext(ctx).Actor()).Exec(ctx)
	})
	if err != nil {
		return nil, err
	}
	return s.Client.ComplianceAction.Get(ctx, id)
}

// Grades are an evaluation visit's judgements on Ofsted's four-point scale.
type Grades struct {
	TeachingAndLearning, BehaviourAndAttitudes, PersonalDevelopment, LeadershipAndManagement, Overall ofsted.Grade
}

// NewEvaluationVisit is an evaluation visit to record.
type NewEvaluationVisit struct {
	ProviderID int
	VisitedOn  time.Time
	Grades     Grades
	Report     string
	ReportID   *int
}

// RecordEvaluationVisit records a quality evaluation visit.
func (s *Service) RecordEvaluationVisit(ctx context.Context, in NewEvaluationVisit) (*ent.EvaluationVisit, error) {
	visited, err := s.visitedOn(in.VisitedOn)
	if err != nil {
		return nil, err
	}
	report, err := required("report", in.Report, 100000)
	if err != nil {
		return nil, err
	}
	g := in.Grades
	for f, v := range map[string]ofsted.Grade{"teachingAndLearning": g.TeachingAndLearning, "behaviourAndAttitudes": g.BehaviourAndAttitudes,
		"personalDevelopment": g.PersonalDevelopment, "leadershipAndManagement": g.LeadershipAndManagement, "overallGrade": g.Overall} {
		if evaluationvisit.TeachingAndLearningValidator(v) != nil {
			return nil, apierr.Invalid(f, "%q is not a grade on Ofsted's four-point scale", v)
		}
	}
	var v *ent.EvaluationVisit
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		p, err := providerIn(ctx, tx, in.ProviderID)
		if err != nil {
			return err
		}
		if err := afterApplication(ctx, tx, p, visited); err != nil {
			return err
		}
		if in.ReportID != nil {
			if err := checkReport(ctx, tx, "reportID", *in.ReportID, p, document.CategoryEVALUATION_REPORT); err != nil {
				return err
			}
		}
		v, err = tx.EvaluationVisit.Create().SetProviderID(in.ProviderID).SetVisitedOn(visited).
			SetOfficer(viewer.FromContext(ctx).Actor()).SetTeachingAndLearning(g.TeachingAndLearning).
			SetBehaviourAndAttitudes(g.BehaviourAndAttitudes).SetPersonalDevelopment(g.PersonalDevelopment).
			SetLeadershipAndManagement(g.LeadershipAndManagement).SetOverallGrade(g.Overall).
			SetReport(report).SetRecordedAt(s.now()).SetNillableReportDocumentID(in.ReportID).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Client.EvaluationVisit.Get(ctx, v.ID)
}

// LatestComplianceVisit and LatestEvaluationVisit are a provider's most
// recent visits as the viewer may see them, or nil.
func LatestComplianceVisit(ctx context.Context, p *ent.Provider) (*ent.ComplianceVisit, error) {
	v, err := p.QueryComplianceVisits().Order(ent.Desc(compliancevisit.FieldVisitedOn), ent.Desc(compliancevisit.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

func LatestEvaluationVisit(ctx context.Context, p *ent.Provider) (*ent.EvaluationVisit, error) {
	v, err := p.QueryEvaluationVisits().Order(ent.Desc(evaluationvisit.FieldVisitedOn), ent.Desc(evaluationvisit.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// ReplaceComplianceReport links document reportID as compliance visit
// visitID's report in place of the one it had (if any): how a wrong or
// outdated report file is corrected, and the step before deleting the old
// file. The visit's answers never change.
func (s *Service) ReplaceComplianceReport(ctx context.Context, visitID, reportID int) (*ent.ComplianceVisit, error) {
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		v, err := tx.ComplianceVisit.Query().Where(compliancevisit.ID(visitID)).WithProvider().WithReportDocument().Only(ctx)
		if ent.IsNotFound(err) {
			return notFound("compliance visit", visitID)
		}
		if err != nil {
			return err
		}
		return replaceReport(ctx, tx, v.Edges.Provider.ID, v.Edges.ReportDocument, reportID, document.CategoryCOMPLIANCE_REPORT,
			tx.ComplianceVisit.UpdateOneID(visitID).SetReportDocumentID(reportID).Exec)
	})
	if err != nil {
		return nil, err
	}
	return s.Client.ComplianceVisit.Get(ctx, visitID)
}

// ReplaceEvaluationReport is ReplaceComplianceReport for an evaluation
// visit's report file; the written report and grades never change.
func (s *Service) ReplaceEvaluationReport(ctx context.Context, visitID, reportID int) (*ent.EvaluationVisit, error) {
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		v, err := tx.EvaluationVisit.Query().Where(evaluationvisit.ID(visitID)).WithProvider().WithReportDocument().Only(ctx)
		if ent.IsNotFound(err) {
			return notFound("evaluation visit", visitID)
		}
		if err != nil {
			return err
		}
		return replaceReport(ctx, tx, v.Edges.Provider.ID, v.Edges.ReportDocument, reportID, document.CategoryEVALUATION_REPORT,
			tx.EvaluationVisit.UpdateOneID(visitID).SetReportDocumentID(reportID).Exec)
	})
	if err != nil {
		return nil, err
	}
	return s.Client.EvaluationVisit.Get(ctx, visitID)
}

// replaceReport is what both kinds of visit check before link makes
// document reportID the visit's report in place of current (nil: none).
func replaceReport(ctx context.Context, tx *ent.Tx, providerID int, current *ent.Document, reportID int, category document.Category, link func(context.Context) error) error {
	p, err := providerIn(ctx, tx, providerID)
	if err != nil {
		return err
	}
	if current != nil && current.ID == reportID {
		return apierr.New(apierr.Conflict, "%q is already this visit's report; upload the new file and link that instead", current.Title)
	}
	if err := checkReport(ctx, tx, "reportID", reportID, p, category); err != nil {
		return err
	}
	return link(ctx)
}
