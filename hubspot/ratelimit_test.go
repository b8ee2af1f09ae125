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

// TestClientWithMemoryLimiter paces real calls: the 3rd search within a second waits for the window.
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
	if diff := cmp.Diff([]time.Duration{time.Second}, fs.Waits()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}
