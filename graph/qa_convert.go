package graph

import (
	"github.com/apnet/apnet/graph/model"
	"github.com/apnet/apnet/internal/offer"
	"github.com/apnet/apnet/internal/qa"
)

// Conversions between the QA operations' GraphQL inputs and internal/qa.

func newApplication(in model.SubmitApplicationInput) qa.NewApplication {
	return qa.NewApplication{
		Kind: in.Kind, OrganisationName: in.OrganisationName, UKPRN: deref(in.Ukprn), URN: deref(in.Urn),
		SettingType: in.SettingType, ContactName: in.ContactName, Email: in.Email, Phone: deref(in.Phone),
		Website: deref(in.Website), Address: deref(in.Address), Postcode: in.Postcode,
		Description: deref(in.Description), Courses: courses(in.Courses),
	}
}

func courses(cs []*offer.Course) []offer.Course {
	out := make([]offer.Course, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

func newComplianceVisit(in model.RecordComplianceVisitInput) qa.NewComplianceVisit {
	out := qa.NewComplianceVisit{ProviderID: in.ProviderID, VisitedOn: in.VisitedOn, TemplateID: in.TemplateID,
		Summary: deref(in.Summary), ReportID: in.ReportID}
	for _, r := range in.Results {
		a := qa.ItemAnswer{ItemID: r.ItemID, Outcome: r.Outcome, Evidence: deref(r.Evidence)}
		if r.Action != nil {
			a.Action = &qa.ActionInput{Description: deref(r.Action.Description), OwnerName: deref(r.Action.OwnerName),
				DueOn: r.Action.DueOn}
		}
		out.Results = append(out.Results, a)
	}
	return out
}

func worklist(w *qa.Worklist) *model.QAWorklist {
	out := &model.QAWorklist{OverdueActions: w.OverdueActions, Applications: w.Applications,
		Due: make([]*model.QAWorklistEntry, len(w.Due))}
	for i, d := range w.Due {
		out.Due[i] = &model.QAWorklistEntry{Provider: d.Provider, Reason: model.QADueReason(d.Reason),
			DueOn: d.DueOn, Overdue: d.Overdue}
	}
	return out
}
