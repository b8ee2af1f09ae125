package hubsync

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/store/storetest"
)

var singleCreate = regexp.MustCompile(`^/crm/objects/[^/]+/(contacts|notes)$`)

// loseFirst stands between the gateway and HubSpot and loses the answer of the first single create of
// objectType ("contacts" or "notes") after HubSpot stored it, as a 502.
func loseFirst(objectType string) (func(http.Handler) http.Handler, *atomic.Int32) {
	var lost atomic.Int32
	return func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := singleCreate.FindStringSubmatch(r.URL.Path)
			if r.Method != http.MethodPost || m == nil || m[1] != objectType || !lost.CompareAndSwap(0, 1) {
				sim.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, r)
			if rec.Code/100 != 2 {
				lost.Store(0)
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"status":"error","message":"upstream answer lost","category":"BAD_GATEWAY"}`))
		})
	}, &lost
}

// A phone-only customer's contact create whose answer is lost, with search a day behind: the next attempt
// finds the contact through its first note's associations, and creates no second one.
func TestPhoneOnlyContactCreateLostAnswerMakesOneContact(t *testing.T) {
	for _, lose := range []string{"contacts", "notes"} {
		t.Run("lost "+lose, func(t *testing.T) {
			storetest.EachEngine(t, func(t *testing.T, engine string) {
				front, lost := loseFirst(lose)
				e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: slowIndex}, front: front})
				cust := e.customer("", "+442079460444", "Pia", "Phone")
				first := e.closed(cust)
				e.drain()
				if lost.Load() != 1 {
					t.Fatal("no answer was lost")
				}
				e.mustStatus(first.ID, convrs.SyncWaiting)
				second := e.closed(cust) // a second conversation of the customer, before the first is synced
				e.drainUntilSettled(10, first.ID, second.ID)
				s1, s2 := e.mustStatus(first.ID, convrs.SyncSynced), e.mustStatus(second.ID, convrs.SyncSynced)
				if n := len(e.sim.Contacts(portal)); n != 1 {
					t.Fatalf("portal has %d contacts, want 1", n)
				}
				if s1.ContactID != s2.ContactID {
					t.Errorf("two contacts: %s and %s", s1.ContactID, s2.ContactID)
				}
				for _, s := range []*convrs.HubspotSync{s1, s2} {
					if got := e.notesWith(s.ContactID, marker(s.ID, 1, 1)); got != 1 || len(s.NoteIDs) != 1 {
						t.Errorf("sync %s: %d notes with its marker on the contact, record %v: want 1", s.ID, got, s.NoteIDs)
					}
				}
				if n := len(e.notesOf(s1.ContactID)); n != 2 {
					t.Errorf("contact has %d notes, want 2", n)
				}
			})
		})
	}
}

// Answers lost at random for customers without an email (phone only, name only), search never catching up:
// one contact per customer, one note per conversation.
func TestRandomLostAnswersCustomersWithoutEmail(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: slowIndex}})
		var convs []string
		for i := range 8 {
			var cust *convrs.Customer
			if i%2 == 0 {
				cust = e.customer("", fmt.Sprintf("+4420794605%02d", i), "Phone", fmt.Sprint(i))
			} else {
				cust = e.customer("", "", "Name", fmt.Sprintf("Only%d", i))
			}
			convs = append(convs, e.closed(cust).ID, e.closed(cust).ID)
		}
		e.sim.SetLoseRate(40, hubspotsim.LostAs502)
		e.worker.cfg.MaxAttempts = 100
		e.drainUntilSettled(80, convs...)
		e.sim.SetLoseRate(0, hubspotsim.LostAs502)
		if n := len(e.sim.Contacts(portal)); n != 8 {
			t.Errorf("portal has %d contacts, want 8", n)
		}
		perContact := map[string]int{}
		for _, id := range convs {
			s := e.mustStatus(id, convrs.SyncSynced)
			if got := e.notesWith(s.ContactID, marker(s.ID, 1, 1)); got != 1 {
				t.Errorf("conversation %s: %d notes with its marker, want 1", id, got)
			}
			perContact[s.ContactID]++
		}
		for c, n := range perContact {
			if got := len(e.notesOf(c)); got != n {
				t.Errorf("contact %s: %d notes, want %d", c, got, n)
			}
		}
	})
}
