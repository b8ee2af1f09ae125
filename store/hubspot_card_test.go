package store_test

import (
	"context"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// The card's reads: every workspace connected to the portal, and only the conversations of customers linked to
// the contact, open ones first.
func TestHubspotContactConversations(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		a, b := newFixture(t, db, "ws_a"), newFixture(t, db, "ws_b")
		other := newFixture(t, db, "ws_c")
		for _, f := range []*fixture{a, b} {
			if _, _, err := db.SaveHubspotConnection(f.admin, convrs.HubspotConnection{WorkspaceID: f.ws.ID, PortalID: 77, ConnectedBy: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.SaveHubspotConnection(other.admin, convrs.HubspotConnection{WorkspaceID: other.ws.ID, PortalID: 88, ConnectedBy: "x"}); err != nil {
			t.Fatal(err)
		}
		ws, err := db.WorkspacesByHubspotPortal(context.Background(), 77)
		if err != nil || len(ws) != 2 || ws[0] != "ws_a" || ws[1] != "ws_b" {
			t.Fatalf("workspaces of portal 77 = %v, %v", ws, err)
		}
		if ws, _ := db.WorkspacesByHubspotPortal(context.Background(), 99); len(ws) != 0 {
			t.Errorf("workspaces of an unconnected portal = %v", ws)
		}

		// Alice of ws_a is contact 501: her open chat and a closed one are listed, the open one first.
		if err := db.LinkHubspotContact(a.admin, a.customer.ID, 77, "501", convrs.HubspotLinkSource{}); err != nil {
			t.Fatal(err)
		}
		closed, err := db.StartConversation(a.agent, convrs.StartConversationInput{CustomerID: a.customer.ID, Channel: "email", Message: "Later"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CloseConversation(a.agent, closed.ID); err != nil {
			t.Fatal(err)
		}
		// Another customer of ws_a, and ws_c's customer with the same contact ID in another portal, are not.
		if _, err := db.StartConversation(a.agent, convrs.StartConversationInput{Customer: convrs.CustomerInput{Email: ptr("bob@example.com")}, Channel: "email", Message: "Hi Bob"}); err != nil {
			t.Fatal(err)
		}
		if err := db.LinkHubspotContact(other.admin, other.customer.ID, 88, "501", convrs.HubspotLinkSource{}); err != nil {
			t.Fatal(err)
		}
		got, err := db.HubspotContactConversations(a.agent, 77, "501", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != a.conv.ID || got[0].Status != convrs.ConversationOpen || got[1].ID != closed.ID {
			t.Fatalf("conversations of contact 501 in ws_a = %+v, want the open %s then the closed %s", got, a.conv.ID, closed.ID)
		}
		if got, _ := db.HubspotContactConversations(a.agent, 77, "501", 1); len(got) != 1 {
			t.Errorf("limit 1 gave %d", len(got))
		}
		// ws_b has no customer linked to 501.
		if got, _ := db.HubspotContactConversations(b.agent, 77, "501", 10); len(got) != 0 {
			t.Errorf("ws_b's conversations of contact 501 = %+v", got)
		}
		// A chat with Alice started from a pick of contact 777 is about 777 (its transcript goes there), not 501.
		picked, err := db.StartConversation(a.agent, convrs.StartConversationInput{CustomerID: a.customer.ID, Channel: "email", Message: "About your order",
			HubspotContactID: "777", Pick: &convrs.HubspotPick{PortalID: 77, ContactID: "777", ContactName: "Alice Other"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.HubspotContactConversations(a.agent, 77, "777", 10); len(got) != 1 || got[0].ID != picked.ID {
			t.Errorf("conversations of the picked contact 777 = %+v, want %s", got, picked.ID)
		}
		if got, _ := db.HubspotContactConversations(a.agent, 77, "501", 10); len(got) != 2 {
			t.Errorf("contact 501 lists %d conversations, want its 2 (not the one picked for 777)", len(got))
		}
		_, err = db.HubspotContactConversations(context.Background(), 77, "501", 10)
		wantCode(t, err, convrs.EUNAUTHORIZED)
	})
}
