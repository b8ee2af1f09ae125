package main

import (
	"context"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// A person changes a contact's lifecycle stage in HubSpot (the simulator's UI does what UpdateContact does):
// HubSpot's signed webhook reaches /webhooks/hubspot and the agent's open card shows the new stage.
func TestWebhookUpdatesOpenCard(t *testing.T) {
	e := newCardWebhookEnv(t)
	sim, portal, db, agent, card, gw, logs := e.sim, e.portal, e.db, e.agent, e.card, e.gw, e.logs
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
