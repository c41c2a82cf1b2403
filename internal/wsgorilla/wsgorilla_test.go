package wsgorilla_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/testserver"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"

	"github.com/apnet/apnet/internal/wsgorilla"
)

const (
	transportWS = "graphql-transport-ws"
	legacyWS    = "graphql-ws"

	// wait bounds every blocking step; nothing in these tests should take long.
	wait = 5 * time.Second
)

type msg struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// newServer serves testserver's schema (Subscription { name }) over
// transport.Websocket backed by wsgorilla.
func newServer(t *testing.T, opts wsgorilla.Options, ws transport.Websocket) (*testserver.TestServer, *httptest.Server) {
	t.Helper()
	ws.Implementation = wsgorilla.New(opts)
	h := testserver.New()
	h.AddTransport(ws)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") }

func dial(t *testing.T, srv *httptest.Server, header http.Header, subprotocols ...string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: wait, Subprotocols: subprotocols}
	c, resp, err := d.Dial(wsURL(srv), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func send(t *testing.T, c *websocket.Conn, m msg) {
	t.Helper()
	_ = c.SetWriteDeadline(time.Now().Add(wait))
	if err := c.WriteJSON(m); err != nil {
		t.Fatalf("write %s: %v", m.Type, err)
	}
}

func read(t *testing.T, c *websocket.Conn) msg {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	var m msg
	if err := c.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func expect(t *testing.T, c *websocket.Conn, typ, id string) msg {
	t.Helper()
	m := read(t, c)
	if m.Type != typ || m.ID != id {
		t.Fatalf("got %s id=%q payload=%s, want %s id=%q", m.Type, m.ID, m.Payload, typ, id)
	}
	return m
}

func expectData(t *testing.T, c *websocket.Conn, typ, id string) {
	t.Helper()
	m := expect(t, c, typ, id)
	if got, want := string(m.Payload), `{"data":{"name":"test"}}`; got != want {
		t.Fatalf("payload = %s, want %s", got, want)
	}
}

// readClose reads until the server's close frame and returns it.
func readClose(t *testing.T, c *websocket.Conn) *websocket.CloseError {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("want a close frame, got %v", err)
		}
		return ce
	}
}

// trySend keeps server callbacks from ever blocking on a full test channel.
func trySend[T any](ch chan<- T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestGraphQLTransportWS(t *testing.T) {
	h, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{})
	c := dial(t, srv, nil, transportWS)
	if c.Subprotocol() != transportWS {
		t.Fatalf("subprotocol = %q", c.Subprotocol())
	}

	send(t, c, msg{Type: "connection_init"})
	expect(t, c, "connection_ack", "")

	send(t, c, msg{Type: "subscribe", ID: "1", Payload: json.RawMessage(`{"query":"subscription { name }"}`)})
	h.SendNextSubscriptionMessage()
	expectData(t, c, "next", "1")
	h.SendNextSubscriptionMessage()
	expectData(t, c, "next", "1")

	h.SendCompleteSubscriptionMessage()
	expect(t, c, "complete", "1")

	// Client-initiated ping is answered (message-level, not a control frame).
	send(t, c, msg{Type: "ping"})
	expect(t, c, "pong", "")
}

func TestGraphQLWSLegacy(t *testing.T) {
	h, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{})
	c := dial(t, srv, nil, legacyWS)
	if c.Subprotocol() != legacyWS {
		t.Fatalf("subprotocol = %q", c.Subprotocol())
	}

	send(t, c, msg{Type: "connection_init"})
	expect(t, c, "connection_ack", "")
	expect(t, c, "ka", "") // graphql-ws always gets one keep-alive after the ack

	send(t, c, msg{Type: "start", ID: "1", Payload: json.RawMessage(`{"query":"subscription { name }"}`)})
	h.SendNextSubscriptionMessage()
	expectData(t, c, "data", "1")

	send(t, c, msg{Type: "stop", ID: "1"})
	expect(t, c, "complete", "1")

	// connection_terminate makes gqlgen call WriteClose(1000, "terminated").
	send(t, c, msg{Type: "connection_terminate"})
	ce := readClose(t, c)
	if ce.Code != websocket.CloseNormalClosure || ce.Text != "terminated" {
		t.Fatalf("close = %d %q, want 1000 \"terminated\"", ce.Code, ce.Text)
	}
}

func TestSubprotocolPreference(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prefs []string
		want  string
	}{
		{"gqlgen order", nil, legacyWS},
		{"configured first", []string{transportWS}, transportWS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newServer(t, wsgorilla.Options{Subprotocols: tc.prefs}, transport.Websocket{})
			c := dial(t, srv, nil, legacyWS, transportWS)
			if c.Subprotocol() != tc.want {
				t.Fatalf("subprotocol = %q, want %q", c.Subprotocol(), tc.want)
			}
		})
	}
}

// A clean close from the client must reach gqlgen as ErrWebsocketClosed (no
// ErrorFunc call); other close codes are real read errors.
func TestClientCloseCodes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		payload   []byte
		wantError bool
	}{
		{"normal", websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), false},
		{"going away", websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), false},
		{"no status", nil, false}, // empty close frame, seen as 1005
		{"application code", websocket.FormatCloseMessage(4400, "nope"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := make(chan error, 4)
			closed := make(chan int, 1)
			_, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{
				ErrorFunc: func(_ context.Context, err error) { trySend(errs, err) },
				CloseFunc: func(_ context.Context, code int) { trySend(closed, code) },
			})
			c := dial(t, srv, nil, transportWS)
			send(t, c, msg{Type: "connection_init"})
			expect(t, c, "connection_ack", "")

			if err := c.WriteControl(websocket.CloseMessage, tc.payload, time.Now().Add(wait)); err != nil {
				t.Fatal(err)
			}
			recv(t, closed, "CloseFunc")
			// gqlgen reports read errors before it tears down, so by now any
			// ErrorFunc call has happened.
			select {
			case err := <-errs:
				if !tc.wantError {
					t.Fatalf("ErrorFunc called for a clean close: %v", err)
				}
			default:
				if tc.wantError {
					t.Fatal("ErrorFunc not called for an abnormal close")
				}
			}
		})
	}
}

func TestKeepAliveGraphQLWS(t *testing.T) {
	_, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{KeepAlivePingInterval: 10 * time.Millisecond})
	c := dial(t, srv, nil, legacyWS)
	send(t, c, msg{Type: "connection_init"})
	expect(t, c, "connection_ack", "")
	for range 4 { // the post-ack one plus ticker-driven ones
		expect(t, c, "ka", "")
	}
}

func TestPingPongGraphQLTransportWS(t *testing.T) {
	t.Run("answered pings keep the connection", func(t *testing.T) {
		_, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{PingPongInterval: 50 * time.Millisecond})
		c := dial(t, srv, nil, transportWS)
		send(t, c, msg{Type: "connection_init"})
		expect(t, c, "connection_ack", "")
		// 4 pings span twice the initial 2*interval read deadline, so the
		// connection only survives because pongs clear it.
		for range 4 {
			expect(t, c, "ping", "")
			send(t, c, msg{Type: "pong"})
		}
	})

	t.Run("missing pong times out the read", func(t *testing.T) {
		errs := make(chan error, 4)
		_, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{
			PingPongInterval: 50 * time.Millisecond,
			ErrorFunc:        func(_ context.Context, err error) { trySend(errs, err) },
		})
		c := dial(t, srv, nil, transportWS)
		send(t, c, msg{Type: "connection_init"})
		expect(t, c, "connection_ack", "")
		readClose(t, c) // pings are ignored; the server must hang up on its own

		err := recv(t, errs, "ErrorFunc")
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("want a read timeout, got %v", err)
		}
	})
}

func TestReadLimit(t *testing.T) {
	limit := int64(1024)
	errs := make(chan error, 4)
	closed := make(chan int, 1)
	h, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{
		PayloadReadLimit: &limit,
		ErrorFunc:        func(_ context.Context, err error) { trySend(errs, err) },
		CloseFunc:        func(_ context.Context, code int) { trySend(closed, code) },
	})
	c := dial(t, srv, nil, transportWS)
	send(t, c, msg{Type: "connection_init"})
	expect(t, c, "connection_ack", "")

	// Under the limit works.
	send(t, c, msg{Type: "subscribe", ID: "1", Payload: json.RawMessage(`{"query":"subscription { name }"}`)})
	h.SendNextSubscriptionMessage()
	expectData(t, c, "next", "1")

	// The server rejects on the frame header and hangs up with the body
	// unread, so the kernel may reset the connection under this write or
	// before the 1009 close frame is read; only the server side is certain.
	query := `{"query":"subscription { name }` + strings.Repeat(" ", 4096) + `"}`
	_ = c.SetWriteDeadline(time.Now().Add(wait))
	_ = c.WriteJSON(msg{Type: "subscribe", ID: "2", Payload: json.RawMessage(query)})

	if err := recv(t, errs, "ErrorFunc"); !errors.Is(err, websocket.ErrReadLimit) {
		t.Fatalf("ErrorFunc got %v, want ErrReadLimit", err)
	}
	recv(t, closed, "CloseFunc")
	_ = c.SetReadDeadline(time.Now().Add(wait))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
			t.Fatalf("close code = %d, want %d", ce.Code, websocket.CloseMessageTooBig)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("connection still open after an oversized message")
		}
		break
	}
}

func TestOrigin(t *testing.T) {
	const allowed = "https://app.example.com"
	for _, tc := range []struct {
		name    string
		allowed []string
		origin  string // "" sends no Origin header
		sameOK  bool   // origin is the server's own host
		wantOK  bool
	}{
		{name: "no origin header", wantOK: true},
		{name: "same host", sameOK: true, wantOK: true},
		{name: "allowed", allowed: []string{allowed}, origin: allowed, wantOK: true},
		{name: "allowed, case and trailing slash", allowed: []string{"HTTPS://App.Example.com/"}, origin: allowed, wantOK: true},
		{name: "foreign", allowed: []string{allowed}, origin: "https://evil.example.com"},
		{name: "scheme differs", allowed: []string{allowed}, origin: "http://app.example.com"},
		{name: "port differs", allowed: []string{allowed}, origin: "https://app.example.com:8443"},
		{name: "no list", origin: "https://evil.example.com"},
		{name: "wildcard", allowed: []string{"*"}, origin: "https://evil.example.com", wantOK: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rejected := make(chan error, 1)
			_, srv := newServer(t, wsgorilla.Options{
				AllowedOrigins: tc.allowed,
				OnUpgradeError: func(_ *http.Request, err error) { trySend(rejected, err) },
			}, transport.Websocket{})

			header := http.Header{}
			switch {
			case tc.sameOK:
				header.Set("Origin", srv.URL)
			case tc.origin != "":
				header.Set("Origin", tc.origin)
			}
			d := websocket.Dialer{HandshakeTimeout: wait, Subprotocols: []string{transportWS}}
			c, resp, err := d.Dial(wsURL(srv), header)
			if tc.wantOK {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = c.Close()
				return
			}
			if err == nil {
				_ = c.Close()
				t.Fatal("upgrade accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("want 403, got %v / %+v", err, resp)
			}
			// gorilla's Dialer keeps the start of the body; a second write by
			// gqlgen would show up as appended JSON.
			body := make([]byte, 512)
			n, _ := resp.Body.Read(body)
			if got := string(body[:n]); got != "Forbidden\n" {
				t.Fatalf("body = %q, want exactly one response", got)
			}
			if err := recv(t, rejected, "OnUpgradeError"); !errors.Is(err, wsgorilla.ErrOriginNotAllowed) {
				t.Fatalf("OnUpgradeError got %v", err)
			}
		})
	}
}

// A malformed handshake is left to gqlgen, which answers 400 once.
func TestBadHandshake(t *testing.T) {
	_, srv := newServer(t, wsgorilla.Options{}, transport.Websocket{})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Upgrade", "websocket") // no Connection/Sec-WebSocket-* headers
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Unmarshal rejects trailing data, so a second write would fail here.
	var body struct {
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body %q: %v", raw, err)
	}
}

// acceptServer exposes the adapter directly, to drive it harder than gqlgen does.
func acceptServer(t *testing.T, serve func(transport.WebsocketConn)) *httptest.Server {
	t.Helper()
	impl := wsgorilla.New(wsgorilla.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := impl.Accept(w, r, transport.WebsocketAcceptOptions{
			ResponseHeader: http.Header{}, Subprotocols: []string{transportWS},
		})
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		defer ws.Close()
		serve(ws)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// gqlgen serialises its own writes today; the adapter must not rely on that.
func TestConcurrentWrites(t *testing.T) {
	const writers, each = 8, 50
	srv := acceptServer(t, func(ws transport.WebsocketConn) {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					m := msg{Type: "next", ID: strconv.Itoa(w), Payload: json.RawMessage(strconv.Itoa(i))}
					if err := ws.WriteJSON(m); err != nil {
						t.Errorf("write: %v", err)
						return
					}
				}
			})
		}
		// Close frames race with data writes in gqlgen (close vs subscription goroutines).
		wg.Wait()
		if err := ws.WriteClose(websocket.CloseNormalClosure, "done"); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	c := dial(t, srv, nil, transportWS)
	for range writers * each {
		if m := read(t, c); m.Type != "next" {
			t.Fatalf("got %s", m.Type)
		}
	}
	if ce := readClose(t, c); ce.Code != websocket.CloseNormalClosure || ce.Text != "done" {
		t.Fatalf("close = %d %q", ce.Code, ce.Text)
	}
}

func TestWriteCloseTruncatesReason(t *testing.T) {
	reason := strings.Repeat("é", 100) // 200 bytes, over the 123-byte limit
	srv := acceptServer(t, func(ws transport.WebsocketConn) {
		if err := ws.WriteClose(4403, reason); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	c := dial(t, srv, nil, transportWS)
	ce := readClose(t, c)
	if ce.Code != 4403 || len(ce.Text) > 123 || !strings.HasPrefix(reason, ce.Text) || len(ce.Text) < 120 {
		t.Fatalf("close = %d %q (%d bytes)", ce.Code, ce.Text, len(ce.Text))
	}
}
