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

	"github.com/apnet/apnet/graph"
	"github.com/apnet/apnet/internal/attendance"
	"github.com/apnet/apnet/internal/auth"
	"github.com/apnet/apnet/internal/broker"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/live"
	"github.com/apnet/apnet/internal/referral"
	"github.com/apnet/apnet/internal/server"
)

// servePprof runs the apnet server in this process, wired as `apnet serve`
// wires it, plus net/http/pprof under /debug/pprof/, so that a load run
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
	// As cmd/apnet/serve.go wires the server: keep the two in step.
	hub := live.New(b, d.Client, log)
	authn := auth.New(d.Client, b, log, nil)
	if err := authn.Run(ctx); err != nil {
		return err
	}
	res := &graph.Resolver{
		Client:     d.Client,
		Attendance: &attendance.Service{Client: d.Client, Publisher: hub, Log: log},
		Referral:   &referral.Service{Client: d.Client, Publisher: hub, Log: log},
		Live:       hub,
		Auth:       authn,
	}
	srv := server.New(res, log, server.Options{Auth: authn, Ready: d.Ping})

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
