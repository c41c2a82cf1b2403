package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/server"
	"github.com/apnet/apnet/internal/viewer"
)

// nestedLearners returns a query whose fields nest depth levels deep
// (learners → edges → node → school → learners …), ending in a scalar.
func nestedLearners(depth int) string {
	// first: 1 keeps the complexity (page size × items) far under its limit, so depth alone decides.
	cycle := []string{"learners(first: 1)", "edges", "node", "school"}
	var b strings.Builder
	b.WriteString("{ ")
	open := 0
	for i := 0; i < depth-1; i++ {
		b.WriteString(cycle[i%len(cycle)] + " { ")
		open++
	}
	// The innermost field is a scalar of the type the last field opened.
	switch cycle[(depth-2)%len(cycle)] {
	case "learners(first: 1)":
		b.WriteString("totalCount ")
	case "edges":
		b.WriteString("cursor ")
	default:
		b.WriteString("id ")
	}
	b.WriteString(strings.Repeat("} ", open))
	b.WriteString("}")
	return b.String()
}

func TestDepthLimitOverTheWire(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	// At the limit (15): runs.
	at := do(t, e.admin, nestedLearners(15), nil)
	if len(at.Errors) != 0 {
		t.Fatalf("depth 15: %+v", at.Errors)
	}
	for _, depth := range []int{16, 40} {
		r := do(t, e.admin, nestedLearners(depth), nil)
		if msg := wantCode(t, r, "BAD_USER_INPUT"); !strings.Contains(msg, fmt.Sprintf("nested %d levels deep; the limit is 15", depth)) {
			t.Fatalf("depth %d: %q", depth, msg)
		}
		if d := string(r.Data); d != "" && d != "null" {
			t.Fatalf("depth %d returned data %s", depth, d)
		}
	}
}

// postRaw posts body to /query as c and returns the status and decoded response (if JSON).
func postRaw(t *testing.T, e *env, c *gqlclient.Client, body []byte) (int, gqlclient.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/query", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlclient.Response
	_ = json.Unmarshal(raw, &r)
	return resp.StatusCode, r, string(raw)
}

func TestRequestBodyLimit(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	// A query padded with a comment to the given body size.
	body := func(size int) []byte {
		const q = "\n{ me { email } }"
		pad := size - len(`{"query":"#`) - len(q) - len(`"}`) - 1 // the newline escapes to \n: one byte more
		b, _ := json.Marshal(map[string]string{"query": "#" + strings.Repeat("x", pad) + q})
		if len(b) != size {
			t.Fatalf("body of %d bytes, want %d", len(b), size)
		}
		return b
	}
	status, r, _ := postRaw(t, e, e.admin, body(1<<20))
	if status != http.StatusOK || len(r.Errors) != 0 || !strings.Contains(string(r.Data), "admin@test.example") {
		t.Fatalf("1 MiB body: %d %+v %s", status, r.Errors, r.Data)
	}
	status, r, raw := postRaw(t, e, e.admin, body(1<<20+1))
	if status == http.StatusOK && (len(r.Errors) == 0 || (len(r.Data) != 0 && string(r.Data) != "null")) {
		t.Fatalf("1 MiB + 1 body accepted: %d %.200s", status, raw)
	}
	if strings.Contains(raw, "admin@test.example") {
		t.Fatalf("1 MiB + 1 body executed: %.200s", raw)
	}
	t.Logf("over the limit: %d %.200s", status, raw)
}

func TestProductionHardening(t *testing.T) {
	const introspect = `{ __schema { types { name } } }`
	get := func(t *testing.T, url string) int {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("development defaults", func(t *testing.T) {
		e := newEnv(t, dbtest.SQLite(t))
		if r := do(t, e.admin, introspect, nil); len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"Learner"`) {
			t.Fatalf("introspection: %+v %.100s", r.Errors, r.Data)
		}
		if code := get(t, e.http.URL+"/graphiql"); code != http.StatusOK {
			t.Fatalf("/graphiql: %d", code)
		}
	})

	t.Run("disabled", func(t *testing.T) {
		e := newEnv(t, dbtest.SQLite(t), func(o *server.Options) {
			o.DisableIntrospection = true
			o.DisableGraphiQL = true
		})
		for _, c := range []*gqlclient.Client{e.admin, e.anon} {
			r := do(t, c, introspect, nil)
			if len(r.Errors) == 0 || strings.Contains(string(r.Data), `"Learner"`) {
				t.Fatalf("introspection with DisableIntrospection: %+v %s", r.Errors, r.Data)
			}
		}
		if r := do(t, e.admin, `{ __type(name: "Learner") { fields { name } } }`, nil); len(r.Errors) == 0 {
			t.Fatalf("__type with DisableIntrospection: %s", r.Data)
		}
		if code := get(t, e.http.URL+"/graphiql"); code != http.StatusNotFound {
			t.Fatalf("/graphiql with DisableGraphiQL: %d", code)
		}
		// Ordinary queries still work.
		if email, _ := wantSignedIn(t, e.admin); email != "admin@test.example" {
			t.Fatal(email)
		}
	})
}

func TestWebsocketOrigin(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), func(o *server.Options) {
		o.AllowedOrigins = []string{"https://apnet.example"}
	})
	dial := func(origin string) (int, error) {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		d := websocket.Dialer{Subprotocols: []string{gqlclient.TransportWS}}
		c, resp, err := d.Dial(e.ws, h)
		if c != nil {
			c.Close()
		}
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	for _, origin := range []string{"https://evil.example", "null", "http://127.0.0.1.evil.example"} {
		if code, err := dial(origin); code != http.StatusForbidden || err == nil {
			t.Errorf("Origin %s: %d %v, want 403", origin, code, err)
		}
	}
	for _, origin := range []string{"", e.http.URL, "https://apnet.example"} {
		if code, err := dial(origin); code != http.StatusSwitchingProtocols || err != nil {
			t.Errorf("Origin %q: %d %v, want 101", origin, code, err)
		}
	}
}

// Refusals by an entity policy say FORBIDDEN without the policy's internals.
func TestPolicyRefusalIsForbiddenNotInternal(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	r := do(t, e.schoolA, `mutation($u: String!, $s: ID!) { createLearner(input: {upn: $u, firstName: "X", lastName: "Y", dateOfBirth: "2011-01-01", yearGroup: 10, schoolID: $s}) { id } }`,
		map[string]any{"u": upn(t, 8301), "s": e.w.SchoolB.ID})
	msg := strings.ToLower(wantCode(t, r, "FORBIDDEN"))
	for _, leak := range []string{"privacy", "rule", "ent:", "school b", ".go"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("message %q leaks %q", msg, leak)
		}
	}
}

// Lists are paged whether or not the caller asks: 50 by default, at most 100,
// and nested lists count page size × items against the complexity limit.
func TestListsArePaged(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	sys := viewer.SystemContext(context.Background())
	for i := range 60 {
		e.db.School.Create().SetUrn(fmt.Sprintf("2%05d", i)).SetName(fmt.Sprintf("Paging %02d", i)).SetPostcode("NG7 2QQ").ExecX(sys)
	}
	var out struct {
		Schools struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
			PageInfo   struct{ HasNextPage bool }
		}
	}
	if err := e.admin.MustData(context.Background(), `{ schools { totalCount edges { node { id } } pageInfo { hasNextPage } } }`, nil, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Schools.Edges) != 50 || !out.Schools.PageInfo.HasNextPage || out.Schools.TotalCount != 62 {
		t.Fatalf("unpaged list gave %d of %d rows (next page %v), want the default page of 50",
			len(out.Schools.Edges), out.Schools.TotalCount, out.Schools.PageInfo.HasNextPage)
	}
	if msg := wantCode(t, do(t, e.admin, `{ schools(first: 101) { totalCount } }`, nil), "BAD_USER_INPUT"); !strings.Contains(msg, "at most 100") {
		t.Fatalf("first: 101: %q", msg)
	}
	if msg := wantCode(t, do(t, e.admin, `{ schools(last: 500) { totalCount } }`, nil), "BAD_USER_INPUT"); !strings.Contains(msg, "at most 100") {
		t.Fatalf("last: 500: %q", msg)
	}
	// A list of lists of lists: a million rows' worth is refused before it runs.
	deep := `{ learners(first: 100) { edges { node { placements(first: 100) { edges { node { marks(first: 100) { edges { node { id code } } } } } } } } } }`
	if msg := wantCode(t, do(t, e.admin, deep, nil), "BAD_USER_INPUT"); !strings.Contains(msg, "complexity") {
		t.Fatalf("nested lists: %q", msg)
	}
}

// /metrics is not for unauthenticated callers: with a metrics token set, a
// scrape must carry it (loopback clients are let in only when none is set).
func TestMetricsNeedTheToken(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), func(o *server.Options) { o.MetricsToken = "scrape-secret" })
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(""); got != http.StatusUnauthorized {
		t.Fatalf("no token: %d", got)
	}
	if got := get("wrong"); got != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", got)
	}
	if got := get("scrape-secret"); got != http.StatusOK {
		t.Fatalf("right token: %d", got)
	}
}
