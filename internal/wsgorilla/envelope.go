package wsgorilla

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"unicode/utf8"
)

// bufPool holds message buffers: one event goes to many sockets.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBuf keeps an occasional huge message's buffer out of the pool.
const maxPooledBuf = 64 << 10

// envelope locates the fields of gqlgen's protocol messages, which are
// unexported structs shaped {Payload json.RawMessage "payload,omitempty";
// ID string "id,omitempty"; Type ~string "type"} for both subprotocols.
type envelope struct {
	payload, id, typ int
	ok               bool
}

var envelopes sync.Map // reflect.Type → envelope

var rawMessageType = reflect.TypeFor[json.RawMessage]()

func envelopeOf(t reflect.Type) envelope {
	if e, ok := envelopes.Load(t); ok {
		return e.(envelope)
	}
	e := envelope{ok: true}
	found := 0
	for i := range t.NumField() {
		f := t.Field(i)
		switch f.Tag.Get("json") {
		case "payload,omitempty":
			e.payload, e.ok, found = i, e.ok && f.Type == rawMessageType, found+1
		case "id,omitempty":
			e.id, e.ok, found = i, e.ok && f.Type.Kind() == reflect.String, found+1
		case "type":
			e.typ, e.ok, found = i, e.ok && f.Type.Kind() == reflect.String, found+1
		case "", "-":
			if f.IsExported() {
				e.ok = false // a field encoding/json would write
			}
		default:
			e.ok = false
		}
	}
	e.ok = e.ok && found == 3
	envelopes.Store(t, e)
	return e
}

// appendMessage appends v's JSON encoding to b. For gqlgen's protocol
// messages it writes the envelope itself and copies the payload as is:
// gqlgen has just produced it with json.Marshal (or, for a pong, decoded it
// from the client's ping, sent back as received), so it is valid JSON, and
// encoding/json would only validate and compact it again, once per
// subscriber per event.
func appendMessage(b []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		rv = rv.Elem()
		if e := envelopeOf(rv.Type()); e.ok {
			return appendEnvelope(b, rv.Field(e.payload).Bytes(), rv.Field(e.id).String(), rv.Field(e.typ).String()), nil
		}
	}
	out, err := json.Marshal(v)
	return append(b, out...), err
}

// appendEnvelope writes the fields in encoding/json's order and omissions.
func appendEnvelope(b, payload []byte, id, typ string) []byte {
	b = append(b, '{')
	if len(payload) > 0 {
		b = append(b, `"payload":`...)
		b = append(b, payload...)
		b = append(b, ',')
	}
	if id != "" {
		b = append(b, `"id":`...)
		b = appendString(b, id)
		b = append(b, ',')
	}
	b = append(b, `"type":`...)
	b = appendString(b, typ)
	return append(b, '}')
}

// appendString quotes s as JSON. The id is the client's own, so anything
// beyond plain printable ASCII goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// codeErrors gives gqlgen's error messages a code (Options.ErrorCode): an
// operation's "error" message at once; a legacy connection_error is held
// until WriteClose, whose close code decides its code. It reports whether v
// was held rather than to be written now.
func (c *conn) codeErrors(v any) (held bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	rv = rv.Elem()
	e := envelopeOf(rv.Type())
	if !e.ok {
		return false
	}
	payload := rv.Field(e.payload)
	switch rv.Field(e.typ).String() {
	case "connection_error":
		c.writeMu.Lock()
		c.heldError = bytes.Clone(payload.Bytes())
		c.writeMu.Unlock()
		return true
	case "error":
		if payload.CanSet() {
			payload.SetBytes(withCode(payload.Bytes(), c.errorCode(0)))
		}
	}
	return false
}

// withCode sets extensions.code on each error in payload (one error object
// or a list of them) that has none.
func withCode(payload []byte, code string) []byte {
	if code == "" {
		return payload
	}
	var list []map[string]any
	single := false
	if json.Unmarshal(payload, &list) != nil {
		var one map[string]any
		if json.Unmarshal(payload, &one) != nil {
			return payload
		}
		list, single = []map[string]any{one}, true
	}
	for _, e := range list {
		ext, _ := e["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			e["extensions"] = ext
		}
		if _, ok := ext["code"]; !ok {
			ext["code"] = code
		}
	}
	var out []byte
	var err error
	if single {
		out, err = json.Marshal(list[0])
	} else {
		out, err = json.Marshal(list)
	}
	if err != nil {
		return payload
	}
	return out
}
