// Package pubsub implements convrs.PubSub twice: in process (Memory) for a single gateway without Redis, and
// on Redis pub/sub (Redis) for several gateway processes sharing one server. Both pass the same contract
// tests.
//
// Delivery is at most once and never silent about losses: a subscriber whose buffer of SubscriberBuffer
// messages is full when a message arrives is ended — it receives what its buffer holds, then its channel is
// closed — so that no subscriber can hold up a publisher, and none goes on unaware that it missed a message
// (a GraphQL subscription ends with ERESYNC, and the client refetches and subscribes again). Dropped counts such
// losses. On Redis, a failed connection ends every subscription it carried the same way (Redis.Interrupted).
package pubsub

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/convrs/gateway/convrs"
)

var _ convrs.PubSub = (*Memory)(nil)

// SubscriberBuffer is how many messages a subscriber's channel holds before further messages are dropped.
const SubscriberBuffer = 64

// Memory is an in-process pub/sub for a single gateway process. Publish never waits for a subscriber.
type Memory struct {
	mu      sync.RWMutex
	topics  map[string]map[chan []byte]struct{}
	dropped atomic.Uint64
}

// NewMemory returns a pub/sub with no subscribers.
func NewMemory() *Memory {
	return &Memory{topics: make(map[string]map[chan []byte]struct{})}
}

// Publish hands a copy of payload to every current subscriber of topic that has room for it and ends the
// subscriptions of the others. The copy is shared by those subscribers, which must treat it as read-only.
func (m *Memory) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pubsub: publish: %w", err)
	}
	p := append([]byte{}, payload...)
	var behind []chan []byte
	// The read lock lets publishers run in parallel; it also keeps a subscriber's channel from being closed
	// during the send.
	m.mu.RLock()
	for ch := range m.topics[topic] {
		select {
		case ch <- p:
		default:
			behind = append(behind, ch)
		}
	}
	m.mu.RUnlock()
	if len(behind) > 0 {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, ch := range behind {
			if m.remove(topic, ch) {
				m.dropped.Add(1)
			}
		}
	}
	return nil
}

// remove ends one subscription of topic, reporting whether it was still there. The caller holds the write lock.
func (m *Memory) remove(topic string, ch chan []byte) bool {
	subs := m.topics[topic]
	if _, ok := subs[ch]; !ok {
		return false
	}
	delete(subs, ch)
	if len(subs) == 0 {
		delete(m.topics, topic)
	}
	close(ch)
	return true
}

// Subscribe returns a channel of the messages published to topic from now on. The channel is closed, and the
// subscription removed, when ctx ends.
func (m *Memory) Subscribe(ctx context.Context, topic string) (<-chan []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pubsub: subscribe %q: %w", topic, err)
	}
	ch := make(chan []byte, SubscriberBuffer)
	m.mu.Lock()
	subs := m.topics[topic]
	if subs == nil {
		subs = make(map[chan []byte]struct{})
		m.topics[topic] = subs
	}
	subs[ch] = struct{}{}
	m.mu.Unlock()

	context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.remove(topic, ch) // unless a publisher already ended it
	})
	return ch, nil
}

// Dropped returns how many subscriptions were ended because their buffer was full when a message arrived.
func (m *Memory) Dropped() uint64 { return m.dropped.Load() }
