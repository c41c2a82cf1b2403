// Package broker fans events out to live subscribers across API replicas.
//
// Every implementation delivers into one local hub (topic → subscriber
// channels). The in-process broker publishes straight into the hub; the Redis
// broker publishes to Redis and one long-lived pub/sub connection per process
// (PSUBSCRIBE apnet:*) feeds the hub, so the number of Redis connections does
// not grow with the number of subscribers.
//
// Delivery is at most once: a subscriber whose buffer is full loses the event
// (counted in metrics.EventsDropped), and events published while a replica's
// pub/sub connection is down never reach that replica.
//
// Payloads may carry personal data: this package logs topics and counts only.
package broker

import (
	"context"
	"errors"
)

// Broker publishes events on topics and delivers them to local subscribers.
type Broker interface {
	// Publish sends payload to every current subscriber of topic on every
	// replica. The broker keeps its own copy; subscribers share it and must
	// treat it as read-only.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe returns a channel of payloads published on topic after the call returns
	// (on any replica); it is closed when ctx is done or the broker closes.
	Subscribe(ctx context.Context, topic string) (<-chan []byte, error)
	// Ready reports whether the broker can publish now (for /readyz).
	Ready(ctx context.Context) error
	Close() error
}

// ErrClosed is returned by a broker after Close.
var ErrClosed = errors.New("broker: closed")

// errEmptyTopic guards against a caller building a topic from a missing ID.
var errEmptyTopic = errors.New("broker: empty topic")

// subscriberBuffer is how many events a subscriber may fall behind before
// events are dropped for it.
const subscriberBuffer = 256
