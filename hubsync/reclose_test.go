package hubsync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/store/storetest"
)

// A conversation closed again while its attempt runs: the attempt's outcome is for the old close, so the queue
// refuses it and the record is queued again for the new close, keeping the note written; the next attempt
// updates that note in place.
func TestClosedAgainWhileItsSyncRuns(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "again@example.com"}, time.Time{})
		conv := e.closed(e.customer("again@example.com", "", "", ""), "first question")
		reclosed := false
		e.worker.cfg.Render = func(tr *Transcript, limit int) ([]string, error) {
			if !reclosed {
				reclosed = true
				if _, err := e.db.ReopenConversation(e.agent, conv.ID); err != nil {
					return nil, err
				}
				if _, err := e.db.SendMessage(e.agent, conv.ID, "an answer after the first close"); err != nil {
					return nil, err
				}
				if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
					return nil, err
				}
			}
			return RenderNotes(tr, limit)
		}
		if _, err := e.worker.RunOnce(context.Background(), "w"); err != nil {
			t.Fatal(err)
		}
		s := e.mustStatus(conv.ID, convrs.SyncQueued)
		if s.CloseNumber != 2 || len(s.NoteIDs) != 1 || s.Attempts != 0 || s.Reason != "" {
			t.Fatalf("after the attempt for close 1: %+v; want QUEUED for close 2 with its note kept, no attempt counted", s)
		}
		e.drain()
		s = e.mustStatus(conv.ID, convrs.SyncSynced)
		notes := e.notesOf(contact)
		if len(notes) != 1 || notes[0].ID != s.NoteIDs[0] || !strings.Contains(notes[0].Body, "an answer after the first close") {
			t.Fatalf("notes %+v, record %v: want the one note, updated with the answer", notes, s.NoteIDs)
		}
	})
}

// The queue writes an outcome only for the close it names, and only under the claim's lease.
func TestFinishWritesOnlyForItsCloseAndLease(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		conv := e.closed(e.customer("told@example.com", "", "", ""))
		claims, err := e.db.ClaimHubspotSyncs(context.Background(), "w", time.Minute, 10)
		if err != nil || len(claims) != 1 {
			t.Fatalf("claim = %v, %v", claims, err)
		}
		c := claims[0]
		if _, err := e.db.ReopenConversation(e.agent, conv.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
			t.Fatal(err)
		}
		failed := convrs.HubspotSyncOutcome{Status: convrs.SyncFailed, ReasonCode: convrs.SyncReasonRejected, Reason: "refused", Attempts: 1, ForClose: 1}
		if _, err := e.db.FinishHubspotSync(context.Background(), c, failed); !errors.Is(err, convrs.ErrHubspotSyncReclosed) {
			t.Fatalf("outcome for close 1 of a record at close 2: %v, want ErrHubspotSyncReclosed", err)
		}
		other := *c
		other.Lease = "another worker"
		queued := convrs.HubspotSyncOutcome{Status: convrs.SyncQueued, RunAt: e.clock.Now()}
		if _, err := e.db.FinishHubspotSync(context.Background(), &other, queued); !errors.Is(err, convrs.ErrHubspotSyncLeaseLost) {
			t.Fatalf("outcome under another lease: %v, want ErrHubspotSyncLeaseLost", err)
		}
		s, err := e.db.FinishHubspotSync(context.Background(), c, queued)
		if err != nil || s.Status != convrs.SyncQueued || s.CloseNumber != 2 || s.Attempts != 0 || len(s.AttemptErrors) != 0 {
			t.Fatalf("requeued = %+v, %v", s, err)
		}
	})
}

// A batch's outcomes are written together, each checked as one alone is: a record closed again and a record
// under another lease are left as they are, with their reasons, and the rest are written, their failed
// attempt kept in the history.
func TestFinishManyChecksEachClaim(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		var convs []string
		for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			convs = append(convs, e.closed(e.customer(email, "", "", "")).ID)
		}
		claims, err := e.db.ClaimHubspotSyncs(context.Background(), "w", time.Minute, 10)
		if err != nil || len(claims) != 3 {
			t.Fatalf("claim = %v, %v", claims, err)
		}
		byConv := map[string]*convrs.HubspotSyncClaim{}
		for _, c := range claims {
			byConv[c.Sync.ConversationID] = c
		}
		reclosed, lost, written := byConv[convs[0]], *byConv[convs[1]], byConv[convs[2]]
		if _, err := e.db.ReopenConversation(e.agent, convs[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.CloseConversation(e.agent, convs[0]); err != nil {
			t.Fatal(err)
		}
		lost.Lease = "another worker"
		waiting := convrs.HubspotSyncOutcome{Status: convrs.SyncWaiting, ReasonCode: convrs.SyncReasonUnavailable, Reason: "HubSpot is down.",
			RunAt: e.clock.Now().Add(time.Minute), Attempts: 1, ForClose: 1,
			AttemptError: &convrs.HubspotSyncAttemptError{Attempt: 1, At: e.clock.Now(), ReasonCode: convrs.SyncReasonUnavailable, Reason: "HubSpot is down."}}
		recs, errs, err := e.db.FinishHubspotSyncs(context.Background(), []*convrs.HubspotSyncClaim{reclosed, &lost, written},
			[]convrs.HubspotSyncOutcome{waiting, waiting, waiting})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(errs[0], convrs.ErrHubspotSyncReclosed) || recs[0] != nil {
			t.Errorf("record closed again: %v, %v; want ErrHubspotSyncReclosed and nothing written", recs[0], errs[0])
		}
		if !errors.Is(errs[1], convrs.ErrHubspotSyncLeaseLost) || recs[1] != nil {
			t.Errorf("record under another lease: %v, %v; want ErrHubspotSyncLeaseLost and nothing written", recs[1], errs[1])
		}
		if errs[2] != nil || recs[2] == nil || recs[2].Status != convrs.SyncWaiting || len(recs[2].AttemptErrors) != 1 {
			t.Fatalf("record written: %+v, %v; want WAITING with its failed attempt kept", recs[2], errs[2])
		}
		for _, c := range convs[:2] {
			if s := e.mustStatus(c, convrs.SyncRunning); s.Reason != "" {
				t.Errorf("record %s: %+v; want it untouched, still RUNNING", c, s)
			}
		}
		if s := e.mustStatus(convs[2], convrs.SyncWaiting); len(s.AttemptErrors) != 1 || s.AttemptErrors[0].Reason != "HubSpot is down." {
			t.Errorf("record stored: %+v; want WAITING with the attempt's error", s)
		}
	})
}
