package contactcard_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
)

// countingStore counts customer reads: each card lookup reads its customer once.
type countingStore struct {
	contactcard.Store
	finds atomic.Int64
}

func (c *countingStore) FindCustomer(ctx context.Context, id string) (*convrs.Customer, error) {
	c.finds.Add(1)
	return c.Store.FindCustomer(ctx, id)
}

func (e *env) countedService() (*contactcard.Service, *countingStore) {
	cs := &countingStore{Store: e.db}
	logger := slog.New(slog.DiscardHandler)
	svc := contactcard.New(contactcard.Config{Store: cs, Clients: e.hub, Cache: e.b.kv, Locker: e.b.locker, PubSub: e.b.ps, Logger: logger})
	svc.SetMatcher(match.New(match.Config{Links: svc.NotifyingLinks(e.db), Locker: e.b.locker, Logger: logger}))
	return svc, cs
}

// receive waits for one card on each channel.
func receive(t *testing.T, chans []<-chan *convrs.HubspotContactLookup) []*convrs.HubspotContactLookup {
	t.Helper()
	out := make([]*convrs.HubspotContactLookup, len(chans))
	for i, ch := range chans {
		select {
		case lk, ok := <-ch:
			if !ok {
				t.Fatalf("subscription %d closed", i)
			}
			out[i] = lk
		case <-time.After(10 * time.Second):
			t.Fatalf("subscription %d: no card within 10 s", i)
		}
	}
	return out
}

// Fifty panels open on one customer cost one lookup per change, not fifty; a customer of another workspace
// cannot be subscribed to; the watch ends with its last panel.
func TestOpenCardsShareOneLookup(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		svc, cs := e.countedService()
		id := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead"})
		bob := e.customer("Bob", "", "bob@example.com", "")
		if got := e.card(bob.ID); got.Outcome != convrs.ContactFound {
			t.Fatalf("card = %+v", got)
		}
		ctx, cancel := context.WithCancel(e.agent)
		var chans []<-chan *convrs.HubspotContactLookup
		for range 50 {
			ch, err := svc.SubscribeContact(ctx, bob.ID)
			if err != nil {
				t.Fatal(err)
			}
			chans = append(chans, ch)
		}
		if n := svc.WatchCount(); n != 1 {
			t.Errorf("%d watches for one customer's 50 panels, want 1", n)
		}
		cs.finds.Store(0)
		err := svc.HandleWebhook(context.Background(), []contactcard.WebhookEvent{{EventID: 1, PortalID: e.portal, OccurredAt: time.Now().UnixMilli(),
			SubscriptionType: contactcard.EventPropertyChange, ObjectID: atoi(id), PropertyName: "lifecyclestage", PropertyValue: "customer"}})
		if err != nil {
			t.Fatal(err)
		}
		for i, lk := range receive(t, chans) {
			if lk.Contact == nil || lk.Contact.ID != id {
				t.Errorf("panel %d: %+v", i, lk)
			}
		}
		if n := cs.finds.Load(); n != 1 {
			t.Errorf("one property change with 50 open panels: %d lookups, want 1", n)
		}
		// Another workspace's staff member cannot subscribe to the customer (nor learn it exists).
		other := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: "stf_x", WorkspaceID: "ws_other", Role: convrs.RoleAdmin})
		if _, err := svc.SubscribeContact(other, bob.ID); convrs.ErrorCode(err) != convrs.ENOTFOUND {
			t.Errorf("another workspace's subscription: %v, want ENOTFOUND", err)
		}
		cancel()
		for _, ch := range chans {
			for range ch {
			}
		}
		testkit.Eventually(t, "the watch ends with its last panel", func() bool { return svc.WatchCount() == 0 })
	})
}

// Contacts created in HubSpot in a burst make the open unmatched cards match again once, not once per
// contact: 20 unmatched cards and 5 creations once made 79 searches.
func TestRematchAfterCreationsIsDebounced(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	svc, _ := e.countedService()
	// What matching one unmatched customer costs in HubSpot calls.
	probe := e.customer("Pat", "", "pat@example.com", "")
	mark := e.mark()
	if got := e.card(probe.ID); got.Outcome != convrs.ContactNoMatch {
		t.Fatalf("card = %+v", got)
	}
	perCustomer := e.calls(mark, "", "/crm/")
	if perCustomer == 0 {
		t.Fatal("matching an unmatched customer made no HubSpot call")
	}
	ctx, cancel := context.WithCancel(e.agent)
	defer cancel()
	var chans []<-chan *convrs.HubspotContactLookup
	for i := range 4 {
		c := e.customer("Nobody", fmt.Sprint(i), fmt.Sprintf("nobody%d@example.com", i), "")
		for range 3 {
			ch, err := svc.SubscribeContact(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			chans = append(chans, ch)
		}
	}
	mark = e.mark()
	for i := range 5 {
		err := svc.HandleWebhook(context.Background(), []contactcard.WebhookEvent{{EventID: int64(100 + i), PortalID: e.portal,
			OccurredAt: time.Now().UnixMilli(), SubscriptionType: contactcard.EventCreation, ObjectID: int64(9000 + i)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, lk := range receive(t, chans) {
		if lk.Outcome != convrs.ContactNoMatch {
			t.Errorf("panel %d: %+v", i, lk)
		}
	}
	got := e.calls(mark, "", "/crm/")
	t.Logf("5 creations, 4 unmatched customers with 3 panels each: %d HubSpot calls (one round: %d)", got, 4*perCustomer)
	if got > 4*perCustomer {
		t.Errorf("%d HubSpot calls after 5 creations, want at most one round (%d)", got, 4*perCustomer)
	}
}
