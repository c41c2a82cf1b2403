package wsgorilla

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// protoMsg has the shape of gqlgen's (unexported) protocol messages.
type protoMsg struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    protoType       `json:"type"`
	noOp    bool
}

type protoType string

// The hand-written envelope is byte for byte what encoding/json writes, for
// payloads as gqlgen makes them (json.Marshal: compact, HTML-escaped).
func TestAppendMessageMatchesEncodingJSON(t *testing.T) {
	data, err := json.Marshal(map[string]any{"data": map[string]any{"b": "x\"y<z>&\u2028é", "n": []any{1, 2.5e3, nil, true}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*protoMsg{
		{Type: "connection_ack"},
		{Type: "ping", Payload: json.RawMessage{}},
		{ID: "1", Type: "next", Payload: data},
		{ID: "sub-é\"\\<>&\n\u2028", Type: "error", Payload: json.RawMessage(`[{"message":"no"}]`)},
		{ID: "complete-only", Type: "complete"},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendMessage(nil, m)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("appendMessage(%+v) = %s, %v; want %s", m, got, err, want)
		}
	}
	if !envelopeOf(reflect.TypeFor[protoMsg]()).ok {
		t.Fatal("the protocol message shape is not recognised")
	}
}

// Other values go through encoding/json.
func TestAppendMessageOtherValues(t *testing.T) {
	type other struct {
		Payload json.RawMessage `json:"payload,omitempty"`
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Extra   int             `json:"extra"`
	}
	for _, v := range []any{map[string]any{"type": "x"}, &other{Type: "t", Extra: 3}, other{Type: "v"}, (*protoMsg)(nil)} {
		want, _ := json.Marshal(v)
		got, err := appendMessage(nil, v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("appendMessage(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	if _, err := appendMessage(nil, func() {}); err == nil {
		t.Error("a value encoding/json refuses must fail")
	}
}
