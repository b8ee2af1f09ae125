package contactcard_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/store/storetest"
)

// The demo's duplicates: Bob Smith (the older) and Robert Smith share bob@example.com.
func duplicates(e *env) (bobID, robertID string, bob *convrs.Customer) {
	bobID = e.seed(1, map[string]string{"firstname": "Bob", "lastname": "Smith", "email": "bob@example.com", "lifecyclestage": "lead"})
	robertID = e.seed(5, map[string]string{"firstname": "Robert", "lastname": "Smith", "email": "bob@example.com", "lifecyclestage": "subscriber"})
	return bobID, robertID, e.customer("Bob", "Smith", "bob@example.com", "")
}

// Create New Chat with a HubSpot pick whose details belong to an existing customer: the form is told so in
// words, and the chat started with that customer carries the picked contact, which its card shows; the
// customer's own link changes only when asked.
func TestPickedContactGoesWithTheChat(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		e.options(convrs.HubspotOptions{AllowOutboundSearch: true})
		bobID, robertID, bob := duplicates(e)
		if lk := e.card(bob.ID); lk.Contact == nil || lk.Contact.ID != bobID {
			t.Fatalf("Bob's card = %+v, want the older contact", lk)
		}
		conv := e.svc.Outbound(e.db)
		// Search results tell duplicates apart: created date and lifecycle stage (and owner, when there is one).
		res, err := e.svc.SearchContacts(e.agent, "Robert")
		if err != nil || len(res) != 1 || res[0].CreatedAt == nil || !res[0].CreatedAt.Equal(time.Date(2020, 1, 5, 9, 0, 0, 0, time.UTC)) || res[0].LifecycleStage != "Subscriber" {
			t.Errorf("search = %+v, %v; want Robert with his created date and stage", res, err)
		}

		_, err = conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: robertID, Channel: "email", Message: "Hello"})
		var ae *convrs.Error
		if !errors.As(err, &ae) || ae.Code != convrs.ECONFLICT ||
			ae.Message != "Bob Smith is already a customer; this chat will be written to Robert Smith in HubSpot." ||
			ae.Extensions["customerId"] != bob.ID || ae.Extensions["hubspotContactId"] != robertID {
			t.Fatalf("pick matching Bob = %v (%+v), want the ECONFLICT in words", err, ae)
		}

		c, err := conv.StartConversation(e.agent, convrs.StartConversationInput{CustomerID: bob.ID, HubspotContactID: robertID, Channel: "email", Message: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		if c.CustomerID != bob.ID || c.HubspotContactID != robertID || c.HubspotPortalID != e.portal || c.HubspotPickedBy.StaffName != "Sam Agent" {
			t.Errorf("conversation = %+v, want Bob with Robert's contact picked by Sam Agent", c)
		}
		lk, err := e.svc.ConversationContact(e.agent, bob.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lk.Contact == nil || lk.Contact.ID != robertID || lk.MatchedBy != convrs.MatchChosen || lk.ConversationID != c.ID ||
			lk.CustomerContactID != bobID || !strings.HasPrefix(lk.LinkWords, "chosen by Sam Agent on ") {
			t.Errorf("the chat's card = %+v, want Robert chosen by Sam Agent, Bob's own contact named", lk)
		}
		if cust, _ := e.db.FindCustomer(e.agent, bob.ID); cust.HubspotContactID != bobID {
			t.Errorf("Bob's own link = %s, want unchanged %s", cust.HubspotContactID, bobID)
		}
		// Another conversation of Bob's still shows Bob's contact.
		if lk := e.card(bob.ID); lk.Contact.ID != bobID {
			t.Errorf("Bob's card = %s, want %s", lk.Contact.ID, bobID)
		}

		// "Make Robert the customer's contact from now on."
		if _, err := conv.StartConversation(e.agent, convrs.StartConversationInput{CustomerID: bob.ID, HubspotContactID: robertID, LinkCustomer: true,
			Channel: "email", Message: "Hello again"}); err != nil {
			t.Fatal(err)
		}
		cust, _ := e.db.FindCustomer(e.agent, bob.ID)
		if cust.HubspotContactID != robertID || cust.HubspotLink.Rule != convrs.MatchChosen || cust.HubspotLink.StaffName != "Sam Agent" {
			t.Errorf("Bob after LinkCustomer = %+v, want Robert chosen by Sam Agent", cust)
		}
		// A browser cannot hand the server a pick of its own.
		forged, err := conv.StartConversation(e.agent, convrs.StartConversationInput{CustomerID: bob.ID, Channel: "email", Message: "x",
			Pick: &convrs.HubspotPick{PortalID: e.portal, ContactID: "424242"}})
		if err != nil || forged.HubspotContactID != "" {
			t.Errorf("forged pick = %+v, %v; want ignored", forged, err)
		}
	})
}

// Change contact, Unlink ("not this person") and the duplicates to choose among, with the provenance in words.
func TestChangeAndUnlinkContact(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, memoryBackend(t))
		bobID, robertID, bob := duplicates(e)
		lk := e.card(bob.ID)
		if lk.Outcome != convrs.ContactMultipleMatches || lk.LinkWords != "matched by email (bob@example.com)" {
			t.Fatalf("first card = %+v", lk)
		}
		// Opening the card again (the link is stored now, the cached match dropped) keeps the rule.
		e.b.kv.Delete(context.Background(), "hubspot:"+wsID+":"+itoa(e.portal)+":link:"+bob.ID)
		if lk := e.card(bob.ID); lk.MatchedBy != convrs.MatchEmail || lk.LinkWords != "matched by email (bob@example.com)" {
			t.Errorf("card from the stored link = %s %q, want the email rule kept", lk.MatchedBy, lk.LinkWords)
		}

		cands, err := e.svc.ContactCandidates(e.agent, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) != 2 || cands[0].ID != bobID || cands[1].ID != robertID || cands[0].CreatedAt == nil ||
			!cands[0].CreatedAt.Equal(time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)) || cands[1].LifecycleStage != "Subscriber" {
			t.Errorf("candidates = %+v, want Bob then Robert with created dates and stages", cands)
		}

		// A made-up ID is refused and nothing changes.
		if _, err := e.svc.ChangeContact(e.agent, bob.ID, "999999"); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("change to a made-up contact: %v, want EINVALID", err)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); c.HubspotContactID != bobID {
			t.Errorf("link after a refused change = %s", c.HubspotContactID)
		}

		lk, err = e.svc.ChangeContact(e.agent, bob.ID, robertID)
		if err != nil {
			t.Fatal(err)
		}
		if lk.Contact.ID != robertID || lk.MatchedBy != convrs.MatchChosen || !strings.HasPrefix(lk.LinkWords, "chosen by Sam Agent on ") {
			t.Errorf("card after Change contact = %+v", lk)
		}

		// Unlink: not this person. The rules then find the other duplicate, never Robert again.
		lk, err = e.svc.UnlinkContact(e.agent, bob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lk.Contact == nil || lk.Contact.ID != bobID || lk.NotThisPerson != 1 || lk.Candidates != 1 {
			t.Errorf("card after Unlink = %+v, want Bob's other contact, one not-this-person", lk)
		}
		if c, _ := e.db.FindCustomer(e.agent, bob.ID); !c.IsNotThisPerson(e.portal, robertID) {
			t.Errorf("not this person not remembered: %+v", c.HubspotNotThisPerson)
		}
		if _, err := e.svc.UnlinkContact(e.agent, bob.ID); err != nil {
			t.Fatal(err)
		}
		if lk := e.card(bob.ID); lk.Outcome != convrs.ContactNoMatch || lk.NotThisPerson != 2 {
			t.Errorf("card with both unlinked = %+v, want NO_MATCH", lk)
		}
		if _, err := e.svc.UnlinkContact(e.agent, bob.ID); convrs.ErrorCode(err) != convrs.ECONFLICT {
			t.Errorf("unlink with nothing linked: %v, want ECONFLICT", err)
		}
		// Someone links it again: the "not this person" is forgotten.
		if _, err := e.svc.ChangeContact(e.admin, bob.ID, robertID); err != nil {
			t.Fatal(err)
		}
		c, _ := e.db.FindCustomer(e.agent, bob.ID)
		if c.IsNotThisPerson(e.portal, robertID) || c.HubspotLink.StaffName != "Ada Admin" {
			t.Errorf("after linking again: %+v", c)
		}
		// Another workspace's customer is not found.
		_, other := hubtest.Principals("ws_other")
		if _, err := e.svc.ChangeContact(other, bob.ID, robertID); convrs.ErrorCode(err) != convrs.ENOTFOUND {
			t.Errorf("change from another workspace: %v, want ENOTFOUND", err)
		}
	})
}

// Two workspaces connected to the same portal both receive its webhooks; after a privacy deletion neither
// keeps the link, and sync records keep no name or URL of the erased contact.
func TestTwoWorkspacesOnOnePortalBothGetWebhooks(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	ctx := context.Background()
	id := e.seed(1, map[string]string{"firstname": "Gina", "lastname": "Private", "email": "gina@example.com"})
	const ws2 = "ws_card_two"
	if err := e.db.CreateWorkspace(ctx, &convrs.Workspace{ID: ws2, Name: "Two", DefaultRegion: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateStaff(ctx, &convrs.Staff{ID: "stf_two", WorkspaceID: ws2, Name: "Tom Two", Email: "tom@two.test", Role: convrs.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	two := convrs.NewContextWithPrincipal(ctx, &convrs.Principal{StaffID: "stf_two", WorkspaceID: ws2, Role: convrs.RoleAdmin})
	hubtest.Connect(t, e.db, e.box, e.sim, convrs.HubspotConnection{WorkspaceID: ws2, PortalID: e.portal, HubUserEmail: "tom@two.test",
		TokenExpiresAt: time.Now().Add(25 * time.Minute)})
	if _, err := e.db.EnableHubspot(ctx, ws2); err != nil {
		t.Fatal(err)
	}
	gina := e.customer("Gina", "Private", "gina@example.com", "")
	gina2, err := e.db.CreateCustomer(two, convrs.CustomerInput{Email: ptr("gina@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ctx context.Context
		id  string
	}{{e.agent, gina.ID}, {two, gina2.ID}} {
		if lk, err := e.svc.Contact(c.ctx, c.id); err != nil || lk.Contact == nil || lk.Contact.ID != id {
			t.Fatalf("card = %+v, %v", lk, err)
		}
	}
	// A sync record that names the contact.
	conv, err := e.db.StartConversation(e.agent, convrs.StartConversationInput{CustomerID: gina.ID, Channel: "email", Message: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
		t.Fatal(err)
	}
	e.recordSynced(t, conv.ID, id, "Gina Private")

	e.sim.ArchiveContact(e.portal, id)
	if err := e.svc.HandleWebhook(ctx, []contactcard.WebhookEvent{{EventID: 91, PortalID: e.portal, OccurredAt: time.Now().UnixMilli(),
		SubscriptionType: contactcard.EventPrivacyDeletion, ObjectID: atoi(id)}}); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.db.FindCustomer(e.agent, gina.ID); c.HubspotContactID != "" {
		t.Errorf("first workspace's customer still linked to %s", c.HubspotContactID)
	}
	if c, _ := e.db.FindCustomer(two, gina2.ID); c.HubspotContactID != "" {
		t.Errorf("second workspace's customer still linked to %s", c.HubspotContactID)
	}
	s, err := e.db.HubspotSync(e.agent, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.ContactName != "" || s.ContactURL != "" || s.MatchedHow != "" || strings.Contains(s.Reason, "Gina") {
		t.Errorf("sync record after the privacy deletion = %+v, want no name, URL or provenance", s)
	}
}

// recordSynced ends the conversation's queued sync as SYNCED to contactID, as the worker would.
func (e *env) recordSynced(t *testing.T, conversationID, contactID, name string) {
	t.Helper()
	claims, err := e.db.ClaimHubspotSyncs(context.Background(), "test", time.Minute, 10)
	if err != nil || len(claims) != 1 || claims[0].Sync.ConversationID != conversationID {
		t.Fatalf("claim = %v, %v", claims, err)
	}
	if _, err := e.db.FinishHubspotSync(context.Background(), claims[0], convrs.HubspotSyncOutcome{Status: convrs.SyncSynced,
		MatchedBy: convrs.MatchEmail, MatchedHow: "matched by email (gina@example.com)", ContactID: contactID, ContactName: name,
		ContactURL: "https://app.hubspot.com/contacts/1/record/0-1/" + contactID}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.db.HubspotSync(e.agent, conversationID); s == nil || s.ContactName != name {
		t.Fatalf("sync record = %+v", s)
	}
}

// A picked contact whose number is invalid: the start says which number and for which region; a detail the
// contact lacks may be typed by the agent (the contact still comes from HubSpot), even with matches required.
func TestPickWithoutAUsableNumber(t *testing.T) {
	e := newEnv(t, "sqlite", memoryBackend(t))
	e.options(convrs.HubspotOptions{AllowOutboundSearch: true, RequireOutboundMatch: true})
	carla := e.seed(1, map[string]string{"firstname": "Carla", "lastname": "Gomez", "mobilephone": "+447700900123"})
	noPhone := e.seed(2, map[string]string{"firstname": "Nina", "lastname": "Nophone", "email": "nina@example.com"})
	conv := e.svc.Outbound(e.db)

	_, err := conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: carla, Channel: "whatsapp", Message: "Hola",
		Customer: convrs.CustomerInput{Phone: ptr("+447700900123")}})
	var ae *convrs.Error
	if !errors.As(err, &ae) || ae.Field != "phone" ||
		ae.Message != "+447700900123, HubSpot's number for Carla Gomez, is not a valid phone number in GB. Type a valid number to reach them on, or choose another channel." {
		t.Errorf("invalid HubSpot number: %v", err)
	}
	// A number typed instead: read in the workspace's region (GB), stored on the customer; the pick is kept.
	c, err := conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: carla, Channel: "whatsapp", Message: "Hola",
		Customer: convrs.CustomerInput{Phone: ptr("020 7946 0123"), FirstName: ptr("Mallory")}})
	if err != nil {
		t.Fatal(err)
	}
	cust, _ := e.db.FindCustomer(e.agent, c.CustomerID)
	if cust.Phone != "+442079460123" || cust.FirstName != "Carla" || cust.HubspotContactID != carla || c.HubspotContactID != carla {
		t.Errorf("customer = %+v, conversation pick %s; want the typed number, HubSpot's name and the link", cust, c.HubspotContactID)
	}
	// A contact with no number at all: SMS with a typed number works; without one, the channel's need is said.
	if _, err := conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: noPhone, Channel: "sms", Message: "Hi"}); convrs.ErrorCode(err) != convrs.EINVALID {
		t.Errorf("SMS to a contact without a number: %v, want EINVALID", err)
	}
	if _, err := conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: noPhone, Channel: "sms", Message: "Hi",
		Customer: convrs.CustomerInput{Phone: ptr("12345")}}); convrs.ErrorCode(err) != convrs.EINVALID {
		t.Errorf("SMS with an invalid typed number: %v, want EINVALID", err)
	}
	if _, err := conv.StartConversation(e.agent, convrs.StartConversationInput{HubspotContactID: noPhone, Channel: "sms", Message: "Hi",
		Customer: convrs.CustomerInput{Phone: ptr("+447911123456")}}); err != nil {
		t.Errorf("SMS with a typed number: %v", err)
	}
}
