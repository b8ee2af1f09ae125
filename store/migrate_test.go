package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// A database migrated before version 5 holds jobs that closes wrote and nothing ran: migrating drops them and
// their table, and keeps everything else.
func TestMigrationDropsTheUnusedJobsTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "convrs.db")
	old, err := gorm.Open(sqlite.Open(path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 4; v++ {
		if err := applyMigration(old, v, strings.ReplaceAll(migrations[v-1], "{{TS}}", "DATETIME")); err != nil {
			t.Fatalf("migration %d: %v", v, err)
		}
	}
	for _, stmt := range []string{
		`INSERT INTO workspaces VALUES ('ws_a', 'Acme', 'GB', 'Europe/London', '2026-01-01', '2026-01-01')`,
		`INSERT INTO jobs (id, workspace_id, kind, subject_id, event_at, status, run_at, created_at, updated_at)
			VALUES ('job_1', 'ws_a', 'hubspot.transcript', 'cnv_1', '2026-01-01', 'pending', '2026-01-01', '2026-01-01', '2026-01-01')`,
	} {
		if err := old.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if sqlDB, err := old.DB(); err == nil {
		sqlDB.Close()
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("migrating a version 4 database: %v", err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != LatestSchemaVersion() {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, LatestSchemaVersion())
	}
	if db.db.Migrator().HasTable("jobs") {
		t.Error("the jobs table is still there")
	}
	var n int64
	if err := db.db.Table("workspaces").Where("id = ?", "ws_a").Count(&n).Error; err != nil || n != 1 {
		t.Errorf("workspaces after the migration: %d, %v; want ws_a kept", n, err)
	}
}

func TestPoolSizeFromURL(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		n       int
		bad     bool
	}{
		{in: "postgres://u@h/db?sslmode=disable", out: "postgres://u@h/db?sslmode=disable", n: DefaultMaxConns},
		{in: "postgres://u@h/db?sslmode=disable&max_conns=64", out: "postgres://u@h/db?sslmode=disable", n: 64},
		{in: "postgres://u@h/db?max_conns=0", bad: true},
	} {
		out, n, err := poolSize(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && (out != tc.out || n != tc.n)) {
			t.Errorf("poolSize(%q) = %q, %d, %v; want %q, %d (error: %v)", tc.in, out, n, err, tc.out, tc.n, tc.bad)
		}
	}
}
