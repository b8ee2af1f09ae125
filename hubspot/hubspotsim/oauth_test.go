package hubspotsim_test

import (
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/convrs/gateway/hubspot/hubspotsim"
)

const redirectURI = "https://convrs.test/integrations/hubspot/callback"

func authorizeQuery(scope, optional, state string) string {
	q := url.Values{
		"client_id":    {hubspotsim.DefaultClientID},
		"redirect_uri": {redirectURI},
		"scope":        {scope},
		"state":        {state},
	}
	if optional != "" {
		q.Set("optional_scope", optional)
	}
	return q.Encode()
}

var productScope = strings.Join(hubspotsim.ProductScopes, " ")

// consentForm reads the consent page's form the way a browser would submit it, everything ticked.
func consentForm(t *testing.T, page string) (action string, form url.Values) {
	t.Helper()
	form = url.Values{}
	action = html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(page)[1])
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input type="radio" name="portal_id" id="[^"]+" value="(\d+)" checked>`).FindAllStringSubmatch(page, -1) {
		form.Set("portal_id", m[1])
	}
	for _, m := range regexp.MustCompile(`<input type="checkbox" name="scope" id="[^"]+" value="([^"]+)" checked>`).FindAllStringSubmatch(page, -1) {
		form.Add("scope", html.UnescapeString(m[1]))
	}
	return action, form
}

// connect walks the consent page (optionally unticking scopes) and returns the redirect's query.
func (e *env) connect(path string, untick ...string) url.Values {
	e.t.Helper()
	page := e.callAs("", "GET", path, nil)
	e.mustStatus(page, http.StatusOK)
	action, form := consentForm(e.t, string(page.Raw))
	var kept []string
	for _, s := range form["scope"] {
		if !strings.Contains(" "+strings.Join(untick, " ")+" ", " "+s+" ") {
			kept = append(kept, s)
		}
	}
	form["scope"] = kept
	r := e.callAs("", "POST", action, form)
	e.mustStatus(r, http.StatusFound)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		e.t.Fatalf("redirected to %s, want %s", got, redirectURI)
	}
	return loc.Query()
}

type tokenBody struct {
	TokenType    string   `json:"token_type"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"`
	HubID        int64    `json:"hub_id"`
	Scopes       []string `json:"scopes"`
	TokenUse     string   `json:"token_use"`
}

func (e *env) exchange(code string, overrides ...string) response {
	e.t.Helper()
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {hubspotsim.DefaultClientID},
		"client_secret": {hubspotsim.DefaultClientSecret},
		"redirect_uri":  {redirectURI},
		"code":          {code},
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		form.Set(overrides[i], overrides[i+1])
	}
	return e.callAs("", "POST", "/oauth/v1/token", form)
}

func (e *env) refresh(token string) response {
	e.t.Helper()
	return e.callAs("", "POST", "/oauth/v3/token", url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {hubspotsim.DefaultClientID},
		"client_secret": {hubspotsim.DefaultClientSecret},
		"refresh_token": {token},
	})
}

func tokenError(t *testing.T, r response) map[string]any {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400; body %s", r.Status, r.Raw)
	}
	return dropVolatile(r.JSON(t))
}

func TestConsentPageRendersScopesAndPortals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	second := e.ts.CreatePortal(hubspotsim.PortalSpec{ID: 13572468, Name: "Acme EU", UIDomain: "app-eu1.hubspot.com"})
	r := e.callAs("", "GET", "/oauth/authorize?"+authorizeQuery(productScope, "crm.objects.companies.read", "st-1"), nil)
	e.mustStatus(r, http.StatusOK)
	page := string(r.Raw)
	for _, want := range []string{
		"Connect Convrs to HubSpot",
		`<label for="portal-` + strconv.FormatInt(e.portal, 10) + `">Test portal`,
		`<label for="portal-13572468">Acme EU`,
		`value="crm.objects.contacts.write" checked>`,
		`value="crm.objects.companies.read" checked>`,
		`(optional)`,
		`<button type="submit">Connect app</button>`,
		`>Cancel</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	for _, sc := range hubspotsim.ProductScopes {
		if !strings.Contains(page, `value="`+sc+`" checked>`) {
			t.Errorf("scope %s not offered ticked", sc)
		}
	}
	// The first portal is preselected; the path can preselect another.
	_, form := consentForm(t, page)
	if got := form.Get("portal_id"); got != strconv.FormatInt(e.portal, 10) {
		t.Errorf("preselected portal = %s, want %d", got, e.portal)
	}
	r = e.callAs("", "GET", "/oauth/13572468/authorize?"+authorizeQuery(productScope, "", "st-1"), nil)
	e.mustStatus(r, http.StatusOK)
	if _, form := consentForm(t, string(r.Raw)); form.Get("portal_id") != strconv.FormatInt(second.ID, 10) {
		t.Errorf("portal path did not preselect %d: %v", second.ID, form)
	}
}

func TestConsentPageRejectsBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for name, q := range map[string]string{
		"unknown client_id": strings.Replace(authorizeQuery(productScope, "", "s"), hubspotsim.DefaultClientID, "nope", 1),
		"no redirect_uri":   "client_id=" + hubspotsim.DefaultClientID + "&scope=oauth",
		"no scope":          "client_id=" + hubspotsim.DefaultClientID + "&redirect_uri=" + url.QueryEscape(redirectURI),
	} {
		r := e.callAs("", "GET", "/oauth/authorize?"+q, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Raw), "complete the connection") {
			t.Errorf("%s: status %d, body %.200s", name, r.Status, r.Raw)
		}
	}
	r := e.callAs("", "GET", "/oauth/999/authorize?"+authorizeQuery(productScope, "", "s"), nil)
	e.mustStatus(r, http.StatusNotFound)
}

func TestConnectRedirectsWithCodeAndState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.connect("/oauth/authorize?" + authorizeQuery(productScope, "", "state-123"))
	if q.Get("state") != "state-123" || q.Get("code") == "" {
		t.Fatalf("redirect query = %v", q)
	}
	r := e.exchange(q.Get("code"))
	e.mustStatus(r, http.StatusOK)
	var tok tokenBody
	r.Into(t, &tok)
	if tok.AccessToken == "" || !strings.HasPrefix(tok.RefreshToken, "na1-") {
		t.Errorf("tokens = %+v", tok)
	}
	tok.AccessToken, tok.RefreshToken = "", ""
	want := tokenBody{TokenType: "bearer", ExpiresIn: 1800, HubID: e.portal, Scopes: hubspotsim.ProductScopes, TokenUse: "access_token"}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("token response (-want +got):\n%s", diff)
	}
}

func TestUntickedScopeIsNotGranted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.connect("/oauth/authorize?"+authorizeQuery(productScope, "", "s"), "crm.objects.owners.read")
	r := e.exchange(q.Get("code"))
	e.mustStatus(r, http.StatusOK)
	var tok tokenBody
	r.Into(t, &tok)
	want := []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write"}
	if diff := cmp.Diff(want, tok.Scopes); diff != "" {
		t.Errorf("granted scopes (-want +got):\n%s", diff)
	}
	// The token cannot read owners.
	got := e.callAs(tok.AccessToken, "GET", "/crm/v3/owners", nil)
	e.mustStatus(got, http.StatusForbidden)
}

func TestCancelRedirectsAccessDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.callAs("", "GET", "/oauth/authorize?"+authorizeQuery(productScope, "", "st-9"), nil)
	m := regexp.MustCompile(`<a href="([^"]+)">Cancel</a>`).FindStringSubmatch(string(r.Raw))
	if m == nil {
		t.Fatalf("no Cancel link in %s", r.Raw)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != redirectURI || q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "st-9" {
		t.Errorf("cancel link = %s", u)
	}
}

func TestAuthCodeSingleUseAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	auth := "/oauth/authorize?" + authorizeQuery(productScope, "", "s")

	code := e.connect(auth).Get("code")
	e.mustStatus(e.exchange(code), http.StatusOK)
	if got := tokenError(t, e.exchange(code)); got["status"] != "BAD_AUTH_CODE" || got["error"] != "invalid_grant" {
		t.Errorf("reused code: %v", got)
	}

	code = e.connect(auth).Get("code")
	e.clock.Advance(10*time.Minute + time.Second)
	want := map[string]any{"error": "invalid_grant", "error_description": "auth code is expired", "status": "EXPIRED_AUTH_CODE", "message": "auth code is expired"}
	if diff := cmp.Diff(want, tokenError(t, e.exchange(code))); diff != "" {
		t.Errorf("expired code (-want +got):\n%s", diff)
	}

	code = e.connect(auth).Get("code")
	for _, tc := range []struct {
		override []string
		status   string
	}{
		{[]string{"redirect_uri", "https://evil.test/cb"}, "BAD_REDIRECT_URI"},
		{[]string{"client_id", "other"}, "BAD_CLIENT_ID"},
		{[]string{"client_secret", "wrong"}, "BAD_CLIENT_ID"},
		{[]string{"code", "made-up"}, "BAD_AUTH_CODE"},
	} {
		if got := tokenError(t, e.exchange(code, tc.override...)); got["status"] != tc.status {
			t.Errorf("%v: status %v, want %s", tc.override, got["status"], tc.status)
		}
	}
	// The failures above did not use the code up.
	e.mustStatus(e.exchange(code), http.StatusOK)
}

func TestRefreshKeepsRefreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, refresh := e.ts.IssueTokens(e.portal, "")
	r := e.refresh(refresh)
	e.mustStatus(r, http.StatusOK)
	var tok tokenBody
	r.Into(t, &tok)
	if tok.RefreshToken != refresh || tok.AccessToken == "" || tok.HubID != e.portal {
		t.Errorf("refresh = %+v", tok)
	}
	e.mustStatus(e.callAs(tok.AccessToken, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	if got := tokenError(t, e.refresh("na1-unknown")); got["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("unknown refresh token: %v", got)
	}
}

func TestExpiredAccessToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *hubspotsim.Options) { o.AccessTokenTTL = 60 * time.Second })
	e.mustStatus(e.call("GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	e.clock.Advance(65 * time.Second)
	r := e.call("GET", "/crm/v3/objects/contacts", nil)
	e.mustStatus(r, http.StatusUnauthorized)
	want := map[string]any{
		"status":   "error",
		"message":  "The OAuth token used to make this call expired 5 second(s) ago.",
		"category": "EXPIRED_AUTHENTICATION",
	}
	got := r.JSON(t)
	if id, _ := got["correlationId"].(string); len(id) != 36 {
		t.Errorf("correlationId = %q", id)
	}
	if diff := cmp.Diff(want, dropVolatile(got)); diff != "" {
		t.Errorf("401 body (-want +got):\n%s", diff)
	}

	access, _ := e.ts.IssueTokens(e.portal, "")
	e.ts.ExpireAccessToken(access)
	r = e.callAs(access, "GET", "/crm/v3/objects/contacts", nil)
	if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Raw), "expired 0 second(s) ago") {
		t.Errorf("ExpireAccessToken: %d %s", r.Status, r.Raw)
	}
}

func TestUnknownAndMissingToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tok := range []string{"", "not-a-token"} {
		r := e.callAs(tok, "GET", "/crm/v3/objects/contacts", nil)
		e.mustStatus(r, http.StatusUnauthorized)
		if got := r.JSON(t)["category"]; got != "INVALID_AUTHENTICATION" {
			t.Errorf("token %q: category %v", tok, got)
		}
	}
}

func TestRevokeRefreshTokenAndApp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, refresh := e.ts.IssueTokens(e.portal, "")
	e.mustStatus(e.callAs("", "DELETE", "/oauth/v1/refresh-tokens/"+refresh, nil), http.StatusNoContent)
	if got := tokenError(t, e.refresh(refresh)); got["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("after DELETE: %v", got)
	}
	// Revoking the refresh token leaves its access tokens working.
	e.mustStatus(e.callAs(access, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)

	access, refresh = e.ts.IssueTokens(e.portal, "")
	e.ts.RevokeApp(e.portal)
	if got := tokenError(t, e.refresh(refresh)); got["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("after RevokeApp: %v", got)
	}
	e.mustStatus(e.callAs(access, "GET", "/crm/v3/objects/contacts", nil), http.StatusUnauthorized)
}

func TestTokenMetadataAndAccountInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	eu := e.ts.CreatePortal(hubspotsim.PortalSpec{Name: "EU", UIDomain: "app-eu1.hubspot.com", UserEmail: "eu@test.test"})
	access, refresh := e.ts.IssueTokens(eu.ID, "")
	if !strings.HasPrefix(refresh, "eu1-") {
		t.Errorf("EU refresh token %q lacks eu1- prefix", refresh)
	}

	r := e.callAs("", "GET", "/oauth/v1/access-tokens/"+access, nil)
	e.mustStatus(r, http.StatusOK)
	m := r.JSON(t)
	if m["user"] != "eu@test.test" || m["hub_id"] != float64(eu.ID) || m["token_type"] != "access" || m["expires_in"] != float64(1800) {
		t.Errorf("access token info = %v", m)
	}
	r = e.callAs("", "GET", "/oauth/v1/refresh-tokens/"+refresh, nil)
	e.mustStatus(r, http.StatusOK)
	if m := r.JSON(t); m["token_type"] != "refresh" || m["client_id"] != hubspotsim.DefaultClientID {
		t.Errorf("refresh token info = %v", m)
	}
	e.mustStatus(e.callAs("", "GET", "/oauth/v1/access-tokens/nope", nil), http.StatusNotFound)

	r = e.callAs(access, "GET", "/account-info/v3/details", nil)
	e.mustStatus(r, http.StatusOK)
	m = r.JSON(t)
	if m["portalId"] != float64(eu.ID) || m["uiDomain"] != "app-eu1.hubspot.com" || m["dataHostingLocation"] != "eu1" {
		t.Errorf("account info = %v", m)
	}
	noOAuth, _ := e.ts.IssueTokens(eu.ID, "", "crm.objects.contacts.read")
	e.mustStatus(e.callAs(noOAuth, "GET", "/account-info/v3/details", nil), http.StatusForbidden)
}

func TestMissingScope403(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	readOnly, _ := e.ts.IssueTokens(e.portal, "", "oauth", "crm.objects.contacts.read")
	for _, tc := range []struct {
		method, path string
		body         any
		scope        string
	}{
		{"POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"email": "a@b.co"}}, "crm.objects.contacts.write"},
		{"POST", "/crm/v3/objects/notes", map[string]any{}, "crm.objects.contacts.write"},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{}, "crm.objects.contacts.write"},
		{"GET", "/crm/v3/owners/1", nil, "crm.objects.owners.read"},
	} {
		r := e.callAs(readOnly, tc.method, tc.path, tc.body)
		e.mustStatus(r, http.StatusForbidden)
		want := map[string]any{
			"status":   "error",
			"message":  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
			"category": "MISSING_SCOPES",
			"errors": []any{map[string]any{
				"message": "One or more of the following scopes are required.",
				"context": map[string]any{"requiredGranularScopes": []any{tc.scope}},
			}},
			"links": map[string]any{"scopes": "https://developers.hubspot.com/scopes"},
		}
		if diff := cmp.Diff(want, dropVolatile(r.JSON(t))); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.method, tc.path, diff)
		}
	}
	e.mustStatus(e.callAs(readOnly, "POST", "/crm/v3/objects/contacts/search", map[string]any{}), http.StatusOK)
}

// Consent refuses a redirect_uri that is not exactly one of the app's registered ones, on the page and on the
// submit (a form posted by hand), and never redirects there; the registered one works.
func TestConsentRequiresRegisteredRedirectURI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, uri := range []string{
		"https://evil.test/integrations/hubspot/callback",
		redirectURI + "/",
		redirectURI + "?next=https://evil.test",
		strings.ToUpper(redirectURI[:5]) + redirectURI[5:],
		strings.TrimPrefix(redirectURI, "https://convrs.test"),
	} {
		q := url.Values{"client_id": {hubspotsim.DefaultClientID}, "redirect_uri": {uri}, "scope": {productScope}, "state": {"s"}}
		r := e.callAs("", "GET", "/oauth/authorize?"+q.Encode(), nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Raw), "registered redirect URLs") {
			t.Errorf("consent page for %q: status %d, body %.200s", uri, r.Status, r.Raw)
		}
		form := url.Values{"client_id": {hubspotsim.DefaultClientID}, "redirect_uri": {uri}, "state": {"s"},
			"portal_id": {strconv.FormatInt(e.portal, 10)}, "requested_scope": {productScope}, "scope": hubspotsim.ProductScopes}
		r = e.callAs("", "POST", "/oauth/authorize", form)
		if r.Status != http.StatusBadRequest || r.Header.Get("Location") != "" {
			t.Errorf("consent submit for %q: status %d, Location %q", uri, r.Status, r.Header.Get("Location"))
		}
	}
	if q := e.connect("/oauth/authorize?" + authorizeQuery(productScope, "", "s")); q.Get("code") == "" {
		t.Errorf("the registered redirect URI got no code: %v", q)
	}
}

// Without RedirectURIs the demo app has one registered URL: the callback of `make run`'s gateway.
func TestDefaultRedirectURI(t *testing.T) {
	t.Parallel()
	ts := hubspotsim.NewTestServer(t, hubspotsim.Options{})
	ts.SeedDemo()
	for uri, want := range map[string]int{hubspotsim.DefaultRedirectURI: http.StatusOK, redirectURI: http.StatusBadRequest} {
		q := url.Values{"client_id": {hubspotsim.DefaultClientID}, "redirect_uri": {uri}, "scope": {productScope}}
		resp, err := ts.Client().Get(ts.URL() + "/oauth/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("consent page for %s: status %d, want %d", uri, resp.StatusCode, want)
		}
	}
}

// At debug level the simulator logs every request, but never a token from a token-metadata path.
func TestRequestLogRedactsTokens(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	e := newEnv(t, func(o *hubspotsim.Options) {
		o.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	q := e.connect("/oauth/authorize?" + authorizeQuery(productScope, "", "s"))
	var tok tokenBody
	e.exchange(q.Get("code")).Into(t, &tok)
	e.mustStatus(e.callAs("", "GET", "/oauth/v1/access-tokens/"+tok.AccessToken, nil), http.StatusOK)
	e.mustStatus(e.callAs("", "GET", "/oauth/v1/refresh-tokens/"+tok.RefreshToken, nil), http.StatusOK)
	e.mustStatus(e.callAs("", "DELETE", "/oauth/v1/refresh-tokens/"+tok.RefreshToken, nil), http.StatusNoContent)
	e.callAs("", "GET", "/oauth/v1/access-tokens/"+e.token+"x", nil) // unknown tokens are not logged either
	mu.Lock()
	text := logs.String()
	mu.Unlock()
	for _, want := range []string{"path=/oauth/v1/access-tokens/REDACTED", "path=/oauth/v1/refresh-tokens/REDACTED", "method=DELETE"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken, e.token, q.Get("code")} {
		if strings.Contains(text, secret) {
			t.Errorf("a token or code appears in the log:\n%s", text)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
