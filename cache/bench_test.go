package cache_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
)

// The Memory and Redis benchmarks come in pairs with the same workload, so their ratio is the cost of the
// network round trips.

func BenchmarkMemoryGetSet(b *testing.B) { benchGetSet(b, cache.NewMemory()) }
func BenchmarkRedisGetSet(b *testing.B)  { benchGetSet(b, benchRedis(b)) }

func BenchmarkMemoryLock(b *testing.B) { benchLock(b, cache.NewMemory()) }
func BenchmarkRedisLock(b *testing.B)  { benchLock(b, benchRedis(b)) }

func BenchmarkMemoryLimiterTake(b *testing.B) { benchLimiter(b, cache.NewMemory().Limiter()) }
func BenchmarkRedisLimiterTake(b *testing.B)  { benchLimiter(b, benchRedis(b).Limiter()) }

func benchRedis(b *testing.B) *cache.Redis {
	rdb := mustRedis(b)
	return cache.NewRedis(rdb, mustPrefix(b, rdb))
}

// benchGetSet runs one Set and one Get per op over 1024 keys.
func benchGetSet(b *testing.B, c convrs.Cache) {
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "hubspot:ws_1:contact:" + strconv.Itoa(i)
	}
	value := make([]byte, 256)
	i := 0
	for b.Loop() {
		k := keys[i%len(keys)]
		i++
		if err := c.Set(ctx, k, value, time.Minute); err != nil {
			b.Fatal(err)
		}
		if _, ok, err := c.Get(ctx, k); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// benchLock runs one uncontended Lock and unlock per op.
func benchLock(b *testing.B, l convrs.Locker) {
	ctx := context.Background()
	for b.Loop() {
		unlock, err := l.Lock(ctx, "job", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}

// benchLimiter runs one Take per op, over 64 keys that each admit 100 per second, so most Takes are refused.
func benchLimiter(b *testing.B, l convrs.Limiter) {
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := l.Take(ctx, "portal:"+strconv.Itoa(i%64), 100, time.Second); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
