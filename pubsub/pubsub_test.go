package pubsub_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
)

// backend is one implementation under the contract tests.
type backend struct {
	ps convrs.PubSub
	// peer shares topics with ps as another gateway process would: for Redis it uses a second client.
	peer convrs.PubSub
	// other is a separate namespace (another Memory, another Redis prefix) on the same infrastructure.
	other convrs.PubSub
	// active and dropped read ps's subscription count and drop counter.
	active  func() int
	dropped func() uint64
}

func TestMemory(t *testing.T) {
	t.Parallel()
	testContract(t, func(t *testing.T) *backend {
		m := pubsub.NewMemory()
		return &backend{ps: m, peer: m, other: pubsub.NewMemory(), active: m.ActiveSubscriptions, dropped: m.Dropped}
	})
}

func TestRedis(t *testing.T) {
	t.Parallel()
	rdb, rdb2 := mustRedis(t, nil), mustRedis(t, nil)
	testContract(t, func(t *testing.T) *backend {
		prefix := testPrefix()
		r := pubsub.NewRedis(rdb, prefix)
		return &backend{
			ps:      r,
			peer:    pubsub.NewRedis(rdb2, prefix),
			other:   pubsub.NewRedis(rdb, testPrefix()),
			active:  r.ActiveSubscriptions,
			dropped: r.Dropped,
		}
	})
}

// testContract runs the contract of convrs.PubSub against the backends that open makes, one fresh, isolated
// backend per test.
func testContract(t *testing.T, open func(t *testing.T) *backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b *backend)
	}{
		{"Delivery", testDelivery},
		{"OnlyAfterSubscribe", testOnlyAfterSubscribe},
		{"TopicIsolation", testTopicIsolation},
		{"Payload", testPayload},
		{"NoSubscribers", testNoSubscribers},
		{"CancelCloses", testCancelCloses},
		{"SlowSubscriber", testSlowSubscriber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func testDelivery(t *testing.T, b *backend) {
	subs := []<-chan []byte{
		mustSubscribe(t, b.ps, "conversation:1"),
		mustSubscribe(t, b.ps, "conversation:1"),
		mustSubscribe(t, b.peer, "conversation:1"), // in "another process"
	}
	const n = 5
	for i := range n {
		mustPublish(t, b.peer, "conversation:1", fmt.Sprintf("m%d", i))
	}
	for s, ch := range subs {
		for i := range n {
			if got, want := mustReceive(t, ch), fmt.Sprintf("m%d", i); got != want {
				t.Fatalf("subscriber %d: message %d = %q; want %q", s, i, got, want)
			}
		}
	}
}

func testOnlyAfterSubscribe(t *testing.T, b *backend) {
	mustPublish(t, b.ps, "t", "before")
	ch := mustSubscribe(t, b.ps, "t")
	mustPublish(t, b.ps, "t", "after")
	if got := mustReceive(t, ch); got != "after" {
		t.Fatalf("first message = %q; want after", got)
	}
}

func testTopicIsolation(t *testing.T, b *backend) {
	a, ab := mustSubscribe(t, b.ps, "a"), mustSubscribe(t, b.ps, "a:b")
	otherA := mustSubscribe(t, b.other, "a")

	mustPublish(t, b.ps, "a:b", "for a:b")
	mustPublish(t, b.other, "a", "for other a")
	mustPublish(t, b.ps, "A", "for A")
	mustPublish(t, b.ps, "a", "for a")
	// Each subscriber's first message is its own: nothing published before it leaked across.
	for _, tc := range []struct {
		name string
		ch   <-chan []byte
		want string
	}{{"a", a, "for a"}, {"a:b", ab, "for a:b"}, {"other a", otherA, "for other a"}} {
		if got := mustReceive(t, tc.ch); got != tc.want {
			t.Errorf("subscriber %s got %q; want %q", tc.name, got, tc.want)
		}
	}
	// And nothing after it: a marker published last is the next message.
	mustPublish(t, b.ps, "a", "marker")
	if got := mustReceive(t, a); got != "marker" {
		t.Errorf("subscriber a got %q; want marker", got)
	}
}

func testPayload(t *testing.T, b *backend) {
	ch := mustSubscribe(t, b.ps, "t")
	buf := []byte{0, 0xff, '\n', 'x'}
	if err := b.ps.Publish(t.Context(), "t", buf); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	buf[3] = 'y' // the publisher may reuse its buffer at once
	if err := b.ps.Publish(t.Context(), "t", nil); err != nil {
		t.Fatalf("Publish(nil): %v", err)
	}
	if got := mustReceive(t, ch); got != "\x00\xff\nx" {
		t.Errorf("payload = %q; want %q", got, "\x00\xff\nx")
	}
	if got := mustReceive(t, ch); got != "" {
		t.Errorf("empty payload = %q; want \"\"", got)
	}
}

func testNoSubscribers(t *testing.T, b *backend) {
	mustPublish(t, b.ps, "nobody-listens", "m")
}

func testCancelCloses(t *testing.T, b *backend) {
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := b.ps.Subscribe(ctx, "t")
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	keep := mustSubscribe(t, b.ps, "t")
	cancel()
	expectClosed(t, ch)
	testkit.Eventually(t, "the cancelled subscription is released", func() bool { return b.active() == 1 })
	// The topic lives on for the other subscriber.
	mustPublish(t, b.ps, "t", "still here")
	if got := mustReceive(t, keep); got != "still here" {
		t.Fatalf("remaining subscriber got %q", got)
	}

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.ps.Subscribe(cancelled, "t"); err == nil {
		t.Fatal("Subscribe with a cancelled ctx: no error")
	}
}

func testSlowSubscriber(t *testing.T, b *backend) {
	const n = 10_000
	slow := mustSubscribe(t, b.ps, "t") // never read until every message is published

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	for i := range n {
		if err := b.ps.Publish(ctx, "t", fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatalf("Publish %d of %d (after %v): %v", i, n, time.Since(start), err)
		}
	}
	// The slow subscriber gets what its buffer held, in order, and then its subscription ends: it learns that
	// it missed messages instead of silently going on without them.
	for i := range pubsub.SubscriberBuffer {
		if got, want := mustReceive(t, slow), fmt.Sprintf("m%d", i); got != want {
			t.Fatalf("buffered message %d = %q; want %q", i, got, want)
		}
	}
	select {
	case msg, ok := <-slow:
		if ok {
			t.Fatalf("after its buffer the slow subscriber got %q; want its subscription ended", msg)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the slow subscriber's subscription was not ended")
	}
	if got := b.dropped(); got != 1 {
		t.Errorf("Dropped = %d; want 1 (one subscription ended)", got)
	}
	testkit.Eventually(t, "the ended subscription is released", func() bool { return b.active() == 0 })
}

// --- helpers ---

// mustSubscribe subscribes for the rest of the test.
func mustSubscribe(tb testing.TB, ps convrs.PubSub, topic string) <-chan []byte {
	tb.Helper()
	ch, err := ps.Subscribe(tb.Context(), topic)
	if err != nil {
		tb.Fatalf("Subscribe(%q): %v", topic, err)
	}
	return ch
}

func mustPublish(tb testing.TB, ps convrs.PubSub, topic, payload string) {
	tb.Helper()
	if err := ps.Publish(context.Background(), topic, []byte(payload)); err != nil {
		tb.Fatalf("Publish(%q): %v", topic, err)
	}
}

// mustReceive returns the next message of ch, failing the test if none comes in time or ch is closed.
func mustReceive(tb testing.TB, ch <-chan []byte) string {
	tb.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			tb.Fatal("channel closed; want a message")
		}
		return string(p)
	case <-time.After(5 * time.Second):
		tb.Fatal("timed out waiting for a message")
		return ""
	}
}

// expectClosed drains ch until it is closed, failing the test if that takes too long.
func expectClosed(tb testing.TB, ch <-chan []byte) {
	tb.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			tb.Fatal("timed out waiting for the channel to close")
		}
	}
}

// testPrefix returns a channel prefix no other test uses.
func testPrefix() string { return "pubsubtest:" + rand.Text() + ":" }

// mustRedis connects to the server at TEST_REDIS_URL, letting opts adjust the options first.
func mustRedis(tb testing.TB, adjust func(*redis.Options)) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(testkit.RedisURL(tb))
	if err != nil {
		tb.Fatalf("TEST_REDIS_URL: %v", err)
	}
	if adjust != nil {
		adjust(opt)
	}
	rdb := redis.NewClient(opt)
	tb.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("TEST_REDIS_URL: ping: %v", err)
	}
	return rdb
}
