package contactcard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

func TestWebhookDeletionMergeAndOrder(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		ctx := context.Background()
		oldID := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com"})
		keptID := e.seed(2, map[string]string{"firstname": "Robert", "email": "robert@example.com"})
		bob := e.customer("Bob", "", "bob@example.com", "")
		if got := e.card(bob.ID); got.Contact == nil || got.Contact.ID != oldID {
			t.Fatalf("card = %+v", got)
		}
		ev := func(id, at int64, typ string, object string) contactcard.WebhookEvent {
			return contactcard.WebhookEvent{EventID: id, PortalID: e.portal, OccurredAt: at, SubscriptionType: typ, ObjectID: atoi(object), AttemptNumber: 0}
		}
		// A merge moves the link onto the contact HubSpot kept; nothing else of the customer changes.
		merge := ev(10, 2000, contactcard.EventMerge, keptID)
		merge.PrimaryObjectID, merge.MergedObjectIDs, merge.NewObjectID = atoi(keptID), []int64{atoi(oldID)}, atoi(keptID)
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{merge}); err != nil {
			t.Fatal(err)
		}
		c, _ := e.db.FindCustomer(e.agent, bob.ID)
		if c.HubspotContactID != keptID || c.Email != "bob@example.com" || c.FirstName != "Bob" {
			t.Errorf("after merge: customer %+v, want linked to %s and otherwise unchanged", c, keptID)
		}
		if got := e.card(bob.ID); got.Contact == nil || got.Contact.ID != keptID || got.MatchedBy != convrs.MatchEmail {
			t.Errorf("card after merge = %+v", got)
		}

		// A deletion and a late, older restore of the same contact, in one batch in the wrong order: the
		// deletion (newer) wins, so the link is removed once and stays removed.
		del, restore := ev(11, 4000, contactcard.EventDeletion, keptID), ev(12, 3000, contactcard.EventRestore, keptID)
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{del, restore}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != "" || c.HubspotPortalID != 0 {
			t.Errorf("after deletion: customer still linked to %s@%d", c.HubspotContactID, c.HubspotPortalID)
		}
		// HubSpot retries an acknowledged batch: the duplicates change nothing (a re-link by hand stays).
		if err := e.db.LinkHubspotContact(e.agent, bob.ID, e.portal, keptID, convrs.HubspotLinkSource{}); err != nil {
			t.Fatal(err)
		}
		del.AttemptNumber = 1
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{del}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != keptID {
			t.Errorf("a duplicate deletion event unlinked the customer again")
		}
		// An older deletion arriving after a newer restore is skipped.
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{ev(13, 5000, contactcard.EventRestore, keptID)}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{ev(14, 4500, contactcard.EventDeletion, keptID)}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != keptID {
			t.Errorf("an out-of-order deletion unlinked the customer")
		}
		// A contact created in HubSpot ends the cached "no match" of a customer it matches.
		nemo := e.customer("Nemo", "", "nemo@example.com", "")
		if got := e.card(nemo.ID); got.Outcome != convrs.ContactNoMatch {
			t.Fatalf("card before the contact exists = %+v", got)
		}
		nemoID := e.seed(7, map[string]string{"firstname": "Nemo", "email": "nemo@example.com"})
		if got := e.card(nemo.ID); got.Outcome != convrs.ContactNoMatch {
			t.Errorf("the no match is not cached: %+v", got)
		}
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{ev(16, 5500, contactcard.EventCreation, nemoID)}); err != nil {
			t.Fatal(err)
		}
		if got := e.card(nemo.ID); got.Outcome != convrs.ContactFound || got.Contact.ID != nemoID {
			t.Errorf("card after the creation webhook = %+v", got)
		}
		// Events of a portal no workspace is connected to are acknowledged and ignored.
		stray := ev(15, 6000, contactcard.EventDeletion, keptID)
		stray.PortalID = 999
		if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{stray}); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != keptID {
			t.Errorf("another portal's event unlinked the customer")
		}
	})
}

func TestWebhookPrivacyDeletion(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		ctx := context.Background()
		e.options(convrs.HubspotOptions{AllowOutboundSearch: true})
		id := e.seed(1, map[string]string{"firstname": "Gina", "lastname": "Private", "email": "gina@example.com", "phone": "+442079460958"})
		gina := e.customer("Gina", "Private", "gina@example.com", "")
		e.card(gina.ID)
		if res, err := e.svc.SearchContacts(e.agent, "Gina"); err != nil || len(res) != 1 {
			t.Fatalf("search = %v, %v", res, err)
		}
		contactKey := "hubspot:" + wsID + ":" + itoa(e.portal) + ":contact:" + id
		if !cached(t, b.kv, contactKey) {
			t.Fatal("card not cached")
		}
		// HubSpot erases the contact, then tells us.
		e.sim.ArchiveContact(e.portal, id)
		err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{{EventID: 77, PortalID: e.portal, OccurredAt: time.Now().UnixMilli(),
			SubscriptionType: contactcard.EventPrivacyDeletion, ObjectID: atoi(id)}})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := e.db.FindCustomer(e.agent, gina.ID); c.HubspotContactID != "" {
			t.Errorf("customer still linked to %s after the privacy deletion", c.HubspotContactID)
		}
		if cached(t, b.kv, contactKey) {
			t.Error("the contact's card is still cached")
		}
		mark := e.mark()
		if res, err := e.svc.SearchContacts(e.agent, "Gina"); err != nil || len(res) != 0 {
			t.Errorf("search after privacy deletion = %v, %v; want nothing", res, err)
		}
		if n := e.calls(mark, "POST", "/crm/objects/2026-03/contacts/search"); n != 1 {
			t.Errorf("search after privacy deletion made %d HubSpot searches, want 1 (cached results dropped)", n)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "hubspot privacy deletion: removed the contact's links and cached data") {
			t.Errorf("privacy deletion not logged:\n%s", logs)
		}
		for _, personal := range []string{"gina@example.com", "Gina", "Private", "2079460958"} {
			if strings.Contains(logs, personal) {
				t.Errorf("the log holds personal data %q", personal)
			}
		}
	})
}

func TestSubscribeContact(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		id := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead"})
		bob := e.customer("Bob", "", "bob@example.com", "")
		ctx, cancel := context.WithCancel(e.agent)
		defer cancel()
		// The panel subscribes in one process; HubSpot's webhook reaches another.
		_, other := e.process()
		if b.name == "memory" {
			other = e.svc
		}
		updates, err := e.svc.SubscribeContact(ctx, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		next := func(what string) *convrs.HubspotContactLookup {
			t.Helper()
			select {
			case lk, ok := <-updates:
				if !ok {
					t.Fatalf("%s: subscription closed", what)
				}
				return lk
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: no update within 10 s", what)
			}
			return nil
		}
		// The card links the customer: open panels hear of it.
		if got := e.card(bob.ID); got.Outcome != convrs.ContactFound {
			t.Fatalf("card = %+v", got)
		}
		if lk := next("link"); lk.Contact == nil || lk.Contact.ID != id {
			t.Errorf("update after linking = %+v", lk)
		}
		// The lifecycle stage changes in HubSpot.
		if _, _, err := e.hubspotClient().Contacts.Update(context.Background(), id, map[string]string{"lifecyclestage": "customer"}); err != nil {
			t.Fatal(err)
		}
		err = other.HandleWebhook(context.Background(), []contactcard.WebhookEvent{{EventID: 5, PortalID: e.portal, OccurredAt: time.Now().UnixMilli(),
			SubscriptionType: contactcard.EventPropertyChange, ObjectID: atoi(id), PropertyName: "lifecyclestage", PropertyValue: "customer"}})
		if err != nil {
			t.Fatal(err)
		}
		for lk := next("property change"); lk.Contact == nil || lk.Contact.LifecycleStage != "Customer"; lk = next("property change") {
		}
		// The integration is disabled.
		if _, err := e.hub.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		for lk := next("disable"); lk.Outcome != convrs.ContactNotEnabled; lk = next("disable") {
		}
		cancel()
		for range updates {
		}
	})
}
