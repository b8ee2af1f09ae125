package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/internal/testkit"
	"github.com/convrs/gateway/match"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/store"
	"github.com/convrs/gateway/store/storetest"
)

// postSigned sends events to url as HubSpot would: a JSON array, signed (v3) with secret for that exact URL.
func postSigned(t *testing.T, url, secret string, events []hubspot.WebhookEvent) int {
	t.Helper()
	body, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(hubspot.HeaderRequestTimestamp, stamp)
	req.Header.Set(hubspot.HeaderSignatureV3, hubspot.SignWebhookV3(secret, http.MethodPost, url, body, stamp))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// cardWebhookEnv is a workspace connected to a simulator portal with HubSpot enabled, its contact card
// service, and the webhook endpoint serving that card on gw (PUBLIC_URL = gw.URL).
type cardWebhookEnv struct {
	sim    *hubspotsim.TestServer
	portal int64
	db     *store.DB
	agent  context.Context
	card   *contactcard.Service
	gw     *httptest.Server
	logs   *testkit.LogBuffer
}

func newCardWebhookEnv(t *testing.T) *cardWebhookEnv {
	t.Helper()
	ctx := context.Background()
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true})
	portal := sim.CreatePortal(hubspotsim.PortalSpec{Name: "E2E", Country: "GB"}).ID
	db := storetest.OpenDB(t, "sqlite")
	const ws = "ws_e2e"
	_, agent := hubtest.Workspace(t, db, convrs.Workspace{ID: ws, Name: "E2E", DefaultRegion: "GB", TimeZone: "Europe/London"})
	box := hubtest.NewBox(t)
	hubtest.Connect(t, db, box, sim, convrs.HubspotConnection{WorkspaceID: ws, PortalID: portal, TokenExpiresAt: time.Now().Add(25 * time.Minute)})
	if _, err := db.EnableHubspot(ctx, ws); err != nil {
		t.Fatal(err)
	}
	kv, ps := cache.NewMemory(), pubsub.NewMemory()
	logs := &testkit.LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	hub := integration.New(integration.Config{Store: db, OAuth: hubtest.OAuth(sim), APIURL: sim.URL(), LinkURL: sim.URL(),
		Cache: kv, Locker: kv, Limiter: kv.Limiter(), PubSub: ps, Box: box, Logger: logger})
	card := contactcard.New(contactcard.Config{Store: db, Clients: hub, Cache: kv, Locker: kv, PubSub: ps, Logger: logger})
	card.SetMatcher(match.New(match.Config{Links: card.NotifyingLinks(db), Locker: kv, Logger: logger}))
	h := &webhookHandler{secret: hubspotsim.DefaultClientSecret, events: card, logger: logger, now: time.Now}
	gw := httptest.NewServer(h)
	t.Cleanup(gw.Close)
	h.publicURL = gw.URL
	return &cardWebhookEnv{sim: sim, portal: portal, db: db, agent: agent, card: card, gw: gw, logs: logs}
}

// A project app's natural webhooks are generic: a signed object.propertyChange of a contact (objectTypeId 0-1)
// reaching /webhooks/hubspot updates the agent's open card exactly as contact.propertyChange does; an event of
// another object with the contact's very ID is acknowledged and changes nothing.
func TestWebhookGenericFormUpdatesOpenCard(t *testing.T) {
	e := newCardWebhookEnv(t)
	sim, portal, db, agent, card, gw, logs := e.sim, e.portal, e.db, e.agent, e.card, e.gw, e.logs

	id := sim.SeedContact(portal, map[string]string{"firstname": "Bob", "email": "bob@example.com", "lifecyclestage": "lead"}, time.Time{})
	objectID, _ := strconv.ParseInt(id, 10, 64)
	first, email := "Bob", "bob@example.com"
	bob, err := db.CreateCustomer(agent, convrs.CustomerInput{FirstName: &first, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	if lk, err := card.Contact(agent, bob.ID); err != nil || lk.Contact == nil || lk.Contact.LifecycleStage != "Lead" {
		t.Fatalf("card = %+v, %v", lk, err)
	}
	sub, cancel := context.WithCancel(agent)
	defer cancel()
	updates, err := card.SubscribeContact(sub, bob.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Another object's events first (a company deleted, a company changed), under the contact's own ID.
	now := time.Now().UnixMilli()
	other := []hubspot.WebhookEvent{
		{EventID: 1, PortalID: portal, OccurredAt: now, SubscriptionType: hubspot.WebhookObjectDeletion, ObjectTypeID: "0-2", ObjectID: objectID},
		{EventID: 2, PortalID: portal, OccurredAt: now, SubscriptionType: "company.propertyChange", ObjectID: objectID, PropertyName: "name", PropertyValue: "x"},
	}
	if code := postSigned(t, gw.URL+WebhookPath, hubspotsim.DefaultClientSecret, other); code != http.StatusNoContent {
		t.Fatalf("other objects' events answered %d, want 204\n%s", code, logs.String())
	}
	if c, _ := db.FindCustomer(agent, bob.ID); c.HubspotContactID != id {
		t.Fatalf("another object's deletion unlinked the customer (now %q)", c.HubspotContactID)
	}
	if n := card.WebhookEventsIgnored(contactcard.IgnoredObjectType); n != 2 {
		t.Errorf("ignored for object_type = %d, want 2", n)
	}

	// The stage changes in HubSpot; HubSpot says so in the generic form.
	if err := sim.UpdateContact(portal, id, map[string]string{"lifecyclestage": "customer"}); err != nil {
		t.Fatal(err)
	}
	change := []hubspot.WebhookEvent{{EventID: 3, PortalID: portal, OccurredAt: time.Now().UnixMilli(), SubscriptionType: hubspot.WebhookObjectPropertyChange,
		ObjectTypeID: hubspot.ObjectTypeIDContact, ObjectID: objectID, PropertyName: "lifecyclestage", PropertyValue: "customer"}}
	if code := postSigned(t, gw.URL+WebhookPath, hubspotsim.DefaultClientSecret, change); code != http.StatusNoContent {
		t.Fatalf("object.propertyChange answered %d, want 204\n%s", code, logs.String())
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case lk := <-updates:
			if lk.Contact != nil && lk.Contact.LifecycleStage == "Customer" {
				return
			}
		case <-deadline:
			t.Fatalf("the open card never showed the new stage\n%s", logs.String())
		}
	}
}

// /metrics counts the webhook events the gateway acknowledged without effect, by reason.
func TestWebhookIgnoredEventsMetric(t *testing.T) {
	app := newTestApp(t)
	events := []hubspot.WebhookEvent{
		{EventID: 1, PortalID: 5, OccurredAt: 1, SubscriptionType: hubspot.WebhookObjectCreation, ObjectTypeID: "0-3", ObjectID: 9},
		{EventID: 2, PortalID: 5, OccurredAt: 2, SubscriptionType: hubspot.WebhookObjectAssociationChange, ObjectTypeID: hubspot.ObjectTypeIDContact, ObjectID: 9},
		{EventID: 3, PortalID: 5, OccurredAt: 3, SubscriptionType: hubspot.WebhookObjectCreation, ObjectTypeID: hubspot.ObjectTypeIDContact, ObjectID: 9},
	}
	body, _ := json.Marshal(events)
	stamp := strconv.FormatInt(time.Now().UnixMilli(), 10)
	url := app.cfg.PublicURL + WebhookPath
	r := httptest.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	r.Header.Set(hubspot.HeaderRequestTimestamp, stamp)
	r.Header.Set(hubspot.HeaderSignatureV3, hubspot.SignWebhookV3(hubspotsim.DefaultClientSecret, http.MethodPost, url, body, stamp))
	w := httptest.NewRecorder()
	app.handler.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("webhook answered %d %s, want 204", w.Code, w.Body)
	}
	metrics := serveMetrics(t, app).Body.String()
	for _, want := range []string{
		`convrs_hubspot_webhook_events_ignored_total{reason="object_type"} 1`,
		`convrs_hubspot_webhook_events_ignored_total{reason="subscription_type"} 1`,
		`convrs_hubspot_webhook_events_ignored_total{reason="portal"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(metrics, "convrs_hubspot_webhook"))
		}
	}
}
