// Package wsgorilla runs gqlgen's websocket transport (graphql-transport-ws and
// the legacy graphql-ws subprotocols) on github.com/gorilla/websocket.
//
//	srv.AddTransport(transport.Websocket{Implementation: wsgorilla.New(opts)})
package wsgorilla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// DefaultWriteTimeout bounds a single outgoing message when Options.WriteTimeout is zero.
const DefaultWriteTimeout = 10 * time.Second

// Options configures the gorilla upgrader behind gqlgen's websocket transport.
type Options struct {
	// AllowedOrigins lists browser origins (scheme://host[:port], matched
	// case-insensitively) allowed to open a websocket besides the request's own
	// host. "*" allows every origin. Requests without an Origin header
	// (non-browser clients) are always allowed. Behind a proxy that rewrites
	// Host, list the public origin here.
	AllowedOrigins []string

	// Subprotocols are offered before gqlgen's own (graphql-ws,
	// graphql-transport-ws), in order of preference. gorilla picks the first of
	// these the client also offers, so {"graphql-transport-ws"} prefers the
	// modern protocol when a client offers both. gqlgen closes connections that
	// negotiate a subprotocol it does not speak.
	Subprotocols []string

	// HandshakeTimeout bounds writing the 101 response; zero means none.
	HandshakeTimeout time.Duration
	// ReadBufferSize and WriteBufferSize are gorilla's I/O buffer sizes; zero
	// reuses the HTTP server's buffers. They do not limit message size (that is
	// transport.Websocket.PayloadReadLimit).
	ReadBufferSize, WriteBufferSize int

	// WriteTimeout bounds each outgoing message and close frame so a stalled
	// peer cannot block the transport forever. Zero means DefaultWriteTimeout,
	// negative disables it.
	WriteTimeout time.Duration

	// OnUpgradeError, if set, is called for failed upgrades that gqlgen does not
	// log itself: a refused Origin (answered 403 here) and failures after the
	// connection was hijacked. Plain bad handshakes are logged and answered 400
	// by gqlgen.
	OnUpgradeError func(r *http.Request, err error)

	// ErrorCode, if set, gives the errors gqlgen sends without an
	// extensions.code one: closeCode is the close code that follows a
	// connection_error (legacy graphql-ws), 0 for an operation's error
	// message. gqlgen writes these with a bare message ("invalid json",
	// "unexpected message …", the InitFunc's error).
	ErrorCode func(closeCode int) string
}

// ErrOriginNotAllowed is passed to Options.OnUpgradeError when the Origin check refuses a request.
var ErrOriginNotAllowed = errors.New("wsgorilla: websocket origin not allowed")

// New returns a gqlgen websocket implementation backed by gorilla/websocket.
func New(o Options) transport.WebsocketImplementation {
	o.Subprotocols = slices.Clone(o.Subprotocols) // caller may reuse its slice
	impl := &implementation{opts: o, writeTimeout: o.WriteTimeout}
	if impl.writeTimeout == 0 {
		impl.writeTimeout = DefaultWriteTimeout
	}
	impl.origins = make(map[string]struct{}, len(o.AllowedOrigins))
	for _, origin := range o.AllowedOrigins {
		origin = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(origin), "/"))
		if origin == "*" {
			impl.anyOrigin = true
		}
		impl.origins[origin] = struct{}{}
	}
	return impl
}

type implementation struct {
	opts         Options
	writeTimeout time.Duration
	origins      map[string]struct{}
	anyOrigin    bool
}

var _ transport.WebsocketImplementation = (*implementation)(nil)

// Accept upgrades the request. gqlgen answers any Accept error with its own
// 400 response, so the upgrader's Error hook never writes; an Origin refusal
// is answered 403 here and reported to gqlgen as a refusedConn instead of an
// error, so the response is written exactly once.
func (impl *implementation) Accept(
	w http.ResponseWriter,
	r *http.Request,
	options transport.WebsocketAcceptOptions,
) (transport.WebsocketConn, error) {
	var originRefused, handshakeRefused bool
	u := websocket.Upgrader{
		HandshakeTimeout: impl.opts.HandshakeTimeout,
		ReadBufferSize:   impl.opts.ReadBufferSize,
		WriteBufferSize:  impl.opts.WriteBufferSize,
		// Cloned so appending below never writes into the shared backing array.
		Subprotocols: slices.Clone(impl.opts.Subprotocols),
		CheckOrigin: func(r *http.Request) bool {
			ok := impl.originAllowed(r)
			originRefused = !ok
			return ok
		},
		Error: func(http.ResponseWriter, *http.Request, int, error) {
			handshakeRefused = true
		},
	}
	for _, p := range options.Subprotocols {
		if !slices.Contains(u.Subprotocols, p) {
			u.Subprotocols = append(u.Subprotocols, p)
		}
	}

	ws, err := u.Upgrade(w, r, options.ResponseHeader)
	switch {
	case err == nil:
		return &conn{ws: ws, writeTimeout: impl.writeTimeout, errorCode: impl.opts.ErrorCode}, nil
	case originRefused:
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		impl.reportUpgradeError(r, ErrOriginNotAllowed)
		return refusedConn{}, nil
	case handshakeRefused:
		// Nothing written yet; gqlgen logs and answers 400.
		return nil, err
	default:
		// gorilla only skips Error after hijacking (and has closed the
		// connection), so gqlgen must not write to w.
		impl.reportUpgradeError(r, err)
		return refusedConn{}, nil
	}
}

func (impl *implementation) reportUpgradeError(r *http.Request, err error) {
	if impl.opts.OnUpgradeError != nil {
		impl.opts.OnUpgradeError(r, err)
	}
}

func (impl *implementation) originAllowed(r *http.Request) bool {
	values, present := r.Header["Origin"]
	if !present || len(values) == 0 {
		return true
	}
	if impl.anyOrigin {
		return true
	}
	origin := values[0]
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	_, ok := impl.origins[strings.ToLower(origin)]
	return ok
}

// conn adapts *websocket.Conn to transport.WebsocketConn (plus the optional
// read limiter and deadliner interfaces gqlgen probes for).
type conn struct {
	ws           *websocket.Conn
	writeTimeout time.Duration
	// gorilla allows one concurrent writer; gqlgen writes from the reader,
	// keep-alive/ping tickers and one goroutine per subscription.
	writeMu sync.Mutex
	// errorCode is Options.ErrorCode; heldError a connection_error payload
	// waiting for the close code that decides its code (under writeMu).
	errorCode func(closeCode int) string
	heldError []byte
}

var (
	_ transport.WebsocketConn          = (*conn)(nil)
	_ transport.WebsocketReadLimiter   = (*conn)(nil)
	_ transport.WebsocketReadDeadliner = (*conn)(nil)
)

// NextReader reports a peer's clean close as transport.ErrWebsocketClosed so
// gqlgen does not pass it to ErrorFunc. 1001 is what browsers send on
// navigation; 1005 is gorilla's code for an empty close frame.
//
// A message that is not a JSON object of a type the client may send in the
// negotiated subprotocol is refused here, with close code 4400 (and, in
// legacy graphql-ws, a connection_error first). gqlgen would otherwise end
// the socket with a normal close and no word of why.
func (c *conn) NextReader() (int, io.Reader, error) {
	mt, r, err := c.ws.NextReader()
	if err != nil && websocket.IsCloseError(err,
		websocket.CloseNormalClosure,
		websocket.CloseGoingAway,
		websocket.CloseNoStatusReceived,
	) {
		return mt, nil, transport.ErrWebsocketClosed
	}
	if err != nil {
		return mt, r, err
	}
	msg, err := io.ReadAll(r) // bounded by SetReadLimit
	if err != nil {
		return mt, nil, err
	}
	if problem := c.unknownMessage(msg); problem != "" {
		c.refuse(problem)
		return mt, nil, transport.ErrWebsocketClosed
	}
	return mt, bytes.NewReader(msg), nil
}

// clientTypes are the message types a client may send, by subprotocol.
var clientTypes = map[string][]string{
	"graphql-transport-ws": {"connection_init", "subscribe", "complete", "ping", "pong"},
	"graphql-ws":           {"connection_init", "start", "stop", "connection_terminate"},
}

// unknownMessage says what is wrong with msg, or "" when it is well formed.
func (c *conn) unknownMessage(msg []byte) string {
	var m struct {
		Type *string `json:"type"`
	}
	if json.Unmarshal(msg, &m) != nil || m.Type == nil {
		return "a message must be a JSON object with a \"type\""
	}
	proto := c.ws.Subprotocol()
	if proto == "" {
		proto = "graphql-ws"
	}
	types, known := clientTypes[proto]
	if known && !slices.Contains(types, *m.Type) {
		return fmt.Sprintf("unknown message type %q for %s: send one of %s", *m.Type, proto, strings.Join(types, ", "))
	}
	return ""
}

// closeUnknownMessage is graphql-transport-ws's close code for a message it
// cannot handle; legacy graphql-ws clients get it too.
const closeUnknownMessage = 4400

// refuse ends the socket over a malformed message.
func (c *conn) refuse(problem string) {
	if c.ws.Subprotocol() != "graphql-transport-ws" {
		payload, _ := json.Marshal(map[string]any{"message": problem})
		c.writeMu.Lock()
		c.heldError = payload
		c.writeMu.Unlock()
	}
	_ = c.WriteClose(closeUnknownMessage, problem)
}

// WriteJSON writes v as one text frame with one write(2). gqlgen's protocol
// messages are written by hand (see appendEnvelope); anything else goes
// through encoding/json.
func (c *conn) WriteJSON(v any) error {
	if c.errorCode != nil {
		if held := c.codeErrors(v); held {
			return nil
		}
	}
	buf := bufPool.Get().(*[]byte)
	b, err := appendMessage((*buf)[:0], v)
	if err == nil {
		err = c.writeText(b)
	}
	if cap(b) <= maxPooledBuf {
		*buf = b
		bufPool.Put(buf)
	}
	return err
}

func (c *conn) writeText(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.writeTextLocked(b)
}

func (c *conn) writeTextLocked(b []byte) error {
	if err := c.ws.SetWriteDeadline(c.deadline()); err != nil {
		return err
	}
	// gorilla's server-side WriteMessage frames b without copying it into a
	// message writer and sends header and body with one writev.
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// maxCloseReason is the control frame payload limit (125) minus the 2-byte code.
const maxCloseReason = 123

func (c *conn) WriteClose(closeCode int, message string) error {
	// gorilla rejects oversized control frames outright, and gqlgen's reason
	// can come from user code (transport.AppendCloseReason), so truncate.
	if len(message) > maxCloseReason {
		cut := maxCloseReason
		for cut > 0 && !utf8.RuneStart(message[cut]) {
			cut--
		}
		message = message[:cut]
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if held := c.heldError; held != nil {
		c.heldError = nil
		if c.errorCode != nil {
			held = withCode(held, c.errorCode(closeCode))
		}
		_ = c.writeTextLocked(appendEnvelope(nil, held, "", "connection_error"))
	}
	return c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeCode, message), c.deadline())
}

// Close drops the TCP connection without taking writeMu, so it can unblock a
// writer stuck on a stalled peer.
func (c *conn) Close() error { return c.ws.Close() }

func (c *conn) Subprotocol() string { return c.ws.Subprotocol() }

// SetReadLimit lets transport.Websocket.PayloadReadLimit take effect; gorilla
// answers an oversized message with close code 1009.
func (c *conn) SetReadLimit(limit int64) { c.ws.SetReadLimit(limit) }

// SetReadDeadline lets PingPongInterval drop clients that stop answering pings.
func (c *conn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

func (c *conn) deadline() time.Time {
	if c.writeTimeout < 0 {
		return time.Time{}
	}
	return time.Now().Add(c.writeTimeout)
}

// refusedSubprotocol is never offered, so gqlgen's subprotocol switch takes its
// "unsupported" branch: it calls WriteClose (a no-op here) and returns without
// touching the already-written HTTP response.
const refusedSubprotocol = "wsgorilla-refused"

var errRefused = errors.New("wsgorilla: websocket upgrade refused")

// refusedConn stands in for a connection whose upgrade was already answered.
type refusedConn struct{}

func (refusedConn) Close() error                        { return nil }
func (refusedConn) NextReader() (int, io.Reader, error) { return 0, nil, transport.ErrWebsocketClosed }
func (refusedConn) WriteJSON(any) error                 { return errRefused }
func (refusedConn) WriteClose(int, string) error        { return nil }
func (refusedConn) Subprotocol() string                 { return refusedSubprotocol }
