package contactcard_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func TestCardFieldsAndOutcomes(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		owner := e.sim.SeedOwner(e.portal, hubspotsim.Owner{FirstName: "Olivia", LastName: "Owner", Email: "olivia@card.test"})
		bobID := e.seed(1, map[string]string{"firstname": "Bob", "lastname": "Smith", "email": "bob@example.com",
			"phone": "+442079460958", "mobilephone": "+447400123456", "lifecyclestage": "marketingqualifiedlead", "hubspot_owner_id": owner})
		bob := e.customer("Bob", "Smith", "BOB@example.com", "")

		mark := e.mark()
		got := e.card(bob.ID)
		want := &convrs.HubspotContactLookup{CustomerID: bob.ID, Outcome: convrs.ContactFound, MatchedBy: convrs.MatchEmail, Candidates: 1,
			Contact: &convrs.HubspotContact{ID: bobID, FirstName: "Bob", LastName: "Smith", Email: "bob@example.com",
				Phone: "+442079460958", MobilePhone: "+447400123456", LifecycleStage: "Marketing Qualified Lead",
				Owner: &convrs.HubspotOwner{ID: owner, Name: "Olivia Owner", Email: "olivia@card.test"},
				URL:   e.sim.URL() + "/contacts/" + itoa(e.portal) + "/record/0-1/" + bobID},
			Link: convrs.HubspotLinkSource{Rule: convrs.MatchEmail, Value: "bob@example.com"}, LinkWords: "matched by email (bob@example.com)"}
		if got.Contact == nil || got.Contact.CreatedAt == nil {
			t.Errorf("card without the contact's created date: %+v", got.Contact)
		} else {
			want.Contact.CreatedAt = got.Contact.CreatedAt
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("card (-want +got):\n%s", diff)
		}
		if n := e.calls(mark, http.MethodPost, "/crm/objects/2026-03/contacts/search"); n != 1 {
			t.Errorf("%d searches, want 1", n)
		}
		// The unique match is linked: the sync and the next card skip the search.
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != bobID || c.HubspotPortalID != e.portal {
			t.Errorf("customer link = %s@%d, want %s@%d", c.HubspotContactID, c.HubspotPortalID, bobID, e.portal)
		}

		// Phone match (the mobile, stored by HubSpot as entered), a custom stage's label, no owner.
		e.seed(2, map[string]string{"firstname": "Carla", "mobilephone": "07400 654321", "lifecyclestage": "partner"})
		carla := e.customer("Carla", "", "", "+44 7400 654321")
		if got := e.card(carla.ID); got.Outcome != convrs.ContactFound || got.MatchedBy != convrs.MatchPhone ||
			got.Contact.LifecycleStage != "Partner" || got.Contact.Owner != nil || got.Contact.Phone != "" {
			t.Errorf("phone card = %+v / %+v", got, got.Contact)
		}

		// An unknown stage is shown as it is.
		e.seed(3, map[string]string{"email": "dan@example.com", "lifecyclestage": "brand_new_stage"})
		dan := e.customer("", "", "dan@example.com", "")
		if got := e.card(dan.ID); got.Contact == nil || got.Contact.LifecycleStage != "brand_new_stage" {
			t.Errorf("unknown stage card = %+v", got)
		}

		// Several contacts share an email: the oldest, with the count — also once the customer is linked.
		e.seed(5, map[string]string{"firstname": "Newer", "email": "twin@example.com"})
		oldest := e.seed(4, map[string]string{"firstname": "Older", "email": "twin@example.com"})
		twin := e.customer("Tina", "Twin", "twin@example.com", "")
		for i := range 2 {
			got := e.card(twin.ID)
			if got.Outcome != convrs.ContactMultipleMatches || got.Candidates != 2 || got.Contact.ID != oldest || got.MatchedBy != convrs.MatchEmail {
				t.Errorf("lookup %d of duplicates = %+v", i+1, got)
			}
		}

		// Nothing matches.
		nobody := e.customer("Nemo", "Nobody", "nemo@example.com", "")
		if got := e.card(nobody.ID); got.Outcome != convrs.ContactNoMatch || got.Contact != nil || got.Message == "" {
			t.Errorf("no match card = %+v", got)
		}

		// Anonymous: nothing to match, nothing sent to HubSpot.
		anon, err := e.db.CreateCustomer(e.agent, convrs.CustomerInput{})
		if err != nil {
			t.Fatal(err)
		}
		mark = e.mark()
		if got := e.card(anon.ID); got.Outcome != convrs.ContactAnonymous {
			t.Errorf("anonymous card = %+v", got)
		}
		if n := len(e.sim.Requests()) - mark; n != 0 {
			t.Errorf("anonymous card made %d HubSpot calls", n)
		}

		// A stored link (CRM ID) is read directly.
		linked := e.customer("Lee", "", "lee@example.com", "")
		leeID := e.seed(6, map[string]string{"firstname": "Lee", "email": "other@example.com"})
		if err := e.db.LinkHubspotContact(e.agent, linked.ID, e.portal, leeID, convrs.HubspotLinkSource{}); err != nil {
			t.Fatal(err)
		}
		if got := e.card(linked.ID); got.MatchedBy != convrs.MatchCRMID || got.Contact.ID != leeID {
			t.Errorf("linked card = %+v", got)
		}

		// An unknown customer is an error (ENOTFOUND), not a card.
		if _, err := e.svc.Contact(e.agent, "cus_nope"); convrs.ErrorCode(err) != convrs.ENOTFOUND {
			t.Errorf("unknown customer: %v, want ENOTFOUND", err)
		}
	})
}

func TestCardUnavailableAndNotEnabled(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	e.seed(1, map[string]string{"email": "bob@example.com"})
	bob := e.customer("Bob", "", "bob@example.com", "")

	e.sim.FailNext(20, http.StatusInternalServerError)
	got := e.card(bob.ID)
	if got.Outcome != convrs.ContactUnavailable || got.ErrorCode != convrs.EUNAVAILABLE || !strings.Contains(got.Message, "HubSpot is not answering") ||
		!strings.Contains(got.Detail, "HubSpot answered 500") {
		t.Errorf("HubSpot 500 card = %+v", got)
	}
	e.sim.FailNext(0, 0)
	e.sim.FailNext(20, http.StatusTooManyRequests)
	if got := e.card(bob.ID); got.Outcome != convrs.ContactUnavailable || got.ErrorCode != convrs.ERATELIMITED {
		t.Errorf("HubSpot 429 card = %+v", got)
	}
	e.sim.FailNext(0, 0)
	// A failure is not cached: the next open shows the contact.
	if got := e.card(bob.ID); got.Outcome != convrs.ContactFound {
		t.Errorf("card after HubSpot recovered = %+v", got)
	}

	if _, err := e.hub.Disable(e.admin); err != nil {
		t.Fatal(err)
	}
	if got := e.card(bob.ID); got.Outcome != convrs.ContactNotEnabled || got.Contact != nil {
		t.Errorf("card after disable = %+v", got)
	}
}

func TestCardCacheAndInvalidation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		owner := e.sim.SeedOwner(e.portal, hubspotsim.Owner{FirstName: "Olivia", LastName: "Owner", Email: "olivia@card.test"})
		bobID := e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead", "hubspot_owner_id": owner})
		bob := e.customer("Bob", "", "bob@example.com", "")

		// Miss: one call per thing.
		mark := e.mark()
		if got := e.card(bob.ID); got.Contact.LifecycleStage != "Lead" {
			t.Fatalf("card = %+v", got.Contact)
		}
		if s, o, l := e.calls(mark, http.MethodPost, "/crm/objects/2026-03/contacts/search"), e.calls(mark, http.MethodGet, "/crm/owners/2026-03/"), e.labelCalls(mark); s != 1 || o != 1 || l != 1 {
			t.Errorf("first card: %d searches, %d owner reads, %d label reads; want 1 each", s, o, l)
		}
		// Hit: nothing asked again.
		mark = e.mark()
		e.card(bob.ID)
		if n, l := len(e.sim.Requests())-mark, e.labelCalls(mark); n != 0 || l != 0 {
			t.Errorf("cached card made %d HubSpot calls and %d label reads", n, l)
		}

		// A webhook's property change drops the card: the contact is read again, labels and owner stay cached.
		if _, _, err := e.hubspotClient().Contacts.Update(context.Background(), bobID, map[string]string{"lifecyclestage": "customer"}); err != nil {
			t.Fatal(err)
		}
		mark = e.mark()
		if err := e.svc.HandleWebhook(context.Background(), []contactcard.WebhookEvent{{EventID: 1, PortalID: e.portal, OccurredAt: 1000,
			SubscriptionType: contactcard.EventPropertyChange, ObjectID: atoi(bobID), PropertyName: "lifecyclestage", PropertyValue: "customer"}}); err != nil {
			t.Fatal(err)
		}
		if got := e.card(bob.ID); got.Contact.LifecycleStage != "Customer" {
			t.Errorf("card after property change webhook = %q, want Customer", got.Contact.LifecycleStage)
		}
		if g, o := e.calls(mark, http.MethodGet, "/crm/objects/2026-03/contacts/"+bobID), e.calls(mark, http.MethodGet, "/crm/owners/2026-03/"); g != 1 || o != 0 {
			t.Errorf("after the webhook: %d contact reads, %d owner reads; want 1, 0", g, o)
		}

		// Editing the customer's email matches again.
		if _, err := e.db.UpdateCustomer(e.agent, bob.ID, convrs.CustomerInput{Email: ptr("robert@example.com")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.RelinkHubspotContacts(e.agent, e.portal, []string{bobID}, ""); err != nil {
			t.Fatal(err)
		}
		if got := e.card(bob.ID); got.Outcome != convrs.ContactNoMatch {
			t.Errorf("card after the email changed = %+v", got)
		}

		// Disable purges the workspace's cache; reconnecting reads HubSpot afresh.
		if _, err := e.db.UpdateCustomer(e.agent, bob.ID, convrs.CustomerInput{Email: ptr("bob@example.com")}); err != nil {
			t.Fatal(err)
		}
		e.card(bob.ID)
		contactKey := "hubspot:" + wsID + ":" + itoa(e.portal) + ":contact:" + bobID
		if !cached(t, b.kv, contactKey) {
			t.Fatalf("the card is not cached under %s", contactKey)
		}
		if _, err := e.hub.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		if cached(t, b.kv, contactKey) {
			t.Error("cached HubSpot data left after Disable")
		}
		e.connect()
		if _, err := e.db.EnableHubspot(context.Background(), wsID); err != nil {
			t.Fatal(err)
		}
		mark = e.mark()
		if got := e.card(bob.ID); got.Outcome != convrs.ContactFound {
			t.Errorf("card after reconnect = %+v", got)
		}
		if g, l := e.calls(mark, "", "/crm/objects/2026-03/contacts/"), e.labelCalls(mark); g != 1 || l != 1 {
			t.Errorf("after reconnect: %d contact reads, %d label reads; want 1 each (nothing cached)", g, l)
		}
	})
}

// cached reports whether the cache holds key.
func cached(t *testing.T, kv convrs.Cache, key string) bool {
	t.Helper()
	_, ok, err := kv.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestCardSingleFlight(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, "sqlite", b)
		owner := e.sim.SeedOwner(e.portal, hubspotsim.Owner{FirstName: "Olivia", Email: "olivia@card.test"})
		e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead", "hubspot_owner_id": owner})
		bob := e.customer("Bob", "", "bob@example.com", "")
		// Two gateway processes (two services sharing the backend), ten agents each open the chat at once.
		_, other := e.process()
		procs := []*contactcard.Service{e.svc, other}
		if b.name == "memory" {
			procs = []*contactcard.Service{e.svc} // in-process backends are not shared across processes
		}
		mark := e.mark()
		got := make([]*convrs.HubspotContactLookup, 20)
		together(20, func(i int) {
			lk, err := procs[i%len(procs)].Contact(e.agent, bob.ID)
			if err != nil {
				t.Error(err)
			}
			got[i] = lk
		})
		for i, lk := range got {
			if lk == nil || lk.Outcome != convrs.ContactFound || lk.Contact.Owner == nil || lk.Contact.LifecycleStage != "Lead" {
				t.Errorf("agent %d card = %+v", i, lk)
			}
		}
		s, o, l := e.calls(mark, http.MethodPost, "/crm/objects/2026-03/contacts/search"), e.calls(mark, http.MethodGet, "/crm/owners/2026-03/"), e.labelCalls(mark)
		if s != 1 || o != 1 || l != 1 {
			t.Errorf("20 concurrent opens: %d searches, %d owner reads, %d label reads; want 1 each", s, o, l)
		}
	})
}

func TestCardWithRedisDown(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	e.seed(1, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead"})
	bob := e.customer("Bob", "", "bob@example.com", "")
	// Redis stops while the gateway runs (the process holds its access token): the card reads HubSpot directly.
	warm := e.customer("Warm", "", "warm@example.com", "")
	e.card(warm.ID)
	dead := cache.NewRedis(closedRedis(t), "convrs:")
	svc := contactcard.New(contactcard.Config{Store: e.db, Clients: e.hub, Cache: dead, Locker: dead, PubSub: pubsub.NewMemory(),
		Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	svc.SetMatcher(match.New(match.Config{Links: svc.NotifyingLinks(e.db), Locker: dead}))
	for i := range 2 {
		lk, err := svc.Contact(e.agent, bob.ID)
		if err != nil || lk.Outcome != convrs.ContactFound || lk.Contact.LifecycleStage != "Lead" {
			t.Fatalf("card %d with Redis down = %+v, %v\n%s", i+1, lk, err, e.logs.String())
		}
	}
	if !strings.Contains(e.logs.String(), "cache unavailable, reading HubSpot directly") {
		t.Errorf("no log line about the cache being down:\n%s", e.logs.String())
	}
}
