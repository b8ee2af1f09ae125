package cache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
)

var (
	_ convrs.Cache   = (*Redis)(nil)
	_ convrs.Locker  = (*Redis)(nil)
	_ convrs.Limiter = (*RedisLimiter)(nil)
)

const (
	// scanBatch is the COUNT hint of each SCAN in DeletePrefix, and so roughly the size of each UNLINK.
	scanBatch = 500
	// Lock polls with exponential backoff between these bounds, with jitter so waiters do not move in step.
	lockBackoffMin = 5 * time.Millisecond
	lockBackoffMax = 200 * time.Millisecond
	// unlockTimeout bounds the release of a lock, which runs even when the caller's ctx has ended.
	unlockTimeout = 5 * time.Second
)

// unlockScript deletes the lock only if it still holds this caller's token: after a lapse another holder may
// own it.
var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// limiterScript is the rolling-window limiter: one sorted set per key whose members are unique per request
// and whose scores are admission times in microseconds. It reads the server's clock so that processes with
// skewed clocks still share one window. It returns 0 when it admitted the request, else the wait in µs.
//
// KEYS[1] the set; ARGV[1] window µs; ARGV[2] limit; ARGV[3] unique member.
var limiterScript = redis.NewScript(`
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local n = redis.call("ZCARD", KEYS[1])
if n < limit then
	redis.call("ZADD", KEYS[1], now, ARGV[3])
	redis.call("PEXPIRE", KEYS[1], math.ceil(window / 1000))
	return 0
end
-- A slot frees when the entry at n-limit leaves the window (the oldest, unless limit was lowered).
local e = redis.call("ZRANGE", KEYS[1], n - limit, n - limit, "WITHSCORES")
local wait = tonumber(e[2]) + window - now
if wait < 1 then
	wait = 1
end
return wait`)

// Redis is a cache and locker shared by every gateway process using the same Redis server. Cache entries live
// under prefix+"cache:"+key and locks under prefix+"lock:"+key, so purging cached data never drops a lock.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedis returns a cache on rdb that puts every key it writes under prefix (e.g. "convrs:").
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix}
}

func (r *Redis) cacheKey(key string) string { return r.prefix + "cache:" + key }
func (r *Redis) lockKey(key string) string  { return r.prefix + "lock:" + key }

// Get returns the value of key and whether it was there.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.rdb.Get(ctx, r.cacheKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("cache: get: %w", err)
	}
	return v, true, nil
}

// GetMany returns the values of keys with one MGET, nil where a key is absent.
func (r *Redis) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.cacheKey(k)
	}
	vals, err := r.rdb.MGet(ctx, full...).Result()
	if err != nil {
		return nil, fmt.Errorf("cache: get many: %w", err)
	}
	out := make([][]byte, len(keys))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = []byte(s)
		}
	}
	return out, nil
}

// Set stores value under key for ttl (ttl <= 0: no expiry).
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.rdb.Set(ctx, r.cacheKey(key), value, redisTTL(ttl)).Err(); err != nil {
		return fmt.Errorf("cache: set: %w", err)
	}
	return nil
}

// SetNX stores value under key for ttl only if key is absent, reporting whether it did.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := r.rdb.SetNX(ctx, r.cacheKey(key), value, redisTTL(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("cache: setnx: %w", err)
	}
	return ok, nil
}

// Take returns and deletes key in one step (GETDEL, Redis ≥ 6.2), so a value can be taken once only.
func (r *Redis) Take(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.rdb.GetDel(ctx, r.cacheKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("cache: take: %w", err)
	}
	return v, true, nil
}

// Delete removes keys; absent keys are no error.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if _, ok := r.rdb.(*redis.ClusterClient); ok {
		// Keys of different hash slots cannot share one command in a cluster.
		return r.unlinkEach(ctx, r.rdb, r.cacheKeys(keys))
	}
	if err := r.rdb.Unlink(ctx, r.cacheKeys(keys)...).Err(); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	return nil
}

func (r *Redis) cacheKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = r.cacheKey(k)
	}
	return out
}

// DeletePrefix removes every cached key that starts with prefix. It walks the keyspace with SCAN and unlinks
// what it finds batch by batch, so it never blocks the server the way KEYS would; keys written while it runs
// may survive.
func (r *Redis) DeletePrefix(ctx context.Context, prefix string) error {
	match := escapeGlob(r.cacheKey(prefix)) + "*"
	var err error
	switch c := r.rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return r.scanUnlink(ctx, node, match, true)
		})
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, shard *redis.Client) error {
			return r.scanUnlink(ctx, shard, match, false)
		})
	default:
		err = r.scanUnlink(ctx, r.rdb, match, false)
	}
	if err != nil {
		return fmt.Errorf("cache: delete prefix: %w", err)
	}
	return nil
}

func (r *Redis) scanUnlink(ctx context.Context, node redis.Cmdable, match string, perKey bool) error {
	var cursor uint64
	for {
		keys, next, err := node.Scan(ctx, cursor, match, scanBatch).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if perKey {
				err = r.unlinkEach(ctx, node, keys)
			} else {
				err = node.Unlink(ctx, keys...).Err()
			}
			if err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// unlinkEach unlinks keys one command each, pipelined; for cluster nodes, where one UNLINK may not span slots.
func (r *Redis) unlinkEach(ctx context.Context, c redis.Cmdable, keys []string) error {
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Unlink(ctx, k)
		}
		return nil
	})
	return err
}

// Lock blocks until it holds key or ctx ends, polling with backoff. The lock is a Redis key set with NX and a
// PX of ttl, holding a random token; unlock deletes it only while it still holds that token, and may be
// called more than once. A failed unlock is left to the ttl.
func (r *Redis) Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("cache: lock %q: ttl must be positive, got %v", key, ttl)
	}
	k, token := r.lockKey(key), rand.Text()
	backoff := lockBackoffMin
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		ok, err := r.rdb.SetNX(ctx, k, token, ttl).Result()
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("cache: lock %q: %w", key, err)
		}
		if ok {
			return r.unlocker(ctx, k, token), nil
		}
		timer.Reset(backoff/2 + mrand.N(backoff/2+1))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("cache: lock %q: %w", key, ctx.Err())
		case <-timer.C:
		}
		backoff = min(2*backoff, lockBackoffMax)
	}
}

func (r *Redis) unlocker(ctx context.Context, k, token string) func() {
	// Keep ctx's values (tracing) but not its end: a holder often unlocks because its ctx ended.
	ctx = context.WithoutCancel(ctx)
	return sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(ctx, unlockTimeout)
		defer cancel()
		_ = unlockScript.Run(ctx, r.rdb, []string{k}, token).Err()
	})
}

// Limiter returns the rolling-window limiter that shares this Redis's client and key prefix. Its keys live
// under prefix+"rate:"+key.
func (r *Redis) Limiter() *RedisLimiter { return &RedisLimiter{rdb: r.rdb, prefix: r.prefix + "rate:"} }

// RedisLimiter is an exact rolling-window limiter shared by every gateway process using the same Redis server:
// one atomic script per Take, so processes together never admit more than limit per window.
type RedisLimiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// Take records one request under key if fewer than limit were recorded in the last window and returns 0;
// otherwise it records nothing and returns how long until a slot frees (at microsecond precision).
func (l *RedisLimiter) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	if err := checkLimit(key, limit, window); err != nil {
		return 0, err
	}
	windowUS := max(window.Microseconds(), 1)
	wait, err := limiterScript.Run(ctx, l.rdb, []string{l.prefix + key}, windowUS, limit, rand.Text()).Int64()
	if err != nil {
		return 0, fmt.Errorf("cache: limiter take %q: %w", key, err)
	}
	return time.Duration(wait) * time.Microsecond, nil
}

// redisTTL maps the contract's "ttl <= 0: no expiry" onto go-redis, where 0 means no expiry but -1 means
// KEEPTTL (keep the old expiry).
func redisTTL(ttl time.Duration) time.Duration {
	return max(ttl, 0)
}

// escapeGlob escapes the characters that SCAN MATCH would read as a pattern.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := range len(s) {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
