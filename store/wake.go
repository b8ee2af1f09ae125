package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Waking the transcript sync's workers when a sync is queued, instead of each polling every second: a NOTIFY
// on PostgreSQL, heard by a LISTEN of every process; on SQLite (one process) a signal in the process.

// hubspotSyncsChannel is the PostgreSQL notification channel of queued transcript syncs.
const hubspotSyncsChannel = "convrs_hubspot_syncs"

// listenerName is the listener connection's application_name, so an operator (or a test) can find it.
const listenerName = "convrs-hubspot-sync-listener"

// wakers are the process's SyncsQueued subscribers on SQLite.
type wakers struct {
	mu    sync.Mutex
	chans map[chan struct{}]bool
}

func (w *wakers) add(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.chans == nil {
		w.chans = map[chan struct{}]bool{}
	}
	w.chans[ch] = true
}

func (w *wakers) remove(ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.chans, ch)
}

func (w *wakers) signal() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.chans {
		wake(ch)
	}
}

// wake sends on a one-slot channel without blocking: wakes coalesce.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// syncQueued tells the sync workers, inside the transaction that queues a sync, that one is due: a NOTIFY on
// PostgreSQL (delivered to every process's listener when the transaction commits, dropped if it rolls back); a
// signal to this process's workers on SQLite, whose one connection makes a worker's claim wait for this
// transaction to end.
func (d *DB) syncQueued(tx *gorm.DB) error {
	if d.dialect != "postgres" {
		d.wakers.signal()
		return nil
	}
	if err := tx.Exec(`SELECT pg_notify(?, '')`, hubspotSyncsChannel).Error; err != nil {
		return fmt.Errorf("store: notify queued sync: %w", err)
	}
	return nil
}

// SyncsQueued returns a channel that receives, coalesced, once a transcript sync has been queued: by any
// process sharing the database on PostgreSQL (LISTEN on a connection of its own, outside the pool), by this
// process on SQLite. A lost listener connection is opened again (onError hears why, with the wait before the
// next try, up to 10 s), and each new connection sends once, for what was queued meanwhile. Callers still poll
// now and then: a notification may be lost with its connection. The channel closes when ctx ends.
func (d *DB) SyncsQueued(ctx context.Context, onError func(err error, retryIn time.Duration)) <-chan struct{} {
	out := make(chan struct{}, 1)
	if d.dialect != "postgres" {
		d.wakers.add(out)
		go func() {
			<-ctx.Done()
			d.wakers.remove(out)
			close(out)
		}()
		return out
	}
	go func() {
		defer close(out)
		wait := 100 * time.Millisecond
		for {
			err := d.listen(ctx, out, func() { wait = 100 * time.Millisecond })
			if ctx.Err() != nil {
				return
			}
			if onError != nil {
				onError(err, wait)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, 10*time.Second)
		}
	}()
	return out
}

// listen holds one LISTEN connection until it fails or ctx ends, waking out for each notification.
func (d *DB) listen(ctx context.Context, out chan struct{}, connected func()) error {
	cfg, err := pgx.ParseConfig(d.pgURL)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	cfg.RuntimeParams["application_name"] = listenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+hubspotSyncsChannel); err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	connected()
	wake(out) // what was queued while no one listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("store: listen: %w", err)
		}
		wake(out)
	}
}
