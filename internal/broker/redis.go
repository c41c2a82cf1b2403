package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// channelPrefix namespaces our channels. Redis pub/sub ignores the DB
	// number, so this prefix is the only separation from other apps.
	channelPrefix = "apnet:"
	pattern       = channelPrefix + "*"

	// defaultHealthInterval: with no traffic for this long the loop PINGs; no
	// reply within another interval means the connection is dead (catches a
	// peer that vanished without closing TCP, e.g. a dropped NAT entry).
	defaultHealthInterval = 5 * time.Second
	// confirmTimeout bounds waiting for the PSUBSCRIBE acknowledgement.
	confirmTimeout = 5 * time.Second

	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
	// stableAfter: a connection that lived this long resets the backoff, so a
	// flapping server is not hammered every minBackoff.
	stableAfter = time.Minute

	readyTimeout = 2 * time.Second
)

// redisBroker publishes with PUBLISH and receives through one pattern
// subscription per process.
//
// Why PSUBSCRIBE apnet:* and not SUBSCRIBE per topic with refcounting: the
// subscription is confirmed once (in NewRedis and after each reconnect), so
// Subscribe is purely local and costs no round trip; there is no
// subscribe/unsubscribe bookkeeping to get wrong when the same topic is
// dropped and re-added while a reply is in flight; and resubscribing after a
// reconnect is one command. The cost is that every replica receives every
// apnet event and discards topics nobody local watches, which is cheap at
// safeguarding-event rates.
type redisBroker struct {
	client         *redis.Client
	hub            *hub
	log            *slog.Logger
	healthInterval time.Duration

	ctx    context.Context // cancelled by Close; stops the receive loop
	cancel context.CancelFunc
	done   chan struct{} // closed when the receive loop has exited

	subscribed atomic.Bool // pattern subscription confirmed on a live connection

	mu sync.Mutex
	ps *redis.PubSub // current pub/sub, so Close can interrupt a blocked read

	closeOnce sync.Once
	closeErr  error
}

// NewRedis connects to Redis at url (e.g. redis://127.0.0.1:6379/0) and
// returns once the pattern subscription is confirmed, so a Subscribe right
// after it cannot miss events. It fails if Redis is unreachable within ctx.
// If url sets no client_name, connections are named "apnet" (CLIENT LIST).
func NewRedis(ctx context.Context, rawURL string, log *slog.Logger) (Broker, error) {
	b, err := newRedis(ctx, rawURL, log, defaultHealthInterval)
	if err != nil {
		return nil, err // not b: a nil *redisBroker would be a non-nil Broker
	}
	return b, nil
}

// newRedis lets tests shorten the health interval.
func newRedis(ctx context.Context, rawURL string, log *slog.Logger, healthInterval time.Duration) (*redisBroker, error) {
	if log == nil {
		log = slog.Default()
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Error repeats the URL, which may hold a password.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("broker: invalid redis URL: %w", err)
	}
	if opts.ClientName == "" {
		opts.ClientName = "apnet"
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("broker: redis ping: %w", err)
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	b := &redisBroker{
		client:         client,
		hub:            newHub(log),
		log:            log,
		healthInterval: healthInterval,
		ctx:            loopCtx,
		cancel:         cancel,
		done:           make(chan struct{}),
	}

	// The pub/sub lives on the broker's own context (it outlives ctx);
	// ctx only bounds this first connect.
	confirmBy := time.Now().Add(confirmTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(confirmBy) {
		confirmBy = d
	}
	stop := context.AfterFunc(ctx, cancel)
	ps, err := b.connect(confirmBy)
	if !stop() {
		err = ctx.Err() // ctx ended (and cancelled b.ctx) during the connect
	}
	if err != nil {
		cancel()
		if ps != nil {
			_ = ps.Close()
		}
		_ = client.Close()
		return nil, fmt.Errorf("broker: redis subscribe: %w", err)
	}
	b.subscribed.Store(true)
	go b.run(ps)
	return b, nil
}

func (b *redisBroker) Publish(ctx context.Context, topic string, payload []byte) error {
	if topic == "" {
		return errEmptyTopic
	}
	if b.hub.isClosed() {
		return ErrClosed
	}
	if err := b.client.Publish(ctx, channelPrefix+topic, payload).Err(); err != nil {
		return fmt.Errorf("broker: publish on %q: %w", topic, err)
	}
	return nil
}

// Subscribe fails while the pub/sub connection is down: events published
// before it is back would be lost, breaking the contract, and an error lets
// the client retry rather than sit on a silent stream.
func (b *redisBroker) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	if !b.subscribed.Load() && !b.hub.isClosed() {
		return nil, errors.New("broker: redis pub/sub not connected (reconnecting)")
	}
	return b.hub.subscribe(ctx, topic)
}

// Ready needs both halves: PUBLISH works (PING) and this replica's pub/sub
// connection is subscribed, otherwise its subscribers would hear nothing.
func (b *redisBroker) Ready(ctx context.Context) error {
	if b.hub.isClosed() {
		return ErrClosed
	}
	if !b.subscribed.Load() {
		return errors.New("broker: redis pub/sub not connected (reconnecting)")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	if err := b.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("broker: redis ping: %w", err)
	}
	return nil
}

func (b *redisBroker) Close() error {
	b.closeOnce.Do(func() {
		b.cancel()
		b.mu.Lock()
		if b.ps != nil {
			_ = b.ps.Close() // unblocks the loop's pending read
		}
		b.mu.Unlock()
		<-b.done
		b.hub.close()
		b.closeErr = b.client.Close()
	})
	return b.closeErr
}

// connect opens a pub/sub connection, sends PSUBSCRIBE and waits until Redis
// acknowledges it (or confirmBy passes), so events published after connect
// returns are delivered.
func (b *redisBroker) connect(confirmBy time.Time) (*redis.PubSub, error) {
	ps := b.client.Subscribe(b.ctx) // no channels: nothing is sent yet
	if !b.setPS(ps) {
		return nil, ErrClosed
	}
	fail := func(err error) (*redis.PubSub, error) {
		b.setPS(nil)
		_ = ps.Close()
		if b.ctx.Err() != nil {
			return nil, ErrClosed
		}
		return nil, err
	}
	if err := ps.PSubscribe(b.ctx, pattern); err != nil {
		return fail(err)
	}
	for {
		wait := time.Until(confirmBy)
		if wait <= 0 { // 0 would mean "no deadline" to ReceiveTimeout
			return fail(errors.New("timed out waiting for PSUBSCRIBE confirmation"))
		}
		msg, err := ps.ReceiveTimeout(b.ctx, wait)
		if err != nil {
			return fail(err)
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Kind == "psubscribe" && s.Channel == pattern {
			return ps, nil
		}
	}
}

// setPS records the current pub/sub for Close. It refuses (and closes ps)
// once Close has begun, so Close never misses a connection to interrupt.
func (b *redisBroker) setPS(ps *redis.PubSub) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx.Err() != nil {
		if ps != nil {
			_ = ps.Close()
		}
		b.ps = nil
		return false
	}
	b.ps = ps
	return true
}

// run owns the pub/sub connection: it receives until the connection fails,
// then reconnects with jittered exponential backoff until Close. go-redis can
// reconnect a PubSub internally, but silently and with a fixed retry delay;
// owning the loop lets us back off, log, and track readiness.
func (b *redisBroker) run(ps *redis.PubSub) {
	defer close(b.done)
	backoff := minBackoff
	for {
		connectedAt := time.Now()
		err := b.receive(ps)
		b.subscribed.Store(false)
		b.setPS(nil)
		_ = ps.Close()
		if b.ctx.Err() != nil {
			return
		}
		if time.Since(connectedAt) >= stableAfter {
			backoff = minBackoff
		}
		b.log.Warn("broker: redis pub/sub connection lost, reconnecting", "err", err)

		lostAt := time.Now()
		for attempt := 1; ; attempt++ {
			if !sleepCtx(b.ctx, jitter(backoff)) {
				return
			}
			backoff = min(2*backoff, maxBackoff)
			ps, err = b.connect(time.Now().Add(confirmTimeout))
			if err == nil {
				b.subscribed.Store(true)
				b.log.Warn("broker: redis pub/sub reconnected", "attempts", attempt, "down_for", time.Since(lostAt).Round(time.Millisecond))
				break
			}
			if b.ctx.Err() != nil {
				return
			}
			b.log.Warn("broker: redis pub/sub reconnect failed", "attempt", attempt, "err", err)
		}
	}
}

// receive delivers messages into the hub until the connection fails or the
// broker closes. It never blocks on a subscriber (hub.deliver drops instead).
func (b *redisBroker) receive(ps *redis.PubSub) error {
	pingPending := false
	for {
		msg, err := ps.ReceiveTimeout(b.ctx, b.healthInterval)
		if err != nil {
			if b.ctx.Err() != nil {
				return ErrClosed
			}
			if !isTimeout(err) {
				return err
			}
			if pingPending {
				return errors.New("no reply to PING")
			}
			if err := ps.Ping(b.ctx); err != nil {
				return err
			}
			pingPending = true
			continue
		}
		pingPending = false // any reply proves the connection is alive
		if m, ok := msg.(*redis.Message); ok {
			topic, ok := strings.CutPrefix(m.Channel, channelPrefix)
			if !ok {
				continue
			}
			// One copy per event, shared read-only by all local subscribers.
			if b.hub.deliver(topic, []byte(m.Payload)) != nil {
				return ErrClosed
			}
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// jitter spreads reconnects over [d/2, d] so replicas do not stampede a
// restarted Redis in lockstep.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
