// Package app wires apnet's services to one database, broker and document
// store and puts the HTTP surface in front of them. It is the one place that
// says which service gets what, so `apnet serve` and the load tool's
// profiling server run the same server.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/server"
	"github.com/apnet/apnet/internal/training"
)

// App is a wired apnet: its resolver (the services) and its HTTP server.
type App struct {
	Resolver *graph.Resolver
	Server   *server.Server
}

// New wires the services over d, b and store. It starts following session
// revocations (until ctx ends); opts.Auth is set here, and opts.Ready, when
// nil, checks the database and the broker.
func New(ctx context.Context, d *db.DB, b broker.Broker, store docstore.Store, log *slog.Logger, opts server.Options) (*App, error) {
	hub := live.New(b, d.Client, log)
	authn := auth.New(d.Client, b, log, nil)
	if err := authn.Run(ctx); err != nil {
		return nil, fmt.Errorf("follow session revocations: %w", err)
	}
	res := &graph.Resolver{
		Client:     d.Client,
		Attendance: &attendance.Service{Client: d.Client, Publisher: hub, Log: log},
		Referral:   &referral.Service{Client: d.Client, Publisher: hub, Log: log},
		Documents:  &documents.Service{Client: d.Client, Store: store, Log: log},
		Training:   &training.Service{Client: d.Client},
		QA:         qa.NewService(d.Client, hub, log, nil),
		Live:       hub,
		Auth:       authn,
	}
	opts.Auth = authn
	if opts.Ready == nil {
		opts.Ready = func(ctx context.Context) error {
			if err := d.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if err := b.Ready(ctx); err != nil {
				return fmt.Errorf("broker: %w", err)
			}
			return nil
		}
	}
	return &App{Resolver: res, Server: server.New(res, log, opts)}, nil
}
