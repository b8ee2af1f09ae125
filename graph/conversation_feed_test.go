package graph_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/seed"
)

// One conversation event to several subscribers of the same workspace reads its conversation once, not once per
// subscriber, and each of them gets it with its customer.
func TestConversationEventLoadsItsConversationOncePerEvent(t *testing.T) {
	s := newStack(t)
	var out struct {
		Conversations []struct {
			ID string `json:"id"`
		} `json:"conversations"`
	}
	do(t, s.as(t, seed.AgentID), `{ conversations(first: 2) { id } }`).decode(t, &out)
	if len(out.Conversations) != 2 {
		t.Fatalf("want two demo conversations, got %+v", out)
	}
	probe, measured := out.Conversations[0].ID, out.Conversations[1].ID

	type received struct {
		sub          int
		conversation string
		customer     *string
	}
	const n = 5
	events := make(chan received, 256)
	for i := range n {
		sub := s.subscribeRaw(t, seed.AgentID, `subscription { conversationEvents { conversation { id customer { name } } } }`)
		go func() {
			for {
				var ev struct {
					ConversationEvents struct {
						Conversation struct {
							ID       string `json:"id"`
							Customer struct {
								Name *string `json:"name"`
							} `json:"customer"`
						} `json:"conversation"`
					} `json:"conversationEvents"`
				}
				if sub.Next(&ev) != nil {
					return
				}
				c := ev.ConversationEvents.Conversation
				select {
				case events <- received{sub: i, conversation: c.ID, customer: c.Customer.Name}:
				case <-t.Context().Done():
					return
				}
			}
		}()
	}
	publish := func(id string) {
		b, _ := json.Marshal(convrs.ConversationEvent{Kind: convrs.ConversationEventReopened, WorkspaceID: seed.WorkspaceID, ConversationID: id})
		if err := s.pubsub.Publish(context.Background(), convrs.TopicConversations(seed.WorkspaceID), b); err != nil {
			t.Fatal(err)
		}
	}

	// Every subscription is in place once it has received an event of the probe conversation (a subscribe is
	// not acknowledged), so probes are published until each has one.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	ready := map[int]bool{}
	for len(ready) < n {
		select {
		case <-tick.C:
			publish(probe)
		case ev := <-events:
			ready[ev.sub] = ready[ev.sub] || ev.conversation == probe
		case <-deadline:
			t.Fatalf("%d of %d subscriptions in place within 10 s", len(ready), n)
		}
	}
	tick.Stop()

	publish(measured)
	got := map[int]bool{}
	for len(got) < n {
		select {
		case ev := <-events:
			if ev.conversation != measured {
				continue
			}
			if ev.customer == nil {
				t.Errorf("subscriber %d got the event without its customer's name", ev.sub)
			}
			got[ev.sub] = true
		case <-deadline:
			t.Fatalf("%d of %d subscribers got the event within 10 s", len(got), n)
		}
	}
	if reads := s.conversations.found(measured); reads != 1 {
		t.Errorf("one event to %d subscribers read its conversation %d times, want once", n, reads)
	}
}
