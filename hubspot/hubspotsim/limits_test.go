package hubspotsim_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

func rateHeaders(r response) []string {
	return []string{
		r.Header.Get("X-HubSpot-RateLimit-Max"),
		r.Header.Get("X-HubSpot-RateLimit-Remaining"),
		r.Header.Get("X-HubSpot-RateLimit-Interval-Milliseconds"),
	}
}

func TestBurstLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.BurstLimit = 0; o.SearchPerSecond = 0 }) // HubSpot's defaults
	var last response
	for i := range 110 {
		last = e.call("GET", "/crm/v3/objects/contacts", nil)
		e.mustStatus(last, http.StatusOK)
		if i == 0 {
			if diff := cmp.Diff([]string{"110", "109", "10000"}, rateHeaders(last)); diff != "" {
				t.Errorf("first call headers (-want +got):\n%s", diff)
			}
		}
		e.clock.Advance(10 * time.Millisecond)
	}
	if diff := cmp.Diff([]string{"110", "0", "10000"}, rateHeaders(last)); diff != "" {
		t.Errorf("110th call headers (-want +got):\n%s", diff)
	}
	// Search has its own budget.
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/search", map[string]any{}), http.StatusOK)

	r := e.call("GET", "/crm/v3/objects/contacts", nil)
	e.mustStatus(r, http.StatusTooManyRequests)
	want := map[string]any{"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
		"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}
	if diff := cmp.Diff(want, dropVolatile(r.JSON(t))); diff != "" {
		t.Errorf("429 body (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"110", "0", "10000"}, rateHeaders(r)); diff != "" {
		t.Errorf("429 headers (-want +got):\n%s", diff)
	}
	// The window rolls: 10 s after the first call, one slot is free again.
	e.clock.Advance(10*time.Second - 1100*time.Millisecond)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusTooManyRequests)

	// Limits are per portal.
	other := e.ts.CreatePortal(hubspotsim.PortalSpec{Name: "Other"})
	tok, _ := e.ts.IssueTokens(other.ID, "")
	e.mustStatus(e.callAs(tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
}

func TestSearchLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.SearchPerSecond = 0 })
	for i := range 5 {
		r := e.call("POST", "/crm/v3/objects/contacts/search", map[string]any{})
		e.mustStatus(r, http.StatusOK)
		if got := r.Header.Get("X-HubSpot-RateLimit-Remaining"); got != []string{"4", "3", "2", "1", "0"}[i] {
			t.Errorf("search %d remaining = %s", i, got)
		}
	}
	r := e.call("POST", "/crm/v3/objects/notes/search", map[string]any{})
	e.mustStatus(r, http.StatusTooManyRequests)
	want := map[string]any{"status": "error", "message": "You have reached your secondly limit.",
		"errorType": "RATE_LIMIT", "policyName": "SECONDLY"}
	if diff := cmp.Diff(want, dropVolatile(r.JSON(t))); diff != "" {
		t.Errorf("429 body (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"5", "0", "1000"}, rateHeaders(r)); diff != "" {
		t.Errorf("429 headers (-want +got):\n%s", diff)
	}
	// Other calls are not held back.
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	e.clock.Advance(time.Second)
	e.mustStatus(e.call("POST", "/crm/v3/objects/contacts/search", map[string]any{}), http.StatusOK)
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ts.FailNext(2, http.StatusTooManyRequests)
	for range 2 {
		r := e.call("GET", "/crm/v3/objects/contacts", nil)
		e.mustStatus(r, http.StatusTooManyRequests)
		if r.JSON(t)["policyName"] != "TEN_SECONDLY_ROLLING" || r.Header.Get("X-HubSpot-RateLimit-Max") == "" {
			t.Errorf("injected 429: %s %v", r.Raw, r.Header)
		}
	}
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)

	// OAuth pages and token calls are not affected.
	e.ts.FailNext(1, http.StatusInternalServerError)
	e.mustStatus(e.callAs("", "POST", "/oauth/v1/token", nil), http.StatusBadRequest)
	r := e.call("POST", "/crm/v3/objects/contacts/search", map[string]any{})
	e.mustStatus(r, http.StatusInternalServerError)
	if m := dropVolatile(r.JSON(t)); m["status"] != "error" || m["category"] != "INTERNAL_ERROR" {
		t.Errorf("injected 500: %v", m)
	}

	e.ts.SetFailureRate(100)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusInternalServerError)
	e.ts.SetFailureRate(0)
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)

	e.ts.SetLatency(30 * time.Millisecond)
	start := time.Now()
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("latency %v < 30ms", d)
	}
	e.ts.SetLatency(0)

	var logged []hubspotsim.RequestLog
	for _, l := range e.ts.Requests() {
		if l.Path == "/crm/v3/objects/contacts/search" {
			logged = append(logged, l)
		}
	}
	if len(logged) != 1 || logged[0].Status != 500 || logged[0].PortalID != e.portal || logged[0].Method != "POST" {
		t.Errorf("request log = %+v", logged)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	contact := e.createContact(map[string]string{"email": "shared@example.com"})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			// t.Fatal must not run off the test goroutine, so check statuses with Errorf here.
			check := func(r response, want int) {
				if r.Status != want {
					t.Errorf("status %d, want %d: %s", r.Status, want, r.Raw)
				}
			}
			for i := range 10 {
				check(e.call("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": fmt.Sprintf("g%d-%d@example.com", g, i)}}), http.StatusCreated)
				check(e.call("POST", "/crm/v3/objects/contacts/search", eqFilter("email", "shared@example.com")), http.StatusOK)
				check(e.call("POST", "/crm/v3/objects/notes", noteInput(contact, "n", "1700000000000")), http.StatusCreated)
				e.ts.SeedContact(e.portal, map[string]string{"firstname": "Seed"}, time.Time{})
				_ = e.ts.Notes(e.portal, contact)
				_ = e.ts.Requests()
			}
		})
	}
	wg.Wait()
	if n := len(e.ts.Contacts(e.portal)); n != 1+8*10*2 {
		t.Errorf("%d contacts, want %d", n, 1+8*10*2)
	}
	if n := len(e.ts.Notes(e.portal, contact)); n != 80 {
		t.Errorf("%d notes, want 80", n)
	}
}
