package hubsync

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/secret"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

const (
	wsID   = "ws_sync"
	portal = int64(61000001)
)

// env is one gateway process's sync (store, integration service, matcher, worker) over a real database and
// the simulator, with an ENABLED workspace connected to portal.
type env struct {
	t      testing.TB
	db     *store.DB
	dsn    string // the database's address, when the env opened it
	sim    *hubspotsim.TestServer
	integ  *integration.Service
	cache  *cache.Memory
	ps     convrs.PubSub
	box    *secret.Box
	clock  *testkit.Clock
	admin  context.Context
	agent  context.Context
	svc    *Service
	worker *Worker
	access string
}

type envOpts struct {
	sim    hubspotsim.Options
	db     *store.DB // a shared database (a second process)
	box    *secret.Box
	ps     convrs.PubSub
	cache  *cache.Memory
	simSrv *hubspotsim.TestServer
	clock  *testkit.Clock
	// realWaits makes the client's retry and rate-limit waits take real time (the backlog benchmark measures
	// the drain against HubSpot's limits); by default they move the test's clock.
	realWaits bool
	noEnable  bool
	// refreshMargin is the integration's (default 5 minutes).
	refreshMargin time.Duration
	// front, when set, stands between the gateway's API calls and the simulator (to change HubSpot's answers);
	// OAuth calls still go to the simulator.
	front func(sim http.Handler) http.Handler
	// apiVersion is HUBSPOT_API_VERSION (default the client's).
	apiVersion string
}

func newEnv(t testing.TB, engine string, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, clock: o.clock}
	if e.clock == nil {
		e.clock = testkit.NewRunningClock()
	}
	e.sim = o.simSrv
	if e.sim == nil {
		o.sim.Now = e.clock.Now
		o.sim.LegacyAPIsOff = true // HubSpot's retired paths answer 410, as they will
		e.sim = hubspotsim.NewTestServer(t, o.sim)
		e.sim.CreatePortal(hubspotsim.PortalSpec{ID: portal, Name: "Sync test", Country: "GB"})
		e.sim.SeedOwner(portal, hubspotsim.Owner{ID: "41000001", Email: "sam@test.test", FirstName: "Sam", LastName: "Agent"})
	}
	e.cache, e.ps, e.box = o.cache, o.ps, o.box
	if e.cache == nil {
		e.cache = cache.NewMemory(cache.WithClock(e.clock.Now))
	}
	if e.ps == nil {
		e.ps = pubsub.NewMemory()
	}
	if e.box == nil {
		e.box = hubtest.NewBox(t)
	}
	e.db = o.db
	fresh := e.db == nil
	if fresh {
		e.dsn = storetest.DSN(t, engine)
		var err error
		if e.db, err = store.Open(ctx, e.dsn); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.db.Close() })
	}
	e.db.Now = e.clock.Now
	e.db.Events = e.ps
	ws := convrs.Workspace{ID: wsID, Name: "Test", DefaultRegion: "GB", TimeZone: "Europe/Paris"}
	if fresh {
		e.admin, e.agent = hubtest.Workspace(t, e.db, ws)
	} else {
		e.admin, e.agent = hubtest.Principals(ws.ID)
	}
	apiURL := e.sim.URL()
	if o.front != nil {
		srv := httptest.NewServer(o.front(e.sim))
		t.Cleanup(srv.Close)
		apiURL = srv.URL
	}
	// The client's retry and rate-limit waits move the test's clock instead of waiting in real time.
	clientOpts := []hubspot.Option{hubspot.WithSleep(func(ctx context.Context, d time.Duration) error {
		e.clock.Advance(d)
		return ctx.Err()
	})}
	if o.realWaits {
		clientOpts = nil
	}
	e.integ = integration.New(integration.Config{
		Store: e.db, OAuth: hubtest.OAuth(e.sim), APIURL: apiURL, APIVersion: o.apiVersion, LinkURL: e.sim.URL(), PublicURL: hubtest.PublicURL,
		Cache: e.cache, Locker: e.cache, Limiter: e.cache.Limiter(), PubSub: e.ps, Box: e.box, Now: e.clock.Now,
		RefreshMargin: o.refreshMargin, ClientOptions: clientOpts,
	})
	if fresh {
		e.connect()
		if !o.noEnable {
			if _, err := e.integ.Enable(e.admin); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.svc = &Service{Store: e.db, PubSub: e.ps, Now: e.clock.Now}
	e.worker = NewWorker(Config{Store: e.db, Clients: e.integ, Cache: e.cache, PublicURL: "https://convrs.test", LinkURL: e.sim.URL(),
		Matcher: match.New(match.Config{Links: e.db, Locker: e.cache}), Concurrency: 1, Poll: 5 * time.Millisecond,
		BaseBackoff: time.Second, MaxBackoff: 4 * time.Second, ErrorRecheck: time.Second, Now: e.clock.Now,
		Jitter: func(d time.Duration) time.Duration { return d }})
	return e
}

// connect stores a connection to portal, as the OAuth callback does.
func (e *env) connect() {
	e.t.Helper()
	e.access = hubtest.Connect(e.t, e.db, e.box, e.sim, convrs.HubspotConnection{WorkspaceID: wsID, PortalID: portal,
		TokenExpiresAt: e.clock.Now().Add(30 * time.Minute)})
}

func str(s string) *string { return &s }

// storeLegacyPhone writes phone into a customer's row as an older version of the product could have stored
// it (today every stored number is validated), with a connection of its own.
func (e *env) storeLegacyPhone(customerID, phone string) {
	e.t.Helper()
	raw := storetest.Raw(e.t, e.dsn)
	if err := raw.Exec(`UPDATE customers SET phone = ?, phone_raw = ? WHERE id = ?`, phone, phone, customerID).Error; err != nil {
		e.t.Fatal(err)
	}
}

// customer creates a customer with the given fields.
func (e *env) customer(email, phone, first, last string) *convrs.Customer {
	e.t.Helper()
	in := convrs.CustomerInput{}
	if email != "" {
		in.Email = str(email)
	}
	if phone != "" {
		in.Phone = str(phone)
	}
	if first != "" {
		in.FirstName = str(first)
	}
	if last != "" {
		in.LastName = str(last)
	}
	c, err := e.db.CreateCustomer(e.admin, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// conversation opens a conversation of cust with a customer message and an agent reply, and closes it.
func (e *env) closed(cust *convrs.Customer, msgs ...string) *convrs.Conversation {
	e.t.Helper()
	conv := e.open(cust, msgs...)
	if _, err := e.db.CloseConversation(e.agent, conv.ID); err != nil {
		e.t.Fatal(err)
	}
	return conv
}

func (e *env) open(cust *convrs.Customer, msgs ...string) *convrs.Conversation {
	e.t.Helper()
	if len(msgs) == 0 {
		msgs = []string{"Hello, my order is late.", "Sorry about that, it ships today."}
	}
	conv, err := e.db.OpenInbound(e.admin, cust.ID, "web", msgs[0])
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs[1:] {
		if _, err := e.db.SendMessage(e.agent, conv.ID, m); err != nil {
			e.t.Fatal(err)
		}
	}
	return conv
}

// drain runs the worker until no record is due (at most n rounds).
func (e *env) drain() {
	e.t.Helper()
	for i := 0; i < 1000; i++ {
		n, err := e.worker.RunOnce(context.Background(), "test")
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("the worker never ran out of due syncs")
}

func (e *env) sync(convID string) *convrs.HubspotSync {
	e.t.Helper()
	s, err := e.svc.Sync(e.admin, convID)
	if err != nil {
		e.t.Fatalf("Sync(%s): %v", convID, err)
	}
	return s
}

func (e *env) mustStatus(convID string, want convrs.HubspotSyncStatus) *convrs.HubspotSync {
	e.t.Helper()
	s := e.sync(convID)
	if s.Status != want {
		e.t.Fatalf("sync of %s is %s (%s: %s), want %s", convID, s.Status, s.ReasonCode, s.Reason, want)
	}
	return s
}

// notesOf returns every note of the portal's contact, newest first.
func (e *env) notesOf(contactID string) []hubspotsim.Note { return e.sim.Notes(portal, contactID) }

// allNotes counts the portal's notes with the sync's marker in their body.
func (e *env) notesWith(contactID, text string) int {
	n := 0
	for _, note := range e.notesOf(contactID) {
		if strings.Contains(note.Body, text) {
			n++
		}
	}
	return n
}

func (e *env) requests(pathPart string) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if strings.Contains(r.Path, pathPart) {
			n++
		}
	}
	return n
}

var _ = slog.Default

// wantOneNoteRecorded checks that HubSpot has exactly one note on contact and that the record s names it.
func (e *env) wantOneNoteRecorded(t testing.TB, what, contact string, s *convrs.HubspotSync) {
	t.Helper()
	notes := e.notesOf(contact)
	if len(notes) != 1 || len(s.NoteIDs) != 1 || s.NoteIDs[0] != notes[0].ID {
		t.Errorf("%s: %d notes in HubSpot, record %v: want the one note recorded", what, len(notes), s.NoteIDs)
	}
}
