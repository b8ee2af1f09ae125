package hubspot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/internal/testkit"
	"golang.org/x/oauth2"
)

// simEnv is a client wired exactly as in production (OAuthConfig → TokenSource → NewHTTPClient →
// NewClient) but pointed at the simulator. The simulator's clock only moves when the client sleeps.
type simEnv struct {
	sim    *hubspotsim.TestServer
	portal *hubspotsim.Portal
	access string
	client *Client
	oauth  *OAuthConfig
	clock  *testkit.Clock
	sleeps *fakeSleep
}

func setupSim(t *testing.T, opts hubspotsim.Options) *simEnv {
	t.Helper()
	clock := testkit.NewClock(time.Now())
	opts.Now = clock.Now
	opts.LegacyAPIsOff = true // the client must not need a path HubSpot retires
	sim := hubspotsim.NewTestServer(t, opts)
	p := sim.CreatePortal(hubspotsim.PortalSpec{UIDomain: "app-eu1.hubspot.com"})
	at, rt := sim.IssueTokens(p.ID, "")

	oauth := &OAuthConfig{
		ClientID: hubspotsim.DefaultClientID, ClientSecret: hubspotsim.DefaultClientSecret,
		APIURL: sim.URL(), HTTPClient: sim.Client(),
	}
	store := newMemoryTokenStore()
	store.SaveToken(context.Background(), "portal", &Token{AccessToken: at, RefreshToken: rt, Expiry: time.Now().Add(30 * time.Minute)})
	ts, err := NewTokenSource(TokenSourceConfig{Key: "portal", Store: store, Refresher: oauth})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, sim.Client())
	client := mustNewClient(t, NewHTTPClient(ctx, ts), WithBaseURL(sim.URL()))
	fs := &fakeSleep{}
	client.sleep = func(ctx context.Context, d time.Duration) error {
		fs.sleep(ctx, d)
		clock.Advance(d)
		return nil
	}
	client.jitter = func(d time.Duration) time.Duration { return d }
	return &simEnv{sim: sim, portal: p, access: at, client: client, oauth: oauth, clock: clock, sleeps: fs}
}

// What only the simulator shows (the contract in contract_test.go runs the rest against real HubSpot too): an
// OAuth token's metadata and the note as stored, timestamp and escaped body exactly.
func TestSimTokenInfoAndStoredNote(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{})
	ctx := context.Background()
	c := env.client

	d, _, err := c.Account.Details(ctx)
	if err != nil || d.UIDomain != "app-eu1.hubspot.com" {
		t.Errorf("details = %+v, %v", d, err)
	}
	info, err := env.oauth.AccessTokenInfo(ctx, env.access)
	if err != nil || info.HubID != env.portal.ID {
		t.Fatalf("token info = %+v, %v", info, err)
	}

	id := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "ada@example.com"}, time.Time{})
	ts := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	note, _, err := c.Notes.Create(ctx, NoteInput{Body: "Call summary:<br>All &lt;good&gt;", Timestamp: ts, ContactIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	stored := env.sim.Notes(env.portal.ID, id)
	if len(stored) != 1 || stored[0].ID != note.ID || !stored[0].Timestamp.Equal(ts) || stored[0].Body != "Call summary:<br>All &lt;good&gt;" {
		t.Fatalf("simulator notes = %+v", stored)
	}
}

func TestSimRateLimitAndFaults(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{SearchPerSecond: 2})
	ctx := context.Background()
	c := env.client

	// The simulator's real search budget: the third search in a second gets a SECONDLY 429; the client
	// waits one second (of simulated time) and succeeds.
	for range 3 {
		if _, _, err := c.Contacts.Search(ctx, &SearchRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := env.sleeps.Waits(); len(got) != 1 || got[0] != time.Second {
		t.Fatalf("waits = %v, want [1s]", got)
	}

	// An injected 429 on a note create: not processed, so re-sent after the 10 s window.
	id := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "b@example.com"}, time.Time{})
	env.sim.FailNext(1, http.StatusTooManyRequests)
	if _, _, err := c.Notes.Create(ctx, NoteInput{Body: "x", Timestamp: time.Now(), ContactIDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if got := env.sleeps.Waits(); got[len(got)-1] != 10*time.Second {
		t.Errorf("waits = %v, want a 10s wait last", got)
	}
	if n := len(env.sim.Notes(env.portal.ID, id)); n != 1 {
		t.Errorf("%d notes, want 1", n)
	}

	// With retries off the typed error surfaces.
	env.sim.FailNext(1, http.StatusTooManyRequests)
	noRetry := mustNewClient(t, c.client, WithBaseURL(env.sim.URL()), WithRetry(RetryPolicy{MaxAttempts: 1}))
	_, _, err := noRetry.Owners.List(ctx, nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.PolicyName != PolicyTenSecondlyRolling || rl.RetryAfter != 10*time.Second {
		t.Fatalf("err = %v, want TEN_SECONDLY_ROLLING RateLimitError", err)
	}
}

func TestSimExpiredTokenIsRefreshed(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{})
	ctx := context.Background()
	if _, _, err := env.client.Owners.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	env.sim.ExpireAccessToken(env.access)
	_, resp, err := env.client.Owners.List(ctx, nil)
	if err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if resp.Attempts != 2 {
		t.Errorf("attempts = %d, want 2 (401 EXPIRED_AUTHENTICATION, refresh, retry)", resp.Attempts)
	}
}

func TestSimMergeNoteUpdateAndArchive(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{})
	ctx := context.Background()
	c := env.client
	a := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "a@example.com"}, time.Time{})
	b := env.sim.SeedContact(env.portal.ID, map[string]string{"email": "b@example.com"}, time.Time{})
	note, _, err := c.Notes.Create(ctx, NoteInput{Body: "first", Timestamp: time.Now(), ContactIDs: []string{b}})
	if err != nil {
		t.Fatal(err)
	}
	merged, _, err := c.Contacts.Merge(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID == a || merged.ID == b || len(merged.MergedIDs()) != 2 {
		t.Fatalf("merged = %+v", merged)
	}
	got, _, err := c.Contacts.Get(ctx, b, []string{"email", PropMergedObjectIDs})
	if err != nil || got.ID != merged.ID || got.Prop("email") != "a@example.com" {
		t.Fatalf("Get(old id) = %+v, %v; want the merged contact %s", got, err, merged.ID)
	}

	if _, _, err := c.Notes.Update(ctx, note.ID, map[string]string{PropNoteBody: "second"}); err != nil {
		t.Fatal(err)
	}
	stored := env.sim.Notes(env.portal.ID, merged.ID)
	if len(stored) != 1 || stored[0].Body != "second" {
		t.Fatalf("notes of the merged contact = %+v", stored)
	}
	if _, err := c.Notes.Archive(ctx, note.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Notes.Get(ctx, note.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get archived note: err = %v, want not found", err)
	}
	if n := env.sim.Notes(env.portal.ID, merged.ID); len(n) != 0 {
		t.Errorf("notes after Archive = %+v", n)
	}
}

// The simulator's webhooks verify with VerifyWebhookV3URI and parse into WebhookEvents: the two sides agree.
func TestSimWebhooksVerifyAndParse(t *testing.T) {
	t.Parallel()
	env := setupSim(t, hubspotsim.Options{WebhookBackoff: func(int) time.Duration { return 0 }})
	type got struct {
		err    error
		events []WebhookEvent
	}
	results := make(chan got, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := verifyRequest(r, body, hubspotsim.DefaultClientSecret, env.clock.Now(), 0)
		var events []WebhookEvent
		if err == nil {
			events, err = ParseWebhookEvents(body)
		}
		results <- got{err, events}
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(recv.Close)
	if err := env.sim.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: recv.URL + "/webhooks/hubspot",
		Subscriptions: hubspotsim.ContactSubscriptions(PropLifecycleStage)}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, _, err := env.client.Contacts.Create(ctx, map[string]string{"email": "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := env.client.Contacts.Create(ctx, map[string]string{"email": "b@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.client.Contacts.Update(ctx, a.ID, map[string]string{PropLifecycleStage: "customer"}); err != nil {
		t.Fatal(err)
	}
	merged, _, err := env.client.Contacts.Merge(ctx, a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	var all []WebhookEvent
	for len(all) < 4 {
		select {
		case g := <-results:
			if g.err != nil {
				t.Fatalf("receiver: %v", g.err)
			}
			all = append(all, g.events...)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d events arrived: %+v", len(all), all)
		}
	}
	byType := map[string]WebhookEvent{}
	for _, e := range all {
		if e.PortalID != env.portal.ID {
			t.Errorf("event of portal %d", e.PortalID)
		}
		byType[e.SubscriptionType] = e
	}
	if e := byType[WebhookContactPropertyChange]; e.ContactID() != a.ID || e.PropertyName != PropLifecycleStage || e.PropertyValue != "customer" {
		t.Errorf("propertyChange = %+v", e)
	}
	if e := byType[WebhookContactMerge]; strconv.FormatInt(e.NewObjectID, 10) != merged.ID || e.ContactID() != merged.ID ||
		strconv.FormatInt(e.PrimaryObjectID, 10) != a.ID || len(e.MergedObjectIDs) != 1 || strconv.FormatInt(e.MergedObjectIDs[0], 10) != b.ID {
		t.Errorf("merge = %+v (new %s)", e, merged.ID)
	}
}
