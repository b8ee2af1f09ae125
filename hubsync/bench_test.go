package hubsync

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// BenchmarkBacklog drains 1,000 queued syncs (HubSpot was down for an hour: returning customers, each linked to
// a contact; or a backfill: customers with an email not linked yet) against the simulator with HubSpot's limits on (110 requests per 10 s, 5 searches per second), and
// reports HubSpot calls per transcript, 429s received, duplicate notes, and the drain time next to its lower
// bound: the calls needed at the batch size of 100 divided by the rate limit.
func BenchmarkBacklog(b *testing.B) {
	b.Run("linked", func(b *testing.B) { benchmarkBacklog(b, true) })
	b.Run("unlinked-by-email", func(b *testing.B) { benchmarkBacklog(b, false) })
}

func benchmarkBacklog(b *testing.B, linked bool) {
	const syncs = 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, "sqlite", envOpts{sim: hubspotsim.Options{BurstLimit: hubspot.DefaultBurstLimit, SearchPerSecond: hubspot.DefaultSearchLimit}})
		var convs []string
		for k := 0; k < syncs; k++ {
			email := fmt.Sprintf("backlog%04d@example.com", k)
			id := e.sim.SeedContact(portal, map[string]string{"email": email, "firstname": "Cust", "lastname": fmt.Sprint(k)}, time.Time{})
			cust := e.customer(email, "", "Cust", fmt.Sprint(k))
			if !linked {
				_ = id
			} else if err := e.db.LinkHubspotContact(e.admin, cust.ID, portal, id, convrs.HubspotLinkSource{}); err != nil {
				b.Fatal(err)
			}
			convs = append(convs, e.closed(cust, "Where is my parcel?", "It left the depot this morning.").ID)
		}
		before := len(e.sim.Requests())
		e.worker.cfg.Concurrency = 2
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		start := time.Now()
		b.StartTimer()
		go func() { defer wg.Done(); e.worker.Run(ctx) }()
		deadline := time.Now().Add(10 * time.Minute)
		for {
			sum, err := e.svc.Summary(e.admin)
			if err != nil {
				b.Fatal(err)
			}
			if sum.Synced+sum.Failed+sum.Skipped+sum.Cancelled == syncs {
				if sum.Synced != syncs {
					b.Fatalf("drained with %+v", sum)
				}
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("not drained after 10 minutes: %+v", sum)
			}
			time.Sleep(10 * time.Millisecond) // polling with a deadline
		}
		drain := time.Since(start)
		b.StopTimer()
		cancel()
		wg.Wait()

		reqs := e.sim.Requests()[before:]
		calls, searches, limited := 0, 0, 0
		for _, r := range reqs {
			if !strings.HasPrefix(r.Path, "/crm/") {
				continue
			}
			calls++
			if strings.HasSuffix(r.Path, "/search") {
				searches++
			}
			if r.Status == 429 {
				limited++
			}
		}
		dups := 0
		for _, c := range e.sim.Contacts(portal) {
			if n := len(e.notesOf(c.ID)); n > 1 {
				dups += n - 1
			}
		}
		// Calls needed: a batch read and a batch create per 100 syncs, and one owner lookup.
		needed := 2*int(math.Ceil(syncs/100.0)) + 1
		bound := time.Duration(float64(needed) / (float64(hubspot.DefaultBurstLimit) / hubspot.DefaultBurstWindow.Seconds()) * float64(time.Second))
		b.ReportMetric(float64(calls)/syncs, "calls/transcript")
		b.ReportMetric(float64(searches), "searches")
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(float64(dups), "duplicates")
		b.ReportMetric(drain.Seconds(), "drain-s")
		b.ReportMetric(bound.Seconds(), "lower-bound-s")
		b.Logf("%d syncs: %d HubSpot calls (%d searches, %d answered 429), %d duplicate notes; drained in %v, lower bound %v (%d calls ÷ %d per %v)",
			syncs, calls, searches, limited, dups, drain.Round(time.Millisecond), bound.Round(time.Millisecond), needed,
			hubspot.DefaultBurstLimit, hubspot.DefaultBurstWindow)
		_ = convrs.SyncSynced
	}
}
