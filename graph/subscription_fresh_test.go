package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/seed"
)

type syncEventJSON struct {
	HubspotSyncUpdated struct {
		ConversationID string `json:"conversationId"`
		Customer       struct {
			Name *string `json:"name"`
		} `json:"customer"`
	} `json:"hubspotSyncUpdated"`
}

// publishSyncOf announces the conversation's sync record again, as the worker does after each attempt.
func (s *stack) publishSyncOf(t *testing.T, convID string) {
	t.Helper()
	ctx := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: seed.AdminID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAdmin})
	rec, err := s.db.HubspotSync(ctx, convID)
	if err != nil {
		t.Fatalf("sync record: %v", err)
	}
	s.db.PublishHubspotSync(ctx, rec)
}

// A live subscription's events show the customer as stored when the event is sent, not as an earlier event
// of the same subscription loaded it.
func TestSyncEventsCarryTheCustomerAsRenamed(t *testing.T) {
	s := newStack(t)
	convID, custID := demoConversation(t, s)
	s.syncRecordFor(t, convID)
	sub := s.subscribe(t, seed.AgentID, `subscription { hubspotSyncUpdated { conversationId customer { name } } }`,
		convrs.TopicHubspotSyncs(seed.WorkspaceID))

	s.publishSyncOf(t, convID)
	var first syncEventJSON
	next(t, sub, &first)
	if first.HubspotSyncUpdated.ConversationID != convID || first.HubspotSyncUpdated.Customer.Name == nil {
		t.Fatalf("first event = %+v, want %s with its customer's name", first.HubspotSyncUpdated, convID)
	}

	admin := s.as(t, seed.AdminID)
	do(t, admin, `mutation($id: ID!) { updateCustomer(id: $id, input: {firstName: "Renamed", lastName: "Person"}) { id } }`, "id", custID).decode(t, &struct{}{})
	s.publishSyncOf(t, convID)
	var second syncEventJSON
	next(t, sub, &second)
	if got := deref(second.HubspotSyncUpdated.Customer.Name); got != "Renamed Person" {
		t.Errorf("event after the rename carries customer name %q (before: %q), want \"Renamed Person\"", got, deref(first.HubspotSyncUpdated.Customer.Name))
	}
}

// One event to several subscribers of the same workspace loads its customer once, not once per subscriber.
func TestSyncEventLoadsItsCustomerOncePerEvent(t *testing.T) {
	s := newStack(t)
	convID, _ := demoConversation(t, s)
	s.syncRecordFor(t, convID)
	const n = 5
	s.syncs.subscribed = make(chan struct{}, n)
	subs := make([]*client.Subscription, 0, n)
	for range n {
		subs = append(subs, s.subscribeRaw(t, seed.AgentID, `subscription { hubspotSyncUpdated { conversationId customer { name } } }`))
	}
	for range n {
		select {
		case <-s.syncs.subscribed:
		case <-time.After(10 * time.Second):
			t.Fatal("subscriptions not in place within 10 s")
		}
	}
	s.customers.findMany.Store(0)
	s.customers.find.Store(0)
	s.publishSyncOf(t, convID)
	for _, sub := range subs {
		var ev syncEventJSON
		next(t, sub, &ev)
		if ev.HubspotSyncUpdated.Customer.Name == nil {
			t.Errorf("event without its customer: %+v", ev.HubspotSyncUpdated)
		}
	}
	if one, many := s.customers.find.Load(), s.customers.findMany.Load(); one+many != 1 {
		t.Errorf("one event to %d subscribers read customers %d times (%d single, %d batched), want once", n, one+many, one, many)
	}
}
