package referral_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/agreement"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/course"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/qadecision"
	"github.com/apnet/apnet/ent/referral"
	"github.com/apnet/apnet/ent/referraltransition"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/outcome"
	"github.com/apnet/apnet/internal/qa"
	svc "github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/referral/form"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/viewer"
)

var sys = viewer.SystemContext(context.Background())

// recorder is the publisher: what the service announced, in order.
type recorder struct {
	mu       sync.Mutex
	changes  []string // "<referral id> <from>→<to>"
	progress []int
}

func (r *recorder) ReferralChanged(_ context.Context, ref *ent.Referral, t *ent.ReferralTransition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref.Edges.School == nil {
		panic("published referral without its school")
	}
	r.changes = append(r.changes, t.From+"→"+t.To)
}

func (r *recorder) ProgressPosted(_ context.Context, u *ent.ProgressUpdate, _ int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, u.ID)
}

type world struct {
	*fixture.World
	s                        *svc.Service
	pub                      *recorder
	d                        *db.DB
	admin, qa, schoolA       context.Context
	schoolB, provider, other context.Context
	otherProvider            *ent.Provider
	otherCourse              *ent.Course
	learner                  *ent.Learner
}

func setup(t *testing.T, d *db.DB) *world {
	t.Helper()
	w := fixture.Build(t, d.Client)
	pub := &recorder{}
	now := w.Monday.Add(10 * time.Hour)
	as := func(v viewer.Viewer) context.Context { return viewer.NewContext(context.Background(), v) }
	op := d.Provider.Create().SetName("Other Provider").SetPostcode("NG2 1AA").SetApprovalStatus("APPROVED").
		SetApprovedUntil(w.Monday.AddDate(1, 0, 0)).SaveX(sys)
	q := w.Course.QueryQualification().OnlyX(sys)
	oc := d.Course.Create().SetProvider(op).SetQualification(q).SetDeliveryPostcode("NG2 1AA").
		SetSessions(fixture.Sessions).SetPlaces(5).SetStartDates([]time.Time{w.Monday}).SaveX(sys)
	// 15 on the fixture's Monday.
	l := d.Learner.Create().SetUpn(upn(t, 500)).SetFirstName("Riley").SetLastName("Ward").
		SetDateOfBirth(w.Monday.AddDate(-15, -3, 0)).SetYearGroup(10).SetSchool(w.SchoolA).SaveX(sys)
	return &world{
		World: w, d: d, pub: pub,
		s:             &svc.Service{Client: d.Client, Publisher: pub, Now: func() time.Time { return now }},
		admin:         as(viewer.Viewer{UserID: 1, Role: viewer.PartnershipAdmin}),
		qa:            as(viewer.Viewer{UserID: 2, Role: viewer.QAOfficer}),
		schoolA:       as(viewer.Viewer{UserID: 3, Role: viewer.SchoolStaff, SchoolID: w.SchoolA.ID}),
		schoolB:       as(viewer.Viewer{UserID: 4, Role: viewer.SchoolStaff, SchoolID: w.SchoolB.ID}),
		provider:      as(viewer.Viewer{UserID: 5, Role: viewer.ProviderStaff, ProviderID: w.Provider.ID}),
		other:         as(viewer.Viewer{UserID: 6, Role: viewer.ProviderStaff, ProviderID: op.ID}),
		otherProvider: op, otherCourse: oc, learner: l,
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantCode(t *testing.T, err error, code apierr.Code, contains string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	if !strings.Contains(e.Message, contains) {
		t.Fatalf("want a message containing %q, got %q", contains, e.Message)
	}
}

func ptr[T any](v T) *T { return &v }

// completeForm is a referral form with every section filled in.
func completeForm() form.Form {
	return form.Form{
		Education: form.Education{PriorAttainment: "KS2 reading 98, maths 95", CurrentEnglish: "3", CurrentMaths: "working at grade 2",
			PredictedEnglish: "4", PredictedMaths: "3", PredictedOutcomes: "Level 1 vocational"},
		Attendance:             form.Attendance{ThisYearPercent: ptr(71.5), LastYearPercent: ptr(84.0), SessionsMissed: ptr(38)},
		Exclusions:             []form.Exclusion{{Kind: form.Suspension, Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Days: 2, Reason: "persistent disruption"}},
		SEND:                   form.SEND{Provision: form.SENSupport, PrimaryNeed: ptr(form.SEMH), SecondaryNeed: ptr(form.SPLD)},
		Social:                 form.Social{ChildInNeed: true, FreeSchoolMeals: true, Disadvantaged: true},
		Agencies:               []form.Agency{{Kind: form.EarlyHelp, ContactName: "Sam Okafor", ContactRole: "Family support worker", Phone: "0115 000 0000", Email: "sam@example.org"}},
		Reason:                 "Disengaged from the curriculum; responds well to practical work.",
		AtRisk:                 []form.RiskIndicator{form.RiskOfNEET},
		QualificationsRequired: "Level 1 hairdressing; functional skills English and maths",
		InterestsAspirations:   "Wants to work in a salon",
		Preference:             form.Preference{VocationalArea: "Hair and beauty", RequestedStart: ptr(time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)), DaysPerWeek: ptr(2)},
	}
}

var preVisit = form.PreVisit{SchoolStaffAttended: true, ParentOrCarerAttended: true, LearnerAttended: true,
	NeedsIdentified: "prefers small groups", CourseRequirements: "PPE; two days a week"}

// activeAgreements signs SQAs of school A and provider for every academic year the dates touch.
func (w *world) activeAgreements(t *testing.T, providerID int, from, to time.Time) {
	t.Helper()
	for _, year := range []string{svc.AcademicYearOf(from), svc.AcademicYearOf(to)} {
		start, end, _ := svc.AcademicYear(year)
		_, err := w.d.Agreement.Create().SetSchoolID(w.SchoolA.ID).SetProviderID(providerID).SetAcademicYear(year).
			SetStartsOn(start).SetEndsOn(end).SetTermsVersion("2026.1").SetStatus(agreement.StatusACTIVE).Save(sys)
		if err != nil && !ent.IsConstraintError(err) {
			t.Fatal(err)
		}
	}
}

// toPreVisit takes a new referral of w.learner through to PRE_VISIT_HELD with the fixture provider.
func (w *world) toPreVisit(t *testing.T, learnerID int) *ent.Referral {
	t.Helper()
	r := must[*ent.Referral](t)(w.s.Create(w.schoolA, learnerID, completeForm()))
	must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
	must[*ent.Referral](t)(w.s.Check(w.qa, r.ID))
	must[*ent.Referral](t)(w.s.Forward(w.qa, r.ID, w.Course.ID))
	must[*ent.Referral](t)(w.s.Accept(w.provider, r.ID))
	pv := preVisit
	pv.Date = w.Monday
	return must[*ent.Referral](t)(w.s.RecordPreVisit(w.provider, r.ID, pv))
}

func (w *world) newPlacement(r *ent.Referral) svc.NewPlacement {
	return svc.NewPlacement{ReferralID: r.ID, Start: w.Monday, End: w.Monday.AddDate(0, 0, 27), Sessions: fixture.Sessions}
}

// The lifecycle: draft, submitted, returned, resubmitted, checked,
// forwarded, accepted, pre-visit, SQA signed by both sides, placed, started,
// marked, progress posted, completed with its outcome.
func TestLifecycleFromDraftToCompletedPlacement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		f := completeForm()
		f.Reason = ""
		r := must[*ent.Referral](t)(w.s.Create(w.schoolA, w.learner.ID, f))
		if r.Status != referral.StatusDRAFT {
			t.Fatalf("new referral is %s", r.Status)
		}
		_, err := w.s.Submit(w.schoolA, r.ID)
		wantCode(t, err, apierr.BadUserInput, "reason for referral")
		r = must[*ent.Referral](t)(w.s.Update(w.schoolA, r.ID, completeForm()))
		r = must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
		if r.LearnerSnapshot.UPN != w.learner.Upn || r.LearnerSnapshot.SchoolName != "Test Academy A" || r.SubmittedAt == nil {
			t.Fatalf("snapshot %+v, submitted %v", r.LearnerSnapshot, r.SubmittedAt)
		}
		// The snapshot keeps the details as submitted.
		w.d.Learner.UpdateOne(w.learner).SetLastName("Ward-Smith").ExecX(sys)
		_, err = w.s.Update(w.schoolA, r.ID, completeForm())
		wantCode(t, err, apierr.Conflict, "is submitted")
		r = must[*ent.Referral](t)(w.s.ReturnToSchool(w.qa, r.ID, []string{"attendance figures missing for last year", " "}))
		if r.Status != referral.StatusRETURNED || r.ReturnReasons != "attendance figures missing for last year" {
			t.Fatalf("returned: %s %q", r.Status, r.ReturnReasons)
		}
		must[*ent.Referral](t)(w.s.Update(w.schoolA, r.ID, completeForm()))
		r = must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
		if r.LearnerSnapshot.LastName != "Ward-Smith" || r.ReturnReasons != "" {
			t.Fatalf("resubmission snapshot %+v, return reasons %q", r.LearnerSnapshot, r.ReturnReasons)
		}
		must[*ent.Referral](t)(w.s.Check(w.qa, r.ID))
		must[*ent.Referral](t)(w.s.Forward(w.admin, r.ID, w.Course.ID))
		must[*ent.Referral](t)(w.s.Accept(w.provider, r.ID))
		pv := preVisit
		pv.Date = w.Monday
		r = must[*ent.Referral](t)(w.s.RecordPreVisit(w.provider, r.ID, pv))
		if r.Status != referral.StatusPRE_VISIT_HELD || r.PreVisit.RecordedBy != "user:5" {
			t.Fatalf("pre-visit: %s %+v", r.Status, r.PreVisit)
		}

		// The SQA, signed by both sides.
		year := svc.AcademicYearOf(w.Monday)
		a := must[*ent.Agreement](t)(w.s.CreateAgreement(w.admin, w.SchoolA.ID, w.Provider.ID, year, "2026.1"))
		_, err = w.s.CreatePlacement(w.admin, w.newPlacement(r))
		wantCode(t, err, apierr.Conflict, "no ACTIVE Safeguarding and Quality Agreement")
		a = must[*ent.Agreement](t)(w.s.Sign(w.schoolA, a.ID, svc.SchoolSide, "Jo Head", "Headteacher"))
		if a.Status != agreement.StatusSIGNED_BY_ONE {
			t.Fatalf("signed by the school: %s", a.Status)
		}
		a = must[*ent.Agreement](t)(w.s.Sign(w.provider, a.ID, svc.ProviderSide, "Lee Manager", "Centre manager"))
		if a.Status != agreement.StatusACTIVE || *a.ProviderSignatoryRole != "Centre manager" || a.SchoolSignedAt == nil {
			t.Fatalf("signed by both: %+v", a)
		}
		in := w.newPlacement(r)
		if svc.AcademicYearOf(in.End) != year {
			// The placement runs into next academic year, which needs its own agreement.
			w.activeAgreements(t, w.Provider.ID, in.End, in.End)
		}
		p := must[*ent.Placement](t)(w.s.CreatePlacement(w.admin, in))
		if p.Status != placement.StatusPLANNED {
			t.Fatalf("new placement is %s", p.Status)
		}
		if got := d.Referral.GetX(sys, r.ID); got.Status != referral.StatusPLACED {
			t.Fatalf("referral after placing: %s", got.Status)
		}
		_, err = w.s.Withdraw(w.schoolA, r.ID, "changed our minds")
		wantCode(t, err, apierr.Conflict, "is placed")
		p = must[*ent.Placement](t)(w.s.StartPlacement(w.provider, p.ID))
		if p.Status != placement.StatusACTIVE {
			t.Fatalf("started placement is %s", p.Status)
		}

		// Marks, then a progress update computed from them.
		att := &attendance.Service{Client: d.Client, Now: w.s.Now}
		must[*attendance.Result](t)(att.Record(w.provider, w.Monday, attendancemark.SessionAM,
			attendance.Entry{PlacementID: p.ID, Mark: register.Mark{Status: register.Late, MinutesLate: 10}}))
		wed := w.Monday.AddDate(0, 0, 2)
		later := &svc.Service{Client: d.Client, Publisher: w.pub, Now: func() time.Time { return wed.Add(18 * time.Hour) }}
		att.Now = later.Now
		must[*attendance.Result](t)(att.Record(w.provider, wed, attendancemark.SessionPM,
			attendance.Entry{PlacementID: p.ID, Mark: register.Mark{Status: register.Present}}))
		u := must[*ent.ProgressUpdate](t)(later.PostProgress(w.provider, svc.Progress{
			PlacementID: p.ID, PeriodStart: w.Monday, PeriodEnd: wed,
			Academic: outcome.Good, AcademicNarrative: "Completed unit 1", Personal: outcome.Satisfactory,
			PersonalNarrative: "Settling in", English: outcome.Good, Maths: outcome.Concern, MathsNarrative: "Avoids fractions",
		}))
		if u.SessionsPossible != 2 || u.SessionsAttended != 2 || u.SessionsLate != 1 || *u.AttendancePercent != 100 || *u.PunctualityPercent != 50 {
			t.Fatalf("attendance from the marks: %+v", u)
		}

		// The end, with the outcome.
		done := must[*ent.Placement](t)(later.EndPlacement(w.provider, svc.Ending{
			PlacementID: p.ID, EndedOn: wed, QualificationEntered: true, Achieved: ptr(true), Grade: "Pass",
			Destination: outcome.Apprenticeship,
		}))
		if done.Status != placement.StatusCOMPLETED || !*done.QualificationAchieved || *done.QualificationGrade != "Pass" ||
			*done.Destination != outcome.Apprenticeship {
			t.Fatalf("completed placement: %+v", done)
		}
		_, err = later.EndPlacement(w.provider, svc.Ending{PlacementID: p.ID, EndedOn: wed, Destination: outcome.Unknown})
		wantCode(t, err, apierr.Conflict, "is COMPLETED")

		// Every transition, actor and time is kept.
		ts := d.ReferralTransition.Query().Where(referraltransition.HasReferralWith(referral.ID(r.ID))).
			Order(ent.Asc(referraltransition.FieldID)).AllX(sys)
		var path []string
		for _, tr := range ts {
			path = append(path, tr.From+"→"+tr.To+" by "+tr.Actor)
			if tr.At.IsZero() {
				t.Fatalf("transition without a time: %+v", tr)
			}
		}
		want := []string{"→DRAFT by user:3", "DRAFT→SUBMITTED by user:3", "SUBMITTED→RETURNED by user:2",
			"RETURNED→SUBMITTED by user:3", "SUBMITTED→CHECKED by user:2", "CHECKED→FORWARDED by user:1",
			"FORWARDED→ACCEPTED by user:5", "ACCEPTED→PRE_VISIT_HELD by user:5", "PRE_VISIT_HELD→PLACED by user:1"}
		if strings.Join(path, ", ") != strings.Join(want, ", ") {
			t.Fatalf("transitions:\n got %v\nwant %v", path, want)
		}
		if ts[1].Reason != "" || ts[2].Reason != "attendance figures missing for last year" {
			t.Fatalf("return reason not kept: %+v", ts[2])
		}
		if len(w.pub.changes) != len(want) || len(w.pub.progress) != 1 {
			t.Fatalf("published %v and %v", w.pub.changes, w.pub.progress)
		}
		// The history is append-only, even for the partnership.
		if err := d.ReferralTransition.DeleteOne(ts[0]).Exec(w.admin); err == nil {
			t.Fatal("a transition was deleted")
		}
	})
}

// An invalid transition is a CONFLICT naming the current state.
func TestInvalidTransitionNamesTheState(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		r := must[*ent.Referral](t)(w.s.Create(w.schoolA, w.learner.ID, completeForm()))
		_, err := w.s.Forward(w.qa, r.ID, w.Course.ID)
		wantCode(t, err, apierr.Conflict, "is draft")
		_, err = w.s.Check(w.qa, r.ID)
		wantCode(t, err, apierr.Conflict, "referral "+strconv.Itoa(r.ID)+" is draft; only a referral that is submitted can check it")
		must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
		_, err = w.s.Submit(w.schoolA, r.ID)
		wantCode(t, err, apierr.Conflict, "is submitted")
		must[*ent.Referral](t)(w.s.Withdraw(w.schoolA, r.ID, "moved school"))
		_, err = w.s.Check(w.qa, r.ID)
		wantCode(t, err, apierr.Conflict, "is withdrawn")
	})
}

// placeableReferral is a referral at PRE_VISIT_HELD with an active SQA: every
// condition for placing met, for a refusal test to break one.
func placeableReferral(t *testing.T, w *world) *ent.Referral {
	t.Helper()
	r := w.toPreVisit(t, w.learner.ID)
	in := w.newPlacement(r)
	w.activeAgreements(t, w.Provider.ID, in.Start, in.End)
	return r
}

func TestPlacementRefusals(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, w *world, r *ent.Referral)
		want   string
	}{
		{"provider approval not current", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Provider.UpdateOne(w.Provider).SetApprovalStatus("SUSPENDED").ExecX(sys)
		}, "the provider's approval is not current (it is SUSPENDED)"},
		// DOMAIN.md, process 1: learners are placed only with approved
		// providers; a QA suspension takes effect at once.
		{"provider suspended by the QA Management Group", func(t *testing.T, w *world, _ *ent.Referral) {
			qs := qa.NewService(w.d.Client, nil, nil, func() time.Time { return w.Monday.Add(10 * time.Hour) })
			if _, err := qs.RecordDecision(w.qa, qa.NewDecision{ProviderID: w.Provider.ID, Kind: qadecision.KindSUSPEND,
				Reason: "safeguarding concern"}); err != nil {
				t.Fatal(err)
			}
		}, "the provider's approval is not current (it is SUSPENDED)"},
		{"provider approval lapsed before the start", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Provider.UpdateOne(w.Provider).SetApprovedUntil(w.Monday.AddDate(0, 0, -1)).ExecX(sys)
		}, "the provider's approval is not current (approved until"},
		{"no active SQA", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Agreement.Update().SetStatus(agreement.StatusREVOKED).ExecX(sys)
		}, "no ACTIVE Safeguarding and Quality Agreement between Test Academy A and Test Provider covers " + "DAY"},
		{"learner too old", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Learner.UpdateOne(w.learner).SetDateOfBirth(w.Monday.AddDate(-17, 0, 0)).ExecX(sys)
		}, "the learner is 17 on"},
		{"learner too young", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Learner.UpdateOne(w.learner).SetDateOfBirth(w.Monday.AddDate(-14, 0, 1)).ExecX(sys)
		}, "the learner is 13 on"},
		{"course full", func(t *testing.T, w *world, _ *ent.Referral) {
			w.d.Course.UpdateOne(w.Course).SetPlaces(len(w.Placements)).ExecX(sys)
		}, "the course has no place free (3 of 3 taken)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				w := setup(t, d)
				r := placeableReferral(t, w)
				c.break_(t, w, r)
				_, err := w.s.CreatePlacement(w.admin, w.newPlacement(r))
				wantCode(t, err, apierr.Conflict, strings.ReplaceAll(c.want, "DAY", w.Monday.Format(time.DateOnly)))
				if n := d.Placement.Query().Where(placement.HasReferral()).CountX(sys); n != 0 {
					t.Fatalf("%d placements made", n)
				}
				if got := d.Referral.GetX(sys, r.ID); got.Status != referral.StatusPRE_VISIT_HELD {
					t.Fatalf("refused, yet the referral is %s", got.Status)
				}
			})
		})
	}
	t.Run("no pre-visit", func(t *testing.T) {
		dbtest.Each(t, func(t *testing.T, d *db.DB) {
			w := setup(t, d)
			r := must[*ent.Referral](t)(w.s.Create(w.schoolA, w.learner.ID, completeForm()))
			must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
			must[*ent.Referral](t)(w.s.Check(w.qa, r.ID))
			must[*ent.Referral](t)(w.s.Forward(w.qa, r.ID, w.Course.ID))
			must[*ent.Referral](t)(w.s.Accept(w.provider, r.ID))
			_, err := w.s.CreatePlacement(w.admin, w.newPlacement(r))
			wantCode(t, err, apierr.Conflict, "ACCEPTED but no pre-visit is recorded")
		})
	})
	t.Run("everything missing at once", func(t *testing.T) {
		dbtest.Each(t, func(t *testing.T, d *db.DB) {
			w := setup(t, d)
			r := w.toPreVisit(t, w.learner.ID)
			w.d.Provider.UpdateOne(w.Provider).SetApprovalStatus("LAPSED").ExecX(sys)
			w.d.Course.UpdateOne(w.Course).SetPlaces(0).ExecX(sys)
			_, err := w.s.CreatePlacement(w.admin, w.newPlacement(r))
			for _, part := range []string{"approval is not current", "no ACTIVE Safeguarding", "no place free"} {
				wantCode(t, err, apierr.Conflict, part)
			}
		})
	})
}

// More placement requests than places, all at once: never overbooked.
func TestConcurrentPlacementsNeverOverbook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		const free, requests = 2, 8
		places := len(w.Placements) + free
		d.Course.UpdateOne(w.Course).SetPlaces(places).ExecX(sys)
		in := svc.NewPlacement{Start: w.Monday, End: w.Monday.AddDate(0, 0, 27), Sessions: fixture.Sessions}
		w.activeAgreements(t, w.Provider.ID, in.Start, in.End)
		var refs []*ent.Referral
		for i := range requests {
			l := d.Learner.Create().SetUpn(upn(t, 9100+i)).SetFirstName("Race").SetLastName("Learner").
				SetDateOfBirth(w.Monday.AddDate(-15, 0, 0)).SetYearGroup(10).SetSchool(w.SchoolA).SaveX(sys)
			refs = append(refs, w.toPreVisit(t, l.ID))
		}
		var wg sync.WaitGroup
		errs := make([]error, requests)
		start := make(chan struct{})
		for i, r := range refs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				in := in
				in.ReferralID = r.ID
				_, errs[i] = w.s.CreatePlacement(w.admin, in)
			}()
		}
		close(start)
		wg.Wait()
		placed := 0
		for _, err := range errs {
			switch {
			case err == nil:
				placed++
			case apierr.Is(err, apierr.Conflict):
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		n := d.Placement.Query().Where(placement.HasCourseWith(course.ID(w.Course.ID)),
			placement.StatusIn(placement.StatusPLANNED, placement.StatusACTIVE)).CountX(sys)
		if placed != free || n > places {
			t.Fatalf("%d placed of %d free; %d placements on a course of %d places", placed, free, n, places)
		}
	})
}

// upn makes a valid UPN with serial n (check letter computed per DOMAIN.md).
func upn(t *testing.T, n int) string {
	t.Helper()
	body := "80120000" + "5" + strconv.Itoa(1000 + n%1000)[1:] + "0"
	body = body[:12]
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * (i + 2)
	}
	return string("ABCDEFGHJKLMNPQRTUVWXYZ"[sum%23]) + body
}

// Who sees a referral: its school and the partnership always; a provider
// only once forwarded to it, and only while it is the provider named.
func TestReferralVisibilityPerRole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		r := must[*ent.Referral](t)(w.s.Create(w.schoolA, w.learner.ID, completeForm()))
		sees := func(ctx context.Context) bool {
			ok, err := d.Referral.Query().Where(referral.ID(r.ID)).Exist(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		check := func(stage string, want map[string]bool) {
			t.Helper()
			for name, ctx := range map[string]context.Context{"admin": w.admin, "qa": w.qa, "schoolA": w.schoolA,
				"schoolB": w.schoolB, "provider": w.provider, "other": w.other} {
				if got := sees(ctx); got != want[name] {
					t.Errorf("%s: %s sees the referral: %v, want %v", stage, name, got, want[name])
				}
			}
		}
		school := map[string]bool{"admin": true, "qa": true, "schoolA": true}
		check("draft", school)
		must[*ent.Referral](t)(w.s.Submit(w.schoolA, r.ID))
		must[*ent.Referral](t)(w.s.Check(w.qa, r.ID))
		check("checked", school)
		_, err := w.s.Accept(w.provider, r.ID)
		wantCode(t, err, apierr.NotFound, "not found")
		must[*ent.Referral](t)(w.s.Forward(w.qa, r.ID, w.Course.ID))
		check("forwarded", map[string]bool{"admin": true, "qa": true, "schoolA": true, "provider": true})
		// The provider sees the learner it is referred, not others'.
		if !w.d.Learner.Query().Where().ExistX(w.provider) || w.d.Learner.GetX(w.provider, w.learner.ID) == nil {
			t.Fatal("the provider cannot see the referred learner")
		}
		_, err = w.s.Update(w.schoolB, r.ID, completeForm())
		wantCode(t, err, apierr.NotFound, "not found")
		_, err = w.s.Accept(w.other, r.ID)
		wantCode(t, err, apierr.NotFound, "not found")
		must[*ent.Referral](t)(w.s.Decline(w.provider, r.ID, "no places on a Tuesday"))
		check("declined", map[string]bool{"admin": true, "qa": true, "schoolA": true, "provider": true})
		must[*ent.Referral](t)(w.s.Forward(w.qa, r.ID, w.otherCourse.ID))
		check("forwarded elsewhere", map[string]bool{"admin": true, "qa": true, "schoolA": true, "other": true})
		// The new provider sees only its own steps: not the first provider's decline and reason.
		steps := d.ReferralTransition.Query().Where(referraltransition.HasReferralWith(referral.ID(r.ID))).AllX(w.other)
		if len(steps) != 1 || steps[0].ProviderID == nil || *steps[0].ProviderID != w.otherCourse.QueryProvider().OnlyIDX(sys) {
			t.Fatalf("the second provider sees %d steps: %+v", len(steps), steps)
		}
		if n := d.ReferralTransition.Query().Where(referraltransition.HasReferralWith(referral.ID(r.ID))).CountX(w.qa); n <= 1 {
			t.Fatalf("the partnership sees %d steps", n)
		}
		// Only the partnership forwards, even in a provider's own write.
		if err := d.Referral.UpdateOneID(r.ID).SetProviderID(w.Provider.ID).Exec(w.other); err == nil {
			t.Fatal("a provider re-forwarded a referral")
		}
		if err := d.Referral.UpdateOneID(r.ID).SetReason("x").Exec(w.schoolB); err == nil {
			t.Fatal("another school changed the referral")
		}
	})
}

func TestSENDProfileUsesDfECodes(t *testing.T) {
	ok := []form.SEND{
		{Provision: form.NoSEN},
		{Provision: form.SENSupport, PrimaryNeed: ptr(form.NSA)},
		{Provision: form.EHCP, PrimaryNeed: ptr(form.ASD), SecondaryNeed: ptr(form.SLCN)},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	bad := map[string]form.SEND{
		"with SEN_SUPPORT or an EHC plan only": {Provision: form.NoSEN, PrimaryNeed: ptr(form.MLD)},
		"needs a primary type of need":         {Provision: form.EHCP},
		"NSA (no specialist assessment)":       {Provision: form.EHCP, PrimaryNeed: ptr(form.NSA)},
		"must differ":                          {Provision: form.SENSupport, PrimaryNeed: ptr(form.HI), SecondaryNeed: ptr(form.HI)},
		"is not one of":                        {Provision: form.SENSupport, PrimaryNeed: ptr(form.SENType("ADHD"))},
	}
	for want, s := range bad {
		err := s.Validate()
		if err == nil || !apierr.Is(err, apierr.BadUserInput) {
			t.Errorf("%+v: want BAD_USER_INPUT, got %v", s, err)
		}
		_ = want
	}
	var code form.SENType
	if err := code.UnmarshalGQL("SPLD"); err != nil || code != form.SPLD {
		t.Fatalf("SPLD: %v", err)
	}
	if err := code.UnmarshalGQL("DYSLEXIA"); err == nil {
		t.Fatal("an unknown code was accepted")
	}
	f := completeForm()
	f.Agencies[0].Email = "not an address"
	if err := f.Validate(); !apierr.Is(err, apierr.BadUserInput) {
		t.Fatalf("bad agency email: %v", err)
	}
	f = completeForm()
	f.AtRisk = []form.RiskIndicator{form.RiskOfNEET, form.RiskOfNEET}
	if err := f.Validate(); !apierr.Is(err, apierr.BadUserInput) {
		t.Fatalf("repeated indicator: %v", err)
	}
}

func TestAgreementSignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		year := svc.AcademicYearOf(w.Monday)
		a := must[*ent.Agreement](t)(w.s.CreateAgreement(w.qa, w.SchoolA.ID, w.Provider.ID, year, "2026.1"))
		if a.Status != agreement.StatusDRAFT {
			t.Fatalf("new agreement is %s", a.Status)
		}
		_, err := w.s.CreateAgreement(w.qa, w.SchoolA.ID, w.Provider.ID, year, "2026.2")
		wantCode(t, err, apierr.Conflict, "already have an agreement for "+year)
		_, err = w.s.CreateAgreement(w.qa, w.SchoolA.ID, w.Provider.ID, "2026/28", "x")
		wantCode(t, err, apierr.BadUserInput, "the second year must follow the first")
		_, err = w.s.Sign(w.schoolA, a.ID, svc.ProviderSide, "Jo", "Head")
		wantCode(t, err, apierr.Forbidden, "your own side")
		_, err = w.s.Sign(w.schoolB, a.ID, svc.SchoolSide, "Jo", "Head")
		wantCode(t, err, apierr.NotFound, "not found")
		a = must[*ent.Agreement](t)(w.s.Sign(w.provider, a.ID, svc.ProviderSide, "Lee", "Manager"))
		if a.Status != agreement.StatusSIGNED_BY_ONE {
			t.Fatalf("one signature: %s", a.Status)
		}
		_, err = w.s.Sign(w.provider, a.ID, svc.ProviderSide, "Lee", "Manager")
		wantCode(t, err, apierr.Conflict, "already signed for the provider by Lee")
		a = must[*ent.Agreement](t)(w.s.Sign(w.schoolA, a.ID, svc.SchoolSide, "Jo", "Head"))
		if a.Status != agreement.StatusACTIVE {
			t.Fatalf("both signatures: %s", a.Status)
		}
		a = must[*ent.Agreement](t)(w.s.Revoke(w.admin, a.ID, "safeguarding concern"))
		if a.Status != agreement.StatusREVOKED || *a.RevokedReason != "safeguarding concern" {
			t.Fatalf("revoked: %+v", a)
		}
		// A revoked agreement stays on record and a new one may replace it that year.
		if _, err := w.s.CreateAgreement(w.qa, w.SchoolA.ID, w.Provider.ID, year, "2026.3"); err != nil {
			t.Fatalf("replacing a revoked agreement: %v", err)
		}
		// Expiry: an ACTIVE agreement of a past year.
		start, end, _ := svc.AcademicYear("2020/21")
		old := d.Agreement.Create().SetSchoolID(w.SchoolA.ID).SetProviderID(w.Provider.ID).SetAcademicYear("2020/21").
			SetStartsOn(start).SetEndsOn(end).SetTermsVersion("2020.1").SetStatus(agreement.StatusACTIVE).SaveX(sys)
		if n := must[int](t)(w.s.ExpireAgreements(context.Background())); n != 1 {
			t.Fatalf("expired %d", n)
		}
		if got := d.Agreement.GetX(sys, old.ID); got.Status != agreement.StatusEXPIRED {
			t.Fatalf("old agreement is %s", got.Status)
		}
	})
}
