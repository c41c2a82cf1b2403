package access

import (
	"context"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/learner"
	"github.com/apnet/apnet/ent/placement"
	"github.com/apnet/apnet/ent/school"
	"github.com/apnet/apnet/internal/viewer"
)

// Target is a placement a mark may be recorded against, with the ids (and
// the school's lateness threshold) recording needs from its learner, the
// learner's school and its course, and the mark already taken for the
// session being recorded, if any.
type Target struct {
	*gen.Placement
	LearnerID, SchoolID, CourseID int
	LateAlertMinutes              int
	MarkID                        int // 0: not marked yet
}

// Columns the join adds to each placement row.
const (
	colLearner  = "target_learner_id"
	colSchool   = "target_school_id"
	colCourse   = "target_course_id"
	colLateMins = "target_late_alert_minutes"
	colMark     = "target_mark_id"
)

// PlacementsForRecording loads, in tx, those of the placements ids that the
// viewer may see, each with its learner, school and course ids and the id of
// its mark for date and session, in one query. For provider staff the
// returned context also lets the mark, revision and alert rules trust those
// placements, instead of re-checking each with a query of their own, until tx
// commits or rolls back.
//
// Why the join may bypass the learner, school and mark rules: a row comes
// back only if the placement passed the viewer's placement rule (the query
// runs as the viewer), and whoever may see a placement may see its learner,
// the learner's school and its marks (LearnerPolicy, SchoolPolicy and
// AttendanceMarkPolicy allow exactly that), so reading their ids here reveals
// nothing those rules would hide. Loading the learner and school through
// their own rules instead cost two queries whose EXISTS chains grew with the
// provider's placements.
//
// Trust cannot be forged: it lives in the context under an unexported key,
// and only this function, after the viewer's own placement rule has passed,
// puts placements in it.
func PlacementsForRecording(ctx context.Context, tx *gen.Tx, ids []int, date time.Time, session attendancemark.Session) (context.Context, []*Target, error) {
	q := tx.Placement.Query().Where(placement.IDIn(ids...))
	q.Modify(func(s *sql.Selector) {
		l, sc, m := sql.Table(learner.Table), sql.Table(school.Table), sql.Table(attendancemark.Table)
		s.Join(l).On(s.C(placement.LearnerColumn), l.C(learner.FieldID)).
			Join(sc).On(l.C(learner.SchoolColumn), sc.C(school.FieldID)).
			// At most one: (placement, date, session) is unique.
			LeftJoin(m).OnP(sql.And(
			sql.ColumnsEQ(m.C(attendancemark.FieldPlacementID), s.C(placement.FieldID)),
			sql.EQ(m.C(attendancemark.FieldDate), date),
			sql.EQ(m.C(attendancemark.FieldSession), session))).
			AppendSelectAs(l.C(learner.FieldID), colLearner).
			AppendSelectAs(sc.C(school.FieldID), colSchool).
			AppendSelectAs(sc.C(school.FieldLateAlertMinutes), colLateMins).
			AppendSelectAs(s.C(placement.CourseColumn), colCourse).
			// COALESCE: a NULL in this column trips ent's SQLite scan.
			AppendSelectAs("COALESCE("+m.C(attendancemark.FieldID)+", 0)", colMark)
	})
	ps, err := q.All(ctx)
	if err != nil {
		return ctx, nil, err
	}
	targets := make([]*Target, len(ps))
	for i, p := range ps {
		t := &Target{Placement: p}
		for _, f := range []struct {
			col string
			dst *int
		}{{colLearner, &t.LearnerID}, {colSchool, &t.SchoolID}, {colCourse, &t.CourseID}, {colLateMins, &t.LateAlertMinutes}, {colMark, &t.MarkID}} {
			if *f.dst, err = intValue(p, f.col); err != nil {
				return ctx, nil, err
			}
		}
		targets[i] = t
	}
	v := viewer.FromContext(ctx)
	if v.Role != viewer.ProviderStaff || len(targets) == 0 {
		return ctx, targets, nil
	}
	r := &recording{userID: v.UserID, providerID: v.ProviderID, placements: map[int]bool{}, marks: map[int]bool{}}
	for _, t := range targets {
		r.placements[t.ID] = true
	}
	// The trust ends with the transaction, whatever the context is used for later.
	tx.OnCommit(func(next gen.Committer) gen.Committer {
		return gen.CommitFunc(func(ctx context.Context, tx *gen.Tx) error {
			r.end()
			return next.Commit(ctx, tx)
		})
	})
	tx.OnRollback(func(next gen.Rollbacker) gen.Rollbacker {
		return gen.RollbackFunc(func(ctx context.Context, tx *gen.Tx) error {
			r.end()
			return next.Rollback(ctx, tx)
		})
	})
	return context.WithValue(ctx, recordingKey{}, r), targets, nil
}

// TrustMark lets the revision rule trust mark m, saved in the transaction of
// ctx, when its placement is one PlacementsForRecording checked.
func TrustMark(ctx context.Context, m *gen.AttendanceMark) {
	if r := recordingFrom(ctx); r != nil {
		r.mu.Lock()
		if r.placements[m.PlacementID] {
			r.marks[m.ID] = true
		}
		r.mu.Unlock()
	}
}

func intValue(p *gen.Placement, col string) (int, error) {
	v, err := p.Value(col)
	if err != nil {
		return 0, err
	}
	switch n := v.(type) {
	case int64:
		return int(n), nil
	case int32:
		return int(n), nil
	case int:
		return n, nil
	}
	return 0, fmt.Errorf("placement %d: %s is %T, not an integer", p.ID, col, v)
}

type recordingKey struct{}

// recording is what one transaction of the attendance service has checked.
type recording struct {
	userID, providerID int

	mu         sync.Mutex
	placements map[int]bool
	marks      map[int]bool
	ended      bool
}

func (r *recording) end() {
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
}

// recordingFrom returns the transaction's checked set, if ctx carries one
// for the viewer ctx now carries.
func recordingFrom(ctx context.Context) *recording {
	r, _ := ctx.Value(recordingKey{}).(*recording)
	if r == nil {
		return nil
	}
	v := viewer.FromContext(ctx)
	if v.Role != viewer.ProviderStaff || v.UserID != r.userID || v.ProviderID != r.providerID {
		return nil
	}
	return r
}

// trustedPlacement reports whether the transaction has checked placement id.
func trustedPlacement(ctx context.Context, id int) bool {
	r := recordingFrom(ctx)
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.ended && r.placements[id]
}

// trustedMark reports whether the transaction has saved mark id for a checked placement.
func trustedMark(ctx context.Context, id int) bool {
	r := recordingFrom(ctx)
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.ended && r.marks[id]
}
