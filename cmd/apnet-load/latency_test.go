package main

import "testing"

// markKey finds what decoding the event finds, and gives up (for the
// decoding path) on anything else.
func TestMarkKey(t *testing.T) {
	ev := `{"payload":{"data":{"attendanceRecorded":{"outcome":"CREATED","mark":{"id":"7","date":"2026-12-01","session":"AM","code":"N","status":"ABSENT","placement":{"id":"42","learner":{"upn":"A123"}}},"alert":{"kind":"ABSENCE"}}}},"id":"1","type":"next"}`
	got, ok := markKey([]byte(ev))
	want, wantOK := decodeMarkKey([]byte(ev))
	if !ok || !wantOK || got != want || got != "42/2026-12-01/AM" {
		t.Fatalf("markKey %q %v, decoded %q %v", got, ok, want, wantOK)
	}
	for _, bad := range []string{
		`{"payload":{"errors":[{"message":"no"}],"data":null},"id":"1","type":"next"}`,
		`{"payload":{"data":{"attendanceRecorded":{"mark":{"id":"7","date":"2026-12-01","session":"A\"M","placement":{"id":"42"}}}}},"id":"1","type":"next"}`,
		`{"payload":{"data":{"attendanceRecorded":{"mark":{"id":"7","date":"2026-12-01"}}}},"id":"1","type":"next"}`,
	} {
		if k, ok := markKey([]byte(bad)); ok {
			t.Errorf("markKey(%s) = %q, want the decoding path", bad, k)
		}
	}
}
