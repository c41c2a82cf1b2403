package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/metrics"
	"github.com/apnet/apnet/internal/password"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/server"
	"github.com/apnet/apnet/internal/training"
	"github.com/apnet/apnet/internal/viewer"
)

type env struct {
	db *db.DB
	w  *fixture.World
	// broker counts the subscriptions made to it, by topic.
	broker *countingBroker
	srv    *server.Server
	auth   *auth.Service
	http   *httptest.Server
	ws     string
	// Signed-in clients, one per role; anon has no token.
	admin, qa, schoolA, schoolB, provider, anon *gqlclient.Client
	// clock is the auth service's clock: tests move it to expire sessions.
	clock *time.Time
	// docs stores uploads (limit testUploadLimit); now is the services' clock.
	docs *documents.Service
	now  func() time.Time
}

// testPassword is every test account's password.
const testPassword = "correct horse battery"

// newEnv builds a server over d with the fixture world and one signed-in
// client per role. opts adjust the server's options (e.g. production
// hardening); the defaults are a development server.
// logOutput receives the test server's log; a test may capture it.
var logOutput io.Writer = io.Discard

func newEnv(t *testing.T, d *db.DB, opts ...func(*server.Options)) *env {
	t.Helper()
	// Registered first so it runs last: every websocket of this test is
	// closed and its subscriptions gone before the next test counts its own
	// on the process-wide metrics.Subscribers gauge.
	var srv *server.Server
	t.Cleanup(func() { closeAllWebsockets(t, srv) })
	w := fixture.Build(t, d.Client)
	log := slog.New(slog.NewTextHandler(logOutput, nil))
	b := &countingBroker{Broker: broker.NewInProcess(), active: map[string]int{}}
	t.Cleanup(func() { b.Close() })
	hub := live.New(b, d.Client, log)
	now := func() time.Time { return w.Monday.Add(10 * time.Hour) }
	res := &graph.Resolver{
		Client:     d.Client,
		Attendance: &attendance.Service{Client: d.Client, Publisher: hub, Log: log, Now: now},
		Referral:   &referral.Service{Client: d.Client, Publisher: hub, Log: log, Now: now},
		Documents:  &documents.Service{Client: d.Client, Store: newTestStore(t), Log: log, Now: now},
		Training:   &training.Service{Client: d.Client, Now: now},
		QA:         qa.NewService(d.Client, hub, log, now),
		Live:       hub,
		Now:        now,
	}
	clock := time.Now()
	authn := auth.New(d.Client, b, log, func() time.Time { return clock })
	if err := authn.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	res.Auth = authn
	o := server.Options{KeepAlive: time.Second, Ready: d.Ping, Auth: authn}
	for _, opt := range opts {
		opt(&o)
	}
	srv = server.New(res, log, o)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e := &env{db: d, w: w, broker: b, srv: srv, auth: authn, http: hs, clock: &clock, docs: res.Documents, now: now,
		ws: "ws" + strings.TrimPrefix(hs.URL, "http") + "/query"}
	e.anon = &gqlclient.Client{URL: hs.URL + "/query"}
	e.admin = e.signIn(t, e.account(t, "admin@test.example", user.RolePARTNERSHIP_ADMIN, 0, 0))
	e.qa = e.signIn(t, e.account(t, "qa@test.example", user.RoleQA_OFFICER, 0, 0))
	e.schoolA = e.signIn(t, e.account(t, "a@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	e.schoolB = e.signIn(t, e.account(t, "b@test.example", user.RoleSCHOOL_STAFF, w.SchoolB.ID, 0))
	e.provider = e.signIn(t, e.account(t, "p@test.example", user.RolePROVIDER_STAFF, 0, w.Provider.ID))
	return e
}

// account creates an active user with testPassword.
func (e *env) account(t *testing.T, email string, role user.Role, schoolID, providerID int) string {
	t.Helper()
	hash, err := password.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	c := e.db.User.Create().SetEmail(email).SetName("Test " + string(role)).SetRole(role).
		SetPasswordHash(hash).SetActive(true).SetCreatedAt(time.Now())
	if schoolID != 0 {
		c.SetSchoolID(schoolID)
	}
	if providerID != 0 {
		c.SetProviderID(providerID)
	}
	c.SaveX(viewer.SystemContext(context.Background()))
	return email
}

// signIn logs in over GraphQL and returns a client carrying the token.
func (e *env) signIn(t *testing.T, email string) *gqlclient.Client {
	t.Helper()
	var out struct{ Login struct{ Token string } }
	err := e.anon.MustData(context.Background(), `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
		map[string]any{"e": email, "p": testPassword}, &out)
	if err != nil {
		t.Fatal(err)
	}
	return &gqlclient.Client{URL: e.anon.URL, Token: out.Login.Token}
}

const recordMark = `mutation($p: ID!, $d: Date!, $s: AttendanceMarkSession!, $m: MarkInput!) {
  recordAttendance(input: {placementID: $p, date: $d, session: $s, mark: $m}) {
    outcome mark { id code status version } alert { id kind }
  }
}`

func (e *env) record(t *testing.T, placement int, mark map[string]any) {
	t.Helper()
	err := e.provider.MustData(context.Background(), recordMark, map[string]any{
		"p": placement, "d": e.w.Monday.Format(time.DateOnly), "s": "AM", "m": mark,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

func dial(t *testing.T, e *env, protocol string, as *gqlclient.Client) *gqlclient.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := gqlclient.Dial(ctx, e.ws, protocol, map[string]any{"authorization": "Bearer " + as.Token}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

const subAttendance = `subscription($s: ID!) { attendanceRecorded(schoolID: $s) {
  outcome mark { id code status placement { learner { upn } } } alert { kind } } }`
const subAlerts = `subscription($s: ID!) { alertRaised(schoolID: $s) { id kind learner { upn } school { urn } } }`

// waitSubscribers waits until n subscriptions are live on this process: the
// protocol does not acknowledge "subscribe", and an event published before the
// resolver has subscribed is (correctly) not delivered.
func waitSubscribers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(metrics.Subscribers) < float64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("%v live subscribers after 5s, want %d", testutil.ToFloat64(metrics.Subscribers), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// closeAllWebsockets closes srv's websockets and waits (bounded) until no
// subscription is live on this process.
func closeAllWebsockets(t *testing.T, srv *server.Server) {
	t.Helper()
	if srv == nil {
		return
	}
	srv.CloseWebsockets()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitWebsockets(ctx); err != nil {
		t.Errorf("websockets still open after the test: %v", err)
		return
	}
	for testutil.ToFloat64(metrics.Subscribers) > 0 {
		if ctx.Err() != nil {
			t.Errorf("%v subscriptions still live after the test", testutil.ToFloat64(metrics.Subscribers))
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubscriptionsDeliverMarkAndAlert(t *testing.T) {
	for _, protocol := range []string{gqlclient.TransportWS, gqlclient.LegacyWS} {
		t.Run(protocol, func(t *testing.T) {
			e := newEnv(t, dbtest.SQLite(t))
			a := dial(t, e, protocol, e.schoolA)
			if err := a.Subscribe("att", subAttendance, map[string]any{"s": e.w.SchoolA.ID}); err != nil {
				t.Fatal(err)
			}
			if err := a.Subscribe("alert", subAlerts, map[string]any{"s": e.w.SchoolA.ID}); err != nil {
				t.Fatal(err)
			}
			b := dial(t, e, protocol, e.schoolB)
			if err := b.Subscribe("att", subAttendance, map[string]any{"s": e.w.SchoolB.ID}); err != nil {
				t.Fatal(err)
			}
			waitSubscribers(t, 3)

			e.record(t, e.w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got := map[string]string{}
			for len(got) < 2 {
				id, r, err := a.Next(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Errors) > 0 {
					t.Fatalf("%s: %v", id, r.Errors)
				}
				got[id] = string(r.Data)
			}
			if !strings.Contains(got["att"], `"code":"O"`) || !strings.Contains(got["att"], `"upn":"B801200005001"`) ||
				!strings.Contains(got["att"], `"kind":"UNAUTHORISED_ABSENCE"`) {
				t.Errorf("attendance event %s", got["att"])
			}
			if !strings.Contains(got["alert"], `"kind":"UNAUTHORISED_ABSENCE"`) || !strings.Contains(got["alert"], `"urn":"100001"`) {
				t.Errorf("alert event %s", got["alert"])
			}

			// School B's subscriber saw nothing of A's learner: its first event is its own learner's.
			e.record(t, e.w.Placements[2].ID, map[string]any{"status": "PRESENT"})
			_, r, err := b.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(r.Data), `"upn":"E801200005003"`) {
				t.Fatalf("school B received %s", r.Data)
			}
		})
	}
}

func TestRegisterOverHTTPAndResendConflict(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	q := `mutation($in: RecordRegisterInput!) { recordRegister(input: $in) { created unchanged amended alerts { kind } } }`
	in := map[string]any{"courseID": e.w.Course.ID, "date": e.w.Monday.Format(time.DateOnly), "session": "AM", "entries": []any{
		map[string]any{"placementID": e.w.Placements[0].ID, "mark": map[string]any{"status": "PRESENT"}},
		map[string]any{"placementID": e.w.Placements[1].ID, "mark": map[string]any{"status": "LATE", "minutesLate": 45}},
	}}
	var out struct {
		RecordRegister struct {
			Created, Unchanged, Amended int
			Alerts                      []struct{ Kind string }
		}
	}
	if err := e.provider.MustData(ctx, q, map[string]any{"in": in}, &out); err != nil {
		t.Fatal(err)
	}
	if out.RecordRegister.Created != 2 || len(out.RecordRegister.Alerts) != 1 || out.RecordRegister.Alerts[0].Kind != "UNAUTHORISED_ABSENCE" {
		t.Fatalf("first register: %+v", out)
	}
	if err := e.provider.MustData(ctx, q, map[string]any{"in": in}, &out); err != nil || out.RecordRegister.Unchanged != 2 {
		t.Fatalf("resend: %+v %v", out, err)
	}
	in["entries"].([]any)[0].(map[string]any)["mark"] = map[string]any{"status": "ABSENT", "absenceReason": "ILLNESS"}
	r, err := e.provider.Do(ctx, q, map[string]any{"in": in})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" || !strings.Contains(r.Errors[0].Message, "amendmentReason") {
		t.Fatalf("changed resend: %+v", r.Errors)
	}
}

func TestBadInputCodes(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	cases := []struct {
		name, query, code, mention string
		vars                       map[string]any
	}{
		{"invalid UPN check letter", `mutation($s: ID!) { createLearner(input: {upn: "A801200005001", firstName: "T", lastName: "L", dateOfBirth: "2011-01-01", yearGroup: 10, schoolID: $s}) { id } }`,
			"BAD_USER_INPUT", "A801200005001", map[string]any{"s": e.w.SchoolA.ID}},
		{"invalid qualification number", `mutation($b: ID!) { createQualification(input: {number: "603/247/0", title: "T", level: LEVEL_1, awardingBodyID: $b}) { id } }`,
			"BAD_USER_INPUT", "603/247/0", map[string]any{"b": e.w.Course.QueryQualification().QueryAwardingBody().OnlyIDX(viewer.SystemContext(ctx))}},
		{"invalid postcode", `mutation { createSchool(input: {urn: "123456", name: "X", postcode: "NG7 2Q"}) { id } }`,
			"BAD_USER_INPUT", "NG7 2Q", nil},
		{"invalid URN", `mutation { createSchool(input: {urn: "12345", name: "X", postcode: "NG7 2QQ"}) { id } }`,
			"BAD_USER_INPUT", "12345", nil},
		{"duplicate URN", `mutation { createSchool(input: {urn: "100001", name: "X", postcode: "NG7 2QQ"}) { id } }`,
			"CONFLICT", "", nil},
		{"invalid date", `mutation($p: ID!) { createSchool(input: {urn: "123457", name: "X", postcode: "NG7 2QQ"}) { id } updateLearner(id: $p, input: {dateOfBirth: "30/11/2026"}) { id } }`, "BAD_USER_INPUT", "YYYY-MM-DD",
			map[string]any{"p": e.w.Learners[0].ID}},
		// A UKPRN or Ofsted URN names one provider (the provider indexes).
		{"duplicate UKPRN", `mutation { a: createProvider(input: {name: "A", postcode: "NG1 1AA", ukprn: "10012345"}) { id } b: createProvider(input: {name: "B", postcode: "NG1 1AA", ukprn: "10012345"}) { id } }`,
			"CONFLICT", "", nil},
		{"duplicate Ofsted URN", `mutation { a: createProvider(input: {name: "A", postcode: "NG1 1AA", urn: "EY123456"}) { id } b: createProvider(input: {name: "B", postcode: "NG1 1AA", urn: "ey123456"}) { id } }`,
			"CONFLICT", "", nil},
		{"unknown node", `{ node(id: "999999") { id } }`, "NOT_FOUND", "", nil},
		{"syntax error", `{ schools { `, "GRAPHQL_PARSE_FAILED", "", nil},
		// entgql's own INVALID_PAGINATION is none of apnet's codes.
		{"negative first", `{ providers(first: -1) { totalCount } }`, "BAD_USER_INPUT", "first must not be negative", nil},
		{"negative last", `{ providers(last: -1) { totalCount } }`, "BAD_USER_INPUT", "last must not be negative", nil},
		{"negative first, nested", `{ providers(first: 1) { edges { node { courses(first: -3) { totalCount } } } } }`, "BAD_USER_INPUT", "first must not be negative", nil},
		{"both first and last", `{ providers(first: 1, last: 1) { totalCount } }`, "BAD_USER_INPUT", "first and last may not both be given", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := e.admin.Do(ctx, c.query, c.vars)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no error; data %s", r.Data)
			}
			if got := r.Errors[0].Code(); got != c.code || !strings.Contains(r.Errors[0].Message, c.mention) {
				t.Fatalf("got %s %q, want %s mentioning %q", got, r.Errors[0].Message, c.code, c.mention)
			}
		})
	}
	// A normalised identifier is stored in one form.
	var out struct{ CreateSchool struct{ Postcode string } }
	if err := e.admin.MustData(ctx, `mutation { createSchool(input: {urn: "123456", name: "X", postcode: "ng72qq"}) { postcode } }`, nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.CreateSchool.Postcode != "NG7 2QQ" {
		t.Fatalf("postcode stored as %q", out.CreateSchool.Postcode)
	}
}

func TestInternalErrorsAreMasked(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	e.db.Close() // every query now fails inside the driver
	r, err := e.anon.Do(context.Background(), `mutation { login(email: "a@test.example", password: "whatever whatever") { token } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "INTERNAL_SERVER_ERROR" {
		t.Fatalf("errors %+v", r.Errors)
	}
	msg := strings.ToLower(r.Errors[0].Message)
	for _, leak := range []string{"sql", "database", "closed", ".go", "select"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("message %q leaks %q", msg, leak)
		}
	}
}

func TestQueriesOverGETAndListsPaginate(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	q := `{ learners(first: 2, orderBy: [{field: UPN, direction: DESC}], where: {yearGroup: 10}) { totalCount edges { node { upn } } pageInfo { hasNextPage } } }`
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/query?query="+url.QueryEscape(q), nil)
	req.Header.Set("Authorization", "Bearer "+e.admin.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `{"data":{"learners":{"totalCount":3,"edges":[{"node":{"upn":"Q801200005002"}},{"node":{"upn":"E801200005003"}}],"pageInfo":{"hasNextPage":true}}}}`
	if string(body) != want {
		t.Fatalf("GET: %s", body)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	e.record(t, e.w.Placements[0].ID, map[string]any{"status": "ABSENT", "absenceReason": "NO_REASON_YET"})
	for path, want := range map[string]string{
		"/healthz": "ok", "/readyz": "ready",
		"/metrics": `apnet_events_published_total{kind="alert"}`,
	} {
		resp, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	e.db.Close()
	resp, err := http.Get(e.http.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d", resp.StatusCode)
	}
}

func TestCloseWebsocketsSendsNormalClose(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	c := dial(t, e, gqlclient.TransportWS, e.schoolA)
	if err := c.Subscribe("a", subAlerts, map[string]any{"s": e.w.SchoolA.ID}); err != nil {
		t.Fatal(err)
	}
	waitSubscribers(t, 1)
	e.srv.CloseWebsockets()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.WaitWebsockets(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Next(ctx)
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Fatalf("want a normal close frame, got %v", err)
	}
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	return errors.As(err, ce)
}
