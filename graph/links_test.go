package graph_test

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/seed"
)

// The browser cannot link a customer to a HubSpot contact: updateCustomer has no hubspotContactId, so a made-up
// ID cannot be linked, read through the card, or used to pass "Only allow HubSpot matches".
func TestUpdateCustomerCannotLinkHubspot(t *testing.T) {
	s := newStack(t)
	agent, admin := s.as(t, seed.AgentID), s.as(t, seed.AdminID)
	_, custID := demoConversation(t, s)
	s.connectHubspot(t)
	do(t, admin, `mutation { saveHubspotOptions(input: {allowOutboundSearch: true, requireOutboundMatch: true}) { state } }`).decode(t, &struct{}{})

	_, err := agent.RawPost(`mutation($cust: ID!) { updateCustomer(id: $cust, input: {hubspotContactId: "101"}) { id hubspotContactId } }`,
		client.Var("cust", custID))
	if err == nil || !strings.Contains(err.Error(), `Field \"hubspotContactId\" is not defined by type \"CustomerInput\"`) {
		t.Fatalf("updateCustomer with hubspotContactId = %v, want it refused as an unknown field", err)
	}
	var out struct {
		Customer struct {
			HubspotContactID *string `json:"hubspotContactId"`
		} `json:"customer"`
	}
	do(t, agent, `query($cust: ID!) { customer(id: $cust) { hubspotContactId } }`, "cust", custID).decode(t, &out)
	if out.Customer.HubspotContactID != nil {
		t.Errorf("customer linked to %s by the browser", *out.Customer.HubspotContactID)
	}
	// Still no chat with an unlinked customer while HubSpot matches are required.
	do(t, agent, `mutation($cust: ID) { startConversation(input: {customerId: $cust, channel: "web", message: "hi"}) { id } }`, "cust", custID).
		wantError(t, convrs.EINVALID, "hubspotContactId")
	// Nor with a pick of a contact ID the browser makes up (HubSpot is asked first; here it cannot be reached).
	r := do(t, agent, `mutation($cust: ID) { startConversation(input: {customerId: $cust, hubspotContactId: "101", channel: "web", message: "hi"}) { id } }`, "cust", custID)
	if len(r.Errors) == 0 {
		t.Errorf("a made-up pick started a chat: %s", r.raw)
	}
	// Change contact refuses while syncing is not enabled, and the customer stays unlinked.
	do(t, agent, `mutation($cust: ID!) { changeHubspotContact(customerId: $cust, hubspotContactId: "101") { outcome } }`, "cust", custID).
		wantError(t, convrs.ECONFLICT, "")
}
