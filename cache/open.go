package cache

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// openTimeout bounds the ping with which OpenRedis checks the server.
const openTimeout = 5 * time.Second

// OpenRedis connects to the Redis server at url (REDIS_URL: redis://[user:password@]host:port/db, or rediss://
// for TLS; go-redis query options such as dial_timeout are accepted) and pings it. The caller closes the
// client.
func OpenRedis(url string) (redis.UniversalClient, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password, and *url.Error quotes it: keep only the reason.
		if ue := (*neturl.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("cache: open redis: invalid REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("cache: open redis %s: %w", opt.Addr, err)
	}
	return rdb, nil
}
