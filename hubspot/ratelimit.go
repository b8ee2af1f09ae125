package hubspot

import (
	"context"
	"time"
)

// Limiter paces requests against a rolling-window budget shared by everyone using the same key
// (cache.MemoryLimiter in one process, cache.RedisLimiter across processes).
type Limiter interface {
	// Take atomically records one request under key if fewer than limit were recorded in the last window
	// and returns 0; otherwise it records nothing and returns how long until a slot frees.
	Take(ctx context.Context, key string, limit int, window time.Duration) (wait time.Duration, err error)
}
