package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/ent/alert"
	"github.com/apnet/apnet/ent/attendancemark"
	"github.com/apnet/apnet/ent/provider"
	"github.com/apnet/apnet/ent/trainingbooking"
	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/server"
	"github.com/apnet/apnet/internal/testenv"
	"github.com/apnet/apnet/internal/training"
	"github.com/apnet/apnet/internal/viewer"
)

type world struct {
	client   *ent.Client
	w        *fixture.World
	api      string // the server itself, for the test's own API calls
	proxy    *proxy // what the browser talks to
	provider *gqlclient.Client
	shots    string
	// Past dates with fixture sessions: last week's Monday (AM) and Wednesday (PM).
	monday, wednesday string
}

// startServer runs apnet's HTTP surface in-process as `apnet serve` wires it,
// on an in-memory SQLite with the fixture world, behind a TCP proxy the test
// can cut.
func startServer(t *testing.T) *world {
	t.Helper()
	d := dbtest.SQLite(t)
	w := fixture.Build(t, d.Client)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := broker.NewInProcess()
	t.Cleanup(func() { b.Close() })
	hub := live.New(b, d.Client, log)
	authn := auth.New(d.Client, b, log, nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := authn.Run(ctx); err != nil {
		t.Fatal(err)
	}
	store, err := docstore.NewLocal(filepath.Join(t.TempDir(), "documents"), 0)
	if err != nil {
		t.Fatal(err)
	}
	// As `apnet migrate` does for a fresh database.
	if err := qa.EnsureDefaultChecklist(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
	res := &graph.Resolver{
		Client:     d.Client,
		Attendance: &attendance.Service{Client: d.Client, Publisher: hub, Log: log},
		Referral:   &referral.Service{Client: d.Client, Publisher: hub, Log: log},
		Documents:  &documents.Service{Client: d.Client, Store: store, Log: log},
		Training:   &training.Service{Client: d.Client},
		QA:         qa.NewService(d.Client, hub, log, nil),
		Live:       hub,
		Auth:       authn,
	}
	srv := server.New(res, log, server.Options{Auth: authn, Ready: d.Ping, KeepAlive: time.Second})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.CloseWebsockets()
		hs.Close()
	})
	for _, a := range []struct {
		email            string
		role             user.Role
		school, provider int
	}{
		{"school@test.example", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0},
		{"provider@test.example", user.RolePROVIDER_STAFF, 0, w.Provider.ID},
		{"admin@test.example", user.RolePARTNERSHIP_ADMIN, 0, 0},
		{"qa@test.example", user.RoleQA_OFFICER, 0, 0},
	} {
		fixture.Account(t, d.Client, a.email, a.role, a.school, a.provider)
	}
	wd := &world{client: d.Client, w: w, api: hs.URL,
		monday:    w.Monday.AddDate(0, 0, -7).Format(time.DateOnly),
		wednesday: w.Monday.AddDate(0, 0, -5).Format(time.DateOnly),
		shots:     screenshotDir(t),
	}
	wd.proxy = newProxy(t, strings.TrimPrefix(hs.URL, "http://"))
	wd.provider = signIn(t, hs.URL, "provider@test.example")
	return wd
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("APNET_TEST_SCREENSHOTS")
	if dir == "" {
		// The repository's test-output/ (gitignored), from internal/dashboard.
		dir = filepath.Join("..", "..", "test-output", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func signIn(t *testing.T, base, email string) *gqlclient.Client {
	t.Helper()
	c := &gqlclient.Client{URL: base + "/query"}
	var out struct{ Login struct{ Token string } }
	if err := c.MustData(context.Background(), `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
		map[string]any{"e": email, "p": fixture.Password}, &out); err != nil {
		t.Fatal(err)
	}
	c.Token = out.Login.Token
	return c
}

// record saves one mark as the provider, through the API, and returns the
// id of the alert it raised ("" for none).
func (wd *world) record(t *testing.T, placement int, date, session string, mark map[string]any) string {
	t.Helper()
	var out struct {
		RecordAttendance struct{ Alert *struct{ ID string } }
	}
	err := wd.provider.MustData(context.Background(), `mutation($p: ID!, $d: Date!, $s: AttendanceMarkSession!, $m: MarkInput!) {
	  recordAttendance(input: {placementID: $p, date: $d, session: $s, mark: $m}) { alert { id } } }`,
		map[string]any{"p": placement, "d": date, "s": session, "m": mark}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.RecordAttendance.Alert == nil {
		return ""
	}
	return out.RecordAttendance.Alert.ID
}

// proxy forwards TCP between the browser and the server until cut; while cut
// it drops every connection, as a lost network would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go p.serve()
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close(); c.Close() }()
		go func() { _, _ = io.Copy(c, up); up.Close(); c.Close() }()
	}
}

// Cut drops every open connection and refuses new ones until Restore.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) Restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// newBrowser starts headless Chromium with a fresh profile.
func newBrowser(t *testing.T, exec string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// The first context starts the browser; tabs are contexts made from it.
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", exec, err)
	}
	return bctx
}

// tab opens a new tab (its own sessionStorage, so its own sign-in), failing
// the test on any uncaught script error or CSP violation in the page.
func tab(t *testing.T, browser context.Context, width, height int64) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			mu.Lock()
			problems = append(problems, fmt.Sprintf("uncaught %s at %s:%d", e.ExceptionDetails.Text, e.ExceptionDetails.URL, e.ExceptionDetails.LineNumber))
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("page: %s", p)
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, timeout time.Duration, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	// Generous: under go test ./... the browser shares two cores with every other package.
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func (wd *world) screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(wd.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signInAs signs in through the form, from the keyboard.
func (wd *world) signInAs(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	run(t, ctx, 30*time.Second, "sign in as "+email,
		chromedp.Navigate(wd.proxy.URL()+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.Focus(chromedp.CSS(`#email`)),
		chromedp.KeyEvent(email),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(fixture.Password),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label=Main]`)),
	)
}

func liveStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "read live indicator", chromedp.AttributeValue(chromedp.CSS(`.live`), "data-status")).Value
}

func waitLive(t *testing.T, ctx context.Context, within time.Duration) {
	t.Helper()
	run(t, ctx, within, "live indicator says Live", chromedp.WaitVisible(chromedp.CSS(`.live[data-status=live]`)))
}

func TestDashboardInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)

	// One tab for the school's designated staff, kept open through the
	// alert, the other views and the reconnect.
	school := tab(t, browser, 1280, 900)
	run(t, school, 30*time.Second, "open sign-in", chromedp.Navigate(wd.proxy.URL()+"/"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	wd.screenshot(t, school, "01-sign-in")
	wd.signInAs(t, school, "school@test.example")
	waitLive(t, school, 20*time.Second)

	t.Run("alert appears live and is acknowledged with one click", func(t *testing.T) {
		p := wd.w.Placements[0]
		wd.record(t, p.ID, wd.monday, "AM", map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"})
		saved := time.Now()
		run(t, school, time.Second, "alert shown within a second", chromedp.WaitVisible(chromedp.CSS(`li.alert-item.unread`)))
		t.Logf("alert shown %v after the mark was saved", time.Since(saved).Round(time.Millisecond))
		unread := get(t, school, "unread count", chromedp.Text(chromedp.CSS(`[data-testid=unread-count]`)))
		text := get(t, school, "alert", chromedp.Text(chromedp.CSS(`li.alert-item.unread`)))
		if unread != "1" || !strings.Contains(text, "Unauthorised absence") || !strings.Contains(text, "O") {
			t.Errorf("unread %q, alert %q", unread, text)
		}
		wd.screenshot(t, school, "02-school-alerts")

		run(t, school, 30*time.Second, "acknowledge",
			chromedp.Click(chromedp.CSS(`li.alert-item.unread button`)),
			chromedp.WaitVisible(chromedp.CSS(`li.alert-item.acked`)))
		unread = get(t, school, "unread count", chromedp.Text(chromedp.CSS(`[data-testid=unread-count]`)))
		if unread != "0" {
			t.Errorf("unread after acknowledging: %q", unread)
		}
		n, err := wd.client.Alert.Query().Where(alert.AcknowledgedAtNotNil()).Count(viewer.SystemContext(context.Background()))
		if err != nil || n != 1 {
			t.Errorf("acknowledged alerts in the database: %d, %v", n, err)
		}
		wd.screenshot(t, school, "03-school-alert-acknowledged")
	})

	t.Run("today's placements show marks as they arrive", func(t *testing.T) {
		run(t, school, 30*time.Second, "open today's placements",
			chromedp.Navigate(wd.proxy.URL()+"/today?date="+wd.wednesday),
			chromedp.WaitVisible(chromedp.CSS(`tr[data-placement-id]`)))
		waitLive(t, school, 20*time.Second)
		time.Sleep(300 * time.Millisecond) // the protocol does not acknowledge a subscribe
		p := wd.w.Placements[1]
		wd.record(t, p.ID, wd.wednesday, "PM", map[string]any{"status": "PRESENT"})
		run(t, school, 3*time.Second, "mark shown live",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-placement-id="%d"] td[data-mark=B]`, p.ID))))
		wd.screenshot(t, school, "04-school-today")

		// Weeks enough for the axis to run edge to edge.
		for _, weeks := range []int{-3, -2} {
			wd.record(t, wd.w.Placements[0].ID, wd.w.Monday.AddDate(0, 0, 7*weeks).Format(time.DateOnly), "AM", map[string]any{"status": "PRESENT"})
		}
		run(t, school, 30*time.Second, "open the learner's chart",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-placement-id="%d"] a`, wd.w.Placements[0].ID))),
			chromedp.WaitVisible(chromedp.CSS(`figure.chart svg`)))
		wd.screenshot(t, school, "05-school-learner-chart")
		// At tablet width the code table's headers keep their words whole.
		run(t, school, 30*time.Second, "tablet width", chromedp.EmulateViewport(768, 1024))
		noMidWordBreaks(t, school, "learner page")
		run(t, school, 30*time.Second, "desktop width", chromedp.EmulateViewport(1280, 900))
		// Every week's label lies inside the chart, none over the next.
		if fit := get(t, school, "week labels fit", chromedp.Evaluate[string](`(() => {
			const svg = document.querySelector('figure.chart svg').getBoundingClientRect();
			const ls = [...document.querySelectorAll('figure.chart svg text.axis')].filter((t) => /^\d\d\/\d\d$/.test(t.textContent));
			if (ls.length === 0) return 'no week labels';
			const bs = ls.map((t) => t.getBoundingClientRect());
			for (let i = 0; i < bs.length; i++) {
				if (bs[i].left < svg.left || bs[i].right > svg.right) return ls[i].textContent + ' is clipped';
				if (i > 0 && bs[i].left < bs[i - 1].right) return ls[i].textContent + ' overlaps ' + ls[i - 1].textContent;
			}
			return '';
		})()`)); fit != "" {
			t.Error(fit)
		}

		run(t, school, 30*time.Second, "directory search",
			chromedp.Navigate(wd.proxy.URL()+"/directory"),
			chromedp.WaitVisible(chromedp.CSS(`ul.results`)),
			chromedp.SendKeys(chromedp.CSS(`#s-qual`), "hairdressing"),
			chromedp.KeyEvent(kb.Enter), // not chromedp.Submit: see TestQAFromApplicationToApprovalInChromium
			chromedp.WaitVisible(chromedp.CSS(`ul.results li h2 a`)))
		wd.screenshot(t, school, "06-school-directory")
		run(t, school, 30*time.Second, "provider page",
			chromedp.Click(chromedp.CSS(`ul.results li h2 a`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=qa-files]`)))
		wd.screenshot(t, school, "07-school-provider")
		run(t, school, 30*time.Second, "referrals",
			chromedp.Navigate(wd.proxy.URL()+"/referrals"),
			chromedp.WaitVisible(chromedp.CSS(`main .empty, main table`)))
		wd.screenshot(t, school, "08-school-referrals")
	})

	t.Run("provider submits a register from the keyboard", func(t *testing.T) {
		// Tablet width.
		prov := tab(t, browser, 768, 1024)
		wd.signInAs(t, prov, "provider@test.example")
		run(t, prov, 30*time.Second, "open the register",
			chromedp.Navigate(wd.proxy.URL()+"/register?date="+wd.wednesday),
			chromedp.WaitVisible(chromedp.CSS(`form.register tr[data-row]`)))
		rows := get(t, prov, "read rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll('form.register tr[data-row]')].map(r => r.dataset.row)`))
		if len(rows) != 3 {
			t.Fatalf("register rows %v, want the 3 placements", rows)
		}
		// Placement 1 was marked present above: the register shows it as marked.
		savedCode := get(t, prov, "already marked",
			chromedp.AttributeValue(chromedp.CSS(fmt.Sprintf(`tr[data-row="%d"] td[data-saved]`, wd.w.Placements[1].ID)), "data-saved")).Value
		if savedCode != "B" {
			t.Errorf("already-marked code %q, want B", savedCode)
		}
		wd.screenshot(t, prov, "09-provider-register")
		noMidWordBreaks(t, prov, "register")

		// Keys per placement: late 20 minutes, present, absent unauthorised.
		keys := map[string][]chromedp.Action[chromedp.Void]{
			fmt.Sprint(wd.w.Placements[0].ID): {chromedp.KeyEvent("l"), chromedp.Sleep(100 * time.Millisecond), chromedp.KeyEvent("20"), chromedp.KeyEvent(kb.Enter)},
			fmt.Sprint(wd.w.Placements[1].ID): {chromedp.KeyEvent("p")},
			fmt.Sprint(wd.w.Placements[2].ID): {chromedp.KeyEvent("a"), chromedp.Sleep(100 * time.Millisecond), chromedp.KeyEvent("u"), chromedp.KeyEvent(kb.Enter)},
		}
		// The page opens with the first unmarked learner focused; placement 1's
		// row is already marked, so start from the top if it is first.
		time.Sleep(200 * time.Millisecond)
		focusedRow := get(t, prov, "initial focus", chromedp.Evaluate[string](`document.activeElement.closest('tr[data-row]')?.dataset.row ?? ''`))
		start := 0
		for i, r := range rows {
			if r == focusedRow {
				start = i
			}
		}
		if focusedRow == "" {
			t.Fatal("no learner focused when the register opened")
		}
		if start > 0 {
			// Shift+Tab back to the first row, as a keyboard user would.
			for range start {
				run(t, prov, 30*time.Second, "shift-tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
			}
		}
		for _, r := range rows {
			run(t, prov, 30*time.Second, "mark row "+r, append(keys[r], chromedp.Sleep(100*time.Millisecond))...)
			t.Logf("after row %s focus is on %s", r, get(t, prov, "focus", chromedp.Evaluate[string](`(e => e.tagName + ' ' + (e.name || e.textContent) + ' in ' + (e.closest('tr[data-row]')?.dataset.row ?? '-'))(document.activeElement)`)))
		}
		focusedText := get(t, prov, "focus on save", chromedp.Evaluate[string](`document.activeElement.textContent`))
		if !strings.HasPrefix(focusedText, "Save register") {
			wd.screenshot(t, prov, "10-provider-register-marked")
			t.Fatalf("after the last learner focus is on %q, want the save button", focusedText)
		}
		wd.screenshot(t, prov, "10-provider-register-marked")
		run(t, prov, 30*time.Second, "save", chromedp.KeyEvent(kb.Enter))
		sctx, cancel := context.WithTimeout(prov, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.WaitVisible(chromedp.CSS(`form.register .result:not(:empty), form.register .error`))); err != nil {
			wd.screenshot(t, prov, "11-provider-register-saved")
			t.Fatalf("no result after saving: %v", err)
		}
		result := get(t, prov, "result", chromedp.Text(chromedp.CSS(`form.register .result`)))
		if !strings.Contains(result, "2 new") || !strings.Contains(result, "1 unchanged") {
			t.Errorf("result %q", result)
		}
		ctx := viewer.SystemContext(context.Background())
		marks, err := wd.client.AttendanceMark.Query().Where(attendancemark.SessionEQ(attendancemark.SessionPM)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		for _, m := range marks {
			got[m.PlacementID] = fmt.Sprintf("%s/%d/%s", m.Status, m.MinutesLate, m.Code)
		}
		want := map[int]string{
			wd.w.Placements[0].ID: "LATE/20/B",
			wd.w.Placements[1].ID: "PRESENT/0/B",
			wd.w.Placements[2].ID: "ABSENT/0/O",
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("placement %d: mark %q, want %q", id, got[id], w)
			}
		}
		wd.screenshot(t, prov, "11-provider-register-saved")
		run(t, prov, 30*time.Second, "progress view",
			chromedp.Navigate(wd.proxy.URL()+"/progress"),
			chromedp.WaitVisible(chromedp.CSS(`ul.progress-list`)))
		wd.screenshot(t, prov, "12-provider-progress")
	})

	t.Run("an alert raised while disconnected is shown after reconnecting", func(t *testing.T) {
		run(t, school, 30*time.Second, "open alerts", chromedp.Navigate(wd.proxy.URL()+"/"), chromedp.WaitVisible(chromedp.CSS(`li.alert-item`)))
		waitLive(t, school, 20*time.Second)

		wd.proxy.Cut()
		defer wd.proxy.Restore()
		// The indicator must leave Live.
		deadline := time.Now().Add(5 * time.Second)
		for liveStatus(t, school) == "live" {
			if time.Now().After(deadline) {
				t.Fatal("indicator still says Live 5 s after the connection was cut")
			}
			time.Sleep(20 * time.Millisecond)
		}
		label := get(t, school, "indicator text", chromedp.Text(chromedp.CSS(`.live`)))
		if l := strings.TrimSpace(label); l != "Offline" && l != "Reconnecting…" {
			t.Errorf("indicator says %q while the connection is cut", l)
		}
		wd.screenshot(t, school, "13-school-offline")

		p := wd.w.Placements[1]
		id := wd.record(t, p.ID, wd.monday, "AM", map[string]any{"status": "ABSENT", "absenceReason": "NO_REASON_YET"})
		// Meanwhile a colleague acknowledges the late arrival the register raised.
		colleague := signIn(t, wd.api, "school@test.example")
		var late struct {
			Alerts struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		if err := colleague.MustData(context.Background(), `{ alerts(where: {kind: LATE_ARRIVAL}) { edges { node { id } } } }`, nil, &late); err != nil || len(late.Alerts.Edges) != 1 {
			t.Fatalf("late arrival alert: %v %+v", err, late)
		}
		lateID := late.Alerts.Edges[0].Node.ID
		if err := colleague.MustData(context.Background(), `mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, map[string]any{"id": lateID}, nil); err != nil {
			t.Fatal(err)
		}
		if id == "" {
			t.Fatal("the absence raised no alert")
		}
		missed := fmt.Sprintf(`li.alert-item[data-alert-id="%s"]`, id)
		time.Sleep(1500 * time.Millisecond)
		if shown := get(t, school, "alert while away", chromedp.Evaluate[bool](`document.querySelector('`+missed+`') !== null`)); shown {
			t.Fatal("the alert is shown while the connection is cut")
		}
		if s := liveStatus(t, school); s == "live" {
			t.Fatalf("indicator says Live while the connection is cut")
		}

		wd.proxy.Restore()
		restored := time.Now()
		waitLive(t, school, 15*time.Second)
		run(t, school, 30*time.Second, "missed alert shown", chromedp.WaitVisible(chromedp.CSS(missed)))
		t.Logf("indicator said %q while cut; live again and the missed alert shown %v after restoring", strings.TrimSpace(label), time.Since(restored).Round(time.Millisecond))
		text := get(t, school, "read alert", chromedp.Text(chromedp.CSS(missed)))
		if !strings.Contains(text, "Unexplained absence") {
			t.Errorf("missed alert %q", text)
		}
		run(t, school, 30*time.Second, "colleague's acknowledgement shown after reconnecting",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`li.alert-item.acked[data-alert-id="%s"]`, lateID))))
		wd.screenshot(t, school, "14-school-alert-after-reconnect")
	})

	t.Run("partnership views", func(t *testing.T) {
		admin := tab(t, browser, 1280, 900)
		wd.signInAs(t, admin, "admin@test.example")
		for _, v := range []struct{ path, wait, name string }{
			{"/", `main .empty, main .queue`, "15-partnership-queue"},
			{"/providers", `main table`, "16-partnership-providers"},
			{"/audit", `main table tbody tr`, "17-partnership-audit"},
			{"/qa", `#wl-due`, "18-partnership-qa"},
			{"/applications", `main .empty, main .queue`, "19-partnership-applications"},
			{"/training", `main .empty, main .queue`, "20-partnership-training"},
			{"/resources", `main .empty, main .doc-group`, "21-partnership-resources"},
		} {
			run(t, admin, 30*time.Second, v.name, chromedp.Navigate(wd.proxy.URL()+v.path), chromedp.WaitVisible(chromedp.CSS(v.wait)))
			wd.screenshot(t, admin, v.name)
		}
	})
}

// A small but real PDF: what the docstore's type check accepts as a report.
const reportPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// setSelect chooses a value in a select as a person would, firing change.
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(s => { if (!s) return false; s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value === %q })(document.querySelector(%q))`, value, value, sel)))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("select %s has no option %s", sel, value)
		}
		return nil
	})
}

// The QA officer runs a provider from application to approval in the
// browser; then school staff find it in the directory and download its
// compliance visit report.
func TestQAFromApplicationToApprovalInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	ctx := context.Background()

	// The fixture world has no application: one arrives as a provider would send it, with no account.
	anon := &gqlclient.Client{URL: wd.api + "/query"}
	in := map[string]any{"kind": "PROVIDER", "organisationName": "Forest Skills CIC", "ukprn": "10012345",
		"settingType": "OTH", "contactName": "Sam Ray", "email": "sam@forest.example", "postcode": "NG7 2QQ",
		"description": "Hairdressing in a working salon", "courses": []any{map[string]any{"qualificationNumber": "603/2476/0",
			"sessions": []any{map[string]any{"weekday": "TUESDAY", "start": "09:00", "end": "12:00"}},
			"places":   6, "deliveryPostcode": "NG7 2QQ"}}}
	if err := anon.MustData(ctx, `mutation($in: SubmitApplicationInput!) { submitApplication(input: $in) { reference } }`, map[string]any{"in": in}, nil); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "compliance-visit.pdf")
	if err := os.WriteFile(pdf, []byte(reportPDF), 0o644); err != nil {
		t.Fatal(err)
	}

	// The QA officer works at tablet width.
	officer := tab(t, browser, 768, 1024)
	wd.signInAs(t, officer, "qa@test.example")
	run(t, officer, 30*time.Second, "worklist",
		chromedp.Navigate(wd.proxy.URL()+"/qa"),
		chromedp.WaitVisible(chromedp.CSS(`#wl-apps`)))
	worklist := get(t, officer, "worklist text", chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(worklist, "Forest Skills CIC") {
		t.Errorf("the worklist does not list the application: %q", worklist)
	}
	wd.screenshot(t, officer, "22-qa-worklist")

	run(t, officer, 30*time.Second, "accept the application",
		chromedp.Navigate(wd.proxy.URL()+"/applications"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-application-id] .actions button`)),
		chromedp.Focus(chromedp.CSS(`li[data-application-id] .actions button`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`a.accepted-link`)),
		// The Accept button went with the application: the keyboard is at the result.
		chromedp.Poll[chromedp.Void](`document.activeElement === document.querySelector('p.result[role=status]')`))
	wd.screenshot(t, officer, "23-qa-application-accepted")
	run(t, officer, 30*time.Second, "open the QA page",
		chromedp.Click(chromedp.CSS(`a.accepted-link`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=approval]`)))

	result := func(what, want string) {
		t.Helper()
		run(t, officer, 30*time.Second, what, chromedp.WaitVisible(chromedp.CSS(`[data-testid=qa-result]:not(:empty), form .error`)))
		got := get(t, officer, what, chromedp.Text(chromedp.CSS(`main`)))
		if r := get(t, officer, what, chromedp.Text(chromedp.CSS(`[data-testid=qa-result]`))); !strings.Contains(r, want) {
			wd.screenshot(t, officer, "qa-failed")
			t.Fatalf("%s: result %q, want %q; page %q", what, r, want, got)
		}
	}

	// Approving before any visit is refused; the server's reason shows next to the form.
	run(t, officer, 30*time.Second, "approve too early",
		chromedp.Click(chromedp.CSS(`button[data-panel=decision]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=decision]`)),
		setSelect(`#dec-kind`, "APPROVE"),
		chromedp.Click(chromedp.CSS(`form[data-form=decision] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=decision] .error[data-code=CONFLICT]`)))
	if msg := get(t, officer, "refusal", chromedp.Text(chromedp.CSS(`form[data-form=decision] .error`))); !strings.Contains(msg, "compliance") {
		t.Errorf("refusal says %q, want the missing compliance visit named", msg)
	}

	// A compliance visit with every item met, and its report.
	run(t, officer, 30*time.Second, "compliance visit form",
		chromedp.Click(chromedp.CSS(`button[data-panel=compliance]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=compliance]`)))
	n := get(t, officer, "answer every item met", chromedp.Evaluate[int](`(() => { const rs = [...document.querySelectorAll('form[data-form=compliance] input[type=radio][value=MET]')]; rs.forEach(r => r.click()); return rs.length })()`))
	if n == 0 {
		t.Fatal("the compliance form has no items")
	}
	run(t, officer, 30*time.Second, "record the compliance visit",
		chromedp.SendKeys(chromedp.CSS(`#cv-summary`), "Every standard met on the day."),
		chromedp.SetUploadFiles(chromedp.CSS(`#cv-file`), []string{pdf}),
		chromedp.Sleep(200*time.Millisecond))
	wd.screenshot(t, officer, "24-qa-compliance-visit")
	run(t, officer, 30*time.Second, "submit the compliance visit",
		chromedp.Click(chromedp.CSS(`form[data-form=compliance] button[type=submit]`)))
	result("compliance visit", "Compliant")

	// An evaluation visit: teaching and learning good.
	run(t, officer, 30*time.Second, "evaluation visit form",
		chromedp.Click(chromedp.CSS(`button[data-panel=evaluation]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=evaluation]`)),
		setSelect(`#ev-teachingAndLearning`, "GOOD"),
		setSelect(`#ev-behaviourAndAttitudes`, "GOOD"),
		setSelect(`#ev-personalDevelopment`, "OUTSTANDING"),
		setSelect(`#ev-leadershipAndManagement`, "GOOD"),
		setSelect(`#ev-overallGrade`, "GOOD"),
		chromedp.SendKeys(chromedp.CSS(`#ev-report`), "Well planned sessions; learners engaged."),
		chromedp.Click(chromedp.CSS(`form[data-form=evaluation] button[type=submit]`)))
	result("evaluation visit", "Evaluation visit recorded")

	// The QA Management Group approves.
	run(t, officer, 30*time.Second, "decision form",
		chromedp.Click(chromedp.CSS(`button[data-panel=decision]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=decision]`)),
		setSelect(`#dec-kind`, "APPROVE"),
		chromedp.Click(chromedp.CSS(`form[data-form=decision] button[type=submit]`)))
	result("approve", "Approve")
	run(t, officer, 30*time.Second, "decision history", chromedp.WaitVisible(chromedp.CSS(`[data-testid=decisions] tr[data-kind=APPROVE]`)))
	wd.screenshot(t, officer, "25-qa-provider-approved")

	sys := viewer.SystemContext(ctx)
	p, err := wd.client.Provider.Query().Where(provider.NameEQ("Forest Skills CIC")).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	if p.ApprovalStatus != provider.ApprovalStatusAPPROVED || p.ApprovedUntil == nil {
		t.Fatalf("provider after approval: %s until %v", p.ApprovalStatus, p.ApprovedUntil)
	}

	// School staff find it in the directory and download the report.
	school := tab(t, browser, 768, 1024)
	wd.signInAs(t, school, "school@test.example")
	run(t, school, 30*time.Second, "directory search",
		chromedp.Navigate(wd.proxy.URL()+"/directory"),
		chromedp.WaitVisible(chromedp.CSS(`ul.results`)),
		chromedp.SendKeys(chromedp.CSS(`#s-qual`), "hairdressing"),
		// Enter, as a person would: chromedp.Submit calls form.submit(),
		// which skips the page's handler and reloads the page.
		chromedp.KeyEvent(kb.Enter))
	// The page lists providers before the search answers: wait for the one
	// searched for rather than for any result.
	const forest = `[...document.querySelectorAll('ul.results li h2 a')].find(a => a.textContent.includes('Forest Skills CIC'))`
	run(t, school, 30*time.Second, "the approved provider in the school's directory search",
		chromedp.Poll[chromedp.Void](`!!`+forest),
		chromedp.Evaluate[chromedp.Void](forest+`.click()`))
	run(t, school, 30*time.Second, "QA files", chromedp.WaitVisible(chromedp.CSS(`[data-testid=qa-files] .download button`)))
	files := get(t, school, "QA files text", chromedp.Text(chromedp.CSS(`[data-testid=qa-files]`)))
	for _, want := range []string{"Compliant", "Teaching and learning", "Good", "compliance-visit.pdf"} {
		if !strings.Contains(files, want) {
			t.Errorf("QA files %q lack %q", files, want)
		}
	}
	wd.screenshot(t, school, "26-school-provider-qa-files")

	downloads := t.TempDir()
	run(t, school, 30*time.Second, "download the report",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}),
		chromedp.Click(chromedp.CSS(`[data-testid=qa-files] .download button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=qa-files] .download[data-state=done]`)))
	if b := get(t, school, "bytes fetched", chromedp.AttributeValue(chromedp.CSS(`[data-testid=qa-files] .download`), "data-bytes")).Value; b != fmt.Sprint(len(reportPDF)) {
		t.Errorf("fetched %s bytes, want %d", b, len(reportPDF))
	}
	saved := filepath.Join(downloads, "compliance-visit.pdf")
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := os.ReadFile(saved)
		if err == nil && string(got) == reportPDF {
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("saved file: %v (%d bytes); the downloads directory holds %v", err, len(got), entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	wd.screenshot(t, school, "27-school-report-downloaded")
}

// Provider staff book a colleague onto a training event and cancel; the
// partnership sees the booking.
func TestTrainingInChromium(t *testing.T) {
	exec := testenv.BrowserPath(t)
	wd := startServer(t)
	browser := newBrowser(t, exec)
	ctx := context.Background()
	admin := signIn(t, wd.api, "admin@test.example")
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Hour)
	if err := admin.MustData(ctx, `mutation($in: CreateTrainingEventInput!) { createTrainingEvent(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"title": "Safeguarding update", "topic": "safeguarding", "location": "Partnership office",
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339), "capacity": 2}}, nil); err != nil {
		t.Fatal(err)
	}

	prov := tab(t, browser, 768, 1024)
	wd.signInAs(t, prov, "provider@test.example")
	run(t, prov, 30*time.Second, "book a colleague",
		chromedp.Navigate(wd.proxy.URL()+"/training"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] [data-testid=places-left]`)),
		chromedp.Click(chromedp.CSS(`li[data-event-id] button[aria-expanded]`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] form input[type=email]`)),
		chromedp.SendKeys(chromedp.CSS(`li[data-event-id] form input:not([type=email])`), "Alex Colleague"),
		chromedp.SendKeys(chromedp.CSS(`li[data-event-id] form input[type=email]`), "alex@provider.example"),
		chromedp.Click(chromedp.CSS(`li[data-event-id] form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody tr`)))
	if left := get(t, prov, "places left", chromedp.Text(chromedp.CSS(`[data-testid=places-left]`))); left != "1 of 2 places left" {
		t.Errorf("after booking: %q", left)
	}

	// A very long unbroken name scrolls within its table instead of widening
	// the page, and no heading or name breaks mid-word at tablet width.
	long := wd.client.TrainingBooking.Create().SetEventID(wd.client.TrainingEvent.Query().OnlyIDX(viewer.SystemContext(ctx))).
		SetProviderID(wd.w.Provider.ID).SetAttendeeName(strings.Repeat("x", 400)).SetAttendeeEmail("long@provider.example").
		SetBookedBy("system").SaveX(viewer.SystemContext(ctx))
	run(t, prov, 30*time.Second, "long name",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody tr:nth-child(2)`)))
	if w := get(t, prov, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 768 {
		t.Errorf("a 400-character name widens the page to %dpx", w)
	}
	if !get(t, prov, "table scrolls", chromedp.Evaluate[bool](`(() => { const w = document.querySelector('li[data-event-id] .table-wrap'); return w.scrollWidth > w.clientWidth })()`)) {
		t.Error("the long name's table does not scroll within its box")
	}
	noMidWordBreaks(t, prov, "training")
	// Cancelled, it has no buttons to get in the way of what follows.
	if err := wd.provider.MustData(ctx, `mutation($id: ID!) { cancelTrainingBooking(id: $id) { id } }`, map[string]any{"id": long.ID}, nil); err != nil {
		t.Fatal(err)
	}
	run(t, prov, 30*time.Second, "long name cancelled", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody tr`)))
	wd.screenshot(t, prov, "28-provider-training-booked")

	// Cancelled meanwhile elsewhere: cancelling again says so, naming the
	// event in words, with no database id and no attendee's name.
	sys := viewer.SystemContext(ctx)
	booked := wd.client.TrainingBooking.Query().Where(trainingbooking.IDNEQ(long.ID)).OnlyX(sys)
	if err := wd.provider.MustData(ctx, `mutation($id: ID!) { cancelTrainingBooking(id: $id) { id } }`, map[string]any{"id": booked.ID}, nil); err != nil {
		t.Fatal(err)
	}
	run(t, prov, 30*time.Second, "cancel the booking already cancelled",
		chromedp.Click(chromedp.CSS(`li[data-event-id] table tbody tr button`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] p.error[data-code=CONFLICT]`)))
	msg := get(t, prov, "error", chromedp.Text(chromedp.CSS(`li[data-event-id] p.error`)))
	if !strings.Contains(msg, `booking for "Safeguarding update" was already cancelled`) || strings.Contains(msg, fmt.Sprint(booked.ID)) || strings.Contains(msg, "Alex") {
		t.Errorf("cancelling a cancelled booking says %q", msg)
	}
	if err := wd.provider.MustData(ctx, `mutation($e: ID!) { bookTraining(eventID: $e, attendeeName: "Alex Colleague", attendeeEmail: "alex@provider.example") { id } }`,
		map[string]any{"e": booked.QueryEvent().OnlyIDX(sys)}, nil); err != nil {
		t.Fatal(err)
	}

	partnership := tab(t, browser, 1280, 900)
	wd.signInAs(t, partnership, "admin@test.example")
	run(t, partnership, 30*time.Second, "partnership sees the booking",
		chromedp.Navigate(wd.proxy.URL()+"/training"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody tr`)))
	if row := get(t, partnership, "booking", chromedp.Text(chromedp.CSS(`li[data-event-id] table tbody tr`))); !strings.Contains(row, "Alex Colleague") || !strings.Contains(row, "Test Provider") {
		t.Errorf("partnership's booking row %q", row)
	}
	wd.screenshot(t, partnership, "29-partnership-training")

	// An event that has started: the partnership records who came.
	begun := wd.client.TrainingEvent.Create().SetTitle("Data system refresher").SetStartsAt(time.Now().Add(-3 * time.Hour)).
		SetEndsAt(time.Now().Add(-time.Hour)).SetCapacity(5).SetCreatedBy("system").SaveX(sys)
	booking := wd.client.TrainingBooking.Create().SetEvent(begun).SetProviderID(wd.w.Provider.ID).SetAttendeeName("Jo Attendee").
		SetAttendeeEmail("jo@provider.example").SetBookedBy("system").SaveX(sys)
	row := fmt.Sprintf(`li[data-event-id="%d"] table tbody tr`, begun.ID)
	run(t, partnership, 30*time.Second, "record attendance",
		chromedp.Navigate(wd.proxy.URL()+"/training"),
		chromedp.WaitVisible(chromedp.CSS(`#tr-when`)),
		setSelect(`#tr-when`, "past"),
		chromedp.WaitVisible(chromedp.CSS(row+` button`)),
		chromedp.Click(chromedp.CSS(row+` button`)),
		chromedp.WaitVisible(chromedp.CSS(row+` button:disabled`)))
	// The buttons are disabled while the request is in flight too, so the
	// saved value is awaited, not assumed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b := wd.client.TrainingBooking.GetX(sys, booking.ID)
		if b.Attended != nil && *b.Attended {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attendance 5s after clicking Attended: %v", b.Attended)
		}
	}
	wd.screenshot(t, partnership, "30-partnership-training-attendance")

	// The partnership adds to the resources library; everyone sees it grouped by category.
	guide := filepath.Join(t.TempDir(), "guide.txt")
	if err := os.WriteFile(guide, []byte("How to record attendance in apnet.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, partnership, 30*time.Second, "upload a resource",
		chromedp.Navigate(wd.proxy.URL()+"/resources"),
		chromedp.WaitVisible(chromedp.CSS(`main .empty`)),
		chromedp.Click(chromedp.CSS(`main button[aria-expanded]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[data-form=res-up]`)),
		chromedp.SendKeys(chromedp.CSS(`#res-up-title`), "Recording attendance"),
		setSelect(`#res-up-cat`, "DATA_SYSTEM_GUIDE"),
		chromedp.SetUploadFiles(chromedp.CSS(`#res-up-file`), []string{guide}),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Click(chromedp.CSS(`form[data-form=res-up] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#res-DATA_SYSTEM_GUIDE`)))
	wd.screenshot(t, partnership, "31-partnership-resources")
	run(t, prov, 30*time.Second, "provider sees the resource",
		chromedp.Navigate(wd.proxy.URL()+"/resources"),
		chromedp.WaitVisible(chromedp.CSS(`#res-DATA_SYSTEM_GUIDE`)))

	run(t, prov, 30*time.Second, "cancel the booking",
		chromedp.Navigate(wd.proxy.URL()+"/training"),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody tr button`)),
		chromedp.Click(chromedp.CSS(`li[data-event-id] table tbody tr button`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-event-id] table tbody:not(:has(button))`)))
	if left := get(t, prov, "places left", chromedp.Text(chromedp.CSS(`[data-testid=places-left]`))); left != "2 of 2 places left" {
		t.Errorf("after cancelling: %q", left)
	}
}

// noMidWordBreaks fails the test when a table header or row name of the page
// wraps inside a word: a word's text is laid out on one line.
func noMidWordBreaks(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	broken := get(t, ctx, what+" words", chromedp.Evaluate[[]string](`(() => {
		const out = [];
		for (const th of document.querySelectorAll('main table th')) {
			const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
			for (let n; (n = walk.nextNode()); ) {
				for (const m of n.data.matchAll(/\S+/g)) {
					if (m[0].length > 40) continue; // a very long word may wrap
					const r = document.createRange();
					r.setStart(n, m.index);
					r.setEnd(n, m.index + m[0].length);
					const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
					if (tops.size > 1) out.push(m[0]);
				}
			}
		}
		return out;
	})()`))
	if len(broken) > 0 {
		t.Errorf("%s: words broken across lines: %q", what, broken)
	}
}
