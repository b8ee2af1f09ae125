package pubsub_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
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

// A killed connection ends every subscription it carried (messages published until a new one is subscribed
// would be lost unseen); subscribing again takes a new connection.
func TestRedisConnectionKilledEndsSubscriptions(t *testing.T) {
	t.Parallel()
	name := "pubsubtest-" + rand.Text()
	rdb := mustRedis(t, func(o *redis.Options) { o.ClientName = name })
	admin := mustRedis(t, nil)
	r := pubsub.NewRedis(rdb, testPrefix())
	a, b := mustSubscribe(t, r, "t"), mustSubscribe(t, r, "u")

	ids := pubsubConns(t, admin, name)
	if len(ids) != 1 {
		t.Fatalf("pub/sub connections %v; want one", ids)
	}
	if err := admin.Do(t.Context(), "CLIENT", "KILL", "ID", ids[0]).Err(); err != nil {
		t.Fatalf("CLIENT KILL: %v", err)
	}
	expectClosed(t, a)
	expectClosed(t, b)
	if got := r.Interrupted(); got != 2 {
		t.Errorf("Interrupted() = %d; want 2", got)
	}
	again := mustSubscribe(t, r, "t")
	mustPublish(t, r, "t", "after kill")
	if got := mustReceive(t, again); got != "after kill" {
		t.Errorf("after subscribing again: %q", got)
	}
	if ids2 := pubsubConns(t, admin, name); len(ids2) != 1 || ids2[0] == ids[0] {
		t.Errorf("pub/sub connections after the kill: %v; want one new one (not %s)", ids2, ids[0])
	}
}

// Redis down: the subscribers learn at once, Subscribe and Publish fail while it is down (Subscribe with
// EUNAVAILABLE), and once it is back a new subscription receives what is published.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	srv := testkit.StartRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	r := pubsub.NewRedis(rdb, testPrefix())
	ch := mustSubscribe(t, r, "t")

	srv.Stop()
	expectClosed(t, ch)
	if err := r.Publish(t.Context(), "t", []byte("during")); err == nil {
		t.Error("Publish with Redis down: no error")
	}
	if _, err := r.Subscribe(t.Context(), "t"); convrs.ErrorCode(err) != convrs.EUNAVAILABLE {
		t.Errorf("Subscribe with Redis down: %v; want EUNAVAILABLE", err)
	}

	srv.Start()
	again := mustSubscribe(t, r, "t")
	mustPublish(t, r, "t", "after")
	if got := mustReceive(t, again); got != "after" {
		t.Errorf("after the outage: %q", got)
	}
}

// A Publish that fails ends this process's subscriptions to its topic, which missed the message, at once, and
// another process's (whose own connection never failed) as soon as a Publish succeeds again; other topics'
// subscriptions go on.
func TestRedisFailedPublishEndsItsTopic(t *testing.T) {
	t.Parallel()
	prefix := testPrefix()
	rdb := mustRedis(t, nil)
	failing := &failPublish{}
	rdb.AddHook(failing)
	r, elsewhere := pubsub.NewRedis(rdb, prefix), pubsub.NewRedis(mustRedis(t, nil), prefix)
	missed, other := mustSubscribe(t, r, "t"), mustSubscribe(t, r, "u")
	missedThere, otherThere := mustSubscribe(t, elsewhere, "t"), mustSubscribe(t, elsewhere, "u")
	failing.on.Store(true)
	if err := r.Publish(t.Context(), "t", []byte("lost")); err == nil {
		t.Fatal("Publish failing: no error")
	}
	expectClosed(t, missed)
	if n := elsewhere.ActiveSubscriptions(); n != 2 {
		t.Fatalf("the other process has %d subscriptions before Redis answers this one again; want 2", n)
	}

	failing.on.Store(false)
	mustPublish(t, r, "u", "still here")
	expectClosed(t, missedThere)
	for _, ch := range []<-chan []byte{other, otherThere} {
		if got := mustReceive(t, ch); got != "still here" {
			t.Errorf("a subscriber of the other topic: %q", got)
		}
	}
	if got := elsewhere.Interrupted(); got != 1 {
		t.Errorf("the other process's Interrupted() = %d; want 1", got)
	}
}

// failPublish fails the client's PUBLISH commands while on (the pub/sub connection does not go through hooks).
type failPublish struct{ on atomic.Bool }

func (*failPublish) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f *failPublish) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if f.on.Load() && cmd.Name() == "publish" {
			return errors.New("publish refused by the test")
		}
		return next(ctx, cmd)
	}
}

func (*failPublish) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
