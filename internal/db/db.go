// Package db opens apnet's database from a URL: PostgreSQL through pgx for a
// postgres:// URL, otherwise the embedded SQLite (modernc, pure Go).
package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/apnet/apnet/ent"
	_ "github.com/apnet/apnet/ent/runtime" // ent hooks, policies and defaults
	"github.com/apnet/apnet/internal/audit"
)

// DefaultURL is the embedded database used when APNET_DATABASE_URL is unset.
const DefaultURL = "apnet.db"

// DB is an open database: the ent client and the driver's dialect.
type DB struct {
	*ent.Client
	Dialect string
	SQL     *sql.DB
}

// Open connects to url: "postgres://…" or "postgresql://…" selects PostgreSQL;
// anything else is an SQLite file path or "file:" DSN.
func Open(url string) (*DB, error) {
	if url == "" {
		url = DefaultURL
	}
	driver, dia, dsn := "sqlite", dialect.SQLite, sqliteDSN(url)
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		driver, dia, dsn = "pgx", dialect.Postgres, url
	}
	sqlDB, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dia, err)
	}
	if dia == dialect.Postgres {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
	}
	return &DB{Client: NewClient(entsql.OpenDB(dia, sqlDB)), Dialect: dia, SQL: sqlDB}, nil
}

// NewClient returns an ent client on drv with apnet's hooks installed. Open
// uses it; so do tests that wrap the driver, for example to count queries.
func NewClient(drv dialect.Driver) *ent.Client {
	client := ent.NewClient(ent.Driver(drv))
	client.Use(audit.Hook()) // every write a person makes goes on the audit trail
	return client
}

// sqliteDSN adds the pragmas ent and concurrent writers need: foreign keys
// (ent refuses to migrate without them), a busy timeout (else concurrent
// writes fail with SQLITE_BUSY) and WAL so readers do not block the writer.
func sqliteDSN(url string) string {
	dsn := url
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate"
	if !strings.Contains(dsn, "mode=memory") {
		pragmas += "&_pragma=journal_mode(WAL)"
	}
	return dsn + sep + pragmas
}

// migrateLock is the PostgreSQL advisory lock replicas take around
// migration, so two starting at once do not race to create the same tables.
const migrateLock = 0x61706e6574 // "apnet"

// Migrate creates or updates the schema.
func (d *DB) Migrate(ctx context.Context) error {
	if d.Dialect == dialect.Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	}
	if err := d.Schema.Create(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// Ping checks the database is reachable (for /readyz).
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Close closes the client and its pool.
func (d *DB) Close() error { return d.Client.Close() }
