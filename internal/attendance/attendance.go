// Package attendance records what providers see happen at each session and
// tells the learner's home school at once: every mark is saved with its
// reg. 10 code and history, any safeguarding alert is saved with it in the
// same transaction, and only after commit are the events published.
package attendance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // "today" is the UK date wherever the server runs

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/alert"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/apierr"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/register"
	"github.com/apnet/apnet/internal/timetable"
	"github.com/apnet/apnet/internal/viewer"
)

// Outcome says what sending a mark did.
type Outcome string

const (
	Created   Outcome = "CREATED"
	Unchanged Outcome = "UNCHANGED"
	Amended   Outcome = "AMENDED"
)

// Limits on free text, so a register cannot carry unbounded payloads.
const (
	maxNote   = 2000
	maxReason = 500
)

// Entry is one learner's mark in a register.
type Entry struct {
	PlacementID     int
	Mark            register.Mark
	Note            string
	AmendmentReason string // non-empty to change a mark already taken
}

// Result is what happened to one entry.
type Result struct {
	Mark    *ent.AttendanceMark
	Outcome Outcome
	Alert   *ent.Alert // raised by this entry, if any
	// SchoolID is the learner's home school, the audience for the events.
	SchoolID int
}

// Publisher is told of each saved result after its transaction commits.
type Publisher interface {
	MarkRecorded(ctx context.Context, r *Result)
}

// Service records marks and acknowledges alerts.
type Service struct {
	Client    *ent.Client
	Publisher Publisher
	Log       *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time
}

var london = mustLocation("Europe/London")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Record saves one mark.
func (s *Service) Record(ctx context.Context, date time.Time, session attendancemark.Session, e Entry) (*Result, error) {
	rs, err := s.record(ctx, 0, date, session, []Entry{e})
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// RecordRegister saves a whole session's register for one course, all or nothing.
func (s *Service) RecordRegister(ctx context.Context, courseID int, date time.Time, session attendancemark.Session, entries []Entry) ([]*Result, error) {
	if len(entries) == 0 {
		return nil, apierr.Invalid("entries", "a register needs at least one entry")
	}
	seen := make(map[int]bool, len(entries))
	for _, e := range entries {
		if seen[e.PlacementID] {
			return nil, apierr.Invalid("entries", "placement %d appears twice in the register", e.PlacementID)
		}
		seen[e.PlacementID] = true
	}
	return s.record(ctx, courseID, date, session, entries)
}

// record validates and saves entries in one transaction (courseID 0: any
// course), then publishes. A concurrent first mark for the same session loses
// the unique-index race; the whole transaction is retried once so it sees the
// other mark and answers UNCHANGED or CONFLICT like any resend.
func (s *Service) record(ctx context.Context, courseID int, date time.Time, session attendancemark.Session, entries []Entry) ([]*Result, error) {
	date = timetable.Day(date)
	if err := attendancemark.SessionValidator(session); err != nil {
		return nil, apierr.Invalid("session", "%q is not AM or PM", session)
	}
	today := timetable.Day(s.now().In(london))
	if date.After(today) {
		return nil, apierr.Invalid("date", "%s is in the future; marks record what happened", date.Format(time.DateOnly))
	}
	for _, e := range entries {
		if err := validate(e); err != nil {
			return nil, err
		}
	}
	var results []*Result
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		results, err = s.save(ctx, courseID, date, session, entries)
		if err == nil || !ent.IsConstraintError(err) {
			break
		}
	}
	if err != nil {
		if _, ok := apierr.As(err); !ok && ent.IsConstraintError(err) {
			return nil, apierr.New(apierr.Conflict, "the register was changed by someone else at the same moment; reload it and try again")
		}
		return nil, err
	}
	if s.Publisher != nil {
		for _, r := range results {
			if r.Outcome != Unchanged {
				s.Publisher.MarkRecorded(ctx, r)
			}
		}
	}
	return results, nil
}

func validate(e Entry) error {
	if err := e.Mark.Validate(); err != nil {
		return err
	}
	if len(e.Note) > maxNote {
		return apierr.Invalid("note", "a note may be at most %d characters", maxNote)
	}
	if len(e.AmendmentReason) > maxReason {
		return apierr.Invalid("amendmentReason", "an amendment reason may be at most %d characters", maxReason)
	}
	return nil
}

func (s *Service) save(ctx context.Context, courseID int, date time.Time, session attendancemark.Session, entries []Entry) ([]*Result, error) {
	var results []*Result
	err := db.InTx(ctx, s.Client, func(tx *ent.Tx) (err error) {
		results, err = s.saveTx(ctx, tx, courseID, date, session, entries)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		r.Mark = r.Mark.Unwrap()
		if r.Alert != nil {
			r.Alert = r.Alert.Unwrap()
		}
	}
	return results, nil
}

func (s *Service) saveTx(ctx context.Context, tx *ent.Tx, courseID int, date time.Time, session attendancemark.Session, entries []Entry) ([]*Result, error) {
	ids := make([]int, len(entries))
	for i, e := range entries {
		ids[i] = e.PlacementID
	}
	// One query: the placements the viewer may see, joined to what recording
	// needs of their learners, schools and courses and to the session's
	// marks; ctx now lets the write rules trust them for the rest of this
	// transaction.
	ctx, targets, err := access.PlacementsForRecording(ctx, tx, ids, date, session)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*access.Target, len(targets))
	var markIDs []int
	for _, t := range targets {
		byID[t.ID] = t
		if t.MarkID != 0 {
			markIDs = append(markIDs, t.MarkID)
		}
	}
	// Only a session already marked needs its mark loaded: resends and amendments.
	marks := make(map[int]*ent.AttendanceMark, len(markIDs))
	if len(markIDs) > 0 {
		existing, err := tx.AttendanceMark.Query().Where(attendancemark.IDIn(markIDs...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range existing {
			marks[m.PlacementID] = m
		}
	}
	actor := viewer.FromContext(ctx).Actor()
	now := s.now()
	results := make([]*Result, 0, len(entries))
	for _, e := range entries {
		p, ok := byID[e.PlacementID]
		if !ok {
			return nil, apierr.New(apierr.NotFound, "placement %d not found", e.PlacementID)
		}
		if err := checkScheduled(p, courseID, date, session, e.Mark.MinutesLate); err != nil {
			return nil, err
		}
		r, err := s.saveOne(ctx, tx, p, marks[p.ID], date, session, e, actor, now)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}

// checkScheduled refuses marks for sessions the learner was never due at.
func checkScheduled(p *access.Target, courseID int, date time.Time, session attendancemark.Session, late int) error {
	if courseID != 0 && p.CourseID != courseID {
		return apierr.Invalid("entries", "placement %d is not on course %d", p.ID, courseID)
	}
	if date.Before(timetable.Day(p.StartDate)) || date.After(timetable.Day(p.EndDate)) {
		return apierr.Invalid("date", "placement %d runs from %s to %s, not on %s", p.ID,
			p.StartDate.Format(time.DateOnly), p.EndDate.Format(time.DateOnly), date.Format(time.DateOnly))
	}
	s, ok := timetable.On(p.Sessions, date, timetable.Period(session))
	if !ok {
		return apierr.Invalid("session", "placement %d has no %s session on %s", p.ID, session,
			strings.ToLower(date.Weekday().String()))
	}
	if late > s.Minutes() {
		return apierr.Invalid("minutesLate", "%d minutes late is longer than the %s session (%d minutes); mark the learner absent instead",
			late, s, s.Minutes())
	}
	return nil
}

func (s *Service) saveOne(ctx context.Context, tx *ent.Tx, p *access.Target, cur *ent.AttendanceMark,
	date time.Time, session attendancemark.Session, e Entry, actor string, now time.Time) (*Result, error) {
	code := register.Code(e.Mark, register.DefaultRegisterCloses, p.LaArranged)
	r := &Result{SchoolID: p.SchoolID}
	switch {
	case cur == nil:
		m, err := tx.AttendanceMark.Create().
			SetPlacementID(p.ID).SetDate(date).SetSession(session).
			SetStatus(e.Mark.Status).SetNillableAbsenceReason(reasonPtr(e.Mark.Reason)).
			SetMinutesLate(e.Mark.MinutesLate).SetCode(code).SetNote(e.Note).
			SetRecordedBy(actor).SetRecordedAt(now).SetVersion(1).
			Save(ctx)
		if err != nil {
			return nil, err
		}
		r.Mark, r.Outcome = m, Created
	case same(cur, e):
		r.Mark, r.Outcome = cur, Unchanged
		return r, nil
	case strings.TrimSpace(e.AmendmentReason) == "":
		return nil, apierr.New(apierr.Conflict,
			"placement %d is already marked %s for %s %s (version %d); to change it, send the mark again with an amendmentReason",
			p.ID, describe(cur), date.Format(time.DateOnly), session, cur.Version)
	default:
		// The version guard makes concurrent amendments of one mark fail
		// loudly instead of the later silently replacing the earlier.
		u := tx.AttendanceMark.Update().
			Where(attendancemark.ID(cur.ID), attendancemark.Version(cur.Version)).
			SetStatus(e.Mark.Status).SetMinutesLate(e.Mark.MinutesLate).SetCode(code).SetNote(e.Note).
			SetRecordedBy(actor).SetRecordedAt(now).SetVersion(cur.Version + 1)
		if e.Mark.Reason == "" {
			u.ClearAbsenceReason()
		} else {
			u.SetAbsenceReason(e.Mark.Reason)
		}
		n, err := u.Save(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apierr.New(apierr.Conflict, "the mark for placement %d was amended by someone else meanwhile; reload it", p.ID)
		}
		m, err := tx.AttendanceMark.Get(ctx, cur.ID)
		if err != nil {
			return nil, err
		}
		r.Mark, r.Outcome = m, Amended
	}
	access.TrustMark(ctx, r.Mark)
	if _, err := tx.AttendanceRevision.Create().
		SetMarkID(r.Mark.ID).SetVersion(r.Mark.Version).
		SetStatus(r.Mark.Status).SetNillableAbsenceReason(r.Mark.AbsenceReason).
		SetMinutesLate(r.Mark.MinutesLate).SetCode(r.Mark.Code).SetNote(r.Mark.Note).
		SetRecordedBy(actor).SetRecordedAt(now).SetChangeReason(strings.TrimSpace(e.AmendmentReason)).
		Save(ctx); err != nil {
		return nil, err
	}
	kind, raise := register.AlertFor(e.Mark, code, p.LateAlertMinutes)
	if !raise {
		return r, nil
	}
	// An amendment that keeps the same concern does not alert twice; a mark
	// created just now has no alerts yet.
	if r.Outcome == Amended {
		dup, err := tx.Alert.Query().Where(alert.HasMarkWith(attendancemark.ID(r.Mark.ID)), alert.KindEQ(kind)).Exist(ctx)
		if err != nil || dup {
			return r, err
		}
	}
	a, err := tx.Alert.Create().
		SetKind(kind).SetRaisedAt(now).
		SetSchoolID(p.SchoolID).SetLearnerID(p.LearnerID).SetPlacementID(p.ID).SetMarkID(r.Mark.ID).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	r.Alert = a
	return r, nil
}

func same(m *ent.AttendanceMark, e Entry) bool {
	var reason register.AbsenceReason
	if m.AbsenceReason != nil {
		reason = *m.AbsenceReason
	}
	return m.Status == e.Mark.Status && reason == e.Mark.Reason && m.MinutesLate == e.Mark.MinutesLate && m.Note == e.Note
}

func describe(m *ent.AttendanceMark) string {
	switch {
	case m.Status == register.Late:
		return fmt.Sprintf("LATE (%d minutes)", m.MinutesLate)
	case m.AbsenceReason != nil:
		return fmt.Sprintf("ABSENT (%s)", *m.AbsenceReason)
	default:
		return string(m.Status)
	}
}

func reasonPtr(r register.AbsenceReason) *register.AbsenceReason {
	if r == "" {
		return nil
	}
	return &r
}

// Acknowledge records that the viewer has followed up an alert. Acknowledging
// twice keeps the first acknowledgement.
func (s *Service) Acknowledge(ctx context.Context, id int) (*ent.Alert, error) {
	a, err := s.Client.Alert.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "alert %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	if a.AcknowledgedAt != nil {
		return a, nil
	}
	// Guarded on "still unacknowledged" so a concurrent acknowledgement keeps the first.
	if err := s.Client.Alert.Update().
		Where(alert.ID(id), alert.AcknowledgedAtIsNil()).
		SetAcknowledgedBy(viewer.FromContext(ctx).Actor()).SetAcknowledgedAt(s.now()).
		Exec(ctx); err != nil {
		return nil, err
	}
	return s.Client.Alert.Get(ctx, id)
}

// MarshalGQL writes the outcome as a GraphQL enum value.
func (o Outcome) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL is never needed for an output-only enum but gqlgen requires it.
func (o *Outcome) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Outcome(s) {
	case Created, Unchanged, Amended:
		*o = Outcome(s)
		return nil
	}
	return apierr.Invalid("outcome", "%v is not a mark outcome", v)
}
