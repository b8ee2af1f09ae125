package hubsync_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubsync"
	"github.com/convrs/gateway/pubsub"
)

// A subscriber that reads slowly gets every record in order, or its stream ends (it then refetches): it never
// goes on having silently missed some.
func TestSlowSyncSubscriberIsEndedNotSkipped(t *testing.T) {
	for _, n := range []int{30, 300} {
		ps := pubsub.NewMemory()
		svc := &hubsync.Service{PubSub: ps}
		ctx, cancel := context.WithCancel(convrs.NewContextWithPrincipal(context.Background(),
			&convrs.Principal{StaffID: "stf_a", WorkspaceID: "ws_a", Role: convrs.RoleAgent}))
		out, err := svc.SubscribeSyncs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			b, _ := json.Marshal(convrs.HubspotSync{ID: "hs_" + string(rune('a'+i%26)), WorkspaceID: "ws_a", Attempts: i})
			if err := ps.Publish(context.Background(), convrs.TopicHubspotSyncs("ws_a"), b); err != nil {
				t.Fatal(err)
			}
		}
		got, closed := 0, false
		for !closed && got < n {
			select {
			case rec, ok := <-out:
				if !ok {
					closed = true
					break
				}
				if rec.Attempts != got {
					t.Fatalf("%d published: record %d arrived as number %d: a gap", n, rec.Attempts, got)
				}
				got++
			case <-time.After(10 * time.Second):
				t.Fatalf("%d published: %d received, then nothing for 10 s and the stream still open: records were skipped", n, got)
			}
		}
		if !closed && got != n {
			t.Errorf("%d published, %d received", n, got)
		}
		// Ended by a drop: pub/sub's (the shared fan-out's own subscription fell behind, which ends its
		// subscribers) or the fan-out's (this subscriber fell behind) — or both, as the two race.
		if dropped := ps.Dropped() + svc.Dropped(); closed && dropped == 0 {
			t.Errorf("%d published: the stream ended after %d without pub/sub ending it (dropped %d)", n, got, dropped)
		}
		t.Logf("%d published: %d received in order, stream ended: %v", n, got, closed)
		cancel()
	}
}
