package integration_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubfault"
)

// The app uninstalled in HubSpot: the first call HubSpot refuses (401 INVALID_AUTHENTICATION, while the access
// token is not due for a refresh) puts the integration in ERROR at once and tells every card, once.
func TestFirstRefusedCallPutsIntegrationInError(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.mustConnect(t, portalA)
		if _, err := e.svc.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		c, _, err := e.svc.Client(ctx, wsID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Account.Details(ctx); err != nil {
			t.Fatal(err)
		}
		sub := e.subscribe(t)

		e.sim.RevokeApp(portalA)
		_, _, err = c.Account.Details(ctx)
		if !strings.Contains(err.Error(), "401") || hubfault.Of(err) != hubfault.Refused {
			t.Fatalf("call after the revoke = %v (%s), want a 401 refusal", err, hubfault.Of(err))
		}
		integ := e.mustState(t, convrs.IntegrationError)
		if !strings.Contains(integ.ErrorReason, "Reconnect") {
			t.Errorf("error reason %q", integ.ErrorReason)
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("ERROR announced %d times, want 1", n)
		}
		// A second refused call (another request in flight) changes nothing and announces nothing.
		if _, _, err := c.Account.Details(ctx); err == nil {
			t.Fatal("a revoked token worked")
		}
		if n := announcements(sub); n != 0 {
			t.Errorf("announced %d more times", n)
		}
		_, _, err = e.svc.Client(ctx, wsID)
		if hubfault.Of(err) != hubfault.Refused || convrs.ErrorCode(err) != convrs.EUNAVAILABLE {
			t.Errorf("Client in ERROR = %v, want EUNAVAILABLE that hubfault calls Refused", err)
		}
		if !strings.Contains(e.logs.String(), "hubspot refused the access token") {
			t.Errorf("the refusal is not in the log")
		}
	})
}

// A token HubSpot calls expired is renewed and the call retried: no ERROR.
func TestExpiredTokenIsNotARefusal(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	e.mustConnect(t, portalA)
	if _, err := e.svc.Enable(e.admin); err != nil {
		t.Fatal(err)
	}
	access, err := e.svc.AccessToken(ctx, wsID)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireAccessToken(access)
	c, _, err := e.svc.Client(ctx, wsID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Account.Details(ctx); err != nil {
		t.Fatalf("call with an expired token = %v, want it renewed and retried", err)
	}
	e.mustState(t, convrs.IntegrationEnabled)
}

// HubSpot answering 5xx: the integration carries a health line from the first unanswered call, in every
// process, until a call is answered again.
func TestHealthWhileHubspotDoesNotAnswer(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	e.mustConnect(t, portalA)
	if _, err := e.svc.Enable(e.admin); err != nil {
		t.Fatal(err)
	}
	sub := e.subscribe(t)
	c, _, err := e.svc.Client(ctx, wsID)
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now()
	e.sim.FailNext(4, http.StatusServiceUnavailable) // every attempt of the client's retry policy
	if _, _, err := c.Account.Details(ctx); hubfault.Of(err) != hubfault.Unavailable {
		t.Fatalf("call = %v, want HubSpot unavailable", err)
	}
	integ := e.mustState(t, convrs.IntegrationEnabled)
	if integ.Health == nil || integ.Health.UnansweredSince.Before(start.Add(-1)) || !strings.Contains(integ.Health.Detail, "503") {
		t.Fatalf("health = %+v, want unanswered since the first failure", integ.Health)
	}
	if n := announcements(sub); n != 1 {
		t.Errorf("the outage was announced %d times, want 1", n)
	}
	// Another gateway process shows the same line.
	other := e.restart()
	if got, err := other.Integration(e.admin); err != nil || got.Health == nil || !got.Health.UnansweredSince.Equal(integ.Health.UnansweredSince) {
		t.Fatalf("other process health = %+v, %v", got.Health, err)
	}
	// The first answered call, in any process, clears it.
	oc, _, err := other.Client(ctx, wsID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Account.Details(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.integration(t); got.Health != nil {
		t.Errorf("health after an answer = %+v, want none", got.Health)
	}
	if n := announcements(sub); n != 1 {
		t.Errorf("the end of the outage was announced %d times, want 1", n)
	}
}

func TestCheckConnection(t *testing.T) {
	e := newEnv(t, "sqlite")
	if _, err := e.svc.CheckConnection(e.admin, ""); convrs.ErrorCode(err) != convrs.ECONFLICT {
		t.Errorf("check before connecting = %v, want ECONFLICT", err)
	}
	e.mustConnect(t, portalA)
	if _, err := e.svc.CheckConnection(e.agent, ""); convrs.ErrorCode(err) != convrs.EFORBIDDEN {
		t.Errorf("agent check = %v, want EFORBIDDEN", err)
	}
	if _, err := e.svc.CheckConnection(e.admin, "12; DROP"); convrs.ErrorCode(err) != convrs.EINVALID {
		t.Errorf("check with a bad contact ID = %v, want EINVALID", err)
	}

	n := len(e.sim.Requests())
	got, err := e.svc.CheckConnection(e.admin, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []convrs.HubspotCheckOutcome{convrs.CheckPassed, convrs.CheckPassed, convrs.CheckPassed, convrs.CheckPassed, convrs.CheckSkipped}
	if !got.OK || len(got.Steps) != len(want) {
		t.Fatalf("check = %+v", got)
	}
	for i, st := range got.Steps {
		if st.Outcome != want[i] || st.Message == "" {
			t.Errorf("step %d = %+v, want %s with words", i, st, want[i])
		}
	}
	for _, r := range e.sim.Requests()[n:] {
		if r.Method != http.MethodGet && !strings.HasSuffix(r.Path, "/search") {
			t.Errorf("the check without a test note wrote: %s %s", r.Method, r.Path)
		}
	}

	bob := e.contactID(t, portalA, "bob@example.com")
	got, err = e.svc.CheckConnection(e.admin, bob)
	if err != nil || !got.OK {
		t.Fatalf("check with a test note = %+v, %v", got, err)
	}
	if last := got.Steps[len(got.Steps)-1]; last.Outcome != convrs.CheckPassed || !strings.Contains(last.Message, bob) {
		t.Errorf("test note step = %+v", last)
	}
	if notes := e.sim.Notes(portalA, bob); len(notes) != 1 || !strings.Contains(notes[0].Body, "Connection check from Convrs") {
		t.Errorf("notes on the contact = %+v, want the test note", notes)
	}

	// Revoked in HubSpot: the check says so in words, with HubSpot's answer as the detail, and the integration
	// goes to ERROR.
	e.sim.RevokeApp(portalA)
	got, err = e.svc.CheckConnection(e.admin, "")
	if err != nil || got.OK {
		t.Fatalf("check after a revoke = %+v, %v", got, err)
	}
	first := got.Steps[0]
	if first.Outcome != convrs.CheckFailed || !strings.Contains(first.Message, "Reconnect") || !strings.Contains(first.Detail, "401") {
		t.Errorf("first step after a revoke = %+v", first)
	}
	e.mustState(t, convrs.IntegrationError)
}
