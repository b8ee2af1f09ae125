package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store"
)

// ListMessagesOf reads a page of several conversations' messages in one query, newest page first, oldest
// message first within it, and never another workspace's.
func TestListMessagesOfPagesSeveralConversations(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "ws_page")
		other := newFixture(t, db, "ws_page_other")
		// Messages a microsecond apart, so that their order is their time on both engines.
		base := time.Now().Add(time.Hour) // after the fixture's first message
		tick := 0
		db.Now = func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Microsecond) }
		second, err := db.StartConversation(f.agent, convrs.StartConversationInput{CustomerID: f.customer.ID, Channel: "email", Message: "b0"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 4; i++ {
			for _, c := range []*convrs.Conversation{f.conv, second} {
				if _, err := db.SendMessage(f.agent, c.ID, fmt.Sprintf("%s%d", map[bool]string{true: "a", false: "b"}[c == f.conv], i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		texts := func(page map[string][]*convrs.Message) map[string][]string {
			out := map[string][]string{}
			for id, msgs := range page {
				for _, m := range msgs {
					out[id] = append(out[id], m.Text)
				}
			}
			return out
		}
		ids := []string{f.conv.ID, second.ID, other.conv.ID}
		got, err := db.ListMessagesOf(f.agent, ids, convrs.MessagePage{Last: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{f.conv.ID: {"a3", "a4"}, second.ID: {"b3", "b4"}}
		if diff := cmp.Diff(want, texts(got)); diff != "" {
			t.Errorf("last 2 of each (-want +got):\n%s", diff)
		}
		all, err := db.ListMessages(f.agent, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		before := all[3] // b3
		got, err = db.ListMessagesOf(f.agent, []string{second.ID}, convrs.MessagePage{Last: 2, Before: before.ID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string][]string{second.ID: {"b1", "b2"}}, texts(got)); diff != "" {
			t.Errorf("2 before b3 (-want +got):\n%s", diff)
		}
		// Another workspace's message is no cursor, and bad pages are refused.
		otherMsgs, _ := db.ListMessages(other.agent, other.conv.ID)
		_, err = db.ListMessagesOf(f.agent, []string{second.ID}, convrs.MessagePage{Last: 2, Before: otherMsgs[0].ID})
		wantCode(t, err, convrs.EINVALID)
		_, err = db.ListMessagesOf(f.agent, []string{second.ID}, convrs.MessagePage{Last: 0})
		wantCode(t, err, convrs.EINVALID)
	})
}
