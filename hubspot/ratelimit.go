package hubspot

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter paces requests against a rolling-window budget shared by everyone using the same key.
type Limiter interface {
	// Take atomically records one request under key if fewer than limit were recorded in the last window
	// and returns 0; otherwise it records nothing and returns how long until a slot frees.
	Take(ctx context.Context, key string, limit int, window time.Duration) (wait time.Duration, err error)
}

var _ Limiter = (*MemoryLimiter)(nil)

// MemoryLimiter is an exact rolling-window Limiter for one process: it keeps the time of every admitted
// request still inside its window.
type MemoryLimiter struct {
	mu   sync.Mutex
	keys map[string][]time.Time // admitted request times, oldest first
	now  func() time.Time
}

// NewMemoryLimiter returns an empty in-process limiter.
func NewMemoryLimiter() *MemoryLimiter {
	return &MemoryLimiter{keys: map[string][]time.Time{}, now: time.Now}
}

// Take implements Limiter.
func (l *MemoryLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 || window <= 0 {
		return 0, fmt.Errorf("hubspot: limiter: limit %d per %v is not positive", limit, window)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	times := l.keys[key]
	// Drop requests that left the window: a request at t occupies its slot during [t, t+window).
	i := 0
	for i < len(times) && !times[i].Add(window).After(now) {
		i++
	}
	times = times[i:]
	if len(times) < limit {
		l.keys[key] = append(times, now)
		return 0, nil
	}
	l.keys[key] = times
	// The slot of the (len-limit)th oldest request frees first; with a lowered limit more than one must go.
	return times[len(times)-limit].Add(window).Sub(now), nil
}
