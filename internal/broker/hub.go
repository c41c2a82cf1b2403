package broker

import (
	"context"
	"log/slog"
	"sync"

	"github.com/apnet/apnet/internal/metrics"
)

// hub is the local topic → subscribers table both brokers deliver into.
type hub struct {
	log *slog.Logger

	// mu is held for reading while delivering, so a subscriber channel is
	// never closed (under the write lock) while a send to it is in flight.
	mu     sync.RWMutex
	closed bool
	topics map[string]map[*subscriber]struct{}
}

type subscriber struct {
	topic string
	ch    chan []byte
	stop  func() bool // detaches the ctx.AfterFunc that unsubscribes
}

func newHub(log *slog.Logger) *hub {
	return &hub{log: log, topics: make(map[string]map[*subscriber]struct{})}
}

func (h *hub) subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	if topic == "" {
		return nil, errEmptyTopic
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &subscriber{topic: topic, ch: make(chan []byte, subscriberBuffer)}

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	set := h.topics[topic]
	if set == nil {
		set = make(map[*subscriber]struct{})
		h.topics[topic] = set
	}
	set[s] = struct{}{}
	// AfterFunc rather than a goroutine per subscriber: nothing runs until
	// ctx is done. If ctx is already done it runs now and blocks on mu.
	s.stop = context.AfterFunc(ctx, func() { h.remove(s) })
	return s.ch, nil
}

// remove forgets s and closes its channel; it is a no-op if s is already gone.
func (h *hub) remove(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.topics[s.topic]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(h.topics, s.topic)
	}
	close(s.ch)
}

// deliver hands payload to every subscriber of topic without ever blocking:
// a full subscriber loses this event so one slow client cannot stall the
// receive loop (and with it every other subscriber on the replica).
func (h *hub) deliver(topic string, payload []byte) error {
	dropped := 0
	h.mu.RLock()
	if h.closed {
		h.mu.RUnlock()
		return ErrClosed
	}
	for s := range h.topics[topic] {
		select {
		case s.ch <- payload:
		default:
			dropped++
		}
	}
	h.mu.RUnlock()

	if dropped > 0 {
		metrics.EventsDropped.Add(float64(dropped))
		h.log.Warn("broker: subscriber buffer full, event dropped", "topic", topic, "dropped", dropped)
	}
	return nil
}

// close closes every subscriber channel; later subscribe/deliver get ErrClosed.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, set := range h.topics {
		for s := range set {
			s.stop()
			close(s.ch)
		}
	}
	h.topics = nil
}

func (h *hub) isClosed() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.closed
}

// count reports the number of subscribers on topic (for tests).
func (h *hub) count(topic string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.topics[topic])
}
