package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
)

const loginOp = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { email role } } }`

// login tries to sign in and returns the response.
func (e *env) login(t *testing.T, email, pw string) *gqlclient.Response {
	t.Helper()
	return do(t, e.anon, loginOp, map[string]any{"e": email, "p": pw})
}

// tokenOf returns the token of a successful sign-in.
func tokenOf(t *testing.T, r *gqlclient.Response) string {
	t.Helper()
	var out struct{ Login struct{ Token string } }
	if len(r.Errors) > 0 {
		t.Fatalf("sign-in refused: %+v", r.Errors)
	}
	if err := r.Decode(&out); err != nil || out.Login.Token == "" {
		t.Fatalf("no token in %s: %v", r.Data, err)
	}
	return out.Login.Token
}

// wantSignedOut asserts that c's token no longer works.
func wantSignedOut(t *testing.T, c *gqlclient.Client) {
	t.Helper()
	wantCode(t, do(t, c, `{ me { id } }`, nil), "UNAUTHENTICATED")
}

// wantSignedIn asserts that c's token works, and returns its user's email and role.
func wantSignedIn(t *testing.T, c *gqlclient.Client) (email, role string) {
	t.Helper()
	var out struct{ Me struct{ Email, Role string } }
	data(t, c, `{ me { email role } }`, nil, &out)
	return out.Me.Email, out.Me.Role
}

func TestSignInFailuresLookAlike(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	wrong := wantCode(t, e.login(t, "a@test.example", "not the password"), "UNAUTHENTICATED")
	unknown := wantCode(t, e.login(t, "nobody@test.example", "not the password"), "UNAUTHENTICATED")
	e.db.User.Update().Where(user.Email("b@test.example")).SetActive(false).ExecX(sys)
	inactive := wantCode(t, e.login(t, "b@test.example", testPassword), "UNAUTHENTICATED")
	if wrong != unknown || wrong != inactive {
		t.Fatalf("failures differ: wrong password %q, unknown email %q, deactivated %q", wrong, unknown, inactive)
	}
	wantCode(t, do(t, e.anon, `{ me { id } }`, nil), "UNAUTHENTICATED")
}

func TestSignInThrottledPerAccount(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	for _, email := range []string{"a@test.example", "ghost@test.example"} {
		for i := range 5 {
			if msg := wantCode(t, e.login(t, email, "not the password"), "UNAUTHENTICATED"); strings.Contains(msg, "too many") {
				t.Fatalf("%s throttled after %d failures", email, i)
			}
		}
		// Locked: even the right password is refused, and an unknown
		// email is locked the same way, so the lock reveals nothing.
		msg := wantCode(t, e.login(t, email, testPassword), "UNAUTHENTICATED")
		if !strings.Contains(msg, "too many") {
			t.Fatalf("%s after 5 failures: %q", email, msg)
		}
	}
	// Another account on the same address still signs in.
	tokenOf(t, e.login(t, "b@test.example", testPassword))
	// The lock ends.
	*e.clock = e.clock.Add(time.Hour)
	tokenOf(t, e.login(t, "a@test.example", testPassword))
}

func TestSignInThrottledPerAddress(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	// 20 failures from 127.0.0.1, each on a different account so no account is locked.
	for i := range 20 {
		msg := wantCode(t, e.login(t, fmt.Sprintf("sprayed-%d@test.example", i), "not the password"), "UNAUTHENTICATED")
		if strings.Contains(msg, "too many") {
			t.Fatalf("address throttled after %d failures", i)
		}
	}
	msg := wantCode(t, e.login(t, "admin@test.example", testPassword), "UNAUTHENTICATED")
	if !strings.Contains(msg, "too many") {
		t.Fatalf("after 20 failures from one address: %q", msg)
	}
	// Signed-in sessions are unaffected.
	wantSignedIn(t, e.admin)
}

func TestSessionsEnd(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))

	t.Run("logout", func(t *testing.T) {
		other := e.signIn(t, "a@test.example") // a second session of the same user
		data(t, e.schoolA, `mutation { logout }`, nil, nil)
		wantSignedOut(t, e.schoolA)
		if email, _ := wantSignedIn(t, other); email != "a@test.example" {
			t.Fatalf("other session is %s", email)
		}
		wantCode(t, do(t, e.schoolA, `mutation { logout }`, nil), "UNAUTHENTICATED")
	})

	t.Run("expiry", func(t *testing.T) {
		wantSignedIn(t, e.schoolB)
		*e.clock = e.clock.Add(auth.SessionTTL + time.Second)
		wantSignedOut(t, e.schoolB)
		wantSignedOut(t, e.admin)
		_, err := e.dialAs(e.admin, nil)
		if code := closeCodeOf(t, err); code != 4401 {
			t.Fatalf("websocket with an expired token closed with %d, want 4401", code)
		}
	})
}

func TestWebsocketRefusesMissingOrBadToken(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	for name, payload := range map[string]map[string]any{
		"no payload":      {},
		"empty bearer":    {"authorization": "Bearer "},
		"bad bearer":      {"authorization": "Bearer not-a-token"},
		"bad token field": {"token": "not-a-token"},
		"not bearer":      {"authorization": "Basic " + e.admin.Token},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.dialAs(e.anon, payload)
			if code := closeCodeOf(t, err); code != 4401 {
				t.Fatalf("closed with %d, want 4401", code)
			}
		})
	}
	t.Run("after logout", func(t *testing.T) {
		c := e.signIn(t, "qa@test.example")
		data(t, c, `mutation { logout }`, nil, nil)
		_, err := e.dialAs(c, nil)
		if code := closeCodeOf(t, err); code != 4401 {
			t.Fatalf("closed with %d, want 4401", code)
		}
	})
	// A good token, for contrast.
	if _, err := e.dialAs(e.admin, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDeactivationClosesOpenSubscription(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	id := e.userID(t, "a@test.example")
	s := e.open(t, e.schoolA)
	if got := s.start(t, "alerts", subAlerts, map[string]any{"s": e.w.SchoolA.ID}); got != nil {
		t.Fatalf("refused: %v", got)
	}
	var out struct{ DeactivateUser struct{ Active bool } }
	data(t, e.admin, `mutation($id: ID!) { deactivateUser(id: $id) { active } }`, map[string]any{"id": id}, &out)
	if out.DeactivateUser.Active {
		t.Fatal("still active")
	}
	code := s.closed(t)
	t.Logf("socket closed with %d", code)
	waitLiveSubscribers(t, 0)
	wantSignedOut(t, e.schoolA)
	wantCode(t, e.login(t, "a@test.example", testPassword), "UNAUTHENTICATED")
	// Nor can an admin deactivate themselves.
	r := do(t, e.admin, `mutation($id: ID!) { deactivateUser(id: $id) { active } }`, map[string]any{"id": e.userID(t, "admin@test.example")})
	wantCode(t, r, "CONFLICT")
}

func TestRoleChangeEndsSessions(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	id := e.userID(t, "p@test.example")
	s := e.open(t, e.provider) // a socket with no subscription closes too
	data(t, e.admin, `mutation($id: ID!) { changeUserRole(id: $id, role: QA_OFFICER) { role } }`, map[string]any{"id": id}, nil)
	s.closed(t)
	wantSignedOut(t, e.provider)
	c := e.signIn(t, "p@test.example")
	if _, role := wantSignedIn(t, c); role != "QA_OFFICER" {
		t.Fatalf("role after change: %s", role)
	}
	// Inconsistent tenancy is refused.
	r := do(t, e.admin, `mutation($id: ID!) { changeUserRole(id: $id, role: SCHOOL_STAFF) { role } }`, map[string]any{"id": id})
	wantCode(t, r, "BAD_USER_INPUT")
	wantSignedIn(t, c)
}

const (
	inviteOp = `mutation($in: InviteUserInput!) { inviteUser(input: $in) { user { id email active } invitationToken } }`
	acceptOp = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token user { email role } } }`
)

func (e *env) invite(t *testing.T, email string, role string, schoolID int) string {
	t.Helper()
	in := map[string]any{"email": email, "name": "Invited Person", "role": role}
	if schoolID != 0 {
		in["schoolID"] = schoolID
	}
	var out struct {
		InviteUser struct {
			User            struct{ Active bool }
			InvitationToken string
		}
	}
	data(t, e.admin, inviteOp, map[string]any{"in": in}, &out)
	if out.InviteUser.User.Active || out.InviteUser.InvitationToken == "" {
		t.Fatalf("invitation %+v", out)
	}
	return out.InviteUser.InvitationToken
}

func TestInvitationFlow(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	token := e.invite(t, "new@test.example", "SCHOOL_STAFF", e.w.SchoolA.ID)
	// Not yet usable.
	wantCode(t, e.login(t, "new@test.example", "a long enough password"), "UNAUTHENTICATED")

	r := do(t, e.anon, acceptOp, map[string]any{"t": token, "p": "elevenchars"})
	wantCode(t, r, "BAD_USER_INPUT")

	var accepted struct{ AcceptInvitation struct{ Token string } }
	data(t, e.anon, acceptOp, map[string]any{"t": token, "p": "twelve chars"}, &accepted)
	c := &gqlclient.Client{URL: e.anon.URL, Token: accepted.AcceptInvitation.Token}
	if email, role := wantSignedIn(t, c); email != "new@test.example" || role != "SCHOOL_STAFF" {
		t.Fatalf("me: %s %s", email, role)
	}
	tokenOf(t, e.login(t, "new@test.example", "twelve chars"))

	// Once only.
	wantCode(t, do(t, e.anon, acceptOp, map[string]any{"t": token, "p": "another good password"}), "NOT_FOUND")
	wantCode(t, do(t, e.anon, acceptOp, map[string]any{"t": "made-up", "p": "another good password"}), "NOT_FOUND")

	// Existing emails, in any case, and tenancy that does not fit the role.
	for _, in := range []map[string]any{
		{"email": "a@test.example", "name": "Dup", "role": "QA_OFFICER"},
		{"email": "A@Test.Example", "name": "Dup", "role": "QA_OFFICER"},
		{"email": " NEW@test.example ", "name": "Dup", "role": "QA_OFFICER"},
	} {
		wantCode(t, do(t, e.admin, inviteOp, map[string]any{"in": in}), "CONFLICT")
	}
	for _, in := range []map[string]any{
		{"email": "x@test.example", "name": "X", "role": "SCHOOL_STAFF"},
		{"email": "x@test.example", "name": "X", "role": "PROVIDER_STAFF"},
		{"email": "x@test.example", "name": "X", "role": "QA_OFFICER", "schoolID": e.w.SchoolA.ID},
	} {
		wantCode(t, do(t, e.admin, inviteOp, map[string]any{"in": in}), "BAD_USER_INPUT")
	}

	// Expired.
	late := e.invite(t, "late@test.example", "QA_OFFICER", 0)
	*e.clock = e.clock.Add(auth.InvitationTTL + time.Minute)
	wantCode(t, do(t, e.anon, acceptOp, map[string]any{"t": late, "p": "a long enough password"}), "NOT_FOUND")
	wantCode(t, e.login(t, "late@test.example", "a long enough password"), "UNAUTHENTICATED")
}

func TestEmailIsCaseInsensitive(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	var out struct {
		Login struct{ User struct{ Email string } }
	}
	if err := e.login(t, "  A@TEST.EXAMPLE ", testPassword).Decode(&out); err != nil || out.Login.User.Email != "a@test.example" {
		t.Fatalf("upper-case sign-in: %+v %v", out, err)
	}
	wantCode(t, do(t, e.admin, inviteOp, map[string]any{"in": map[string]any{
		"email": "Admin@Test.EXAMPLE", "name": "Dup", "role": "QA_OFFICER"}}), "CONFLICT")
	// Failures count against the account whatever the case.
	for range 5 {
		wantCode(t, e.login(t, "B@test.example", "not the password"), "UNAUTHENTICATED")
	}
	if msg := wantCode(t, e.login(t, "b@TEST.example", testPassword), "UNAUTHENTICATED"); !strings.Contains(msg, "too many") {
		t.Fatalf("mixed-case failures did not lock the account: %q", msg)
	}
}
