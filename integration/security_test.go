package integration_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/store"
)

const otherBrowser = "This HubSpot connection was started in another browser"

// The flow is bound to the browser that opened the start link: HubSpot's redirect arriving in a browser without
// that browser's nonce cookie (a forwarded or leaked consent link, or a victim lured into approving the
// attacker's link) connects nothing, exchanges no code and burns nothing for the admin.
func TestCallbackBoundToBrowser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		sub := e.subscribe(t)
		redirect := e.consent(t, e.authorize(t), portalA)
		n := len(e.sim.Requests())

		// Another browser that started a flow of its own has a nonce cookie too, just not this state's.
		attacker := newBrowser()
		e.authorizeIn(t, attacker)
		stolen := e.browser.states()
		for _, b := range []*browser{nil, newBrowser(), attacker} {
			p := e.callbackFrom(t, b, redirect)
			p.mustFail(t, integration.ResultForbidden, "Finish in the browser that started", otherBrowser, "Click Integrate on the HubSpot card again")
		}
		// The right cookie name with another value is another browser too.
		forged := newBrowser()
		for _, state := range stolen {
			forged.nonces[state] = strings.Repeat("A", 43)
		}
		e.callbackFrom(t, forged, redirect).mustFail(t, integration.ResultForbidden, otherBrowser)

		e.mustNothingStored(t)
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
			t.Errorf("the gateway exchanged the code of a callback from another browser (%d exchanges)", len(got))
		}
		if got := announcements(sub); got != 0 {
			t.Errorf("announced %d changes", got)
		}
		// The admin's own browser still finishes.
		e.callback(t, redirect).mustContain(t, "HubSpot connected")
	})
}

// A start link works once: opened a second time (forwarded after the admin opened it) it sets no cookie and
// does not lead to HubSpot.
func TestStartLinkSingleUse(t *testing.T) {
	e := newEnv(t, "sqlite")
	link := e.connectLink(t)
	if o := e.start(t, e.browser, link); o.Result != integration.ResultRedirect {
		t.Fatalf("first open: result %d", o.Result)
	}
	other := newBrowser()
	o := e.start(t, other, link)
	pageOf(o).mustFail(t, integration.ResultRefused, "already been opened")
	if len(other.states()) != 0 || o.AuthURL != "" {
		t.Errorf("a second open set cookies %v or redirected to %q", other.states(), o.AuthURL)
	}
	forged := strings.Replace(link, "state=", "state=x", 1)
	if p := pageOf(e.start(t, newBrowser(), forged)); !strings.Contains(p.Body, "not issued by Convrs") {
		t.Errorf("forged start link: %d %s", p.Result, p.Body)
	}
}

// HubSpot's (or anyone's) error_description is logged, never shown on the gateway's page.
func TestCallbackErrorDescriptionNotShown(t *testing.T) {
	e := newEnv(t, "sqlite")
	const theirs = "Your session expired. Call +1 555 0100 and read out your password"
	p := e.callback(t, publicURL+"/oauth/hubspot/callback?error=invalid_scope&error_description="+strings.ReplaceAll(theirs, " ", "+"))
	p.mustFail(t, integration.ResultRefused, "HubSpot connection failed", "HubSpot did not authorize the connection")
	if strings.Contains(p.Body, "password") || strings.Contains(p.Body, "invalid_scope") {
		t.Errorf("the page shows the query string's words:\n%s", p.Body)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "555 0100") || !strings.Contains(logs, "invalid_scope") {
		t.Errorf("the log lacks HubSpot's error:\n%s", logs)
	}
}

// Reconnecting the same portal revokes the refresh token it replaces when HubSpot issued a new one.
func TestReconnectSamePortalRevokesReplacedToken(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.mustConnect(t, portalA)
		old := e.refreshToken(t)
		n := len(e.sim.Requests())
		e.mustConnect(t, portalA)
		current := e.refreshToken(t)
		if current == old {
			t.Fatal("the simulator issued the same refresh token again; this test needs a new one")
		}
		e.mustBeRevoked(t, old)
		if revoked := e.revokedTokens(n); len(revoked) != 1 || revoked[0] != old {
			t.Errorf("revoked %d tokens, want the replaced one only", len(revoked))
		}
		if _, err := e.oauth.RefreshTokenInfo(context.Background(), current); err != nil {
			t.Errorf("the new refresh token does not work: %v", err)
		}
	})
}

// portalChangeQuestion connects portal A, then authorizes portal B and returns the confirmation page.
func portalChangeQuestion(t *testing.T, e *env) page {
	t.Helper()
	e.mustConnect(t, portalA)
	p := e.connect(t, portalB)
	p.mustContain(t, "Connect a different HubSpot portal?")
	return p
}

// The portal-change answer must come from the browser that was asked (server/ checks it came from the gateway's
// own page: TestHubspotConnectPages); refused answers change nothing and leave the question for the admin.
func TestConfirmBoundToOriginAndBrowser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		p := portalChangeQuestion(t, e)
		before := e.integration(t)
		e.confirmFrom(t, nil, p, "confirm").mustFail(t, integration.ResultForbidden, otherBrowser)
		e.confirmFrom(t, newBrowser(), p, "cancel").mustFail(t, integration.ResultForbidden, otherBrowser)
		if diff := cmp.Diff(before, e.integration(t)); diff != "" {
			t.Errorf("a refused answer changed the integration (-before +after):\n%s", diff)
		}
		done := e.confirm(t, p, "confirm")
		done.mustContain(t, "HubSpot connected", "portal 13572468")
	})
}

// Disable drops the pending question (and revokes the tokens it held): an answer sent afterwards does not
// bring the connection back.
func TestDisableDropsPendingConfirmation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		p := portalChangeQuestion(t, e)
		n := len(e.sim.Requests())
		if _, err := e.svc.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		if revoked := e.revokedTokens(n); len(revoked) != 2 {
			t.Errorf("Disable revoked %d refresh tokens, want 2 (the stored one and the pending one)", len(revoked))
		} else {
			for _, rt := range revoked {
				e.mustBeRevoked(t, rt)
			}
		}
		e.confirm(t, p, "confirm").mustFail(t, integration.ResultRefused, "expired or was already answered")
		e.mustNothingStored(t)
	})
}

// The answer finds the integration changed since the question (reconnected, here in another tab): nothing
// changes and the pending tokens are revoked.
func TestConfirmRefusedWhenIntegrationChanged(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		p := portalChangeQuestion(t, e)
		// The admin asks for a new question in another browser and cancels it: the first one is replaced.
		other := &env{}
		*other = *e
		other.browser = newBrowser()
		second := other.callback(t, other.consent(t, other.authorize(t), portalB))
		second.mustContain(t, "Connect a different HubSpot portal?")
		e.confirm(t, p, "confirm").mustFail(t, integration.ResultRefused, "expired or was already answered")

		// The question stands, then the integration changes: portal A reconnected (new ConnectedAt).
		e.mustConnect(t, portalA)
		before := e.integration(t)
		n := len(e.sim.Requests())
		other.confirm(t, second, "confirm").mustFail(t, integration.ResultConflict, "changed while you were being asked")
		if diff := cmp.Diff(before, e.integration(t)); diff != "" {
			t.Errorf("the stale answer changed the integration (-before +after):\n%s", diff)
		}
		if revoked := e.revokedTokens(n); len(revoked) != 1 {
			t.Errorf("revoked %d tokens, want the pending one", len(revoked))
		}
	})
}

// An admin demoted between the question and the answer cannot switch portals.
func TestConfirmRechecksAdmin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "convrs.db")
	db, err := store.Open(context.Background(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := newEnvDB(t, db)
	p := portalChangeQuestion(t, e)
	before := e.integration(t)

	raw, err := gorm.Open(sqlite.Open(path+"?_pragma=busy_timeout(10000)"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Exec("UPDATE staff SET role = ? WHERE id = ?", string(convrs.RoleAgent), "stf_admin").Error; err != nil {
		t.Fatal(err)
	}
	if s, _ := db.StaffByID(context.Background(), "stf_admin"); s == nil || s.Role != convrs.RoleAgent {
		t.Fatalf("demotion did not take: %+v", s)
	}
	e.confirm(t, p, "confirm").mustFail(t, integration.ResultForbidden, "Only an administrator")
	if diff := cmp.Diff(before, e.integration(t), ignoreOutcome); diff != "" {
		t.Errorf("a demoted admin's answer changed the integration (-before +after):\n%s", diff)
	}
}
