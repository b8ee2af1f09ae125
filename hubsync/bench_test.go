package hubsync

import (
	"context"
	"encoding/json"
	"flag"
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

// backlogSize is BenchmarkBacklog's number of queued syncs: go test -bench Backlog ./hubsync/ -backlog 10000.
var backlogSize = flag.Int("backlog", 1000, "BenchmarkBacklog: how many queued syncs to drain")

// BenchmarkBacklog drains -backlog (1,000) queued syncs (HubSpot was down for an hour: returning customers, each linked to
// a contact; or a backfill: customers with an email not linked yet) against the simulator with HubSpot's limits on (110 requests per 10 s, 5 searches per second), and
// reports HubSpot calls per transcript, 429s received, duplicate notes, and the drain time next to its lower
// bound: the calls needed at the batch size of 100 divided by the rate limit.
func BenchmarkBacklog(b *testing.B) {
	b.Run("linked", func(b *testing.B) { benchmarkBacklog(b, true) })
	b.Run("unlinked-by-email", func(b *testing.B) { benchmarkBacklog(b, false) })
}

func benchmarkBacklog(b *testing.B, linked bool) {
	syncs := *backlogSize
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, "sqlite", envOpts{realWaits: true, sim: hubspotsim.Options{BurstLimit: hubspot.DefaultBurstLimit, SearchPerSecond: hubspot.DefaultSearchLimit}})
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
		// The drain is watched through the records' announcements, decoded as they come: the summary (a count
		// over every record) is read once a second and at the end, not every few milliseconds beside the worker.
		finished := make(chan struct{})
		watch, err := e.ps.Subscribe(b.Context(), convrs.TopicHubspotSyncs(convrs.PrincipalFromContext(e.admin).WorkspaceID))
		if err != nil {
			b.Fatal(err)
		}
		go func() {
			final := make(map[string]bool, syncs)
			for payload := range watch {
				var rec convrs.HubspotSync
				if json.Unmarshal(payload, &rec) != nil {
					continue
				}
				switch rec.Status {
				case convrs.SyncSynced, convrs.SyncFailed, convrs.SyncSkipped, convrs.SyncCancelled:
					final[rec.ConversationID] = true
				default:
					delete(final, rec.ConversationID)
				}
				if len(final) == syncs {
					close(finished)
					return
				}
			}
		}()
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
			select {
			case <-finished:
			case <-time.After(time.Second): // the watch may have been ended for falling behind
			}
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
		needed := 2*int(math.Ceil(float64(syncs)/100.0)) + 1
		// HubSpot's own limit (our pace keeps hubspot.RollingWindowMargin below it, which the bound does not grant).
		bound := time.Duration(float64(needed) / (float64(hubspot.DefaultBurstLimit) / hubspot.DefaultBurstWindow.Seconds()) * float64(time.Second))
		// HubSpot's window admits a burst of its whole limit at once, so the drain can beat the sustained-rate
		// bound: the k-th call cannot be made before window ⌊k / limit⌋ opens, which puts the last one no earlier
		// than floor.
		floor := time.Duration((needed-1)/hubspot.DefaultBurstLimit) * hubspot.DefaultBurstWindow
		b.ReportMetric(floor.Seconds(), "burst-floor-s")
		b.ReportMetric(float64(calls)/float64(syncs), "calls/transcript")
		b.ReportMetric(float64(searches), "searches")
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(float64(dups), "duplicates")
		b.ReportMetric(drain.Seconds(), "drain-s")
		b.ReportMetric(bound.Seconds(), "lower-bound-s")
		b.ReportMetric(drain.Seconds()/bound.Seconds(), "x-bound")
		b.Logf("%d syncs: %d HubSpot calls (%d searches, %d answered 429), %d duplicate notes; drained in %v, lower bound %v (%d calls ÷ %d per %v), burst floor %v",
			syncs, calls, searches, limited, dups, drain.Round(time.Millisecond), bound.Round(time.Millisecond), needed,
			hubspot.DefaultBurstLimit, hubspot.DefaultBurstWindow, floor)
		_ = convrs.SyncSynced
	}
}
