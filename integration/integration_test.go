package integration_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/secret"
)

// ignoreOutcome compares integrations without the last attempt's outcome.
var ignoreOutcome = cmpopts.IgnoreFields(convrs.HubspotIntegration{}, "LastConnectError")

func (e *env) subscribe(t *testing.T) <-chan []byte {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub, err := e.ps.Subscribe(ctx, convrs.TopicHubspot(wsID))
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestConnect(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		sub := e.subscribe(t)
		link, expires, err := e.svc.Connect(e.admin)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		if d := time.Until(expires); d < 9*time.Minute || d > 10*time.Minute {
			t.Errorf("link expires in %v, want 10 minutes", d)
		}
		// The link is the gateway's own start link: it binds the browser (a nonce for its cookie) and sends it to
		// HubSpot. (The cookie itself is server/'s: TestHubspotConnectPages.)
		o := e.start(t, e.browser, link)
		if o.Result != integration.ResultRedirect || o.Cookie != integration.CookieSet || len(o.Nonce) < 32 || o.CookieTTL != integration.StateTTL {
			t.Fatalf("start link: %+v, want a redirect setting a nonce for the link's 10 minutes", o)
		}
		authURL := o.AuthURL
		if stateOf(t, authURL) != stateOf(t, link) {
			t.Errorf("the start link and HubSpot's URL carry different states")
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if got := u.Scheme + "://" + u.Host + u.Path; got != e.sim.URL()+"/oauth/authorize" {
			t.Errorf("authorization URL %s, want the consent page %s/oauth/authorize", got, e.sim.URL())
		}
		if q.Get("client_id") != hubspotsim.DefaultClientID || q.Get("redirect_uri") != publicURL+integration.CallbackPath {
			t.Errorf("client_id %q, redirect_uri %q", q.Get("client_id"), q.Get("redirect_uri"))
		}
		if diff := cmp.Diff(hubspotsim.ProductScopes, strings.Fields(q.Get("scope"))); diff != "" {
			t.Errorf("scope (-want +got):\n%s", diff)
		}
		if !strings.Contains(u.RawQuery, "scope=oauth%20crm.objects.contacts.read%20") {
			t.Errorf("scopes are not %%20-separated: %s", u.RawQuery)
		}
		state := q.Get("state")
		if len(state) < 32 {
			t.Errorf("state %q is too short to be unguessable", state)
		}
		if again := e.authorizeIn(t, newBrowser()); strings.Contains(again, state) {
			t.Error("two Connect calls share a state")
		}

		redirect := e.consent(t, authURL, portalA)
		if !strings.HasPrefix(redirect, publicURL+integration.CallbackPath+"?") {
			t.Fatalf("HubSpot redirected to %s", redirect)
		}
		p := e.callback(t, redirect)
		if p.Result != integration.ResultConnected {
			t.Fatalf("callback: result %d\n%s", p.Result, p.Body)
		}
		p.mustContain(t, "HubSpot connected", "portal 24681357 as "+hubspotsim.DemoUserEmail, "press Enable")
		if states := e.browser.states(); len(states) != 0 {
			t.Errorf("the callback left nonce cookies for %v", states)
		}

		integ := e.mustState(t, convrs.IntegrationConnected)
		want := &convrs.HubspotIntegration{WorkspaceID: wsID, State: convrs.IntegrationConnected, PortalID: portalA,
			UIDomain: "app.hubspot.com", HubUserEmail: hubspotsim.DemoUserEmail, Scopes: integration.RequiredScopes}
		if diff := cmp.Diff(want, integ, cmp.FilterPath(func(p cmp.Path) bool {
			f := p.Last().String()
			return f == ".ConnectedAt" || f == ".UpdatedAt"
		}, cmp.Ignore())); diff != "" {
			t.Errorf("integration (-want +got):\n%s", diff)
		}
		if integ.ConnectedAt == nil {
			t.Error("ConnectedAt not set")
		}
		if got, want := e.svc.ContactURL(integ, "101"), e.sim.URL()+"/contacts/24681357/record/0-1/101"; got != want {
			t.Errorf("ContactURL = %s, want %s", got, want)
		}
		// Syncing is off until Enable: no hook, so closing a conversation queues no sync.
		if e.closeQueuesSync(t) {
			t.Error("a close after connect queued a sync, before Enable")
		}
		e.closeConversation(t, e.openConversation(t))
		if syncs := e.syncs(t); len(syncs) != 0 {
			t.Errorf("closing a conversation before Enable queued %d syncs", len(syncs))
		}
		// Agents read the integration (outbound search needs its options).
		if got, err := e.svc.Integration(e.agent); err != nil || got.State != convrs.IntegrationConnected {
			t.Errorf("agent Integration = %v, %v", got, err)
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("connect announced %d times, want 1", n)
		}
	})
}

func TestConnectPartialGrant(t *testing.T) {
	e := newEnv(t, "sqlite")
	sub := e.subscribe(t)
	n := len(e.sim.Requests())
	p := e.callback(t, e.consent(t, e.authorize(t), portalA, "crm.objects.owners.read"))
	p.mustFail(t, integration.ResultDeclined, "All permissions are needed", "nothing was connected", "Missing: crm.objects.owners.read.")
	if strings.Contains(p.Body, "crm.objects.contacts.read,") {
		t.Error("page names granted scopes as missing")
	}
	e.mustNothingStored(t)
	if len(e.requests(n, http.MethodPost, hubspot.OAuthPathToken)) != 1 {
		t.Fatal("the code was not exchanged: the partial grant was not seen by the gateway")
	}
	revoked := e.revokedTokens(n)
	if len(revoked) != 1 {
		t.Fatalf("revoked %d refresh tokens at HubSpot, want 1", len(revoked))
	}
	e.mustBeRevoked(t, revoked[0])
	// The card learns why: one announcement, and the reason on the integration.
	if n := announcements(sub); n != 1 {
		t.Errorf("a refused connection announced %d changes, want 1 (its outcome)", n)
	}
	if got := e.integration(t).LastConnectError; !strings.Contains(got, "Missing: crm.objects.owners.read.") {
		t.Errorf("LastConnectError = %q, want the missing scope", got)
	}
}

func TestConnectCancelled(t *testing.T) {
	e := newEnv(t, "sqlite")
	n := len(e.sim.Requests())
	authURL := e.authorize(t)
	cancel := cancelLink(t, e.consentPage(t, authURL))
	p := e.callback(t, cancel)
	p.mustFail(t, integration.ResultDeclined, "HubSpot connection cancelled", "You cancelled on HubSpot's consent screen, so nothing was connected.")
	e.mustNothingStored(t)

	// The cancelled link cannot be used afterwards.
	p = e.callback(t, e.consent(t, authURL, portalA))
	p.mustFail(t, integration.ResultRefused, "already been used")
	e.mustNothingStored(t)
	if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
		t.Errorf("the gateway exchanged %d codes", len(got))
	}
}

// withState replaces the state of a callback URL.
func withState(t *testing.T, redirect, state string) string {
	t.Helper()
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String()
}

// stateOf returns the state of an authorization or callback URL.
func stateOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

func TestCallbackRejectsBadState(t *testing.T) {
	const forged = "This connection link was not issued by Convrs, so nothing was connected."
	random := make([]byte, 56) // the size of a real state
	_, _ = rand.Read(random)

	for _, tc := range []struct {
		name  string
		state func(real string) string
	}{
		{"random", func(string) string { return base64.RawURLEncoding.EncodeToString(random) }},
		{"garbage", func(string) string { return "not-a-state" }},
		{"missing", func(string) string { return "" }},
		{"tampered", func(real string) string {
			b := []byte(real)
			if b[20] == 'A' {
				b[20] = 'B'
			} else {
				b[20] = 'A'
			}
			return string(b)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "sqlite")
			sub := e.subscribe(t)
			redirect := e.consent(t, e.authorize(t), portalA)
			n := len(e.sim.Requests())
			p := e.callback(t, withState(t, redirect, tc.state(stateOf(t, redirect))))
			p.mustFail(t, integration.ResultRefused, "HubSpot connection failed", forged, "Start again with Integrate")
			e.mustNothingStored(t)
			if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
				t.Errorf("the gateway exchanged the code of a forged callback")
			}
			if n := announcements(sub); n != 0 {
				t.Errorf("announced %d changes", n)
			}
			// A forged state burns nothing: the admin's genuine redirect still connects.
			if p := e.callback(t, redirect); !strings.Contains(p.Body, "HubSpot connected") {
				t.Errorf("genuine callback after a forged one: result %d\n%s", p.Result, p.Body)
			}
		})
	}

	t.Run("reused", func(t *testing.T) {
		e := newEnv(t, "sqlite")
		redirect := e.consent(t, e.authorize(t), portalA)
		n := len(e.sim.Requests())
		if p := e.callback(t, redirect); !strings.Contains(p.Body, "HubSpot connected") {
			t.Fatalf("first use: result %d\n%s", p.Result, p.Body)
		}
		first := e.mustState(t, convrs.IntegrationConnected)
		sub := e.subscribe(t)

		// Reloading the success page: the connection is complete, and nothing happens again.
		p := e.callback(t, redirect)
		p.mustFail(t, integration.ResultConnected, "HubSpot is connected", "The connection is complete: Convrs is connected to HubSpot portal 24681357.")
		if strings.Contains(p.Body, "already been used") {
			t.Errorf("the reload says the link was used: %s", p.Body)
		}
		// Elsewhere (another browser, no cookie) it reads the same; after a Disable it is a used link again.
		e.callbackFrom(t, nil, redirect).mustContain(t, "The connection is complete")
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 {
			t.Errorf("%d code exchanges, want 1", len(got))
		}
		if diff := cmp.Diff(first, e.mustState(t, convrs.IntegrationConnected)); diff != "" {
			t.Errorf("the replay changed the integration (-before +after):\n%s", diff)
		}
		if n := announcements(sub); n != 0 {
			t.Errorf("a replay announced %d changes", n)
		}
		if got := e.integration(t).LastConnectError; got != "" {
			t.Errorf("a replay set LastConnectError %q", got)
		}
		if _, err := e.svc.Disable(e.admin); err != nil {
			t.Fatal(err)
		}
		e.callback(t, redirect).mustFail(t, integration.ResultRefused, "This connection link has already been used, so nothing more was connected.")
	})

	t.Run("expired", func(t *testing.T) {
		e := newEnv(t, "sqlite")
		authURL := e.authorize(t)
		e.clock.Advance(11 * time.Minute)
		n := len(e.sim.Requests())
		p := e.callback(t, e.consent(t, authURL, portalA))
		p.mustFail(t, integration.ResultRefused, "This connection link has expired (links are valid for 10 minutes), so nothing was connected.")
		e.mustNothingStored(t)
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
			t.Errorf("the gateway exchanged the code of an expired link")
		}
		// A fresh link works.
		e.mustConnect(t, portalA)
	})
}

// TestCallbackCodeRefused: a genuine, fresh link carrying a code HubSpot refuses (here: one already exchanged)
// fails with a page and changes nothing.
func TestCallbackCodeRefused(t *testing.T) {
	e := newEnv(t, "sqlite")
	used := e.consent(t, e.authorize(t), portalA)
	e.callback(t, used)
	before := e.mustState(t, convrs.IntegrationConnected)
	sub := e.subscribe(t)

	p := e.callback(t, withState(t, used, stateOf(t, e.authorize(t))))
	p.mustFail(t, integration.ResultHubspotFailed, "HubSpot did not accept the authorization", "Nothing was connected")
	after := e.integration(t)
	if diff := cmp.Diff(before, after, ignoreOutcome); diff != "" {
		t.Errorf("integration changed (-before +after):\n%s", diff)
	}
	if n := announcements(sub); n != 1 || !strings.Contains(after.LastConnectError, "did not accept the authorization") {
		t.Errorf("announced %d changes with LastConnectError %q, want 1 saying HubSpot refused", n, after.LastConnectError)
	}
}

func TestAdminOnly(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.mustConnect(t, portalA)
	sub := e.subscribe(t)
	for name, call := range map[string]func(context.Context) error{
		"Connect": func(ctx context.Context) error { _, _, err := e.svc.Connect(ctx); return err },
		"Enable":  func(ctx context.Context) error { _, err := e.svc.Enable(ctx); return err },
		"Disable": func(ctx context.Context) error { _, err := e.svc.Disable(ctx); return err },
		"SaveOptions": func(ctx context.Context) error {
			_, err := e.svc.SaveOptions(ctx, convrs.HubspotOptions{AllowOutboundSearch: true})
			return err
		},
	} {
		wantCode(t, name+" as agent", call(e.agent), convrs.EFORBIDDEN)
		wantCode(t, name+" without principal", call(context.Background()), convrs.EUNAUTHORIZED)
	}
	_, err := e.svc.Integration(context.Background())
	wantCode(t, "Integration without principal", err, convrs.EUNAUTHORIZED)

	integ := e.mustState(t, convrs.IntegrationConnected)
	if integ.Options != (convrs.HubspotOptions{}) {
		t.Errorf("options changed to %+v", integ.Options)
	}
	if e.refreshToken(t) == "" {
		t.Error("tokens gone")
	}
	if n := announcements(sub); n != 0 {
		t.Errorf("refused calls announced %d changes", n)
	}
}

func TestEnable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		_, err := e.svc.Enable(e.admin)
		wantCode(t, "Enable while disconnected", err, convrs.ECONFLICT)

		e.mustConnect(t, portalA)
		sub := e.subscribe(t)
		integ, err := e.svc.Enable(e.admin)
		if err != nil {
			t.Fatalf("Enable: %v", err)
		}
		if integ.State != convrs.IntegrationEnabled || integ.EnabledAt == nil {
			t.Errorf("Enable returned %s, enabled at %v", integ.State, integ.EnabledAt)
		}
		e.mustState(t, convrs.IntegrationEnabled)
		conv := e.openConversation(t)
		e.closeConversation(t, conv)
		syncs := e.syncs(t)
		if len(syncs) != 1 || syncs[0].ConversationID != conv || syncs[0].Status != convrs.SyncQueued {
			t.Errorf("closing a conversation queued %+v, want one queued sync for %s", syncs, conv)
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("Enable announced %d times, want 1", n)
		}

		_, err = e.svc.Enable(e.admin)
		wantCode(t, "Enable while enabled", err, convrs.ECONFLICT)
		if n := announcements(sub); n != 0 {
			t.Errorf("a refused Enable announced %d changes", n)
		}
	})
}

func TestSaveOptions(t *testing.T) {
	e := newEnv(t, "sqlite")
	_, err := e.svc.SaveOptions(e.admin, convrs.HubspotOptions{AllowOutboundSearch: true})
	wantCode(t, "SaveOptions while disconnected", err, convrs.ECONFLICT)

	e.mustConnect(t, portalA)
	sub := e.subscribe(t)
	_, err = e.svc.SaveOptions(e.admin, convrs.HubspotOptions{RequireOutboundMatch: true})
	wantCode(t, "requireOutboundMatch alone", err, convrs.EINVALID)
	if ce := (*convrs.Error)(nil); !errors.As(err, &ce) || ce.Field != "requireOutboundMatch" {
		t.Errorf("error %v does not name the field requireOutboundMatch", err)
	}
	if got := e.integration(t).Options; got != (convrs.HubspotOptions{}) {
		t.Errorf("invalid options stored: %+v", got)
	}
	if n := announcements(sub); n != 0 {
		t.Errorf("invalid options announced %d changes", n)
	}

	want := convrs.HubspotOptions{AllowOutboundSearch: true, RequireOutboundMatch: true}
	integ, err := e.svc.SaveOptions(e.admin, want)
	if err != nil || integ.Options != want {
		t.Fatalf("SaveOptions = %+v, %v", integ, err)
	}
	if got := e.integration(t).Options; got != want {
		t.Errorf("stored options %+v, want %+v", got, want)
	}
	if n := announcements(sub); n != 1 {
		t.Errorf("SaveOptions announced %d times, want 1", n)
	}

	// Reconnecting the same portal keeps them.
	e.mustConnect(t, portalA)
	if got := e.mustState(t, convrs.IntegrationConnected).Options; got != want {
		t.Errorf("options after reconnect %+v, want %+v", got, want)
	}
}

func TestReconnectToAnotherPortal(t *testing.T) {
	// setup connects portal A with syncing on and a customer linked to one of A's contacts, then authorizes
	// portal B and returns the confirmation page.
	setup := func(t *testing.T, e *env) (confirmPage page, before *convrs.HubspotIntegration, rtA string, n int) {
		e.mustConnect(t, portalA)
		if _, err := e.svc.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		if err := e.db.LinkHubspotContact(e.admin, e.custID, portalA, e.contactID(t, portalA, "alice@example.com"), convrs.HubspotLinkSource{}); err != nil {
			t.Fatal(err)
		}
		before, rtA = e.integration(t), e.refreshToken(t)
		n = len(e.sim.Requests())
		p := e.connect(t, portalB)
		p.mustFail(t, integration.ResultAskSwitch, "Connect a different HubSpot portal?")
		if q := *p.Switch; q.NewPortal != "13572468" || q.OldPortal != "24681357" || q.Linked != 1 {
			t.Errorf("question %+v, want portal 13572468 replacing 24681357 with 1 customer linked", q)
		}
		// Nothing changes until the admin answers.
		if diff := cmp.Diff(before, e.integration(t)); diff != "" {
			t.Errorf("integration changed before confirmation (-before +after):\n%s", diff)
		}
		if e.customer(t).HubspotContactID == "" {
			t.Error("customer link cleared before confirmation")
		}
		if e.refreshToken(t) != rtA {
			t.Error("tokens replaced before confirmation")
		}
		return p, before, rtA, n
	}

	t.Run("confirm", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, e *env) {
			p, _, rtA, _ := setup(t, e)
			sub := e.subscribe(t)
			done := e.confirm(t, p, "confirm")
			if done.Result != integration.ResultConnected {
				t.Fatalf("confirm: result %d\n%s", done.Result, done.Body)
			}
			done.mustContain(t, "HubSpot connected", "portal 13572468", "press Enable")
			integ := e.mustState(t, convrs.IntegrationConnected)
			if integ.PortalID != portalB || integ.UIDomain != "app-eu1.hubspot.com" || integ.EnabledAt != nil {
				t.Errorf("after confirm: portal %d, domain %s, enabled at %v", integ.PortalID, integ.UIDomain, integ.EnabledAt)
			}
			if c := e.customer(t); c.HubspotContactID != "" || c.HubspotPortalID != 0 {
				t.Errorf("customer still linked to contact %q of portal %d", c.HubspotContactID, c.HubspotPortalID)
			}
			if e.closeQueuesSync(t) {
				t.Error("syncing still on for the new portal: a close queued a sync")
			}
			info, err := e.oauth.RefreshTokenInfo(context.Background(), e.refreshToken(t))
			if err != nil || info.HubID != portalB {
				t.Errorf("stored refresh token: %+v, %v; want one of portal B", info, err)
			}
			if n := announcements(sub); n != 1 {
				t.Errorf("confirm announced %d times, want 1", n)
			}
			// Convrs no longer holds portal A's tokens, so it must not stay authorized there.
			e.mustBeRevoked(t, rtA)
			e.confirm(t, p, "confirm").mustFail(t, integration.ResultRefused, "already answered")
		})
	})

	t.Run("cancel", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, e *env) {
			p, before, rtA, n := setup(t, e)
			sub := e.subscribe(t)
			e.confirm(t, p, "cancel").mustFail(t, integration.ResultDeclined, "Portal change cancelled", "Nothing was changed")
			if got := e.integration(t).LastConnectError; got != "The switch to HubSpot portal 13572468 was cancelled, so nothing was changed." {
				t.Errorf("LastConnectError = %q", got)
			}
			if diff := cmp.Diff(before, e.integration(t), ignoreOutcome); diff != "" {
				t.Errorf("cancel changed the integration (-before +after):\n%s", diff)
			}
			if c := e.customer(t); c.HubspotPortalID != portalA || c.HubspotContactID == "" {
				t.Errorf("customer link lost: %q in portal %d", c.HubspotContactID, c.HubspotPortalID)
			}
			if e.refreshToken(t) != rtA {
				t.Error("stored refresh token changed")
			}
			if _, err := e.oauth.RefreshTokenInfo(context.Background(), rtA); err != nil {
				t.Errorf("portal A's refresh token no longer works: %v", err)
			}
			revoked := e.revokedTokens(n)
			if len(revoked) != 1 || revoked[0] == rtA {
				t.Fatalf("revoked %d tokens (portal A's: %v), want portal B's only", len(revoked), slices.Contains(revoked, rtA))
			}
			e.mustBeRevoked(t, revoked[0])
			if n := announcements(sub); n != 1 {
				t.Errorf("cancel announced %d changes, want 1 (its outcome)", n)
			}
		})
	})
}

func TestRefreshAheadOfExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.mustConnect(t, portalA)
		e.ageTokens(t, time.Minute) // inside the 5-minute refresh margin
		before, _ := e.db.HubspotTokens(ctx, wsID)
		n := len(e.sim.Requests())

		const callers = 20
		callTogether(t, callers, func(int) *integration.Service { return e.svc })

		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 || got[0].Status != http.StatusOK {
			t.Errorf("%d refresh requests (%+v), want exactly 1", len(got), got)
		}
		if got := e.requests(n, http.MethodGet, "/account-info/"+hubspot.DefaultAPIVersion+"/details"); len(got) != callers {
			t.Errorf("%d API calls reached HubSpot, want %d", len(got), callers)
		}
		after, _ := e.db.HubspotTokens(ctx, wsID)
		if after.AccessTokenEnc == before.AccessTokenEnc || time.Until(after.ExpiresAt) < 20*time.Minute {
			t.Errorf("refreshed token not stored: expires in %v", time.Until(after.ExpiresAt))
		}
		if _, err := e.svc.AccessToken(ctx, wsID); err != nil {
			t.Fatal(err)
		}
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 {
			t.Errorf("a fresh token was refreshed again (%d refreshes)", len(got))
		}
	})
}

func TestRefreshRefusedPutsIntegrationInError(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.mustConnect(t, portalA)
		opts := convrs.HubspotOptions{AllowOutboundSearch: true}
		if _, err := e.svc.SaveOptions(e.admin, opts); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		e.closeConversation(t, e.openConversation(t))
		sub := e.subscribe(t)

		e.sim.RevokeApp(portalA) // uninstalled in HubSpot
		e.ageTokens(t, time.Minute)
		n := len(e.sim.Requests())
		c, _, err := e.svc.Client(ctx, wsID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Account.Details(ctx)
		var re *hubspot.RefreshError
		if !errors.As(err, &re) || !re.Permanent {
			t.Fatalf("API call error = %v, want a permanent refresh error", err)
		}
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 {
			t.Errorf("%d refresh attempts, want 1: a refused refresh token is not retried", len(got))
		}
		if got := e.requests(n, http.MethodGet, "/account-info/"+hubspot.DefaultAPIVersion+"/details"); len(got) != 0 {
			t.Errorf("the call reached HubSpot without a token")
		}
		integ := e.mustState(t, convrs.IntegrationError)
		if !strings.Contains(integ.ErrorReason, "Reconnect") || integ.Options != opts || integ.PortalID != portalA {
			t.Errorf("ERROR integration: reason %q, options %+v, portal %d", integ.ErrorReason, integ.Options, integ.PortalID)
		}
		if syncs := e.syncs(t); len(syncs) != 1 || syncs[0].Status != convrs.SyncQueued {
			t.Errorf("syncs %+v, want the queued one kept", syncs)
		}
		// Asking again fails at once: HubSpot is not asked twice for a refused refresh token, nor is ERROR
		// announced again.
		n = len(e.sim.Requests())
		if _, err := e.svc.AccessToken(ctx, wsID); !errors.As(err, &re) || !re.Permanent {
			t.Errorf("AccessToken in ERROR = %v, want the permanent refresh error", err)
		}
		if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
			t.Errorf("the refused refresh token was sent to HubSpot %d more times", len(got))
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("ERROR announced %d times, want 1", n)
		}
		_, _, err = e.svc.Client(ctx, wsID)
		wantCode(t, "Client in ERROR", err, convrs.EUNAVAILABLE)
		_, err = e.svc.Enable(e.admin)
		wantCode(t, "Enable in ERROR", err, convrs.ECONFLICT)

		p := e.mustConnect(t, portalA)
		p.mustContain(t, "syncing has resumed")
		integ = e.mustState(t, convrs.IntegrationEnabled)
		if integ.ErrorReason != "" || integ.Options != opts {
			t.Errorf("after reconnect: reason %q, options %+v", integ.ErrorReason, integ.Options)
		}
		if syncs := e.syncs(t); len(syncs) != 1 || syncs[0].Status != convrs.SyncQueued {
			t.Errorf("syncs after reconnect %+v, want the queued one", syncs)
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("reconnect announced %d times, want 1", n)
		}
		if c, _, err = e.svc.Client(ctx, wsID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Account.Details(ctx); err != nil {
			t.Errorf("API call after reconnect: %v", err)
		}
	})
}

func TestDisable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.mustConnect(t, portalA)
		if _, err := e.svc.SaveOptions(e.admin, convrs.HubspotOptions{AllowOutboundSearch: true, RequireOutboundMatch: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Enable(e.admin); err != nil {
			t.Fatal(err)
		}
		e.closeConversation(t, e.openConversation(t))
		rt := e.refreshToken(t)
		mine, theirs := integration.CachePrefix(wsID)+"contact:101", integration.CachePrefix("ws_other")+"contact:101"
		for _, k := range []string{mine, theirs} {
			if err := e.cache.Set(ctx, k, []byte("{}"), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		sub := e.subscribe(t)
		n := len(e.sim.Requests())

		integ, err := e.svc.Disable(e.admin)
		if err != nil || integ.State != convrs.IntegrationDisconnected {
			t.Fatalf("Disable = %+v, %v", integ, err)
		}
		e.mustNothingStored(t)
		if e.closeQueuesSync(t) {
			t.Error("a close after Disable queued a sync")
		}
		if syncs := e.syncs(t); len(syncs) != 1 || syncs[0].Status != convrs.SyncCancelled {
			t.Errorf("syncs after Disable %+v, want the queued one cancelled", syncs)
		}
		if diff := cmp.Diff([]string{rt}, e.revokedTokens(n)); diff != "" {
			t.Errorf("revoked refresh tokens (-want +got):\n%s", diff)
		}
		e.mustBeRevoked(t, rt)
		if _, ok, _ := e.cache.Get(ctx, mine); ok {
			t.Error("the workspace's cached HubSpot data survived Disable")
		}
		if _, ok, _ := e.cache.Get(ctx, theirs); !ok {
			t.Error("Disable purged another workspace's cache")
		}
		if n := announcements(sub); n != 1 {
			t.Errorf("Disable announced %d times, want 1", n)
		}
		_, err = e.svc.Disable(e.admin)
		wantCode(t, "Disable while disconnected", err, convrs.ECONFLICT)
		_, _, err = e.svc.Client(ctx, wsID)
		wantCode(t, "Client after Disable", err, convrs.ECONFLICT)

		// Using HubSpot again is the full flow from scratch.
		e.mustConnect(t, portalA)
		if integ := e.mustState(t, convrs.IntegrationConnected); integ.Options != (convrs.HubspotOptions{}) {
			t.Errorf("options came back after Disable: %+v", integ.Options)
		}
	})
}

// TestAnnouncements checks that every transition tells the admin cards once, and refused operations not at all.
func TestAnnouncements(t *testing.T) {
	e := newEnv(t, "sqlite")
	sub := e.subscribe(t)
	steps := []struct {
		name string
		do   func(t *testing.T)
		want int
	}{
		{"connect", func(t *testing.T) { e.mustConnect(t, portalA) }, 1},
		{"enable", func(t *testing.T) { _, _ = e.svc.Enable(e.admin) }, 1},
		{"enable again", func(t *testing.T) { _, _ = e.svc.Enable(e.admin) }, 0},
		{"save options", func(t *testing.T) {
			_, _ = e.svc.SaveOptions(e.admin, convrs.HubspotOptions{AllowOutboundSearch: true})
		}, 1},
		{"invalid options", func(t *testing.T) {
			_, _ = e.svc.SaveOptions(e.admin, convrs.HubspotOptions{RequireOutboundMatch: true})
		}, 0},
		{"error", func(t *testing.T) {
			e.sim.RevokeApp(portalA)
			e.ageTokens(t, time.Minute)
			_, _ = e.svc.AccessToken(context.Background(), wsID)
		}, 1},
		{"reconnect", func(t *testing.T) { e.mustConnect(t, portalA) }, 1},
		{"disable", func(t *testing.T) { _, _ = e.svc.Disable(e.admin) }, 1},
	}
	for _, s := range steps {
		s.do(t)
		if got := announcements(sub); got != s.want {
			t.Errorf("%s: %d announcements, want %d", s.name, got, s.want)
		}
	}
}

func TestTokensSealedAtRest(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	e.mustConnect(t, portalA)
	access, err := e.svc.AccessToken(ctx, wsID)
	if err != nil {
		t.Fatal(err)
	}
	refresh := e.refreshToken(t)
	// They are the real tokens: HubSpot knows them.
	if info, err := e.oauth.AccessTokenInfo(ctx, access); err != nil || info.HubID != portalA {
		t.Fatalf("access token info: %+v, %v", info, err)
	}
	if info, err := e.oauth.RefreshTokenInfo(ctx, refresh); err != nil || info.HubID != portalA {
		t.Fatalf("refresh token info: %+v, %v", info, err)
	}

	sealed, err := e.db.HubspotTokens(ctx, wsID)
	if err != nil || sealed == nil {
		t.Fatal(sealed, err)
	}
	other := hubtest.NewBox(t)
	for _, f := range []struct{ which, sealed, plain string }{
		{"access", sealed.AccessTokenEnc, access},
		{"refresh", sealed.RefreshTokenEnc, refresh},
	} {
		if f.sealed == "" || strings.Contains(f.sealed, f.plain) || strings.Contains(f.sealed, f.plain[4:20]) {
			t.Errorf("%s token stored readable: %q", f.which, f.sealed)
		}
		if _, err := other.Open(f.sealed, "hubspot:"+f.which+":"+wsID); !errors.Is(err, secret.ErrDecrypt) {
			t.Errorf("%s token opened with another key: %v", f.which, err)
		}
		if _, err := e.box.Open(f.sealed, "hubspot:"+f.which+":ws_other"); !errors.Is(err, secret.ErrDecrypt) {
			t.Errorf("%s token opened for another workspace: %v", f.which, err)
		}
	}
}

// The keeper notices an uninstalled app without anyone using HubSpot: the card turns red on its own.
func TestKeeperRefreshesDueTokensAndNoticesRevocation(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	e.mustConnect(t, portalA)
	sub := e.subscribe(t)

	// A token within the refresh margin is refreshed; the fresh one is then left alone.
	e.ageTokens(t, time.Minute)
	n := len(e.sim.Requests())
	e.svc.RefreshDue(ctx)
	e.svc.RefreshDue(ctx)
	if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 1 {
		t.Fatalf("%d refreshes over two passes, want 1", len(got))
	}
	e.mustState(t, convrs.IntegrationConnected)

	// The app is uninstalled in HubSpot. Later (a restarted gateway, its token due again), the keeper's
	// refresh is refused and the integration goes to ERROR without anyone using HubSpot.
	e.sim.RevokeApp(portalA)
	e.ageTokens(t, time.Minute)
	e.svc = e.restart()
	e.svc.RefreshDue(ctx)
	integ := e.mustState(t, convrs.IntegrationError)
	if !strings.Contains(integ.ErrorReason, "Reconnect") {
		t.Errorf("error reason %q does not say what to do", integ.ErrorReason)
	}
	if got := announcements(sub); got != 1 {
		t.Errorf("%d announcements, want 1 (the ERROR)", got)
	}
	// Workspaces in ERROR are not retried on every pass.
	n = len(e.sim.Requests())
	e.svc.RefreshDue(ctx)
	if got := e.requests(n, http.MethodPost, hubspot.OAuthPathToken); len(got) != 0 {
		t.Errorf("the keeper asked HubSpot again for a workspace in ERROR (%d requests)", len(got))
	}
}

// Tokens are never written to the logs, through a whole life: connect, a refresh, a refused refresh, disable;
// at debug level, with the simulator's request log (the OAuth calls it answered) in the same log.
func TestTokensNeverLogged(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	var secrets []string
	keep := func() {
		sealed, err := e.db.HubspotTokens(ctx, wsID)
		if err != nil || sealed == nil {
			t.Fatalf("HubspotTokens = %v, %v", sealed, err)
		}
		access, _ := e.box.Open(sealed.AccessTokenEnc, "hubspot:access:"+wsID)
		secrets = append(secrets, access, e.refreshToken(t))
	}
	e.mustConnect(t, portalA)
	keep()
	e.ageTokens(t, time.Minute)
	if _, err := e.svc.AccessToken(ctx, wsID); err != nil {
		t.Fatal(err)
	}
	keep()
	if _, err := e.svc.Enable(e.admin); err != nil {
		t.Fatal(err)
	}
	e.sim.RevokeApp(portalA)
	e.ageTokens(t, time.Minute)
	e.svc = e.restart()
	if _, err := e.svc.AccessToken(ctx, wsID); err == nil {
		t.Fatal("a revoked app's token was refreshed")
	}
	if _, err := e.svc.Disable(e.admin); err != nil {
		t.Fatal(err)
	}
	logs := e.logs.String()
	for _, want := range []string{"hubspot connected", "hubspot refresh refused", "hubspot disabled",
		"hubspotsim request", "path=" + hubspot.OAuthPathToken, "path=" + hubspot.OAuthPathIntrospect, "path=" + hubspot.OAuthPathRevoke} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q, so this test would not see a leak there:\n%s", want, logs)
		}
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("token %q too short to look for", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("a token appears in the logs:\n%s", logs)
		}
	}
}

// The admin card learns how an attempt ended: a failure of the workspace's current attempt is announced and
// read back as LastConnectError (what hubspotIntegration and hubspotIntegrationChanged return); a new attempt
// or a success clears it; a forged state, another browser or an abandoned older attempt sets nothing.
func TestConnectOutcomeForTheCard(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		sub := e.subscribe(t)
		mustOutcome := func(t *testing.T, what string, announced int, want string) {
			t.Helper()
			if n := announcements(sub); n != announced {
				t.Errorf("%s: announced %d changes, want %d", what, n, announced)
			}
			if got := e.integration(t).LastConnectError; !strings.Contains(got, want) || (want == "") != (got == "") {
				t.Errorf("%s: LastConnectError = %q, want %q", what, got, want)
			}
			if got, err := e.svc.Integration(e.agent); err != nil || got.LastConnectError != e.integration(t).LastConnectError {
				t.Errorf("%s: agents read %q, %v", what, got.LastConnectError, err)
			}
		}

		authURL := e.authorize(t)
		e.callback(t, cancelLink(t, e.consentPage(t, authURL)))
		mustOutcome(t, "consent cancelled", 1, "The connection was cancelled on HubSpot's consent page, so nothing was connected.")

		// Try again: a new attempt clears it for every card.
		authURL = e.authorize(t)
		mustOutcome(t, "new attempt", 1, "")

		// A forged state, and the genuine one from another browser, tell nobody anything.
		redirect := e.consent(t, authURL, portalA, "crm.objects.contacts.write")
		e.callback(t, withState(t, redirect, "forged-"+stateOf(t, redirect)))
		e.callbackFrom(t, newBrowser(), redirect)
		mustOutcome(t, "forged and foreign callbacks", 0, "")

		e.callback(t, redirect)
		mustOutcome(t, "missing scope", 1, "HubSpot granted only some of the permissions Convrs needs, so nothing was connected. Leave every permission ticked on HubSpot's consent page. Missing: crm.objects.contacts.write.")

		// An older tab's attempt, abandoned for a newer one, does not overwrite the newer one's state.
		older := e.authorize(t)
		newer := e.authorize(t)
		mustOutcome(t, "two new attempts", 1, "")
		e.callback(t, cancelLink(t, e.consentPage(t, older)))
		mustOutcome(t, "older attempt cancelled", 0, "")

		// The newer link expires while the admin is on HubSpot: the card says so.
		e.clock.Advance(11 * time.Minute)
		e.callback(t, e.consent(t, newer, portalA))
		mustOutcome(t, "expired link", 1, "This connection link has expired (links are valid for 10 minutes), so nothing was connected.")

		// A success clears it.
		e.mustConnect(t, portalA)
		mustOutcome(t, "connected", 2, "") // the new attempt's clearing, then the connection
	})
}
