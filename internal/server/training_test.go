package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/auditevent"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
)

const (
	bookOp = `mutation($e: ID!, $n: String!, $m: String!, $p: ID) {
  bookTraining(eventID: $e, attendeeName: $n, attendeeEmail: $m, providerID: $p) { id status attendeeEmail provider { id } }
}`
	cancelOp = `mutation($id: ID!) { cancelTrainingBooking(id: $id) { id status cancelledAt } }`
	attendOp = `mutation($id: ID!, $a: Boolean!) { recordTrainingAttendance(bookingID: $id, attended: $a) { id attended attendanceRecordedAt } }`
)

// Issue 5 item 7: training events with capacity, bookings by provider
// staff, cancellations before the start and attendance recorded after it.
func TestTrainingBookingRules(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	other := e.addOtherProvider(t)
	now := e.now()

	// The partnership creates events; capacity must be positive and the end after the start.
	create := `mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id capacity placesLeft } }`
	event := func(start time.Time, capacity int) map[string]any {
		return map[string]any{"in": map[string]any{"title": "Safeguarding refresher", "startsAt": start.Format(time.RFC3339),
			"endsAt": start.Add(3 * time.Hour).Format(time.RFC3339), "capacity": capacity, "location": "Partnership office"}}
	}
	wantCode(t, do(t, e.admin, create, event(now.Add(48*time.Hour), 0)), "BAD_USER_INPUT")
	backwards := event(now.Add(48*time.Hour), 2)
	backwards["in"].(map[string]any)["endsAt"] = now.Format(time.RFC3339)
	wantCode(t, do(t, e.admin, create, backwards), "BAD_USER_INPUT")
	wantCode(t, do(t, e.provider, create, event(now.Add(48*time.Hour), 2)), "FORBIDDEN")
	var created struct {
		CreateTrainingEvent struct {
			ID                   string
			Capacity, PlacesLeft int
		}
	}
	data(t, e.qa, create, event(now.Add(48*time.Hour), 2), &created)
	ev := created.CreateTrainingEvent
	if ev.Capacity != 2 || ev.PlacesLeft != 2 {
		t.Fatalf("new event: %+v", ev)
	}

	book := func(email string, provider any) map[string]any {
		return map[string]any{"e": ev.ID, "n": "Sam Staff", "m": email, "p": provider}
	}
	// Provider staff book their own staff; the email is kept lower-case.
	var b1 struct {
		BookTraining struct{ ID, Status, AttendeeEmail string }
	}
	data(t, e.provider, bookOp, book("Sam@Provider.example", nil), &b1)
	if b1.BookTraining.Status != "BOOKED" || b1.BookTraining.AttendeeEmail != "sam@provider.example" {
		t.Fatalf("booking: %+v", b1.BookTraining)
	}
	// The same person twice: CONFLICT, whatever the case of the address.
	says(t, wantCode(t, do(t, e.provider, bookOp, book("SAM@provider.example", nil)), "CONFLICT"),
		"sam@provider.example already has a place", "book a different colleague, or cancel that booking first")
	// Not for another provider, and not by schools.
	wantCode(t, do(t, e.provider, bookOp, book("x@provider.example", other.provider.ID)), "FORBIDDEN")
	wantCode(t, do(t, e.schoolA, bookOp, book("x@school.example", e.w.Provider.ID)), "FORBIDDEN")
	wantCode(t, do(t, e.provider, bookOp, book("not an email", nil)), "BAD_USER_INPUT")
	// The partnership books for any provider, naming it.
	wantCode(t, do(t, e.admin, bookOp, book("alex@other.example", nil)), "BAD_USER_INPUT")
	var b2 struct{ BookTraining struct{ ID string } }
	data(t, e.admin, bookOp, book("alex@other.example", other.provider.ID), &b2)
	// Full: the third place is refused.
	says(t, wantCode(t, do(t, other.staff, bookOp, book("kim@other.example", nil)), "CONFLICT"),
		"is full: all 2 places are booked", "book another event")

	// Each provider sees only its own bookings; the partnership sees all; places left counts both.
	q := `query($id: ID!) { node(id: $id) { ... on TrainingEvent { placesLeft bookings { totalCount } } } }`
	var seen struct {
		Node struct {
			PlacesLeft int
			Bookings   struct{ TotalCount int }
		}
	}
	data(t, e.provider, q, map[string]any{"id": ev.ID}, &seen)
	if seen.Node.PlacesLeft != 0 || seen.Node.Bookings.TotalCount != 1 {
		t.Fatalf("provider's view: %+v", seen.Node)
	}
	data(t, e.qa, q, map[string]any{"id": ev.ID}, &seen)
	if seen.Node.Bookings.TotalCount != 2 {
		t.Fatalf("partnership's view: %+v", seen.Node)
	}
	// Schools see the event and none of its bookings: an empty list, not an
	// error failing the whole query (issue 5).
	data(t, e.schoolA, q, map[string]any{"id": ev.ID}, &seen)
	if seen.Node.PlacesLeft != 0 || seen.Node.Bookings.TotalCount != 0 {
		t.Fatalf("school's view: %+v", seen.Node)
	}
	const eventsWithBookings = `{ trainingEvents { edges { node { title placesLeft bookings { totalCount edges { node { attendeeEmail provider { id } } } } } } } }`
	var events struct {
		TrainingEvents struct {
			Edges []struct {
				Node struct {
					Title    string
					Bookings struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								AttendeeEmail string
								Provider      struct {
									ID int `json:"id,string"`
								}
							}
						}
					}
				}
			}
		}
	}
	for who, want := range map[string]struct {
		c        *gqlclient.Client
		n        int
		provider int
	}{"school": {e.schoolA, 0, 0}, "provider": {e.provider, 1, e.w.Provider.ID}, "partnership": {e.qa, 2, 0}} {
		data(t, want.c, eventsWithBookings, nil, &events)
		if len(events.TrainingEvents.Edges) != 1 || events.TrainingEvents.Edges[0].Node.Bookings.TotalCount != want.n ||
			len(events.TrainingEvents.Edges[0].Node.Bookings.Edges) != want.n {
			t.Fatalf("%s: trainingEvents with bookings %+v, want %d bookings", who, events, want.n)
		}
		for _, b := range events.TrainingEvents.Edges[0].Node.Bookings.Edges {
			if want.provider != 0 && b.Node.Provider.ID != want.provider {
				t.Fatalf("%s sees another provider's booking %+v", who, b)
			}
		}
	}

	// Cancelling: only the booking's provider (or the partnership), before the start; it frees the place.
	wantCode(t, do(t, other.staff, cancelOp, map[string]any{"id": b1.BookTraining.ID}), "NOT_FOUND")
	var cancelled struct{ CancelTrainingBooking struct{ Status string } }
	data(t, e.provider, cancelOp, map[string]any{"id": b1.BookTraining.ID}, &cancelled)
	if cancelled.CancelTrainingBooking.Status != "CANCELLED" {
		t.Fatalf("cancel: %+v", cancelled)
	}
	says(t, wantCode(t, do(t, e.provider, cancelOp, map[string]any{"id": b1.BookTraining.ID}), "CONFLICT"), "already cancelled", "book again")
	data(t, other.staff, bookOp, book("kim@other.example", nil), nil)
	// A cancelled place can be booked again by the same person once there is room.
	data(t, e.admin, `mutation($id: ID!) { updateTrainingEvent(id: $id, input: {capacity: 3}) { id } }`, map[string]any{"id": ev.ID}, nil)
	data(t, e.provider, bookOp, book("sam@provider.example", nil), nil)
	wantCode(t, do(t, e.admin, `mutation($id: ID!) { updateTrainingEvent(id: $id, input: {capacity: 2}) { id } }`, map[string]any{"id": ev.ID}), "CONFLICT")

	// Attendance is recorded by the partnership, and only once the event has started.
	says(t, wantCode(t, do(t, e.admin, attendOp, map[string]any{"id": b2.BookTraining.ID, "a": true}), "CONFLICT"),
		"has not started yet", "record attendance once it has")
	wantCode(t, do(t, e.provider, attendOp, map[string]any{"id": b2.BookTraining.ID, "a": true}), "FORBIDDEN")

	// An event that has started: no new bookings or cancellations, attendance recorded.
	past := e.db.TrainingEvent.Create().SetTitle("Data system").SetStartsAt(now.Add(-26 * time.Hour)).
		SetEndsAt(now.Add(-23 * time.Hour)).SetCapacity(5).SetCreatedBy("system").SaveX(sys)
	pb := e.db.TrainingBooking.Create().SetEventID(past.ID).SetProviderID(e.w.Provider.ID).
		SetAttendeeName("Sam").SetAttendeeEmail("sam@provider.example").SetBookedBy("system").SaveX(sys)
	wantCode(t, do(t, e.provider, bookOp, map[string]any{"e": past.ID, "n": "Late", "m": "late@provider.example"}), "BAD_USER_INPUT")
	says(t, wantCode(t, do(t, e.provider, cancelOp, map[string]any{"id": pb.ID}), "CONFLICT"),
		`"Data system" started at`, "only be cancelled before the event starts")
	var att struct {
		RecordTrainingAttendance struct {
			Attended             *bool
			AttendanceRecordedAt *string
		}
	}
	data(t, e.qa, attendOp, map[string]any{"id": pb.ID, "a": true}, &att)
	if a := att.RecordTrainingAttendance; a.Attended == nil || !*a.Attended || a.AttendanceRecordedAt == nil {
		t.Fatalf("attendance: %+v", a)
	}
	if n := e.db.AuditEvent.Query().Where(auditevent.Entity("TrainingBooking")).CountX(sys); n < 5 {
		t.Fatalf("%d TrainingBooking audit events", n)
	}

	// The QA worklist's summary.
	var sum struct {
		Node struct {
			TrainingSummary struct {
				AttendedLast12Months, UpcomingBookings int
				LastAttendedOn                         *string
			}
		}
	}
	data(t, e.qa, `query($id: ID!) { node(id: $id) { ... on Provider { trainingSummary { attendedLast12Months upcomingBookings lastAttendedOn } } } }`,
		map[string]any{"id": e.w.Provider.ID}, &sum)
	s := sum.Node.TrainingSummary
	if s.AttendedLast12Months != 1 || s.UpcomingBookings != 1 || s.LastAttendedOn == nil ||
		*s.LastAttendedOn != past.StartsAt.UTC().Format(time.DateOnly) {
		t.Fatalf("training summary: %+v", s)
	}
	// Provider staff see every event and its places.
	var list struct{ TrainingEvents struct{ TotalCount int } }
	data(t, e.schoolA, `{ trainingEvents(where: {startsAtGT: "2000-01-01T00:00:00Z"}) { totalCount edges { node { title placesLeft } } } }`, nil, &list)
	if list.TrainingEvents.TotalCount != 2 {
		t.Fatalf("%d events listed", list.TrainingEvents.TotalCount)
	}
	if n := e.db.TrainingBooking.Query().Where(trainingbooking.StatusEQ(trainingbooking.StatusBOOKED)).CountX(sys); n != 4 {
		t.Fatalf("%d BOOKED bookings", n)
	}
}

// Concurrent bookings never overbook: the place check runs under a lock on the event row.
func TestTrainingCapacityUnderConcurrentBookings(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	start := e.now().Add(48 * time.Hour)
	ev := e.db.TrainingEvent.Create().SetTitle("Popular").SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).
		SetCapacity(2).SetCreatedBy("system").SaveX(sys)
	const n = 6
	results := make(chan []string, n)
	for i := range n {
		go func() {
			r, err := e.provider.Do(context.Background(), bookOp, map[string]any{
				"e": ev.ID, "n": "Staff", "m": fmt.Sprintf("staff%d@provider.example", i)})
			if err != nil {
				results <- []string{err.Error()}
				return
			}
			results <- codes(r.Errors)
		}()
	}
	booked, full := 0, 0
	for range n {
		switch got := <-results; {
		case len(got) == 0:
			booked++
		case len(got) == 1 && got[0] == "CONFLICT":
			full++
		default:
			t.Errorf("unexpected outcome %v", got)
		}
	}
	if booked != 2 || full != n-2 {
		t.Fatalf("%d booked, %d refused as full; want 2 and %d", booked, full, n-2)
	}
	if got := e.db.TrainingBooking.Query().CountX(sys); got != 2 {
		t.Fatalf("%d bookings stored", got)
	}
}

// says fails unless a CONFLICT message says what conflicts and what to do
// (issue 5: CONFLICT messages said only "conflict" or "already exists").
func says(t *testing.T, msg string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Fatalf("message %q does not say %q", msg, f)
		}
	}
}
