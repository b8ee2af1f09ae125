package hubsync

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// slowIndex is longer than every wait in the product: HubSpot's search never sees a note during the test.
const slowIndex = 24 * time.Hour

// drainUntilSettled runs the worker, moving the clock past every backoff, until no record is QUEUED, WAITING
// or RUNNING (at most rounds times).
func (e *env) drainUntilSettled(rounds int, convIDs ...string) {
	e.t.Helper()
	for range rounds {
		e.drain()
		open := false
		for _, id := range convIDs {
			switch e.sync(id).Status {
			case convrs.SyncQueued, convrs.SyncWaiting, convrs.SyncRunning:
				open = true
			}
		}
		if !open {
			return
		}
		e.clock.Advance(5 * time.Minute)
	}
	e.t.Fatalf("syncs still open after %d rounds", rounds)
}

// After HubSpot wrote the notes and the answer was lost (a 502 or a reset), the next attempt finds them by
// reading the contact's note associations and the notes, while search is far behind: one note per conversation.
func TestLostNoteAnswersWithSlowIndexWriteOnce(t *testing.T) {
	for _, as := range []hubspotsim.LostAnswer{hubspotsim.LostAs502, hubspotsim.LostAsReset} {
		t.Run(string(as), func(t *testing.T) {
			storetest.EachEngine(t, func(t *testing.T, engine string) {
				e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: slowIndex}})
				var contacts, convs []string
				for i := range 3 {
					email := fmt.Sprintf("lost%d@example.com", i)
					contacts = append(contacts, e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{}))
					convs = append(convs, e.closed(e.customer(email, "", "", "")).ID)
				}
				// Every later reader of a contact's notes is on the contact itself; the first write is the notes'.
				e.sim.LoseNext(1, as)
				e.drain()
				for i, id := range convs {
					if s := e.sync(id); s.Status != convrs.SyncWaiting {
						t.Fatalf("after the lost answer sync %d is %s (%s)", i, s.Status, s.Reason)
					}
					if n := len(e.notesOf(contacts[i])); n != 1 {
						t.Fatalf("HubSpot holds %d notes of conversation %d after the lost answer, want 1", n, i)
					}
				}
				e.drainUntilSettled(10, convs...)
				for i, id := range convs {
					e.wantOneNoteRecorded(t, fmt.Sprintf("conversation %d", i), contacts[i], e.mustStatus(id, convrs.SyncSynced))
				}
				if n := e.requests("/notes/search"); n != 0 {
					t.Errorf("%d note searches: the recovery must not depend on search", n)
				}
			})
		})
	}
}

// Answers lost at random (contact and note creates alike) with search never catching up: every conversation
// of customers with an email ends with one note on one contact.
func TestRandomLostAnswersWithSlowIndexWriteOnce(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: slowIndex}})
		var convs []string
		for i := range 12 {
			email := fmt.Sprintf("rand%d@example.com", i)
			if i%2 == 0 {
				e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{})
			}
			cust := e.customer(email, "", "Rand", fmt.Sprint(i))
			convs = append(convs, e.closed(cust).ID)
			if i%3 == 0 {
				convs = append(convs, e.closed(cust).ID) // a second conversation of the same customer
			}
		}
		e.sim.SetLoseRate(40, hubspotsim.LostAs502)
		e.worker.cfg.MaxAttempts = 100
		e.drainUntilSettled(60, convs...)
		e.sim.SetLoseRate(0, hubspotsim.LostAs502)
		perContact := map[string]int{}
		for _, id := range convs {
			s := e.mustStatus(id, convrs.SyncSynced)
			if got := e.notesWith(s.ContactID, marker(s.ID, 1, 1)); got != 1 {
				t.Errorf("conversation %s: %d notes with its marker, want 1", id, got)
			}
			perContact[s.ContactID]++
		}
		if n := len(e.sim.Contacts(portal)); n != 12 {
			t.Errorf("portal has %d contacts, want 12", n)
		}
		for c, n := range perContact {
			if got := len(e.notesOf(c)); got != n {
				t.Errorf("contact %s: %d notes, want %d", c, got, n)
			}
		}
	})
}

// crashPair is two gateway processes on one database and HubSpot. The first dies the moment HubSpot has stored
// its first batch of notes: HubSpot answers, but the process's database is gone (closed), so it records nothing
// and its lease stays, as after a SIGKILL between HubSpot's write and the record.
func crashPair(t *testing.T, engine string, o envOpts) (doomed, rescuer *env) {
	t.Helper()
	var killed atomic.Bool
	o.front = func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/notes/batch/create") || !killed.CompareAndSwap(false, true) {
				sim.ServeHTTP(w, r)
				return
			}
			sim.ServeHTTP(w, r)
			doomed.db.Close()
		})
	}
	doomed = newEnv(t, engine, o)
	db2, err := store.Open(context.Background(), doomed.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	rescuer = newEnv(t, engine, envOpts{db: db2, simSrv: doomed.sim, box: doomed.box, ps: doomed.ps, cache: doomed.cache, clock: doomed.clock})
	return doomed, rescuer
}

// A process killed between HubSpot's write and the record: the rescuer finds the note by reading, though
// search would not see it for a day.
func TestCrashBetweenWriteAndRecordWithSlowIndex(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e, e2 := crashPair(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: slowIndex}})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "crash@example.com"}, time.Time{})
		conv := e.closed(e.customer("crash@example.com", "", "", ""))
		if n, _ := e.worker.RunOnce(context.Background(), "doomed"); n != 1 {
			t.Fatalf("RunOnce claimed %d", n)
		}
		e2.mustStatus(conv.ID, convrs.SyncRunning)
		e.clock.Advance(e2.worker.cfg.LeaseFor + time.Second)
		e2.drain()
		e.wantOneNoteRecorded(t, "after the rescue", contact, e2.mustStatus(conv.ID, convrs.SyncSynced))
	})
}

// A killed process's claimed batch resumes in another process within about 30 s of the kill, not minutes.
func TestKilledProcessBatchResumesWithin30Seconds(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e, e2 := crashPair(t, engine, envOpts{})
		e.sim.SeedContact(portal, map[string]string{"email": "kill@example.com"}, time.Time{})
		conv := e.closed(e.customer("kill@example.com", "", "", ""))
		if n, _ := e.worker.RunOnce(context.Background(), "doomed"); n != 1 {
			t.Fatalf("RunOnce claimed %d", n)
		}
		e2.drain()
		e2.mustStatus(conv.ID, convrs.SyncRunning) // the lease still holds
		e.clock.Advance(30 * time.Second)
		e2.drain()
		e2.mustStatus(conv.ID, convrs.SyncSynced)
	})
}
