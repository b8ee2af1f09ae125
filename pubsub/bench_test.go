package pubsub_test

import (
	"context"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/pubsub"
)

// The Memory and Redis benchmarks come in pairs with the same workload, so their ratio is the cost of going
// through Redis.

func BenchmarkMemoryPublish(b *testing.B) { benchPublish(b, pubsub.NewMemory()) }
func BenchmarkRedisPublish(b *testing.B) {
	benchPublish(b, pubsub.NewRedis(mustRedis(b, nil), testPrefix()))
}

func BenchmarkMemoryRoundTrip(b *testing.B) { benchRoundTrip(b, pubsub.NewMemory()) }
func BenchmarkRedisRoundTrip(b *testing.B) {
	benchRoundTrip(b, pubsub.NewRedis(mustRedis(b, nil), testPrefix()))
}

// benchPublish publishes to a topic with one subscriber that reads everything (some messages may be dropped).
func benchPublish(b *testing.B, ps convrs.PubSub) {
	ch := mustSubscribe(b, ps, "t")
	go func() {
		for range ch {
		}
	}()
	ctx := context.Background()
	payload := make([]byte, 256)
	for b.Loop() {
		if err := ps.Publish(ctx, "t", payload); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRoundTrip publishes one message and waits for it to arrive, per op: the delivery latency.
func benchRoundTrip(b *testing.B, ps convrs.PubSub) {
	ch := mustSubscribe(b, ps, "t")
	ctx := context.Background()
	payload := make([]byte, 256)
	for b.Loop() {
		if err := ps.Publish(ctx, "t", payload); err != nil {
			b.Fatal(err)
		}
		<-ch
	}
}
