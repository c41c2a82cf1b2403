package server_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/apnet/apnet/internal/dbtest"
)

// Nobody can leave the partnership without an admin: not by demoting or
// deactivating themselves, nor the last other admin.
func TestAnAdminAlwaysRemains(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	self := e.userID(t, "admin@test.example")
	role := `mutation($id: ID!) { changeUserRole(id: $id, role: QA_OFFICER) { role } }`
	if msg := wantCode(t, do(t, e.admin, role, map[string]any{"id": self}), "CONFLICT"); !strings.Contains(msg, "your own role") {
		t.Fatalf("self-demotion: %q", msg)
	}
	// A second admin may not remove the only other one either, once that would leave none.
	var inv struct {
		InviteUser struct{ InvitationToken string }
	}
	data(t, e.admin, inviteOp, map[string]any{"in": map[string]any{"email": "second@test.example", "name": "Second", "role": "PARTNERSHIP_ADMIN"}}, &inv)
	var acc struct{ AcceptInvitation struct{ Token string } }
	data(t, e.anon, acceptOp, map[string]any{"t": inv.InviteUser.InvitationToken, "p": "a long enough password"}, &acc)
	second := *e.anon
	second.Token = acc.AcceptInvitation.Token
	data(t, &second, `mutation($id: ID!) { deactivateUser(id: $id) { active } }`, map[string]any{"id": self}, nil)
	first := e.userID(t, "second@test.example")
	if msg := wantCode(t, do(t, &second, `mutation($id: ID!) { deactivateUser(id: $id) { active } }`, map[string]any{"id": first}), "CONFLICT"); !strings.Contains(msg, "your own account") {
		t.Fatalf("self-deactivation: %q", msg)
	}
}

func TestInvitationsCheckTheirTarget(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	in := map[string]any{"email": "x@test.example", "name": "X", "role": "SCHOOL_STAFF", "schoolID": "99999999999"}
	wantCode(t, do(t, e.admin, inviteOp, map[string]any{"in": in}), "NOT_FOUND")
	in["schoolID"] = e.w.SchoolA.ID
	in["email"] = "not an address"
	wantCode(t, do(t, e.admin, inviteOp, map[string]any{"in": in}), "BAD_USER_INPUT")
	// The invited user's school resolves in the same response (no finished transaction behind it).
	in["email"] = "x@test.example"
	r := do(t, e.admin, `mutation($in: InviteUserInput!) { inviteUser(input: $in) { user { school { urn } } } }`, map[string]any{"in": in})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"urn":"100001"`) {
		t.Fatalf("invite response: %+v %s", r.Errors, r.Data)
	}
}

// A lost invitation or a returning member of staff: reinviteUser sends a new
// one, the old stops working, and accepting reactivates the account.
func TestReinviteReactivates(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	id := e.userID(t, "b@test.example")
	data(t, e.admin, `mutation($id: ID!) { deactivateUser(id: $id) { active } }`, map[string]any{"id": id}, nil)
	reinvite := `mutation($id: ID!) { reinviteUser(id: $id) { invitationToken user { active } } }`
	var first, second struct {
		ReinviteUser struct{ InvitationToken string }
	}
	data(t, e.admin, reinvite, map[string]any{"id": id}, &first)
	data(t, e.admin, reinvite, map[string]any{"id": id}, &second)
	wantCode(t, do(t, e.anon, acceptOp, map[string]any{"t": first.ReinviteUser.InvitationToken, "p": "a long enough password"}), "NOT_FOUND")
	var acc struct {
		AcceptInvitation struct{ User struct{ Email string } }
	}
	data(t, e.anon, acceptOp, map[string]any{"t": second.ReinviteUser.InvitationToken, "p": "a long enough password"}, &acc)
	if acc.AcceptInvitation.User.Email != "b@test.example" {
		t.Fatalf("accepted as %q", acc.AcceptInvitation.User.Email)
	}
	// An active account is not reinvited.
	wantCode(t, do(t, e.admin, reinvite, map[string]any{"id": id}), "CONFLICT")
}

// The README's first example: signing in shows the user's own school.
func TestLoginShowsTheUsersSchool(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	r := do(t, e.anon, `mutation { login(email: "a@test.example", password: "correct horse battery") { user { role school { urn } } } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"urn":"100001"`) {
		t.Fatalf("login: %+v %s", r.Errors, r.Data)
	}
}

// A malformed id or cursor is the caller's mistake: BAD_USER_INPUT, and
// whatever was typed there is neither echoed nor logged.
func TestMalformedIDsAreBadInputAndNotLogged(t *testing.T) {
	var logs bytes.Buffer
	logOutput = &logs
	t.Cleanup(func() { logOutput = io.Discard })
	e := newEnv(t, dbtest.SQLite(t))
	secret := "Mason Rowbotham DOB 2011-02-06 EHCP"
	for _, q := range []struct {
		doc  string
		vars map[string]any
	}{
		{`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": secret}},
		{`query($c: Cursor) { learners(after: $c) { totalCount } }`, map[string]any{"c": secret}},
	} {
		r := do(t, e.admin, q.doc, q.vars)
		msg := wantCode(t, r, "BAD_USER_INPUT")
		if strings.Contains(msg, "Mason") {
			t.Fatalf("error echoes the input: %q", msg)
		}
	}
	if strings.Contains(logs.String(), "Mason") {
		t.Fatalf("the log holds the input:\n%s", logs.String())
	}
}
