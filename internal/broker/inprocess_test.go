package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestInProcessFanOut(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	defer b.Close()
	ctx := t.Context()

	const n = 100
	subs := make([]<-chan []byte, n)
	for i := range subs {
		ch, err := b.Subscribe(ctx, "absence:school-1")
		if err != nil {
			t.Fatalf("subscribe %d: %v", i, err)
		}
		subs[i] = ch
	}
	for i := range 3 {
		if err := b.Publish(ctx, "absence:school-1", fmt.Appendf(nil, "event-%d", i)); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	for i, ch := range subs {
		for j := range 3 {
			if got, want := string(recv(t, ch, wait, fmt.Sprintf("subscriber %d", i))), fmt.Sprintf("event-%d", j); got != want {
				t.Fatalf("subscriber %d got %q, want %q (in order)", i, got, want)
			}
		}
	}
}

func TestInProcessPublishCopiesPayload(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	defer b.Close()
	ch, err := b.Subscribe(t.Context(), "t")
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte("original")
	if err := b.Publish(t.Context(), "t", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "CHANGED!")
	if got := string(recv(t, ch, wait, "subscriber")); got != "original" {
		t.Fatalf("got %q: publisher reusing its buffer changed a queued event", got)
	}
}

func TestInProcessTopicIsolation(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	defer b.Close()
	ctx := t.Context()

	a, err := b.Subscribe(ctx, "school-a")
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Subscribe(ctx, "school-b")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, "school-a", []byte("for-a")); err != nil {
		t.Fatal(err)
	}
	if got := string(recv(t, a, wait, "school-a subscriber")); got != "for-a" {
		t.Fatalf("school-a got %q", got)
	}
	// In-process delivery is synchronous: anything for school-b is queued by now.
	if len(other) != 0 {
		t.Fatalf("school-b subscriber received %d event(s) published on school-a", len(other))
	}
}

func TestInProcessUnsubscribeOnCancel(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	defer b.Close()
	hub := b.(*inProcess).hub

	ctx, cancel := context.WithCancel(t.Context())
	ch, err := b.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	keep, err := b.Subscribe(t.Context(), "t")
	if err != nil {
		t.Fatal(err)
	}
	if got := hub.count("t"); got != 2 {
		t.Fatalf("hub has %d subscribers, want 2", got)
	}

	cancel()
	waitClosed(t, ch, wait, "cancelled subscriber")
	if got := hub.count("t"); got != 1 {
		t.Fatalf("hub has %d subscribers after cancel, want 1", got)
	}
	// Publishing after the cancel must not panic and still reaches the other.
	if err := b.Publish(t.Context(), "t", []byte("x")); err != nil {
		t.Fatal(err)
	}
	recv(t, keep, wait, "remaining subscriber")

	// A context that is already done never leaves a subscriber behind.
	done, cancelDone := context.WithCancel(t.Context())
	cancelDone()
	if _, err := b.Subscribe(done, "t"); !errors.Is(err, context.Canceled) {
		t.Fatalf("subscribe with done ctx: err = %v, want context.Canceled", err)
	}
}

// Not parallel: it asserts on the process-wide dropped counter.
func TestInProcessSlowSubscriberDropsNotBlocks(t *testing.T) {
	b := NewInProcess()
	defer b.Close()
	ctx := t.Context()

	slow, err := b.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	fast, err := b.Subscribe(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}

	before := droppedTotal(t)
	const n = subscriberBuffer + 44
	for i := range n {
		// Publish never blocks on the slow subscriber, so this loop finishes
		// and the fast one sees every event.
		if err := b.Publish(ctx, "t", fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
		if got := string(recv(t, fast, wait, "fast subscriber")); got != fmt.Sprint(i) {
			t.Fatalf("fast subscriber got %q, want %d", got, i)
		}
	}
	if got := len(slow); got != subscriberBuffer {
		t.Fatalf("slow subscriber holds %d events, want a full buffer of %d", got, subscriberBuffer)
	}
	if got := droppedTotal(t) - before; got != n-subscriberBuffer {
		t.Fatalf("EventsDropped rose by %v, want %d", got, n-subscriberBuffer)
	}
	// The slow subscriber keeps the oldest events; the newest were dropped.
	if got := string(recv(t, slow, wait, "slow subscriber")); got != "0" {
		t.Fatalf("slow subscriber's first event = %q, want \"0\"", got)
	}
}

func TestInProcessClose(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	ctx := t.Context()

	var chans []<-chan []byte
	for _, topic := range []string{"a", "a", "b"} {
		ch, err := b.Subscribe(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if err := b.Publish(ctx, "a", []byte("pending")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for i, ch := range chans {
		waitClosed(t, ch, wait, fmt.Sprintf("subscriber %d", i))
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := b.Subscribe(ctx, "a"); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: err = %v, want ErrClosed", err)
	}
	if err := b.Publish(ctx, "a", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after close: err = %v, want ErrClosed", err)
	}
	if err := b.Ready(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("ready after close: err = %v, want ErrClosed", err)
	}
}

func TestInProcessEmptyTopic(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	defer b.Close()
	if _, err := b.Subscribe(t.Context(), ""); err == nil {
		t.Fatal("subscribe to empty topic: want error")
	}
	if err := b.Publish(t.Context(), "", nil); err == nil {
		t.Fatal("publish to empty topic: want error")
	}
}

// TestInProcessConcurrent exercises publish, subscribe, cancel and Close
// together for the race detector.
func TestInProcessConcurrent(t *testing.T) {
	t.Parallel()
	b := NewInProcess()
	ctx := t.Context()

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			// 8 publishers x 100 / 4 topics stays under subscriberBuffer,
			// so undrained subscribers do not drop (and log) here.
			for j := range 100 {
				_ = b.Publish(ctx, fmt.Sprint(j%4), []byte("x"))
			}
		})
		wg.Go(func() {
			for j := range 50 {
				sctx, cancel := context.WithCancel(ctx)
				ch, err := b.Subscribe(sctx, fmt.Sprint((i+j)%4))
				if err != nil {
					cancel()
					return // closed underneath us: fine
				}
				if j%2 == 0 {
					cancel()
					for range ch {
					}
				} else {
					defer cancel()
				}
			}
		})
	}
	wg.Go(func() { _ = b.Close() })
	wg.Wait()
	_ = b.Close()
}
