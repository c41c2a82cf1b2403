// Package ratelimit throttles failed sign-ins, per account and per client
// address, in the memory of one process. After max failures within a
// sliding window a key is locked for a fixed time; a success resets it.
//
// Callers pass the time in, so tests need no sleeps and one request sees one
// consistent "now". State is per process: with several replicas an attacker
// gets max attempts per replica per lockout.
package ratelimit

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultMaxKeys bounds how many keys a Limiter remembers. Each holds up to
// max timestamps, so memory stays under about DefaultMaxKeys×(200+24×max)
// bytes.
const DefaultMaxKeys = 100_000

// maxKeyLen is the longest key stored as given (an email is at most 254
// bytes); longer keys are stored as their SHA-256 digest, so hostile input
// (a megabyte "email") cannot make an entry large.
const maxKeyLen = 256

// Limiter counts failures per key. It is safe for concurrent use.
type Limiter struct {
	max     int
	window  time.Duration
	lockout time.Duration
	maxKeys int

	mu      sync.Mutex
	entries map[string]*entry
	// Two recency lists (front = most recently failed). Eviction takes the
	// oldest open entry first, so spraying failures over many new keys
	// cannot push out, and so unlock, a key that is locked.
	open, locked list.List
	lastSweep    time.Time
}

type entry struct {
	key         string
	failures    []time.Time // within the window, oldest first; at most max
	lockedUntil time.Time   // zero when not locked
	elem        *list.Element
	inLocked    bool
}

// New returns a Limiter that locks a key for lockout once it has max
// failures within window. It panics if max < 1 or a duration is not
// positive, which is a programming error.
func New(max int, window, lockout time.Duration) *Limiter {
	if max < 1 || window <= 0 || lockout <= 0 {
		panic("ratelimit: max, window and lockout must be positive")
	}
	return &Limiter{
		max:     max,
		window:  window,
		lockout: lockout,
		maxKeys: DefaultMaxKeys,
		entries: make(map[string]*entry),
	}
}

// Allow reports whether key may try now. When it may not, retryAfter is how
// long until its lock ends (exact; round up when showing whole seconds).
// Allow only reads: it records nothing, and an unknown key costs no memory.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	key = normKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		return true, 0
	}
	if e.lockedUntil.After(now) {
		return false, e.lockedUntil.Sub(now)
	}
	return true, 0
}

// Fail records a failed attempt by key at now, locking the key when this is
// its max-th failure within the window. A failure reported while the key is
// locked (an attempt that raced the lock) is ignored: the lock already runs.
func (l *Limiter) Fail(key string, now time.Time) {
	key = normKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.window {
		l.sweep(now)
	}
	e := l.entries[key]
	if e == nil {
		if len(l.entries) >= l.maxKeys {
			l.evictOldest()
		}
		e = &entry{key: key}
		e.elem = l.open.PushFront(e)
		l.entries[key] = e
	}
	if e.lockedUntil.After(now) {
		return
	}
	l.expire(e, now)
	e.failures = append(e.failures, now)
	if len(e.failures) >= l.max {
		// Counting starts afresh when the lock ends.
		e.failures = e.failures[:0]
		e.lockedUntil = now.Add(l.lockout)
		l.move(e, true)
		return
	}
	l.move(e, false)
}

// Reset forgets key, after a successful sign-in.
func (l *Limiter) Reset(key string) {
	key = normKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[key]; e != nil {
		l.remove(e)
	}
}

// Len returns how many keys are remembered, for metrics and tests.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// expire ends a lock that has run out and drops failures older than the
// window. A failure at t counts while now-t < window.
func (l *Limiter) expire(e *entry, now time.Time) {
	if !e.lockedUntil.IsZero() && !e.lockedUntil.After(now) {
		e.lockedUntil = time.Time{}
	}
	cut := 0
	for cut < len(e.failures) && now.Sub(e.failures[cut]) >= l.window {
		cut++
	}
	if cut > 0 {
		e.failures = append(e.failures[:0], e.failures[cut:]...)
	}
}

// sweep deletes entries that are neither locked nor holding a failure in the
// window. It runs at most once per window, from Fail, so its cost (one pass
// over at most maxKeys entries) is spread thin.
func (l *Limiter) sweep(now time.Time) {
	l.lastSweep = now
	for _, e := range l.entries {
		l.expire(e, now)
		if e.lockedUntil.IsZero() && len(e.failures) == 0 {
			l.remove(e)
		}
	}
}

// evictOldest makes room for one key: the least recently failed open key,
// or, when every key is locked, the least recently locked one.
func (l *Limiter) evictOldest() {
	back := l.open.Back()
	if back == nil {
		back = l.locked.Back()
	}
	if back != nil {
		l.remove(back.Value.(*entry))
	}
}

// move puts e at the front of the open or locked list.
func (l *Limiter) move(e *entry, locked bool) {
	if e.inLocked == locked {
		l.list(locked).MoveToFront(e.elem)
		return
	}
	l.list(e.inLocked).Remove(e.elem)
	e.inLocked = locked
	e.elem = l.list(locked).PushFront(e)
}

func (l *Limiter) remove(e *entry) {
	l.list(e.inLocked).Remove(e.elem)
	delete(l.entries, e.key)
}

func (l *Limiter) list(locked bool) *list.List {
	if locked {
		return &l.locked
	}
	return &l.open
}

func normKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return string(sum[:])
}
