package pubsub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
)

var _ convrs.PubSub = (*Redis)(nil)

const (
	// subscribeTimeout bounds the wait for Redis to confirm a subscription.
	subscribeTimeout = 10 * time.Second
	// idlePing is how long the connection may stay silent before it pings Redis, so that a broken connection
	// is noticed (go-redis's own Channel does the same); a ping unanswered for as long ends the session.
	idlePing    = 30 * time.Second
	pingTimeout = 5 * time.Second
)

// Redis is a pub/sub on Redis channels, shared by every gateway process using the same Redis server. Topics
// live under prefix+topic. One Redis connection and one goroutine carry all of a process's subscriptions: the
// goroutine reads everything Redis sends (so Redis never disconnects it as a slow consumer), hands each message
// to the topic's subscribers, and ends a subscription whose subscriber has no room for it (see the package
// doc). The connection is opened by the first subscription and closed after the last one ends.
//
// Redis keeps nothing for a subscriber that is away, so messages published while the connection is down are
// lost: when the connection fails, every subscription it carries is ended (Interrupted counts them) instead of
// being resubscribed quietly, and so is every subscription of this process to a topic whose Publish failed;
// once a Publish succeeds again, such a topic gets a marker that ends the other processes' subscriptions to it
// too. Their subscribers refetch and subscribe again; while Redis is down, Subscribe fails with EUNAVAILABLE.
type Redis struct {
	rdb         redis.UniversalClient
	prefix      string
	dropped     atomic.Uint64
	interrupted atomic.Uint64
	active      atomic.Int64 // subscriptions whose channel is open

	mu   sync.Mutex
	sess *redisSession // nil: no subscription, no connection

	// missed holds the channels whose Publish failed, to be sent resyncPayload once Redis answers again.
	missedMu  sync.Mutex
	missed    map[string]struct{}
	anyMissed atomic.Bool
}

// resyncPayload, published on a channel whose message was lost, ends every process's subscriptions to it. No
// message is ever this: they are JSON or words.
const resyncPayload = "\x00convrs:resync"

// maxMissed bounds the channels remembered as missed during an outage (a process cut off from Redis for long
// enough to fail that many topics is as likely to have every other process's connection failing too).
const maxMissed = 10_000

// redisSession is the process's pub/sub connection and the subscriptions it carries. Guarded by Redis.mu.
type redisSession struct {
	ps       *redis.PubSub
	channels map[string]*redisChannel
	// pending counts each channel's SUBSCRIBE commands not yet confirmed, so that a new subscription is not
	// taken as confirmed by the answer to an earlier one (left before its answer came).
	pending map[string]int
	closed  bool
	done    chan struct{} // closed when the session ends
}

type redisChannel struct {
	subs      map[chan []byte]struct{}
	skip      int // confirmations owed to SUBSCRIBEs sent before this subscription's
	confirmed chan struct{}
	ok        bool
}

// NewRedis returns a pub/sub on rdb whose channels are named prefix+topic (e.g. "convrs:").
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix}
}

// ErrUnavailable is the error of a Subscribe that Redis could not serve: live updates are down for a while.
var ErrUnavailable = &convrs.Error{Code: convrs.EUNAVAILABLE,
	Message: "Live updates are unavailable for a moment; subscribe again shortly."}

// Publish sends payload to the subscribers of topic in every process. Having none is no error. When it
// fails, this process's subscriptions to topic are ended, as they missed the message, and so are the other
// processes' once a Publish succeeds again.
func (r *Redis) Publish(ctx context.Context, topic string, payload []byte) error {
	channel := r.prefix + topic
	if err := r.rdb.Publish(ctx, channel, payload).Err(); err != nil {
		if ctx.Err() == nil {
			r.interrupt(channel)
			r.markMissed(channel)
		}
		return fmt.Errorf("pubsub: publish: %w", err)
	}
	if r.anyMissed.Load() {
		r.resyncMissed(ctx)
	}
	return nil
}

func (r *Redis) markMissed(channel string) {
	r.missedMu.Lock()
	defer r.missedMu.Unlock()
	if r.missed == nil {
		r.missed = map[string]struct{}{}
	}
	if len(r.missed) < maxMissed {
		r.missed[channel] = struct{}{}
	}
	r.anyMissed.Store(true)
}

// resyncMissed tells every process's subscribers of the channels whose Publish failed that they missed a
// message (resyncPayload); a channel it cannot tell stays missed.
func (r *Redis) resyncMissed(ctx context.Context) {
	r.missedMu.Lock()
	channels := r.missed
	r.missed = nil
	r.anyMissed.Store(false)
	r.missedMu.Unlock()
	for channel := range channels {
		if err := r.rdb.Publish(ctx, channel, resyncPayload).Err(); err != nil {
			r.markMissed(channel)
		}
	}
}

// interrupt ends this process's subscriptions to channel.
func (r *Redis) interrupt(channel string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.sess; s != nil && s.channels[channel] != nil {
		r.endChannel(s, channel, s.channels[channel])
	}
}

// endChannel ends every subscription of a channel, which may have missed messages. The caller holds mu.
func (r *Redis) endChannel(s *redisSession, channel string, c *redisChannel) {
	for out := range c.subs {
		r.end(c, out)
		r.interrupted.Add(1)
	}
	r.dropChannelIfEmpty(s, channel, c)
}

// end closes one subscription's channel. The caller holds mu.
func (r *Redis) end(c *redisChannel, out chan []byte) {
	delete(c.subs, out)
	close(out)
	r.active.Add(-1)
}

// Subscribe returns a channel of the messages published to topic from now on: it returns once Redis has
// confirmed the subscription. The channel is closed when ctx ends or rdb is closed.
func (r *Redis) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}
	channel := r.prefix + topic
	r.mu.Lock()
	s := r.sess
	if s == nil {
		s = &redisSession{ps: r.rdb.Subscribe(context.WithoutCancel(ctx)), channels: map[string]*redisChannel{},
			pending: map[string]int{}, done: make(chan struct{})}
		r.sess = s
		go r.receive(s)
	}
	c := s.channels[channel]
	if c == nil {
		c = &redisChannel{subs: map[chan []byte]struct{}{}, skip: s.pending[channel], confirmed: make(chan struct{})}
		if err := s.ps.Subscribe(ctx, channel); err != nil {
			if len(s.channels) == 0 {
				r.endSession(s)
			}
			r.mu.Unlock()
			return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, unavailable(ctx, err))
		}
		s.pending[channel]++
		s.channels[channel] = c
	}
	out := make(chan []byte, SubscriberBuffer)
	c.subs[out] = struct{}{}
	r.active.Add(1)
	r.mu.Unlock()

	timer := time.NewTimer(subscribeTimeout)
	defer timer.Stop()
	var err error
	select {
	case <-c.confirmed:
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = context.DeadlineExceeded
	case <-s.done:
		err = redis.ErrClosed
	}
	if err != nil {
		r.leave(s, channel, out)
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, unavailable(ctx, err))
	}
	context.AfterFunc(ctx, func() { r.leave(s, channel, out) })
	return out, nil
}

// unavailable marks a Subscribe failure that is Redis's, not the caller's (whose context ended), as
// ErrUnavailable, keeping the cause for the log.
func unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return errors.Join(err, ErrUnavailable)
}

// leave ends one subscription: the last of a channel unsubscribes it, the last of all closes the connection.
func (r *Redis) leave(s *redisSession, channel string, out chan []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := s.channels[channel]
	if c == nil {
		return
	}
	if _, ok := c.subs[out]; ok {
		r.end(c, out)
	}
	r.dropChannelIfEmpty(s, channel, c)
}

// dropChannelIfEmpty unsubscribes a channel nobody here listens to any more. The caller holds mu.
func (r *Redis) dropChannelIfEmpty(s *redisSession, channel string, c *redisChannel) {
	if len(c.subs) > 0 || s.channels[channel] != c {
		return
	}
	delete(s.channels, channel)
	if len(s.channels) == 0 {
		r.endSession(s)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	_ = s.ps.Unsubscribe(ctx, channel) // on failure the next redial drops it anyway
}

// endSession closes the connection and every subscription still on it. The caller holds mu.
func (r *Redis) endSession(s *redisSession) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	if r.sess == s {
		r.sess = nil
	}
	for _, c := range s.channels {
		for out := range c.subs {
			close(out)
			r.active.Add(-1)
		}
	}
	s.channels = nil
	_ = s.ps.Close()
}

// receive reads the session's connection until it is closed, handing messages to their subscribers. When the
// connection fails, the session ends with every subscription on it: messages published until a new connection
// is subscribed would be lost unseen, so the subscribers are told (their channels close) and subscribe again.
func (r *Redis) receive(s *redisSession) {
	pinged := false // a ping is unanswered: silence now means the connection is gone
	for {
		msg, err := s.ps.ReceiveTimeout(context.Background(), idlePing)
		select {
		case <-s.done:
			return
		default:
		}
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() && !pinged {
			// Silence, not yet failure: Redis answers a ping with a pong unless the connection is dead.
			pctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
			err = s.ps.Ping(pctx)
			cancel()
			if pinged = err == nil; pinged {
				continue
			}
		}
		pinged = false
		if err != nil {
			// The connection failed (Redis down, the connection killed) or the client was closed (shutdown).
			r.mu.Lock()
			if !errors.Is(err, redis.ErrClosed) {
				for _, c := range s.channels {
					r.interrupted.Add(uint64(len(c.subs)))
				}
			}
			r.endSession(s)
			r.mu.Unlock()
			return
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.confirmed(s, m.Channel)
			}
		case *redis.Message:
			r.deliver(s, m)
		}
	}
}

func (r *Redis) confirmed(s *redisSession, channel string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.pending[channel] > 0 {
		if s.pending[channel]--; s.pending[channel] == 0 {
			delete(s.pending, channel)
		}
	}
	c := s.channels[channel]
	switch {
	case c == nil || c.ok:
	case c.skip > 0:
		c.skip--
	default:
		c.ok = true
		close(c.confirmed)
	}
}

// deliver hands one message to every subscriber of its channel (the same bytes to each: read-only).
func (r *Redis) deliver(s *redisSession, m *redis.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := s.channels[m.Channel]
	if c == nil {
		return
	}
	if m.Payload == resyncPayload {
		r.endChannel(s, m.Channel, c)
		return
	}
	payload := []byte(m.Payload)
	for out := range c.subs {
		select {
		case out <- payload:
		default:
			// The subscriber fell behind: end its subscription rather than let it miss messages unaware.
			r.end(c, out)
			r.dropped.Add(1)
		}
	}
	r.dropChannelIfEmpty(s, m.Channel, c)
}

// Dropped returns how many subscriptions were ended because their buffer was full when a message arrived.
func (r *Redis) Dropped() uint64 { return r.dropped.Load() }

// Interrupted returns how many subscriptions were ended because the Redis connection failed or a Publish to
// their topic failed.
func (r *Redis) Interrupted() uint64 { return r.interrupted.Load() }
