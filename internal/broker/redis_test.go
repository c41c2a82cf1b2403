package broker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apnet/apnet/internal/testenv"
)

// These tests need a real Redis; they share it with parallel runs, so every
// test uses its own topics and client names and kills only its own
// connections.

func testRedisURL(t *testing.T) string {
	t.Helper()
	return testenv.RedisURL(t)
}

func unique(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// withClientName names a broker's connections so CLIENT LIST can find them.
func withClientName(t *testing.T, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse APNET_TEST_REDIS_URL: %v", err)
	}
	q := u.Query()
	q.Set("client_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// newReplica starts a Redis broker, as one API replica would, named name.
func newReplica(t *testing.T, rawURL, name string) Broker {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	b, err := NewRedis(ctx, withClientName(t, rawURL, name), nil)
	if err != nil {
		t.Fatalf("NewRedis(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close %s: %v", name, err)
		}
	})
	return b
}

func adminClient(t *testing.T, rawURL string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		t.Fatalf("parse APNET_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// pubsubConnIDs lists the ids of pub/sub connections named name.
func pubsubConnIDs(t *testing.T, admin *redis.Client, name string) []string {
	t.Helper()
	out, err := admin.Do(t.Context(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	var ids []string
	for line := range strings.SplitSeq(out, "\n") {
		f := map[string]string{}
		for kv := range strings.FieldsSeq(line) {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		if f["name"] == name {
			ids = append(ids, f["id"])
		}
	}
	return ids
}

func TestRedisAcrossReplicas(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, u, unique("apnet-test-b"))
	topic := unique("absence")

	ch, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatalf("subscribe on B: %v", err)
	}
	// Published immediately after Subscribe returned: must arrive.
	if err := a.Publish(t.Context(), topic, []byte("child-absent")); err != nil {
		t.Fatalf("publish on A: %v", err)
	}
	if got := string(recv(t, ch, wait, "subscriber on B")); got != "child-absent" {
		t.Fatalf("B got %q", got)
	}
	if err := a.Ready(t.Context()); err != nil {
		t.Fatalf("A ready: %v", err)
	}
	if err := b.Ready(t.Context()); err != nil {
		t.Fatalf("B ready: %v", err)
	}
}

func TestRedisTopicIsolation(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, u, unique("apnet-test-b"))
	topicX, topicY := unique("school-x"), unique("school-y")

	x, err := b.Subscribe(t.Context(), topicX)
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Subscribe(t.Context(), topicY)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), topicX, []byte("for-x")); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), topicY, []byte("marker-y")); err != nil {
		t.Fatal(err)
	}
	// One publisher connection, one pub/sub connection: Redis delivers in
	// order, so if Y had been sent "for-x" it would come before the marker.
	if got := string(recv(t, y, wait, "topic Y subscriber")); got != "marker-y" {
		t.Fatalf("topic Y subscriber got %q first, want only its own marker", got)
	}
	if got := string(recv(t, x, wait, "topic X subscriber")); got != "for-x" {
		t.Fatalf("topic X subscriber got %q", got)
	}
	if len(x) != 0 || len(y) != 0 {
		t.Fatalf("unexpected extra events: x=%d y=%d", len(x), len(y))
	}
}

func TestRedisManySubscribersOneConnection(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	admin := adminClient(t, u)
	nameB := unique("apnet-test-b")
	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, u, nameB)
	topic := unique("absence")

	const n = 1000
	subs := make([]<-chan []byte, n)
	for i := range subs {
		ch, err := b.Subscribe(t.Context(), topic)
		if err != nil {
			t.Fatalf("subscribe %d: %v", i, err)
		}
		subs[i] = ch
	}
	if ids := pubsubConnIDs(t, admin, nameB); len(ids) != 1 {
		t.Fatalf("broker with %d subscribers has %d Redis pub/sub connections, want 1", n, len(ids))
	}
	// Pattern subscription: no per-topic SUBSCRIBE at all.
	numsub, err := admin.PubSubNumSub(t.Context(), channelPrefix+topic).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got := numsub[channelPrefix+topic]; got != 0 {
		t.Fatalf("PUBSUB NUMSUB %s = %d, want 0 (topics ride on the apnet:* pattern)", topic, got)
	}

	if err := a.Publish(t.Context(), topic, []byte("to-all")); err != nil {
		t.Fatal(err)
	}
	for i, ch := range subs {
		if got := string(recv(t, ch, wait, fmt.Sprintf("subscriber %d", i))); got != "to-all" {
			t.Fatalf("subscriber %d got %q", i, got)
		}
	}
}

// Not parallel: it asserts on the process-wide dropped counter.
func TestRedisSlowSubscriberDoesNotStallLoop(t *testing.T) {
	u := testRedisURL(t)
	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, u, unique("apnet-test-b"))
	topic := unique("absence")

	slow, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	before := droppedTotal(t)
	const n = subscriberBuffer + 10
	for i := range n {
		if err := a.Publish(t.Context(), topic, fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
		if got := string(recv(t, fast, wait, "fast subscriber")); got != fmt.Sprint(i) {
			t.Fatalf("fast subscriber got %q, want %d", got, i)
		}
	}
	if got := len(slow); got != subscriberBuffer {
		t.Fatalf("slow subscriber holds %d events, want %d", got, subscriberBuffer)
	}
	if got := droppedTotal(t) - before; got != n-subscriberBuffer {
		t.Fatalf("EventsDropped rose by %v, want %d", got, n-subscriberBuffer)
	}
}

// publishUntilReceived publishes fresh events on topic until one arrives on
// ch, proving delivery works end to end after a disruption.
func publishUntilReceived(t *testing.T, pub Broker, topic string, ch <-chan []byte, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_ = pub.Publish(ctx, topic, fmt.Appendf(nil, "after-%d", i)) // may fail mid-outage
		cancel()
		select {
		case p, ok := <-ch:
			if !ok {
				t.Fatal("subscriber channel closed during reconnect")
			}
			if !strings.HasPrefix(string(p), "after-") {
				t.Fatalf("got %q", p)
			}
			return
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no event delivered within %s of the disruption", d)
		}
	}
}

func TestRedisReconnectAfterKill(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	admin := adminClient(t, u)
	nameB := unique("apnet-test-b")
	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, u, nameB)
	topic := unique("absence")

	ch, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	ids := pubsubConnIDs(t, admin, nameB)
	if len(ids) != 1 {
		t.Fatalf("want 1 pub/sub connection for B, got %v", ids)
	}
	// CLIENT KILL TYPE pubsub, narrowed by ID so parallel runs keep theirs.
	killed, err := admin.Do(t.Context(), "CLIENT", "KILL", "ID", ids[0], "TYPE", "pubsub").Int()
	if err != nil || killed != 1 {
		t.Fatalf("CLIENT KILL ID %s TYPE pubsub = %d, %v; want 1 killed", ids[0], killed, err)
	}

	publishUntilReceived(t, a, topic, ch, 10*time.Second)

	after := pubsubConnIDs(t, admin, nameB)
	if len(after) != 1 || after[0] == ids[0] {
		t.Fatalf("after reconnect B has pub/sub connections %v, want one new one (killed %s)", after, ids[0])
	}
	eventually(t, wait, "B ready after reconnect", func() bool { return b.Ready(t.Context()) == nil })
}

// TestRedisOutage cuts B off from Redis entirely (a restart, as B sees it)
// through a TCP proxy in front of the real server, then restores it.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, opts.Addr)
	viaProxy, _ := url.Parse(u)
	viaProxy.Host = p.addr

	a := newReplica(t, u, unique("apnet-test-a"))
	b := newReplica(t, viaProxy.String(), unique("apnet-test-b"))
	topic := unique("absence")
	ch, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}

	p.down(t)
	eventually(t, wait, "B not ready while Redis is unreachable", func() bool {
		return b.Ready(t.Context()) != nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	err = b.Publish(ctx, topic, []byte("lost"))
	cancel()
	if err == nil {
		t.Fatal("publish on B succeeded while Redis is unreachable")
	}
	if _, err := b.Subscribe(t.Context(), unique("other")); err == nil {
		t.Fatal("subscribe on B succeeded while its pub/sub connection is down")
	}

	p.up(t)
	eventually(t, 15*time.Second, "B ready once Redis is back", func() bool {
		return b.Ready(t.Context()) == nil
	})
	// Existing subscriber kept its channel and hears new events again.
	publishUntilReceived(t, a, topic, ch, 10*time.Second)
	if err := b.Publish(t.Context(), topic, []byte("from-b")); err != nil {
		t.Fatalf("publish on B after recovery: %v", err)
	}
	for {
		if got := string(recv(t, ch, wait, "B's own publish")); got == "from-b" {
			break
		}
	}
}

// TestRedisDeadPeer: the pub/sub connection goes silent without closing.
// Only the PING health check can notice; the loop must then reconnect.
func TestRedisDeadPeer(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, opts.Addr)
	viaProxy, _ := url.Parse(u)
	viaProxy.Host = p.addr

	a := newReplica(t, u, unique("apnet-test-a"))
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	b, err := newRedis(ctx, withClientName(t, viaProxy.String(), unique("apnet-test-b")), nil, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	topic := unique("absence")
	ch, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}

	p.blackhole()
	publishUntilReceived(t, a, topic, ch, 10*time.Second)
}

// TestRedisCloseDuringOutage: Close must not hang on a reconnect loop that
// cannot reach Redis.
func TestRedisCloseDuringOutage(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, opts.Addr)
	viaProxy, _ := url.Parse(u)
	viaProxy.Host = p.addr

	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	b, err := NewRedis(ctx, withClientName(t, viaProxy.String(), unique("apnet-test")), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := b.Subscribe(t.Context(), unique("absence"))
	if err != nil {
		t.Fatal(err)
	}
	p.down(t)
	eventually(t, wait, "B notices the outage", func() bool { return b.Ready(t.Context()) != nil })

	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatalf("Close did not return within %s while Redis was unreachable", wait)
	}
	waitClosed(t, ch, wait, "subscriber")
}

func TestRedisUnreachableAtStart(t *testing.T) {
	t.Parallel()
	// Reserve a port, then free it so nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	b, err := NewRedis(ctx, "redis://"+addr+"/0", nil)
	if err == nil {
		_ = b.Close()
		t.Fatal("NewRedis succeeded with no server listening")
	}
	if b != nil {
		t.Fatalf("NewRedis returned a non-nil Broker (%T) with error %v", b, err)
	}
}

func TestRedisClose(t *testing.T) {
	t.Parallel()
	u := testRedisURL(t)
	ctx := t.Context()
	b, err := NewRedis(ctx, withClientName(t, u, unique("apnet-test")), nil)
	if err != nil {
		t.Fatal(err)
	}
	ch1, err := b.Subscribe(ctx, unique("a"))
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := b.Subscribe(ctx, unique("b"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	waitClosed(t, ch1, wait, "subscriber 1")
	waitClosed(t, ch2, wait, "subscriber 2")
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := b.Subscribe(ctx, "a"); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after close: %v, want ErrClosed", err)
	}
	if err := b.Publish(ctx, "a", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after close: %v, want ErrClosed", err)
	}
	if err := b.Ready(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("ready after close: %v, want ErrClosed", err)
	}
}

func TestRedisBadURLHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := NewRedis(t.Context(), "redis://user:s3cret@%zz:6379/0", nil)
	if err == nil {
		t.Fatal("want error for malformed URL")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// proxy forwards TCP to Redis and can drop off the network like a restarting
// server: down closes the listener (new dials are refused) and every open
// connection.
type proxy struct {
	target, addr string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool // value: blackholed (bytes read and discarded)
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.down(t)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
}

func (p *proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down while dialling
		p.mu.Unlock()
		_ = c.Close()
		_ = s.Close()
		return
	}
	p.conns[c], p.conns[s] = false, false
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(s, c); done <- struct{}{} }()
	go func() { p.pipe(c, s); done <- struct{}{} }()
	<-done
	_ = c.Close()
	_ = s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// pipe copies src to dst, discarding data once src is blackholed.
func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			drop := p.conns[src]
			p.mu.Unlock()
			if !drop {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// blackhole silently swallows all traffic on the connections open now, like
// a dropped NAT entry: no FIN, no RST. New connections work normally.
func (p *proxy) blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		p.conns[c] = true
	}
}

func (p *proxy) down(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
}

func (p *proxy) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("proxy relisten on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
