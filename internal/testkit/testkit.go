// Package testkit holds the helpers tests of several packages share: a clock tests move, waiting for a
// condition, a log buffer written from several goroutines, and the test services' addresses from the
// environment. Only tests import it, so the production binary does not link package testing.
package testkit

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Clock is a clock a test moves forward with Advance; its Now fits the packages' Now options.
type Clock struct {
	mu      sync.Mutex
	at      time.Time
	offset  time.Duration
	running bool
}

// NewClock returns a clock standing at start that moves only when Advance is called, so a delay never lapses
// by accident on a slow machine.
func NewClock(start time.Time) *Clock { return &Clock{at: start} }

// NewRunningClock returns a clock that follows the wall clock, ahead of it by what Advance added.
func NewRunningClock() *Clock { return &Clock{running: true} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.at.Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// EventuallyWithin is how long Eventually waits: generous, so a loaded machine (-race, busy CPUs) does not fail
// a test whose condition does come true; a condition that never holds still fails.
const EventuallyWithin = 30 * time.Second

// Eventually polls cond until it holds, failing the test with what (the condition awaited) if it does not hold
// within EventuallyWithin. cond runs on the test's goroutine, so it may call tb.Fatal.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(EventuallyWithin)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting until %s", EventuallyWithin, what)
		}
		<-tick.C
	}
}

// LogBuffer collects log output that handlers and workers write from several goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// LookupDatabaseURL returns TEST_DATABASE_URL (a PostgreSQL database for tests) and whether it is set. With
// CI=true an unset one fails the test instead of quietly testing less.
func LookupDatabaseURL(tb testing.TB) (string, bool) {
	tb.Helper()
	return lookup(tb, "TEST_DATABASE_URL", "PostgreSQL")
}

// DatabaseURL returns TEST_DATABASE_URL; without it the test is skipped, or fails with CI=true.
func DatabaseURL(tb testing.TB) string {
	tb.Helper()
	return require(tb, "TEST_DATABASE_URL", "PostgreSQL")
}

// LookupRedisURL returns TEST_REDIS_URL (a Redis server for tests) and whether it is set. With CI=true an
// unset one fails the test instead of quietly testing less.
func LookupRedisURL(tb testing.TB) (string, bool) {
	tb.Helper()
	return lookup(tb, "TEST_REDIS_URL", "Redis")
}

// RedisURL returns TEST_REDIS_URL; without it the test is skipped, or fails with CI=true.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	return require(tb, "TEST_REDIS_URL", "Redis")
}

func lookup(tb testing.TB, name, service string) (string, bool) {
	tb.Helper()
	url := os.Getenv(name)
	if url == "" && os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not set, but CI=true requires the %s tests (see scripts/test-env.sh)", name, service)
	}
	return url, url != ""
}

func require(tb testing.TB, name, service string) string {
	tb.Helper()
	url, ok := lookup(tb, name, service)
	if !ok {
		tb.Skipf("%s is not set: skipping the %s variant", name, service)
	}
	return url
}
