package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The claim reads only the queue: on SQLite its two queries walk the queue's indexes (migration 10) in due
// order, so neither the finished records (most of the table as it grows) nor a sort of every queued record
// is part of a claim. Before, the first query sorted every queued record to take one, and the second read
// every record of the workspace.
func TestClaimWalksOnlyTheQueue(t *testing.T) {
	d, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
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
		var steps []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := d.db.Raw("EXPLAIN QUERY PLAN "+q.sql, q.args...).Scan(&steps).Error; err != nil {
			t.Fatal(err)
		}
		var plan []string
		for _, s := range steps {
			plan = append(plan, s.Detail)
		}
		got := strings.Join(plan, "; ")
		if !strings.Contains(got+" ", "USING INDEX "+q.index+" ") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s\nplan: %s\nwant a walk of %s in due order, with no sort", q.sql, got, q.index)
		}
	}
}
