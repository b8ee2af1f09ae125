package pubsub_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
)

// pubsubConns returns the ids of the server's pub/sub connections that carry the client name.
func pubsubConns(tb testing.TB, admin *redis.Client, name string) []string {
	tb.Helper()
	list, err := admin.Do(context.Background(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		tb.Fatalf("CLIENT LIST: %v", err)
	}
	var ids []string
	for line := range strings.Lines(list) {
		var id string
		named := false
		for _, field := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(field, "id="); ok {
				id = v
			}
			named = named || field == "name="+name
		}
		if named {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestRedisReleasesConnections(t *testing.T) {
	t.Parallel()
	name := "pubsubtest-" + rand.Text()
	rdb := mustRedis(t, func(o *redis.Options) { o.ClientName = name })
	admin := mustRedis(t, nil)
	r := pubsub.NewRedis(rdb, testPrefix())

	ctx, cancel := context.WithCancel(t.Context())
	chans := make([]<-chan []byte, 3)
	for i := range chans {
		var err error
		if chans[i], err = r.Subscribe(ctx, "t"); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
	}
	if n := len(pubsubConns(t, admin, name)); n != 1 {
		t.Fatalf("%d pub/sub connections for %d subscriptions; want one", n, len(chans))
	}
	cancel()
	for _, ch := range chans {
		expectClosed(t, ch)
	}
	testkit.Eventually(t, "the connections are closed", func() bool { return len(pubsubConns(t, admin, name)) == 0 })
	testkit.Eventually(t, "the goroutines end", func() bool { return r.ActiveSubscriptions() == 0 })
}

// However many subscriptions and topics a process has, one connection carries them all.
func TestRedisOneConnectionPerProcess(t *testing.T) {
	t.Parallel()
	name := "pubsubtest-" + rand.Text()
	rdb := mustRedis(t, func(o *redis.Options) { o.ClientName = name })
	admin := mustRedis(t, nil)
	r := pubsub.NewRedis(rdb, testPrefix())
	const n = 200
	chans := make([]<-chan []byte, n)
	for i := range chans {
		chans[i] = mustSubscribe(t, r, fmt.Sprintf("topic-%d", i%7))
	}
	if conns := pubsubConns(t, admin, name); len(conns) != 1 {
		t.Fatalf("%d subscriptions on 7 topics hold %d pub/sub connections; want one", n, len(conns))
	}
	mustPublish(t, r, "topic-3", "hello")
	for i, ch := range chans {
		if i%7 != 3 {
			continue
		}
		select {
		case p := <-ch:
			if string(p) != "hello" {
				t.Fatalf("subscriber %d got %q", i, p)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscriber %d of topic-3 got nothing", i)
		}
	}
}

func TestRedisResubscribes(t *testing.T) {
	t.Parallel()
	name := "pubsubtest-" + rand.Text()
	rdb := mustRedis(t, func(o *redis.Options) { o.ClientName = name })
	admin := mustRedis(t, nil)
	r := pubsub.NewRedis(rdb, testPrefix())
	ch := mustSubscribe(t, r, "t")

	ids := pubsubConns(t, admin, name)
	if len(ids) != 1 {
		t.Fatalf("pub/sub connections %v; want one", ids)
	}
	if err := admin.Do(t.Context(), "CLIENT", "KILL", "ID", ids[0]).Err(); err != nil {
		t.Fatalf("CLIENT KILL: %v", err)
	}
	// Messages published while the subscription redials are lost: publish until one arrives.
	testkit.Eventually(t, "the subscription is back after its connection was killed", func() bool {
		mustPublish(t, r, "t", "after kill")
		select {
		case p, ok := <-ch:
			if !ok {
				t.Fatal("the channel closed when the connection died")
			}
			return string(p) == "after kill"
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
	if ids2 := pubsubConns(t, admin, name); len(ids2) != 1 || ids2[0] == ids[0] {
		t.Errorf("pub/sub connections after the kill: %v; want one new one (not %s)", ids2, ids[0])
	}
}

func TestRedisSubscribeUnreachable(t *testing.T) {
	t.Parallel()
	_ = testkit.RedisURL(t) // skip or fail like the other Redis tests
	// Nothing listens on port 1.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := pubsub.NewRedis(rdb, testPrefix()).Subscribe(ctx, "t"); err == nil {
		t.Fatal("Subscribe to an unreachable server: no error")
	}
}
