// Package storetest opens empty, migrated databases for tests, on every engine the environment provides. Only
// tests import it, so the production binary does not link package testing.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/convrs/gateway/store"
)

// Engines lists the database engines tests run on: always SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
// With CI=true a missing TEST_DATABASE_URL fails the test instead of quietly testing one engine only.
func Engines(tb testing.TB) []string {
	tb.Helper()
	engines := []string{"sqlite"}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		engines = append(engines, "postgres")
	} else if os.Getenv("CI") == "true" {
		tb.Fatal("TEST_DATABASE_URL is not set: PostgreSQL tests cannot run (CI=true)")
	}
	return engines
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
		base := os.Getenv("TEST_DATABASE_URL")
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
