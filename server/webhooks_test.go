package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convrs/gateway/contactcard"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
)

// sink records the batches the handler hands on, and fails them while failing is set.
type sink struct {
	mu      sync.Mutex
	batches [][]contactcard.WebhookEvent
	failing bool
	got     chan struct{}
}

func (s *sink) HandleWebhook(_ context.Context, events []contactcard.WebhookEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		return errors.New("database down")
	}
	s.batches = append(s.batches, events)
	select {
	case s.got <- struct{}{}:
	default:
	}
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batches)
}

const webhookSecret = "test-client-secret"

func newWebhookHandler(t *testing.T, publicURL string, now time.Time) (*webhookHandler, *sink, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	s := &sink{got: make(chan struct{}, 16)}
	return &webhookHandler{secret: webhookSecret, publicURL: publicURL, events: s,
		logger: slog.New(slog.NewTextHandler(logs, nil)), now: func() time.Time { return now }}, s, logs
}

// signed is a webhook request as HubSpot sends it to https://convrs.test/webhooks/hubspot, signed at ts.
func signed(t *testing.T, body string, ts time.Time, secret string) *http.Request {
	t.Helper()
	stamp := strconv.FormatInt(ts.UnixMilli(), 10)
	r := httptest.NewRequest(http.MethodPost, "https://convrs.test"+WebhookPath, strings.NewReader(body))
	r.Header.Set(hubspot.HeaderRequestTimestamp, stamp)
	r.Header.Set(hubspot.HeaderSignatureV3, hubspot.SignWebhookV3(secret, http.MethodPost, "https://convrs.test"+WebhookPath, []byte(body), stamp))
	return r
}

func TestWebhookSignatures(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	body := `[{"eventId":1,"portalId":42,"occurredAt":1,"subscriptionType":"contact.propertyChange","objectId":7,"propertyName":"email","propertyValue":"x@example.com","attemptNumber":0}]`
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
		log    string
	}{
		{"valid", func() *http.Request { return signed(t, body, now.Add(-time.Minute), webhookSecret) }, http.StatusNoContent, ""},
		{"wrong secret", func() *http.Request { return signed(t, body, now, "another-secret") }, http.StatusUnauthorized, "signature does not match"},
		{"tampered body", func() *http.Request {
			r := signed(t, body, now, webhookSecret)
			r.Body = httptestBody(strings.Replace(body, `"objectId":7`, `"objectId":8`, 1))
			return r
		}, http.StatusUnauthorized, "signature does not match"},
		{"stale (a replay six minutes later)", func() *http.Request { return signed(t, body, now.Add(-6*time.Minute), webhookSecret) }, http.StatusUnauthorized, "timestamp invalid"},
		{"from the future", func() *http.Request { return signed(t, body, now.Add(6*time.Minute), webhookSecret) }, http.StatusUnauthorized, "timestamp invalid"},
		{"unsigned", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "https://convrs.test"+WebhookPath, strings.NewReader(body))
		}, http.StatusUnauthorized, "header missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, s, logs := newWebhookHandler(t, "https://convrs.test", now)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req())
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d (%s)", w.Code, tc.status, w.Body.String())
			}
			if tc.status != http.StatusNoContent {
				if s.count() != 0 {
					t.Error("a refused request reached the service")
				}
				if !strings.Contains(logs.String(), "hubspot webhook refused") || !strings.Contains(logs.String(), tc.log) {
					t.Errorf("log does not say why (%q):\n%s", tc.log, logs.String())
				}
				if strings.Contains(logs.String(), webhookSecret) {
					t.Error("the client secret was logged")
				}
			} else if s.count() != 1 || s.batches[0][0].ObjectID != 7 {
				t.Errorf("service got %v", s.batches)
			}
		})
	}

	t.Run("not applied: 500 so HubSpot retries", func(t *testing.T) {
		h, s, _ := newWebhookHandler(t, "https://convrs.test", now)
		s.failing = true
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, body, now, webhookSecret))
		if w.Code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", w.Code)
		}
	})
	t.Run("not events", func(t *testing.T) {
		h, _, _ := newWebhookHandler(t, "https://convrs.test", now)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, `{"hello":1}`, now, webhookSecret))
		if w.Code != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", w.Code)
		}
	})
}

func httptestBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// The simulator signs and sends webhooks as HubSpot does; the handler accepts them.
func TestWebhookFromSimulator(t *testing.T) {
	h, s, logs := newWebhookHandler(t, "", time.Time{})
	h.secret, h.now = hubspotsim.DefaultClientSecret, time.Now
	gw := httptest.NewServer(h)
	defer gw.Close()
	h.publicURL = gw.URL

	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true})
	portal := sim.CreatePortal(hubspotsim.PortalSpec{Name: "Webhooks"}).ID
	sim.IssueTokens(portal, "") // the app is installed
	if err := sim.SetWebhooks(hubspotsim.WebhookSettings{TargetURL: gw.URL + WebhookPath,
		Subscriptions: hubspotsim.ContactSubscriptions("lifecyclestage")}); err != nil {
		t.Fatal(err)
	}
	id := sim.SeedContact(portal, map[string]string{"email": "w@example.com"}, time.Time{})
	if err := sim.UpdateContact(portal, id, map[string]string{"lifecyclestage": "customer"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sim.WaitWebhooks(ctx); err != nil {
		t.Fatalf("deliveries did not settle: %v\n%s", err, logs.String())
	}
	var found bool
	s.mu.Lock()
	for _, b := range s.batches {
		for _, e := range b {
			if e.SubscriptionType == contactcard.EventPropertyChange && e.ContactID() == id && e.PortalID == portal && e.PropertyValue == "customer" {
				found = true
			}
		}
	}
	s.mu.Unlock()
	if !found {
		t.Errorf("no propertyChange of contact %s delivered; deliveries %+v\n%s", id, sim.WebhookDeliveries(), logs.String())
	}
	for _, d := range sim.WebhookDeliveries() {
		if !d.Delivered {
			t.Errorf("delivery not acknowledged: %+v", d)
		}
	}
}
