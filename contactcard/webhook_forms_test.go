package contactcard_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
)

// form builds an event of a contact in one of HubSpot's two forms, from the classic type.
type form func(id, at int64, classic string, object int64) contactcard.WebhookEvent

var forms = map[string]form{
	"contact.*": func(id, at int64, classic string, object int64) contactcard.WebhookEvent {
		return contactcard.WebhookEvent{EventID: id, OccurredAt: at, SubscriptionType: classic, ObjectID: object}
	},
	"object.*": func(id, at int64, classic string, object int64) contactcard.WebhookEvent {
		return contactcard.WebhookEvent{EventID: id, OccurredAt: at, SubscriptionType: "object." + strings.TrimPrefix(classic, "contact."),
			ObjectTypeID: contactcard.ContactObjectTypeID, ObjectID: object}
	},
}

// Every contact event does the same in either form: property change, merge, deletion, restore, creation.
func TestWebhookBothForms(t *testing.T) {
	for name, ev := range forms {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, "sqlite", memoryBackend(t))
			ctx := context.Background()
			send := func(events ...contactcard.WebhookEvent) {
				t.Helper()
				for i := range events {
					events[i].PortalID = e.portal
				}
				if err := e.svc.HandleWebhook(ctx, events); err != nil {
					t.Fatal(err)
				}
			}
			oldID := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com"})
			keptID := e.seed(2, map[string]string{"firstname": "Robert", "email": "robert@example.com"})
			bob := e.customer("Bob", "", "bob@example.com", "")
			if got := e.card(bob.ID); got.Contact == nil || got.Contact.ID != oldID {
				t.Fatalf("card = %+v", got)
			}
			contactKey := "hubspot:" + wsID + ":" + itoa(e.portal) + ":contact:" + oldID
			if !cached(t, e.b.kv, contactKey) {
				t.Fatal("card not cached")
			}

			change := ev(1, 1000, contactcard.EventPropertyChange, atoi(oldID))
			change.PropertyName, change.PropertyValue = "lifecyclestage", "customer"
			send(change)
			if cached(t, e.b.kv, contactKey) {
				t.Error("property change: the contact's card is still cached")
			}

			merge := ev(2, 2000, contactcard.EventMerge, atoi(keptID))
			merge.PrimaryObjectID, merge.MergedObjectIDs, merge.NewObjectID = atoi(keptID), []int64{atoi(oldID)}, atoi(keptID)
			send(merge)
			if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != keptID {
				t.Errorf("after merge: customer linked to %q, want %s", c.HubspotContactID, keptID)
			}

			// A deletion and an older restore in one batch, in the wrong order: the deletion wins.
			send(ev(3, 4000, contactcard.EventDeletion, atoi(keptID)), ev(4, 3000, contactcard.EventRestore, atoi(keptID)))
			if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != "" {
				t.Errorf("after deletion: customer still linked to %s", c.HubspotContactID)
			}

			nemo := e.customer("Nemo", "", "nemo@example.com", "")
			if got := e.card(nemo.ID); got.Outcome != convrs.ContactNoMatch {
				t.Fatalf("card before the contact exists = %+v", got)
			}
			nemoID := e.seed(7, map[string]string{"firstname": "Nemo", "email": "nemo@example.com"})
			send(ev(5, 5000, contactcard.EventCreation, atoi(nemoID)))
			if got := e.card(nemo.ID); got.Outcome != convrs.ContactFound || got.Contact.ID != nemoID {
				t.Errorf("card after the creation webhook = %+v", got)
			}
			for _, r := range contactcard.WebhookIgnoreReasons {
				if n := e.svc.WebhookEventsIgnored(r); n != 0 {
					t.Errorf("%d events ignored for %s, want none", n, r)
				}
			}
		})
	}
}

// One contact's events may come in both forms (an app moving from one to the other, or subscribed to both):
// they share the dedupe and ordering keys. Events of other objects are acknowledged, counted and change nothing.
func TestWebhookFormsMixedAndOtherObjects(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	ctx := context.Background()
	classic, generic := forms["contact.*"], forms["object.*"]
	send := func(events ...contactcard.WebhookEvent) {
		t.Helper()
		for i := range events {
			events[i].PortalID = e.portal
		}
		if err := e.svc.HandleWebhook(ctx, events); err != nil {
			t.Fatal(err)
		}
	}
	id := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com"})
	bob := e.customer("Bob", "", "bob@example.com", "")
	e.card(bob.ID)
	linkedTo := func() string {
		t.Helper()
		c, err := e.db.FindCustomer(e.agent, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.HubspotContactID
	}
	if linkedTo() != id {
		t.Fatalf("customer not linked to %s", id)
	}

	// Other objects' events, with the contact's very ID, in both forms, and event types the card does not use.
	company := generic(100, 9000, contactcard.EventDeletion, atoi(id))
	company.ObjectTypeID = "0-2"
	noType := generic(101, 9000, contactcard.EventDeletion, atoi(id))
	noType.ObjectTypeID = ""
	deal := classic(102, 9000, "deal.deletion", atoi(id))
	assoc := generic(103, 9000, "contact.associationChange", atoi(id))
	legacyAssoc := classic(104, 9000, "contact.associationChange", atoi(id))
	send(company, noType, deal, assoc, legacyAssoc)
	if linkedTo() != id {
		t.Fatal("another object's deletion unlinked the customer")
	}
	if n := e.svc.WebhookEventsIgnored(contactcard.IgnoredObjectType); n != 3 {
		t.Errorf("ignored for object_type = %d, want 3", n)
	}
	if n := e.svc.WebhookEventsIgnored(contactcard.IgnoredSubscriptionType); n != 2 {
		t.Errorf("ignored for subscription_type = %d, want 2", n)
	}
	// An ignored event holds no dedupe place: a contact event with the same eventId is applied.
	send(generic(100, 1000, contactcard.EventDeletion, atoi(id)))
	if linkedTo() != "" {
		t.Fatal("the contact's deletion (same eventId as another object's event) was not applied")
	}

	// Ordering across forms: a classic restore newer than a generic deletion wins, whichever arrives first.
	if err := e.db.LinkHubspotContact(e.agent, bob.ID, e.portal, id, convrs.HubspotLinkSource{}); err != nil {
		t.Fatal(err)
	}
	send(classic(200, 6000, contactcard.EventRestore, atoi(id)))
	send(generic(201, 5000, contactcard.EventDeletion, atoi(id)))
	if linkedTo() != id {
		t.Error("an older object.deletion undid a newer contact.restore")
	}
	// Dedupe across forms: HubSpot's retry of an event under the other form's name is the same event.
	send(generic(202, 7000, contactcard.EventDeletion, atoi(id)))
	if err := e.db.LinkHubspotContact(e.agent, bob.ID, e.portal, id, convrs.HubspotLinkSource{}); err != nil {
		t.Fatal(err)
	}
	send(classic(202, 7000, contactcard.EventDeletion, atoi(id)))
	if linkedTo() != id {
		t.Error("the same eventId in the classic form was applied again")
	}

	// A portal no workspace is connected to.
	stray := generic(300, 8000, contactcard.EventDeletion, atoi(id))
	if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{{EventID: 300, PortalID: 999, OccurredAt: 8000,
		SubscriptionType: stray.SubscriptionType, ObjectTypeID: stray.ObjectTypeID, ObjectID: stray.ObjectID}}); err != nil {
		t.Fatal(err)
	}
	if n := e.svc.WebhookEventsIgnored(contactcard.IgnoredPortal); n != 1 {
		t.Errorf("ignored for portal = %d, want 1", n)
	}
	if n := e.svc.WebhookEventsIgnored("no such reason"); n != 0 {
		t.Errorf("unknown reason counted %d", n)
	}
}

// The declared subscriptions are what HandleWebhook acts on: each generic event and property change of a
// contact is applied (not counted as ignored), and the hub event too.
func TestHandledWebhooksAreHandled(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	h := contactcard.HandledWebhooks()
	if h.ObjectType != "contact" || len(h.Events) == 0 || len(h.Properties) == 0 || len(h.HubEvents) == 0 {
		t.Fatalf("HandledWebhooks() = %+v", h)
	}
	id := atoi(e.seed(1, map[string]string{"firstname": "Bob"}))
	var events []contactcard.WebhookEvent
	n := int64(0)
	add := func(ev contactcard.WebhookEvent) {
		n++
		ev.EventID, ev.PortalID, ev.OccurredAt, ev.ObjectID = n, e.portal, n, id
		events = append(events, ev)
	}
	for _, typ := range h.Events {
		add(contactcard.WebhookEvent{SubscriptionType: typ, ObjectTypeID: contactcard.ContactObjectTypeID})
	}
	for _, p := range h.Properties {
		add(contactcard.WebhookEvent{SubscriptionType: contactcard.EventObjectPropertyChange, ObjectTypeID: contactcard.ContactObjectTypeID, PropertyName: p})
	}
	for _, typ := range h.HubEvents {
		add(contactcard.WebhookEvent{SubscriptionType: typ})
	}
	if err := e.svc.HandleWebhook(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	for _, r := range contactcard.WebhookIgnoreReasons {
		if got := e.svc.WebhookEventsIgnored(r); got != 0 {
			t.Errorf("%d declared events ignored for %s", got, r)
		}
	}
	// A mutation of the returned lists does not change the declaration.
	h.Properties[0] = "changed"
	if contactcard.HandledWebhooks().Properties[0] == "changed" {
		t.Error("HandledWebhooks shares its lists with callers")
	}
}
