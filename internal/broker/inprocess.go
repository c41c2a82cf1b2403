package broker

import (
	"bytes"
	"context"
	"log/slog"
)

// inProcess delivers within one process only: for tests and single-replica
// deployments.
type inProcess struct {
	hub *hub
}

// NewInProcess returns a Broker that delivers only to subscribers in this
// process. Drop warnings go to slog.Default().
func NewInProcess() Broker {
	return &inProcess{hub: newHub(slog.Default())}
}

func (b *inProcess) Publish(ctx context.Context, topic string, payload []byte) error {
	if topic == "" {
		return errEmptyTopic
	}
	// Copy: the caller may reuse its buffer once Publish returns, but
	// subscribers read this slice later.
	return b.hub.deliver(topic, bytes.Clone(payload))
}

func (b *inProcess) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	return b.hub.subscribe(ctx, topic)
}

func (b *inProcess) Ready(ctx context.Context) error {
	if b.hub.isClosed() {
		return ErrClosed
	}
	return nil
}

func (b *inProcess) Close() error {
	b.hub.close()
	return nil
}
