package hubspot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/internal/testkit"
)

// TestClientWithMemoryLimiter paces real calls: the 3rd search within a second waits for the window (and the
// margin).
func TestClientWithMemoryLimiter(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := cache.NewMemory(cache.WithClock(clock.Now)).Limiter()
	client, mux, fs := setup(t, WithLimiter(l, "7"), WithSearchLimit(2, time.Second))
	client.sleep = func(ctx context.Context, d time.Duration) error {
		fs.sleep(ctx, d)
		clock.Advance(d)
		return nil
	}
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"total":0,"results":[]}`)
	})
	for range 3 {
		if _, _, err := client.Contacts.Search(context.Background(), &SearchRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{time.Second + RollingWindowMargin}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// Searches sent as fast as our pace allows never put more than HubSpot's 5 into one rolling second as HubSpot
// counts them, even when each arrives up to RollingWindowMargin later than its slot was taken (unequally).
func TestSearchPaceKeepsAMarginBelowHubspotsRollingSecond(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := cache.NewMemory(cache.WithClock(clock.Now)).Limiter()
	client, mux, _ := setup(t, WithLimiter(l, "7"))
	client.sleep = func(ctx context.Context, d time.Duration) error {
		clock.Advance(d)
		return nil
	}
	var sent []time.Time
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		sent = append(sent, clock.Now())
		writeJSON(w, 200, `{"total":0,"results":[]}`)
	})
	for range 23 {
		if _, _, err := client.Contacts.Search(context.Background(), &SearchRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	// Worst case at HubSpot: request i arrives on time, request i+5 a margin late... or the reverse.
	for i := 0; i+DefaultSearchLimit < len(sent); i++ {
		gap := sent[i+DefaultSearchLimit].Sub(sent[i])
		if earliest := gap - RollingWindowMargin; earliest < DefaultSearchWindow {
			t.Fatalf("searches %d and %d were sent %v apart: with arrival delays up to %v, %d could land within one rolling second",
				i, i+DefaultSearchLimit, gap, RollingWindowMargin, DefaultSearchLimit+1)
		}
	}
}

// Agents' searches (interactive) use at most 3 of the 5 searches a second; the transcript sync (background)
// still gets the other 2 however many agents search, and takes the whole budget when agents do not.
func TestReserveForBackground(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := ReserveForBackground(cache.NewMemory(cache.WithClock(clock.Now)).Limiter(), 0.4)
	ctx := context.Background()
	agent := NewInteractiveContext(ctx)
	take := func(ctx context.Context) time.Duration {
		t.Helper()
		wait, err := l.Take(ctx, "hubspot:rl:7:search", 5, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	for i := range 3 {
		if w := take(agent); w != 0 {
			t.Fatalf("agent search %d waits %v", i+1, w)
		}
	}
	if w := take(agent); w <= 0 {
		t.Error("a 4th agent search in the second was admitted: nothing left for the sync")
	}
	for i := range 2 {
		if w := take(ctx); w != 0 {
			t.Errorf("sync search %d waits %v although agents used only their share", i+1, w)
		}
	}
	if w := take(ctx); w <= 0 {
		t.Error("a 6th search in the second was admitted")
	}
	clock.Advance(time.Second)
	for i := range 5 {
		if w := take(ctx); w != 0 {
			t.Errorf("sync search %d of an idle second waits %v", i+1, w)
		}
	}
	// Through the client: an interactive search waits for the agents' share, a background one does not.
	c, mux, fs := setup(t, WithLimiter(ReserveForBackground(cache.NewMemory(cache.WithClock(clock.Now)).Limiter(), 0.4), "8"), WithSearchLimit(5, time.Second))
	c.sleep = func(ctx context.Context, d time.Duration) error { fs.sleep(ctx, d); clock.Advance(d); return nil }
	mux.HandleFunc("/crm/objects/2026-03/contacts/search", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"total":0,"results":[]}`)
	})
	for range 3 {
		if _, _, err := c.Contacts.Search(agent, &SearchRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.Contacts.Search(ctx, &SearchRequest{}); err != nil {
		t.Fatal(err)
	}
	if waits := fs.Waits(); len(waits) != 0 {
		t.Errorf("waits %v before the agents' share was used up", waits)
	}
	if _, _, err := c.Contacts.Search(agent, &SearchRequest{}); err != nil {
		t.Fatal(err)
	}
	if waits := fs.Waits(); len(waits) != 1 {
		t.Errorf("the 4th agent search: waits %v, want one", waits)
	}
}
