package broker

import (
	"testing"
	"time"

	"github.com/apnet/apnet/internal/metrics"
)

// wait bounds every blocking step in the tests; nothing asserts by sleeping.
const wait = 5 * time.Second

// recv returns the next payload on ch or fails the test after d.
func recv(t *testing.T, ch <-chan []byte, d time.Duration, what string) []byte {
	t.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed, want a payload", what)
		}
		return p
	case <-time.After(d):
		t.Fatalf("%s: no payload within %s", what, d)
		return nil
	}
}

// waitClosed drains ch until it is closed or fails the test after d.
func waitClosed(t *testing.T, ch <-chan []byte, d time.Duration, what string) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("%s: channel not closed within %s", what, d)
		}
	}
}

// eventually polls cond every 20ms until it is true or fails after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// droppedTotal reads apnet_events_dropped_total back from the registry.
func droppedTotal(t *testing.T) float64 {
	t.Helper()
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "apnet_events_dropped_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("apnet_events_dropped_total not registered")
	return 0
}
