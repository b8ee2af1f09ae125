package pubsub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
)

var _ convrs.PubSub = (*Redis)(nil)

const (
	// subscribeTimeout bounds the wait for Redis to confirm a subscription.
	subscribeTimeout = 10 * time.Second
	// idlePing is how long a subscription may stay silent before it pings Redis, so that a broken connection
	// is noticed and redialled (go-redis's own Channel does the same).
	idlePing    = 30 * time.Second
	pingTimeout = 5 * time.Second
	// After repeated receive errors (Redis down), the subscription retries with backoff up to this bound.
	retryMax = 5 * time.Second
)

// Redis is a pub/sub on Redis channels, shared by every gateway process using the same Redis server. Topics
// live under prefix+topic. Each subscription holds one Redis connection and one goroutine, which reads
// everything Redis sends (so Redis never disconnects it as a slow consumer) and ends the subscription when its
// subscriber has no room for a message (see the package doc). Messages published while a connection is being
// redialled are lost.
type Redis struct {
	rdb     redis.UniversalClient
	prefix  string
	dropped atomic.Uint64
	active  atomic.Int64 // subscriptions whose goroutine is running
}

// NewRedis returns a pub/sub on rdb whose channels are named prefix+topic (e.g. "convrs:").
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix}
}

// Publish sends payload to the subscribers of topic in every process. Having none is no error.
func (r *Redis) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := r.rdb.Publish(ctx, r.prefix+topic, payload).Err(); err != nil {
		return fmt.Errorf("pubsub: publish: %w", err)
	}
	return nil
}

// Subscribe returns a channel of the messages published to topic from now on: it returns once Redis has
// confirmed the subscription. The channel is closed, and the connection released, when ctx ends or rdb is
// closed.
func (r *Redis) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}
	channel := r.prefix + topic
	ps := r.rdb.Subscribe(ctx, channel)
	// Closing the PubSub is what interrupts a blocked Receive.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	if err := confirm(ctx, ps, channel); err != nil {
		stop()
		_ = ps.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}

	out := make(chan []byte, SubscriberBuffer)
	r.active.Add(1)
	go r.receive(ctx, ps, out)
	return out, nil
}

// confirm waits for Redis's confirmation of the subscription to channel; only after it are messages
// published to channel sure to arrive.
func confirm(ctx context.Context, ps *redis.PubSub, channel string) error {
	ctx, cancel := context.WithTimeout(ctx, subscribeTimeout)
	defer cancel()
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			return err
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Kind == "subscribe" && s.Channel == channel {
			return nil
		}
	}
}

// receive moves messages from ps to out until ctx ends (or the client is closed), then closes both.
func (r *Redis) receive(ctx context.Context, ps *redis.PubSub, out chan<- []byte) {
	defer r.active.Add(-1)
	defer close(out)
	defer ps.Close()

	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	failures := 0
	for {
		msg, err := ps.ReceiveTimeout(ctx, idlePing)
		if ctx.Err() != nil {
			return
		}
		var netErr net.Error
		switch {
		case errors.Is(err, redis.ErrClosed):
			return // the client was closed: the gateway is shutting down
		case errors.As(err, &netErr) && netErr.Timeout():
			// Silence, not failure: a ping either gets a pong or makes go-redis redial.
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			_ = ps.Ping(pctx)
			cancel()
			continue
		case err != nil:
			// go-redis has dropped the connection and redials, resubscribing, on the next Receive. Back off
			// after the first failure in a row so that a Redis that is down is not hammered.
			if failures > 0 {
				retry.Reset(min(100*time.Millisecond<<min(failures-1, 6), retryMax))
				select {
				case <-ctx.Done():
					return
				case <-retry.C:
				}
			}
			failures++
			continue
		}
		failures = 0
		if m, ok := msg.(*redis.Message); ok {
			select {
			case out <- []byte(m.Payload):
			default:
				// The subscriber fell behind: end its subscription rather than let it miss messages unaware.
				r.dropped.Add(1)
				return
			}
		}
	}
}

// Dropped returns how many subscriptions were ended because their buffer was full when a message arrived.
func (r *Redis) Dropped() uint64 { return r.dropped.Load() }
