package demo

import (
	"context"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/compliancevisit"
	"github.com/apnet/apnet/ent/evaluationvisit"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/viewer"
)

// The demo's providers carry the QA history their status implies, so a
// new QA officer sees a realistic worklist.
func TestSeedQualityAssurance(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := viewer.SystemContext(context.Background())
	if _, err := Seed(ctx, d.Client, termTime); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, time.December, 3, 0, 0, 0, 0, time.UTC)
	// Every approved provider meets the approval rule (DOMAIN.md, process 1:
	// a compliance visit and an evaluation visit, teaching at least good).
	for _, p := range d.Client.Provider.Query().Where(provider.ApprovalStatusEQ(provider.ApprovalStatusAPPROVED)).AllX(ctx) {
		cv := p.QueryComplianceVisits().Order(compliancevisit.ByVisitedOn()).AllX(ctx)
		ev := p.QueryEvaluationVisits().Order(evaluationvisit.ByVisitedOn()).AllX(ctx)
		if len(cv) == 0 || len(ev) == 0 || cv[len(cv)-1].Overall != compliancevisit.OverallCOMPLIANT ||
			!ev[len(ev)-1].TeachingAndLearning.AtLeastGood() || p.QueryDecisions().CountX(ctx) == 0 {
			t.Errorf("approved provider %d lacks its visits or decision", p.ID)
		}
	}
	svc := qa.NewService(d.Client, nil, nil, func() time.Time { return termTime })
	w, err := svc.Worklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	soon, overdue := 0, 0
	for _, due := range w.Due {
		switch {
		case due.Overdue:
			overdue++
		case due.Provider.ApprovalStatus == provider.ApprovalStatusAPPROVED && due.DueOn.After(today):
			soon++
		}
	}
	if soon == 0 || overdue == 0 || len(w.OverdueActions) == 0 || len(w.Applications) != 1 {
		t.Fatalf("worklist: %d due soon, %d overdue, %d overdue actions, %d applications", soon, overdue,
			len(w.OverdueActions), len(w.Applications))
	}
	if n, err := svc.LapseExpired(ctx); err != nil || n != 0 {
		t.Fatalf("the demo has %d approvals past their end (%v)", n, err)
	}
}
