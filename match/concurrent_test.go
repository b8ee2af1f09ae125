package match_test

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
)

// The same new customer closing two conversations at once, or a second apart, ends on one contact although
// HubSpot's search does not see the first contact for a long while (the index delay never lapses: the
// simulator's clock only moves when the test moves it).
func TestFindOrCreateOneContactPerCustomer(t *testing.T) {
	t.Parallel()
	customers := map[string]convrs.Customer{
		"phone only": {Phone: "+447911123456", FirstName: "Ivy"},
		"email":      {Email: "ivy@example.com", FirstName: "Ivy"},
		"name only":  {FirstName: "Ivy", LastName: "Jones"},
	}
	for name, c := range customers {
		t.Run(name+" at once", func(t *testing.T) {
			t.Parallel()
			e := setup(t, envOpts{indexDelay: time.Hour})
			cu := customer(c)
			together(t, 8, func() (*match.Result, error) {
				// Each sync loads the customer itself, before the lock: none sees a link yet.
				return e.m.FindOrCreate(context.Background(), e.hc, e.target(cu))
			})
			checkOneContact(t, e, cu.ID)
		})
		t.Run(name+" a second apart", func(t *testing.T) {
			t.Parallel()
			e := setup(t, envOpts{indexDelay: time.Hour})
			cu := customer(c)
			for range 2 {
				if _, err := e.m.FindOrCreate(context.Background(), e.hc, e.target(cu)); err != nil {
					t.Fatal(err)
				}
				e.clock.Advance(time.Second)
			}
			checkOneContact(t, e, cu.ID)
		})
	}
}

// Two gateway processes (two Matchers, each with its own Redis client) share the lock through Redis.
func TestFindOrCreateAcrossProcessesWithRedis(t *testing.T) {
	t.Parallel()
	url := testkit.RedisURL(t)
	prefix := "matchtest:" + rand.Text() + ":"
	var matchers []*match.Matcher
	e := setup(t, envOpts{indexDelay: time.Hour})
	for range 2 {
		rdb, err := cache.OpenRedis(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rdb.Close() })
		matchers = append(matchers, match.New(match.Config{Links: e.links, Locker: cache.NewRedis(rdb, prefix)}))
	}
	c := customer(convrs.Customer{Phone: "+447911123456", FirstName: "Jo"})
	var i int
	var mu sync.Mutex
	together(t, 6, func() (*match.Result, error) {
		mu.Lock()
		m := matchers[i%2]
		i++
		mu.Unlock()
		return m.FindOrCreate(context.Background(), e.hc, e.target(c))
	})
	checkOneContact(t, e, c.ID)
}

// together runs f n times at once (released by one channel close) and fails the test on any error.
func together(t *testing.T, n int, f func() (*match.Result, error)) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			_, err := f()
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func checkOneContact(t *testing.T, e *env, customerID string) {
	t.Helper()
	live := e.live()
	if len(live) != 1 {
		var ids []string
		for _, c := range live {
			ids = append(ids, c.ID)
		}
		t.Fatalf("%d contacts in HubSpot (%v); want 1", len(live), ids)
	}
	if l, _ := e.links.get(customerID); l.contact != live[0].ID {
		t.Errorf("link = %+v; want %s", l, live[0].ID)
	}
}
