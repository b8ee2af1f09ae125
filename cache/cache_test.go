package cache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
)

// backend is one implementation under the contract tests.
type backend struct {
	cache   convrs.Cache
	locker  convrs.Locker
	limiter convrs.Limiter
	// peer shares state with the backend as another gateway process would: for Redis it uses a second client.
	peer *backend
	// elapse lets d pass: it advances a fake clock, or does nothing where real time runs. Either way the test
	// then polls with a deadline.
	elapse func(d time.Duration)
}

func TestMemory(t *testing.T) {
	t.Parallel()
	testContract(t, func(t *testing.T) *backend {
		clock := newFakeClock()
		m := cache.NewMemory(cache.WithClock(clock.Now))
		b := &backend{cache: m, locker: m, limiter: m.Limiter(), elapse: clock.Advance}
		b.peer = b
		return b
	})
}

func TestRedis(t *testing.T) {
	t.Parallel()
	rdb, rdb2 := mustRedis(t), mustRedis(t)
	testContract(t, func(t *testing.T) *backend {
		prefix := mustPrefix(t, rdb)
		r, r2 := cache.NewRedis(rdb, prefix), cache.NewRedis(rdb2, prefix)
		noop := func(time.Duration) {}
		return &backend{
			cache: r, locker: r, limiter: r.Limiter(), elapse: noop,
			peer: &backend{cache: r2, locker: r2, limiter: r2.Limiter(), elapse: noop},
		}
	})
}

// testContract runs the contract of convrs.Cache, convrs.Locker and convrs.Limiter against the backends that
// open makes, one fresh, isolated backend per test.
func testContract(t *testing.T, open func(t *testing.T) *backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b *backend)
	}{
		{"GetSet", testGetSet},
		{"GetMany", testGetMany},
		{"Expiry", testExpiry},
		{"SetNX", testSetNX},
		{"Take", testTake},
		{"TakeConcurrent", testTakeConcurrent},
		{"Delete", testDelete},
		{"DeletePrefix", testDeletePrefix},
		{"LockExclusion", testLockExclusion},
		{"LockWaitsForCtx", testLockWaitsForCtx},
		{"LockLapse", testLockLapse},
		{"LockLapsedUnlock", testLockLapsedUnlock},
		{"LimiterExact", testLimiterExact},
		{"LimiterRolls", testLimiterRolls},
		{"LimiterInvalid", testLimiterInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func testGetMany(t *testing.T, b *backend) {
	ctx := t.Context()
	mustSet(t, b.cache, "a", []byte("1"), time.Minute)
	mustSet(t, b.cache, "c", []byte{}, time.Minute)
	got, err := b.peer.cache.GetMany(ctx, "a", "b", "c", "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || string(got[0]) != "1" || got[1] != nil || got[2] == nil || len(got[2]) != 0 || string(got[3]) != "1" {
		t.Fatalf("GetMany(a, b, c, a) = %q; want [1 <absent> <empty> 1]", got)
	}
	if got, err := b.cache.GetMany(ctx); err != nil || len(got) != 0 {
		t.Fatalf("GetMany() = %q, %v", got, err)
	}
}

func testGetSet(t *testing.T, b *backend) {
	ctx := t.Context()
	if _, ok := mustGet(t, b.cache, "missing"); ok {
		t.Fatal("Get(missing) found a value")
	}

	value := []byte("v1")
	mustSet(t, b.cache, "k", value, time.Minute)
	value[0] = 'X' // the cache must have kept its own copy
	got, ok := mustGet(t, b.cache, "k")
	if !ok || string(got) != "v1" {
		t.Fatalf("Get(k) = %q, %v; want v1, true", got, ok)
	}
	got[0] = 'Y' // and hand out copies
	if got, _ := mustGet(t, b.peer.cache, "k"); string(got) != "v1" {
		t.Fatalf("peer Get(k) = %q; want v1", got)
	}

	mustSet(t, b.cache, "k", []byte("v2"), 0)
	if got, _ := mustGet(t, b.cache, "k"); string(got) != "v2" {
		t.Fatalf("Get(k) after overwrite = %q; want v2", got)
	}

	mustSet(t, b.cache, "empty", nil, time.Minute)
	if got, ok := mustGet(t, b.cache, "empty"); !ok || len(got) != 0 {
		t.Fatalf("Get(empty) = %q, %v; want empty, true", got, ok)
	}

	binary := []byte{0, 0xff, '\n', 0x80}
	mustSet(t, b.cache, "binary", binary, time.Minute)
	if got, _ := mustGet(t, b.cache, "binary"); !bytes.Equal(got, binary) {
		t.Fatalf("Get(binary) = %v; want %v", got, binary)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := b.cache.Get(cancelled, "k"); err == nil {
		t.Error("Get with a cancelled ctx: no error")
	}
}

func testExpiry(t *testing.T, b *backend) {
	const short = 50 * time.Millisecond
	mustSet(t, b.cache, "long", []byte("v"), time.Minute)
	mustSet(t, b.cache, "short", []byte("v"), short)
	mustSet(t, b.cache, "forever", []byte("v"), 0)
	b.elapse(short)
	testkit.Eventually(t, "short expires", func() bool {
		_, ok := mustGet(t, b.cache, "short")
		return !ok
	})
	for _, k := range []string{"long", "forever"} {
		if _, ok := mustGet(t, b.cache, k); !ok {
			t.Errorf("Get(%s) after the short ttl: missing", k)
		}
	}
	if _, ok, err := b.cache.Take(t.Context(), "short"); err != nil || ok {
		t.Errorf("Take(short) after expiry = %v, %v; want false, nil", ok, err)
	}
}

func testSetNX(t *testing.T, b *backend) {
	if !mustSetNX(t, b.cache, "k", []byte("first"), time.Minute) {
		t.Fatal("SetNX on an absent key: false")
	}
	if mustSetNX(t, b.peer.cache, "k", []byte("second"), time.Minute) {
		t.Fatal("SetNX on a present key: true")
	}
	if got, _ := mustGet(t, b.cache, "k"); string(got) != "first" {
		t.Fatalf("Get(k) = %q; want first", got)
	}
	mustDelete(t, b.cache, "k")
	if !mustSetNX(t, b.cache, "k", []byte("third"), time.Minute) {
		t.Fatal("SetNX after Delete: false")
	}

	const short = 50 * time.Millisecond
	if !mustSetNX(t, b.cache, "short", []byte("v"), short) {
		t.Fatal("SetNX(short): false")
	}
	b.elapse(short)
	testkit.Eventually(t, "SetNX succeeds once the key expired", func() bool {
		return mustSetNX(t, b.cache, "short", []byte("again"), time.Minute)
	})
}

func testTake(t *testing.T, b *backend) {
	ctx := t.Context()
	mustSet(t, b.cache, "state", []byte("s1"), time.Minute)
	got, ok, err := b.cache.Take(ctx, "state")
	if err != nil || !ok || string(got) != "s1" {
		t.Fatalf("Take(state) = %q, %v, %v; want s1, true, nil", got, ok, err)
	}
	if _, ok, err := b.peer.cache.Take(ctx, "state"); err != nil || ok {
		t.Fatalf("second Take(state) = %v, %v; want false, nil", ok, err)
	}
	if _, ok := mustGet(t, b.cache, "state"); ok {
		t.Fatal("Get after Take found the value")
	}
	if _, ok, err := b.cache.Take(ctx, "missing"); err != nil || ok {
		t.Fatalf("Take(missing) = %v, %v; want false, nil", ok, err)
	}
}

func testTakeConcurrent(t *testing.T, b *backend) {
	const takers, rounds = 20, 10
	for round := range rounds {
		key := fmt.Sprintf("state-%d", round)
		want := fmt.Sprintf("value-%d", round)
		mustSet(t, b.cache, key, []byte(want), time.Minute)

		var wins atomic.Int32
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range takers {
			c := b.cache
			if i%2 == 1 {
				c = b.peer.cache
			}
			wg.Go(func() {
				<-start
				got, ok, err := c.Take(t.Context(), key)
				if err != nil {
					t.Errorf("Take: %v", err)
				} else if ok {
					wins.Add(1)
					if string(got) != want {
						t.Errorf("Take = %q; want %q", got, want)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d of %d concurrent Takes got the value; want exactly 1", round, n, takers)
		}
	}
}

func testDelete(t *testing.T, b *backend) {
	for _, k := range []string{"a", "b", "c"} {
		mustSet(t, b.cache, k, []byte(k), time.Minute)
	}
	mustDelete(t, b.cache, "a", "b", "absent")
	mustDelete(t, b.cache)
	mustDelete(t, b.cache, "absent")
	if diff := cmp.Diff([]string{"c"}, present(t, b.cache, "a", "b", "c")); diff != "" {
		t.Errorf("keys after Delete (-want +got):\n%s", diff)
	}
}

func testDeletePrefix(t *testing.T, b *backend) {
	ctx := t.Context()
	// More keys than one SCAN batch, so Redis must walk several cursors.
	const many = 1200
	for i := range many {
		mustSet(t, b.cache, fmt.Sprintf("ws_1:contact:%d", i), []byte("v"), time.Minute)
	}
	kept := []string{"ws_10:contact:1", "ws_2:contact:1", "ws_1", "other", "a*b:3", "aXb:1", "[ab]:1", "a:1"}
	purged := []string{"a*b:1", "a*b:2", "[ab]c\\?:1"}
	for _, k := range append(kept, purged...) {
		mustSet(t, b.cache, k, []byte("v"), 0)
	}

	for _, prefix := range []string{"ws_1:", "a*b:1", "a*b:2", "[ab]c\\?"} {
		if err := b.cache.DeletePrefix(ctx, prefix); err != nil {
			t.Fatalf("DeletePrefix(%q): %v", prefix, err)
		}
	}
	if err := b.cache.DeletePrefix(ctx, "nothing-here:"); err != nil {
		t.Fatalf("DeletePrefix(nothing-here:): %v", err)
	}
	for i := range many {
		if _, ok := mustGet(t, b.cache, fmt.Sprintf("ws_1:contact:%d", i)); ok {
			t.Fatalf("ws_1:contact:%d survived DeletePrefix(ws_1:)", i)
		}
	}
	if diff := cmp.Diff(kept, present(t, b.cache, append(kept, purged...)...)); diff != "" {
		t.Errorf("keys after DeletePrefix (-want +got):\n%s", diff)
	}

	// Locks are not cache entries: purging the whole cache must not release one.
	unlock := mustLock(t, b.locker, "ws_1:sync", time.Minute)
	defer unlock()
	if err := b.cache.DeletePrefix(ctx, ""); err != nil {
		t.Fatalf("DeletePrefix(\"\"): %v", err)
	}
	if got := present(t, b.cache, kept...); len(got) != 0 {
		t.Errorf("keys after DeletePrefix(\"\"): %v; want none", got)
	}
	if tryLock(t, b.peer.locker, "ws_1:sync", 50*time.Millisecond) {
		t.Error("DeletePrefix released a lock")
	}
}

func testLockExclusion(t *testing.T, b *backend) {
	const workers = 20
	var (
		counter int          // deliberately not atomic: only the lock protects it
		holders atomic.Int32 // how many are inside the critical section
		wg      sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range workers {
		l := b.locker
		if i%2 == 1 {
			l = b.peer.locker
		}
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			unlock, err := l.Lock(ctx, "counter", time.Minute)
			if err != nil {
				t.Errorf("Lock: %v", err)
				return
			}
			if n := holders.Add(1); n != 1 {
				t.Errorf("%d holders inside the lock at once", n)
			}
			c := counter
			time.Sleep(time.Millisecond) // widen the window a lost update needs; not synchronisation
			counter = c + 1
			holders.Add(-1)
			unlock()
		})
	}
	close(start)
	wg.Wait()
	if counter != workers {
		t.Fatalf("counter = %d; want %d", counter, workers)
	}
}

func testLockWaitsForCtx(t *testing.T, b *backend) {
	unlock := mustLock(t, b.locker, "k", time.Minute)
	defer unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.peer.locker.Lock(ctx, "k", time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock on a held key = %v; want context.DeadlineExceeded", err)
	}

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.locker.Lock(cancelled, "free", time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled ctx = %v; want context.Canceled", err)
	}
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := b.locker.Lock(t.Context(), "free", ttl); err == nil {
			t.Errorf("Lock with ttl %v: no error", ttl)
		}
	}
	// Another key is independent.
	mustLock(t, b.peer.locker, "other", time.Minute)()
}

func testLockLapse(t *testing.T, b *backend) {
	const ttl = 100 * time.Millisecond
	_ = mustLock(t, b.locker, "k", ttl) // the holder "crashes": never unlocks
	b.elapse(ttl)
	unlock := mustLock(t, b.peer.locker, "k", time.Minute)
	unlock()
}

func testLockLapsedUnlock(t *testing.T, b *backend) {
	const ttl = 100 * time.Millisecond
	unlockA := mustLock(t, b.locker, "k", ttl)
	b.elapse(ttl)
	unlockB := mustLock(t, b.peer.locker, "k", time.Minute) // waits for A's lock to lapse
	unlockA()                                               // A wakes up late: must not release B's lock
	unlockA()
	if tryLock(t, b.locker, "k", 100*time.Millisecond) {
		t.Fatal("the lapsed holder's unlock released the new holder's lock")
	}
	unlockB()
	unlockC := mustLock(t, b.locker, "k", time.Minute)
	unlockB() // a second unlock by B must not release C's lock either
	if tryLock(t, b.peer.locker, "k", 50*time.Millisecond) {
		t.Fatal("a repeated unlock released the next holder's lock")
	}
	unlockC()
}

func testLimiterExact(t *testing.T, b *backend) {
	const (
		limit   = 7
		callers = 60
		window  = time.Minute // long enough that nothing leaves the window during the test
	)
	var (
		admitted atomic.Int32
		wg       sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range callers {
		l := b.limiter
		if i%2 == 1 {
			l = b.peer.limiter
		}
		wg.Go(func() {
			<-start
			wait, err := l.Take(t.Context(), "hubspot:portal_1", limit, window)
			switch {
			case err != nil:
				t.Errorf("Take: %v", err)
			case wait == 0:
				admitted.Add(1)
			case wait < 0 || wait > window:
				t.Errorf("Take wait = %v; want in (0, %v]", wait, window)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := admitted.Load(); n != limit {
		t.Fatalf("%d of %d concurrent Takes admitted; want exactly %d", n, callers, limit)
	}
	// Rejected Takes recorded nothing, and other keys have windows of their own.
	if wait := mustTake(t, b.limiter, "hubspot:portal_2", 1, window); wait != 0 {
		t.Fatalf("Take on another key: wait %v; want 0", wait)
	}
	if wait := mustTake(t, b.limiter, "hubspot:portal_1", limit+1, window); wait != 0 {
		t.Fatalf("Take with a higher limit: wait %v; want 0 (rejected Takes must not count)", wait)
	}
}

func testLimiterRolls(t *testing.T, b *backend) {
	const limit, window = 2, 500 * time.Millisecond
	// With real time some Takes may leave the window before the limit is reached: Take until one is refused.
	var wait time.Duration
	for i := 0; wait == 0; i++ {
		if i == 100 {
			t.Fatalf("100 Takes admitted with limit %d per %v", limit, window)
		}
		wait = mustTake(t, b.limiter, "k", limit, window)
	}
	if wait <= 0 || wait > window {
		t.Fatalf("wait = %v; want in (0, %v]", wait, window)
	}
	b.elapse(window)
	testkit.Eventually(t, "a slot frees after the window", func() bool {
		return mustTake(t, b.peer.limiter, "k", limit, window) == 0
	})
}

func testLimiterInvalid(t *testing.T, b *backend) {
	for _, tc := range []struct {
		limit  int
		window time.Duration
	}{{0, time.Second}, {-1, time.Second}, {1, 0}, {1, -time.Second}} {
		if _, err := b.limiter.Take(t.Context(), "k", tc.limit, tc.window); err == nil {
			t.Errorf("Take(limit %d, window %v): no error", tc.limit, tc.window)
		}
	}
}

// --- helpers ---

func mustGet(tb testing.TB, c convrs.Cache, key string) ([]byte, bool) {
	tb.Helper()
	v, ok, err := c.Get(context.Background(), key)
	if err != nil {
		tb.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func mustSet(tb testing.TB, c convrs.Cache, key string, value []byte, ttl time.Duration) {
	tb.Helper()
	if err := c.Set(context.Background(), key, value, ttl); err != nil {
		tb.Fatalf("Set(%q): %v", key, err)
	}
}

func mustSetNX(tb testing.TB, c convrs.Cache, key string, value []byte, ttl time.Duration) bool {
	tb.Helper()
	ok, err := c.SetNX(context.Background(), key, value, ttl)
	if err != nil {
		tb.Fatalf("SetNX(%q): %v", key, err)
	}
	return ok
}

func mustDelete(tb testing.TB, c convrs.Cache, keys ...string) {
	tb.Helper()
	if err := c.Delete(context.Background(), keys...); err != nil {
		tb.Fatalf("Delete(%q): %v", keys, err)
	}
}

// present returns those of keys that Get finds, in order.
func present(tb testing.TB, c convrs.Cache, keys ...string) []string {
	tb.Helper()
	var out []string
	for _, k := range keys {
		if _, ok := mustGet(tb, c, k); ok {
			out = append(out, k)
		}
	}
	return out
}

func mustLock(tb testing.TB, l convrs.Locker, key string, ttl time.Duration) (unlock func()) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	unlock, err := l.Lock(ctx, key, ttl)
	if err != nil {
		tb.Fatalf("Lock(%q): %v", key, err)
	}
	return unlock
}

// tryLock reports whether Lock gets key within d, releasing it if so.
func tryLock(tb testing.TB, l convrs.Locker, key string, d time.Duration) bool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	unlock, err := l.Lock(ctx, key, time.Minute)
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	} else if err != nil {
		tb.Fatalf("Lock(%q): %v", key, err)
	}
	unlock()
	return true
}

func mustTake(tb testing.TB, l convrs.Limiter, key string, limit int, window time.Duration) time.Duration {
	tb.Helper()
	wait, err := l.Take(context.Background(), key, limit, window)
	if err != nil {
		tb.Fatalf("Take(%q): %v", key, err)
	}
	return wait
}

// newFakeClock is a clock that moves only when told.
func newFakeClock() *testkit.Clock {
	return testkit.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
}

// mustRedis connects to the server at TEST_REDIS_URL.
func mustRedis(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	rdb, err := cache.OpenRedis(testkit.RedisURL(tb))
	if err != nil {
		tb.Fatalf("TEST_REDIS_URL: %v", err)
	}
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// mustPrefix returns a key prefix no other test uses, and removes every key under it when the test ends.
func mustPrefix(tb testing.TB, rdb redis.UniversalClient) string {
	tb.Helper()
	prefix := "cachetest:" + rand.Text() + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Unlink(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("clean up %s*: %v", prefix, err)
		}
	})
	return prefix
}
