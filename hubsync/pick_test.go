package hubsync

import (
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

// A chat started from a HubSpot pick is written to the picked contact, whatever the customer's own link says,
// and its record says who chose it. The customer's next chat follows the customer's link, as the rules say.
func TestPickedContactGetsTheTranscript(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		bob := e.sim.SeedContact(portal, map[string]string{"email": "bob@example.com", "firstname": "Bob", "lastname": "Smith"}, time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC))
		robert := e.sim.SeedContact(portal, map[string]string{"email": "bob@example.com", "firstname": "Robert", "lastname": "Smith"}, time.Date(2023, 6, 10, 0, 0, 0, 0, time.UTC))
		cust := e.customer("bob@example.com", "", "Bob", "Smith")
		conv, err := e.db.StartConversation(e.agent, convrs.StartConversationInput{CustomerID: cust.ID, Channel: "email", Message: "Your invoice",
			Pick: &convrs.HubspotPick{PortalID: portal, ContactID: robert, ContactName: "Robert Smith"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
			t.Fatal(err)
		}
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncSynced)
		if s.ContactID != robert || s.ContactName != "Robert Smith" || s.MatchedBy != convrs.MatchChosen ||
			!strings.HasPrefix(s.MatchedHow, "chosen by Sam Agent on ") {
			t.Errorf("record = %s %q %s %q, want Robert Smith chosen by Sam Agent", s.ContactID, s.ContactName, s.MatchedBy, s.MatchedHow)
		}
		if n := e.notesWith(robert, "Your invoice"); n != 1 {
			t.Errorf("%d notes on the picked contact, want 1", n)
		}
		if n := len(e.notesOf(bob)); n != 0 {
			t.Errorf("%d notes on Bob's own contact, want none", n)
		}
		// The customer's other chat goes by the rules: Bob's own (oldest) contact, matched by email.
		other := e.closed(cust)
		e.drain()
		s2 := e.mustStatus(other.ID, convrs.SyncSynced)
		if s2.ContactID != bob || s2.MatchedHow != "matched by email (bob@example.com)" {
			t.Errorf("other chat = %s %q, want Bob matched by email", s2.ContactID, s2.MatchedHow)
		}
	})
}

// A customer whose only contact was unlinked as "not this person" is skipped in words, and no second contact
// with the same email is made; after Change contact, Retry writes the transcript there.
func TestNotThisPersonSkipsThenRetrySyncs(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	zoe := e.sim.SeedContact(portal, map[string]string{"email": "zoe@example.com", "firstname": "Zoe"}, time.Time{})
	cust := e.customer("zoe@example.com", "", "Zoe", "")
	if err := e.db.LinkHubspotContact(e.admin, cust.ID, portal, zoe, convrs.HubspotLinkSource{Rule: convrs.MatchEmail, Value: "zoe@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UnlinkHubspotContact(e.agent, cust.ID, portal); err != nil {
		t.Fatal(err)
	}
	conv := e.closed(cust)
	e.drain()
	s := e.mustStatus(conv.ID, convrs.SyncSkipped)
	if s.ReasonCode != convrs.SyncReasonNotThisPerson || !strings.Contains(s.Reason, "not this person") {
		t.Errorf("record = %s %q", s.ReasonCode, s.Reason)
	}
	if n := len(e.sim.Contacts(portal)); n != 1 {
		t.Errorf("%d contacts in HubSpot, want 1 (none created)", n)
	}
	if err := e.db.LinkHubspotContact(e.agent, cust.ID, portal, zoe, convrs.HubspotLinkSource{Rule: convrs.MatchChosen, StaffName: "Sam Agent"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Retry(e.admin, conv.ID); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if s := e.mustStatus(conv.ID, convrs.SyncSynced); s.ContactID != zoe || s.MatchedBy != convrs.MatchChosen {
		t.Errorf("after Change contact and Retry: %s by %s", s.ContactID, s.MatchedBy)
	}
}

// An anonymous visitor's skipped transcript: once the agent adds an email in User Details, Retry writes it.
func TestIdentifiedVisitorRetrySyncs(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	contact := e.sim.SeedContact(portal, map[string]string{"email": "vera@example.com", "firstname": "Vera"}, time.Time{})
	cust := e.customer("", "", "", "")
	conv := e.closed(cust)
	e.drain()
	if s := e.mustStatus(conv.ID, convrs.SyncSkipped); s.ReasonCode != convrs.SyncReasonAnonymous {
		t.Fatalf("record = %+v", s)
	}
	if _, err := e.db.UpdateCustomer(e.agent, cust.ID, convrs.CustomerInput{Email: str("vera@example.com"), FirstName: str("Vera")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Retry(e.admin, conv.ID); err != nil {
		t.Fatal(err)
	}
	e.drain()
	if s := e.mustStatus(conv.ID, convrs.SyncSynced); s.ContactID != contact || s.MatchedHow != "matched by email (vera@example.com)" {
		t.Errorf("after identifying: %s %q", s.ContactID, s.MatchedHow)
	}
}
