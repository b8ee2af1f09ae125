package hubspotsim_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/google/go-cmp/cmp"
)

// received is one webhook request as the receiver saw it.
type received struct {
	events    []map[string]any
	sigOK     bool
	timestamp string
}

// receiver is an httptest webhook endpoint; answer decides the status of the n-th request (0-based).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	got    chan received
	mu     sync.Mutex
	n      int
	answer func(n int, r *http.Request) int
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	t.Helper()
	rc := &receiver{t: t, got: make(chan received, 100), answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var events []map[string]any
		if err := json.Unmarshal(body, &events); err != nil {
			t.Errorf("webhook body is not an array of events: %s", body)
		}
		ts := r.Header.Get("X-HubSpot-Request-Timestamp")
		mac := hmac.New(sha256.New, []byte(hubspotsim.DefaultClientSecret))
		mac.Write([]byte(r.Method + "http://" + r.Host + r.URL.RequestURI() + string(body) + ts))
		sigOK := hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-HubSpot-Signature-v3")))
		// Recorded in the order the requests arrive, before answering: an answer held back until the simulator
		// gave up must not let the retry be recorded first.
		rc.mu.Lock()
		n := rc.n
		rc.n++
		rc.got <- received{events: events, sigOK: sigOK, timestamp: ts}
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.answer != nil {
			status = rc.answer(n, r)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// next waits for the next webhook request (bounded, so a missing one fails instead of hanging).
func (rc *receiver) next() received {
	rc.t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(10 * time.Second):
		rc.t.Fatal("no webhook request arrived")
		return received{}
	}
}

func (rc *receiver) none(e *env) {
	rc.t.Helper()
	waitWebhooks(e)
	select {
	case r := <-rc.got:
		rc.t.Errorf("unexpected webhook: %v", r.events)
	default:
	}
}

func waitWebhooks(e *env) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.ts.WaitWebhooks(ctx); err != nil {
		e.t.Fatalf("webhooks still busy: %v", err)
	}
}

func noBackoff(o *hubspotsim.Options) { o.WebhookBackoff = func(int) time.Duration { return 0 } }

// volatile drops the fields that differ run to run.
func volatile(events []map[string]any) []map[string]any {
	for _, e := range events {
		delete(e, "eventId")
		delete(e, "subscriptionId")
	}
	return events
}

func TestWebhooksForEveryContactEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL + "/webhooks/hubspot?src=sim",
		Subscriptions: hubspotsim.ContactSubscriptions(hubspotsim.CardProperties...)}); err != nil {
		t.Fatal(err)
	}
	at := float64(e.clock.Now().UnixMilli())
	base := func(typ string, id string, source string) map[string]any {
		n, _ := strconv.ParseInt(id, 10, 64)
		return map[string]any{"portalId": float64(e.portal), "appId": float64(2218437), "occurredAt": at, "subscriptionType": typ,
			"attemptNumber": float64(0), "objectId": float64(n), "changeSource": source}
	}
	expect := func(want ...map[string]any) {
		t.Helper()
		r := rc.next()
		if !r.sigOK {
			t.Error("signature v3 does not verify")
		}
		if r.timestamp != strconv.FormatInt(e.clock.Now().UnixMilli(), 10) {
			t.Errorf("timestamp %s is not the simulator's clock", r.timestamp)
		}
		if diff := cmp.Diff(want, volatile(r.events)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	}

	id := e.createContact(map[string]string{"email": "w@x.test", "firstname": "Wen"})
	expect(base("contact.creation", id, "API"))

	e.mustStatus(e.call("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]string{"lifecyclestage": "customer", "company": "Not watched"}}), http.StatusOK)
	change := base("contact.propertyChange", id, "API")
	change["propertyName"], change["propertyValue"] = "lifecyclestage", "customer"
	expect(change)

	if err := e.ts.UpdateContact(e.portal, id, map[string]string{"firstname": "", "lastname": "Li"}); err != nil {
		t.Fatal(err)
	}
	cleared, named := base("contact.propertyChange", id, "CRM_UI"), base("contact.propertyChange", id, "CRM_UI")
	cleared["propertyName"], cleared["propertyValue"] = "firstname", ""
	named["propertyName"], named["propertyValue"] = "lastname", "Li"
	expect(cleared, named) // one change, one batch

	e.mustStatus(e.call("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)
	expect(base("contact.deletion", id, "API"))
	e.mustStatus(simCall(t, e, "POST", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+id+"/restore", ""), http.StatusNoContent)
	expect(base("contact.restore", id, "CRM_UI"))

	other := e.createContact(map[string]string{"email": "w2@x.test"})
	expect(base("contact.creation", other, "API"))
	r := e.call("POST", "/crm/v3/objects/contacts/merge", map[string]string{"primaryObjectId": id, "objectIdToMerge": other})
	e.mustStatus(r, http.StatusOK)
	newID := r.JSON(t)["id"].(string)
	merge := base("contact.merge", newID, "API")
	merge["primaryObjectId"], merge["mergedObjectIds"], merge["newObjectId"], merge["numberOfPropertiesMoved"] = mustFloat(id), []any{mustFloat(other)}, mustFloat(newID), float64(0)
	expect(merge)

	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]string{"objectId": newID}), http.StatusNoContent)
	expect(base("contact.privacyDeletion", newID, "GDPR"))

	// Batched: one batch create, one request.
	r = e.call("POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]string{"email": "b1@x.test"}},
		map[string]any{"properties": map[string]string{"email": "b2@x.test"}},
		map[string]any{"properties": map[string]string{"email": "b3@x.test"}},
	}})
	e.mustStatus(r, http.StatusCreated)
	if got := rc.next(); len(got.events) != 3 {
		t.Errorf("batch create sent %d events in one request, want 3", len(got.events))
	}
	rc.none(e)
}

func mustFloat(id string) float64 {
	n, _ := strconv.ParseFloat(id, 64)
	return n
}

func TestWebhooksOnlyForSubscriptionsAndInstalledPortals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: []hubspotsim.WebhookSubscription{
		{EventType: hubspotsim.EventContactPropertyChange, PropertyName: "lifecyclestage", Active: true},
		{EventType: hubspotsim.EventContactDeletion, Active: false},
	}}); err != nil {
		t.Fatal(err)
	}
	id := e.createContact(map[string]string{"email": "quiet@x.test"}) // creation: not subscribed
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]string{"firstname": "Q"}}), http.StatusOK)
	e.mustStatus(e.call("PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]string{"lifecyclestage": ""}}), http.StatusOK) // no change
	e.mustStatus(e.call("DELETE", "/crm/v3/objects/contacts/"+id, nil), http.StatusNoContent)                                                           // inactive
	rc.none(e)

	// Another portal where the app is not installed: nothing.
	other := e.ts.CreatePortal(hubspotsim.PortalSpec{Name: "Not installed"})
	oid := e.ts.SeedContact(other.ID, nil, time.Time{})
	if err := e.ts.UpdateContact(other.ID, oid, map[string]string{"lifecyclestage": "lead"}); err != nil {
		t.Fatal(err)
	}
	// Uninstalled: nothing either.
	id2 := e.ts.SeedContact(e.portal, nil, time.Time{})
	e.ts.RevokeApp(e.portal)
	if err := e.ts.UpdateContact(e.portal, id2, map[string]string{"lifecyclestage": "lead"}); err != nil {
		t.Fatal(err)
	}
	rc.none(e)
}

func TestWebhookRetriesWithRisingAttemptNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, func(n int, _ *http.Request) int {
		return []int{http.StatusInternalServerError, http.StatusNotFound, http.StatusNoContent}[min(n, 2)]
	})
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: hubspotsim.ContactSubscriptions()}); err != nil {
		t.Fatal(err)
	}
	e.createContact(map[string]string{"email": "r@x.test"})
	var ids []any
	for attempt := range 3 {
		r := rc.next()
		if len(r.events) != 1 || r.events[0]["attemptNumber"] != float64(attempt) {
			t.Fatalf("request %d: %v, want attemptNumber %d", attempt, r.events, attempt)
		}
		ids = append(ids, r.events[0]["eventId"])
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("a retry changed the eventId: %v", ids)
	}
	rc.none(e)
	var statuses []int
	for _, d := range e.ts.WebhookDeliveries() {
		statuses = append(statuses, d.Status)
	}
	if diff := cmp.Diff([]int{500, 404, 204}, statuses); diff != "" {
		t.Errorf("delivery statuses (-want +got):\n%s", diff)
	}
}

func TestWebhookRetriesAreBounded(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var waits []int
	e := newEnv(t, func(o *hubspotsim.Options) {
		o.WebhookMaxAttempts = 4
		o.WebhookBackoff = func(attempt int) time.Duration {
			mu.Lock()
			waits = append(waits, attempt)
			mu.Unlock()
			return 0
		}
	})
	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusServiceUnavailable })
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: hubspotsim.ContactSubscriptions()}); err != nil {
		t.Fatal(err)
	}
	e.createContact(map[string]string{"email": "down@x.test"})
	for range 4 {
		rc.next()
	}
	rc.none(e)
	d := e.ts.WebhookDeliveries()
	if len(d) != 4 || d[3].Delivered || d[3].AttemptNumber != 3 {
		t.Errorf("deliveries = %+v, want 4 failed attempts", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]int{0, 1, 2}, waits); diff != "" {
		t.Errorf("backoff asked for (-want +got):\n%s", diff)
	}
}

func TestWebhookSlowAnswerIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff, func(o *hubspotsim.Options) { o.WebhookTimeout = 200 * time.Millisecond })
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 0 {
			<-r.Context().Done() // answer only after the simulator gave up on this attempt
		}
		return http.StatusOK
	})
	if err := e.ts.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: rc.srv.URL, Subscriptions: hubspotsim.ContactSubscriptions()}); err != nil {
		t.Fatal(err)
	}
	e.createContact(map[string]string{"email": "slow@x.test"})
	first, second := rc.next(), rc.next()
	if first.events[0]["attemptNumber"] != float64(0) || second.events[0]["attemptNumber"] != float64(1) {
		t.Errorf("attempts %v then %v", first.events[0]["attemptNumber"], second.events[0]["attemptNumber"])
	}
	waitWebhooks(e)
	d := e.ts.WebhookDeliveries()
	if len(d) != 2 || d[0].Delivered || d[0].Error == "" || !d[1].Delivered {
		t.Errorf("deliveries = %+v", d)
	}
}

func TestWebhookControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, noBackoff)
	rc := newReceiver(t, nil)
	r := simCall(t, e, "PUT", "/_sim/apps/2218437/webhooks", `{"targetUrl":"`+rc.srv.URL+`","subscriptions":[
	  {"eventType":"contact.creation"},{"eventType":"contact.propertyChange","propertyName":"email","active":true}]}`)
	e.mustStatus(r, http.StatusOK)
	var ws hubspotsim.WebhookSettings
	r.Into(t, &ws)
	if ws.TargetURL != rc.srv.URL || len(ws.Subscriptions) != 2 || ws.Subscriptions[0].ID == 0 || !ws.Subscriptions[0].Active {
		t.Errorf("settings = %+v", ws)
	}
	e.mustStatus(simCall(t, e, "GET", "/_sim/apps/2218437/webhooks", ""), http.StatusOK)
	for _, bad := range []string{
		`{"targetUrl":"ftp://x"}`,
		`{"targetUrl":"/relative"}`,
		`{"targetUrl":"http://x.test","subscriptions":[{"eventType":"deal.creation"}]}`,
		`{"targetUrl":"http://x.test","subscriptions":[{"eventType":"contact.propertyChange"}]}`,
		`{"targetUrl":"http://x.test","subscriptions":[{"eventType":"contact.creation","propertyName":"email"}]}`,
	} {
		e.mustStatus(simCall(t, e, "PUT", "/_sim/apps/2218437/webhooks", bad), http.StatusBadRequest)
	}
	e.mustStatus(simCall(t, e, "PUT", "/_sim/apps/1/webhooks", `{}`), http.StatusNotFound)
	if got := e.ts.Webhooks(); got.TargetURL != rc.srv.URL {
		t.Errorf("a rejected PUT changed the settings: %+v", got)
	}

	id := e.createContact(map[string]string{"email": "c@x.test"})
	rc.next()
	e.mustStatus(simCall(t, e, "PATCH", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+id, `{"properties":{"email":"new@x.test"}}`), http.StatusOK)
	if got := rc.next(); got.events[0]["propertyValue"] != "new@x.test" || got.events[0]["changeSource"] != "CRM_UI" {
		t.Errorf("control-API change sent %v", got.events)
	}
	e.mustStatus(simCall(t, e, "PATCH", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+id, `{"properties":{"email":"not an email"}}`), http.StatusBadRequest)
	waitWebhooks(e)
	r = simCall(t, e, "GET", "/_sim/apps/2218437/webhooks/deliveries", "")
	var deliveries []hubspotsim.WebhookDelivery
	r.Into(t, &deliveries)
	if len(deliveries) != 2 || !deliveries[1].Delivered {
		t.Errorf("deliveries = %+v", deliveries)
	}
	e.mustStatus(simCall(t, e, "DELETE", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+id, ""), http.StatusNoContent)
	e.mustStatus(simCall(t, e, "DELETE", "/_sim/portals/"+itoa(e.portal)+"/contacts/"+id, ""), http.StatusNotFound)
}
