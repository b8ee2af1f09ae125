package hubsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// redisLocker is a Redis-backed lock that can be stopped: while down every Lock fails as go-redis does
// when the server refuses connections.
type redisLocker struct {
	up   convrs.Locker
	down atomic.Bool
}

func (l *redisLocker) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	if l.down.Load() {
		return nil, fmt.Errorf("cache: lock %s: %w", key, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})
	}
	return l.up.Lock(ctx, key, ttl)
}

// closeNew closes one conversation each of n new customers (emails HubSpot does not know, one phone-only).
func (e *env) closeNew(n int) []string {
	var convs []string
	for i := range n {
		var c *convrs.Customer
		if i == 0 {
			c = e.customer("", "+442079460222", "Phone", "Only")
		} else {
			c = e.customer(fmt.Sprintf("new%d@example.com", i), "", "New", fmt.Sprint(i))
		}
		convs = append(convs, e.closed(c).ID)
	}
	return convs
}

// Redis stopped while conversations close, with the matcher locking through Redis: the syncs wait (our outage
// is not HubSpot refusing the transcript), and once Redis is back each is written once.
func TestRedisDownMakesSyncsWaitNotFail(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		redis := &redisLocker{up: e.cache}
		e.worker.cfg.Matcher = match.New(match.Config{Links: e.db, Locker: redis})
		redis.down.Store(true)
		convs := e.closeNew(4)
		e.drain()
		for _, id := range convs {
			s := e.mustStatus(id, convrs.SyncWaiting)
			if s.ReasonCode == convrs.SyncReasonRejected {
				t.Errorf("waiting with reason %s", s.ReasonCode)
			}
		}
		// Longer than every retry limit: still waiting, never FAILED.
		for range e.worker.cfg.MaxAttempts + 2 {
			e.clock.Advance(10 * time.Minute)
			e.drain()
		}
		for _, id := range convs {
			e.mustStatus(id, convrs.SyncWaiting)
		}
		redis.down.Store(false)
		e.drainUntilSettled(5, convs...)
		for _, id := range convs {
			s := e.mustStatus(id, convrs.SyncSynced)
			if n := len(e.notesOf(s.ContactID)); n != 1 {
				t.Errorf("contact %s has %d notes, want 1", s.ContactID, n)
			}
		}
		if n := len(e.sim.Contacts(portal)); n != len(convs) {
			t.Errorf("portal has %d contacts, want %d", n, len(convs))
		}
	})
}

// With the matcher locking in the database (MatchLocker, as the gateway wires it), matching does not need
// Redis at all: the syncs run while it is down.
func TestRedisDownMatchingStillRunsOnTheDatabaseLock(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		e.worker.cfg.Matcher = match.New(match.Config{Links: e.db, Locker: MatchLocker(e.db)})
		convs := e.closeNew(3)
		e.drain()
		for _, id := range convs {
			s := e.mustStatus(id, convrs.SyncSynced)
			if n := len(e.notesOf(s.ContactID)); n != 1 {
				t.Errorf("contact %s has %d notes, want 1", s.ContactID, n)
			}
		}
	})
}

// The database lock excludes a second holder of the key (another process on PostgreSQL) until released.
func TestMatchLockerExcludes(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{noEnable: true})
		a, b := MatchLocker(e.db), MatchLocker(e.db)
		if engine == "postgres" {
			db2, err := store.Open(context.Background(), e.dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db2.Close() })
			b = MatchLocker(db2)
		}
		unlock, err := a.Lock(context.Background(), "match:ws:cus_1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if _, err := b.Lock(ctx, "match:ws:cus_1", time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("second Lock while held = %v, want the deadline", err)
		}
		other, err := b.Lock(context.Background(), "match:ws:cus_2", time.Minute)
		if err != nil {
			t.Fatalf("another key: %v", err)
		}
		other()
		unlock()
		again, err := b.Lock(context.Background(), "match:ws:cus_1", time.Minute)
		if err != nil {
			t.Fatalf("Lock after unlock: %v", err)
		}
		again()
	})
}

// Every attempt that did not succeed stays on the record, in order, after the sync succeeds too.
func TestAttemptErrorsAreKept(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		e.sim.SeedContact(portal, map[string]string{"email": "hist@example.com"}, time.Time{})
		conv := e.closed(e.customer("hist@example.com", "", "", ""))
		e.sim.FailNext(6, 500)
		e.drainUntilSettled(10, conv.ID)
		s := e.mustStatus(conv.ID, convrs.SyncSynced)
		if len(s.AttemptErrors) < 1 {
			t.Fatalf("no attempt errors kept: %+v", s)
		}
		for i, a := range s.AttemptErrors {
			if a.Status != convrs.SyncWaiting || a.ReasonCode != convrs.SyncReasonUnavailable || a.Attempt != i+1 || a.At.IsZero() {
				t.Errorf("attempt error %d = %+v", i, a)
			}
		}
		if s.Attempts != len(s.AttemptErrors)+1 {
			t.Errorf("%d attempts, %d errors kept: want one error per failed attempt", s.Attempts, len(s.AttemptErrors))
		}
	})
}
