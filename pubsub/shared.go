package pubsub

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/convrs/gateway/convrs"
)

// Shared fans a topic's messages out to every subscriber in this process, decoded once: however many
// subscribers a topic has here, it holds one subscription on the underlying pub/sub and one goroutine, and
// each message becomes one *T handed to all of them (they must treat it as read-only). A subscriber whose
// buffer is full when a message arrives is ended, as the package doc says; when the underlying subscription
// ends, every local subscriber's channel is closed. The zero value is not usable: set PubSub and Decode.
type Shared[T any] struct {
	PubSub convrs.PubSub
	// Decode turns a payload of topic into a message, or reports false to skip it.
	Decode func(topic string, payload []byte) (*T, bool)

	mu      sync.Mutex
	topics  map[string]*sharedTopic[T]
	dropped atomic.Uint64
}

type sharedTopic[T any] struct {
	ready  chan struct{} // closed once the underlying subscription is confirmed (or failed: err)
	err    error
	cancel context.CancelFunc
	subs   map[chan *T]struct{}
}

// Subscribe returns a channel of the topic's messages published after it returned; it is closed when ctx
// ends, when the subscriber falls behind, or when the underlying subscription ends.
func (s *Shared[T]) Subscribe(ctx context.Context, topic string) (<-chan *T, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}
	ch := make(chan *T, SubscriberBuffer)
	s.mu.Lock()
	if s.topics == nil {
		s.topics = make(map[string]*sharedTopic[T])
	}
	t := s.topics[topic]
	if t == nil {
		t = &sharedTopic[T]{ready: make(chan struct{}), subs: make(map[chan *T]struct{})}
		s.topics[topic] = t
		// The underlying subscription belongs to the topic, not to this subscriber: it lives until the last
		// local subscriber leaves.
		uctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		t.cancel = cancel
		go s.run(uctx, topic, t)
	}
	t.subs[ch] = struct{}{}
	s.mu.Unlock()

	select {
	case <-t.ready:
	case <-ctx.Done():
	}
	if t.err != nil || ctx.Err() != nil {
		s.leave(topic, t, ch)
		err := t.err
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}
	context.AfterFunc(ctx, func() { s.leave(topic, t, ch) })
	return ch, nil
}

// run holds the topic's underlying subscription and hands each message to the local subscribers.
func (s *Shared[T]) run(ctx context.Context, topic string, t *sharedTopic[T]) {
	in, err := s.PubSub.Subscribe(ctx, topic)
	if err != nil {
		s.mu.Lock()
		t.err = err
		s.detach(topic, t)
		s.mu.Unlock()
		close(t.ready)
		return
	}
	close(t.ready)
	for payload := range in {
		msg, ok := s.Decode(topic, payload)
		if !ok {
			continue
		}
		s.mu.Lock()
		for ch := range t.subs {
			select {
			case ch <- msg:
			default:
				// Behind: end it rather than let it miss messages unaware.
				delete(t.subs, ch)
				close(ch)
				s.dropped.Add(1)
			}
		}
		s.mu.Unlock()
	}
	// The underlying subscription ended (its own subscriber fell behind, or the backend closed): end ours.
	s.mu.Lock()
	s.detach(topic, t)
	s.mu.Unlock()
}

// leave ends one local subscription; the last one out ends the underlying subscription.
func (s *Shared[T]) leave(topic string, t *sharedTopic[T], ch chan *T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := t.subs[ch]; ok {
		delete(t.subs, ch)
		close(ch)
	}
	if len(t.subs) == 0 {
		s.detach(topic, t)
	}
}

// detach forgets the topic's entry, closes its remaining subscribers and ends its underlying subscription.
// The caller holds mu.
func (s *Shared[T]) detach(topic string, t *sharedTopic[T]) {
	if s.topics[topic] == t {
		delete(s.topics, topic)
	}
	for ch := range t.subs {
		delete(t.subs, ch)
		close(ch)
	}
	t.cancel()
}

// Dropped returns how many local subscriptions were ended because their buffer was full.
func (s *Shared[T]) Dropped() uint64 { return s.dropped.Load() }
