package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/redis/go-redis/v9"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/seed"
)

// subscriptionEnd waits for the subscription to end and returns how (the error the client read), failing the
// test if an event comes instead or nothing does in time.
func subscriptionEnd(t *testing.T, sub *client.Subscription) string {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		var ev map[string]any
		done <- sub.Next(&ev)
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the subscription delivered an event; want it ended")
		}
		return err.Error()
	case <-time.After(testkit.EventuallyWithin):
		_ = sub.Close()
		<-done
		t.Fatal("the subscription did not end")
		return ""
	}
}

// wantResync checks that the subscription ended with ERESYNC: the client must refetch and subscribe again.
func wantResync(t *testing.T, what string, sub *client.Subscription) {
	t.Helper()
	if end := subscriptionEnd(t, sub); !strings.Contains(end, `"code":"`+convrs.ERESYNC+`"`) {
		t.Errorf("%s ended with %s; want the code %s", what, end, convrs.ERESYNC)
	}
}

const (
	conversationEventsQuery = `subscription { conversationEvents { kind conversation { id status } message { text } } }`
	syncUpdatedQuery        = `subscription { hubspotSyncUpdated { conversationId status } }`
)

// With Redis down, subscribers are told at once that they may miss events; subscribing again is refused as
// unavailable until Redis is back; then the client's refetch shows what changed during the outage, and live
// updates flow again.
func TestSubscriptionsToldToRefetchAfterRedisOutage(t *testing.T) {
	srv := testkit.StartRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	ps := pubsub.NewRedis(rdb, "graphtest:")
	s := newStackOn(t, true, ps)
	s.connectHubspot(t)
	admin, agent := s.as(t, seed.AdminID), s.as(t, seed.AgentID)
	do(t, admin, `mutation { enableHubspot { state } }`).decode(t, &struct{}{})
	convID, _ := demoConversation(t, s)
	events := s.subscribe(t, seed.AgentID, conversationEventsQuery, convrs.TopicConversations(seed.WorkspaceID))
	syncs := s.subscribe(t, seed.AdminID, syncUpdatedQuery, convrs.TopicHubspotSyncs(seed.WorkspaceID))

	srv.Stop()
	wantResync(t, "conversationEvents", events)
	wantResync(t, "hubspotSyncUpdated", syncs)

	// During the outage the gateway keeps working: a message and a close (which queues the transcript's sync)
	// are stored, though no one can be told.
	do(t, agent, `mutation($c: ID!) { sendMessage(conversationId: $c, text: "sent during the outage") { id } }`, "c", convID).decode(t, &struct{}{})
	do(t, agent, `mutation($c: ID!) { closeConversation(id: $c) { id } }`, "c", convID).decode(t, &struct{}{})
	if end := subscriptionEnd(t, s.subscribeRaw(t, seed.AgentID, conversationEventsQuery)); !strings.Contains(end, `"code":"`+convrs.EUNAVAILABLE+`"`) {
		t.Errorf("subscribing with Redis down: %s; want %s", end, convrs.EUNAVAILABLE)
	}

	srv.Start()
	// The gateway's first publish once Redis answers first tells every process's subscribers of the topics it
	// could not publish on that they missed something; subscriptions made after it are not ended.
	if err := ps.Publish(t.Context(), "unrelated", []byte("{}")); err != nil {
		t.Fatalf("publish once Redis is back: %v", err)
	}
	events = s.subscribe(t, seed.AgentID, conversationEventsQuery, convrs.TopicConversations(seed.WorkspaceID))
	syncs = s.subscribe(t, seed.AdminID, syncUpdatedQuery, convrs.TopicHubspotSyncs(seed.WorkspaceID))
	var got struct {
		Conversation struct {
			Status   string `json:"status"`
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
			HubspotSync *struct {
				Status string `json:"status"`
			} `json:"hubspotSync"`
		} `json:"conversation"`
	}
	do(t, agent, `query($c: ID!) { conversation(id: $c) { status messages(last: 2) { text } hubspotSync { status } } }`, "c", convID).decode(t, &got)
	c := got.Conversation
	if c.Status != "CLOSED" || len(c.Messages) != 2 || c.Messages[0].Text != "sent during the outage" || c.HubspotSync == nil || c.HubspotSync.Status != "QUEUED" {
		t.Errorf("refetched after the outage: %+v; want CLOSED, the message sent during the outage, a QUEUED sync", c)
	}

	do(t, agent, `mutation($c: ID!) { reopenConversation(id: $c) { id } }`, "c", convID).decode(t, &struct{}{})
	if e := nextConversationEvent(t, events); e.Kind != "REOPENED" || e.Conversation.ID != convID {
		t.Errorf("first event after the outage: %+v; want REOPENED %s", e, convID)
	}
	do(t, agent, `mutation($c: ID!) { closeConversation(id: $c) { id } }`, "c", convID).decode(t, &struct{}{})
	var rec struct {
		HubspotSyncUpdated struct {
			ConversationID string `json:"conversationId"`
			Status         string `json:"status"`
		} `json:"hubspotSyncUpdated"`
	}
	next(t, syncs, &rec)
	if rec.HubspotSyncUpdated.ConversationID != convID || rec.HubspotSyncUpdated.Status != "QUEUED" {
		t.Errorf("first sync event after the outage: %+v; want %s QUEUED", rec.HubspotSyncUpdated, convID)
	}
}

// On the in-process pub/sub a subscriber that falls behind is ended the same way: ERESYNC, never a quiet gap.
func TestSubscriberBehindToldToRefetch(t *testing.T) {
	mem := pubsub.NewMemory()
	s := newStackOn(t, true, mem)
	topic := convrs.TopicConversations(seed.WorkspaceID)
	events := s.subscribe(t, seed.AgentID, conversationEventsQuery, topic)
	convID, _ := demoConversation(t, s)
	payload := []byte(`{"workspaceId":"` + seed.WorkspaceID + `","conversationId":"` + convID + `","kind":"MESSAGE_ADDED"}`)
	// Events faster than the subscriber reads them (each costs it a database read; nobody reads the socket):
	// its buffer fills and the subscription is ended.
	published := make(chan struct{})
	go func() {
		defer close(published)
		for mem.Dropped() == 0 {
			_ = mem.Publish(t.Context(), topic, payload)
		}
	}()
	select {
	case <-published:
	case <-time.After(testkit.EventuallyWithin):
		t.Fatal("the subscriber kept up with every event")
	}
	for {
		var ev map[string]any
		err := events.Next(&ev)
		if err == nil {
			continue // what its buffers held
		}
		if !strings.Contains(err.Error(), `"code":"`+convrs.ERESYNC+`"`) {
			t.Errorf("the subscription behind ended with %v; want %s", err, convrs.ERESYNC)
		}
		return
	}
}
