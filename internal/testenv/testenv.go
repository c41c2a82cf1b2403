// Package testenv reads the variables that enable tests against real
// services. Without one a test skips, saying which variable enables it —
// except under CI (CI=true), where a missing service is a failure, so that a
// green CI run always means nothing was skipped.
package testenv

import (
	"os"
	"testing"
)

// Variables that enable integration tests, with an example value each.
const (
	Postgres = "APNET_TEST_DATABASE_URL" // postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	Redis    = "APNET_TEST_REDIS_URL"    // redis://127.0.0.1:6379/0
	Browser  = "APNET_TEST_BROWSER"      // /usr/bin/chromium (Debian's chromium package)
)

// Require returns the value of the variable name, or skips the test (fails it under CI).
func Require(t testing.TB, name, example, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	msg := "set " + name + " (e.g. " + example + ") to run " + what
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI must run every test", msg)
	}
	t.Skip(msg)
	return ""
}

// PostgresURL returns the PostgreSQL server for tests, or skips.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return Require(t, Postgres, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL tests")
}

// RedisURL returns the Redis server for tests, or skips.
func RedisURL(t testing.TB) string {
	t.Helper()
	return Require(t, Redis, "redis://127.0.0.1:6379/0", "Redis tests")
}

// BrowserPath returns the Chromium executable for the dashboard's browser tests, or skips.
func BrowserPath(t testing.TB) string {
	t.Helper()
	return Require(t, Browser, "/usr/bin/chromium", "the dashboard's browser tests")
}
