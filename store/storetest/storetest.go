// Package storetest opens empty, migrated databases for tests, on every engine the environment provides. Only
// tests import it, so the production binary does not link package testing.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/store"
)

// Engines lists the database engines tests run on: always SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
// With CI=true a missing TEST_DATABASE_URL fails the test instead of quietly testing one engine only.
func Engines(tb testing.TB) []string {
	tb.Helper()
	if _, ok := testkit.LookupDatabaseURL(tb); ok {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// OpenDB opens an empty, migrated database of engine for one test: a temporary SQLite file, or a fresh
// PostgreSQL schema of TEST_DATABASE_URL's database dropped when the test ends, so tests run in parallel and
// never see each other's rows.
func OpenDB(tb testing.TB, engine string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), DSN(tb, engine))
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the address of an empty database of engine for one test (see OpenDB), not yet opened or migrated.
func DSN(tb testing.TB, engine string) string {
	tb.Helper()
	switch engine {
	case "sqlite":
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	case "postgres":
		base := testkit.DatabaseURL(tb)
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "t_" + hex.EncodeToString(b)
		admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			tb.Fatalf("connect to TEST_DATABASE_URL: %v", err)
		}
		if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
			tb.Fatalf("create schema: %v", err)
		}
		tb.Cleanup(func() {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			if sqlDB, err := admin.DB(); err == nil {
				sqlDB.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatalf("parse TEST_DATABASE_URL: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	default:
		tb.Fatalf("unknown engine %q", engine)
		return ""
	}
}

// EachEngine runs f as a subtest on each of Engines.
func EachEngine(t *testing.T, f func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range Engines(t) {
		t.Run(engine, func(t *testing.T) { f(t, engine) })
	}
}

// Raw opens a connection of its own to the database at dsn (from DSN), closed when the test ends, for tests
// that read or write rows as no method of package store would.
func Raw(tb testing.TB, dsn string) *gorm.DB {
	tb.Helper()
	var dialector gorm.Dialector
	if path, ok := strings.CutPrefix(dsn, "sqlite://"); ok {
		dialector = sqlite.Open(path + "?_pragma=busy_timeout(10000)")
	} else {
		dialector = postgres.Open(dsn)
	}
	raw, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if sqlDB, err := raw.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return raw
}
