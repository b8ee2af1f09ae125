package hubsync

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/store/storetest"
)

func TestSyncWritesTheNote(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "alice@example.com", "firstname": "Alice", "lastname": "Johnson"}, time.Time{})
		cust := e.customer("Alice@Example.com", "", "Alice", "")
		conv := e.closed(cust, "Hi <script>alert(1)</script>\nsecond line", "Fixed & done.")
		if s := e.mustStatus(conv.ID, convrs.SyncQueued); s.CloseNumber != 1 || s.NextAttemptAt == nil {
			t.Errorf("queued record = %+v", s)
		}
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncSynced)
		if s.MatchedBy != convrs.MatchEmail || s.ContactID != contact || s.ContactName != "Alice Johnson" ||
			s.ContactURL != e.sim.URL()+"/contacts/61000001/record/0-1/"+contact || len(s.NoteIDs) != 1 {
			t.Fatalf("synced record = %+v", s)
		}
		notes := e.notesOf(contact)
		if len(notes) != 1 {
			t.Fatalf("contact has %d notes, want 1", len(notes))
		}
		n := notes[0]
		full, err := e.db.FindConversation(e.admin, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !n.Timestamp.Equal(full.ClosedAt.Truncate(time.Millisecond)) {
			t.Errorf("hs_timestamp = %v, want the close time %v", n.Timestamp, full.ClosedAt)
		}
		if diff := cmp.Diff([]string{contact}, n.ContactIDs); diff != "" {
			t.Errorf("associations (-want +got):\n%s", diff)
		}
		if n.OwnerID != "41000001" || n.ID != s.NoteIDs[0] {
			t.Errorf("owner %q id %q, want 41000001 and %q", n.OwnerID, n.ID, s.NoteIDs[0])
		}
		paris := full.ClosedAt.In(mustLoc(t, "Europe/Paris")).Format("15:04")
		for _, want := range []string{"Channel: Web chat", "Agent: Sam Agent", "Customer: Alice · alice@example.com",
			"Hi &lt;script&gt;alert(1)&lt;/script&gt;<br>second line", "Fixed &amp; done.", paris,
			`<a href="https://convrs.test/#/chat/` + conv.ID + `">`} {
			if !strings.Contains(n.Body, want) {
				t.Errorf("note body lacks %q:\n%s", want, n.Body)
			}
		}
		if strings.Contains(n.Body, "<script>") {
			t.Errorf("note body carries raw script:\n%s", n.Body)
		}
	})
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOutcomes(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		t.Run("anonymous visitor is skipped with nothing sent", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{})
			conv := e.closed(e.customer("", "", "", ""))
			before := len(e.sim.Requests())
			e.drain()
			s := e.mustStatus(conv.ID, convrs.SyncSkipped)
			if s.ReasonCode != convrs.SyncReasonAnonymous || !strings.Contains(s.Reason, "anonymous visitor") {
				t.Errorf("skip = %s %q", s.ReasonCode, s.Reason)
			}
			for _, r := range e.sim.Requests()[before:] {
				if strings.HasPrefix(r.Path, "/crm/") {
					t.Errorf("sent %s %s for an anonymous visitor", r.Method, r.Path)
				}
			}
		})
		t.Run("not enabled at close: no sync", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{noEnable: true})
			conv := e.closed(e.customer("bob@example.com", "", "", ""))
			e.drain()
			if _, err := e.svc.Sync(e.admin, conv.ID); convrs.ErrorCode(err) != convrs.ENOTFOUND {
				t.Errorf("Sync = %v, want ENOTFOUND", err)
			}
		})
		t.Run("created, then linked: the second conversation searches nothing", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{})
			cust := e.customer("new@example.com", "+442079460958", "Nina", "New")
			first := e.closed(cust)
			e.drain()
			s := e.mustStatus(first.ID, convrs.SyncSynced)
			if s.MatchedBy != convrs.MatchCreated {
				t.Errorf("first MatchedBy = %s, want CREATED", s.MatchedBy)
			}
			searches := e.requests("/search")
			second := e.closed(cust)
			e.drain()
			s2 := e.mustStatus(second.ID, convrs.SyncSynced)
			// The stored link keeps how it was made: still "created", not an anonymous CRM link.
			if s2.MatchedBy != convrs.MatchCreated || s2.ContactID != s.ContactID {
				t.Errorf("second = %s %s, want CREATED %s", s2.MatchedBy, s2.ContactID, s.ContactID)
			}
			if n := e.requests("/search") - searches; n != 0 {
				t.Errorf("second conversation made %d searches, want 0", n)
			}
			if len(e.notesOf(s.ContactID)) != 2 {
				t.Errorf("contact has %d notes, want 2", len(e.notesOf(s.ContactID)))
			}
		})
		t.Run("invalid stored phone is a warning", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{})
			// Stored before phone numbers were validated; today's Create New Chat would refuse it.
			cust := e.customer("", "", "Carla", "")
			e.storeLegacyPhone(cust.ID, "+447700900123")
			conv := e.closed(cust)
			e.drain()
			s := e.mustStatus(conv.ID, convrs.SyncSynced)
			if len(s.Warnings) == 0 || !strings.Contains(strings.Join(s.Warnings, " "), "not a valid") {
				t.Errorf("warnings = %q", s.Warnings)
			}
		})
	})
}

func TestSameNewCustomerClosingTwiceAtOnceMakesOneContact(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{sim: hubspotsim.Options{IndexDelay: time.Minute}})
		cust := e.customer("", "+442079460111", "Pat", "Twice")
		a, b := e.closed(cust), e.closed(cust)
		// Two processes, one record each, at the same moment.
		e2 := newEnv(t, engine, envOpts{db: e.db, simSrv: e.sim, box: e.box, ps: e.ps, cache: e.cache, clock: e.clock})
		e.worker.cfg.Batch, e2.worker.cfg.Batch = 1, 1
		var wg sync.WaitGroup
		for i, w := range []*Worker{e.worker, e2.worker} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.RunOnce(context.Background(), "w"+string(rune('a'+i))); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		e.drain()
		sa, sb := e.mustStatus(a.ID, convrs.SyncSynced), e.mustStatus(b.ID, convrs.SyncSynced)
		if sa.ContactID != sb.ContactID {
			t.Errorf("two contacts: %s and %s", sa.ContactID, sb.ContactID)
		}
		if n := len(e.sim.Contacts(portal)); n != 1 {
			t.Errorf("portal has %d contacts, want 1", n)
		}
	})
}

func TestCrashBetweenWriteAndRecordWritesNoDuplicate(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e, e2 := crashPair(t, engine, envOpts{})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "crash@example.com"}, time.Time{})
		conv := e.closed(e.customer("crash@example.com", "", "", ""))
		if n, _ := e.worker.RunOnce(context.Background(), "doomed"); n != 1 {
			t.Fatalf("RunOnce claimed %d", n)
		}
		if got := len(e.notesOf(contact)); got != 1 {
			t.Fatalf("HubSpot has %d notes after the create, want 1", got)
		}
		e2.mustStatus(conv.ID, convrs.SyncRunning)
		// Another process finds nothing due until the dead worker's lease lapses, then rescues the record.
		e2.drain()
		e2.mustStatus(conv.ID, convrs.SyncRunning)
		e.clock.Advance(e2.worker.cfg.LeaseFor + time.Second)
		e2.drain()
		e.wantOneNoteRecorded(t, "after the rescue", contact, e2.mustStatus(conv.ID, convrs.SyncSynced))
	})
}

func TestServerErrorStorm(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		t.Run("recovers without a duplicate", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{})
			contact := e.sim.SeedContact(portal, map[string]string{"email": "storm@example.com"}, time.Time{})
			conv := e.closed(e.customer("storm@example.com", "", "", ""))
			e.sim.FailNext(6, 500)
			e.drain()
			s := e.mustStatus(conv.ID, convrs.SyncWaiting)
			if s.ReasonCode != convrs.SyncReasonUnavailable || s.NextAttemptAt == nil {
				t.Fatalf("waiting = %+v", s)
			}
			for i := 0; i < 5 && e.sync(conv.ID).Status == convrs.SyncWaiting; i++ {
				e.clock.Advance(10 * time.Second)
				e.drain()
			}
			e.mustStatus(conv.ID, convrs.SyncSynced)
			if n := len(e.notesOf(contact)); n != 1 {
				t.Errorf("%d notes, want 1", n)
			}
		})
		t.Run("fails with its reason past the limit", func(t *testing.T) {
			e := newEnv(t, engine, envOpts{})
			conv := e.closed(e.customer("down@example.com", "", "", ""))
			e.sim.SetFailureRate(100)
			for i := 0; i < 20 && e.sync(conv.ID).Status != convrs.SyncFailed; i++ {
				e.drain()
				e.clock.Advance(5 * time.Second)
			}
			s := e.mustStatus(conv.ID, convrs.SyncFailed)
			if s.ReasonCode != convrs.SyncReasonRetriesExhausted || s.Attempts != e.worker.cfg.MaxAttempts ||
				!strings.Contains(s.Reason, "did not answer in 8 attempts") || !strings.Contains(s.Detail, "500") {
				t.Errorf("failed = %s %d %q %q", s.ReasonCode, s.Attempts, s.Reason, s.Detail)
			}
			e.sim.SetFailureRate(0)
			if _, err := e.svc.Retry(e.agent, conv.ID); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
				t.Errorf("agent Retry = %v, want EFORBIDDEN", err)
			}
			if _, err := e.svc.Retry(e.admin, conv.ID); err != nil {
				t.Fatal(err)
			}
			e.drain()
			e.mustStatus(conv.ID, convrs.SyncSynced)
		})
	})
}

func TestIntegrationErrorWaitsAndDisableCancels(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		integ, err := e.db.HubspotIntegration(context.Background(), wsID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.MarkHubspotError(context.Background(), wsID, integ.ConnectedAt, "revoked"); err != nil {
			t.Fatal(err)
		}
		a := e.closed(e.customer("a@example.com", "", "", ""))
		e.drain()
		if s := e.mustStatus(a.ID, convrs.SyncWaiting); s.ReasonCode != convrs.SyncReasonIntegrationError {
			t.Fatalf("waiting for %s, want INTEGRATION_ERROR", s.ReasonCode)
		}
		e.connect() // Reconnect: the same portal comes back ENABLED
		e.clock.Advance(2 * time.Second)
		e.drain()
		e.mustStatus(a.ID, convrs.SyncSynced)

		b := e.closed(e.customer("b@example.com", "", "", ""))
		e.sim.FailNext(20, 503)
		e.drain()
		e.mustStatus(b.ID, convrs.SyncWaiting)
		if _, err := e.integ.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		s := e.mustStatus(b.ID, convrs.SyncCancelled)
		if s.ReasonCode != convrs.SyncReasonDisabled {
			t.Errorf("cancelled for %s", s.ReasonCode)
		}
		e.mustStatus(a.ID, convrs.SyncSynced) // history stays
	})
}

func TestReopenUpdatesTheNoteInPlace(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		contact := e.sim.SeedContact(portal, map[string]string{"email": "re@example.com"}, time.Time{})
		conv := e.closed(e.customer("re@example.com", "", "", ""), "first question")
		e.drain()
		first := e.mustStatus(conv.ID, convrs.SyncSynced)
		if _, err := e.db.ReopenConversation(e.agent, conv.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SendMessage(e.agent, conv.ID, "a later answer"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
			t.Fatal(err)
		}
		if s := e.mustStatus(conv.ID, convrs.SyncQueued); s.CloseNumber != 2 {
			t.Fatalf("close number %d, want 2", s.CloseNumber)
		}
		e.drain()
		s := e.mustStatus(conv.ID, convrs.SyncSynced)
		notes := e.notesOf(contact)
		if len(notes) != 1 || s.NoteIDs[0] != first.NoteIDs[0] || notes[0].ID != first.NoteIDs[0] {
			t.Fatalf("notes %d, ids %v then %v: want the same one note", len(notes), first.NoteIDs, s.NoteIDs)
		}
		for _, want := range []string{"Updated transcript: this conversation was reopened and closed again", "(close 2)", "first question", "a later answer"} {
			if !strings.Contains(notes[0].Body, want) {
				t.Errorf("updated note lacks %q", want)
			}
		}
		full, _ := e.db.FindConversation(e.admin, conv.ID)
		if !notes[0].Timestamp.Equal(full.ClosedAt.Truncate(time.Millisecond)) {
			t.Errorf("timestamp %v, want the last close %v", notes[0].Timestamp, full.ClosedAt)
		}
	})
}

func TestLongTranscriptIsSplitInOrderedParts(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	contact := e.sim.SeedContact(portal, map[string]string{"email": "long@example.com"}, time.Time{})
	cust := e.customer("long@example.com", "", "", "")
	msgs := []string{strings.Repeat("é<😀>", 3000)}
	for i := 0; i < 12; i++ {
		msgs = append(msgs, strings.Repeat("x&y ", 4000))
	}
	conv := e.closed(cust, msgs...)
	e.drain()
	s := e.mustStatus(conv.ID, convrs.SyncSynced)
	notes := e.notesOf(contact) // newest first: part 1 on top
	if len(notes) < 2 || len(notes) != len(s.NoteIDs) {
		t.Fatalf("%d notes, %d recorded", len(notes), len(s.NoteIDs))
	}
	for i, n := range notes {
		if want := "part " + itoa(i+1) + " of " + itoa(len(notes)); !strings.Contains(n.Body, want) {
			t.Errorf("note %d lacks %q", i, want)
		}
		if n.ID != s.NoteIDs[i] {
			t.Errorf("note %d is %s, record says %s", i, n.ID, s.NoteIDs[i])
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestTwoProcessesOnPostgresEachSyncOnce(t *testing.T) {
	testkit.DatabaseURL(t) // skips without PostgreSQL
	e := newEnv(t, "postgres", envOpts{})
	e2 := newEnv(t, "postgres", envOpts{db: e.db, simSrv: e.sim, box: e.box, ps: e.ps, cache: e.cache, clock: e.clock})
	var convs []string
	for i := 0; i < 30; i++ {
		email := "p" + string(rune('a'+i%26)) + itoa(i/26) + "@example.com"
		convs = append(convs, e.closed(e.customer(email, "", "", "")).ID)
	}
	for _, w := range []*Worker{e.worker, e2.worker} {
		w.cfg.Batch, w.cfg.Concurrency = 3, 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range []*Worker{e.worker, e2.worker} {
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	testkit.Eventually(t, "the two workers sync every conversation", func() bool {
		sum, err := e.svc.Summary(e.admin)
		if err != nil {
			t.Fatal(err)
		}
		return sum.Synced == len(convs)
	})
	cancel()
	wg.Wait()
	notes := 0
	for _, c := range e.sim.Contacts(portal) {
		notes += len(e.notesOf(c.ID))
	}
	if notes != len(convs) {
		t.Errorf("%d notes for %d conversations", notes, len(convs))
	}
}

func TestSubscriptionAcrossProcesses(t *testing.T) {
	url, withRedis := testkit.LookupRedisURL(t)
	var ps1, ps2 convrs.PubSub = pubsub.NewMemory(), nil
	ps2 = ps1
	if withRedis {
		r1, err := cache.OpenRedis(url)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := cache.OpenRedis(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r1.Close(); r2.Close() })
		prefix := "t" + itoa(time.Now().Nanosecond()) + ":"
		ps1, ps2 = pubsub.NewRedis(r1, prefix), pubsub.NewRedis(r2, prefix)
	}
	e := newEnv(t, "sqlite", envOpts{ps: ps1})
	viewer := &Service{Store: e.db, PubSub: ps2}
	ctx, cancel := context.WithCancel(e.agent)
	defer cancel()
	ch, err := viewer.SubscribeSyncs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.SeedContact(portal, map[string]string{"email": "live@example.com"}, time.Time{})
	conv := e.closed(e.customer("live@example.com", "", "", ""))
	e.drain()
	var seen []convrs.HubspotSyncStatus
	timeout := time.After(20 * time.Second)
	for len(seen) == 0 || seen[len(seen)-1] != convrs.SyncSynced {
		select {
		case s := <-ch:
			if s.ConversationID == conv.ID {
				seen = append(seen, s.Status)
			}
		case <-timeout:
			t.Fatalf("saw %v, want QUEUED … SYNCED", seen)
		}
	}
	if seen[0] != convrs.SyncQueued {
		t.Errorf("first update %s, want QUEUED", seen[0])
	}
}

func TestRateLimitStormWaitsForTheWindow(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	contact := e.sim.SeedContact(portal, map[string]string{"email": "busy@example.com"}, time.Time{})
	conv := e.closed(e.customer("busy@example.com", "", "", ""))
	// More 429s than the client's own attempts: the sync waits for the window instead of failing.
	e.sim.FailNext(4, 429)
	e.drain()
	s := e.mustStatus(conv.ID, convrs.SyncWaiting)
	if s.ReasonCode != convrs.SyncReasonRateLimited || s.NextAttemptAt == nil || s.Attempts != 0 {
		t.Fatalf("waiting = %s next %v attempts %d; want RATE_LIMITED, a next attempt, no attempt counted", s.ReasonCode, s.NextAttemptAt, s.Attempts)
	}
	if wait := s.NextAttemptAt.Sub(e.clock.Now()); wait <= 0 || wait > 11*time.Second {
		t.Errorf("next attempt in %v, want the limiter's window", wait)
	}
	e.clock.Advance(11 * time.Second)
	e.drain()
	e.mustStatus(conv.ID, convrs.SyncSynced)
	if n := len(e.notesOf(contact)); n != 1 {
		t.Errorf("%d notes, want 1", n)
	}
}

func TestTokenExpiryMidBacklog(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		e.worker.cfg.Batch = 1
		var convs []string
		for i := 0; i < 4; i++ {
			email := "tok" + itoa(i) + "@example.com"
			e.sim.SeedContact(portal, map[string]string{"email": email}, time.Time{})
			convs = append(convs, e.closed(e.customer(email, "", "", "")).ID)
		}
		for i := 0; i < 2; i++ {
			if _, err := e.worker.RunOnce(context.Background(), "w"); err != nil {
				t.Fatal(err)
			}
		}
		e.sim.ExpireAccessToken(e.access) // HubSpot answers 401 EXPIRED_AUTHENTICATION: one refresh, then on
		e.drain()
		for _, c := range convs {
			e.mustStatus(c, convrs.SyncSynced)
		}
		expired := 0
		for _, r := range e.sim.Requests() {
			if r.Status == 401 {
				expired++
			}
		}
		if expired != 1 {
			t.Errorf("%d answers 401, want exactly 1 (then a refreshed token)", expired)
		}
	})
}

func TestRevokedAppWaitsForReconnect(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		// A margin longer than the tokens' life: the keeper's pass refreshes at once (the token source keeps
		// real time).
		e := newEnv(t, engine, envOpts{refreshMargin: time.Hour})
		e.sim.RevokeApp(portal) // uninstalled: every token of the portal stops working
		late := e.closed(e.customer("gone@example.com", "", "", ""))
		e.drain()
		if s := e.mustStatus(late.ID, convrs.SyncWaiting); s.ReasonCode != convrs.SyncReasonIntegrationError {
			t.Errorf("waiting for %s, want INTEGRATION_ERROR", s.ReasonCode)
		}
		// HubSpot's first refusal of the sync's call put the integration in ERROR already, before any refresh.
		if integ, err := e.db.HubspotIntegration(context.Background(), wsID); err != nil || integ.State != convrs.IntegrationError {
			t.Fatalf("integration after the first refused call: %v, %v; want ERROR", integ, err)
		}
		// The token keeper's refresh is refused for good too: still ERROR, and the sync waits for Reconnect.
		e.integ.RefreshDue(context.Background())
		integ, err := e.db.HubspotIntegration(context.Background(), wsID)
		if err != nil || integ.State != convrs.IntegrationError {
			t.Fatalf("integration %v, %v; want ERROR", integ, err)
		}
		e.clock.Advance(2 * time.Second)
		e.drain()
		if s := e.mustStatus(late.ID, convrs.SyncWaiting); !strings.Contains(s.Reason, "Reconnect") {
			t.Errorf("reason %q", s.Reason)
		}
		e.connect()
		e.clock.Advance(2 * time.Second)
		e.drain()
		e.mustStatus(late.ID, convrs.SyncSynced)
	})
}

func TestBackfillListAndSummary(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{noEnable: true})
		old := e.closed(e.customer("old@example.com", "", "", "")) // closed 10 days ago
		_ = old
		e.clock.Advance(10 * 24 * time.Hour)
		var recent []string
		for i := 0; i < 3; i++ {
			recent = append(recent, e.closed(e.customer("r"+itoa(i)+"@example.com", "", "", "")).ID)
		}
		if _, err := e.svc.BackfillCount(e.admin, 7); convrs.ErrorCode(err) != convrs.ECONFLICT {
			t.Errorf("BackfillCount before Enable = %v, want ECONFLICT", err)
		}
		if _, err := e.integ.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		for days, want := range map[int]int{7: 3, 30: 4} {
			if n, err := e.svc.BackfillCount(e.admin, days); err != nil || n != want {
				t.Errorf("BackfillCount(%d) = %d, %v; want %d", days, n, err, want)
			}
		}
		if _, err := e.svc.BackfillCount(e.admin, 3); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("BackfillCount(3) = %v, want EINVALID", err)
		}
		if _, err := e.svc.Backfill(e.agent, 7); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
			t.Errorf("agent Backfill = %v, want EFORBIDDEN", err)
		}
		if n, err := e.svc.Backfill(e.admin, 7); err != nil || n != 3 {
			t.Fatalf("Backfill(7) = %d, %v; want 3", n, err)
		}
		if n, _ := e.svc.BackfillCount(e.admin, 7); n != 0 {
			t.Errorf("BackfillCount after Backfill = %d, want 0", n)
		}
		e.drain()
		sum, err := e.svc.Summary(e.admin)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&convrs.HubspotSyncSummary{Synced: 3, Total: 3}, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		// Newest first, two to a page.
		var got []string
		after := ""
		for page := 0; page < 3; page++ {
			p, err := e.svc.Syncs(e.admin, convrs.HubspotSyncFilter{First: 2, After: after, Status: convrs.SyncSynced})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Nodes {
				got = append(got, n.ConversationID)
			}
			if !p.HasNextPage {
				break
			}
			after = p.EndCursor
		}
		if diff := cmp.Diff([]string{recent[2], recent[1], recent[0]}, got); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Syncs(e.admin, convrs.HubspotSyncFilter{After: "garbage"}); convrs.ErrorCode(err) != convrs.EINVALID {
			t.Errorf("bad cursor = %v, want EINVALID", err)
		}
		if _, err := e.svc.Syncs(e.agent, convrs.HubspotSyncFilter{}); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
			t.Errorf("agent Syncs = %v, want EFORBIDDEN", err)
		}
		if _, err := e.svc.Retry(e.admin, recent[0]); convrs.ErrorCode(err) != convrs.ECONFLICT {
			t.Errorf("Retry of a synced record = %v, want ECONFLICT", err)
		}
		if s, err := e.svc.Sync(e.agent, recent[0]); err != nil || s.Status != convrs.SyncSynced {
			t.Errorf("agent Sync = %v, %v", s, err)
		}
	})
}

func TestSlowBatchKeepsItsLease(t *testing.T) {
	e := newEnv(t, "sqlite", envOpts{})
	e.sim.SeedContact(portal, map[string]string{"email": "slow@example.com"}, time.Time{})
	conv := e.closed(e.customer("slow@example.com", "", "", ""))
	e2 := newEnv(t, "sqlite", envOpts{db: e.db, simSrv: e.sim, box: e.box, ps: e.ps, cache: e.cache, clock: e.clock})
	// Each HubSpot call takes longer than the whole lease: only the renewals keep the record with its worker.
	e.worker.cfg.LeaseFor = 1500 * time.Millisecond
	e.sim.SetLatency(2 * time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := e.worker.RunOnce(context.Background(), "slow"); err != nil {
			t.Error(err)
		}
	}()
	stolen := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(100 * time.Millisecond):
			if n, err := e2.worker.RunOnce(context.Background(), "thief"); err != nil {
				t.Fatal(err)
			} else {
				stolen += n
			}
		}
	}
	if stolen != 0 {
		t.Errorf("another worker claimed %d records of a batch still running", stolen)
	}
	e.sim.SetLatency(0)
	e.mustStatus(conv.ID, convrs.SyncSynced)
}

func TestPartialBatchFailureFailsOnlyItsSync(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		if err := e.db.CreateStaff(context.Background(), &convrs.Staff{ID: "stf_two", WorkspaceID: wsID, Name: "Tia Two", Email: "tia@test.test", Role: convrs.RoleAgent}); err != nil {
			t.Fatal(err)
		}
		tia := convrs.NewContextWithPrincipal(context.Background(), &convrs.Principal{StaffID: "stf_two", WorkspaceID: wsID, Role: convrs.RoleAgent})
		okContact := e.sim.SeedContact(portal, map[string]string{"email": "ok@example.com"}, time.Time{})
		badContact := e.sim.SeedContact(portal, map[string]string{"email": "bad@example.com"}, time.Time{})
		good := e.closed(e.customer("ok@example.com", "", "", ""))
		conv, err := e.db.OpenInbound(e.admin, e.customer("bad@example.com", "", "", "").ID, "web", "hello")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SendMessage(tia, conv.ID, "hi, Tia here"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.CloseConversation(tia, conv.ID); err != nil {
			t.Fatal(err)
		}
		// Tia's owner ID, as cached, no longer exists in HubSpot: HubSpot refuses that one input of the batch.
		if err := e.cache.Set(context.Background(), "hubspot:"+wsID+":"+strconv.FormatInt(portal, 10)+":owner-by-email:tia@test.test", []byte("999999"), time.Hour); err != nil {
			t.Fatal(err)
		}
		before := e.requests("/notes/batch/create")
		e.drain()
		if n := e.requests("/notes/batch/create") - before; n != 1 {
			t.Errorf("%d batch creates, want both notes in one", n)
		}
		e.mustStatus(good.ID, convrs.SyncSynced)
		s := e.mustStatus(conv.ID, convrs.SyncFailed)
		if s.ReasonCode != convrs.SyncReasonRejected || !strings.Contains(s.Reason, "refused the data") || !strings.Contains(s.Detail, "999999") {
			t.Errorf("failed = %s %q %q", s.ReasonCode, s.Reason, s.Detail)
		}
		if len(e.notesOf(okContact)) != 1 || len(e.notesOf(badContact)) != 0 {
			t.Errorf("notes: %d and %d, want 1 and 0", len(e.notesOf(okContact)), len(e.notesOf(badContact)))
		}
		// Fixed (the cache expires), Retry writes it once.
		if err := e.cache.Delete(context.Background(), "hubspot:"+wsID+":"+strconv.FormatInt(portal, 10)+":owner-by-email:tia@test.test"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Retry(e.admin, conv.ID); err != nil {
			t.Fatal(err)
		}
		e.drain()
		e.mustStatus(conv.ID, convrs.SyncSynced)
		if n := len(e.notesOf(badContact)); n != 1 {
			t.Errorf("%d notes after Retry, want 1", n)
		}
	})
}

func TestMergedAndDeletedLinkedContacts(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		a := e.sim.SeedContact(portal, map[string]string{"email": "m@example.com", "firstname": "Mia"}, time.Time{})
		b := e.sim.SeedContact(portal, map[string]string{"email": "m2@example.com"}, time.Time{})
		cust := e.customer("m@example.com", "", "Mia", "")
		first := e.closed(cust)
		e.drain()
		if s := e.mustStatus(first.ID, convrs.SyncSynced); s.ContactID != a {
			t.Fatalf("first sync on %s, want %s", s.ContactID, a)
		}
		merged, ok := e.sim.MergeContacts(portal, b, a)
		if !ok {
			t.Fatal("merge failed")
		}
		second := e.closed(cust)
		e.drain()
		s := e.mustStatus(second.ID, convrs.SyncSynced)
		if s.ContactID != merged.ID || s.MatchedBy != convrs.MatchEmail {
			t.Errorf("after the merge: %s by %s, want the merged record %s, still matched by email", s.ContactID, s.MatchedBy, merged.ID)
		}
		if c, _ := e.db.FindCustomer(e.admin, cust.ID); c.HubspotContactID != merged.ID {
			t.Errorf("stored link %s, want %s", c.HubspotContactID, merged.ID)
		}
		// GDPR-deleted: the link falls through to the other rules (here: a new contact from the email).
		e.sim.GDPRDeleteContact(portal, merged.ID)
		third := e.closed(cust)
		e.drain()
		s3 := e.mustStatus(third.ID, convrs.SyncSynced)
		if s3.ContactID == merged.ID || s3.MatchedBy == convrs.MatchCRMID {
			t.Errorf("after the delete: %s by %s, want another contact by another rule", s3.ContactID, s3.MatchedBy)
		}
		if n := len(e.notesOf(s3.ContactID)); n != 1 {
			t.Errorf("%d notes on the new contact, want 1", n)
		}
	})
}

// A backlog of customers not yet linked is matched by email with batch reads (100 a call, strongly
// consistent), not with one search each at HubSpot's 5 searches a second; each is linked, so the next close
// needs no lookup at all.
func TestUnlinkedCustomersMatchedByEmailInBatches(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, envOpts{})
		const n = 30
		contacts := map[string]string{}
		var convs []*convrs.Conversation
		for k := range n {
			email := fmt.Sprintf("Batch%02d@Example.com", k)
			contacts[strings.ToLower(email)] = e.sim.SeedContact(portal, map[string]string{"email": strings.ToLower(email), "firstname": "B"}, time.Time{})
			convs = append(convs, e.closed(e.customer(email, "", "B", fmt.Sprint(k))))
		}
		searches, reads := e.requests("/contacts/search"), e.requests("/contacts/batch/read")
		e.drain()
		for k, conv := range convs {
			s := e.mustStatus(conv.ID, convrs.SyncSynced)
			want := contacts[fmt.Sprintf("batch%02d@example.com", k)]
			if s.MatchedBy != convrs.MatchEmail || s.ContactID != want {
				t.Errorf("sync %d: %s %s, want EMAIL %s", k, s.MatchedBy, s.ContactID, want)
			}
			if len(e.notesOf(want)) != 1 {
				t.Errorf("contact %s has %d notes, want 1", want, len(e.notesOf(want)))
			}
		}
		if got := e.requests("/contacts/search") - searches; got != 0 {
			t.Errorf("%d contact searches for %d customers found by email, want 0", got, n)
		}
		if got := e.requests("/contacts/batch/read") - reads; got < 1 || got > 2 {
			t.Errorf("%d batch reads, want 1 or 2", got)
		}
		cust, err := e.db.FindCustomer(e.admin, mustConversation(t, e, convs[0].ID).CustomerID)
		if err != nil || cust.HubspotContactID != contacts["batch00@example.com"] {
			t.Errorf("customer link = %+v, %v", cust, err)
		}
	})
}

func mustConversation(t *testing.T, e *env, id string) *convrs.Conversation {
	t.Helper()
	c, err := e.db.FindConversation(e.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
