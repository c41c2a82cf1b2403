// Package metrics holds apnet's Prometheus collectors. They live on one
// registry so /metrics shows exactly what the process exports and tests can
// read the counters back.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the process-wide registry behind /metrics.
var Registry = prometheus.NewRegistry()

var (
	// Requests counts GraphQL operations by type (query, mutation, subscription) and outcome (ok, error).
	Requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apnet_graphql_requests_total",
		Help: "GraphQL operations handled, by operation type and outcome.",
	}, []string{"operation", "outcome"})

	// Subscribers is the number of live GraphQL subscriptions on this instance.
	Subscribers = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "apnet_live_subscribers",
		Help: "Live GraphQL subscriptions on this instance.",
	})

	// EventsPublished counts events handed to the broker, by topic kind.
	EventsPublished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apnet_events_published_total",
		Help: "Events published to the broker, by kind.",
	}, []string{"kind"})

	// EventsFailed counts events the broker could not publish, by topic kind.
	EventsFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apnet_events_publish_failed_total",
		Help: "Events that could not be published to the broker, by kind.",
	}, []string{"kind"})

	// EventsDropped counts events not delivered to a local subscriber whose buffer was full.
	EventsDropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "apnet_events_dropped_total",
		Help: "Events dropped because a local subscriber was too slow to take them.",
	})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		Requests, Subscribers, EventsPublished, EventsFailed, EventsDropped,
	)
}

// Handler serves the registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
