package graph_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/seed"
)

// countingSyncs counts the sync service's single and batched lookups.
type countingSyncs struct {
	convrs.HubspotSyncService
	one, many atomic.Int64
	// subscribed, when set, receives a value for each subscription in place.
	subscribed chan struct{}
}

func (c *countingSyncs) Sync(ctx context.Context, conversationID string) (*convrs.HubspotSync, error) {
	c.one.Add(1)
	return c.HubspotSyncService.Sync(ctx, conversationID)
}

func (c *countingSyncs) SyncsByConversation(ctx context.Context, ids []string) (map[string]*convrs.HubspotSync, error) {
	c.many.Add(1)
	return c.HubspotSyncService.SyncsByConversation(ctx, ids)
}

func TestConversationListLoadsSyncRecordsInBatches(t *testing.T) {
	s := newStack(t)
	s.connectHubspot(t)
	admin, agent := s.as(t, seed.AdminID), s.as(t, seed.AgentID)
	do(t, admin, `mutation { enableHubspot { state } }`).decode(t, &struct{}{})
	var open struct {
		Conversations []struct{ ID string } `json:"conversations"`
	}
	do(t, agent, `{ conversations(status: OPEN) { id } }`).decode(t, &open)
	if len(open.Conversations) < 2 {
		t.Fatalf("need two open demo conversations, have %d", len(open.Conversations))
	}
	closed := map[string]bool{}
	for _, c := range open.Conversations[:2] {
		do(t, agent, `mutation($id: ID!) { closeConversation(id: $id) { id } }`, "id", c.ID).decode(t, &struct{}{})
		closed[c.ID] = true
	}
	s.syncs.one.Store(0)
	s.syncs.many.Store(0)
	var out struct {
		Conversations []struct {
			ID          string
			HubspotSync *struct {
				Status      string `json:"status"`
				CloseNumber int    `json:"closeNumber"`
			} `json:"hubspotSync"`
		} `json:"conversations"`
	}
	do(t, agent, `{ conversations(first: 50) { id hubspotSync { status closeNumber } } }`).decode(t, &out)
	for _, c := range out.Conversations {
		switch {
		case closed[c.ID] && (c.HubspotSync == nil || c.HubspotSync.Status != "QUEUED" || c.HubspotSync.CloseNumber != 1):
			t.Errorf("%s closed after Enable: hubspotSync = %+v, want QUEUED close 1", c.ID, c.HubspotSync)
		case !closed[c.ID] && c.HubspotSync != nil:
			t.Errorf("%s has a sync record %+v, want null", c.ID, c.HubspotSync)
		}
	}
	if one, many := s.syncs.one.Load(), s.syncs.many.Load(); one != 0 || many < 1 || many >= int64(len(out.Conversations)) {
		t.Errorf("sync lookups: %d single, %d batched for %d conversations", one, many, len(out.Conversations))
	}
	// The admin's list and summary see the same records; the agent may not.
	var list struct {
		HubspotSyncs struct {
			Nodes []struct {
				Status string `json:"status"`
			} `json:"nodes"`
		} `json:"hubspotSyncs"`
		HubspotSyncSummary struct {
			Queued int `json:"queued"`
			Total  int `json:"total"`
		} `json:"hubspotSyncSummary"`
	}
	do(t, admin, `{ hubspotSyncs(first: 10) { nodes { status } } hubspotSyncSummary { queued total } }`).decode(t, &list)
	if len(list.HubspotSyncs.Nodes) != 2 || list.HubspotSyncSummary.Queued != 2 || list.HubspotSyncSummary.Total != 2 {
		t.Errorf("admin list = %+v", list)
	}
	do(t, agent, `{ hubspotSyncSummary { total } }`).wantError(t, convrs.EFORBIDDEN, "")
}

// syncRecordFor gives the demo conversation a transcript sync record, leaving it open as it was: syncing
// enabled, the conversation closed (which queues the record) and reopened.
func (s *stack) syncRecordFor(t *testing.T, convID string) {
	t.Helper()
	s.connectHubspot(t)
	admin := s.as(t, seed.AdminID)
	do(t, admin, `mutation { enableHubspot { state } }`).decode(t, &struct{}{})
	do(t, admin, `mutation($id: ID!) { closeConversation(id: $id) { id } }`, "id", convID).decode(t, &struct{}{})
	do(t, admin, `mutation($id: ID!) { reopenConversation(id: $id) { id } }`, "id", convID).decode(t, &struct{}{})
}

// SubscribeSyncs reports each subscription once it is in place, so that tests publish only then.
func (c *countingSyncs) SubscribeSyncs(ctx context.Context) (<-chan *convrs.HubspotSync, error) {
	ch, err := c.HubspotSyncService.SubscribeSyncs(ctx)
	if err == nil && c.subscribed != nil {
		c.subscribed <- struct{}{}
	}
	return ch, err
}

// HubSpot's own answer (or the network's) behind an UNAVAILABLE card is for admins: agents read the words only.
func TestHubspotDetailIsForAdmins(t *testing.T) {
	s := newStack(t)
	s.connectHubspot(t) // its API address answers nothing
	admin, agent := s.as(t, seed.AdminID), s.as(t, seed.AgentID)
	do(t, admin, `mutation { enableHubspot { state } }`).decode(t, &struct{}{})
	var custs struct {
		Customers []struct{ ID string } `json:"customers"`
	}
	do(t, agent, `{ customers(query: "alice") { id } }`).decode(t, &custs)
	if len(custs.Customers) == 0 {
		t.Fatal("no demo customer Alice")
	}
	type card struct {
		HubspotContact struct {
			Outcome string  `json:"outcome"`
			Message string  `json:"message"`
			Detail  *string `json:"detail"`
		} `json:"hubspotContact"`
	}
	q := `query($cust: ID!) { hubspotContact(customerId: $cust) { outcome message detail } }`
	var asAgent, asAdmin card
	do(t, agent, q, "cust", custs.Customers[0].ID).decode(t, &asAgent)
	do(t, admin, q, "cust", custs.Customers[0].ID).decode(t, &asAdmin)
	if asAgent.HubspotContact.Outcome != "UNAVAILABLE" || asAgent.HubspotContact.Message == "" || asAgent.HubspotContact.Detail != nil {
		t.Errorf("agent's card = %+v, want UNAVAILABLE in words without detail", asAgent.HubspotContact)
	}
	if asAdmin.HubspotContact.Detail == nil || *asAdmin.HubspotContact.Detail == "" {
		t.Errorf("admin's card = %+v, want the detail", asAdmin.HubspotContact)
	}
}

// The attempts that did not succeed belong to the admin's Details, as HubSpot's own answer does: agents read an
// empty history.
func TestSyncAttemptErrorsAreForAdmins(t *testing.T) {
	s := newStack(t)
	convID, _ := demoConversation(t, s)
	s.syncRecordFor(t, convID)
	claims, err := s.db.ClaimHubspotSyncs(context.Background(), "graph-test", time.Minute, 10)
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim: %d claims, %v", len(claims), err)
	}
	const words = "HubSpot is not answering (it may be down or unreachable). Convrs tries again by itself; nothing to do."
	if _, err := s.db.FinishHubspotSync(context.Background(), claims[0], convrs.HubspotSyncOutcome{
		Status: convrs.SyncWaiting, ReasonCode: convrs.SyncReasonUnavailable, Reason: words,
		Detail: "HubSpot answered 503 (correlation ID 42)", RunAt: time.Now().Add(time.Minute), Attempts: 1,
		AttemptError: &convrs.HubspotSyncAttemptError{At: time.Now(), Attempt: 1, Status: convrs.SyncWaiting,
			ReasonCode: convrs.SyncReasonUnavailable, Reason: words},
	}); err != nil {
		t.Fatalf("finish: %v", err)
	}
	type attempts struct {
		Conversation struct {
			HubspotSync struct {
				AttemptErrors []struct {
					Attempt int    `json:"attempt"`
					Status  string `json:"status"`
					Reason  string `json:"reason"`
				} `json:"attemptErrors"`
			} `json:"hubspotSync"`
		} `json:"conversation"`
	}
	q := `query($c: ID!) { conversation(id: $c) { hubspotSync { attemptErrors { attempt status reason } } } }`
	var asAdmin, asAgent attempts
	do(t, s.as(t, seed.AdminID), q, "c", convID).decode(t, &asAdmin)
	do(t, s.as(t, seed.AgentID), q, "c", convID).decode(t, &asAgent)
	got := asAdmin.Conversation.HubspotSync.AttemptErrors
	if len(got) != 1 || got[0].Attempt != 1 || got[0].Status != "WAITING" || got[0].Reason != words {
		t.Errorf("the admin's attempt errors = %+v; want attempt 1 WAITING in words", got)
	}
	if got := asAgent.Conversation.HubspotSync.AttemptErrors; len(got) != 0 {
		t.Errorf("the agent's attempt errors = %+v; want none", got)
	}
}
