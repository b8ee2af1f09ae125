package hubsync

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// claimCounter counts the worker's claims.
type claimCounter struct {
	Store
	claims atomic.Int64
}

func (c *claimCounter) ClaimHubspotSyncs(ctx context.Context, lease string, leaseFor time.Duration, limit int) ([]*convrs.HubspotSyncClaim, error) {
	c.claims.Add(1)
	return c.Store.ClaimHubspotSyncs(ctx, lease, leaseFor, limit)
}

// A sync queued through another database handle (another gateway process, on PostgreSQL) or in the process
// (SQLite) wakes a running worker at once: its poll here is an hour, so only the wake can make it look again.
// On PostgreSQL a listener whose connection is killed connects again, and the next close still wakes it.
func TestQueuedSyncWakesTheWorkers(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		closer := e.db
		if engine == "postgres" {
			var err error
			if closer, err = store.Open(context.Background(), e.dsn); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { closer.Close() })
		}
		counter := &claimCounter{Store: e.db}
		e.worker.cfg.Store, e.worker.cfg.Poll = counter, time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { e.worker.Run(ctx); close(stopped) }()
		t.Cleanup(func() { cancel(); <-stopped })
		// The worker's first look finds nothing due; from then on it waits for a wake.
		testkit.Eventually(t, "the worker's first claim", func() bool { return counter.claims.Load() >= 1 })

		closeAndWaitSynced := func(email string) {
			t.Helper()
			e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{})
			cust, err := closer.CreateCustomer(e.admin, convrs.CustomerInput{Email: str(email)})
			if err != nil {
				t.Fatal(err)
			}
			conv, err := closer.OpenInbound(e.admin, cust.ID, "web", "Is my order on its way?")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := closer.CloseConversation(e.agent, conv.ID); err != nil {
				t.Fatal(err)
			}
			testkit.Eventually(t, "the sync of "+email+" SYNCED", func() bool {
				s, err := e.svc.Sync(e.admin, conv.ID)
				return err == nil && s.Status == convrs.SyncSynced
			})
		}
		closeAndWaitSynced("wake1@example.com")
		if engine != "postgres" {
			return
		}
		raw := storetest.Raw(t, e.dsn)
		listener := func() (pid int64) {
			raw.Raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ? AND query LIKE 'LISTEN%'`,
				"convrs-hubspot-sync-listener").Scan(&pid)
			return pid
		}
		first := listener()
		if first == 0 {
			t.Fatal("no listener connection in pg_stat_activity")
		}
		if err := raw.Exec(`SELECT pg_terminate_backend(?)`, first).Error; err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "a new listener connection", func() bool { pid := listener(); return pid != 0 && pid != first })
		closeAndWaitSynced("wake2@example.com")
	})
}

// An idle worker sleeps only until the soonest waiting record is due, whatever its poll (an hour here): a sync
// waiting for the reconnect is written a recheck (1 s) after it, with nothing queued to wake the worker.
func TestIdleWorkerWakesWhenTheSoonestRecordIsDue(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	integ, err := e.db.HubspotIntegration(context.Background(), wsID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.MarkHubspotError(context.Background(), wsID, integ.ConnectedAt, "revoked"); err != nil {
		t.Fatal(err)
	}
	e.sim.SeedContact(portal, map[string]string{"email": "due@example.com"}, time.Time{})
	conv := e.closed(e.customer("due@example.com", "", "", ""))
	e.worker.cfg.Poll = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { e.worker.Run(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	testkit.Eventually(t, "the sync waiting for the reconnect", func() bool {
		s, err := e.svc.Sync(e.admin, conv.ID)
		return err == nil && s.Status == convrs.SyncWaiting && s.ReasonCode == convrs.SyncReasonIntegrationError
	})
	e.connect() // Reconnect: nothing is queued, the record is due at its recheck
	testkit.Eventually(t, "the sync SYNCED after the reconnect", func() bool {
		s, err := e.svc.Sync(e.admin, conv.ID)
		return err == nil && s.Status == convrs.SyncSynced
	})
}
