// Package cache implements convrs.Cache, convrs.Locker and convrs.Limiter twice: in process (Memory) for a
// single gateway without Redis, and on Redis (Redis) for several gateway processes sharing one server. Both
// pass the same contract tests.
//
// Go cannot give one type two Take methods, so each backend's limiter is a type of its own, returned by
// Limiter() and sharing the backend's clock or key prefix.
package cache

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/convrs/gateway/convrs"
)

var (
	_ convrs.Cache   = (*Memory)(nil)
	_ convrs.Locker  = (*Memory)(nil)
	_ convrs.Limiter = (*MemoryLimiter)(nil)
)

const (
	// sweepEvery is how often (on the backend's clock) a write also drops every expired entry, so keys that are
	// never read again do not pile up. It replaces a janitor goroutine, which would need a Close.
	sweepEvery = time.Minute
	// lockPollMax bounds how long a waiting Lock sleeps before it looks at the clock again; the clock may be
	// a fake that jumps forward.
	lockPollMax = 10 * time.Millisecond
)

// MemoryOption configures a Memory.
type MemoryOption func(*Memory)

// WithClock makes the Memory read the time from now instead of time.Now (tests pass a fake clock).
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// Memory is an in-process cache, locker and limiter for a single gateway process. Expired entries vanish on
// access and are swept from time to time during writes. The zero value is not usable; call NewMemory.
type Memory struct {
	now func() time.Time

	mu        sync.Mutex
	entries   map[string]memEntry
	locks     map[string]*memLock
	windows   map[string]memWindow
	lockSeq   uint64
	lastSweep time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time // zero: never
}

func (e memEntry) expired(now time.Time) bool { return !e.expires.IsZero() && !now.Before(e.expires) }

// memWindow holds the admission times of one limiter key, oldest first.
type memWindow struct {
	times  []time.Time
	window time.Duration // of the last Take, for the sweep
}

type memLock struct {
	token   uint64
	expires time.Time
	// released is closed when the lock is unlocked or taken over after lapsing, waking its waiters.
	released chan struct{}
}

// NewMemory returns an empty in-process cache.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		now:     time.Now,
		entries: make(map[string]memEntry),
		locks:   make(map[string]*memLock),
		windows: make(map[string]memWindow),
	}
	for _, opt := range opts {
		opt(m)
	}
	m.lastSweep = m.now()
	return m
}

// Get returns a copy of the value of key and whether it was there.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("cache: get: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.lookup(key, m.now())
	if !ok {
		return nil, false, nil
	}
	return clone(e.value), true, nil
}

// GetMany returns copies of the values of keys, nil where a key is absent.
func (m *Memory) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cache: get many: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if e, ok := m.lookup(k, now); ok {
			out[i] = clone(e.value)
			if out[i] == nil {
				out[i] = []byte{}
			}
		}
	}
	return out, nil
}

// Set stores a copy of value under key for ttl (ttl <= 0: no expiry).
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: set: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.maybeSweep(now)
	m.entries[key] = memEntry{value: clone(value), expires: expiry(now, ttl)}
	return nil
}

// SetNX stores a copy of value under key for ttl only if key is absent, reporting whether it did.
func (m *Memory) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("cache: setnx: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.maybeSweep(now)
	if _, ok := m.lookup(key, now); ok {
		return false, nil
	}
	m.entries[key] = memEntry{value: clone(value), expires: expiry(now, ttl)}
	return true, nil
}

// Take returns and deletes key in one step, so a value can be taken once only.
func (m *Memory) Take(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("cache: take: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.lookup(key, m.now())
	if !ok {
		return nil, false, nil
	}
	delete(m.entries, key)
	// The entry left the map, so nobody else can see its slice: no copy needed.
	return e.value, true, nil
}

// Delete removes keys; absent keys are no error.
func (m *Memory) Delete(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
	return nil
}

// DeletePrefix removes every cached key that starts with prefix. Locks and limiter windows are not cache
// keys and stay.
func (m *Memory) DeletePrefix(ctx context.Context, prefix string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: delete prefix: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.entries {
		if strings.HasPrefix(k, prefix) {
			delete(m.entries, k)
		}
	}
	return nil
}

// Lock blocks until it holds key or ctx ends. The lock lapses after ttl (on the Memory's clock) if never
// released; unlock releases it only while this caller still holds it, and may be called more than once.
func (m *Memory) Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("cache: lock %q: ttl must be positive, got %v", key, ttl)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cache: lock %q: %w", key, err)
		}
		m.mu.Lock()
		now := m.now()
		m.maybeSweep(now)
		cur, held := m.locks[key]
		if !held || !now.Before(cur.expires) {
			if held {
				close(cur.released) // lapsed: its waiters retry against the new holder
			}
			m.lockSeq++
			l := &memLock{token: m.lockSeq, expires: now.Add(ttl), released: make(chan struct{})}
			m.locks[key] = l
			m.mu.Unlock()
			return sync.OnceFunc(func() { m.unlock(key, l.token) }), nil
		}
		wait, released := min(cur.expires.Sub(now), lockPollMax), cur.released
		m.mu.Unlock()

		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("cache: lock %q: %w", key, ctx.Err())
		case <-released:
		case <-timer.C:
		}
	}
}

func (m *Memory) unlock(key string, token uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.locks[key]; ok && cur.token == token {
		delete(m.locks, key)
		close(cur.released)
	}
}

// Limiter returns the Memory's rolling-window limiter, which shares its clock.
func (m *Memory) Limiter() *MemoryLimiter { return &MemoryLimiter{m: m} }

// MemoryLimiter is an exact rolling-window limiter for a single gateway process: it keeps the admission time
// of every request still inside the window.
type MemoryLimiter struct{ m *Memory }

// Take records one request under key if fewer than limit were recorded in the last window and returns 0;
// otherwise it records nothing and returns how long until the oldest recorded request leaves the window.
func (l *MemoryLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if err := checkLimit(key, limit, window); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("cache: limiter take %q: %w", key, err)
	}
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.maybeSweep(now)
	times := trimWindow(m.windows[key].times, now, window)
	if len(times) < limit {
		m.windows[key] = memWindow{times: append(times, now), window: window}
		return 0, nil
	}
	m.windows[key] = memWindow{times: times, window: window}
	// A slot frees when the request at len-limit leaves the window (the oldest, unless limit was lowered).
	return times[len(times)-limit].Add(window).Sub(now), nil
}

// trimWindow drops the times at or before now-window. A request exactly window old has left the window.
func trimWindow(times []time.Time, now time.Time, window time.Duration) []time.Time {
	cutoff := now.Add(-window)
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	if i == len(times) {
		return times[:0]
	}
	return times[i:]
}

func checkLimit(key string, limit int, window time.Duration) error {
	switch {
	case limit <= 0:
		return fmt.Errorf("cache: limiter take %q: limit must be positive, got %d", key, limit)
	case window <= 0:
		return fmt.Errorf("cache: limiter take %q: window must be positive, got %v", key, window)
	}
	return nil
}

// lookup returns the live entry of key, deleting it if it has expired. m.mu must be held.
func (m *Memory) lookup(key string, now time.Time) (memEntry, bool) {
	e, ok := m.entries[key]
	if !ok {
		return memEntry{}, false
	}
	if e.expired(now) {
		delete(m.entries, key)
		return memEntry{}, false
	}
	return e, true
}

// maybeSweep drops expired entries, lapsed locks and empty limiter windows once every sweepEvery. m.mu must
// be held.
func (m *Memory) maybeSweep(now time.Time) {
	if now.Sub(m.lastSweep) < sweepEvery {
		return
	}
	m.lastSweep = now
	for k, e := range m.entries {
		if e.expired(now) {
			delete(m.entries, k)
		}
	}
	for k, l := range m.locks {
		if !now.Before(l.expires) {
			delete(m.locks, k)
			close(l.released)
		}
	}
	for k, w := range m.windows {
		if len(trimWindow(w.times, now, w.window)) == 0 {
			delete(m.windows, k)
		}
	}
}

func expiry(now time.Time, ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return now.Add(ttl)
}

// clone copies b so that the cache never shares memory with its callers. Like Redis, it turns nil into an
// empty value.
func clone(b []byte) []byte {
	return append([]byte{}, b...)
}
