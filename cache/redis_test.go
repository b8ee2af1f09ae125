package cache_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/internal/testkit"
)

// Redis-only checks: what is stored where, and with which expiry (read with PTTL rather than waited for).

func TestRedisExpiry(t *testing.T) {
	t.Parallel()
	rdb := mustRedis(t)
	prefix := mustPrefix(t, rdb)
	r := cache.NewRedis(rdb, prefix)
	ctx := t.Context()

	pttl := func(key string) time.Duration {
		t.Helper()
		d, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", key, err)
		}
		return d
	}
	inRange := func(what string, got, ttl time.Duration) {
		t.Helper()
		if got <= 0 || got > ttl {
			t.Errorf("%s: PTTL %v; want in (0, %v]", what, got, ttl)
		}
	}

	mustSet(t, r, "k", []byte("v"), 10*time.Second)
	inRange("Set", pttl(prefix+"cache:k"), 10*time.Second)
	mustSet(t, r, "k", []byte("v"), 1500*time.Millisecond)
	inRange("Set with ms ttl", pttl(prefix+"cache:k"), 1500*time.Millisecond)
	// go-redis reads -1 as KEEPTTL; the contract says ttl <= 0 means no expiry.
	for _, ttl := range []time.Duration{0, -1, -time.Second} {
		mustSet(t, r, "k", []byte("v"), 10*time.Second)
		mustSet(t, r, "k", []byte("v"), ttl)
		if got := pttl(prefix + "cache:k"); got != -1 {
			t.Errorf("Set with ttl %v over an expiring key: PTTL %v; want -1 (no expiry)", ttl, got)
		}
	}
	mustSetNX(t, r, "nx", []byte("v"), 10*time.Second)
	inRange("SetNX", pttl(prefix+"cache:nx"), 10*time.Second)
	mustSetNX(t, r, "nx-forever", []byte("v"), -1)
	if got := pttl(prefix + "cache:nx-forever"); got != -1 {
		t.Errorf("SetNX with ttl -1: PTTL %v; want -1", got)
	}

	unlock := mustLock(t, r, "job", 30*time.Second)
	inRange("Lock", pttl(prefix+"lock:job"), 30*time.Second)
	unlock()
	if n := rdb.Exists(ctx, prefix+"lock:job").Val(); n != 0 {
		t.Error("unlock left the lock key")
	}

	mustTake(t, r.Limiter(), "portal", 5, 20*time.Second)
	mustTake(t, r.Limiter(), "portal", 5, 20*time.Second)
	inRange("Limiter", pttl(prefix+"rate:portal"), 20*time.Second)
	if n := rdb.ZCard(ctx, prefix+"rate:portal").Val(); n != 2 {
		t.Errorf("limiter set holds %d entries; want 2 (one unique member per Take)", n)
	}
}

func TestOpenRedis(t *testing.T) {
	t.Parallel()
	url := testkit.RedisURL(t)
	rdb, err := cache.OpenRedis(url)
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	defer rdb.Close()
	if _, ok := rdb.(*redis.Client); !ok {
		t.Errorf("OpenRedis returned %T; want *redis.Client", rdb)
	}

	for _, bad := range []string{
		"http://127.0.0.1:6379",
		"redis://user:s3cret@127.0.0.1:6379/notadb",
		"redis://user:s3cret@%zz",
		"redis://127.0.0.1:1/0?max_retries=-1", // nothing listens on port 1; no retries
	} {
		if _, err := cache.OpenRedis(bad); err == nil {
			t.Errorf("OpenRedis(%q): no error", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("OpenRedis(%q) error shows the password: %v", bad, err)
		}
	}
}
