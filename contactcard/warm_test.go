package contactcard_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/match"
)

// countingCache counts the cache's read round trips.
type countingCache struct {
	convrs.Cache
	reads atomic.Int64
}

func (c *countingCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.reads.Add(1)
	return c.Cache.Get(ctx, key)
}

func (c *countingCache) GetMany(ctx context.Context, keys ...string) ([][]byte, error) {
	c.reads.Add(1)
	return c.Cache.GetMany(ctx, keys...)
}

// rowCountingStore counts the workspace-level reads the card service makes itself.
type rowCountingStore struct {
	contactcard.Store
	workspace, integration atomic.Int64
}

func (c *rowCountingStore) FindWorkspace(ctx context.Context, id string) (*convrs.Workspace, error) {
	c.workspace.Add(1)
	return c.Store.FindWorkspace(ctx, id)
}

func (c *rowCountingStore) HubspotIntegration(ctx context.Context, ws string) (*convrs.HubspotIntegration, error) {
	c.integration.Add(1)
	return c.Store.HubspotIntegration(ctx, ws)
}

// A warm card reads its cache entries in one round trip (with the owner its contact had last time), the
// integration row only through the client it needs anyway, and the workspace's region once for a run of cards.
func TestWarmCardReadsEachThingOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		owner := e.sim.SeedOwner(e.portal, hubspotsim.Owner{FirstName: "Olivia", LastName: "Owner", Email: "olivia@card.test"})
		e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead", "hubspot_owner_id": owner})
		bob := e.customer("Bob", "", "bob@example.com", "")

		kv := &countingCache{Cache: b.kv}
		st := &rowCountingStore{Store: e.db}
		logger := slog.New(slog.DiscardHandler)
		hub := integration.New(integration.Config{
			Store: e.db, OAuth: hubtest.OAuth(e.sim), APIURL: e.sim.URL(), LinkURL: e.sim.URL(), PublicURL: hubtest.PublicURL,
			Cache: kv, Locker: b.locker, Limiter: cache.NewMemory().Limiter(), PubSub: b.ps, Box: e.box, Logger: logger,
		})
		svc := contactcard.New(contactcard.Config{Store: st, Clients: hub, Cache: kv, Locker: b.locker, PubSub: b.ps, Logger: logger})
		svc.SetMatcher(match.New(match.Config{Links: svc.NotifyingLinks(e.db), Locker: b.locker, Logger: logger}))

		if lk, err := svc.Contact(e.agent, bob.ID); err != nil || lk.Outcome != convrs.ContactFound || lk.Contact.Owner == nil {
			t.Fatalf("first card: %+v, %v", lk, err)
		}
		kv.reads.Store(0)
		st.workspace.Store(0)
		st.integration.Store(0)
		const cards = 3
		for range cards {
			lk, err := svc.Contact(e.agent, bob.ID)
			if err != nil || lk.Outcome != convrs.ContactFound || lk.Contact.LifecycleStage != "Lead" || lk.Contact.Owner == nil {
				t.Fatalf("warm card: %+v, %v", lk, err)
			}
		}
		if got := kv.reads.Load(); got != cards {
			t.Errorf("%d warm cards made %d cache reads; want one each", cards, got)
		}
		if got := st.integration.Load(); got != 0 {
			t.Errorf("%d warm cards read the integration row %d times besides the client's read", cards, got)
		}
		if got := st.workspace.Load(); got != 0 {
			t.Errorf("%d warm cards read the workspace %d times; its region is kept briefly", cards, got)
		}
	})
}
