package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// The claim reads only the queue: on SQLite its two queries walk the queue's indexes (migration 10) in due
// order, so neither the finished records (most of the table as it grows) nor a sort of every queued record
// is part of a claim. Before, the first query sorted every queued record to take one, and the second read
// every record of the workspace.
func TestClaimWalksOnlyTheQueue(t *testing.T) {
	d := openPlanDB(t)
	now := time.Now()
	pick, batch := claimSQL("")
	for _, q := range []struct {
		sql   string
		args  []any
		index string
	}{
		{pick, []any{now, now}, "hubspot_syncs_queue"},
		{batch, []any{"ws_1", now, now, 100}, "hubspot_syncs_queue_workspace"},
	} {
		got := plan(t, d, q.sql, q.args...)
		if !strings.Contains(got+" ", "USING INDEX "+q.index+" ") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s\nplan: %s\nwant a walk of %s in due order, with no sort", q.sql, got, q.index)
		}
	}
}

// A batch read of rows by ID (the sync's conversations and customers, the records of a page of conversations)
// looks each ID up, on SQLite too: before, from ten IDs up, SQLite read every row of the workspace through an
// index led by workspace_id (a batch of 100 of a workspace of 10,000 conversations read all 10,000).
func TestReadsByIDLookEachUp(t *testing.T) {
	d := openPlanDB(t)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprint("id_", i)
	}
	for _, q := range []struct{ table, col string }{
		{"conversations", "id"}, {"customers", "id"}, {"staff", "id"}, {"hubspot_syncs", "conversation_id"},
	} {
		sql := d.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
			return among(tx.Table(q.table), q.col, "ws_1", ids).Find(&[]map[string]any{})
		})
		got := plan(t, d, sql)
		if !strings.HasPrefix(got, "SEARCH "+q.table+" USING INDEX sqlite_autoindex_"+q.table) || strings.Contains(got, "workspace_id") {
			t.Errorf("%s by %s among 100: plan %s, want a look-up of each by its unique index", q.table, q.col, got)
		}
	}
}

func openPlanDB(t *testing.T) *DB {
	d, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// plan is SQLite's query plan of sql, its steps separated by "; ".
func plan(t *testing.T, d *DB, sql string, args ...any) string {
	t.Helper()
	var steps []struct {
		ID, Parent, Notused int
		Detail              string
	}
	if err := d.db.Raw("EXPLAIN QUERY PLAN "+sql, args...).Scan(&steps).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range steps {
		out = append(out, s.Detail)
	}
	return strings.Join(out, "; ")
}
