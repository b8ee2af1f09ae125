package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/seed"
)

// Subscribers share one execution of an event only with viewers of the same role: an admin subscribed beside
// agents to the same document still gets the admin-only detail, and the agents still do not.
func TestSharedEventResponsesKeepEachRolesView(t *testing.T) {
	s := newStack(t)
	convID, _ := demoConversation(t, s)
	s.syncRecordFor(t, convID)
	const q = `subscription { hubspotSyncUpdated { conversationId detail } }`
	viewers := []string{seed.AgentID, seed.AdminID, seed.AgentID, seed.AdminID}
	s.syncs.subscribed = make(chan struct{}, len(viewers))
	type event struct {
		HubspotSyncUpdated struct {
			ConversationID string  `json:"conversationId"`
			Detail         *string `json:"detail"`
		} `json:"hubspotSyncUpdated"`
	}
	subs := make([]func(*event), len(viewers))
	for i, staff := range viewers {
		sub := s.subscribeRaw(t, staff, q)
		subs[i] = func(ev *event) { t.Helper(); next(t, sub, ev) }
	}
	for range viewers {
		select {
		case <-s.syncs.subscribed:
		case <-time.After(10 * time.Second):
			t.Fatal("subscriptions not in place within 10 s")
		}
	}

	ctx := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: seed.AdminID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAdmin})
	rec, err := s.db.HubspotSync(ctx, convID)
	if err != nil {
		t.Fatal(err)
	}
	const detail = "HTTP 503 from HubSpot (correlation ID 0f1e)"
	rec.Detail = detail
	s.db.PublishHubspotSync(ctx, rec)
	for i, staff := range viewers {
		var ev event
		subs[i](&ev)
		got := ev.HubspotSyncUpdated
		if got.ConversationID != convID {
			t.Fatalf("subscriber %d (%s) got %+v, want conversation %s", i, staff, got, convID)
		}
		switch {
		case staff == seed.AdminID && (got.Detail == nil || *got.Detail != detail):
			t.Errorf("admin subscriber %d: detail %v, want %q", i, deref(got.Detail), detail)
		case staff == seed.AgentID && got.Detail != nil:
			t.Errorf("agent subscriber %d: detail %q, want null (admins only)", i, *got.Detail)
		}
	}
}
