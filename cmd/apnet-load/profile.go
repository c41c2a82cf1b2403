package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"time"

	"github.com/apnet/apnet/internal/app"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/docstore"
	"github.com/apnet/apnet/internal/server"
)

// servePprof runs the apnet server in this process, wired by internal/app as
// `apnet serve` is, plus net/http/pprof under /debug/pprof/, so that a load run
// against it (-a) can be profiled without changing the server:
//
//	apnet-load -pprof-server 127.0.0.1:8090 -db … [-redis …]
//	go tool pprof 'http://127.0.0.1:8090/debug/pprof/profile?seconds=10'
//	curl -o trace.out 'http://127.0.0.1:8090/debug/pprof/trace?seconds=5'
//
// It serves until interrupted or -timeout passes.
func servePprof(ctx context.Context, addr, dbURL, redisURL string) error {
	if err := checkLoopback("pprof-server", addr); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := db.Open(dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	b := broker.NewInProcess()
	if redisURL != "" {
		if b, err = broker.NewRedis(ctx, redisURL, log); err != nil {
			return err
		}
	}
	defer b.Close()
	// Documents go to a temporary directory: profiling never uploads.
	dir, err := os.MkdirTemp("", "apnet-pprof-documents-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := docstore.NewLocal(dir, docstore.DefaultMaxBytes)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, d, b, store, log, server.Options{})
	if err != nil {
		return err
	}
	srv := a.Server

	runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	runtime.SetMutexProfileFraction(10)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", srv)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.CloseWebsockets()
		_ = hs.Close()
	}()
	fmt.Printf("apnet (in-process, with /debug/pprof/) on http://%s\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
