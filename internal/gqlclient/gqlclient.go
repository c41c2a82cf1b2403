// Package gqlclient is a small GraphQL client for apnet's own tests and load
// tool: JSON over HTTP, and subscriptions over a websocket with either the
// graphql-transport-ws or the legacy graphql-ws protocol.
package gqlclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Decode unmarshals the data into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Data, v) }

// Client posts operations to one endpoint.
type Client struct {
	URL   string // http://host/query
	Token string // sent as a bearer token when set
	HTTP  *http.Client
}

// Do posts one operation.
func (c *Client) Do(ctx context.Context, query string, vars map[string]any) (*Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out Response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode response (HTTP %d): %w", resp.StatusCode, err)
	}
	return &out, nil
}

// MustData posts an operation and fails on any GraphQL error.
func (c *Client) MustData(ctx context.Context, query string, vars map[string]any, v any) error {
	r, err := c.Do(ctx, query, vars)
	if err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s (%s)", r.Errors[0].Message, r.Errors[0].Code())
	}
	if v == nil {
		return nil
	}
	return r.Decode(v)
}

// Protocols.
const (
	TransportWS = "graphql-transport-ws"
	LegacyWS    = "graphql-ws"
)

// Message is one server message on a subscription socket.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Conn is a subscription websocket after the connection_init handshake.
type Conn struct {
	ws       *websocket.Conn
	protocol string
	mu       sync.Mutex
}

// Dial opens a websocket to url (ws://host/query) with protocol, sends
// connection_init with payload and waits for the ack.
func Dial(ctx context.Context, url, protocol string, payload map[string]any, header http.Header) (*Conn, error) {
	d := websocket.Dialer{Subprotocols: []string{protocol}}
	ws, resp, err := d.DialContext(ctx, url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %w (HTTP %d)", url, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	c := &Conn{ws: ws, protocol: protocol}
	if err := c.send(Message{Type: "connection_init", Payload: mustJSON(payload)}); err != nil {
		ws.Close()
		return nil, err
	}
	for {
		m, err := c.Read(ctx)
		if err != nil {
			ws.Close()
			return nil, err
		}
		switch m.Type {
		case "connection_ack":
			return c, nil
		case "ka", "ping", "pong":
			continue
		default:
			ws.Close()
			return nil, fmt.Errorf("handshake: got %s %s", m.Type, m.Payload)
		}
	}
}

// Subscribe starts an operation under id.
func (c *Conn) Subscribe(id, query string, vars map[string]any) error {
	typ := "subscribe"
	if c.protocol == LegacyWS {
		typ = "start"
	}
	return c.send(Message{ID: id, Type: typ, Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

// Read returns the next message; on graphql-transport-ws it answers pings itself.
// Reading stops when ctx ends (the connection is then closed).
func (c *Conn) Read(ctx context.Context) (Message, error) {
	stop := context.AfterFunc(ctx, func() { c.ws.Close() })
	defer stop()
	for {
		var m Message
		if err := c.ws.ReadJSON(&m); err != nil {
			if ctx.Err() != nil {
				return Message{}, ctx.Err()
			}
			return Message{}, err
		}
		if m.Type == "ping" {
			if err := c.send(Message{Type: "pong"}); err != nil {
				return Message{}, err
			}
			continue
		}
		return m, nil
	}
}

// nextSuffix ends a graphql-transport-ws "next" message as encoding/json
// (and apnet) write it: type is the envelope's last member.
var nextSuffix = []byte(`"type":"next"}`)

// ReadNext returns the raw bytes of the next "next" message, for clients
// that decode only part of each event (apnet-load's thousand readers). Any
// other message is decoded as Read does and returned as msg instead (pings
// are answered and skipped); raw is then nil.
func (c *Conn) ReadNext(ctx context.Context) (raw []byte, msg Message, err error) {
	stop := context.AfterFunc(ctx, func() { c.ws.Close() })
	defer stop()
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil, Message{}, ctx.Err()
			}
			return nil, Message{}, err
		}
		// A valid JSON object ending so has type "next" at the top level.
		if bytes.HasSuffix(bytes.TrimRight(b, " \t\r\n"), nextSuffix) {
			return b, Message{}, nil
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, Message{}, err
		}
		if m.Type == "ping" {
			if err := c.send(Message{Type: "pong"}); err != nil {
				return nil, Message{}, err
			}
			continue
		}
		return nil, m, nil
	}
}

// Next returns the next data message for any subscription, skipping keep-alives.
// An error message or a completion is returned as an error.
func (c *Conn) Next(ctx context.Context) (id string, r *Response, err error) {
	for {
		m, err := c.Read(ctx)
		if err != nil {
			return "", nil, err
		}
		switch m.Type {
		case "next", "data":
			var r Response
			if err := json.Unmarshal(m.Payload, &r); err != nil {
				return "", nil, err
			}
			return m.ID, &r, nil
		case "ka", "pong":
			continue
		default:
			return m.ID, nil, fmt.Errorf("subscription %s: %s %s", m.ID, m.Type, strings.TrimSpace(string(m.Payload)))
		}
	}
}

// Close closes the socket with a normal closure.
func (c *Conn) Close() error {
	c.mu.Lock()
	_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	c.mu.Unlock()
	return c.ws.Close()
}

// WS is the underlying connection, for tests that inspect close frames.
func (c *Conn) WS() *websocket.Conn { return c.ws }

func (c *Conn) send(m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(m)
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}
