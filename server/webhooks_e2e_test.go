package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/store/storetest"
)

// A person changes a contact's lifecycle stage in HubSpot (the simulator's UI does what UpdateContact does):
// HubSpot's signed webhook reaches /webhooks/hubspot and the agent's open card shows the new stage.
func TestWebhookUpdatesOpenCard(t *testing.T) {
	ctx := context.Background()
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true})
	portal := sim.CreatePortal(hubspotsim.PortalSpec{Name: "E2E", Country: "GB"}).ID
	db := storetest.OpenDB(t, "sqlite")
	const ws = "ws_e2e"
	_, agent := hubtest.Workspace(t, db, convrs.Workspace{ID: ws, Name: "E2E", DefaultRegion: "GB", TimeZone: "Europe/London"})
	box := hubtest.NewBox(t)
	hubtest.Connect(t, db, box, sim, convrs.HubspotConnection{WorkspaceID: ws, PortalID: portal, TokenExpiresAt: time.Now().Add(25 * time.Minute)})
	if _, err := db.EnableHubspot(ctx, ws); err != nil {
		t.Fatal(err)
	}
	kv, ps := cache.NewMemory(), pubsub.NewMemory()
	logs := &testkit.LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	hub := integration.New(integration.Config{Store: db, OAuth: hubtest.OAuth(sim), APIURL: sim.URL(), LinkURL: sim.URL(),
		Cache: kv, Locker: kv, Limiter: kv.Limiter(), PubSub: ps, Box: box, Logger: logger})
	card := contactcard.New(contactcard.Config{Store: db, Clients: hub, Cache: kv, Locker: kv, PubSub: ps, Logger: logger})
	card.SetMatcher(match.New(match.Config{Links: card.NotifyingLinks(db), Locker: kv, Logger: logger}))

	h := &webhookHandler{secret: hubspotsim.DefaultClientSecret, events: card, logger: logger, now: time.Now}
	gw := httptest.NewServer(h)
	defer gw.Close()
	h.publicURL = gw.URL
	if err := sim.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: gw.URL + WebhookPath,
		Subscriptions: hubspotsim.ContactSubscriptions(hubspotsim.CardProperties...)}); err != nil {
		t.Fatal(err)
	}

	id := sim.SeedContact(portal, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead"}, time.Time{})
	first, email := "Bob", "bob@example.com"
	bob, err := db.CreateCustomer(agent, convrs.CustomerInput{FirstName: &first, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	if lk, err := card.Contact(agent, bob.ID); err != nil || lk.Contact == nil || lk.Contact.LifecycleStage != "Lead" {
		t.Fatalf("card = %+v, %v", lk, err)
	}
	sub, cancel := context.WithCancel(agent)
	defer cancel()
	updates, err := card.SubscribeContact(sub, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.UpdateContact(portal, id, map[string]string{"lifecyclestage": "customer"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case lk := <-updates:
			if lk.Contact != nil && lk.Contact.LifecycleStage == "Customer" {
				for _, d := range sim.WebhookDeliveries() {
					if !d.Delivered {
						t.Errorf("delivery not acknowledged: %+v", d)
					}
				}
				return
			}
		case <-deadline:
			t.Fatalf("the open card never showed the new stage; deliveries %+v\n%s", sim.WebhookDeliveries(), logs.String())
		}
	}
}
