package integration_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
)

// process is a second gateway process's integration service: the same database and HubSpot app, its own
// Redis connection for locks, rate limits, OAuth states and pub/sub.
func (e *env) process(t *testing.T, prefix string) (*integration.Service, *pubsub.Redis) {
	t.Helper()
	rdb, err := cache.OpenRedis(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	kv, ps := cache.NewRedis(rdb, prefix), pubsub.NewRedis(rdb, prefix)
	return integration.New(integration.Config{
		Store: e.db, OAuth: e.oauth, APIURL: e.sim.URL(), LinkURL: e.sim.URL(), PublicURL: publicURL,
		Cache: kv, Locker: kv, Limiter: kv.Limiter(), PubSub: ps, Box: e.box, Now: e.clock.Now,
	}), ps
}

func randomPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test:" + hex.EncodeToString(b) + ":"
}

// Two gateway processes sharing Redis refresh a stale token once between them, and an admin card subscribed
// on one process sees a change made on the other.
func TestAcrossProcessesWithRedis(t *testing.T) {
	e := newEnv(t, "sqlite")
	prefix := randomPrefix()
	one, _ := e.process(t, prefix)
	two, psTwo := e.process(t, prefix)

	// Connect through process one: its state lives in Redis, so the callback may land on either process.
	e.svc = one
	e.mustConnect(t, portalA)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes, err := psTwo.Subscribe(ctx, convrs.TopicHubspot(wsID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.Enable(e.admin); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("process two's subscriber never heard of the Enable made on process one")
	}

	e.ageTokens(t, time.Minute)
	n := len(e.sim.Requests())
	// Half the callers on each process. HubSpot answering slowly makes the two processes' refresh attempts
	// certain to overlap, so only the shared lock can keep them to one.
	e.sim.SetLatency(50 * time.Millisecond)
	callTogether(t, 20, func(i int) *integration.Service { return []*integration.Service{one, two}[i%2] })
	if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 {
		t.Errorf("two processes made %d refresh requests, want exactly 1", len(got))
	}
}
