package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
)

// The contract tests cannot tell "expires at ttl" from "expires a little later"; the fake clock can.

func TestMemoryExpiryExact(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := cache.NewMemory(cache.WithClock(clock.Now))
	mustSet(t, m, "k", []byte("v"), 10*time.Second)
	clock.Advance(10*time.Second - time.Nanosecond)
	if _, ok := mustGet(t, m, "k"); !ok {
		t.Fatal("expired before its ttl")
	}
	clock.Advance(time.Nanosecond)
	if _, ok := mustGet(t, m, "k"); ok {
		t.Fatal("still there at its ttl")
	}
}

func TestMemoryNoExpiry(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	m := cache.NewMemory(cache.WithClock(clock.Now))
	mustSet(t, m, "zero", []byte("v"), 0)
	mustSet(t, m, "negative", []byte("v"), -time.Second)
	mustSet(t, m, "cleared", []byte("v"), time.Second)
	mustSet(t, m, "cleared", []byte("v"), 0) // overwriting without ttl drops the old expiry
	clock.Advance(1000 * time.Hour)
	for _, k := range []string{"zero", "negative", "cleared"} {
		if _, ok := mustGet(t, m, k); !ok {
			t.Errorf("%s expired", k)
		}
	}
}

func TestMemoryLimiterWait(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := cache.NewMemory(cache.WithClock(clock.Now)).Limiter()
	const window = time.Minute
	steps := []struct {
		advance time.Duration
		limit   int
		want    time.Duration
	}{
		{0, 2, 0},                // t=0 admitted
		{10 * time.Second, 2, 0}, // t=10 admitted
		{5 * time.Second, 2, 45 * time.Second},
		{45*time.Second - 1, 2, 1}, // one nanosecond before t=0 leaves the window
		{1, 2, 0},                  // t=60: t=0 has left; admitted
		{0, 2, 10 * time.Second},   // full again (t=10, t=60): t=10 leaves at 70
		{0, 1, 60 * time.Second},   // a lower limit waits for the newest entry
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := mustTake(t, l, "k", s.limit, window); got != s.want {
			t.Fatalf("step %d: wait = %v; want %v", i, got, s.want)
		}
	}
}

func TestMemoryLockWokenByUnlock(t *testing.T) {
	t.Parallel()
	m := cache.NewMemory(cache.WithClock(newFakeClock().Now)) // the clock never moves: only unlock can help
	unlock := mustLock(t, m, "k", time.Minute)
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		u, err := m.Lock(ctx, "k", time.Minute)
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock after unlock: %v", err)
	}
}
