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

	"github.com/apnet/apnet/internal/app"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/server"
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

	a, err := app.New(ctx, d, b, store, log, server.Options{
		AllowedOrigins:       splitList(*origins),
		DisableIntrospection: *production,
		DisableGraphiQL:      *production,
		TrustProxy:           *trustProxy,
		MetricsToken:         os.Getenv("APNET_METRICS_TOKEN"),
	})
	if err != nil {
		return err
	}
	// Approvals that reach their end lapse with no one pressing a button
	// (internal/qa); every replica runs this, and each change happens once.
	go a.Resolver.QA.RunLapses(ctx, lapseEvery)
	srv := a.Server

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
