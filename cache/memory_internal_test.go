package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestMemorySweep(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for i := range 100 {
		_ = m.Set(ctx, fmt.Sprintf("short:%d", i), []byte("v"), time.Second)
	}
	_ = m.Set(ctx, "long", []byte("v"), time.Hour)
	_, _ = m.Lock(ctx, "crashed", time.Second)
	_, _ = m.Limiter().Take(ctx, "rate", 1, time.Second)

	now = now.Add(sweepEvery)
	_ = m.Set(ctx, "trigger", []byte("v"), 0)
	if got, want := len(m.entries), 2; got != want {
		t.Errorf("entries after the sweep: %d; want %d (long, trigger)", got, want)
	}
	if len(m.locks) != 0 || len(m.windows) != 0 {
		t.Errorf("after the sweep: %d locks, %d limiter windows; want none", len(m.locks), len(m.windows))
	}
}
