package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent"

	gen "github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/hook"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
)

// countingBroker counts the live subscriptions made to it, by topic: one
// per shared execution, however many websocket subscribers it serves.
type countingBroker struct {
	broker.Broker
	mu     sync.Mutex
	active map[string]int
}

func (b *countingBroker) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	ch, err := b.Broker.Subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.active[topic]++
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.active[topic]--
		b.mu.Unlock()
	})
	return ch, nil
}

// waitActive waits (bounded) until topic has exactly n subscriptions.
func (b *countingBroker) waitActive(t *testing.T, topic string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		got := b.active[topic]
		b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d broker subscriptions, want %d", topic, got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const subAttendanceSEN = `subscription($s: ID!) { attendanceRecorded(schoolID: $s) {
  mark { id placement { learner { id upn senStatus } } } } }`

type attendanceData struct {
	AttendanceRecorded struct {
		Mark struct {
			ID        string
			Placement struct {
				Learner struct {
					ID        int `json:",string"`
					Upn       string
					SenStatus string
				}
			}
		}
	}
}

// markFrom reads the next event on s and returns its mark id and learner.
func markFrom(t *testing.T, s *socket, id string) attendanceData {
	t.Helper()
	gotID, r := s.data(t)
	if gotID != id || len(r.Errors) > 0 {
		t.Fatalf("event for %s: %v", gotID, r.Errors)
	}
	var d attendanceData
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Subscribers with the same operation, variables and viewer scope share
// one execution: one broker subscription, each receives every event; other
// schools and roles get their own.
func TestFanoutSharesIdenticalSubscriptions(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	schoolA2 := e.signIn(t, e.account(t, "a2@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	topicA := "school." + strconv.Itoa(w.SchoolA.ID) + ".attendance"
	topicB := "school." + strconv.Itoa(w.SchoolB.ID) + ".attendance"
	vars := map[string]any{"s": w.SchoolA.ID}

	a1, a2 := e.open(t, e.schoolA), e.open(t, schoolA2)
	if got := a1.start(t, "1", subAttendanceSEN, vars); got != nil {
		t.Fatalf("a1: %v", got)
	}
	if got := a2.start(t, "x", subAttendanceSEN, vars); got != nil {
		t.Fatalf("a2: %v", got)
	}
	e.broker.waitActive(t, topicA, 1)

	// The partnership admin watching school A and school B's staff watching
	// theirs render differently, so they have executions of their own.
	admin, b := e.open(t, e.admin), e.open(t, e.schoolB)
	if got := admin.start(t, "1", subAttendanceSEN, vars); got != nil {
		t.Fatalf("admin: %v", got)
	}
	if got := b.start(t, "1", subAttendanceSEN, map[string]any{"s": w.SchoolB.ID}); got != nil {
		t.Fatalf("b: %v", got)
	}
	e.broker.waitActive(t, topicA, 2)
	e.broker.waitActive(t, topicB, 1)
	waitLiveSubscribers(t, 4)

	// A subscriber of a school it may not watch is refused, sharing nothing.
	if got := e.open(t, e.schoolB).start(t, "1", subAttendanceSEN, vars); !slices.Equal(got, []string{"FORBIDDEN"}) {
		t.Fatalf("school B watching school A: %v, want FORBIDDEN", got)
	}
	e.broker.waitActive(t, topicA, 2)
	waitLiveSubscribers(t, 4)

	e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	first := markFrom(t, a1, "1")
	if got := markFrom(t, a2, "x"); got != first || first.AttendanceRecorded.Mark.ID == "" {
		t.Fatalf("a2 got %+v, a1 %+v", got, first)
	}
	if got := markFrom(t, admin, "1"); got.AttendanceRecorded.Mark.ID != first.AttendanceRecorded.Mark.ID {
		t.Fatalf("admin got %+v", got)
	}

	// A member leaving does not end the others' subscription.
	a1.conn.Close()
	waitLiveSubscribers(t, 3)
	e.broker.waitActive(t, topicA, 2)
	e.record(t, w.Placements[1].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	if got := markFrom(t, a2, "x"); got.AttendanceRecorded.Mark.ID == first.AttendanceRecorded.Mark.ID {
		t.Fatalf("a2 got the first mark again: %+v", got)
	}

	// The last member leaving ends the shared execution.
	a2.conn.Close()
	waitLiveSubscribers(t, 2)
	e.broker.waitActive(t, topicA, 1)

	// A new subscriber starts a new one.
	a3 := e.open(t, schoolA2)
	if got := a3.start(t, "1", subAttendanceSEN, vars); got != nil {
		t.Fatalf("a3: %v", got)
	}
	e.broker.waitActive(t, topicA, 2)
}

// Signing one member out closes its socket; the member it shared an
// execution with keeps receiving.
func TestFanoutSignOutClosesOnlyThatMember(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	schoolA2 := e.signIn(t, e.account(t, "a2@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	vars := map[string]any{"s": w.SchoolA.ID}
	a1, a2 := e.open(t, e.schoolA), e.open(t, schoolA2)
	for _, s := range []*socket{a1, a2} {
		if got := s.start(t, "1", subAttendanceSEN, vars); got != nil {
			t.Fatal(got)
		}
	}
	e.broker.waitActive(t, "school."+strconv.Itoa(w.SchoolA.ID)+".attendance", 1)

	data(t, e.schoolA, `mutation { logout }`, nil, nil)
	a1.closed(t)
	waitLiveSubscribers(t, 1)
	e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	if got := markFrom(t, a2, "1"); got.AttendanceRecorded.Mark.ID == "" {
		t.Fatalf("the remaining member got %+v", got)
	}
}

// The special-category reads of a shared execution are recorded once for
// each member, under that member's own account.
func TestFanoutAuditsReadsPerMember(t *testing.T) {
	dbtest.Each(t, testFanoutAuditsReadsPerMember)
}

func testFanoutAuditsReadsPerMember(t *testing.T, d *db.DB) {
	e := newEnv(t, d)
	w := e.w
	schoolA2 := e.signIn(t, e.account(t, "a2@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	u1, u2 := e.userID(t, "a@test.example"), e.userID(t, "a2@test.example")
	vars := map[string]any{"s": w.SchoolA.ID}

	a1, a2 := e.open(t, e.schoolA), e.open(t, schoolA2)
	for _, s := range []*socket{a1, a2} {
		if got := s.start(t, "1", subAttendanceSEN, vars); got != nil {
			t.Fatal(got)
		}
	}
	e.broker.waitActive(t, "school."+strconv.Itoa(w.SchoolA.ID)+".attendance", 1)

	e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	learner := markFrom(t, a1, "1").AttendanceRecorded.Mark.Placement.Learner.ID
	if got := markFrom(t, a2, "1").AttendanceRecorded.Mark.Placement.Learner.ID; got != learner || learner == 0 {
		t.Fatalf("learners %d and %d", learner, got)
	}
	for _, u := range []int{u1, u2} {
		if got := e.readEvents(t, u); !slices.Equal(got, []int{learner}) {
			t.Errorf("user %d: reads of learners %v, want [%d]", u, got, learner)
		}
	}
	// Nobody else is recorded reading it.
	for _, r := range e.auditEvents(t, map[string]any{"action": "READ_SPECIAL_CATEGORY"}) {
		if r.ActorID != u1 && r.ActorID != u2 {
			t.Errorf("read recorded for %+v", r)
		}
	}
}

// Both websocket subprotocols share an execution.
func TestFanoutAcrossProtocols(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	legacy := dial(t, e, gqlclient.LegacyWS, e.schoolA)
	modern := dial(t, e, gqlclient.TransportWS, e.schoolA)
	for _, c := range []*gqlclient.Conn{legacy, modern} {
		if err := c.Subscribe("s", subAttendance, map[string]any{"s": e.w.SchoolA.ID}); err != nil {
			t.Fatal(err)
		}
	}
	waitSubscribers(t, 2)
	e.broker.waitActive(t, "school."+strconv.Itoa(e.w.SchoolA.ID)+".attendance", 1)
	e.record(t, e.w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range []*gqlclient.Conn{legacy, modern} {
		if _, r, err := c.Next(ctx); err != nil || len(r.Errors) > 0 || len(r.Data) == 0 {
			t.Fatalf("%v %+v", err, r)
		}
	}
}

// A member whose reads cannot be recorded gets an error instead of the
// event; the member it shares the execution with still gets the data.
func TestFanoutUnrecordedReadWithheldFromThatMember(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	schoolA2 := e.signIn(t, e.account(t, "a2@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	u2 := e.userID(t, "a2@test.example")
	e.db.AuditEvent.Use(func(next ent.Mutator) ent.Mutator {
		return hook.AuditEventFunc(func(ctx context.Context, m *gen.AuditEventMutation) (ent.Value, error) {
			if id, _ := m.ActorID(); id == u2 {
				return nil, errors.New("audit store unavailable")
			}
			return next.Mutate(ctx, m)
		})
	})
	vars := map[string]any{"s": w.SchoolA.ID}
	a1, a2 := e.open(t, e.schoolA), e.open(t, schoolA2)
	for _, s := range []*socket{a1, a2} {
		if got := s.start(t, "1", subAttendanceSEN, vars); got != nil {
			t.Fatal(got)
		}
	}
	e.broker.waitActive(t, "school."+strconv.Itoa(w.SchoolA.ID)+".attendance", 1)
	e.record(t, w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
	if got := markFrom(t, a1, "1"); got.AttendanceRecorded.Mark.ID == "" {
		t.Fatalf("a1 got %+v", got)
	}
	m, err := a2.next(t)
	var r gqlclient.Response
	if err != nil || m.Type != "next" || json.Unmarshal(m.Payload, &r) != nil {
		t.Fatalf("a2: %s %s %v", m.Type, m.Payload, err)
	}
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" || strings.Contains(string(r.Data), "senStatus") {
		t.Fatalf("a2 got %s %+v, want the audit error and no data", r.Data, r.Errors)
	}
}
