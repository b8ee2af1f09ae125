package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/convrs/gateway/internal/drive"
)

// spec is one run: how many conversations, what breaks while they close (chaos, stopped when the closes are
// done and it has done its minimum), and what happens once the queue has drained (after).
type spec struct {
	name, what string
	n          func() int
	span       time.Duration // the closes take at least this long, so that the chaos happens while they run
	chaos      func(ctx context.Context, e *env, r *result, closing <-chan struct{})
	after      func(ctx context.Context, e *env, r *result) error
}

func specs() map[string]spec {
	return map[string]spec{
		"crash": {name: "crash", n: func() int { return *crashN },
			what: fmt.Sprintf("one of two gateways SIGKILLed at random ≥ %d times", *kills),
			chaos: func(ctx context.Context, e *env, r *result, closing <-chan struct{}) {
				e.killer(ctx, r, *kills, closing)
			}},
		"slow-index": {name: "slow index, lost answers", n: func() int { return *slowN },
			what: fmt.Sprintf("search index 1 h behind, writes answered 1 s after they are stored, 10 %% of write answers lost (502s and resets), ≥ %d SIGKILLs", *kills/2),
			chaos: func(ctx context.Context, e *env, r *result, closing <-chan struct{}) {
				must(e.sim.faults(map[string]any{"indexDelayMs": time.Hour.Milliseconds(), "latencyAfterWriteMs": 1000, "loseRatePercent": 10, "loseAs": "502"}))
				go func() {
					for as := "reset"; ; as = map[string]string{"502": "reset", "reset": "502"}[as] {
						select {
						case <-closing:
							return
						case <-time.After(20 * time.Second):
							must(e.sim.faults(map[string]any{"loseRatePercent": 10, "loseAs": as}))
						}
					}
				}()
				e.killer(ctx, r, *kills/2, closing)
			}},
		"outages": {name: "Redis and PostgreSQL outages", n: func() int { return *outageN }, span: 70 * time.Second,
			what: "Redis stopped for 30 s, then PostgreSQL restarted, during the closes",
			chaos: func(ctx context.Context, e *env, r *result, closing <-chan struct{}) {
				sleep(ctx, 10*time.Second)
				log.Printf("soak: stopping Redis for 30 s")
				e.redis.stop()
				sleep(ctx, 30*time.Second)
				must(e.redis.start())
				log.Printf("soak: Redis back; restarting PostgreSQL in 10 s")
				sleep(ctx, 10*time.Second)
				t0 := time.Now()
				must(e.pg.ctl("restart"))
				log.Printf("soak: PostgreSQL restarted in %.1f s", time.Since(t0).Seconds())
				r.chaosDone = "Redis down 30 s, PostgreSQL restarted"
			}},
		"hubspot-faults": {name: "HubSpot faults, then revoked", n: func() int { return *faultN }, span: 45 * time.Second,
			what: "10 % 500s for 20 s, bursts of 20 429s every 8 s, 5-second access tokens; then the app's access revoked in HubSpot",
			chaos: func(ctx context.Context, e *env, r *result, closing <-chan struct{}) {
				must(e.sim.faults(map[string]any{"accessTokenTtlMs": 5000, "failureRatePercent": 10, "status": 500}))
				t0 := time.Now()
				for {
					select {
					case <-closing:
						must(e.sim.faults(map[string]any{"failureRatePercent": 0}))
						return
					case <-time.After(8 * time.Second):
					}
					if time.Since(t0) > 20*time.Second {
						must(e.sim.faults(map[string]any{"failureRatePercent": 0}))
					}
					must(e.sim.faults(map[string]any{"failNext": 20, "status": 429}))
				}
			},
			after: revokeAndTime},
	}
}

func must(err error) {
	if err != nil {
		log.Printf("soak: %v", err)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// killer SIGKILLs one of the gateways at random every 2 to 5 s (the other one up and ready), restarts it
// after up to 2 s, and goes on until the closes are done and it has killed at least min times.
func (e *env) killer(ctx context.Context, r *result, min int, closing <-chan struct{}) {
	done := false
	for ctx.Err() == nil && (!done || int(r.kills.Load()) < min) {
		select {
		case <-closing:
			done = true
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(2000+e.rng.IntN(3000)) * time.Millisecond):
		}
		i := e.rng.IntN(len(e.gws))
		other := e.gws[1-i]
		if err := waitHTTP(ctx, nil, other.url+"/readyz", 60*time.Second); err != nil {
			log.Printf("soak: %s not ready: %v", other.name, err)
			continue
		}
		g := e.gws[i]
		g.sigkill()
		n := r.kills.Add(1)
		sleep(ctx, time.Duration(e.rng.IntN(2000))*time.Millisecond)
		t0 := time.Now()
		if err := g.start(ctx); err != nil {
			log.Printf("soak: restarting %s: %v", g.name, err)
			continue
		}
		log.Printf("soak: kill %d: %s SIGKILLed and back in %.1f s", n, g.name, time.Since(t0).Seconds())
	}
}

// revokeAndTime revokes the app's access in HubSpot (every token of the portal stops working), closes a few
// more conversations so the gateways call HubSpot, and measures until the integration reads ERROR.
func revokeAndTime(ctx context.Context, e *env, r *result) error {
	must(e.sim.faults(map[string]any{"accessTokenTtlMs": (30 * time.Minute).Milliseconds()}))
	if err := e.sim.revoke(); err != nil {
		return err
	}
	t0 := time.Now()
	d := &driver{c: e.c, refused: &r.refused, pace: time.Tick(100 * time.Millisecond)}
	extra := plan(9, 3, e.rng)
	for _, c := range extra {
		c.kind, c.email, c.phone = kindEmail, fmt.Sprintf("after.revoke.%s@example.com", strings.ToLower(c.last)), ""
	}
	go d.drive(ctx, extra, 3)
	for time.Since(t0) < 2*time.Minute {
		var out struct {
			I struct{ State, ErrorReason string } `json:"hubspotIntegration"`
		}
		if err := e.c.gql(`{ hubspotIntegration { state errorReason } }`, nil, &out); err == nil && out.I.State == "ERROR" {
			r.toError = time.Since(t0).Seconds()
			log.Printf("soak: integration ERROR %.1f s after the revoke: %s", r.toError, out.I.ErrorReason)
			return nil
		}
		sleep(ctx, 200*time.Millisecond)
	}
	r.toError = -1
	return nil
}

// result is one run's row.
type result struct {
	name, what, hubspotCalls    string
	planned, customers          int
	kills                       atomic.Int32
	chaosDone                   string
	accepted, notClosed         int
	refused                     refusals
	notes                       tally
	failed, stuck, retried      int
	statusExamples              []string
	closing, draining, took     time.Duration
	toError                     float64 // seconds from the revoke to ERROR; 0: not measured, -1: not within 2 minutes
	revokeMeasured, drainFailed bool
}

func (e *env) run(ctx context.Context, num int, s spec) (*result, error) {
	t0 := time.Now()
	r := &result{name: s.name, what: s.what}
	if err := e.sim.calm(); err != nil {
		return nil, err
	}
	custs := plan(num, s.n(), e.rng)
	if err := seed(e.sim, custs); err != nil {
		return nil, err
	}
	for _, c := range custs {
		r.planned += c.convs
	}
	r.customers = len(custs)
	log.Printf("soak: run %d (%s): %d conversations of %d customers; %s", num, s.name, r.planned, r.customers, s.what)

	closing := make(chan struct{})
	var chaos sync.WaitGroup
	chaos.Add(1)
	go func() { defer chaos.Done(); s.chaos(ctx, e, r, closing) }()
	ticker := time.NewTicker(max(time.Duration(float64(time.Second) / *rate), s.span/time.Duration(r.planned)))
	d := &driver{c: e.c, refused: &r.refused, pace: ticker.C}
	d.drive(ctx, custs, *workers)
	ticker.Stop()
	r.closing = time.Since(t0)
	close(closing)
	log.Printf("soak: run %d: closes done in %.0f s; waiting for the chaos to end and the queue to drain", num, r.closing.Seconds())
	chaos.Wait()
	if err := e.sim.calm(); err != nil {
		return nil, err
	}
	var err error
	if r.draining, err = drain(ctx, e.c, *drainFor); err != nil {
		log.Printf("soak: run %d: %v", num, err)
		r.drainFailed = true
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	var closed []string
	for _, c := range custs {
		r.accepted += len(c.closedIDs)
		if c.unreachableReason != "" {
			r.notClosed += c.convs - len(c.closedIDs)
		}
		closed = append(closed, c.closedIDs...)
	}
	for id, st := range syncStates(ctx, e.c, closed) {
		if st.Attempts > 1 {
			r.retried++
		}
		switch st.Status {
		case "SYNCED":
			continue
		case "FAILED":
			r.failed++
		default:
			r.stuck++
		}
		if len(r.statusExamples) < 8 {
			r.statusExamples = append(r.statusExamples, fmt.Sprintf("%s %s %s: %s", id, st.Status, st.ReasonCode, st.Reason))
		}
	}
	h, err := readHubspot(e.sim)
	if err != nil {
		return nil, err
	}
	r.notes = h.check(custs)
	if s.after != nil {
		r.revokeMeasured = true
		if err := s.after(ctx, e, r); err != nil {
			return nil, err
		}
	}
	if r.hubspotCalls, err = e.sim.calls(t0); err != nil {
		return nil, err
	}
	r.took = time.Since(t0)
	for _, x := range append(r.statusExamples, r.notes.examples...) {
		log.Printf("soak: run %d: %s", num, x)
	}
	return r, nil
}

func (r *result) goalsMet() bool {
	n := r.notes
	return r.notClosed == 0 && n.lost == 0 && n.duplicateNotes == 0 && n.wrongContact == 0 && n.duplicateContacts == 0 &&
		r.failed == 0 && r.stuck == 0 && n.conversations == r.accepted && (!r.revokeMeasured || r.toError > 0)
}

func (r *result) row() string {
	toError := "–"
	if r.revokeMeasured {
		toError = fmt.Sprintf("**%.1f s**", r.toError)
		if r.toError < 0 {
			toError = "**not within 2 min**"
		}
	}
	kills := ""
	if k := r.kills.Load(); k > 0 {
		kills = fmt.Sprintf(", %d kills", k)
	}
	goal := "✅"
	if !r.goalsMet() {
		goal = "❌"
	}
	return fmt.Sprintf("| %s (%s%s; HubSpot: %s) | %d of %d (%d customers); %d calls refused or unanswered, retried | %d | **%d** | **%d** | %d | **%d** | **%d** / **%d** (%d synced after more than one attempt) | %.0f s + %.0f s | %s | %s |",
		r.name, r.what, kills, r.hubspotCalls, r.accepted, r.planned, r.customers, r.refused.total(""),
		r.notes.rightNotes, r.notes.lost, r.notes.duplicateNotes, r.notes.wrongContact, r.notes.duplicateContacts,
		r.failed, r.stuck, r.retried, r.closing.Seconds(), r.draining.Seconds(), toError, goal)
}

func render(results []*result, took time.Duration, seed uint64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Soak (make soak), %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Machine: %s. Took %v (seed %d). Notes and contacts are read from the simulator (HubSpot's side), "+
		"sync states through GraphQL as the admin reads them.\n\n", drive.Machine(), took.Round(time.Second), seed)
	b.WriteString("| Run | closes accepted | one note per part on the right contact | lost | duplicate notes | on a wrong contact | duplicate contacts | FAILED / stuck | closing + draining | revoke → ERROR | goal |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		b.WriteString(r.row() + "\n")
	}
	b.WriteString("\nRefused or unanswered calls, all retried until accepted (by reason):\n\n")
	for _, r := range results {
		fmt.Fprintf(&b, "- %s: %s\n", r.name, orNone(r.refused.String()))
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
