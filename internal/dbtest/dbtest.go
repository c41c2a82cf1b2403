// Package dbtest gives tests a migrated, empty database of their own: an
// in-memory SQLite by default, or a fresh schema on a real PostgreSQL.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/apnet/apnet/ent"
	"github.com/apnet/apnet/internal/db"
	"github.com/apnet/apnet/internal/testenv"
)

// SQLite opens a new in-memory SQLite database, migrated, closed with the test.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(fmt.Sprintf("file:%s?mode=memory&cache=shared", randomName("t")))
	if err != nil {
		t.Fatal(err)
	}
	return migrated(t, d)
}

// Postgres opens a new schema on the server named by APNET_TEST_DATABASE_URL,
// migrated, and drops it with the test. Without the variable the test skips.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u := PostgresURL(t)
	d, err := db.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	return migrated(t, d)
}

// PostgresURL creates a fresh schema and returns a URL whose connections use it,
// for tests that start apnet processes of their own.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := testenv.PostgresURL(t)
	admin, err := db.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := randomName("apnet_test_")
	ctx := context.Background()
	if _, err := admin.SQL.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := db.Open(base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.SQL.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", testenv.Postgres, err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

// Each runs fn against SQLite and, when enabled, PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

func migrated(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Counter counts the statements a client sends to the database, BEGIN and
// COMMIT included: each is one round trip on PostgreSQL.
type Counter struct {
	mu         sync.Mutex
	statements []string
}

// Counting returns a client on d's database, with apnet's hooks, whose
// statements c counts.
func Counting(d *db.DB) (*ent.Client, *Counter) {
	c := &Counter{}
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, v ...any) {
		c.mu.Lock()
		c.statements = append(c.statements, fmt.Sprint(v...))
		c.mu.Unlock()
	})
	return db.NewClient(drv), c
}

// Reset forgets what was counted so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.statements = nil
	c.mu.Unlock()
}

// Statements returns what was sent since the last Reset, in order.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.statements...)
}
