package main_test

// End-to-end tests of the apnet binary: real processes sharing one PostgreSQL
// schema and one Redis, talked to over HTTP and websockets exactly as a
// provider's register app and a school's safeguarding dashboard would.
//
// They need APNET_TEST_DATABASE_URL and APNET_TEST_REDIS_URL (see
// internal/testenv); without them they skip, except under CI where they fail.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apnet/apnet/ent/user"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/dbtest"
	"github.com/apnet/apnet/internal/fixture"
	"github.com/apnet/apnet/internal/gqlclient"
	"github.com/apnet/apnet/internal/testenv"
	"github.com/apnet/apnet/internal/viewer"
)

// Bounds on every wait in these tests.
const (
	buildTimeout    = 5 * time.Minute  // go build, possibly with -race on a cold cache
	migrateTimeout  = time.Minute      // apnet migrate on a fresh schema
	startTimeout    = 30 * time.Second // process start until it logs its address and /readyz says 200
	deliveryTimeout = 5 * time.Second  // a mark on A until B's subscriber has it
	stopTimeout     = 10 * time.Second // SIGTERM until exit (the server's own grace is 20 s)
	requestTimeout  = 10 * time.Second // one HTTP request or websocket handshake
)

const recordMark = `mutation($p: ID!, $d: Date!, $s: AttendanceMarkSession!, $m: MarkInput!) {
  recordAttendance(input: {placementID: $p, date: $d, session: $s, mark: $m}) {
    outcome mark { id code status version } alert { id kind }
  }
}`

const subAttendance = `subscription($s: ID!) { attendanceRecorded(schoolID: $s) {
  outcome mark { id code status placement { learner { upn } } } alert { id kind } } }`

const subAlerts = `subscription($s: ID!) { alertRaised(schoolID: $s) { id kind learner { upn } school { urn } } }`

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// apnetBinary builds this command once per test binary. When the tests run
// with -race the binary is built with it too, so the end-to-end run also
// checks the server for data races (a race makes the process exit non-zero,
// which stop reports).
func apnetBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		goCmd, err := goTool()
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, err = os.MkdirTemp("", "apnet-e2e-"); err != nil {
			buildErr = err
			return
		}
		out := filepath.Join(buildDir, "apnet")
		args := []string{"build", "-o", out}
		if raceEnabled() {
			args = append(args, "-race")
		}
		args = append(args, ".")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, goCmd, args...)
		if output, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%s %s: %v\n%s", goCmd, strings.Join(args, " "), err, output)
			return
		}
		binPath = out
	})
	if buildErr != nil {
		t.Fatalf("build apnet: %v", buildErr)
	}
	return binPath
}

// goTool is the go command that is running these tests, else the one on PATH.
func goTool() (string, error) {
	name := "go"
	if runtime.GOOS == "windows" {
		name = "go.exe"
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", name); fileExists(p) {
		return p, nil
	}
	p, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command to build apnet with: %w", err)
	}
	return p, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// world is a fresh PostgreSQL schema, migrated by `apnet migrate` and holding
// the fixture, plus the Redis every process shares.
type world struct {
	dbURL, redisURL string
	*fixture.World
	// Session tokens of designated staff at SchoolA and of the provider's staff.
	schoolToken, providerToken string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	redisURL := testenv.RedisURL(t)
	dbURL := dbtest.PostgresURL(t)
	bin := apnetBinary(t)

	// Migrate once, before any server starts: two replicas migrating the same
	// schema at once could race each other.
	ctx, cancel := context.WithTimeout(context.Background(), migrateTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "migrate")
	cmd.Env = childEnv("APNET_DATABASE_URL=" + dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("apnet migrate: %v\n%s", err, out)
	}

	d, err := db.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	w := &world{dbURL: dbURL, redisURL: redisURL, World: fixture.Build(t, d.Client)}
	// Sessions live in the shared database, so tokens made here work on every replica.
	authn := auth.New(d.Client, broker.NewInProcess(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	signIn := func(email string) string {
		s, err := authn.Login(viewer.NewContext(ctx, viewer.Viewer{Address: "127.0.0.1"}), email, fixture.Password)
		if err != nil {
			t.Fatalf("sign in %s: %v", email, err)
		}
		return s.Token
	}
	w.schoolToken = signIn(fixture.Account(t, d.Client, "dsl@school-a.test", user.RoleSCHOOL_STAFF, w.SchoolA.ID, 0))
	w.providerToken = signIn(fixture.Account(t, d.Client, "tutor@provider.test", user.RolePROVIDER_STAFF, 0, w.Provider.ID))
	return w
}

// childEnv is this process's environment without any APNET_ variable, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APNET_") {
			env = append(env, kv)
		}
	}
	if _, set := os.LookupEnv("GORACE"); !set {
		// A -race binary otherwise sleeps 1 s at exit (to let reports from
		// other goroutines print); a tenth of that is enough here.
		env = append(env, "GORACE=atexit_sleep_ms=100")
	}
	return append(env, extra...)
}

// proc is one running `apnet serve`.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer // stdout and stderr
	addr string        // 127.0.0.1:port it listens on

	done    chan struct{} // closed when the process has exited
	waitErr error         // cmd.Wait's result, once done is closed

	reportOnce sync.Once
}

// serve starts one `apnet serve` per name, all at once, each on a free
// loopback port, and waits until every one answers 200 on /readyz. Each is
// stopped (SIGTERM, then SIGKILL) when t ends.
func serve(t *testing.T, w *world, names ...string) []*proc {
	t.Helper()
	procs := make([]*proc, len(names))
	for i, name := range names {
		procs[i] = start(t, name, w)
	}
	deadline := time.Now().Add(startTimeout)
	for _, p := range procs {
		p.addr = p.waitAddr(t, deadline)
		p.waitReady(t, deadline)
	}
	return procs
}

func start(t *testing.T, name string, w *world) *proc {
	t.Helper()
	p := &proc{name: name, out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(apnetBinary(t), "serve")
	p.cmd.Env = childEnv(
		"APNET_DATABASE_URL="+w.dbURL,
		"APNET_REDIS_URL="+w.redisURL,
		// Port 0: the kernel picks a free port, which the process logs. No
		// window in which another process could take a port picked for it.
		"APNET_ADDR=127.0.0.1:0",
		// On PostgreSQL the default is documents/ in the working directory: keep it out of the repository.
		"APNET_DOCUMENTS_DIR="+t.TempDir(),
	)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.WaitDelay = stopTimeout
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.waitErr = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

var servingRE = regexp.MustCompile(`msg="apnet serving".*?\baddr=(\S+)`)

// waitAddr waits for the "apnet serving" log line and returns its addr.
func (p *proc) waitAddr(t *testing.T, deadline time.Time) string {
	t.Helper()
	for {
		if m := servingRE.FindStringSubmatch(p.out.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before serving (%v); output:\n%s", p.name, p.waitErr, p.output())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s logged no \"apnet serving\" line within %v; output:\n%s", p.name, startTimeout, p.output())
		}
	}
}

func (p *proc) waitReady(t *testing.T, deadline time.Time) {
	t.Helper()
	last := "no response yet"
	for {
		status, body, err := p.get("/readyz")
		switch {
		case err != nil:
			last = err.Error()
		case status == http.StatusOK:
			return
		default:
			last = fmt.Sprintf("HTTP %d: %s", status, strings.TrimSpace(body))
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited before it was ready (%v); output:\n%s", p.name, p.waitErr, p.output())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s /readyz not 200 within %v (last: %s); output:\n%s", p.name, startTimeout, last, p.output())
		}
	}
}

var httpClient = &http.Client{Timeout: requestTimeout}

func (p *proc) get(path string) (status int, body string, err error) {
	resp, err := httpClient.Get("http://" + p.addr + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (p *proc) gql(token string) *gqlclient.Client {
	return &gqlclient.Client{URL: "http://" + p.addr + "/query", HTTP: httpClient, Token: token}
}

func (p *proc) dial(t *testing.T, protocol, token string) *gqlclient.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	c, err := gqlclient.Dial(ctx, "ws://"+p.addr+"/query", protocol, map[string]any{"authorization": "Bearer " + token}, nil)
	if err != nil {
		t.Fatalf("dial %s over %s: %v\n%s output:\n%s", p.name, protocol, err, p.name, p.output())
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// metric reads one series (name plus labels exactly as exposed, e.g.
// `apnet_events_published_total{kind="alert"}`) from /metrics; a series not
// exposed yet is 0, as a counter not yet incremented is.
func (p *proc) metric(t *testing.T, series string) float64 {
	t.Helper()
	status, body, err := p.get("/metrics")
	if err != nil || status != http.StatusOK {
		t.Fatalf("%s /metrics: HTTP %d %v\n%s", p.name, status, err, body)
	}
	for _, line := range strings.Split(body, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == series {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatalf("%s /metrics: %q: %v", p.name, line, err)
			}
			return v
		}
	}
	return 0
}

// waitSubscribers waits until exactly n subscriptions are live on p: the
// protocols do not acknowledge a subscribe, and an event published before
// the server has subscribed is (correctly) not delivered.
func (p *proc) waitSubscribers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	for {
		got := p.metric(t, "apnet_live_subscribers")
		if got == float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: apnet_live_subscribers %v after %v, want %d; output:\n%s", p.name, got, deliveryTimeout, n, p.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// terminate sends SIGTERM and waits up to stopTimeout for the exit; on
// timeout it kills the process. exitErr is nil for exit status 0.
func (p *proc) terminate() (timedOut bool, exitErr error) {
	select {
	case <-p.done:
		return false, p.waitErr
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return false, p.waitErr
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done // bounded: Kill cannot be ignored, and WaitDelay bounds the output copy
		return true, p.waitErr
	}
}

// stop ends the process at the end of the test and reports, once, an exit
// that was not clean (which includes a data race found under -race).
func (p *proc) stop(t *testing.T) {
	timedOut, err := p.terminate()
	p.reportOnce.Do(func() {
		switch {
		case timedOut:
			t.Errorf("%s did not exit within %v of SIGTERM (killed); output:\n%s", p.name, stopTimeout, p.output())
		case err != nil:
			t.Errorf("%s exited with %v; output:\n%s", p.name, err, p.output())
		}
	})
}

// output is the process's log, trimmed to its end for failure messages.
func (p *proc) output() string {
	const limit = 16 << 10
	s := p.out.String()
	if len(s) > limit {
		s = "…" + s[len(s)-limit:]
	}
	return s
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// gqlID accepts an ID whether it is serialised as a string or a number.
type gqlID string

func (i *gqlID) UnmarshalJSON(b []byte) error {
	*i = gqlID(strings.Trim(string(b), `"`))
	return nil
}

// A mark recorded over HTTP on replica A reaches a subscriber on replica B,
// through PostgreSQL and Redis only: both the attendance event and the
// safeguarding alert, over either websocket protocol.
func TestMarkOnOneReplicaReachesSubscriberOnAnother(t *testing.T) {
	for _, protocol := range []string{gqlclient.TransportWS, gqlclient.LegacyWS} {
		t.Run(protocol, func(t *testing.T) {
			w := newWorld(t)
			// The schema is already migrated, so the two servers' own
			// migrations at start-up have nothing to do and cannot race.
			procs := serve(t, w, "A", "B")
			a, b := procs[0], procs[1]

			learner, placement, school := w.Learners[0], w.Placements[0], w.SchoolA
			sub := b.dial(t, protocol, w.schoolToken)
			if err := sub.Subscribe("att", subAttendance, map[string]any{"s": school.ID}); err != nil {
				t.Fatal(err)
			}
			if err := sub.Subscribe("alert", subAlerts, map[string]any{"s": school.ID}); err != nil {
				t.Fatal(err)
			}
			b.waitSubscribers(t, 2)

			var rec struct {
				RecordAttendance struct {
					Outcome string `json:"outcome"`
					Mark    struct {
						ID   gqlID  `json:"id"`
						Code string `json:"code"`
					} `json:"mark"`
					Alert *struct {
						ID   gqlID  `json:"id"`
						Kind string `json:"kind"`
					} `json:"alert"`
				} `json:"recordAttendance"`
			}
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			err := a.gql(w.providerToken).MustData(ctx, recordMark, map[string]any{
				"p": placement.ID, "d": w.Monday.Format(time.DateOnly), "s": "AM",
				"m": map[string]any{"status": "ABSENT", "absenceReason": "UNAUTHORISED"},
			}, &rec)
			if err != nil {
				t.Fatalf("recordAttendance on A: %v\nA output:\n%s", err, a.output())
			}
			r := rec.RecordAttendance
			if r.Outcome != "CREATED" || r.Mark.Code != "O" || r.Alert == nil || r.Alert.Kind != "UNAUTHORISED_ABSENCE" {
				t.Fatalf("recordAttendance on A answered %+v (alert %+v), want CREATED, code O, an UNAUTHORISED_ABSENCE alert", r, r.Alert)
			}

			rctx, cancel := context.WithTimeout(context.Background(), deliveryTimeout)
			defer cancel()
			got := map[string]json.RawMessage{}
			for len(got) < 2 {
				id, resp, err := sub.Next(rctx)
				if err != nil {
					t.Fatalf("B's subscriber, after %d of 2 events within %v: %v\nA output:\n%s\nB output:\n%s",
						len(got), deliveryTimeout, err, a.output(), b.output())
				}
				if len(resp.Errors) > 0 {
					t.Fatalf("subscription %q: errors %+v", id, resp.Errors)
				}
				if prev, dup := got[id]; dup {
					t.Fatalf("subscription %q delivered twice (%s, then %s)", id, prev, resp.Data)
				}
				got[id] = resp.Data
			}

			var att struct {
				AttendanceRecorded struct {
					Outcome string `json:"outcome"`
					Mark    struct {
						ID        gqlID  `json:"id"`
						Code      string `json:"code"`
						Status    string `json:"status"`
						Placement struct {
							Learner struct {
								UPN string `json:"upn"`
							} `json:"learner"`
						} `json:"placement"`
					} `json:"mark"`
					Alert *struct {
						ID   gqlID  `json:"id"`
						Kind string `json:"kind"`
					} `json:"alert"`
				} `json:"attendanceRecorded"`
			}
			if err := json.Unmarshal(got["att"], &att); err != nil {
				t.Fatalf("attendance event %s: %v", got["att"], err)
			}
			ev := att.AttendanceRecorded
			if ev.Outcome != "CREATED" || ev.Mark.ID != r.Mark.ID || ev.Mark.Code != "O" || ev.Mark.Status != "ABSENT" ||
				ev.Mark.Placement.Learner.UPN != learner.Upn || ev.Alert == nil || ev.Alert.ID != r.Alert.ID ||
				ev.Alert.Kind != "UNAUTHORISED_ABSENCE" {
				t.Errorf("attendance event %s; want mark %s code O for UPN %s with alert %s UNAUTHORISED_ABSENCE",
					got["att"], r.Mark.ID, learner.Upn, r.Alert.ID)
			}

			var al struct {
				AlertRaised struct {
					ID      gqlID  `json:"id"`
					Kind    string `json:"kind"`
					Learner struct {
						UPN string `json:"upn"`
					} `json:"learner"`
					School struct {
						URN string `json:"urn"`
					} `json:"school"`
				} `json:"alertRaised"`
			}
			if err := json.Unmarshal(got["alert"], &al); err != nil {
				t.Fatalf("alert event %s: %v", got["alert"], err)
			}
			if e := al.AlertRaised; e.ID != r.Alert.ID || e.Kind != "UNAUTHORISED_ABSENCE" || e.Learner.UPN != learner.Upn || e.School.URN != school.Urn {
				t.Errorf("alert event %s; want alert %s UNAUTHORISED_ABSENCE for UPN %s at URN %s",
					got["alert"], r.Alert.ID, learner.Upn, school.Urn)
			}

			// A published both events; B published nothing, so what B's
			// subscriber received came through Redis.
			for _, kind := range []string{"attendance", "alert"} {
				series := `apnet_events_published_total{kind="` + kind + `"}`
				if n := a.metric(t, series); n != 1 {
					t.Errorf("A: %s = %v, want 1", series, n)
				}
				if n := b.metric(t, series); n != 0 {
					t.Errorf("B: %s = %v, want 0", series, n)
				}
				failed := `apnet_events_publish_failed_total{kind="` + kind + `"}`
				if n := a.metric(t, failed); n != 0 {
					t.Errorf("A: %s = %v, want 0; output:\n%s", failed, n, a.output())
				}
			}
		})
	}
}

// On SIGTERM a replica ends every live subscription with a normal websocket
// closure (1000), so dashboards reconnect to another replica rather than
// report an error, and it exits 0 well within its grace period.
func TestSIGTERMClosesSubscriptionsNormally(t *testing.T) {
	w := newWorld(t)
	b := serve(t, w, "B")[0]

	protocols := []string{gqlclient.TransportWS, gqlclient.LegacyWS}
	subs := make([]*gqlclient.Conn, len(protocols))
	for i, protocol := range protocols {
		subs[i] = b.dial(t, protocol, w.schoolToken)
		if err := subs[i].Subscribe("alert", subAlerts, map[string]any{"s": w.SchoolA.ID}); err != nil {
			t.Fatal(err)
		}
	}
	b.waitSubscribers(t, len(subs))

	exited := make(chan struct{})
	var exitErr error
	var timedOut bool
	go func() {
		defer close(exited)
		timedOut, exitErr = b.terminate()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	for i, sub := range subs {
		_, resp, err := sub.Next(ctx)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
			var data string
			if resp != nil {
				data = string(resp.Data)
			}
			t.Errorf("%s subscriber after SIGTERM: want a close frame with code %d, got err %v (data %s)",
				protocols[i], websocket.CloseNormalClosure, err, data)
		}
	}

	// Bounded: terminate kills the process after stopTimeout. The exit is
	// reported here, so stop must not report it again.
	<-exited
	b.reportOnce.Do(func() {})
	switch {
	case timedOut:
		t.Fatalf("B did not exit within %v of SIGTERM (killed); output:\n%s", stopTimeout, b.output())
	case exitErr != nil:
		t.Fatalf("B exited with %v after SIGTERM, want status 0; output:\n%s", exitErr, b.output())
	}
	if out := b.output(); strings.Contains(out, "websockets still open") {
		t.Errorf("B reported websockets still open at shutdown; output:\n%s", out)
	}
}

// Redis restarts and reconnection are covered by internal/broker's tests.
