package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/documents"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/qa"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/server"
	"github.com/apnet/apnet/internal/training"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	url := dbFlag(fs)
	addr := fs.String("addr", env("APNET_ADDR", ":8080"), "listen address")
	redisURL := fs.String("redis", env("APNET_REDIS_URL", ""), "Redis URL for cross-replica events (empty: in-process)")
	withDemo := fs.Bool("demo", false, "load the demo data into an empty database first")
	origins := fs.String("allowed-origins", env("APNET_ALLOWED_ORIGINS", ""), "comma-separated origins allowed to open websockets")
	production := fs.Bool("production", env("APNET_PRODUCTION", "") == "true", "turn off introspection and GraphiQL")
	trustProxy := fs.Bool("trust-proxy", env("APNET_TRUST_PROXY", "") == "true", "take client addresses from X-Real-IP (behind apnet's load balancer only)")
	openStore := docsFlags(fs, url)
	if err := fs.Parse(args); err != nil {
		return err
	}
	tuneGC(log)
	store, err := openStore()
	if err != nil {
		return err
	}

	d, err := openMigrated(ctx, *url)
	if err != nil {
		return err
	}
	defer d.Close()
	if *withDemo {
		if err := seedDemo(ctx, log, d, store); err != nil {
			return err
		}
	}

	var b broker.Broker
	if *redisURL != "" {
		if b, err = broker.NewRedis(ctx, *redisURL, log); err != nil {
			return fmt.Errorf("connect to Redis: %w", err)
		}
	} else {
		b = broker.NewInProcess()
	}
	defer b.Close()

	hub := live.New(b, d.Client, log)
	authn := auth.New(d.Client, b, log, nil)
	if err := authn.Run(ctx); err != nil {
		return fmt.Errorf("follow session revocations: %w", err)
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
	// Approvals that reach their end lapse with no one pressing a button
	// (internal/qa); every replica runs this, and each change happens once.
	go res.QA.RunLapses(ctx, lapseEvery)
	srv := server.New(res, log, server.Options{
		AllowedOrigins:       splitList(*origins),
		DisableIntrospection: *production,
		DisableGraphiQL:      *production,
		Auth:                 authn,
		TrustProxy:           *trustProxy,
		MetricsToken:         os.Getenv("APNET_METRICS_TOKEN"),
		Ready: func(ctx context.Context) error {
			if err := d.Ping(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			if err := b.Ready(ctx); err != nil {
				return fmt.Errorf("broker: %w", err)
			}
			return nil
		},
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(srv.CloseWebsockets)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	brokerKind := "in-process"
	if *redisURL != "" {
		brokerKind = "redis"
	}
	log.Info("apnet serving", "addr", ln.Addr().String(), "dialect", d.Dialect, "broker", brokerKind,
		"graphiql", !*production)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and closing subscriptions")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Shutdown closed the websockets (RegisterOnShutdown); let their close frames go out.
	if err := srv.WaitWebsockets(sctx); err != nil {
		log.Warn("websockets still open at shutdown deadline", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// lapseEvery is how often serve looks for approvals past their end; the
// approval stops being current at the date itself, whatever this is.
const lapseEvery = time.Hour
