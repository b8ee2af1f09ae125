package hubsync

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

// isContactCreate reports whether r creates one contact (POST /crm/objects/{version}/contacts).
func isContactCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && regexp.MustCompile(`^/crm/objects/[^/]+/contacts$`).MatchString(r.URL.Path)
}

// A portal whose validation rules refuse the new contact (from 2026-09 HubSpot enforces them on every CRM write):
// the sync fails for good, in HubSpot's words naming the property, and is not retried.
func TestPortalValidationRuleFailsTheSync(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		var creates atomic.Int32
		e := newEnv(t, engine, envOpts{front: func(sim http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isContactCreate(r) {
					creates.Add(1)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					w.Write([]byte(`{"status":"error","message":"Property values were not valid","correlationId":"c-1","category":"VALIDATION_ERROR",
						"errors":[{"message":"A value is required by this portal's validation rules","code":"REQUIRED","context":{"propertyName":["jobtitle"]}}]}`))
					return
				}
				sim.ServeHTTP(w, r)
			})
		}})
		conv := e.closed(e.customer("new@example.com", "", "Nia", "New"))
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncFailed)
		// The reason says what happened and what to do; HubSpot's words naming the property are the admin's detail.
		if s.ReasonCode != convrs.SyncReasonRejected || !strings.Contains(s.Reason, "refused the data") || !strings.Contains(s.Detail, "(create contact)") ||
			!strings.Contains(s.Detail, "jobtitle") || !strings.Contains(s.Detail, "A value is required by this portal's validation rules") {
			t.Errorf("failed = %s %q (detail %q), want REJECTED in words, the detail naming jobtitle in HubSpot's words", s.ReasonCode, s.Reason, s.Detail)
		}
		e.clock.Advance(time.Hour)
		e.drain()
		e.mustStatus(conv.ID, convrs.SyncFailed)
		if n := creates.Load(); n != 1 {
			t.Errorf("%d contact creates, want 1 (a refusal is not retried)", n)
		}
	})
}

// 477 MIGRATION_IN_PROGRESS: the sync waits until HubSpot's Retry-After, says why in words, and then syncs.
func TestMigrationInProgressWaits(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		var migrating atomic.Bool
		migrating.Store(true)
		e := newEnv(t, engine, envOpts{front: func(sim http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if migrating.Load() && strings.HasPrefix(r.URL.Path, "/crm/") {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("Retry-After", "7200")
					w.WriteHeader(477)
					w.Write([]byte(`{"status":"error","message":"This portal is being migrated to another data center.","category":"MIGRATION_IN_PROGRESS"}`))
					return
				}
				sim.ServeHTTP(w, r)
			})
		}})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "mo@example.com"}, time.Time{})
		conv := e.closed(e.customer("mo@example.com", "", "Mo", ""))
		start := e.clock.Now()
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncWaiting)
		if s.ReasonCode != convrs.SyncReasonUnavailable || !strings.Contains(s.Reason, "moving this HubSpot account to another data centre") {
			t.Errorf("waiting = %s %q", s.ReasonCode, s.Reason)
		}
		if s.NextAttemptAt == nil || s.NextAttemptAt.Before(start.Add(2*time.Hour)) || s.NextAttemptAt.After(e.clock.Now().Add(2*time.Hour+time.Second)) {
			t.Errorf("next attempt at %v, want two hours after %v (Retry-After)", s.NextAttemptAt, start)
		}
		// When it retries is nextAttemptAt, which the card and the agent's view show in the workspace's clock.
		// Nothing is due before then.
		e.clock.Advance(time.Hour)
		e.drain()
		e.mustStatus(conv.ID, convrs.SyncWaiting)

		migrating.Store(false)
		e.clock.Advance(time.Hour + time.Minute)
		e.drain()
		if s := e.mustStatus(conv.ID, convrs.SyncSynced); s.ContactID != contact {
			t.Errorf("synced to %s, want %s", s.ContactID, contact)
		}
	})
}

var markerRe = regexp.MustCompile(`convrs[a-z0-9]+c[0-9]+p[0-9]+`)

// rewriteBatchCreate forwards note batch creates to the simulator and passes its answer through edit.
func rewriteBatchCreate(edit func(result map[string]any)) func(http.Handler) http.Handler {
	return func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/notes/batch/create") {
				sim.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, r)
			var out map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				panic(err)
			}
			for _, res := range out["results"].([]any) {
				edit(res.(map[string]any))
			}
			var b bytes.Buffer
			json.NewEncoder(&b).Encode(out)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			w.Write(b.Bytes())
		})
	}
}

// Batch-create answers are paired with their inputs by objectWriteTraceId when HubSpot returns it, else by the
// marker token in the returned body, however HubSpot normalised the HTML around it.
func TestBatchCreateAnswersArePairedWithoutComparingBodies(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(result map[string]any)
	}{
		{"trace IDs returned, body rewritten", func(res map[string]any) {
			props := res["properties"].(map[string]any)
			res["objectWriteTraceId"] = markerRe.FindString(props["hs_note_body"].(string))
			props["hs_note_body"] = "<div>normalised</div>"
		}},
		{"no trace IDs, HTML normalised around the marker", func(res map[string]any) {
			delete(res, "objectWriteTraceId")
			props := res["properties"].(map[string]any)
			body := strings.ReplaceAll(props["hs_note_body"].(string), " </p>", "</p>")
			props["hs_note_body"] = strings.ReplaceAll(strings.ReplaceAll(body, "<br>", "<br/>"), `style="color:#7c98b6"`, `style="color: #7c98b6;"`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachEngine(t, func(t *testing.T, engine string) {
				e := newEnv(t, engine, envOpts{front: rewriteBatchCreate(tc.edit)})
				a := e.sim.SeedContact(portal, map[string]string{"email": "a@example.com"}, time.Time{})
				b := e.sim.SeedContact(portal, map[string]string{"email": "b@example.com"}, time.Time{})
				convA := e.closed(e.customer("a@example.com", "", "", ""))
				convB := e.closed(e.customer("b@example.com", "", "", ""))
				before := e.requests("/notes/batch/create")
				e.drain()
				if n := e.requests("/notes/batch/create") - before; n != 1 {
					t.Errorf("%d batch creates, want both notes in one", n)
				}
				for _, c := range []struct{ conv, contact string }{{convA.ID, a}, {convB.ID, b}} {
					s := e.mustStatus(c.conv, convrs.SyncSynced)
					notes := e.notesOf(c.contact)
					if len(notes) != 1 || len(s.NoteIDs) != 1 || s.NoteIDs[0] != notes[0].ID {
						t.Errorf("sync of %s recorded notes %v; the contact has %d note(s) %v", c.conv, s.NoteIDs, len(notes), notes)
					}
				}
			})
		})
	}
}

// The batch read by email misses a contact that holds the customer's email as an additional email; the
// matcher's search finds it before anything is created.
func TestAdditionalEmailFoundBeforeCreating(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "li@example.com", "hs_additional_emails": "li.old@example.com"}, time.Time{})
		conv := e.closed(e.customer("Li.Old@example.com", "", "Li", ""))
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncSynced)
		if s.ContactID != contact || s.MatchedBy != convrs.MatchEmail {
			t.Errorf("synced to %s by %s, want %s by EMAIL", s.ContactID, s.MatchedBy, contact)
		}
		if n := len(e.sim.Contacts(portal)); n != 1 {
			t.Errorf("%d contacts in the portal, want 1 (no duplicate)", n)
		}
	})
}

// HUBSPOT_API_VERSION=2026-09: the whole sync (match, owner, notes) runs on that version's paths.
func TestSyncOnAPIVersion202609(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{apiVersion: "2026-09"})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "sep@example.com"}, time.Time{})
		conv := e.closed(e.customer("sep@example.com", "", "", ""))
		before := len(e.sim.Requests())
		e.drain()
		if s := e.mustStatus(conv.ID, convrs.SyncSynced); s.ContactID != contact || len(e.notesOf(contact)) != 1 {
			t.Fatalf("synced %+v; the contact has %d notes", s, len(e.notesOf(contact)))
		}
		crm := 0
		for _, r := range e.sim.Requests()[before:] {
			if strings.HasPrefix(r.Path, "/crm/") {
				crm++
				if !strings.Contains(r.Path, "/2026-09") {
					t.Errorf("%s %s is not on 2026-09", r.Method, r.Path)
				}
			}
		}
		if crm == 0 {
			t.Error("no CRM request seen")
		}
	})
}
