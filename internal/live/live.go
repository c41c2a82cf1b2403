// Package live turns saved marks and alerts into subscription events. After
// commit a small event naming the rows goes to the broker; each replica loads
// those rows once per event (however many local subscribers want it) and hands
// the same loaded rows to every subscriber of that school.
package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/alert"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/internal/access"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/viewer"
)

// AttendanceEvent is a mark saved for a learner of the subscribed school.
type AttendanceEvent struct {
	// SchoolID is the learner's home school: whose staff may see the event.
	SchoolID int
	Mark     *ent.AttendanceMark
	Outcome  attendance.Outcome
	Alert    *ent.Alert
}

// Hub publishes and delivers apnet's live events.
type Hub struct {
	broker    broker.Broker
	client    *ent.Client
	log       *slog.Logger
	marks     memo[*AttendanceEvent]
	alerts    memo[*ent.Alert]
	referrals memo[*ReferralEvent]
	progress  memo[*ProgressEvent]
}

// New returns a Hub over b, loading event rows through client.
func New(b broker.Broker, client *ent.Client, log *slog.Logger) *Hub {
	return &Hub{broker: b, client: client, log: log, marks: newMemo[*AttendanceEvent](1024), alerts: newMemo[*ent.Alert](1024),
		referrals: newMemo[*ReferralEvent](1024), progress: newMemo[*ProgressEvent](1024)}
}

// event is what crosses the broker: ids only, never personal data.
type event struct {
	School  int    `json:"s"`
	Mark    int    `json:"m,omitempty"`
	Version int    `json:"v,omitempty"`
	Outcome string `json:"o,omitempty"`
	Alert   int    `json:"a,omitempty"`
}

func attendanceTopic(school int) string { return fmt.Sprintf("school.%d.attendance", school) }
func alertTopic(school int) string      { return fmt.Sprintf("school.%d.alerts", school) }

// publishTimeout bounds how long a mark's request waits on the broker: the
// mark is already saved, so a slow broker must not hold the provider up.
const publishTimeout = 2 * time.Second

// MarkRecorded publishes a committed mark and its alert. A failure is logged
// and counted; the mark stays saved.
func (h *Hub) MarkRecorded(ctx context.Context, r *attendance.Result) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	ev := event{School: r.SchoolID, Mark: r.Mark.ID, Version: r.Mark.Version, Outcome: string(r.Outcome)}
	if r.Alert != nil {
		ev.Alert = r.Alert.ID
		h.publish(ctx, "alert", alertTopic(r.SchoolID), event{School: r.SchoolID, Alert: r.Alert.ID})
	}
	h.publish(ctx, "attendance", attendanceTopic(r.SchoolID), ev)
}

// AlertRaised publishes a committed alert that no mark raised (a
// provider's suspension) to its school's subscribers.
func (h *Hub) AlertRaised(ctx context.Context, schoolID, alertID int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	h.publish(ctx, "alert", alertTopic(schoolID), event{School: schoolID, Alert: alertID})
}

func (h *Hub) publish(ctx context.Context, kind, topic string, ev event) {
	h.publishPayload(ctx, kind, topic, mustJSON(ev), "mark_id", ev.Mark, "alert_id", ev.Alert)
}

// publishPayload sends payload; a failure is logged (with ids, never
// personal data) and counted, and the record stays saved.
func (h *Hub) publishPayload(ctx context.Context, kind, topic string, payload []byte, ids ...any) {
	if err := h.broker.Publish(ctx, topic, payload); err != nil {
		metrics.EventsFailed.WithLabelValues(kind).Inc()
		h.log.Error("publish event failed; the record is saved",
			append([]any{"kind", kind, "topic", topic, "err", err}, ids...)...)
		return
	}
	metrics.EventsPublished.WithLabelValues(kind).Inc()
}

// Attendance streams marks saved for the school's learners until ctx ends.
// Each event is checked against the subscriber as well as the topic, so a
// shared channel can never carry another school's learner to them.
func (h *Hub) Attendance(ctx context.Context, school int) (<-chan *AttendanceEvent, error) {
	if err := access.CanWatchSchool(viewer.FromContext(ctx), school); err != nil {
		return nil, err
	}
	return subscribe(ctx, h, attendanceTopic(school), func(payload []byte) (*AttendanceEvent, error) {
		return h.marks.get(string(payload), func() (*AttendanceEvent, error) { return h.loadMark(payload) })
	}, func(ev *AttendanceEvent) int { return ev.SchoolID })
}

// Alerts streams alerts raised for the school's learners until ctx ends,
// checked per subscriber like Attendance.
func (h *Hub) Alerts(ctx context.Context, school int) (<-chan *ent.Alert, error) {
	if err := access.CanWatchSchool(viewer.FromContext(ctx), school); err != nil {
		return nil, err
	}
	return subscribe(ctx, h, alertTopic(school), func(payload []byte) (*ent.Alert, error) {
		return h.alerts.get(string(payload), func() (*ent.Alert, error) { return h.loadAlert(payload) })
	}, func(a *ent.Alert) int { return a.Edges.School.ID })
}

func subscribe[T any](ctx context.Context, h *Hub, topic string, load func([]byte) (T, error), schoolOf func(T) int) (<-chan T, error) {
	return subscribeChecked(ctx, h, topic, load, func(v viewer.Viewer, ev T) error { return access.CanWatchSchool(v, schoolOf(ev)) })
}

// subscribeChecked delivers topic's events that allowed lets the subscriber see.
func subscribeChecked[T any](ctx context.Context, h *Hub, topic string, load func([]byte) (T, error),
	allowed func(viewer.Viewer, T) error) (<-chan T, error) {
	v := viewer.FromContext(ctx)
	in, err := h.broker.Subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(chan T, 16)
	// metrics.Subscribers is counted per subscriber by internal/fanout: one
	// subscription here may serve many of them.
	go func() {
		defer close(out)
		for payload := range in {
			ev, err := load(payload)
			if err != nil {
				h.log.Error("load event rows", "topic", topic, "err", err)
				continue
			}
			if allowed(v, ev) != nil {
				h.log.Warn("event withheld from a subscriber it is not for", "topic", topic, "user_id", v.UserID)
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// loadTimeout bounds one event's row load, shared by every local subscriber.
const loadTimeout = 5 * time.Second

// loadCtx is detached from any one subscriber: the rows loaded serve them all.
func loadCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(viewer.SystemContext(context.Background()), loadTimeout)
}

func (h *Hub) loadMark(payload []byte) (*AttendanceEvent, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode attendance event: %w", err)
	}
	ctx, cancel := loadCtx()
	defer cancel()
	m, err := h.client.AttendanceMark.Query().
		Where(attendancemark.ID(ev.Mark)).
		WithPlacement(func(q *ent.PlacementQuery) {
			q.WithLearner(func(q *ent.LearnerQuery) { q.WithSchool() })
			q.WithCourse(func(q *ent.CourseQuery) { q.WithProvider().WithQualification() })
		}).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("load mark %d: %w", ev.Mark, err)
	}
	// The school comes from the row, not the event: subscribers are checked against the truth.
	school := m.Edges.Placement.Edges.Learner.Edges.School.ID
	out := &AttendanceEvent{SchoolID: school, Mark: m, Outcome: attendance.Outcome(ev.Outcome)}
	if ev.Alert != 0 {
		if out.Alert, err = h.alerts.get(string(mustJSON(event{School: ev.School, Alert: ev.Alert})), func() (*ent.Alert, error) {
			return h.queryAlert(ctx, ev.Alert)
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (h *Hub) loadAlert(payload []byte) (*ent.Alert, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode alert event: %w", err)
	}
	ctx, cancel := loadCtx()
	defer cancel()
	return h.queryAlert(ctx, ev.Alert)
}

func (h *Hub) queryAlert(ctx context.Context, id int) (*ent.Alert, error) {
	a, err := h.client.Alert.Query().
		Where(alert.ID(id)).
		WithSchool().WithLearner().WithMark().
		WithPlacement(func(q *ent.PlacementQuery) {
			q.WithCourse(func(q *ent.CourseQuery) { q.WithProvider() })
		}).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("load alert %d: %w", id, err)
	}
	return a, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
