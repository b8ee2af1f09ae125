package hubspot

import (
	"context"
	"math"
	"time"
)

// Limiter paces requests against a rolling-window budget shared by everyone using the same key
// (cache.MemoryLimiter in one process, cache.RedisLimiter across processes).
type Limiter interface {
	// Take atomically records one request under key if fewer than limit were recorded in the last window
	// and returns 0; otherwise it records nothing and returns how long until a slot frees.
	Take(ctx context.Context, key string, limit int, window time.Duration) (wait time.Duration, err error)
}

// RollingWindowMargin lengthens every budget's window when we pace ourselves. HubSpot (and the simulator)
// count a rolling window when requests arrive, a little after we took their slots and not equally late for
// each; pacing at exactly limit per window earns a 429 whenever one request is delayed more than the next. With
// the margin, requests delayed by up to it still never put more than limit into any window HubSpot counts.
const RollingWindowMargin = 250 * time.Millisecond

// pacedWindow is the window our limiter counts for a budget of HubSpot's window.
func pacedWindow(window time.Duration) time.Duration { return window + RollingWindowMargin }

type interactiveKey struct{}

// NewInteractiveContext marks ctx as a person's request (an agent's card, search or pick), which a limiter from
// ReserveForBackground keeps out of the share of each budget reserved for background work.
func NewInteractiveContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, interactiveKey{}, true)
}

// IsInteractive reports whether ctx was marked by NewInteractiveContext.
func IsInteractive(ctx context.Context) bool {
	v, _ := ctx.Value(interactiveKey{}).(bool)
	return v
}

// ReserveForBackground returns a Limiter that keeps share (0 to 1) of every budget's slots for background work
// such as the transcript sync: an interactive request (NewInteractiveContext) is admitted only while fewer
// than limit − ⌈limit × share⌉ requests (at least one) were taken in the window, a background one up to the
// whole limit. However many searches agents start, the sync keeps its share of the portal's budget.
func ReserveForBackground(l Limiter, share float64) Limiter {
	return &reservingLimiter{next: l, share: min(max(share, 0), 1)}
}

type reservingLimiter struct {
	next  Limiter
	share float64
}

func (r *reservingLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if IsInteractive(ctx) {
		reserved := int(math.Ceil(float64(limit) * r.share))
		limit = max(limit-reserved, 1)
	}
	return r.next.Take(ctx, key, limit, window)
}
