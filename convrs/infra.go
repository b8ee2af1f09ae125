package convrs

import (
	"context"
	"time"
)

// Cache is a shared key-value cache with expiry. The in-process and Redis implementations pass the same
// contract tests; keys are namespaced by the caller (e.g. "hubspot:ws_1:contact:…").
type Cache interface {
	// Get returns the value of key and whether it was there.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// GetMany returns the values of keys in one round trip, nil where a key is absent.
	GetMany(ctx context.Context, keys ...string) ([][]byte, error)
	// Set stores value under key for ttl (ttl <= 0: no expiry).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value only if key is absent, reporting whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Take atomically returns and deletes key: a value can be taken once only (single-use OAuth states).
	Take(ctx context.Context, key string) ([]byte, bool, error)
	// Delete removes keys; absent keys are no error.
	Delete(ctx context.Context, keys ...string) error
	// DeletePrefix removes every key that starts with prefix (purging a workspace's cached HubSpot data).
	DeletePrefix(ctx context.Context, prefix string) error
}

// Locker takes named locks shared by every gateway process using the same backend.
type Locker interface {
	// Lock blocks until it holds key or ctx ends. The lock lapses after ttl if never released, so a crashed
	// holder cannot block others forever. unlock releases it only if it is still held by this caller.
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error)
}

// Limiter counts requests in rolling windows shared by every gateway process using the same backend.
type Limiter interface {
	// Take records one request under key if fewer than limit were recorded in the last window and returns 0;
	// otherwise it records nothing and returns how long until a slot frees.
	Take(ctx context.Context, key string, limit int, window time.Duration) (wait time.Duration, err error)
}

// PubSub delivers messages to the subscribers of a topic in every gateway process using the same backend.
type PubSub interface {
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe returns a channel of the topic's messages, published after Subscribe returned, and closed when
	// ctx ends or when messages may have been lost to it: it did not keep up (it never blocks the publisher) or
	// the backend failed. A subscriber whose channel closes before its ctx ended refetches what it needs.
	Subscribe(ctx context.Context, topic string) (<-chan []byte, error)
}
