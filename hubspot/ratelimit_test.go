package hubspot

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/internal/testkit"
)

func TestMemoryLimiterRollingWindow(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	l := NewMemoryLimiter()
	l.now = clock.Now
	ctx := context.Background()
	take := func() time.Duration {
		t.Helper()
		w, err := l.Take(ctx, "k", 3, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	// t=0, 2s, 4s: admitted.
	for i := range 3 {
		if w := take(); w != 0 {
			t.Fatalf("request %d: wait %v, want admitted", i, w)
		}
		clock.Advance(2 * time.Second)
	}
	// t=6s: full; the t=0 request leaves the window at t=10s.
	if w := take(); w != 4*time.Second {
		t.Fatalf("wait = %v, want 4s", w)
	}
	// A refused request takes no slot: still 4s minus the time passed.
	clock.Advance(3 * time.Second)
	if w := take(); w != time.Second {
		t.Fatalf("wait = %v, want 1s", w)
	}
	// t=10s: exactly one slot is free.
	clock.Advance(time.Second)
	if w := take(); w != 0 {
		t.Fatalf("wait = %v, want admitted at window edge", w)
	}
	if w := take(); w != 2*time.Second {
		t.Fatalf("wait = %v, want 2s (t=2s request leaves at 12s)", w)
	}
	// Other keys have their own budget.
	if w, _ := l.Take(ctx, "other", 1, time.Second); w != 0 {
		t.Fatalf("other key: wait %v", w)
	}
}

func TestMemoryLimiterAdmitsExactlyLimit(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := NewMemoryLimiter()
	l.now = clock.Now
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w, err := l.Take(context.Background(), "hubspot:rl:1:burst", 110, 10*time.Second); err == nil && w == 0 {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != 110 {
		t.Errorf("admitted %d, want 110", admitted)
	}
	clock.Advance(10 * time.Second)
	if w, _ := l.Take(context.Background(), "hubspot:rl:1:burst", 110, 10*time.Second); w != 0 {
		t.Errorf("after the window: wait %v", w)
	}
}

func TestMemoryLimiterErrors(t *testing.T) {
	t.Parallel()
	l := NewMemoryLimiter()
	if _, err := l.Take(context.Background(), "k", 0, time.Second); err == nil {
		t.Error("zero limit accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Take(ctx, "k", 1, time.Second); err == nil {
		t.Error("cancelled context accepted")
	}
}

// TestClientWithMemoryLimiter paces real calls: the 3rd search within a second waits for the window.
func TestClientWithMemoryLimiter(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Unix(0, 0))
	l := NewMemoryLimiter()
	l.now = clock.Now
	client, mux, fs := setup(t, WithLimiter(l, "7"), WithSearchLimit(2, time.Second))
	client.sleep = func(ctx context.Context, d time.Duration) error {
		fs.sleep(ctx, d)
		clock.Advance(d)
		return nil
	}
	mux.HandleFunc("/crm/v3/objects/contacts/search", func(w http.ResponseWriter, r *http.Request) {
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
