package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
)

// Free text in mutations has a limit, and no control characters other than
// newline and tab: refused as BAD_USER_INPUT naming the field and the limit,
// before anything is written.
func TestMutationTextLimits(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	w := e.w
	future := e.now().Add(14 * 24 * time.Hour)
	var ev struct{ CreateTrainingEvent struct{ ID string } }
	data(t, e.admin, `mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"title": "Safeguarding update", "startsAt": future.Format(time.RFC3339),
			"endsAt": future.Add(time.Hour).Format(time.RFC3339), "capacity": 5}}, &ev)
	event := func(title, description string) map[string]any {
		return map[string]any{"in": map[string]any{"title": title, "description": description,
			"startsAt": future.Format(time.RFC3339), "endsAt": future.Add(time.Hour).Format(time.RFC3339), "capacity": 5}}
	}
	application := func(name, description string) map[string]any {
		return map[string]any{"in": map[string]any{"kind": "SCHOOL", "organisationName": name, "urn": "123456",
			"contactName": "Sam Ray", "email": "sam@school.example", "postcode": "NG7 2QQ", "description": description}}
	}
	const (
		createEvent = `mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id } }`
		book        = `mutation($e: ID!, $n: String!) { bookTraining(eventID: $e, attendeeName: $n, attendeeEmail: "x@p.example", providerID: "` + "%P" + `") { id } }`
		apply       = `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference } }`
		updateProv  = `mutation($id: ID!, $n: String!) { updateProvider(id: $id, input: {name: $n}) { id } }`
		rename      = `mutation($id: ID!, $t: String!) { renameDocument(id: $id, title: $t) { id } }`
	)
	bookQ := strings.Replace(book, "%P", strconv.Itoa(w.Provider.ID), 1)
	a := func(n int) string { return strings.Repeat("a", n) }

	for name, tc := range map[string]struct {
		c     *gqlclient.Client
		query string
		vars  map[string]any
		field string
		want  string // in the message; "" for accepted
	}{
		"training title at 200":          {e.admin, createEvent, event(a(200), ""), "", ""},
		"training title over 200":        {e.admin, createEvent, event(a(201), ""), "title", "title may be at most 200 characters (201 given)"},
		"training title in characters":   {e.admin, createEvent, event(strings.Repeat("é", 200), ""), "", ""},
		"training description over 5000": {e.admin, createEvent, event("T", a(5001)), "description", "at most 5000 characters"},
		"training description lines":     {e.admin, createEvent, event("T", "line one\n\tline two\r\nthree"), "", ""},
		"training title with NUL":        {e.admin, createEvent, event("T\x00", ""), "title", "control characters"},
		"training title with escape":     {e.admin, createEvent, event("\x1b[2J", ""), "title", "control characters"},
		"attendee name over 100":         {e.provider, bookQ, map[string]any{"e": ev.CreateTrainingEvent.ID, "n": a(101)}, "attendeeName", "attendeeName may be at most 100 characters"},
		"attendee name with bell":        {e.provider, bookQ, map[string]any{"e": ev.CreateTrainingEvent.ID, "n": "Sam\aRay"}, "attendeeName", "control characters"},
		"application name, anonymous":    {e.anon, apply, application(a(201), ""), "organisationName", "organisationName may be at most 200 characters"},
		"application description":        {e.anon, apply, application("School", a(5001)), "description", "description may be at most 5000 characters"},
		"provider name":                  {e.admin, updateProv, map[string]any{"id": w.Provider.ID, "n": a(201)}, "name", "name may be at most 200 characters"},
		"provider name, literal":         {e.admin, `mutation { updateProvider(id: "` + strconv.Itoa(w.Provider.ID) + `", input: {name: "` + a(201) + `"}) { id } }`, nil, "name", "at most 200"},
		"document title":                 {e.admin, rename, map[string]any{"id": 0, "t": a(201)}, "title", "title may be at most 200 characters"},
		"nested in a list":               {e.anon, apply, map[string]any{"in": map[string]any{"kind": "PROVIDER", "organisationName": "P", "contactName": "Sam Ray", "email": "s@p.example", "postcode": "NG7 2QQ", "courses": []any{map[string]any{"qualificationNumber": "60324760", "sessions": []any{}, "places": 1, "deliveryPostcode": a(17)}}}}, "courses[0].deliveryPostcode", "at most 16 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			r := do(t, tc.c, tc.query, tc.vars)
			if tc.want == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("refused: %+v", r.Errors)
				}
				return
			}
			msg := wantCode(t, r, "BAD_USER_INPUT")
			if !strings.Contains(msg, tc.want) || r.Errors[0].Extensions["field"] != tc.field {
				t.Fatalf("got %q field %v; want %q field %q", msg, r.Errors[0].Extensions["field"], tc.want, tc.field)
			}
			if d := string(r.Data); d != "" && d != "null" {
				t.Fatalf("ran anyway: %s", d)
			}
		})
	}

	// The upload's title too, through the multipart transport.
	r := e.upload(t, e.admin, uploadOp, map[string]any{"in": map[string]any{"title": a(201), "category": "QA_PROCESS"}}, "guide.txt", []byte("words\n"))
	if msg := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(msg, "title may be at most 200 characters") {
		t.Fatalf("upload title: %q", msg)
	}
	if n := e.db.Document.Query().CountX(sys); n != 0 {
		t.Fatalf("%d documents stored", n)
	}
	// Passwords are compared as typed: a control character is not refused
	// as input (the sign-in just fails), only length.
	r = do(t, e.anon, `mutation($p: String!) { login(email: "admin@test.example", password: $p) { token } }`, map[string]any{"p": "x\x01y"})
	if len(r.Errors) != 1 || r.Errors[0].Code() == "BAD_USER_INPUT" {
		t.Fatalf("login with a control character: %+v", r.Errors)
	}
	r = do(t, e.anon, `mutation($p: String!) { login(email: "admin@test.example", password: $p) { token } }`, map[string]any{"p": a(1025)})
	if msg := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(msg, "at most 1024") {
		t.Fatalf("long password: %q", msg)
	}
}
