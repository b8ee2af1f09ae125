package contactcard_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

const wsID = "ws_card"

// backend is what gateway processes share: the cache, its locks and pub/sub.
type backend struct {
	name   string
	kv     convrs.Cache
	locker convrs.Locker
	ps     convrs.PubSub
}

func memoryBackend(t *testing.T) backend {
	m := cache.NewMemory()
	return backend{name: "memory", kv: m, locker: m, ps: pubsub.NewMemory()}
}

// redisBackend is real Redis at TEST_REDIS_URL under a prefix of its own. Without TEST_REDIS_URL the test
// is skipped, except with CI=true, where it fails.
func redisBackend(t *testing.T) backend {
	t.Helper()
	rdb, err := cache.OpenRedis(testkit.RedisURL(t))
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	prefix := "cardtest:" + rand.Text() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Unlink(ctx, iter.Val())
		}
		_ = rdb.Close()
	})
	r := cache.NewRedis(rdb, prefix)
	return backend{name: "redis", kv: r, locker: r, ps: pubsub.NewRedis(rdb, prefix)}
}

// eachBackend runs f with the in-process backend and with Redis.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	t.Run("memory", func(t *testing.T) { f(t, memoryBackend(t)) })
	t.Run("redis", func(t *testing.T) { f(t, redisBackend(t)) })
}

// env is a workspace connected (and enabled) to a simulator portal, with the card service of one gateway
// process; process() makes another on the same database and backend.
type env struct {
	t      *testing.T
	db     *store.DB
	sim    *hubspotsim.TestServer
	b      backend
	box    *secret.Box
	portal int64
	logs   *testkit.LogBuffer
	hub    *integration.Service
	svc    *contactcard.Service
	admin  context.Context
	agent  context.Context
}

func newEnv(t *testing.T, engine string, b backend) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, b: b, logs: &testkit.LogBuffer{}}
	e.sim = hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true})
	e.portal = e.sim.CreatePortal(hubspotsim.PortalSpec{Name: "Card test", Country: "GB"}).ID

	e.db = storetest.OpenDB(t, engine)
	e.admin, e.agent = hubtest.Workspace(t, e.db, convrs.Workspace{ID: wsID, Name: "Card", DefaultRegion: "GB", TimeZone: "Europe/London"})
	e.box = hubtest.NewBox(t)
	e.connect()
	if _, err := e.db.EnableHubspot(ctx, wsID); err != nil {
		t.Fatal(err)
	}
	e.hub, e.svc = e.process()
	return e
}

// connect stores a connection to the portal as a completed OAuth handshake would, with real simulator tokens.
func (e *env) connect() {
	e.t.Helper()
	hubtest.Connect(e.t, e.db, e.box, e.sim, convrs.HubspotConnection{WorkspaceID: wsID, PortalID: e.portal, HubUserEmail: "ada@test.test",
		TokenExpiresAt: time.Now().Add(25 * time.Minute)})
}

// process returns the integration and card services of one more gateway process.
func (e *env) process() (*integration.Service, *contactcard.Service) {
	return e.processWith(e.b)
}

func (e *env) processWith(b backend) (*integration.Service, *contactcard.Service) {
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hub := integration.New(integration.Config{
		Store: e.db, OAuth: hubtest.OAuth(e.sim), APIURL: e.sim.URL(), LinkURL: e.sim.URL(), PublicURL: hubtest.PublicURL,
		Cache: b.kv, Locker: b.locker, Limiter: cache.NewMemory().Limiter(), PubSub: b.ps, Box: e.box, Logger: logger,
	})
	svc := contactcard.New(contactcard.Config{Store: e.db, Clients: hub, Cache: b.kv, Locker: b.locker, PubSub: b.ps, Logger: logger})
	svc.SetMatcher(match.New(match.Config{Links: svc.NotifyingLinks(e.db), Locker: b.locker, Logger: logger}))
	return hub, svc
}

func (e *env) options(o convrs.HubspotOptions) {
	e.t.Helper()
	if _, err := e.hub.SaveOptions(e.admin, o); err != nil {
		e.t.Fatal(err)
	}
}

// customer creates a customer of the workspace.
func (e *env) customer(first, last, email, phone string) *convrs.Customer {
	e.t.Helper()
	c, err := e.db.CreateCustomer(e.agent, convrs.CustomerInput{FirstName: &first, LastName: &last, Email: &email, Phone: &phone})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// seed stores a contact in the simulator portal, created at the given day of 2020 (older days first).
func (e *env) seed(day int, props map[string]string) string {
	return e.sim.SeedContact(e.portal, props, time.Date(2020, 1, day, 9, 0, 0, 0, time.UTC))
}

func (e *env) card(customerID string) *convrs.HubspotContactLookup {
	e.t.Helper()
	lk, err := e.svc.Contact(e.agent, customerID)
	if err != nil {
		e.t.Fatalf("Contact(%s): %v", customerID, err)
	}
	return lk
}

// calls counts the simulator's API requests since mark whose method (any if "") and path start as given.
func (e *env) calls(mark int, method, prefix string) int {
	n := 0
	for _, r := range e.sim.Requests()[mark:] {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

func (e *env) mark() int { return len(e.sim.Requests()) }

// labelCalls counts the properties API calls since mark (the lifecycle stage labels).
func (e *env) labelCalls(mark int) int {
	return e.calls(mark, http.MethodGet, "/crm/properties/2026-03/contacts/lifecyclestage")
}

// hubspotClient is a client for the portal that bypasses the gateway, as a person editing HubSpot would.
func (e *env) hubspotClient() *hubspot.Client {
	access, _ := e.sim.IssueTokens(e.portal, "")
	hc := &http.Client{Transport: bearer{access}}
	c, err := hubspot.NewClient(hc, hubspot.WithBaseURL(e.sim.URL()))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// together runs f n times at once, released by one signal so the calls overlap.
func together(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

// closedRedis is a Redis client pointed at a port nothing listens on.
func closedRedis(t *testing.T) *redis.Client {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
