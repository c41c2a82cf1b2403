package ratelimit

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func mustAllow(t *testing.T, l *Limiter, key string, now time.Time) {
	t.Helper()
	if ok, ra := l.Allow(key, now); !ok || ra != 0 {
		t.Fatalf("Allow(%q, +%v) = %v, %v; want allowed", key, now.Sub(t0), ok, ra)
	}
}

func mustDeny(t *testing.T, l *Limiter, key string, now time.Time, retry time.Duration) {
	t.Helper()
	if ok, ra := l.Allow(key, now); ok || ra != retry {
		t.Fatalf("Allow(%q, +%v) = %v, %v; want denied for %v", key, now.Sub(t0), ok, ra, retry)
	}
}

func TestLocksAfterMaxFailuresAndUnlocksAfterLockout(t *testing.T) {
	l := New(3, 10*time.Minute, 15*time.Minute)
	for i := range 2 {
		mustAllow(t, l, "a@x", at(time.Duration(i)*time.Minute))
		l.Fail("a@x", at(time.Duration(i)*time.Minute))
	}
	mustAllow(t, l, "a@x", at(2*time.Minute))
	l.Fail("a@x", at(2*time.Minute)) // third failure: locked until +17m
	mustDeny(t, l, "a@x", at(2*time.Minute), 15*time.Minute)
	mustDeny(t, l, "a@x", at(10*time.Minute), 7*time.Minute)
	mustDeny(t, l, "a@x", at(17*time.Minute-time.Nanosecond), time.Nanosecond)
	mustAllow(t, l, "other", at(3*time.Minute)) // keys are independent

	// A failure that raced the lock does not extend it.
	l.Fail("a@x", at(5*time.Minute))
	mustDeny(t, l, "a@x", at(5*time.Minute), 12*time.Minute)

	mustAllow(t, l, "a@x", at(17*time.Minute))
	// Counting starts afresh after a lock: two more failures do not re-lock.
	l.Fail("a@x", at(18*time.Minute))
	l.Fail("a@x", at(19*time.Minute))
	mustAllow(t, l, "a@x", at(19*time.Minute))
	l.Fail("a@x", at(20*time.Minute))
	mustDeny(t, l, "a@x", at(20*time.Minute), 15*time.Minute)
}

func TestWindowSlides(t *testing.T) {
	l := New(3, 10*time.Minute, time.Hour)
	l.Fail("k", at(0))
	l.Fail("k", at(6*time.Minute))
	// At +10m the first failure has left the window, so this is the second.
	l.Fail("k", at(10*time.Minute))
	mustAllow(t, l, "k", at(10*time.Minute))
	// +15m: failures at +6m, +10m and +15m are all within ten minutes.
	l.Fail("k", at(15*time.Minute))
	mustDeny(t, l, "k", at(15*time.Minute), time.Hour)

	// Failures spaced just over the window apart never lock.
	m := New(2, time.Minute, time.Hour)
	for i := range 10 {
		m.Fail("k", at(time.Duration(i)*time.Minute))
		mustAllow(t, m, "k", at(time.Duration(i)*time.Minute))
	}
}

func TestResetClearsFailuresAndLock(t *testing.T) {
	l := New(2, time.Minute, time.Hour)
	l.Fail("k", at(0))
	l.Reset("k")
	l.Fail("k", at(time.Second))
	mustAllow(t, l, "k", at(time.Second)) // one failure since the reset, not two

	l.Fail("k", at(2*time.Second))
	mustDeny(t, l, "k", at(2*time.Second), time.Hour)
	l.Reset("k")
	mustAllow(t, l, "k", at(3*time.Second))
	if n := l.Len(); n != 0 {
		t.Fatalf("Len after Reset = %d", n)
	}
	l.Reset("never seen") // no-op
}

func TestAllowStoresNothing(t *testing.T) {
	l := New(1, time.Minute, time.Minute)
	for i := range 1000 {
		mustAllow(t, l, fmt.Sprint("probe", i), at(0))
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("Len = %d after only Allow calls", n)
	}
}

func TestSweepDropsExpiredEntries(t *testing.T) {
	l := New(3, time.Minute, 5*time.Minute)
	for i := range 100 {
		l.Fail(fmt.Sprint("k", i), at(0))
	}
	for range 3 {
		l.Fail("locked", at(0))
	}
	if n := l.Len(); n != 101 {
		t.Fatalf("Len = %d, want 101", n)
	}
	// A window later the single failures have expired; the lock has not.
	l.Fail("new", at(time.Minute))
	if n := l.Len(); n != 2 {
		t.Fatalf("Len after sweep = %d, want 2 (locked, new)", n)
	}
	mustDeny(t, l, "locked", at(time.Minute), 4*time.Minute)
	// After the lock ends, it is swept too.
	l.Fail("newer", at(6*time.Minute))
	if n := l.Len(); n != 1 {
		t.Fatalf("Len after lock ended = %d, want 1", n)
	}
}

func TestCapEvictsOldestAndSparesLockedKeys(t *testing.T) {
	l := New(2, time.Hour, time.Hour)
	l.maxKeys = 5
	l.Fail("victim", at(0))
	l.Fail("victim", at(0)) // locked
	for i := range 1000 {
		l.Fail(fmt.Sprint("spray", i), at(time.Duration(i)*time.Millisecond))
		if n := l.Len(); n > 5 {
			t.Fatalf("Len = %d over cap 5", n)
		}
	}
	mustDeny(t, l, "victim", at(time.Second), time.Hour-time.Second)
	// The survivors are the locked key and the four most recent.
	for _, k := range []string{"spray996", "spray997", "spray998", "spray999"} {
		if l.entries[k] == nil {
			t.Errorf("%s evicted", k)
		}
	}
	if l.entries["spray995"] != nil {
		t.Error("spray995 kept; oldest not evicted")
	}

	// A failure moves a key to the front, so it outlives older ones.
	l.Fail("spray996", at(2*time.Second))
	l.Fail("fresh", at(2*time.Second))
	if l.entries["spray996"] == nil || l.entries["spray997"] != nil {
		t.Error("eviction did not follow recency")
	}

	// When every key is locked, the least recently locked goes.
	m := New(1, time.Hour, time.Hour)
	m.maxKeys = 2
	m.Fail("a", at(0))
	m.Fail("b", at(1))
	m.Fail("c", at(2))
	if m.entries["a"] != nil || m.entries["b"] == nil || m.entries["c"] == nil || m.Len() != 2 {
		t.Errorf("all-locked eviction kept %v", keys(m))
	}
}

func TestDefaultCap(t *testing.T) {
	l := New(5, time.Minute, time.Minute)
	if l.maxKeys != 100_000 || DefaultMaxKeys != 100_000 {
		t.Fatalf("maxKeys = %d, DefaultMaxKeys = %d", l.maxKeys, DefaultMaxKeys)
	}
}

func TestLongKeysAreDigested(t *testing.T) {
	l := New(1, time.Minute, time.Minute)
	long := strings.Repeat("x", 1<<20)
	l.Fail(long, at(0))
	mustDeny(t, l, long, at(0), time.Minute)
	mustAllow(t, l, long+"y", at(0))
	for k := range l.entries {
		if len(k) > maxKeyLen {
			t.Fatalf("stored key of %d bytes", len(k))
		}
	}
}

func TestNewRejectsNonsense(t *testing.T) {
	for _, args := range [][3]int64{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {-1, 1, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New%v did not panic", args)
				}
			}()
			New(int(args[0]), time.Duration(args[1]), time.Duration(args[2]))
		}()
	}
}

// Run with -race: many goroutines share keys and the cap.
func TestConcurrentUse(t *testing.T) {
	l := New(5, time.Minute, time.Minute)
	l.maxKeys = 50
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 2000 {
				key := fmt.Sprint("k", (g*7+i)%80)
				now := at(time.Duration(i) * time.Millisecond)
				if ok, _ := l.Allow(key, now); ok {
					l.Fail(key, now)
				}
				if i%97 == 0 {
					l.Reset(key)
				}
			}
		})
	}
	wg.Wait()
	if n := l.Len(); n > 50 {
		t.Fatalf("Len = %d over cap", n)
	}
	// The lists and the map agree.
	if got := l.open.Len() + l.locked.Len(); got != l.Len() {
		t.Fatalf("lists hold %d entries, map %d", got, l.Len())
	}
}

func keys(l *Limiter) []string {
	var out []string
	for k := range l.entries {
		out = append(out, k)
	}
	return out
}
