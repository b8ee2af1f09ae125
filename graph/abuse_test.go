package graph_test

import (
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph"
	"github.com/convrs/gateway/seed"
)

// One document runs at most one HubSpot search and a few card lookups: 200 aliased searches once made 65
// HubSpot searches from one request.
func TestHubspotFieldsPerDocument(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	_, custID := demoConversation(t, s)
	for name, tc := range map[string]struct {
		query string
		field string
	}{
		"200 searches":          {aliases(200, `searchHubspotContacts(query: "alice") { id }`), "searchHubspotContacts"},
		"2 searches":            {`{ a: searchHubspotContacts(query: "alice") { id } b: searchHubspotContacts(query: "bob") { id } }`, "searchHubspotContacts"},
		"searches in fragments": {`{ ...A ...B } fragment A on Query { a: searchHubspotContacts(query: "a1") { id } } fragment B on Query { b: searchHubspotContacts(query: "b1") { id } }`, "searchHubspotContacts"},
		"6 card lookups":        {aliases(6, `hubspotContact(customerId: "`+custID+`") { outcome }`), "hubspotContact"},
	} {
		t.Run(name, func(t *testing.T) {
			e := do(t, agent, tc.query).wantError(t, graph.CodeQueryTooLarge, "")
			if !strings.Contains(e.Message, tc.field) {
				t.Errorf("message %q does not name %s", e.Message, tc.field)
			}
		})
	}
	// One search and five lookups pass the limit (and reach the services: HubSpot is not connected here).
	r := do(t, agent, `{ searchHubspotContacts(query: "alice") { id } `+strings.Trim(aliases(5, `hubspotContact(customerId: "`+custID+`") { outcome }`), "{}")+` }`)
	for _, e := range r.Errors {
		if e.code() == graph.CodeQueryTooLarge {
			t.Errorf("one search and five lookups refused: %s", r.raw)
		}
	}
}

// Each staff member's searches are paced: past SearchesPerStaff in the window, ERATELIMITED; another staff
// member is not affected.
func TestSearchesPacedPerStaff(t *testing.T) {
	s := newStack(t)
	agent, admin := s.as(t, seed.AgentID), s.as(t, seed.AdminID)
	for i := range graph.SearchesPerStaff {
		r := do(t, agent, `{ searchHubspotContacts(query: "alice") { id } }`)
		if len(r.Errors) == 1 && r.Errors[0].code() == convrs.ERATELIMITED {
			t.Fatalf("search %d refused: %s", i+1, r.raw)
		}
	}
	e := do(t, agent, `{ searchHubspotContacts(query: "alice") { id } }`).wantError(t, convrs.ERATELIMITED, "")
	if !strings.Contains(e.Message, "Too many HubSpot searches") {
		t.Errorf("message %q", e.Message)
	}
	// Queries too short to reach HubSpot are not counted; another staff member still searches.
	if r := do(t, agent, `{ searchHubspotContacts(query: "a") { id } }`); len(r.Errors) == 1 && r.Errors[0].code() == convrs.ERATELIMITED {
		t.Errorf("a one-character query was paced: %s", r.raw)
	}
	if r := do(t, admin, `{ searchHubspotContacts(query: "alice") { id } }`); len(r.Errors) == 1 && r.Errors[0].code() == convrs.ERATELIMITED {
		t.Errorf("the admin's search was paced by the agent's: %s", r.raw)
	}
}

// Every ID argument, input fields included, is bounded before any resolver runs, and a HubSpot contact ID is at
// most 20 digits: 200 subscriptions with 500 KB customer IDs once added 410 MB of heap.
func TestIDArgumentsBounded(t *testing.T) {
	s := newStack(t)
	agent := s.as(t, seed.AgentID)
	long := "cus_" + strings.Repeat("x", graph.MaxIDLength)
	for name, tc := range map[string]struct {
		query string
		vars  []any
		field string
	}{
		"customer":              {`query($id: ID!) { customer(id: $id) { id } }`, []any{"id", long}, "id"},
		"conversation literal":  {`{ conversation(id: "` + long + `") { id } }`, nil, "id"},
		"hubspotContact":        {`query($id: ID!) { hubspotContact(customerId: $id) { outcome } }`, []any{"id", long}, "customerId"},
		"conversations filter":  {`query($id: ID) { conversations(customerId: $id) { id } }`, []any{"id", long}, "customerId"},
		"input field":           {`mutation($in: StartConversationInput!) { startConversation(input: $in) { id } }`, []any{"in", map[string]any{"customerId": long, "channel": "web", "message": "hi"}}, "customerId"},
		"hubspot contact ID":    {`mutation($in: StartConversationInput!) { startConversation(input: $in) { id } }`, []any{"in", map[string]any{"hubspotContactId": strings.Repeat("7", 5000), "channel": "web", "message": "hi"}}, "hubspotContactId"},
		"hubspot contact ID 21": {`mutation($in: StartConversationInput!) { startConversation(input: $in) { id } }`, []any{"in", map[string]any{"hubspotContactId": strings.Repeat("7", 21), "channel": "web", "message": "hi"}}, "hubspotContactId"},
	} {
		t.Run(name, func(t *testing.T) {
			e := do(t, agent, tc.query, tc.vars...).wantError(t, convrs.EINVALID, tc.field)
			if len(e.Message) > 200 {
				t.Errorf("the error quotes the ID back: %d bytes", len(e.Message))
			}
		})
	}
	// A subscription with a long ID is refused before it subscribes to anything.
	sub := s.subscribeRaw(t, seed.AgentID, `subscription { hubspotContactUpdated(customerId: "`+long+`") { outcome } }`)
	if err := sub.Next(&struct{}{}); err == nil || !strings.Contains(err.Error(), convrs.EINVALID) {
		t.Errorf("subscription with a long ID: %v, want EINVALID", err)
	}
}
