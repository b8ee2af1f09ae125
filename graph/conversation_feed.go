package graph

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/graph/model"
	"github.com/convrs/gateway/pubsub"
)

// conversationFeed fans a workspace's conversation events out to its subscribers in this process
// (pubsub.Shared): each event is received and decoded once, and what it shows — the conversation and the
// message, workspace rows that every subscriber of the workspace's topic may read — is read once, when the
// first subscriber handles the event, for all of them. The shared conversation then shares its event's loaders
// too (eventLoadersOf), so its customer and agent are also read once per event.
type conversationFeed struct {
	once   sync.Once
	shared *pubsub.Shared[feedEvent]
}

// feedEvent is one conversation event and what it shows, loaded once.
type feedEvent struct {
	ev   convrs.ConversationEvent
	load sync.Once
	item *model.ConversationEvent // nil: the conversation cannot be read (deleted since)
}

func (f *conversationFeed) subscribe(ctx context.Context, ps convrs.PubSub, workspaceID string) (<-chan *feedEvent, error) {
	f.once.Do(func() { f.shared = &pubsub.Shared[feedEvent]{PubSub: ps, Decode: decodeConversationEvent} })
	return f.shared.Subscribe(ctx, convrs.TopicConversations(workspaceID))
}

// decodeConversationEvent reads an event published on a workspace's topic; one of another workspace (a
// publishing bug) is dropped rather than shown.
func decodeConversationEvent(topic string, b []byte) (*feedEvent, bool) {
	var ev convrs.ConversationEvent
	if json.Unmarshal(b, &ev) != nil || convrs.TopicConversations(ev.WorkspaceID) != topic {
		return nil, false
	}
	return &feedEvent{ev: ev}, true
}

// resolve returns the event with its conversation (and message) as stored when the first subscriber handled
// it, read with that subscriber's context (a principal of the event's workspace) without its cancellation:
// one subscriber leaving must not fail the others.
func (e *feedEvent) resolve(ctx context.Context, r *Resolver) *model.ConversationEvent {
	e.load.Do(func() {
		ctx := context.WithoutCancel(ctx)
		conv, err := r.ConversationService.FindConversation(ctx, e.ev.ConversationID)
		if err != nil {
			return // deleted since
		}
		item := &model.ConversationEvent{Kind: e.ev.Kind, Conversation: conv}
		if e.ev.MessageID != "" {
			item.Message, _ = r.ConversationService.FindMessage(ctx, e.ev.MessageID)
		}
		e.item = item
	})
	return e.item
}

// conversationEvents streams the caller's workspace's conversation events, each with the conversation (and
// message) as stored when the event arrived. The stream ends with the request's context.
func (r *Resolver) conversationEvents(ctx context.Context) (<-chan *model.ConversationEvent, error) {
	p, err := convrs.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	in, err := r.conversations.subscribe(ctx, r.PubSub, p.WorkspaceID)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.ConversationEvent, 1)
	go func() {
		defer close(out)
		for ev := range in {
			item := ev.resolve(ctx, r)
			if item == nil {
				continue
			}
			select {
			case out <- item:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
