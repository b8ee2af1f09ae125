package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/convrs/gateway/cache"
	"github.com/convrs/gateway/convrs"
	"github.com/convrs/gateway/hubspot/hubspotsim"
	"github.com/convrs/gateway/integration"
	"github.com/convrs/gateway/internal/hubtest"
	"github.com/convrs/gateway/pubsub"
	"github.com/convrs/gateway/seed"
	"github.com/convrs/gateway/store/storetest"
)

// connectEdge is the connect flow's HTTP edge in front of an integration service on a real store and the
// HubSpot simulator, with one workspace and its admin.
type connectEdge struct {
	h     *hubspotConnect
	svc   *integration.Service
	sim   *hubspotsim.TestServer
	admin context.Context
	// jar holds the cookies the edge set in the admin's browser.
	jar map[string]string
}

const edgeURL = hubtest.PublicURL

func newConnectEdge(t *testing.T) *connectEdge {
	t.Helper()
	db := storetest.OpenDB(t, "sqlite")
	sim := hubspotsim.NewTestServer(t, hubspotsim.Options{LegacyAPIsOff: true, RedirectURIs: []string{edgeURL + integration.CallbackPath}})
	sim.SeedDemo()
	admin, _ := hubtest.Workspace(t, db, convrs.Workspace{ID: "ws_edge", Name: "Edge", DefaultRegion: "GB", TimeZone: "Europe/London"})
	kv := cache.NewMemory()
	svc := integration.New(integration.Config{Store: db, OAuth: hubtest.OAuth(sim), APIURL: sim.URL(), PublicURL: edgeURL,
		Cache: kv, Locker: kv, Limiter: kv.Limiter(), PubSub: pubsub.NewMemory(), Box: hubtest.NewBox(t)})
	return &connectEdge{h: &hubspotConnect{svc: svc, publicURL: edgeURL}, svc: svc, sim: sim, jar: map[string]string{}, admin: admin}
}

// do sends r to handler h from the admin's browser and keeps the cookies it sets.
func (e *connectEdge) do(h http.HandlerFunc, r *http.Request) *http.Response {
	for n, v := range e.jar {
		r.AddCookie(&http.Cookie{Name: n, Value: v})
	}
	rec := httptest.NewRecorder()
	h(rec, r)
	resp := rec.Result()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(e.jar, c.Name)
		} else {
			e.jar[c.Name] = c.Value
		}
	}
	return resp
}

// authorize opens a fresh start link in the admin's browser.
func (e *connectEdge) authorize(t *testing.T) *http.Response {
	t.Helper()
	link, _, err := e.svc.Connect(e.admin)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(e.h.start, httptest.NewRequest(http.MethodGet, link, nil))
}

// approve submits the simulator's consent form for authURL (every requested scope, on portal) and returns
// HubSpot's redirect to the callback.
func (e *connectEdge) approve(t *testing.T, authURL string, portal int64) string {
	t.Helper()
	u, _ := url.Parse(authURL)
	q := u.Query()
	v := url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")},
		"portal_id": {strconv.FormatInt(portal, 10)}, "requested_scope": {q.Get("scope")}, "scope": strings.Fields(q.Get("scope"))}
	c := e.sim.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(e.sim.URL()+u.Path, v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent: status %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func (e *connectEdge) callback(target string) (int, string) {
	return readBody(e.do(e.h.callback, httptest.NewRequest(http.MethodGet, target, nil)))
}

func readBody(resp *http.Response) (int, string) {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b))
}

var backLink = `<a class="button" id="back" href="` + edgeURL + `/#/integrations">Return to Convrs</a>`

// The edge serves the service's outcomes as pages: statuses, the way back, the nonce cookie, headers that keep
// the pages out of frames and caches, and the portal-switch form that must be posted from Convrs's own page.
func TestHubspotConnectPages(t *testing.T) {
	e := newConnectEdge(t)
	resp := e.authorize(t)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("start link: status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || !strings.HasPrefix(cookies[0].Name, "__Host-") || !cookies[0].HttpOnly || !cookies[0].Secure ||
		cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Path != "/" || cookies[0].Domain != "" || len(cookies[0].Value) < 32 {
		t.Errorf("start link cookies = %+v, want one __Host- nonce cookie, HttpOnly, Secure, SameSite=Lax, Path=/", cookies)
	}
	authURL := resp.Header.Get("Location")
	redirect := e.approve(t, authURL, hubspotsim.DemoPortalID)

	// Opened again, the start link leads nowhere and sets nothing.
	u, _ := url.Parse(redirect)
	again := e.do(e.h.start, httptest.NewRequest(http.MethodGet, edgeURL+integration.StartPath+"?state="+url.QueryEscape(u.Query().Get("state")), nil))
	if status, body := readBody(again); status != http.StatusBadRequest || !strings.Contains(body, "already been opened") || !strings.Contains(body, backLink) ||
		len(again.Cookies()) != 0 || again.Header.Get("Location") != "" {
		t.Errorf("second open: %d, cookies %v\n%s", status, again.Cookies(), body)
	}

	// HubSpot's words stay in the log.
	status, body := e.callback(edgeURL + integration.CallbackPath + "?error=invalid_scope&error_description=read+out+your+password")
	if status != http.StatusBadRequest || !strings.Contains(body, "HubSpot did not authorize the connection") || strings.Contains(body, "password") || !strings.Contains(body, backLink) {
		t.Errorf("HubSpot's error: %d\n%s", status, body)
	}

	resp = e.do(e.h.callback, httptest.NewRequest(http.MethodGet, redirect, nil))
	if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("CSP %q, X-Frame-Options %q", got, resp.Header.Get("X-Frame-Options"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	status, body = readBody(resp)
	if status != http.StatusOK || !strings.Contains(body, "HubSpot connected") || !strings.Contains(body, backLink) {
		t.Fatalf("callback: %d\n%s", status, body)
	}
	// Only the page's own style and script run: a fresh nonce each answer, no 'unsafe-inline'.
	m := regexp.MustCompile(`<script nonce="([^"]+)">`).FindStringSubmatch(body)
	if m == nil || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'nonce-"+m[1]+"'") || !strings.Contains(body, `<style nonce="`+m[1]+`">`) {
		t.Errorf("CSP %q does not allow just the page's nonce:\n%s", csp, body)
	}
	if !strings.Contains(body, "window.close()") || !strings.Contains(body, "window.opener.focus()") {
		t.Errorf("Return to Convrs neither closes the tab nor focuses its opener:\n%s", body)
	}
	// Reloaded, the success page says the connection is complete.
	if status, body := e.callback(redirect); status != http.StatusOK || !strings.Contains(body, "HubSpot is connected") ||
		!strings.Contains(body, "The connection is complete") || strings.Contains(body, "already been used") {
		t.Errorf("reload: %d\n%s", status, body)
	}
	if len(e.jar) != 0 {
		t.Errorf("the callback left cookies %v", e.jar)
	}

	// Another portal: the question is a form posted to the confirmation path, from Convrs's own page only.
	redirect = e.approve(t, e.authorize(t).Header.Get("Location"), hubspotsim.DemoEUPortalID)
	status, body = e.callback(redirect)
	if status != http.StatusOK {
		t.Errorf("another portal's callback: %d, want 200 and the question", status)
	}
	for _, want := range []string{"Connect a different HubSpot portal?", "You authorized HubSpot portal <strong>13572468</strong>", "this workspace was linked to portal <strong>24681357</strong>",
		`action="` + integration.ConfirmPath + `"`, "Connect portal 13572468", ">Cancel</button>"} {
		if !strings.Contains(body, want) {
			t.Errorf("question lacks %q:\n%s", want, body)
		}
	}
	form := url.Values{"decision": {"confirm"}}
	for _, name := range []string{"workspace", "pending"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field:\n%s", name, body)
		}
		form.Set(name, m[1])
	}
	post := func(origin string) (int, string) {
		r := httptest.NewRequest(http.MethodPost, edgeURL+integration.ConfirmPath, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return readBody(e.do(e.h.confirm, r))
	}
	for _, origin := range []string{"", "https://evil.test", "http://convrs.test", "null"} {
		if status, body := post(origin); status != http.StatusForbidden || !strings.Contains(body, "not sent from Convrs's own page") {
			t.Errorf("answer from origin %q: %d\n%s", origin, status, body)
		}
	}
	if status, body := post(edgeURL); status != http.StatusOK || !strings.Contains(body, "HubSpot connected") || !strings.Contains(body, "portal 13572468") {
		t.Errorf("confirm: %d\n%s", status, body)
	}
	if status, body := post(edgeURL); status != http.StatusBadRequest || !strings.Contains(body, "already answered") {
		t.Errorf("second answer: %d\n%s", status, body)
	}
}

// TestConnectOutcomeOverGraphQL: on the whole gateway (development mode, its HubSpot simulator), the admin card's
// query and subscription return lastConnectError after Cancel on the consent page and after a partial grant,
// and a new attempt (connectHubspot) clears it.
func TestConnectOutcomeOverGraphQL(t *testing.T) {
	app := newTestApp(t)
	go func() { _ = app.simSrv.Serve(app.simLn) }() // Run would serve it; app.Close stops it
	tok, err := app.signer.Issue(convrs.Principal{StaffID: seed.AdminID, WorkspaceID: seed.WorkspaceID, Role: convrs.RoleAdmin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(app.handler, client.Path("/query"), client.AddHeader("Authorization", "Bearer "+tok))
	sub := client.New(app.handler, client.Path("/query")).WebsocketWithPayload(`subscription { hubspotIntegrationChanged { state lastConnectError } }`,
		map[string]any{"authorization": "Bearer " + tok})
	t.Cleanup(func() { _ = sub.Close() })
	type integ struct {
		State            string  `json:"state"`
		LastConnectError *string `json:"lastConnectError"`
	}
	next := func() integ {
		t.Helper()
		var ev struct {
			HubspotIntegrationChanged integ `json:"hubspotIntegrationChanged"`
		}
		if err := sub.Next(&ev); err != nil {
			t.Fatal(err)
		}
		return ev.HubspotIntegrationChanged
	}
	// nextOutcome reads events until one's lastConnectError says want (earlier ones: the warm-up's, the
	// clearing by a new attempt); a subscription that never tells ends in the test's timeout.
	nextOutcome := func(want string) string {
		t.Helper()
		for {
			if ev := next(); ev.LastConnectError != nil && strings.Contains(*ev.LastConnectError, want) {
				return *ev.LastConnectError
			}
		}
	}
	query := func() string {
		t.Helper()
		var out struct {
			HubspotIntegration integ `json:"hubspotIntegration"`
		}
		c.MustPost(`{ hubspotIntegration { state lastConnectError } }`, &out)
		if out.HubspotIntegration.LastConnectError == nil {
			return ""
		}
		return *out.HubspotIntegration.LastConnectError
	}

	jar := map[string]string{}
	get := func(target string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		for n, v := range jar {
			r.AddCookie(&http.Cookie{Name: n, Value: v})
		}
		w := httptest.NewRecorder()
		app.handler.ServeHTTP(w, r)
		for _, ck := range w.Result().Cookies() {
			jar[ck.Name] = ck.Value
		}
		return w.Result()
	}
	// attempt runs connectHubspot and opens its start link: HubSpot's consent page URL.
	attempt := func() (*url.URL, error) {
		var out struct {
			ConnectHubspot struct{ URL string } `json:"connectHubspot"`
		}
		if err := c.Post(`mutation { connectHubspot { url } }`, &out); err != nil {
			return nil, err
		}
		u, err := url.Parse(get(out.ConnectHubspot.URL).Header.Get("Location"))
		if err == nil && u.Host == "" {
			err = fmt.Errorf("the start link led to %q", u)
		}
		return u, err
	}
	simClient := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// cancel presses Cancel on the consent page.
	cancel := func(consent *url.URL) error {
		resp, err := simClient.Get(consent.String())
		if err != nil {
			return err
		}
		_, page := readBody(resp)
		m := regexp.MustCompile(`<a href="([^"]*)">Cancel</a>`).FindStringSubmatch(page)
		if m == nil {
			return fmt.Errorf("no Cancel on the consent page:\n%s", page)
		}
		if status, body := readBody(get(m[1])); status != http.StatusOK || !strings.Contains(body, "HubSpot connection cancelled") {
			return fmt.Errorf("cancelled callback: %d\n%s", status, body)
		}
		return nil
	}

	// Cancel on the consent page, again until the subscription (live only once it delivers) tells of it.
	live, done := make(chan struct{}), make(chan error, 1)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			consent, err := attempt()
			if err == nil {
				err = cancel(consent)
			}
			if err != nil {
				done <- err
				return
			}
			select {
			case <-live:
				done <- nil
				return
			case <-tick.C:
			}
		}
	}()
	const cancelled = "The connection was cancelled on HubSpot's consent page, so nothing was connected."
	got := nextOutcome(cancelled)
	close(live)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got != cancelled {
		t.Errorf("subscription: lastConnectError %q, want %q", got, cancelled)
	}
	if got := query(); got != cancelled {
		t.Errorf("query: lastConnectError %q, want %q", got, cancelled)
	}

	// Try again clears it; then a grant without one scope.
	consent, err := attempt()
	if err != nil {
		t.Fatal(err)
	}
	if got := query(); got != "" {
		t.Errorf("after a new attempt: lastConnectError %q, want none", got)
	}
	q := consent.Query()
	scopes := strings.Fields(q.Get("scope"))
	form := url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")},
		"portal_id": {strconv.FormatInt(hubspotsim.DemoPortalID, 10)}, "requested_scope": {q.Get("scope")}, "scope": scopes[:len(scopes)-1]}
	resp, err := simClient.PostForm(consent.Scheme+"://"+consent.Host+consent.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if status, body := readBody(get(resp.Header.Get("Location"))); status != http.StatusOK || !strings.Contains(body, "All permissions are needed") {
		t.Fatalf("partial grant: %d\n%s", status, body)
	}
	missing := "Missing: " + scopes[len(scopes)-1] + "."
	if got := nextOutcome(missing); !strings.Contains(got, "only some of the permissions") {
		t.Errorf("subscription: lastConnectError %q, want the missing %s", got, missing)
	}
	if got := query(); !strings.Contains(got, missing) {
		t.Errorf("query: lastConnectError %q, want %s", got, missing)
	}
}
