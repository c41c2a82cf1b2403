package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/apnet/apnet/internal/dbtest"
)

// Requests refused before any operation runs still get GraphQL's error shape,
// and every error in it carries an extensions.code.
func TestTransportErrorsCarryACode(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	const me = `{"query":"{ me { email } }"}`
	for name, tc := range map[string]struct {
		method, path, ctype, body string
		status                    int
		code                      string
		msg                       string // in the message
	}{
		"malformed JSON body":        {"POST", "/query", "application/json", `{"query": "{ me { email } }", "variables": {"password": "hunter2"`, 400, "BAD_USER_INPUT", "could not be decoded"},
		"variables not an object":    {"POST", "/query", "application/json", `{"query":"{ me { email } }","variables":[1]}`, 400, "BAD_USER_INPUT", "could not be decoded"},
		"missing query":              {"POST", "/query", "application/json", `{}`, 422, "GRAPHQL_VALIDATION_FAILED", "no operation provided"},
		"unparsable query":           {"POST", "/query", "application/json", `{"query":"{ me { "}`, 422, "GRAPHQL_PARSE_FAILED", ""},
		"unsupported Content-Type":   {"POST", "/query", "text/plain", me, 415, "BAD_USER_INPUT", "application/json"},
		"no Content-Type":            {"POST", "/query", "", me, 415, "BAD_USER_INPUT", "application/json"},
		"unsupported method":         {"PUT", "/query", "application/json", me, 405, "BAD_USER_INPUT", "GET or POST"},
		"GET with a mutation":        {"GET", "/query?query=" + "mutation%7Blogout%7D", "", "", 406, "BAD_USER_INPUT", "only allow query"},
		"GET with undecodable vars":  {"GET", "/query?query=%7Bme%7Bemail%7D%7D&variables=%7B", "", "", 400, "BAD_USER_INPUT", "variables"},
		"GET without a query":        {"GET", "/query", "", "", 422, "GRAPHQL_VALIDATION_FAILED", "no operation"},
		"malformed multipart":        {"POST", "/query", "multipart/form-data; boundary=xyz", "--xyz\r\nnonsense", 422, "BAD_USER_INPUT", ""},
		"multipart without boundary": {"POST", "/query", "multipart/form-data", "--xyz\r\nnonsense", 422, "BAD_USER_INPUT", "multipart"},
		"oversize body":              {"POST", "/query", "application/json", `{"query":"#` + strings.Repeat("x", 1<<20) + `"}`, 413, "BAD_USER_INPUT", "1048576-byte limit"},
		"oversize body, no length":   {"POST", "/query", "application/json", "chunked:" + `{"query":"#` + strings.Repeat("x", 1<<20) + `"}`, 413, "BAD_USER_INPUT", "1048576-byte limit"},
		"oversize upload, up front":  {"POST", "/query", "multipart/form-data; boundary=xyz", strings.Repeat("x", testUploadLimit+70<<10), 413, "BAD_USER_INPUT", ""},
	} {
		t.Run(name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tc.body)
			if b, ok := strings.CutPrefix(tc.body, "chunked:"); ok {
				body = io.MultiReader(strings.NewReader(b)) // no Content-Length
			}
			req, err := http.NewRequest(tc.method, e.http.URL+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			req.Header.Set("Authorization", "Bearer "+e.admin.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var r struct {
				Data   json.RawMessage
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("not JSON (%s): %.300s", resp.Header.Get("Content-Type"), raw)
			}
			if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
				t.Errorf("status %d %s, want %d JSON", resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
			}
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != tc.code || !strings.Contains(r.Errors[0].Message, tc.msg) {
				t.Fatalf("want one %s error mentioning %q, got %.300s", tc.code, tc.msg, raw)
			}
			if d := string(r.Data); d != "" && d != "null" {
				t.Errorf("data %s", d)
			}
			if strings.Contains(string(raw), "hunter2") {
				t.Errorf("the request body is echoed back: %s", raw)
			}
		})
	}
}

// Websocket protocol errors carry a code too, and a message the server
// cannot handle closes the socket with graphql-transport-ws's 4400.
func TestWebsocketProtocolErrorsCarryACode(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	dial := func(t *testing.T, proto string, init bool) *websocket.Conn {
		t.Helper()
		d := websocket.Dialer{Subprotocols: []string{proto}}
		c, _, err := d.Dial(e.ws, http.Header{"Origin": {e.http.URL}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if init {
			if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + e.admin.Token}}); err != nil {
				t.Fatal(err)
			}
			var ack struct{ Type string }
			if err := c.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
				t.Fatalf("ack: %+v %v", ack, err)
			}
		}
		return c
	}
	type wsMsg struct {
		Type    string
		Payload json.RawMessage
	}
	// until reads messages until the socket closes, returning them and the close.
	until := func(t *testing.T, c *websocket.Conn) ([]wsMsg, *websocket.CloseError) {
		t.Helper()
		var got []wsMsg
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				ce, _ := err.(*websocket.CloseError)
				return got, ce
			}
			var m wsMsg
			_ = json.Unmarshal(b, &m)
			if m.Type != "ping" && m.Type != "ka" {
				got = append(got, m)
			}
		}
	}
	errorCode := func(t *testing.T, payload json.RawMessage) string {
		t.Helper()
		var one struct{ Extensions map[string]any }
		if json.Unmarshal(payload, &one) != nil {
			var list []struct{ Extensions map[string]any }
			if err := json.Unmarshal(payload, &list); err != nil || len(list) != 1 {
				t.Fatalf("payload %s", payload)
			}
			one = list[0]
		}
		code, _ := one.Extensions["code"].(string)
		return code
	}

	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		for name, send := range map[string]string{
			"unknown message type":          `{"type":"bogus"}`,
			"not JSON":                      `{nonsense`,
			"no type":                       `{"id":"1"}`,
			"server's own type from client": map[string]string{"graphql-transport-ws": `{"type":"next","id":"1"}`, "graphql-ws": `{"type":"data","id":"1"}`}[proto],
		} {
			for _, init := range []bool{false, true} {
				t.Run(proto+"/"+name+map[bool]string{true: " after init", false: " first"}[init], func(t *testing.T) {
					c := dial(t, proto, init)
					if err := c.WriteMessage(websocket.TextMessage, []byte(send)); err != nil {
						t.Fatal(err)
					}
					msgs, closed := until(t, c)
					if closed == nil || closed.Code != 4400 {
						t.Fatalf("closed with %v, want 4400", closed)
					}
					if proto == "graphql-ws" { // the legacy protocol says why in a message as well
						if len(msgs) != 1 || msgs[0].Type != "connection_error" || errorCode(t, msgs[0].Payload) != "BAD_USER_INPUT" {
							t.Fatalf("messages %+v", msgs)
						}
					} else if len(msgs) != 0 {
						t.Fatalf("messages %+v", msgs)
					}
				})
			}
		}

		t.Run(proto+"/operation payload not an object", func(t *testing.T) {
			c := dial(t, proto, true)
			start := map[string]string{"graphql-transport-ws": "subscribe", "graphql-ws": "start"}[proto]
			if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"`+start+`","id":"1","payload":"x"}`)); err != nil {
				t.Fatal(err)
			}
			var m wsMsg
			if err := c.ReadJSON(&m); err != nil {
				t.Fatal(err)
			}
			for m.Type == "ka" || m.Type == "ping" {
				_ = c.ReadJSON(&m)
			}
			if m.Type != "error" || errorCode(t, m.Payload) != "BAD_USER_INPUT" {
				t.Fatalf("got %s %s", m.Type, m.Payload)
			}
		})
	}

	t.Run("graphql-ws sign-in refused", func(t *testing.T) {
		c := dial(t, "graphql-ws", false)
		if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer nope"}}); err != nil {
			t.Fatal(err)
		}
		msgs, closed := until(t, c)
		if closed == nil || closed.Code != 4401 {
			t.Fatalf("closed with %v, want 4401", closed)
		}
		if len(msgs) != 1 || msgs[0].Type != "connection_error" || errorCode(t, msgs[0].Payload) != "UNAUTHENTICATED" {
			t.Fatalf("messages %+v", msgs)
		}
	})
}
