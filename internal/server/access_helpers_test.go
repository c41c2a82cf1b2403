package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/ident"
	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/viewer"
)

// Helpers shared by the access-control tests (authorisation matrix, tenancy,
// sign-in, audit, hardening).

// sys is apnet's own context, for arranging rows and reading them back.
var sys = viewer.SystemContext(context.Background())

// do posts an operation and fails the test on a transport error.
func do(t *testing.T, c *gqlclient.Client, query string, vars map[string]any) *gqlclient.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Do(ctx, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// data posts an operation that must succeed and decodes its data into out.
func data(t *testing.T, c *gqlclient.Client, query string, vars map[string]any, out any) {
	t.Helper()
	r := do(t, c, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %s (%s)", query, r.Errors[0].Message, r.Errors[0].Code())
	}
	if out != nil {
		if err := r.Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// codes lists the errors' extensions.code values.
func codes(errs []gqlclient.Error) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Code())
	}
	return out
}

// wantCode asserts that r failed with exactly one error of code, and returns its message.
func wantCode(t *testing.T, r *gqlclient.Response, code string) string {
	t.Helper()
	if len(r.Errors) != 1 || r.Errors[0].Code() != code {
		t.Fatalf("want one %s error, got %+v (data %s)", code, r.Errors, r.Data)
	}
	return r.Errors[0].Message
}

// userID is the id of the account with email.
func (e *env) userID(t *testing.T, email string) int {
	t.Helper()
	id, err := e.db.User.Query().Where(user.Email(email)).OnlyID(sys)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// upn returns a valid UPN (check letter included) ending in n.
func upn(t *testing.T, n int) string {
	t.Helper()
	body := fmt.Sprintf("8012000%05d", n)
	c, err := ident.UPNCheckLetter(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(c) + body
}

// otherProvider is a second provider with its own course, one learner of
// school A placed only with it, and a signed-in member of its staff.
type otherProvider struct {
	provider  *ent.Provider
	learner   *ent.Learner
	placement *ent.Placement
	staff     *gqlclient.Client
}

func (e *env) addOtherProvider(t *testing.T) *otherProvider {
	t.Helper()
	o := &otherProvider{}
	o.provider = e.db.Provider.Create().SetName("Other Provider").SetPostcode("NG2 1AA").
		SetApprovalStatus("APPROVED").SetApprovedUntil(e.w.Monday.AddDate(0, 6, 0)).SaveX(sys)
	q := e.w.Course.QueryQualification().OnlyX(sys)
	course := e.db.Course.Create().SetProvider(o.provider).SetQualification(q).
		SetDeliveryPostcode("NG2 1AA").SetSessions(e.w.Course.Sessions).SetPlaces(5).
		SetStartDates(e.w.Course.StartDates).SaveX(sys)
	o.learner = e.db.Learner.Create().SetUpn(upn(t, 9001)).SetFirstName("Other").SetLastName("Placed").
		SetDateOfBirth(time.Date(2011, 2, 2, 0, 0, 0, 0, time.UTC)).SetYearGroup(10).
		SetSchool(e.w.SchoolA).SaveX(sys)
	o.placement = e.db.Placement.Create().SetLearner(o.learner).SetCourse(course).
		SetStartDate(e.w.Monday.AddDate(0, -2, 0)).SetEndDate(e.w.Monday.AddDate(0, 6, 0)).
		SetSessions(e.w.Course.Sessions).SetStatus("ACTIVE").SaveX(sys)
	o.staff = e.signIn(t, e.account(t, "other-provider@test.example", user.RolePROVIDER_STAFF, 0, o.provider.ID))
	return o
}

// liveSubscribers is this process's count of live subscriptions.
func liveSubscribers() int { return int(testutil.ToFloat64(metrics.Subscribers)) }

// waitLiveSubscribers waits (bounded) until exactly n subscriptions are live.
func waitLiveSubscribers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for liveSubscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d live subscribers after 5s, want %d", liveSubscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dialAs opens a graphql-transport-ws socket with c's token (none for an
// anonymous client) and returns the handshake's error instead of failing.
func (e *env) dialAs(c *gqlclient.Client, payload map[string]any) (*gqlclient.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if payload == nil {
		payload = map[string]any{}
		if c.Token != "" {
			payload["authorization"] = "Bearer " + c.Token
		}
	}
	return gqlclient.Dial(ctx, e.ws, gqlclient.TransportWS, payload, nil)
}

// socket is a graphql-transport-ws connection whose messages one goroutine
// reads into a channel, so a test can wait on a message and on other
// conditions at once.
type socket struct {
	conn *gqlclient.Conn
	msgs chan socketRead // the last read carries the error that ended the socket
}

type socketRead struct {
	m   gqlclient.Message
	err error
}

// open dials as c and starts reading; the socket is closed with the test.
func (e *env) open(t *testing.T, c *gqlclient.Client) *socket {
	t.Helper()
	conn, err := e.dialAs(c, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s := &socket{conn: conn, msgs: make(chan socketRead, 64)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := conn.Read(ctx)
			select {
			case s.msgs <- socketRead{m, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		cancel()
		<-done
	})
	return s
}

// next returns the socket's next message, waiting at most 5 s.
func (s *socket) next(t *testing.T) (gqlclient.Message, error) {
	t.Helper()
	select {
	case r := <-s.msgs:
		return r.m, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
		return gqlclient.Message{}, nil
	}
}

// start subscribes under id and waits until the subscription is live (it
// passed every check and is counted in metrics.Subscribers) or refused. It
// returns nil when live, else the error codes of the refusal. Both are
// positive signals within a bounded wait: nothing is inferred from silence.
func (s *socket) start(t *testing.T, id, query string, vars map[string]any) []string {
	t.Helper()
	before := liveSubscribers()
	if err := s.conn.Subscribe(id, query, vars); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-s.msgs:
			if r.err != nil {
				t.Fatalf("subscription %s neither started nor was refused: %v", id, r.err)
			}
			if r.m.ID != id {
				t.Fatalf("while starting %s: message %s %s for %s", id, r.m.Type, r.m.Payload, r.m.ID)
			}
			got := messageCodes(t, r.m)
			if r.m.Type != "error" {
				// A refusal sent as a result is followed by the operation's end.
				if m, err := s.next(t); err != nil || m.Type != "complete" || m.ID != id {
					t.Fatalf("after refusing %s: %s %s %v", id, m.Type, m.Payload, err)
				}
			}
			return got
		case <-tick.C:
			if liveSubscribers() > before {
				return nil
			}
		case <-deadline:
			t.Fatalf("subscription %s neither live nor refused within 5s", id)
		}
	}
}

// data returns the next data message's payload, failing on anything else.
func (s *socket) data(t *testing.T) (id string, r gqlclient.Response) {
	t.Helper()
	for {
		m, err := s.next(t)
		if err != nil {
			t.Fatalf("socket ended: %v", err)
		}
		switch m.Type {
		case "pong", "ka":
			continue
		case "next", "data":
			if err := json.Unmarshal(m.Payload, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("subscription %s: %+v", m.ID, r.Errors)
			}
			return m.ID, r
		default:
			t.Fatalf("unexpected %s %s", m.Type, m.Payload)
		}
	}
}

// closed waits (bounded) for the server to close the socket and returns the
// close frame's code.
func (s *socket) closed(t *testing.T) int {
	t.Helper()
	for {
		m, err := s.next(t)
		if err == nil {
			if m.Type == "next" || m.Type == "data" {
				t.Fatalf("data on a socket that should close: %s", m.Payload)
			}
			continue
		}
		return closeCodeOf(t, err)
	}
}

func closeCodeOf(t *testing.T, err error) int {
	t.Helper()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("socket ended without a close frame: %v", err)
	}
	return ce.Code
}

func messageCodes(t *testing.T, m gqlclient.Message) []string {
	t.Helper()
	var errs []gqlclient.Error
	switch m.Type {
	case "next", "data":
		var r gqlclient.Response
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			t.Fatal(err)
		}
		errs = r.Errors
	case "error":
		if err := json.Unmarshal(m.Payload, &errs); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unexpected %s message %s", m.Type, m.Payload)
	}
	if len(errs) == 0 {
		t.Fatalf("a subscription not counted as live delivered %s", m.Payload)
	}
	return codes(errs)
}
