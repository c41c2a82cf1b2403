// Command apnet runs the alternative-provision partnership's API.
//
//	apnet serve [--demo]          run the server (migrates first)
//	apnet migrate                 create or update the database schema
//	apnet seed --demo             load the demo data into an empty database
//	apnet import postcodes FILE   load Code-Point Open or ONSPD postcodes
//	apnet import qualifications FILE
//	                              load the Ofqual register or DfE funding list
//	apnet import schools FILE [--la CODE]
//	                              load a GIAS establishment extract
//	apnet schema                  print the GraphQL SDL
//
// Configuration comes from flags and the environment: APNET_DATABASE_URL
// (default: SQLite file apnet.db), APNET_REDIS_URL (unset: in-process
// broker), APNET_ADDR (default :8080).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "apnet:", err)
		os.Exit(1)
	}
}

const usage = `usage: apnet <command> [flags]

commands:
  serve [--demo]               run the server (migrates the database first)
  migrate                      create or update the database schema
  seed --demo                  load the demo data into an empty database
  import postcodes FILE        load postcode coordinates (Code-Point Open or ONS Postcode Directory CSV)
  import qualifications FILE   load qualifications and awarding bodies (Ofqual register export or
                               DfE qualifications approved for funding CSV)
  import schools FILE [--la CODE]
                               load open schools teaching 14–16 year olds (GIAS edubasealldata CSV),
                               optionally one local authority's (e.g. 892 Nottingham)
  schema                       print the GraphQL schema (SDL)
  invite-admin --email E --name N
                               invite a partnership admin (the first account of a new deployment);
                               prints the one-time invitation token

environment:
  APNET_DATABASE_URL           postgres://… for PostgreSQL; otherwise an SQLite file (default apnet.db)
  APNET_REDIS_URL              redis://… to fan events out across replicas (default: in-process)
  APNET_ADDR                   listen address (default :8080)
  APNET_ALLOWED_ORIGINS        comma-separated origins allowed to open websockets
  APNET_PRODUCTION             "true" turns off introspection and GraphiQL
  APNET_TRUST_PROXY            "true" takes client addresses from X-Real-IP (behind apnet's load balancer only)
  APNET_METRICS_TOKEN          bearer token /metrics requires (unset: /metrics answers this machine only)
  APNET_LOG_LEVEL              debug, info, warn or error (default info)
`

func run(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, log, rest)
	case "migrate":
		return migrate(ctx, log, rest)
	case "seed":
		return seed(ctx, log, rest)
	case "import":
		return importCmd(ctx, log, rest)
	case "schema":
		return printSchema(os.Stdout)
	case "invite-admin":
		return inviteAdmin(ctx, log, rest)
	case "help", "-h", "--help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(env("APNET_LOG_LEVEL", "info"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
